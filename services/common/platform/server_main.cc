#include "platform/server_main.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

extern char** environ;

#include "absl/flags/flag.h"
#include "absl/flags/internal/program_name.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/logging.h"
#include "platform/executor.h"
#include "platform/metrics.h"
#include "sql/dsn.h"

ABSL_FLAG(std::string, listen, "",
          "gRPC address to serve on, host:port [default: 0.0.0.0:<the service's port>]");
ABSL_FLAG(std::string, db, "",
          "database DSN: sqlite:///path/file.db, sqlite::memory:, mysql://user:pass@host:3306/db "
          "or mysql://user:pass@localhost/db?socket=/path/mysqld.sock "
          "[default: sqlite://var/<service>.db]");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve TLS (with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require client certificates it signed (mTLS)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(std::string, log_format, "auto",
          "json (one object a line, for collectors), text (short human lines) or auto (text "
          "when stderr is a terminal, else json)");
ABSL_FLAG(std::string, metrics_listen, "",
          "Prometheus /metrics address, host:port; 'off' disables [default: 0.0.0.0:<the service's "
          "metrics port>]");
ABSL_FLAG(std::string, jwt_public_keys, "",
          "comma-separated PEM public key files that verify bearer tokens; a token's kid names "
          "the file (without extension)");
ABSL_FLAG(std::string, field_keys, "",
          "key file for encryption at rest of sensitive fields: lines '<key id> <32 bytes "
          "base64>', the first seals, all open (required by services that store such fields)");
ABSL_FLAG(std::string, jwt_issuer, "", "required iss claim of bearer tokens");
ABSL_FLAG(std::string, jwt_audience, "ibm-suite", "required aud claim of bearer tokens");
ABSL_FLAG(absl::Duration, jwt_max_lifetime, absl::Hours(24),
          "longest accepted bearer-token lifetime (exp - iat); tokens issued for longer are "
          "refused");
ABSL_FLAG(bool, insecure_dev_auth, false,
          "DEVELOPMENT ONLY: trust x-dev-role/x-dev-satker/x-dev-subject headers instead of "
          "verifying tokens. Never with real data");
ABSL_FLAG(bool, insecure_dev_auth_allow_non_loopback, false,
          "DEVELOPMENT ONLY: let --insecure_dev_auth serve on an address other than loopback "
          "(a development pod); without it, dev auth serves only on 127.0.0.1 / [::1]");
ABSL_FLAG(bool, check_config, false,
          "check the flags, environment, key files and database, print 'config ok', and exit "
          "(0 when usable, 2 when not) without serving");
ABSL_FLAG(int, workers, 16, "threads that run handlers (blocking SQL)");
ABSL_FLAG(int, max_queued, 256, "calls that may wait for a worker before RESOURCE_EXHAUSTED");
ABSL_FLAG(int, max_message_bytes, 4 << 20, "largest request or response message");
ABSL_FLAG(absl::Duration, health_interval, absl::Seconds(2),
          "how often readiness checks the database");
ABSL_FLAG(absl::Duration, lame_duck, absl::Seconds(2),
          "on SIGTERM, how long the server keeps answering (health NOT_SERVING) before it stops "
          "accepting calls, so load balancers see it leave first");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "on SIGTERM, after the lame-duck period, how long in-flight calls may finish before "
          "they are cancelled");

