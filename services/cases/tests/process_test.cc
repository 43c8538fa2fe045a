// ibm-cases as a process beside ibm-registry, on both engines: it refuses to start without
// its key files, answers --help, and, killed with SIGKILL in the middle of a stream of
// writes ten times over, keeps every write it acknowledged, while retries with the same
// request ids create nothing twice. Its logs never carry a NIK, a name or a phone number.
#include "testing/process.h"

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/sealing.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "ibm/cases/v1/clients.grpc.pb.h"
#include "ibm/registry/v1/registry.grpc.pb.h"
#include "testing/engine_test.h"
#include "testing/test_database.h"
#include "testing/test_server.h"
#include "testing/token_issuer.h"

namespace ibm::cases {
namespace {

namespace v1 = ::ibm::cases::v1;
namespace rv1 = ::ibm::registry::v1;
using ::testing::HasSubstr;

const std::string kCases = IBM_CASES_BINARY;
const std::string kRegistry = IBM_REGISTRY_BINARY;

class CasesProcessTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::vector<std::string> Common(const std::string& dsn) const {
    return {"--listen=127.0.0.1:0",
            "--metrics_listen=off",
            "--db=" + dsn,
            "--jwt_public_keys=" + tokens_.public_key_file(),
            "--field_keys=" + field_keys_,
            absl::StrCat("--jwt_issuer=", testing::TokenIssuer::kIssuer),
            "--shutdown_grace=1s",
            "--lame_duck=0s"};
  }
  std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& satker,
                                          const std::string& subject = "officer-1") const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization",
                     "Bearer " + tokens_.Sign(tokens_.Claims(role, satker, subject)));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  // The registry with West Java, Bandung's BNNK and a unit in Caringin.
  void StartRegistry() {
    auto p = testing::ServerProcess::Start(
        kRegistry, Common(absl::StrCat("sqlite://", dir_.path(), "/registry.db")));
    ASSERT_TRUE(p.ok()) << p.status();
    registry_ = *std::move(p);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", registry_->port()),
                                       grpc::InsecureChannelCredentials());
    auto regions = rv1::RegionService::NewStub(channel);
    rv1::BeginRegionImportRequest begin;
    begin.set_edition("process@1");
    rv1::RegionImport import;
    ASSERT_TRUE(
        regions
            ->BeginRegionImport(As("officer", "bnn").get(), testing::WithRequestId(begin), &import)
            .ok());
    rv1::AddRegionImportRowsRequest add;
    add.set_name(import.name());
    for (auto [code, parent, name] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"32", "", "Jawa Barat"},
             {"32.73", "32", "Kota Bandung"},
             {"32.73.04", "32.73", "Bandung Kulon"},
             {"32.73.04.1001", "32.73.04", "Caringin"}}) {
      auto* row = add.add_rows();
      row->set_code(code);
      row->set_parent_code(parent);
      row->set_name(name);
      row->set_source_file("seed.csv");
      row->set_source_line(add.rows_size() + 1);
    }
    ASSERT_TRUE(regions->AddRegionImportRows(As("officer", "bnn").get(), add, &import).ok());
    rv1::CommitRegionImportRequest commit;
    commit.set_name(import.name());
    ASSERT_TRUE(regions->CommitRegionImport(As("officer", "bnn").get(), commit, &import).ok());
    auto satkers = rv1::SatkerService::NewStub(channel);
    rv1::BootstrapSatkersResponse boot;
    ASSERT_TRUE(satkers
                    ->BootstrapSatkers(As("officer", "bnn").get(),
                                       testing::WithRequestId(rv1::BootstrapSatkersRequest{}),
                                       &boot)
                    .ok());
    rv1::CreateSatkerRequest bnnk;
    bnnk.mutable_satker()->set_kind(rv1::SATKER_KIND_BNNK);
    bnnk.mutable_satker()->set_region("regions/32.73");
    rv1::Satker satker;
    ASSERT_TRUE(
        satkers->CreateSatker(As("officer", "bnnp-32").get(), testing::WithRequestId(bnnk), &satker)
            .ok());
    rv1::CreateUnitRequest unit;
    unit.mutable_unit()->set_village("regions/32.73.04.1001");
    unit.mutable_unit()->set_satker("satkers/bnnk-32.73");
    unit.mutable_unit()->mutable_formation_date()->set_year(2025);
    unit.mutable_unit()->mutable_formation_date()->set_month(3);
    unit.mutable_unit()->mutable_formation_date()->set_day(14);
    rv1::Unit made;
    auto s = rv1::UnitService::NewStub(channel)->CreateUnit(As("officer", "bnn").get(),
                                                            testing::WithRequestId(unit), &made);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::vector<std::string> CasesArgs(const std::string& dsn) const {
    std::vector<std::string> args = Common(dsn);
    args.push_back(absl::StrCat("--registry=127.0.0.1:", registry_->port()));
    args.push_back("--nik_index_keys=" + nik_keys_);
    return args;
  }

  std::string Dsn() {
    if (GetParam() == "sqlite") return absl::StrCat("sqlite://", dir_.path(), "/cases.db");
    auto db = testing::TestDatabase::Create("mysql");
    EXPECT_TRUE(db.ok()) << db.status();
    mysql_ = std::move(*db);
    return mysql_->dsn();
  }

  // A valid registration by BNNK Bandung; the NIK is `n`'s.
  static v1::CreateClientRequest Registration(int n, const std::string& request_id) {
    v1::CreateClientRequest r;
    v1::Client* c = r.mutable_client();
    c->set_unit("units/32.73.04.1001-1");
    c->set_sex(v1::SEX_FEMALE);
    c->set_birth_year(1990);
    c->set_home_village("regions/32.73.04.1001");
    c->set_admission_path(v1::ADMISSION_PATH_VOLUNTARY_SELF_REPORT);
    v1::ConsentRecord* consent = c->mutable_consent();
    consent->mutable_consent_time()->set_seconds(1767225600);  // 2026-01-01: a retry is identical
    consent->set_method(v1::CONSENT_METHOD_VERBAL_WITNESSED);
    consent->set_witness("kepala dusun");
    consent->set_obtained_by("satkers/bnnk-32.73/officers/of1");
    consent->set_form_version("v1");
    consent->add_purposes(v1::CONSENT_PURPOSE_SERVICES);
    r.mutable_identity()->set_nik(absl::StrFormat("3273044505900%03d", n + 1));
    r.mutable_identity()->set_full_name(absl::StrCat("Dewi Lestari Nomor ", n));
    r.mutable_identity()->set_phone(absl::StrFormat("0813-5550-%04d", n));
    r.set_request_id(request_id);
    return r;
  }

  testing::TempDir dir_;
  testing::TokenIssuer tokens_{dir_.path()};
  std::string field_keys_ = testing::WriteFieldKeyFile(dir_.path());
  std::string nik_keys_ = [this] {
    const std::string path = dir_.path() + "/nik-index-keys";
    std::ofstream(path) << platform::FieldSealer::NewKeyLine("nik1");
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return path;
  }();
  std::unique_ptr<testing::ServerProcess> registry_;
  std::unique_ptr<testing::TestDatabase> mysql_;
};

