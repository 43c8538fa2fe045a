// The ibm-smoke binary as a process: what the README's run command starts.

#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "ibm/platform/v1/platform.grpc.pb.h"
#include "platform/status.h"
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

TEST_F(SmokeServerTest, HelpListsEveryFlagWithItsEnvironmentVariable) {
  testing::ExitResult r = testing::RunToExit(kBinary, {"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* flag : {"--db", "--listen", "--jwt_public_keys", "--insecure_dev_auth",
                           "--metrics_listen", "--shutdown_grace", "IBM_DB"}) {
    EXPECT_THAT(r.output, HasSubstr(flag));
  }
}

}  // namespace
}  // namespace ibm::smoke
