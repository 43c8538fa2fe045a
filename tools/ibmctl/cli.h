#pragma once

// ibmctl's command line: `ibmctl [global flags] <resource> <verb> [arguments] [flags]`.
// Commands are rows of a table (resource, verb, arguments, flags, run function); this file
// parses argv against that table, prints --help at every level, and formats output (aligned
// tables, or one JSON document with --json).

#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace ibm::ibmctl {

// A bad command line: printed as one line, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class FlagType { kString, kBool };

struct Flag {
  const char* name;  // without "--"
  FlagType type;
  const char* value;  // placeholder in help, e.g. "CODE"; "" for bool flags
  const char* help;
  bool required = false;
  const char* env = nullptr;  // global flags: the environment variable that sets it
  const char* default_value = nullptr;
};

// What the command line said: positional arguments and flag values.
class Args {
 public:
  bool has(const std::string& flag) const { return values_.count(flag) > 0; }
  std::string get(const std::string& flag, const std::string& otherwise = "") const;
  bool flag(const std::string& flag) const { return get(flag) == "true"; }
  const std::vector<std::string>& positional() const { return positional_; }
  std::string arg(size_t i) const { return i < positional_.size() ? positional_[i] : ""; }

  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// The global flags' values and the connection they describe.
class Context {
 public:
  explicit Context(const Args& globals) : globals_(globals) {}
  const Args& globals() const { return globals_; }
  bool json() const { return globals_.flag("json"); }
  // The channel to a service by the global flag that holds its address ("registry",
  // "cases"), created on first use.
  std::shared_ptr<grpc::Channel> channel(const std::string& service = "registry");
  // Sets the deadline and the caller's credentials on a call.
  void Prepare(grpc::ClientContext* ctx) const;

 private:
  Args globals_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

struct Command {
  const char* resource;
  const char* verb;
  const char* arguments;  // for usage, e.g. "CODE" or "[PARENT_CODE]"
  int min_args, max_args;
  const char* summary;
  std::vector<Flag> flags;
  int (*run)(Context& ctx, const Args& args);
};

struct Resource {
  const char* name;
  const char* summary;
};

// Parses argv and runs the command; returns the exit code (0, 1 on an error the server or
// the input reported, 2 on a bad command line).
int Main(int argc, char** argv, const std::vector<Resource>& resources,
         const std::vector<Command>& commands);

// --- Helpers for commands -----------------------------------------------------------

// "32.73" or "regions/32.73" -> "regions/32.73" (likewise for satkers/ and units/).
std::string WithPrefix(const std::string& value, const std::string& prefix, const char* what);
// "YYYY-MM-DD"; a UsageError naming `flag` otherwise.
google::type::Date ParseDate(const std::string& text, const char* flag);
std::string FormatDate(const google::type::Date& d);
std::string FormatTime(const google::protobuf::Timestamp& t);
// Enum values by their short lower-case names: REGION_LEVEL_VILLAGE <-> "village".
int ParseEnum(const google::protobuf::EnumDescriptor* e, const std::string& text, const char* flag);
std::string EnumName(const google::protobuf::EnumDescriptor* e, int value);
bool ParseBool(const std::string& text, const char* flag);
int ParseInt(const std::string& text, const char* flag);

// Prints an error of a call (code, message, each field violation) to stderr; returns 1.
int Fail(const grpc::Status& status);
int Fail(const absl::Status& status);
// Prints a message as one JSON document on stdout.
void PrintJson(const google::protobuf::Message& m);

// An aligned text table.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;
  // One record as "HEADER  value" lines.
  static void PrintRecord(std::ostream& out, const std::vector<std::string>& headers,
                          const std::vector<std::string>& values);

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ibm::ibmctl