TEST_P(CasesProcessTest, EveryAcknowledgedWriteSurvivesSigkillAndRetriesCreateNothingTwice) {
  if (GetParam() == "mysql" && !testing::MysqlAvailable()) GTEST_SKIP() << "no MariaDB";
  StartRegistry();
  if (HasFatalFailure()) return;
  const std::string dsn = Dsn();
  std::map<std::string, std::string> acknowledged;  // request id -> client name
  std::vector<std::string> sent;                    // every request id tried, in order
  std::mt19937 random(7);
  std::string logs;
  int next = 0;
  for (int round = 0; round < 10; ++round) {
    auto p = testing::ServerProcess::Start(kCases, CasesArgs(dsn));
    ASSERT_TRUE(p.ok()) << p.status();
    auto clients = v1::ClientService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", (*p)->port()), grpc::InsecureChannelCredentials()));
    // Writers register clients one after another until the process dies under them.
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<std::thread> writers;
    for (int w = 0; w < 3; ++w) {
      writers.emplace_back([&] {
        while (!stop) {
          int n;
          std::string id;
          {
            std::lock_guard<std::mutex> lock(mu);
            n = next++;
            id = absl::StrCat("crash-", n);
            sent.push_back(id);
          }
          v1::Client made;
          grpc::Status s =
              clients->CreateClient(As("officer", "bnnk-32.73").get(), Registration(n, id), &made);
          if (!s.ok()) return;  // the process is gone
          std::lock_guard<std::mutex> lock(mu);
          acknowledged[id] = made.name();
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 250));
    testing::ExitResult killed = (*p)->Stop(SIGKILL);
    stop = true;
    for (auto& t : writers) t.join();
    EXPECT_EQ(killed.exit_code, -1);
    logs += killed.output;
  }
  ASSERT_GT(acknowledged.size(), 20u) << "the writers hardly wrote: the test proves nothing";

  // After the last kill: every acknowledged client is there, and retrying every request id
  // (acknowledged or cut off) returns the first result or creates it once.
  auto p = testing::ServerProcess::Start(kCases, CasesArgs(dsn));
  ASSERT_TRUE(p.ok()) << p.status();
  auto clients = v1::ClientService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*p)->port()), grpc::InsecureChannelCredentials()));
  for (const auto& [id, name] : acknowledged) {
    v1::GetClientRequest get;
    get.set_name(name);
    v1::Client c;
    grpc::Status s = clients->GetClient(As("officer", "bnnk-32.73").get(), get, &c);
    EXPECT_TRUE(s.ok()) << id << " was acknowledged as " << name << ": " << s.error_message();
  }
  std::set<std::string> names;
  for (size_t i = 0; i < sent.size(); ++i) {
    const int n = std::stoi(sent[i].substr(6));
    v1::Client made;
    grpc::Status s =
        clients->CreateClient(As("officer", "bnnk-32.73").get(), Registration(n, sent[i]), &made);
    ASSERT_TRUE(s.ok()) << sent[i] << ": " << s.error_message();
    if (acknowledged.count(sent[i])) {
      EXPECT_EQ(made.name(), acknowledged[sent[i]]) << sent[i];
    }
    names.insert(made.name());
  }
  EXPECT_EQ(names.size(), sent.size());
  v1::ListClientsRequest list;
  list.set_page_size(1000);
  v1::ListClientsResponse all;
  ASSERT_TRUE(clients->ListClients(As("officer", "bnnk-32.73").get(), list, &all).ok());
  EXPECT_EQ(static_cast<size_t>(all.clients_size()), sent.size());
  logs += (*p)->Stop(SIGTERM).output;

  // Nothing of identity in any log line of any of the eleven runs.
  for (int n = 0; n < next; ++n) {
    const v1::ClientIdentity id = Registration(n, "x").identity();
    ASSERT_EQ(logs.find(id.nik()), std::string::npos) << "a NIK in the logs";
    ASSERT_EQ(logs.find(id.full_name()), std::string::npos) << "a name in the logs";
    ASSERT_EQ(logs.find(id.phone()), std::string::npos) << "a phone number in the logs";
  }
  EXPECT_THAT(logs, HasSubstr("CreateClient"));  // the logs were read
}

