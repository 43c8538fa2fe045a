#pragma once

// The whole life of a service process, so that each service's main.cc is a few lines:
//
//   int main(int argc, char** argv) {
//     return ibm::platform::ServerMain(argc, argv, ibm::registry::Spec());
//   }
//
// It reads flags (each also from an IBM_* environment variable; a flag on the command line
// wins), opens the database and applies the service's migrations, sets up authentication,
// logging and metrics, builds the service's handlers, serves, and on SIGTERM or SIGINT goes
// NOT_SERVING, drains in-flight calls for --shutdown_grace and exits 0. A bad flag, a
// malformed DSN or an unreachable database is a one-line error and exit code 2.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/sealing.h"
#include "grpcpp/impl/service_type.h"
#include "platform/calls.h"
#include "platform/server.h"
#include "sql/database.h"
#include "sql/migrations.h"

namespace ibm::platform {

// What a service's handlers are built from.
struct ServiceContext {
  std::string service;  // e.g. "registry"
  sql::Database* db;
  Runtime runtime;
  int schema_version;
  absl::Time start_time;
  // Set when the spec seals fields (from --field_keys); null otherwise.
  std::shared_ptr<const FieldSealer> sealer = nullptr;
};

struct ServiceSpec {
  std::string name;          // "registry": the binary is ibm-<name>, logs say service=<name>
  std::string summary;       // one line for --help
  int default_port;          // gRPC
  int default_metrics_port;  // Prometheus /metrics
  std::vector<sql::Migration> migrations;
  bool seals_fields = false;  // needs --field_keys: stores values encrypted at rest
  // The service's own flags (ABSL_FLAG in its sources under services/), by name: each is
  // also read from its IBM_* variable and shown by --help. `build` reads them.
  std::vector<std::string> flags;
  // Checks the service's own flags (files readable, addresses well formed) before anything
  // starts, and under --check_config; an error is a one-line message and exit code 2.
  std::function<absl::Status()> check_flags;
  std::function<absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>>(ServiceContext&)> build;
};

int ServerMain(int argc, char** argv, const ServiceSpec& spec);

// The environment variable that stands for a flag: "db" -> "IBM_DB".
std::string EnvVarForFlag(absl::string_view flag);

// argv with IBM_* environment values inserted as flags before the given ones (so the
// command line wins). Exposed for tests.
std::vector<std::string> ArgsWithEnvironment(int argc, char** argv,
                                             const std::vector<std::string>& flags,
                                             const std::function<const char*(const char*)>& getenv);

// True for addresses only this machine can reach: 127.0.0.0/8, [::1], localhost, unix sockets.
bool IsLoopbackAddress(absl::string_view listen);

// The IBM_* variables of `environment` that are no flag of `flags` (nor a known variable of
// the suite's scripts and tools): each is warned about at start-up, as a likely typo.
std::vector<std::string> UnknownEnvironmentVariables(const std::vector<std::string>& flags,
                                                     char** environment);

}  // namespace ibm::platform
