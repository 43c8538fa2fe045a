// The ibm-smoke binary as a process: what the README's run command starts.

#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "ibm/platform/v1/platform.grpc.pb.h"
#include "testing/process.h"
#include "testing/test_server.h"

namespace ibm::smoke {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBinary = IBM_SMOKE_BINARY;

class SmokeServerTest : public ::testing::Test {
 protected:
  std::vector<std::string> Args(const std::string& dsn) {
    return {"--listen=127.0.0.1:0",
            "--metrics_listen=127.0.0.1:0",
            "--db=" + dsn,
            "--jwt_public_keys=" + tokens_.public_key_file(),
            absl::StrCat("--jwt_issuer=", testing::TokenIssuer::kIssuer),
            "--shutdown_grace=2s"};
  }

  void CheckServes(testing::ServerProcess& p, const std::string& engine) {
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", p.port()),
                                       grpc::InsecureChannelCredentials());
    EXPECT_EQ(testing::HealthOf(channel, ""), "SERVING");
    auto names = testing::ListServicesByReflection(channel);
    ASSERT_TRUE(names.ok()) << names.status();
    EXPECT_THAT(*names, Contains("ibm.platform.v1.DiagnosticsService"));
    EXPECT_THAT(*names, Contains("grpc.reflection.v1alpha.ServerReflection"));

    auto diag = ibm::platform::v1::DiagnosticsService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", tokens_.Bearer("officer", "bnnp-32"));
    ibm::platform::v1::ServerInfo info;
    grpc::Status s = diag->GetServerInfo(&ctx, {}, &info);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(info.service(), "smoke");
    EXPECT_EQ(info.storage_engine(), engine);
    EXPECT_EQ(info.schema_version(), 1);
    EXPECT_EQ(info.caller().scope(), "32");
    EXPECT_FALSE(info.caller().insecure_dev_auth());

    grpc::ClientContext anonymous;
    EXPECT_EQ(diag->GetServerInfo(&anonymous, {}, &info).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);

    auto echo = ibm::platform::v1::EchoService::NewStub(channel);
    grpc::ClientContext ectx;
    ibm::platform::v1::EchoRequest req;
    req.set_message(std::string(2000, 'x'));
    ibm::platform::v1::EchoResponse resp;
    grpc::Status bad = echo->Echo(&ectx, req, &resp);
    ASSERT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    auto v = platform::FieldViolationsOf(platform::FromGrpcStatus(bad));
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].first, "message");
  }

  testing::TempDir dir_;
  testing::TokenIssuer tokens_{dir_.path()};
};

TEST_F(SmokeServerTest, ServesOnSqliteStopsCleanlyOnSigtermAndRestartsWithoutMigrating) {
  const std::string dsn = absl::StrCat("sqlite://", dir_.path(), "/data/smoke.db");
  auto p = testing::ServerProcess::Start(kBinary, Args(dsn));
  ASSERT_TRUE(p.ok()) << p.status();
  CheckServes(**p, "sqlite");
  EXPECT_THAT((*p)->output(), HasSubstr("\"migrations_applied\":1"));
  testing::ExitResult r = (*p)->Stop(SIGTERM);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"msg\":\"stopped\""));

  auto again = testing::ServerProcess::Start(kBinary, Args(dsn));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT((*again)->output(), HasSubstr("\"migrations_applied\":0"));
  EXPECT_EQ((*again)->Stop(SIGINT).exit_code, 0);
}

TEST_F(SmokeServerTest, ServesOnMariaDb) {
  if (!testing::MysqlAvailable()) GTEST_SKIP() << "IBM_TEST_MYSQL_DSN not set";
  auto db = testing::TestDatabase::Create("mysql");
  ASSERT_TRUE(db.ok()) << db.status();
  // The DSN may also come from the environment.
  std::vector<std::string> args = Args("");
  args.erase(args.begin() + 2);
  auto p = testing::ServerProcess::Start(kBinary, args, {{"IBM_DB", (*db)->dsn()}});
  ASSERT_TRUE(p.ok()) << p.status();
  CheckServes(**p, "mysql");
  EXPECT_THAT((*p)->output(), Not(HasSubstr("ibm-test-only")));  // the password is masked
  EXPECT_EQ((*p)->Stop(SIGTERM).exit_code, 0);
}

TEST_F(SmokeServerTest, BadStartUpIsOneLineAndExitCode2) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::string keys = "--jwt_public_keys=" + tokens_.public_key_file();
  std::vector<Case> cases = {
      {{"--db=postgres://x/y", "--insecure_dev_auth"}, "--db: malformed database DSN"},
      {{"--db=mysql://app:s3cret@localhost/ibm?socket=/nonexistent.sock", "--insecure_dev_auth"},
       "database server unreachable"},
      {{"--db=sqlite::memory:"}, "no way to authenticate callers"},
      {{"--db=sqlite::memory:", "--jwt_public_keys=/nonexistent.pem", "--jwt_issuer=x"},
       "cannot read JWT public key file"},
      {{"--db=sqlite::memory:", "--insecure_dev_auth", "--log_level=loud"}, "--log_level"},
      {{"--db=sqlite::memory:", "--insecure_dev_auth", "--tls_cert=/nonexistent.pem",
        "--listen=127.0.0.1:0", "--metrics_listen=off"},
       "TLS needs both"},
  };
  for (const Case& c : cases) {
    testing::ExitResult r = testing::RunToExit(kBinary, c.args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(c.says));
    EXPECT_THAT(r.output, Not(HasSubstr("s3cret")));
    std::vector<std::string> lines = absl::StrSplit(r.output, '\n', absl::SkipEmpty());
    EXPECT_EQ(lines.size(), 1u) << r.output;
  }
}