IBM_ON_BOTH_ENGINES(CasesProcessTest);

TEST(CasesBinaryTest, HelpNamesItsOwnFlags) {
  testing::ExitResult r = testing::RunToExit(kCases, {"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("7002"));
  EXPECT_THAT(r.output, HasSubstr("--registry"));
  EXPECT_THAT(r.output, HasSubstr("--nik_index_keys"));
}

TEST(CasesBinaryTest, RefusesToStartWithoutItsKeyFiles) {
  testing::TempDir dir;
  const std::string keys = testing::WriteFieldKeyFile(dir.path());
  const std::vector<std::string> base = {"--listen=127.0.0.1:0", "--metrics_listen=off",
                                         "--db=sqlite://" + dir.path() + "/c.db",
                                         "--insecure_dev_auth"};
  struct Case {
    std::vector<std::string> flags;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--field_keys=" + keys}, "--nik_index_keys is required"},
      {{"--field_keys=" + keys, "--nik_index_keys=" + dir.path() + "/absent"},
       "cannot read key file"},
      {{"--nik_index_keys=" + keys}, "--field_keys"},
      {{"--field_keys=" + keys, "--nik_index_keys=" + keys, "--registry="},
       "--registry: the registry's address is required"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = base;
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    testing::ExitResult r = testing::RunToExit(kCases, args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(c.says));
  }
}

}  // namespace
}  // namespace ibm::cases
