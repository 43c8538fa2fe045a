#include "ibmctl/cli.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace ibm::ibmctl {
namespace {

const char* DefaultSubject() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "ibmctl";
}

const std::vector<Flag>& GlobalFlags() {
  static const std::vector<Flag> flags = {
      {"registry", FlagType::kString, "HOST:PORT", "the registry's gRPC address", false,
       "IBM_REGISTRY", "127.0.0.1:7001"},
      {"cases", FlagType::kString, "HOST:PORT", "the cases service's gRPC address", false,
       "IBM_CASES", "127.0.0.1:7002"},
      {"json", FlagType::kBool, "", "print one JSON document instead of tables"},
      {"token", FlagType::kString, "JWT", "bearer token for every call", false, "IBM_TOKEN"},
      {"dev_role", FlagType::kString, "ROLE",
       "without --token: x-dev-role header (servers run with --insecure_dev_auth)", false,
       "IBM_DEV_ROLE", "officer"},
      {"dev_satker", FlagType::kString, "ID", "without --token: x-dev-satker header", false,
       "IBM_DEV_SATKER", "bnn"},
      {"dev_subject", FlagType::kString, "NAME",
       "without --token: x-dev-subject header [default: $USER]", false, "IBM_DEV_SUBJECT"},
      {"timeout", FlagType::kString, "DURATION", "deadline of every call, e.g. 30s or 2m", false,
       "IBM_TIMEOUT", "30s"},
      {"tls", FlagType::kBool, "", "use TLS with the system's root certificates"},
      {"tls_ca", FlagType::kString, "FILE", "use TLS, trusting this PEM CA bundle", false,
       "IBM_TLS_CA"},
      {"tls_cert", FlagType::kString, "FILE", "PEM client certificate (mTLS; with --tls_key)",
       false, "IBM_TLS_CERT"},
      {"tls_key", FlagType::kString, "FILE", "PEM private key of --tls_cert", false, "IBM_TLS_KEY"},
  };
  return flags;
}

