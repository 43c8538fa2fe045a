#pragma once

// The registry's test fixture: the registry's services in process over real gRPC and real
// JWT auth, on the engine the test is instantiated with (SQLite or MariaDB), with a small
// hand-made region set standing in for the national data.
#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ibm/registry/v1/registry.grpc.pb.h"
#include "registry/registry.h"
#include "sql/migrations.h"
#include "testing/engine_test.h"
#include "testing/test_database.h"
#include "testing/test_server.h"

namespace ibm::registry {

namespace v1 = ::ibm::registry::v1;

struct Seed {
  std::string code, parent, name;
};
// West Java with Bogor (no BNNK here) and Bandung, and Central Java's Semarang.
inline const std::vector<Seed> kRegions = {
    {"32", "", "Jawa Barat"},
    {"33", "", "Jawa Tengah"},
    {"32.01", "32", "Kabupaten Bogor"},
    {"32.73", "32", "Kota Bandung"},
    {"33.74", "33", "Kota Semarang"},
    {"32.01.01", "32.01", "Cibinong"},
    {"32.73.04", "32.73", "Bandung Kulon"},
    {"33.74.01", "33.74", "Semarang Tengah"},
    {"32.01.01.1001", "32.01.01", "Pakansari"},
    {"32.01.01.2002", "32.01.01", "Soka\"an, Cibinong"},
    {"32.73.04.1001", "32.73.04", "Caringin"},
    {"32.73.04.1002", "32.73.04", "Cijerah"},
    {"33.74.01.1001", "33.74.01", "Pekunden"},
};

class RegistryTest : public testing::EngineTest {
 protected:
  // Set in a derived fixture's constructor (e.g. an injected clock) before SetUp runs.
  testing::TestServer::Options server_options_;

  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(sql::Migrate(*db_, Migrations()).ok());
    server_ = std::make_unique<testing::TestServer>(db_.get(), server_options_);
    auto context = server_->Context("registry", 1);
    auto services = Spec().build(context);
    ASSERT_TRUE(services.ok()) << services.status();
    services_ = std::move(*services);
    std::vector<grpc::Service*> raw;
    for (auto& s : services_) raw.push_back(s.get());
    server_->Start(raw);
    regions_ = v1::RegionService::NewStub(server_->channel());
    satkers_ = v1::SatkerService::NewStub(server_->channel());
    units_ = v1::UnitService::NewStub(server_->channel());
    agents_ = v1::AgentService::NewStub(server_->channel());
    officers_ = v1::OfficerService::NewStub(server_->channel());
    changes_ = v1::ChangeLogService::NewStub(server_->channel());
  }
  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  std::unique_ptr<grpc::ClientContext> Central() const { return server_->As("officer", "bnn"); }
  std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& satker) {
    return server_->As(role, satker);
  }

  // Imports rows as one edition: begin, one chunk per `chunk` rows, commit.
  grpc::Status Import(const std::string& edition, const std::vector<Seed>& seeds,
                      v1::RegionImport* result, size_t chunk = 5) {
    v1::BeginRegionImportRequest begin;
    begin.set_edition(edition);
    v1::RegionImport import;
    auto s = regions_->BeginRegionImport(Central().get(), testing::WithRequestId(begin), &import);
    if (!s.ok()) return s;
    for (size_t i = 0, c = 0; i < seeds.size(); i += chunk, ++c) {
      v1::AddRegionImportRowsRequest add;
      add.set_name(import.name());
      add.set_chunk_index(static_cast<int>(c));
      for (size_t j = i; j < std::min(seeds.size(), i + chunk); ++j) {
        auto* row = add.add_rows();
        row->set_code(seeds[j].code);
        row->set_parent_code(seeds[j].parent);
        row->set_name(seeds[j].name);
        row->set_source_file("seed.csv");
        row->set_source_line(static_cast<int64_t>(j) + 2);
      }
      s = regions_->AddRegionImportRows(Central().get(), add, &import);
      if (!s.ok()) return s;
    }
    v1::CommitRegionImportRequest commit;
    commit.set_name(import.name());
    return regions_->CommitRegionImport(Central().get(), commit, result);
  }

  void SeedRegionsAndSatkers() {
    v1::RegionImport result;
    ASSERT_TRUE(Import("seed@1", kRegions, &result).ok());
    v1::BootstrapSatkersResponse boot;
    ASSERT_TRUE(satkers_
                    ->BootstrapSatkers(Central().get(),
                                       testing::WithRequestId(v1::BootstrapSatkersRequest{}), &boot)
                    .ok());
    v1::CreateSatkerRequest bnnk;
    bnnk.mutable_satker()->set_kind(v1::SATKER_KIND_BNNK);
    bnnk.mutable_satker()->set_region("regions/32.73");
    v1::Satker created;
    ASSERT_TRUE(
        satkers_
            ->CreateSatker(As("officer", "bnnp-32").get(), testing::WithRequestId(bnnk), &created)
            .ok());
  }

  v1::Unit MakeUnit(const std::string& village, const std::string& satker) {
    v1::CreateUnitRequest req;
    req.mutable_unit()->set_village("regions/" + village);
    req.mutable_unit()->set_satker("satkers/" + satker);
    auto* d = req.mutable_unit()->mutable_formation_date();
    d->set_year(2025);
    d->set_month(3);
    d->set_day(14);
    req.mutable_unit()->add_fiscal_years(2025);
    v1::Unit unit;
    auto s = units_->CreateUnit(Central().get(), testing::WithRequestId(req), &unit);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return unit;
  }

  // Follows next_page_token with pages of one and returns every page's keys in order.
  template <class Response, class Request, class Method, class Keys>
  static std::vector<std::string> PagesOfOne(Request req, Method method, Keys keys) {
    std::vector<std::string> seen;
    req.set_page_size(1);
    do {
      Response page;
      grpc::Status s = method(req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      std::vector<std::string> got = keys(page);
      EXPECT_LE(got.size(), 1u);
      seen.insert(seen.end(), got.begin(), got.end());
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty() && seen.size() < 100);
    return seen;
  }

  static std::vector<std::pair<std::string, std::string>> Violations(const grpc::Status& s) {
    return platform::FieldViolationsOf(platform::FromGrpcStatus(s));
  }
  static std::string ReasonOf(const grpc::Status& s) {
    return platform::ErrorInfoOf(platform::FromGrpcStatus(s)).reason();
  }

  std::unique_ptr<testing::TestServer> server_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<v1::RegionService::Stub> regions_;
  std::unique_ptr<v1::SatkerService::Stub> satkers_;
  std::unique_ptr<v1::UnitService::Stub> units_;
  std::unique_ptr<v1::AgentService::Stub> agents_;
  std::unique_ptr<v1::OfficerService::Stub> officers_;
  std::unique_ptr<v1::ChangeLogService::Stub> changes_;
};

MATCHER_P(HasField, field, "") {
  for (const auto& [f, d] : platform::FieldViolationsOf(platform::FromGrpcStatus(arg))) {
    if (f == field) return true;
  }
  *result_listener << "violations: " << platform::Describe(platform::FromGrpcStatus(arg));
  return false;
}

}  // namespace ibm::registry