namespace ibm::platform {
namespace {

const std::vector<std::string>& OurFlags() {
  static const std::vector<std::string> flags = {"listen",
                                                 "db",
                                                 "tls_cert",
                                                 "tls_key",
                                                 "tls_client_ca",
                                                 "log_level",
                                                 "log_format",
                                                 "metrics_listen",
                                                 "jwt_public_keys",
                                                 "jwt_issuer",
                                                 "jwt_audience",
                                                 "jwt_max_lifetime",
                                                 "field_keys",
                                                 "insecure_dev_auth",
                                                 "insecure_dev_auth_allow_non_loopback",
                                                 "check_config",
                                                 "workers",
                                                 "max_queued",
                                                 "max_message_bytes",
                                                 "health_interval",
                                                 "lame_duck",
                                                 "shutdown_grace"};
  return flags;
}

[[noreturn]] void Die(const std::string& program, absl::string_view what, const absl::Status& s) {
  FlushLogs();
  std::fprintf(stderr, "%s: %s: %s\n", program.c_str(), std::string(what).c_str(),
               std::string(s.message()).c_str());
  std::exit(2);
}

absl::StatusOr<std::unique_ptr<auth::Authenticator>> MakeAuthenticator() {
  if (absl::GetFlag(FLAGS_insecure_dev_auth)) {
    if (!absl::GetFlag(FLAGS_jwt_public_keys).empty()) {
      return absl::InvalidArgumentError(
          "--insecure_dev_auth and --jwt_public_keys exclude each other");
    }
    return auth::NewInsecureDevAuthenticator();
  }
  auth::JwtOptions o;
  o.public_key_files = absl::StrSplit(absl::GetFlag(FLAGS_jwt_public_keys), ',', absl::SkipEmpty());
  o.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  o.audience = absl::GetFlag(FLAGS_jwt_audience);
  o.max_lifetime = absl::GetFlag(FLAGS_jwt_max_lifetime);
  if (o.public_key_files.empty()) {
    return absl::InvalidArgumentError(
        "no way to authenticate callers: give --jwt_public_keys and --jwt_issuer (or, for local "
        "development only, --insecure_dev_auth)");
  }
  return auth::NewJwtAuthenticator(std::move(o));
}

}  // namespace

std::string EnvVarForFlag(absl::string_view flag) {
  return absl::AsciiStrToUpper(absl::StrCat("IBM_", flag));
}

bool IsLoopbackAddress(absl::string_view listen) {
  if (absl::StartsWith(listen, "unix:") || absl::StartsWith(listen, "unix-abstract:")) return true;
  absl::string_view host = listen;
  if (absl::ConsumePrefix(&host, "[")) {
    host = host.substr(0, host.find(']'));
  } else if (size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host == "localhost") return true;
  // An address, not a name that merely starts like one ("127.example.org").
  in_addr v4{};
  if (::inet_pton(AF_INET, std::string(host).c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return ::inet_pton(AF_INET6, std::string(host).c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::vector<std::string> UnknownEnvironmentVariables(const std::vector<std::string>& flags,
                                                     char** environment) {
  // Variables of the suite's scripts and tools, not of the servers.
  static const std::vector<std::string> kNotFlags = {
      "IBM_DATA_DIR",   "IBM_HOST",        "IBM_SANITIZE", "IBM_BUILD_JOBS", "IBM_TEST_JOBS",
      "IBM_REGISTRY",   "IBM_CASES",       "IBM_TOKEN",    "IBM_TIMEOUT",    "IBM_DEV_ROLE",
      "IBM_DEV_SATKER", "IBM_DEV_SUBJECT", "IBM_TLS_CA"};
  std::vector<std::string> unknown;
  for (char** e = environment; e != nullptr && *e != nullptr; ++e) {
    absl::string_view entry = *e;
    absl::string_view name = entry.substr(0, entry.find('='));
    if (!absl::StartsWith(name, "IBM_") || absl::StartsWith(name, "IBM_TEST_")) continue;
    bool known = std::find(kNotFlags.begin(), kNotFlags.end(), name) != kNotFlags.end();
    for (const std::string& f : flags) known = known || EnvVarForFlag(f) == name;
    if (!known) unknown.emplace_back(name);
  }
  return unknown;
}

std::vector<std::string> ArgsWithEnvironment(
    int argc, char** argv, const std::vector<std::string>& flags,
    const std::function<const char*(const char*)>& getenv) {
  std::vector<std::string> args = {argv[0]};
  for (const std::string& f : flags) {
    const char* v = getenv(EnvVarForFlag(f).c_str());
    if (v != nullptr && *v != '\0') args.push_back(absl::StrCat("--", f, "=", v));
  }
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return args;
}

int ServerMain(int argc, char** argv, const ServiceSpec& spec) {
  const std::string program = absl::StrCat("ibm-", spec.name);
  // Block the stop signals before any thread exists, so every thread inherits the mask and
  // only the sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);  // reload the JWT public keys
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // Debian's Abseil is built without NDEBUG, so every Mutex::Lock also feeds a global
  // lock-order graph (measured: 2% of a loaded server's CPU, and a global lock on every
  // call). The tests keep the detection; the server binaries do not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "services/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] { return std::string("ibm-suite 0.1.0\n"); };
  usage.normalize_filename = [](absl::string_view f) {
    size_t at = f.find("services/");
    return std::string(at == absl::string_view::npos ? f : f.substr(at));
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(absl::StrCat(
      spec.summary, "\n\nServes gRPC on 0.0.0.0:", spec.default_port,
      " and Prometheus metrics on 0.0.0.0:", spec.default_metrics_port,
      " unless --listen / --metrics_listen say otherwise; its SQLite default is var/", spec.name,
      ".db.",
      "\n\nEvery flag can also be set by an environment variable: "
      "--db by IBM_DB, --jwt_issuer by IBM_JWT_ISSUER, and so on; a flag given on the command "
      "line wins.\nUsage: ",
      program, " [flags]"));

  absl::flags_internal::SetProgramInvocationName(program);
  // --help is an answer, not an error: print our flags and exit 0 (absl would exit 1).
  for (int i = 1; i < argc; ++i) {
    const absl::string_view a = argv[i];
    if (a == "--help" || a == "-h" || a == "-help") {
      // The platform's flags and the service's own (ServiceSpec::flags), all under services/.
      absl::flags_internal::FlagsHelp(std::cout, "services/",
                                      absl::flags_internal::HelpFormat::kHumanReadable,
                                      absl::ProgramUsageMessage());
      return 0;
    }
  }
  std::vector<std::string> flags = OurFlags();
  flags.insert(flags.end(), spec.flags.begin(), spec.flags.end());
  std::vector<std::string> args = ArgsWithEnvironment(argc, argv, flags, std::getenv);
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  absl::ParseCommandLine(static_cast<int>(cargs.size()), cargs.data());

  auto level = ParseLogLevel(absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) Die(program, "--log_level", level.status());
  auto format = ParseLogFormat(absl::GetFlag(FLAGS_log_format));
  if (!format.ok()) Die(program, "--log_format", format.status());
  InitLogging(*level, *format);

  for (const std::string& name : UnknownEnvironmentVariables(flags, environ)) {
    Log(LogLevel::kWarn, "unknown IBM_* environment variable ignored (a typo?)",
        {{"variable", name}});
  }
  const bool dev_auth = absl::GetFlag(FLAGS_insecure_dev_auth);
  std::string listen = absl::GetFlag(FLAGS_listen);
  // Unverified callers are for a developer's own machine: dev auth listens on loopback.
  if (listen.empty()) {
    listen = absl::StrCat(dev_auth ? "127.0.0.1:" : "0.0.0.0:", spec.default_port);
  }
  if (dev_auth && !IsLoopbackAddress(listen) &&
      !absl::GetFlag(FLAGS_insecure_dev_auth_allow_non_loopback)) {
    Die(program, "--insecure_dev_auth",
        absl::InvalidArgumentError(absl::StrCat(
            "refuses to serve unverified callers on ", listen,
            ", which is not a loopback address; listen on 127.0.0.1 or, for a development pod "
            "only, also give --insecure_dev_auth_allow_non_loopback")));
  }
  std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (metrics_listen.empty()) metrics_listen = absl::StrCat("0.0.0.0:", spec.default_metrics_port);
  std::string dsn_text = absl::GetFlag(FLAGS_db);
  if (dsn_text.empty()) dsn_text = absl::StrCat("sqlite://var/", spec.name, ".db");
  if (absl::GetFlag(FLAGS_workers) < 1 || absl::GetFlag(FLAGS_max_queued) < 1) {
    Die(program, "--workers/--max_queued", absl::InvalidArgumentError("must be at least 1"));
  }

  ServerOptions options;
  options.listen = listen;
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.health_interval = absl::GetFlag(FLAGS_health_interval);
  if (auto s = CheckServerOptions(options); !s.ok()) Die(program, "server options", s);
  auto authenticator = MakeAuthenticator();
  if (!authenticator.ok()) Die(program, "authentication", authenticator.status());
  std::shared_ptr<const FieldSealer> sealer;
  if (spec.seals_fields) {
    const std::string key_file = absl::GetFlag(FLAGS_field_keys);
    if (key_file.empty()) {
      Die(program, "--field_keys",
          absl::InvalidArgumentError(
              absl::StrCat("is required: ", program,
                           " encrypts sensitive fields at rest (make a key file: printf 'k1 %s\\n' "
                           "\"$(head -c 32 /dev/urandom | base64)\" > keys; chmod 600 keys)")));
    }
    auto loaded = FieldSealer::FromKeyFile(key_file);
    if (!loaded.ok()) Die(program, "--field_keys", loaded.status());
    sealer = *std::move(loaded);
  }

  // The database: malformed or unreachable is a one-line error, not a crash.
  auto dsn = sql::ParseDsn(dsn_text);
  if (!dsn.ok()) Die(program, "--db", dsn.status());
  if (dsn->engine == sql::Engine::kSqlite && dsn->path != ":memory:") {
    std::error_code ec;
    auto parent = std::filesystem::path(dsn->path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  sql::OpenOptions open_options;
  auto db = sql::Open(dsn_text, open_options);
  if (!db.ok()) Die(program, absl::StrCat("database ", dsn->Redacted()), db.status());
  if (spec.check_flags) {
    if (auto checked = spec.check_flags(); !checked.ok()) Die(program, spec.name, checked);
  }
  if (absl::GetFlag(FLAGS_check_config)) {
    // Everything above is checked; the database is reachable. Nothing is written.
    if (auto ping = (*db)->Ping(); !ping.ok()) Die(program, "database", ping);
    std::printf("%s: config ok (listen %s, db %s, %s)\n", program.c_str(), listen.c_str(),
                dsn->Redacted().c_str(), dev_auth ? "INSECURE dev auth" : "JWT auth");
    return 0;
  }
  auto migrated = sql::Migrate(**db, spec.migrations);
  if (!migrated.ok()) Die(program, "schema migration", migrated.status());

  if (absl::GetFlag(FLAGS_insecure_dev_auth)) {
    Log(LogLevel::kWarn,
        "INSECURE DEVELOPMENT AUTHENTICATION: callers are NOT verified; anyone can act as any "
        "satker. Never run this way with real data.",
        {{"service", spec.name}});
  }

  Metrics metrics(spec.name);
  if (metrics_listen != "off") {
    if (auto s = metrics.Serve(metrics_listen); !s.ok()) Die(program, "--metrics_listen", s);
  }
  Executor executor(absl::GetFlag(FLAGS_workers), absl::GetFlag(FLAGS_max_queued));
  ServiceContext context{spec.name,
                         db->get(),
                         Runtime{authenticator->get(), &executor, &metrics,
                                 [] { return absl::Now(); }, dsn->engine == sql::Engine::kSqlite},
                         migrated->to_version,
                         absl::Now(),
                         sealer};
  auto services = spec.build(context);
  if (!services.ok()) Die(program, "service set-up", services.status());

  std::vector<grpc::Service*> raw;
  for (auto& s : *services) raw.push_back(s.get());
  auto server = Server::Start(options, raw, db->get(), &metrics);
  if (!server.ok()) Die(program, "server", server.status());

  LogAlways(LogLevel::kInfo, "serving",
            {{"service", spec.name},
             {"listen", listen},
             {"port", (*server)->port()},
             {"metrics_port", metrics.port()},
             {"db", dsn->Redacted()},
             {"schema_version", migrated->to_version},
             {"migrations_applied", migrated->applied},
             {"tls", !options.tls_cert_file.empty()},
             {"insecure_dev_auth", absl::GetFlag(FLAGS_insecure_dev_auth)}});

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) == 0 && signal_number == SIGHUP) {
    absl::Status reloaded = (*authenticator)->Reload();
    if (reloaded.ok()) {
      Log(LogLevel::kInfo, "SIGHUP: authentication keys reloaded");
    } else {
      Log(LogLevel::kError, "SIGHUP: keys not reloaded, the previous keys stay in use",
          {{"error", std::string(reloaded.message())}});
    }
  }
  Log(LogLevel::kInfo, "stop signal received", {{"signal", signal_number}});
  (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace), absl::GetFlag(FLAGS_lame_duck));
  (*server)->Wait();
  executor.Stop();
  LogAlways(LogLevel::kInfo, "stopped", {{"service", spec.name}});
  FlushLogs();
  return 0;
}

}  // namespace ibm::platform