std::string ReadFileOrThrow(const std::string& path, const char* flag) {
  std::ifstream in(path);
  if (!in) throw UsageError(absl::StrCat("--", flag, ": cannot read ", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

const Flag* FindFlag(const std::vector<Flag>& flags, absl::string_view name) {
  for (const Flag& f : flags) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

void PrintFlags(std::ostream& out, const std::vector<Flag>& flags) {
  std::vector<std::pair<std::string, std::string>> lines;
  size_t width = 0;
  for (const Flag& f : flags) {
    std::string left = absl::StrCat("  --", f.name);
    if (f.type == FlagType::kString) absl::StrAppend(&left, "=", f.value);
    std::string right = f.help;
    if (f.required) absl::StrAppend(&right, " (required)");
    if (f.env != nullptr) absl::StrAppend(&right, " [env ", f.env, "]");
    if (f.default_value != nullptr) absl::StrAppend(&right, " [default: ", f.default_value, "]");
    width = std::max(width, left.size());
    lines.emplace_back(std::move(left), std::move(right));
  }
  for (const auto& [left, right] : lines) {
    out << left << std::string(width + 2 - left.size(), ' ') << right << "\n";
  }
}

std::string UsageLine(const Command& c) {
  std::string line = absl::StrCat("ibmctl ", c.resource, " ", c.verb);
  if (*c.arguments != '\0') absl::StrAppend(&line, " ", c.arguments);
  for (const Flag& f : c.flags) {
    if (f.required) absl::StrAppend(&line, " --", f.name, "=", f.value);
  }
  if (std::any_of(c.flags.begin(), c.flags.end(), [](const Flag& f) { return !f.required; })) {
    absl::StrAppend(&line, " [flags]");
  }
  return line;
}

void TopHelp(const std::vector<Resource>& resources) {
  std::cout << "ibmctl: the admin CLI of the IBM suite: the registry (regions, satker, IBM "
               "units, recovery agents, officers, change log) and case management (clients, "
               "screenings, cases).\n\n"
               "Usage: ibmctl [global flags] <resource> <verb> [arguments] [flags]\n\n"
               "Resources:\n";
  for (const Resource& r : resources)
    std::cout << absl::StrFormat("  %-10s %s\n", r.name, r.summary);
  std::cout << "\nGlobal flags (also accepted after the verb):\n";
  PrintFlags(std::cout, GlobalFlags());
  std::cout << "\nOutput is an aligned table, or one JSON document with --json. Exit codes: 0 "
               "done, 1 the call or the input failed (the error is printed with each field "
               "violation), 2 bad command line.\n"
               "Run 'ibmctl <resource> --help' for its verbs, 'ibmctl <resource> <verb> --help' "
               "for a command's flags.\n";
}

void ResourceHelp(const Resource& r, const std::vector<Command>& commands) {
  std::cout << "ibmctl " << r.name << ": " << r.summary << "\n\nCommands:\n";
  for (const Command& c : commands) {
    if (absl::string_view(c.resource) != r.name) continue;
    std::cout << "  " << UsageLine(c) << "\n      " << c.summary << "\n";
  }
  std::cout << "\nRun 'ibmctl " << r.name
            << " <verb> --help' for a command's flags, 'ibmctl --help' for the global flags.\n";
}

void CommandHelp(const Command& c) {
  std::cout << "Usage: " << UsageLine(c) << "\n\n" << c.summary << "\n";
  if (!c.flags.empty()) {
    std::cout << "\nFlags:\n";
    PrintFlags(std::cout, c.flags);
  }
  std::cout << "\nGlobal flags (--registry, --cases, --json, --token, --dev_role, --timeout, "
               "...): see "
               "'ibmctl --help'.\n";
}

void SetFlag(Args& args, const Flag& f, std::string value) {
  if (f.type == FlagType::kBool) value = ParseBool(value, f.name) ? "true" : "false";
  args.values_[f.name] = std::move(value);
}

}  // namespace

std::string Args::get(const std::string& flag, const std::string& otherwise) const {
  auto it = values_.find(flag);
  return it == values_.end() ? otherwise : it->second;
}

std::shared_ptr<grpc::Channel> Context::channel(const std::string& service) {
  if (auto it = channels_.find(service); it != channels_.end()) return it->second;
  std::shared_ptr<grpc::ChannelCredentials> creds;
  const std::string ca = globals_.get("tls_ca"), cert = globals_.get("tls_cert"),
                    key = globals_.get("tls_key");
  if (globals_.flag("tls") || !ca.empty() || !cert.empty()) {
    if (cert.empty() != key.empty()) throw UsageError("--tls_cert and --tls_key go together");
    grpc::SslCredentialsOptions o;
    if (!ca.empty()) o.pem_root_certs = ReadFileOrThrow(ca, "tls_ca");
    if (!cert.empty()) {
      o.pem_cert_chain = ReadFileOrThrow(cert, "tls_cert");
      o.pem_private_key = ReadFileOrThrow(key, "tls_key");
    }
    creds = grpc::SslCredentials(o);
  } else {
    creds = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments ch;
  ch.SetMaxReceiveMessageSize(64 << 20);
  return channels_[service] = grpc::CreateCustomChannel(globals_.get(service), creds, ch);
}

void Context::Prepare(grpc::ClientContext* ctx) const {
  absl::Duration timeout;
  if (!absl::ParseDuration(globals_.get("timeout"), &timeout) || timeout <= absl::ZeroDuration()) {
    throw UsageError(absl::StrCat("--timeout: '", globals_.get("timeout"),
                                  "' is not a positive duration such as 30s"));
  }
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  std::string token = globals_.get("token");
  if (!token.empty()) {
    if (!absl::StartsWith(token, "Bearer ")) token = "Bearer " + token;
    ctx->AddMetadata("authorization", token);
  } else {
    ctx->AddMetadata("x-dev-role", globals_.get("dev_role"));
    ctx->AddMetadata("x-dev-satker", globals_.get("dev_satker"));
    ctx->AddMetadata("x-dev-subject", globals_.get("dev_subject", DefaultSubject()));
  }
}

int Main(int argc, char** argv, const std::vector<Resource>& resources,
         const std::vector<Command>& commands) {
  const Resource* resource = nullptr;
  const Command* command = nullptr;
  Args globals, args;
  bool help = false, flags_done = false;
  auto where = [&] {
    if (command != nullptr) return absl::StrCat("ibmctl ", command->resource, " ", command->verb);
    if (resource != nullptr) return absl::StrCat("ibmctl ", resource->name);
    return std::string("ibmctl");
  };
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (!flags_done && a == "--") {
        flags_done = true;
      } else if (!flags_done && (a == "--help" || a == "-h" || a == "-help")) {
        help = true;
      } else if (!flags_done && absl::StartsWith(a, "--")) {
        const size_t eq = a.find('=');
        const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        const Flag* f = command != nullptr ? FindFlag(command->flags, name) : nullptr;
        Args* into = &args;
        if (f == nullptr) {
          f = FindFlag(GlobalFlags(), name);
          into = &globals;
        }
        if (f == nullptr) throw UsageError(absl::StrCat("unknown flag --", name));
        if (eq != std::string::npos) {
          SetFlag(*into, *f, a.substr(eq + 1));
        } else if (f->type == FlagType::kBool) {
          SetFlag(*into, *f, "true");
        } else if (i + 1 < argc) {
          SetFlag(*into, *f, argv[++i]);
        } else {
          throw UsageError(absl::StrCat("--", name, " needs a value"));
        }
      } else if (!flags_done && a.size() > 1 && a[0] == '-' && !absl::ascii_isdigit(a[1])) {
        throw UsageError(absl::StrCat("unknown flag ", a, " (flags are --name=value)"));
      } else if (resource == nullptr) {
        for (const Resource& r : resources) {
          if (a == r.name) resource = &r;
        }
        if (resource == nullptr) {
          std::vector<std::string> names;
          for (const Resource& r : resources) names.emplace_back(r.name);
          throw UsageError(
              absl::StrCat("unknown resource '", a, "'; one of: ", absl::StrJoin(names, ", ")));
        }
      } else if (command == nullptr) {
        std::vector<std::string> verbs;
        for (const Command& c : commands) {
          if (absl::string_view(c.resource) != resource->name) continue;
          if (a == c.verb) command = &c;
          verbs.emplace_back(c.verb);
        }
        if (command == nullptr) {
          throw UsageError(
              absl::StrCat("unknown verb '", a, "'; one of: ", absl::StrJoin(verbs, ", ")));
        }
      } else {
        args.positional_.push_back(a);
      }
    }
    if (help) {
      if (command != nullptr) {
        CommandHelp(*command);
      } else if (resource != nullptr) {
        ResourceHelp(*resource, commands);
      } else {
        TopHelp(resources);
      }
      return 0;
    }
    if (resource == nullptr) throw UsageError("missing resource");
    if (command == nullptr) throw UsageError("missing verb");
    const int n = static_cast<int>(args.positional_.size());
    if (n < command->min_args || n > command->max_args) {
      throw UsageError(absl::StrCat(n < command->min_args ? "missing" : "too many",
                                    " arguments; usage: ", UsageLine(*command)));
    }
    for (const Flag& f : command->flags) {
      if (f.required && !args.has(f.name)) throw UsageError(absl::StrCat("missing --", f.name));
    }
    for (const Flag& f : GlobalFlags()) {
      if (globals.has(f.name)) continue;
      const char* env = f.env != nullptr ? std::getenv(f.env) : nullptr;
      if (env != nullptr && *env != '\0') {
        SetFlag(globals, f, env);
      } else if (f.default_value != nullptr) {
        globals.values_[f.name] = f.default_value;
      }
    }
    Context ctx(globals);
    return command->run(ctx, args);
  } catch (const UsageError& e) {
    std::cerr << where() << ": " << e.what() << " (see '" << where() << " --help')\n";
    return 2;
  }
}

std::string WithPrefix(const std::string& value, const std::string& prefix, const char* what) {
  if (value.empty()) throw UsageError(absl::StrCat("empty ", what));
  return absl::StartsWith(value, prefix) ? value : prefix + value;
}

google::type::Date ParseDate(const std::string& text, const char* flag) {
  std::vector<std::string> parts = absl::StrSplit(text, '-');
  int y = 0, m = 0, d = 0;
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() != 2 || parts[2].size() != 2 ||
      !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d) || m < 1 || m > 12 || d < 1 || d > 31) {
    throw UsageError(absl::StrCat("--", flag, ": '", text, "' is not a date YYYY-MM-DD"));
  }
  google::type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

std::string FormatDate(const google::type::Date& d) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string FormatTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

namespace {
// "REGION_LEVEL_" for RegionLevel: what comes before UNSPECIFIED.
std::string EnumPrefix(const google::protobuf::EnumDescriptor* e) {
  absl::string_view first = e->value(0)->name();
  absl::ConsumeSuffix(&first, "UNSPECIFIED");
  return std::string(first);
}
}  // namespace

int ParseEnum(const google::protobuf::EnumDescriptor* e, const std::string& text,
              const char* flag) {
  const std::string prefix = EnumPrefix(e);
  const auto* v = e->FindValueByName(prefix + absl::AsciiStrToUpper(text));
  if (v == nullptr || v->number() == 0) {
    std::vector<std::string> names;
    for (int i = 1; i < e->value_count(); ++i) names.push_back(EnumName(e, e->value(i)->number()));
    throw UsageError(
        absl::StrCat("--", flag, ": '", text, "' is not one of ", absl::StrJoin(names, ", ")));
  }
  return v->number();
}

std::string EnumName(const google::protobuf::EnumDescriptor* e, int value) {
  const auto* v = e->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  if (value == 0) return "";
  absl::string_view name = v->name();
  const std::string prefix = EnumPrefix(e);
  absl::ConsumePrefix(&name, prefix);
  return absl::AsciiStrToLower(name);
}

bool ParseBool(const std::string& text, const char* flag) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "true" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "0" || t == "no") return false;
  throw UsageError(absl::StrCat("--", flag, ": '", text, "' is not true or false"));
}

