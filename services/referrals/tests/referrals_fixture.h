#pragma once

// The referrals service's test fixture: the registry, the cases service and the referrals
// service in process, each on its own database of the engine the test is instantiated with
// (SQLite or MariaDB), over real gRPC and real JWTs (one signing key per test process, so
// that a service can forward its callers' tokens, as in production). The world is the cases
// fixture's: West Java's BNNP and Bandung's BNNK with a unit in Caringin, Central Java's BNNP
// with a unit in Semarang.
#include "cases/tests/cases_fixture.h"
#include "ibm/referrals/v1/provider_api.grpc.pb.h"
#include "ibm/referrals/v1/providers.grpc.pb.h"
#include "ibm/referrals/v1/referrals.grpc.pb.h"
#include "referrals/service.h"
#include "referrals/services.h"

namespace ibm::referrals {

namespace cv1 = ::ibm::cases::v1;

class ReferralsTest : public cases::CasesTest {
 protected:
  void SetUp() override {
    CasesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto t = testing::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    referrals_test_db_ = *std::move(t);
    auto db = referrals_test_db_->Open();
    ASSERT_TRUE(db.ok()) << db.status();
    referrals_db_ = *std::move(db);
    ASSERT_TRUE(sql::Migrate(*referrals_db_, Migrations()).ok());
    referrals_server_ =
        std::make_unique<testing::TestServer>(referrals_db_.get(), referrals_options_);
    auto context = referrals_server_->Context("referrals", 1);
    auto services = BuildServices(
        context, std::make_shared<RegistryClient>(server_->channel(), absl::Seconds(30)));
    ASSERT_TRUE(services.ok()) << services.status();
    referrals_services_ = std::move(*services);
    std::vector<grpc::Service*> raw;
    for (auto& s : referrals_services_) raw.push_back(s.get());
    referrals_server_->Start(raw);
    providers_ = v1::ProviderService::NewStub(referrals_server_->channel());
  }
  void TearDown() override {
    if (referrals_server_) referrals_server_->Shutdown(absl::Seconds(1));
    CasesTest::TearDown();
  }

  // Callers of the referrals service.
  std::unique_ptr<grpc::ClientContext> ROfficer(const std::string& satker) const {
    return referrals_server_->As("officer", satker, "officer-" + satker);
  }
  std::unique_ptr<grpc::ClientContext> RBnnk() const { return ROfficer("bnnk-32.73"); }
  std::unique_ptr<grpc::ClientContext> RAs(const std::string& role, const std::string& satker,
                                           const std::string& subject) const {
    return referrals_server_->As(role, satker, subject);
  }
  std::unique_ptr<grpc::ClientContext> RProvider(const std::string& subject) const {
    auto claims = referrals_server_->tokens().Claims("provider", "", subject);
    claims["org"] = "provider-org";
    return referrals_server_->WithClaims(claims);
  }

  // A PULL puskesmas in Bandung Kulon covering Kota Bandung, ACTIVE, offering assessment and
  // outpatient rehabilitation; its principal "sys-puskesmas-caringin".
  static v1::Provider Puskesmas() {
    v1::Provider p;
    p.set_display_name("Puskesmas Caringin");
    p.set_kind(v1::PROVIDER_KIND_PUSKESMAS);
    auto* o = p.add_offerings();
    o->set_service_type(v1::SERVICE_TYPE_ASSESSMENT);
    o = p.add_offerings();
    o->set_service_type(v1::SERVICE_TYPE_OUTPATIENT_REHABILITATION);
    o->set_description("Senin-Kamis, BPJS");
    p.set_location("regions/32.73.04.1001");
    p.add_coverage("regions/32.73");
    p.set_satusehat_organization_id("100011234");
    p.mutable_delivery()->set_mode(v1::DeliveryChannel::MODE_PULL);
    p.add_principals("sys-puskesmas-caringin");
    return p;
  }

  grpc::Status CreateProvider(const v1::Provider& p, v1::Provider* out,
                              std::unique_ptr<grpc::ClientContext> as = nullptr) {
    v1::CreateProviderRequest req;
    *req.mutable_provider() = p;
    return providers_->CreateProvider(as ? as.get() : RBnnk().get(), testing::WithRequestId(req),
                                      out);
  }

  testing::TestServer::Options referrals_options_;
  std::unique_ptr<testing::TestDatabase> referrals_test_db_;
  std::unique_ptr<sql::Database> referrals_db_;
  std::unique_ptr<testing::TestServer> referrals_server_;
  std::vector<std::unique_ptr<grpc::Service>> referrals_services_;
  std::unique_ptr<v1::ProviderService::Stub> providers_;
};

}  // namespace ibm::referrals
