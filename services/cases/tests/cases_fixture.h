#pragma once

// The cases service's test fixture: the registry and the cases service in process, each on
// its own database of the engine the test is instantiated with (SQLite or MariaDB), over
// real gRPC and real JWTs (one signing key per test process, so that the cases service can
// forward its callers' tokens to the registry, as in production).
//
// The world: West Java's BNNP (bnnp-32) and Bandung's BNNK (bnnk-32.73) with a unit in
// Caringin (32.73.04.1001) fostered by the BNNK and one ACTIVE agent there; Central Java's
// BNNP (bnnp-33) fostering a unit in Semarang (33.74.01.1001) with its own agent.
#include "cases/service.h"
#include "cases/services.h"
#include "ibm/cases/v1/activities.grpc.pb.h"
#include "ibm/cases/v1/audit.grpc.pb.h"
#include "ibm/cases/v1/cases.grpc.pb.h"
#include "ibm/cases/v1/clients.grpc.pb.h"
#include "ibm/cases/v1/events.grpc.pb.h"
#include "ibm/cases/v1/interventions.grpc.pb.h"
#include "ibm/cases/v1/metrics.grpc.pb.h"
#include "ibm/cases/v1/outcomes.grpc.pb.h"
#include "ibm/cases/v1/screenings.grpc.pb.h"
#include "ibm/cases/v1/sync.grpc.pb.h"
#include "registry/tests/registry_fixture.h"

namespace ibm::cases {

namespace rv1 = ::ibm::registry::v1;

class CasesTest : public registry::RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    SeedRegionsAndSatkers();
    unit_ = MakeUnit("32.73.04.1001", "bnnk-32.73");
    other_unit_ = MakeUnit("33.74.01.1001", "bnnp-33");
    agent_ = MakeAgent(unit_.name());
    other_agent_ = MakeAgent(other_unit_.name());

