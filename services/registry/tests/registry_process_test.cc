// The ibm-registry binary as a process, on both engines: it serves, keeps its data across a
// restart (SIGTERM, then start again on the same database), and answers --help.
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/sealing.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "ibm/registry/v1/registry.grpc.pb.h"
#include "testing/engine_test.h"
#include "testing/process.h"
#include "testing/test_database.h"
#include "testing/test_server.h"
#include "testing/token_issuer.h"

namespace ibm::registry {
namespace {

namespace v1 = ::ibm::registry::v1;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBinary = IBM_REGISTRY_BINARY;

class RegistryProcessTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::vector<std::string> Args(const std::string& dsn) {
    return {"--listen=127.0.0.1:0",
            "--metrics_listen=off",
            "--db=" + dsn,
            "--jwt_public_keys=" + tokens_.public_key_file(),
            "--field_keys=" + field_keys_,
            absl::StrCat("--jwt_issuer=", testing::TokenIssuer::kIssuer),
            "--shutdown_grace=2s"};
  }
  std::unique_ptr<grpc::ClientContext> Central() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", tokens_.Bearer("officer", "bnn"));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }
  testing::TempDir dir_;
  testing::TokenIssuer tokens_{dir_.path()};
  std::string field_keys_ = testing::WriteFieldKeyFile(dir_.path());
};

TEST_P(RegistryProcessTest, DataSurvivesARestart) {
  std::string dsn;
  std::unique_ptr<testing::TestDatabase> mysql;
  if (GetParam() == "mysql") {
    if (!testing::MysqlAvailable()) GTEST_SKIP() << "IBM_TEST_MYSQL_DSN not set";
    auto db = testing::TestDatabase::Create("mysql");
    ASSERT_TRUE(db.ok()) << db.status();
    mysql = std::move(*db);
    dsn = mysql->dsn();
  } else {
    dsn = absl::StrCat("sqlite://", dir_.path(), "/registry.db");
  }
  {
    auto p = testing::ServerProcess::Start(kBinary, Args(dsn));
    ASSERT_TRUE(p.ok()) << p.status();
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*p)->port()),
                                       grpc::InsecureChannelCredentials());
    auto regions = v1::RegionService::NewStub(channel);
    v1::BeginRegionImportRequest begin;
    begin.set_edition("restart@1");
    v1::RegionImport import;
    ASSERT_TRUE(
        regions->BeginRegionImport(Central().get(), testing::WithRequestId(begin), &import).ok());
    v1::AddRegionImportRowsRequest add;
    add.set_name(import.name());
    for (auto [code, parent, name] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"51", "", "Bali"}, {"51.71", "51", "Kota Denpasar"}}) {
      auto* row = add.add_rows();
      row->set_code(code);
      row->set_parent_code(parent);
      row->set_name(name);
    }
    ASSERT_TRUE(regions->AddRegionImportRows(Central().get(), add, &import).ok());
    v1::CommitRegionImportRequest commit;
    commit.set_name(import.name());
    ASSERT_TRUE(regions->CommitRegionImport(Central().get(), commit, &import).ok());
    auto satkers = v1::SatkerService::NewStub(channel);
    v1::BootstrapSatkersResponse boot;
    ASSERT_TRUE(satkers
                    ->BootstrapSatkers(Central().get(),
                                       testing::WithRequestId(v1::BootstrapSatkersRequest{}), &boot)
                    .ok());
    EXPECT_EQ(boot.created(), 2);
    testing::ExitResult r = (*p)->Stop(SIGTERM);
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
  auto p = testing::ServerProcess::Start(kBinary, Args(dsn));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT((*p)->output(), HasSubstr("\"migrations_applied\":0"));
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*p)->port()),
                                     grpc::InsecureChannelCredentials());
  v1::GetRegionRequest get;
  get.set_name("regions/51.71");
  v1::Region region;
  auto s = v1::RegionService::NewStub(channel)->GetRegion(Central().get(), get, &region);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(region.display_name(), "Kota Denpasar");
  v1::GetSatkerRequest satker;
  satker.set_name("satkers/bnnp-51");
  v1::Satker bnnp;
  ASSERT_TRUE(v1::SatkerService::NewStub(channel)->GetSatker(Central().get(), satker, &bnnp).ok());
  EXPECT_EQ(bnnp.display_name(), "BNN Provinsi Bali");
  EXPECT_EQ((*p)->Stop(SIGTERM).exit_code, 0);
}

TEST(RegistryBinaryTest, HelpNamesTheServiceAndItsDefaultPort) {
  testing::ExitResult r = testing::RunToExit(kBinary, {"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("registry"));
  EXPECT_THAT(r.output, HasSubstr("7001"));
}

TEST(RegistryBinaryTest, RefusesToStartWithoutUsableFieldKeys) {
  testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text,
                   std::filesystem::perms mode =
                       std::filesystem::perms::owner_read | std::filesystem::perms::owner_write) {
    std::ofstream(dir.path() + "/" + name) << text;
    std::filesystem::permissions(dir.path() + "/" + name, mode);
    return "--field_keys=" + dir.path() + "/" + name;
  };
  const std::string secret = "c2hvcnQta2V5LW1hdGVyaWFs";  // 18 bytes: too short
  struct Case {
    std::string flag;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"", "--field_keys: is required: ibm-registry encrypts sensitive fields at rest"},
      {"--field_keys=" + dir.path() + "/absent", "cannot read key file"},
      {write("short", "k1 " + secret + "\n"), "short:1: the key must be exactly 32 bytes"},
      {write("comments", "# nothing yet\n\n"), "comments: no keys"},
      {write("one-field", "# a comment\nk1\n"), "one-field:2: expected '<key id> <32 bytes"},
      {write("twice",
             platform::FieldSealer::NewKeyLine("k1") + platform::FieldSealer::NewKeyLine("k1")),
       "twice:2: key id k1 repeats"},
      {write("world-readable", platform::FieldSealer::NewKeyLine("k1"),
             std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                 std::filesystem::perms::others_read),
       "world-readable is accessible to other users (mode 0604); chmod 600 it"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"--listen=127.0.0.1:0", "--metrics_listen=off",
                                     "--db=sqlite://" + dir.path() + "/r.db",
                                     "--insecure_dev_auth"};
    if (!c.flag.empty()) args.push_back(c.flag);
    testing::ExitResult r = testing::RunToExit(kBinary, args);
    EXPECT_EQ(r.exit_code, 2) << c.flag << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr(c.says)) << c.flag;
    EXPECT_THAT(r.output, Not(HasSubstr(secret)));
    std::vector<std::string> lines = absl::StrSplit(r.output, '\n', absl::SkipEmpty());
    EXPECT_EQ(lines.size(), 1u) << r.output;
  }
}

IBM_ON_BOTH_ENGINES(RegistryProcessTest);

}  // namespace
}  // namespace ibm::registry
