// The access matrix, tested from its one source (referrals/access.h): every built method of
// ibm.referrals.v1 called as every kind of caller, on both engines. A caller gets
// PERMISSION_DENIED ROLE_NOT_ALLOWED exactly where the table's cell denies it, OUT_OF_SCOPE
// where its cell admits it but the target (a provider in Caringin) lies outside its scope, and
// never PERMISSION_DENIED otherwise (the call may still fail for other reasons: bad input, a
// state). So a role or scope check removed from any handler fails here. The docs' matrix is
// checked against the table.
#include "referrals/access.h"

#include <functional>
#include <set>

#include "referrals/tests/referrals_fixture.h"
#include "testing/docs_section.h"

namespace ibm::referrals {
namespace {

struct Caller {
  std::string label;
  std::optional<CallerKind> kind;  // none: a token the package never admits
  std::string role, satker, subject, system, org;
  bool in_scope = true;  // its scope covers Caringin
};

// Methods whose handlers are not built yet: their rows are in the table (and the docs), and
// this test names them so that none is forgotten when it lands.
const std::set<std::string> kNotBuilt = {
    "GetReferral",
    "ListReferrals",
    "ListDeliveryAttempts",
    "CreateReferral",
    "UpdateReferral",
    "SubmitReferral",
    "CancelReferral",
    "MarkReferralEnteredInError",
    "RetryReferralDelivery",
    "ListProviderReferrals",
    "GetProviderReferral",
    "PullReferralEvents",
    "AcknowledgeReferralEvents",
    "AcceptReferral",
    "RejectReferral",
    "ReportReferralAttendance",
    "ReportReferralOutcome",
};

class ReferralsAccessTest : public ReferralsTest {
 protected:
  struct Method {
    std::string name;
    bool scoped;  // names a target in Caringin; unscoped methods have no OUT_OF_SCOPE
    std::function<grpc::Status(grpc::ClientContext*)> call;
  };

  std::vector<Caller> Callers() const {
    return {
        {"BNN central officer", CallerKind::kBnn, "officer", "bnn", "o-bnn"},
        {"BNNP Jawa Barat officer", CallerKind::kBnnp, "officer", "bnnp-32", "o-32"},
        {"BNNP Jawa Tengah officer (out)", CallerKind::kBnnp, "officer", "bnnp-33", "o-33", "", "",
         false},
        {"BNNK Bandung officer", CallerKind::kBnnk, "officer", "bnnk-32.73", "o-3273"},
        {"BNNK Bogor officer (out)", CallerKind::kBnnk, "officer", "bnnk-32.01", "o-3201", "", "",
         false},
        {"agent of Caringin's unit", CallerKind::kAgent, "agent", "bnnk-32.73", agent_.name()},
        {"supervisor of Jawa Barat", CallerKind::kSupervisor, "supervisor", "bnnp-32", "s-32"},
        {"auditor (national)", CallerKind::kAuditor, "auditor", "bnn", "a-bnn"},
        {"provider", CallerKind::kProvider, "provider", "", "sys-puskesmas-caringin", "",
         "puskesmas-caringin"},
        {"village fund", CallerKind::kVillageFund, "village_fund", "", "kemendesa-1", "",
         "kemendesa"},
        {"supervision system", CallerKind::kSystem, "system", "", "supervision-1", "supervision"},
        // Never admitted here.
        {"a `service` token", std::nullopt, "service", "bnn", "svc-1"},
        {"a system with a satker", std::nullopt, "system", "bnn", "supervision-2", "supervision"},
        {"the cases system", std::nullopt, "system", "", "cases-1", "cases"},
        {"a provider posing as BNN", std::nullopt, "provider", "bnn", "rsj-2", "", "rsj"},
    };
  }