    auto t = testing::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    cases_test_db_ = *std::move(t);
    auto db = cases_test_db_->Open();
    ASSERT_TRUE(db.ok()) << db.status();
    cases_db_ = *std::move(db);
    ASSERT_TRUE(sql::Migrate(*cases_db_, Migrations()).ok());
    cases_server_ = std::make_unique<testing::TestServer>(cases_db_.get(), cases_options_);
    auto context = cases_server_->Context("cases", 1);
    auto nik_keys = platform::FieldSealer::FromKeyText(platform::FieldSealer::NewKeyLine("nik1"),
                                                       "test NIK-index keys");
    ASSERT_TRUE(nik_keys.ok());
    registry_client_ = std::make_shared<RegistryClient>(server_->channel(), absl::Seconds(30));
    auto services = BuildServices(context, Core::Keys{context.sealer, *nik_keys}, registry_client_);
    ASSERT_TRUE(services.ok()) << services.status();
    cases_services_ = std::move(*services);
    std::vector<grpc::Service*> raw;
    for (auto& s : cases_services_) raw.push_back(s.get());
    cases_server_->Start(raw);
    clients_ = v1::ClientService::NewStub(cases_server_->channel());
    screenings_ = v1::ScreeningService::NewStub(cases_server_->channel());
    policies_ = v1::RoutingPolicyService::NewStub(cases_server_->channel());
    cases_ = v1::CaseService::NewStub(cases_server_->channel());
    events_ = v1::CaseEventService::NewStub(cases_server_->channel());
    sessions_ = v1::InterventionService::NewStub(cases_server_->channel());
    contacts_ = v1::RecoverySupportService::NewStub(cases_server_->channel());
    outcomes_ = v1::OutcomeService::NewStub(cases_server_->channel());
    unit_activities_ = v1::UnitActivityService::NewStub(cases_server_->channel());
    satker_activities_ = v1::SatkerActivityService::NewStub(cases_server_->channel());
    tallies_ = v1::CommunityReportService::NewStub(cases_server_->channel());
    metrics_ = v1::UnitMetricsService::NewStub(cases_server_->channel());
    batch_ = v1::BatchUploadService::NewStub(cases_server_->channel());
    audit_ = v1::AuditLogService::NewStub(cases_server_->channel());
  }
  void TearDown() override {
    if (cases_server_) cases_server_->Shutdown(absl::Seconds(1));
    RegistryTest::TearDown();
  }

  rv1::Agent MakeAgent(const std::string& unit) {
    rv1::CreateAgentRequest req;
    req.set_parent(unit);
    auto* a = req.mutable_agent();
    a->set_display_name("Ani");
    auto* d = a->mutable_decree();
    d->set_number("141/12/2025");
    d->mutable_date()->set_year(2025);
    d->mutable_date()->set_month(1);
    d->mutable_date()->set_day(2);
    d->mutable_valid_until()->set_year(2027);
    d->mutable_valid_until()->set_month(1);
    d->mutable_valid_until()->set_day(2);
    rv1::Agent agent;
    auto s = agents_->CreateAgent(Central().get(), testing::WithRequestId(req), &agent);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return agent;
  }

  // Callers of the cases service.
  std::unique_ptr<grpc::ClientContext> Officer(const std::string& satker) const {
    return cases_server_->As("officer", satker, "officer-" + satker);
  }
  std::unique_ptr<grpc::ClientContext> Bnnk() const { return Officer("bnnk-32.73"); }
  // The agent of Caringin's unit (its token's sub names the agent record).
  std::unique_ptr<grpc::ClientContext> Agent() const { return AgentOf(agent_); }
  std::unique_ptr<grpc::ClientContext> AgentOf(const rv1::Agent& agent) const {
    const std::string satker =
        agent.name().find("33.74") != std::string::npos ? "bnnp-33" : "bnnk-32.73";
    return cases_server_->As("agent", satker, agent.name());
  }
  std::unique_ptr<grpc::ClientContext> System(const std::string& system) const {
    auto claims = cases_server_->tokens().Claims("system", "", system + "-1");
    claims["system"] = system;
    return cases_server_->WithClaims(claims);
  }
  std::unique_ptr<grpc::ClientContext> Org(const std::string& role, const std::string& org) const {
    auto claims = cases_server_->tokens().Claims(role, "", org + "-1");
    claims["org"] = org;
    return cases_server_->WithClaims(claims);
  }

  // Set in a derived fixture's constructor before SetUp runs.
  testing::TestServer::Options cases_options_;

  rv1::Unit unit_, other_unit_;
  rv1::Agent agent_, other_agent_;
  std::unique_ptr<testing::TestDatabase> cases_test_db_;
  std::unique_ptr<sql::Database> cases_db_;
  std::unique_ptr<testing::TestServer> cases_server_;
  std::shared_ptr<RegistryClient> registry_client_;
  std::vector<std::unique_ptr<grpc::Service>> cases_services_;
  std::unique_ptr<v1::ClientService::Stub> clients_;
  std::unique_ptr<v1::ScreeningService::Stub> screenings_;
  std::unique_ptr<v1::RoutingPolicyService::Stub> policies_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::CaseEventService::Stub> events_;
  std::unique_ptr<v1::InterventionService::Stub> sessions_;
  std::unique_ptr<v1::RecoverySupportService::Stub> contacts_;
  std::unique_ptr<v1::OutcomeService::Stub> outcomes_;
  std::unique_ptr<v1::UnitActivityService::Stub> unit_activities_;
  std::unique_ptr<v1::SatkerActivityService::Stub> satker_activities_;
  std::unique_ptr<v1::CommunityReportService::Stub> tallies_;
  std::unique_ptr<v1::UnitMetricsService::Stub> metrics_;
  std::unique_ptr<v1::BatchUploadService::Stub> batch_;
  std::unique_ptr<v1::AuditLogService::Stub> audit_;
};

}  // namespace ibm::cases