TEST_F(SmokeServerTest, DevAuthServesOnlyOnLoopbackUnlessToldTwice) {
  const std::vector<std::string> base = {"--db=sqlite::memory:", "--metrics_listen=off"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), base.begin(), base.end());
    return extra;
  };
  // Every spelling of "on" counts, on the command line or from the environment.
  testing::ExitResult r =
      testing::RunToExit(kBinary, with({"--insecure_dev_auth", "--listen=0.0.0.0:0"}));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("is not a loopback address"));
  for (const char* on : {"true", "1", "yes", "TRUE", "y"}) {
    r = testing::RunToExit(kBinary, with({"--listen=0.0.0.0:0"}), {{"IBM_INSECURE_DEV_AUTH", on}});
    EXPECT_EQ(r.exit_code, 2) << on << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("is not a loopback address")) << on;
  }
  // Without --listen, dev auth listens on loopback.
  r = testing::RunToExit(kBinary, with({"--insecure_dev_auth", "--check_config"}));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("listen 127.0.0.1:"));
  EXPECT_THAT(r.output, HasSubstr("INSECURE dev auth"));
  // A development pod says so twice.
  auto p = testing::ServerProcess::Start(
      kBinary, with({"--insecure_dev_auth", "--insecure_dev_auth_allow_non_loopback",
                     "--listen=0.0.0.0:0", "--lame_duck=0s"}));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)->Stop(SIGTERM).exit_code, 0);
}

TEST_F(SmokeServerTest, CheckConfigValidatesWithoutServingAndTheCommandLineBeatsTheEnvironment) {
  const std::string dsn = absl::StrCat("sqlite://", dir_.path(), "/checked.db");
  std::vector<std::string> args = Args(dsn);
  args.erase(args.begin());  // --listen comes from the environment below
  args.push_back("--check_config");
  testing::ExitResult r = testing::RunToExit(kBinary, args, {{"IBM_LISTEN", "127.0.0.1:7101"}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("config ok (listen 127.0.0.1:7101"));
  args.push_back("--listen=127.0.0.1:7102");
  r = testing::RunToExit(kBinary, args, {{"IBM_LISTEN", "127.0.0.1:7101"}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("config ok (listen 127.0.0.1:7102"));
  // A typo in a variable's name is warned about, not silently ignored.
  r = testing::RunToExit(kBinary, args, {{"IBM_SHUTDOWN_GARCE", "30s"}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("unknown IBM_* environment variable"));
  EXPECT_THAT(r.output, HasSubstr("IBM_SHUTDOWN_GARCE"));
  // Nothing was migrated or served: a check is no start.
  EXPECT_THAT(r.output, Not(HasSubstr("serving")));
  // A bad setting is the usual one line and exit code 2.
  args.push_back("--jwt_public_keys=/nonexistent.pem");
  r = testing::RunToExit(kBinary, args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST_F(SmokeServerTest, OnSigtermTheServerIsALameDuckBeforeItStops) {
  std::vector<std::string> args = Args(absl::StrCat("sqlite://", dir_.path(), "/lame.db"));
  args.push_back("--lame_duck=1500ms");
  auto p = testing::ServerProcess::Start(kBinary, args);
  ASSERT_TRUE(p.ok()) << p.status();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*p)->port()),
                                     grpc::InsecureChannelCredentials());
  ASSERT_EQ(testing::HealthOf(channel, ""), "SERVING");
  const absl::Time signalled = absl::Now();
  (*p)->Signal(SIGTERM);
  absl::SleepFor(absl::Milliseconds(300));
  // Health says it is leaving, but calls are still answered.
  EXPECT_EQ(testing::HealthOf(channel, ""), "NOT_SERVING");
  auto diag = ibm::platform::v1::DiagnosticsService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", tokens_.Bearer("officer", "bnnp-32"));
  ibm::platform::v1::ServerInfo info;
  grpc::Status s = diag->GetServerInfo(&ctx, {}, &info);
  EXPECT_TRUE(s.ok()) << s.error_message();
  testing::ExitResult r = (*p)->Stop(SIGTERM);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GE(absl::Now() - signalled, absl::Milliseconds(1400));
  EXPECT_THAT(r.output, HasSubstr("\"lame_duck_ms\":1500"));
}

TEST_F(SmokeServerTest, HelpListsEveryFlagWithItsEnvironmentVariable) {
  testing::ExitResult r = testing::RunToExit(kBinary, {"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* flag :
       {"--db", "--listen", "--jwt_public_keys", "--insecure_dev_auth",
        "--insecure_dev_auth_allow_non_loopback", "--check_config", "--jwt_max_lifetime",
        "--log_format", "--lame_duck", "--metrics_listen", "--shutdown_grace", "IBM_DB"}) {
    EXPECT_THAT(r.output, HasSubstr(flag));
  }
}

}  // namespace
}  // namespace ibm::smoke