  std::unique_ptr<grpc::ClientContext> As(const Caller& c) const {
    auto claims = referrals_server_->tokens().Claims(c.role, c.satker, c.subject);
    if (!c.system.empty()) claims["system"] = c.system;
    if (!c.org.empty()) claims["org"] = c.org;
    auto ctx = referrals_server_->WithClaims(claims);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  // What the table says this caller gets from a method whose target is in Caringin:
  // "ROLE_NOT_ALLOWED", "OUT_OF_SCOPE" or "" (admitted).
  static std::string Expected(const Caller& c, const MethodAccess& row, bool scoped) {
    if (!c.kind) return "ROLE_NOT_ALLOWED";
    switch (static_cast<Cell>(row.cells[static_cast<int>(*c.kind)])) {
      case Cell::kDenied:
        return "ROLE_NOT_ALLOWED";
      case Cell::kScope:
      case Cell::kOwnUnit:
      case Cell::kManual:
        return !scoped || c.in_scope ? "" : "OUT_OF_SCOPE";
      default:
        return "";
    }
  }

  // Each call is one that fails after its access checks (bad input, a stale etag, an illegal
  // move) so that no caller changes the provider the next one is tested on.
  std::vector<Method> Methods() {
    return {
        {"GetProvider", false,
         [&](grpc::ClientContext* ctx) {
           v1::GetProviderRequest req;
           req.set_name(provider_.name());
           v1::Provider out;
           return providers_->GetProvider(ctx, req, &out);
         }},
        {"ListProviders", false,
         [&](grpc::ClientContext* ctx) {
           v1::ListProvidersResponse out;
           return providers_->ListProviders(ctx, v1::ListProvidersRequest{}, &out);
         }},
        {"CreateProvider", true,
         [&](grpc::ClientContext* ctx) {
           v1::CreateProviderRequest req;
           *req.mutable_provider() = Puskesmas();
           req.mutable_provider()->clear_display_name();
           req.set_request_id(testing::NextRequestId());
           v1::Provider out;
           return providers_->CreateProvider(ctx, req, &out);
         }},
        {"UpdateProvider", true,
         [&](grpc::ClientContext* ctx) {
           v1::UpdateProviderRequest req;
           req.mutable_provider()->set_name(provider_.name());
           req.mutable_provider()->set_etag("0");
           req.mutable_provider()->set_display_name("x");
           req.mutable_update_mask()->add_paths("display_name");
           v1::Provider out;
           return providers_->UpdateProvider(ctx, req, &out);
         }},
        {"SetProviderState", true,
         [&](grpc::ClientContext* ctx) {
           v1::SetProviderStateRequest req;
           req.set_name(provider_.name());
           req.set_state(v1::Provider::STATE_ACTIVE);  // ACTIVE -> ACTIVE: illegal
           v1::Provider out;
           return providers_->SetProviderState(ctx, req, &out);
         }},
    };
  }

  v1::Provider provider_;
};

TEST_P(ReferralsAccessTest, EveryMethodAsEveryCallerGetsWhatTheTableSays) {
  grpc::Status made = CreateProvider(Puskesmas(), &provider_);
  ASSERT_TRUE(made.ok()) << made.error_message();
  std::set<std::string> tested;
  for (const Method& method : Methods()) {
    const MethodAccess* row = nullptr;
    for (const MethodAccess& r : AccessTable()) {
      if (r.method == method.name) row = &r;
    }
    ASSERT_NE(row, nullptr) << method.name << " has no row in the access table";
    tested.insert(method.name);
    for (const Caller& caller : Callers()) {
      const std::string want = Expected(caller, *row, method.scoped);
      grpc::Status s = method.call(As(caller).get());
      const std::string got =
          s.error_code() == grpc::StatusCode::PERMISSION_DENIED ? ReasonOf(s) : "";
      EXPECT_EQ(got, want) << method.name << " as " << caller.label << ": " << s.error_code() << " "
                           << s.error_message();
    }
  }
  for (const MethodAccess& row : AccessTable()) {
    const std::string name(row.method);
    EXPECT_TRUE(tested.count(name) || kNotBuilt.count(name)) << name << " is not tested";
    EXPECT_FALSE(tested.count(name) && kNotBuilt.count(name)) << name << " is built now";
  }
}

IBM_ON_BOTH_ENGINES(ReferralsAccessTest);

TEST(ReferralsAccessDocsTest, TheDocsShowTheMatrixOfTheTable) {
  testing::ExpectGeneratedSection(
      std::string(IBM_SOURCE_DIR) + "/docs/api.md",
      "<!-- access-matrix:referrals:begin (generated: tools/gen-access-docs.sh) -->\n",
      "<!-- access-matrix:referrals:end -->", AccessMatrixMarkdown());
}

}  // namespace
}  // namespace ibm::referrals