int ParseInt(const std::string& text, const char* flag) {
  int v = 0;
  if (!absl::SimpleAtoi(text, &v)) {
    throw UsageError(absl::StrCat("--", flag, ": '", text, "' is not a whole number"));
  }
  return v;
}

int Fail(const grpc::Status& status) { return Fail(platform::FromGrpcStatus(status)); }

int Fail(const absl::Status& status) {
  const auto violations = platform::FieldViolationsOf(status);
  std::vector<std::string> joined;
  for (const auto& [field, description] : violations) joined.push_back(field + " " + description);
  std::string line = absl::StrCat("ibmctl: ", absl::StatusCodeToString(status.code()));
  // The message of a bad request repeats the violations; print them once, one per line.
  if (violations.empty() || status.message() != absl::StrJoin(joined, "; ")) {
    absl::StrAppend(&line, ": ", status.message());
  }
  const std::string reason = platform::ErrorInfoOf(status).reason();
  if (!reason.empty() && reason != absl::StatusCodeToString(status.code())) {
    absl::StrAppend(&line, " (", reason, ")");
  }
  std::cerr << line << "\n";
  for (const auto& [field, description] : violations) {
    std::cerr << "  " << field << ": " << description << "\n";
  }
  return 1;
}

void PrintJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  o.preserve_proto_field_names = true;
  std::string out;
  auto s = google::protobuf::util::MessageToJsonString(m, &out, o);
  if (!s.ok()) {
    std::cerr << "ibmctl: cannot print JSON: " << s.ToString() << "\n";
    std::exit(1);
  }
  std::cout << out;
  if (out.empty() || out.back() != '\n') std::cout << "\n";
}

namespace {
// Display width: UTF-8 code points (continuation bytes take no room).
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
}  // namespace

void Table::Print(std::ostream& out) const {
  std::vector<size_t> width(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) width[i] = Width(headers_[i]);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], Width(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text += std::string(width[i] - Width(cells[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
}

void Table::PrintRecord(std::ostream& out, const std::vector<std::string>& headers,
                        const std::vector<std::string>& values) {
  size_t width = 0;
  for (const auto& h : headers) width = std::max(width, Width(h));
  for (size_t i = 0; i < headers.size() && i < values.size(); ++i) {
    out << headers[i];
    if (!values[i].empty()) out << std::string(width - Width(headers[i]) + 2, ' ') << values[i];
    out << "\n";
  }
}

}  // namespace ibm::ibmctl
