// The access matrix, tested from its one source (cases/access.h): every built method of
// ibm.cases.v1 called as every kind of caller, on both engines. A caller gets
// PERMISSION_DENIED ROLE_NOT_ALLOWED exactly where the table's cell denies it, OUT_OF_SCOPE
// where its cell admits it but the target (Caringin's unit, its client, case and notices)
// lies outside what the cell allows, and never PERMISSION_DENIED otherwise (the call may
// still fail for other reasons: a resource that is not there, a state). So a role or scope
// check removed from any handler fails here. The docs' matrix is checked against the table.
#include "cases/access.h"

#include <functional>
#include <set>

#include "cases/tests/cases_fixture.h"
#include "testing/docs_section.h"

namespace ibm::cases {
namespace {

struct Caller {
  std::string label;
  std::optional<CallerKind> kind;  // none: a token the package never admits
  std::string role, satker, subject, system, org;
  bool in_scope = true;    // its scope covers Caringin's unit
  bool fostering = false;  // an officer of the satker fostering it, or the unit's agent
};

// Methods whose service is not built yet: their rows are in the table (and the docs), and
// this test names them so that none is forgotten when its service lands.
const std::set<std::string> kNotBuilt = {};

google::type::Date Today() {
  const absl::CivilDay d = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  google::type::Date out;
  out.set_year(static_cast<int>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

class CasesAccessTest : public CasesTest {
 protected:
  struct Method {
    std::string name;
    bool scoped;  // names a target in Caringin; unscoped methods have no OUT_OF_SCOPE
    std::function<grpc::Status(grpc::ClientContext*)> call;
  };

  std::vector<Caller> Callers() const {
    const std::string agent = agent_.name(), other = other_agent_.name();
    return {
        {"BNN central officer", CallerKind::kBnn, "officer", "bnn", "o-bnn"},
        {"BNNP Jawa Barat officer (in, not fostering)", CallerKind::kBnnp, "officer", "bnnp-32",
         "o-32"},
        {"BNNP Jawa Tengah officer (out)", CallerKind::kBnnp, "officer", "bnnp-33", "o-33", "", "",
         false},
        {"BNNK Bandung officer (fostering)", CallerKind::kBnnk, "officer", "bnnk-32.73", "o-3273",
         "", "", true, true},
        {"BNNK Bogor officer (out)", CallerKind::kBnnk, "officer", "bnnk-32.01", "o-3201", "", "",
         false},
        {"agent of Caringin's unit", CallerKind::kAgent, "agent", "bnnk-32.73", agent, "", "", true,
         true},
        {"agent of Semarang's unit (out)", CallerKind::kAgent, "agent", "bnnp-33", other, "", "",
         false},
        {"supervisor of Jawa Barat", CallerKind::kSupervisor, "supervisor", "bnnp-32", "s-32"},
        {"auditor (national)", CallerKind::kAuditor, "auditor", "bnn", "a-bnn"},
        {"auditor of Jawa Tengah (out)", CallerKind::kAuditor, "auditor", "bnnp-33", "a-33", "", "",
         false},
        {"referrals system", CallerKind::kReferrals, "system", "", "referrals-1", "referrals"},
        {"supervision system", CallerKind::kSupervision, "system", "", "supervision-1",
         "supervision"},
        {"integration system", CallerKind::kIntegration, "system", "", "integration-1",
         "integration"},
        {"village fund", CallerKind::kVillageFund, "village_fund", "", "kemendesa-1", "",
         "kemendesa"},
        {"provider", CallerKind::kProvider, "provider", "", "rsj-1", "", "rsj-bandung"},
        // Never admitted here.
        {"a `service` token", std::nullopt, "service", "bnn", "svc-1"},
        {"a system with a satker", std::nullopt, "system", "bnn", "referrals-2", "referrals"},
        {"a system unknown here", std::nullopt, "system", "", "x-1", "billing"},
        {"village fund posing as BNN", std::nullopt, "village_fund", "bnn", "kemendesa-2", "",
         "kemendesa"},
    };
  }

  std::unique_ptr<grpc::ClientContext> As(const Caller& c) const {
    auto claims = cases_server_->tokens().Claims(c.role, c.satker, c.subject);
    if (!c.system.empty()) claims["system"] = c.system;
    if (!c.org.empty()) claims["org"] = c.org;
    auto ctx = cases_server_->WithClaims(claims);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  // What the table says this caller gets from a method whose target is in Caringin:
  // "ROLE_NOT_ALLOWED", "OUT_OF_SCOPE" or "" (admitted).
  static std::string Expected(const Caller& c, const MethodAccess& row, bool scoped) {
    if (!c.kind) return "ROLE_NOT_ALLOWED";
    const Cell cell = static_cast<Cell>(row.cells[static_cast<int>(*c.kind)]);
    switch (cell) {
      case Cell::kDenied:
        return "ROLE_NOT_ALLOWED";
      case Cell::kScope:
      case Cell::kOwnUnit:
        return !scoped || c.in_scope ? "" : "OUT_OF_SCOPE";
      case Cell::kFostering:
      case Cell::kHolder:     // the notice is filed under BNNK Bandung
      case Cell::kOwnSatker:  // the satker activity is BNNK Bandung's
        return !scoped || c.fostering ? "" : "OUT_OF_SCOPE";
      case Cell::kCentral:
        return c.satker == "bnn" ? "" : "OUT_OF_SCOPE";
      default:
        return "";
    }
  }

  void SetUpTargets() {
    v1::CreateClientRequest create;
    v1::Client* c = create.mutable_client();
    c->set_unit(unit_.name());
    c->set_sex(v1::SEX_FEMALE);
    c->set_birth_year(2001);
    c->set_home_village("regions/32.73.04.1001");
    c->set_admission_path(v1::ADMISSION_PATH_VOLUNTARY_SELF_REPORT);
    v1::ConsentRecord* consent = c->mutable_consent();
    consent->mutable_consent_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
    consent->set_method(v1::CONSENT_METHOD_VERBAL_WITNESSED);
    consent->set_witness("kepala dusun");
    consent->set_obtained_by(agent_.name());
    consent->set_form_version("v1");
    consent->add_purposes(v1::CONSENT_PURPOSE_SERVICES);
    create.mutable_identity()->set_nik("3273045106010002");
    ASSERT_TRUE(
        clients_->CreateClient(Bnnk().get(), testing::WithRequestId(create), &client_).ok());
    // A notice filed with BNNK Bandung: Jawa Tengah looks the NIK up.
    v1::LookupClientByNikRequest lookup;
    lookup.set_nik("3273045106010002");
    lookup.set_justification("before registering");
    lookup.set_request_id("setup-lookup");
    v1::LookupClientByNikResponse found;
    ASSERT_TRUE(clients_->LookupClientByNik(Officer("bnnp-33").get(), lookup, &found).ok());
    v1::ListNikMatchNoticesRequest notices;
    notices.set_parent("satkers/bnnk-32.73");
    v1::ListNikMatchNoticesResponse listed;
    ASSERT_TRUE(clients_->ListNikMatchNotices(Bnnk().get(), notices, &listed).ok());
    ASSERT_EQ(listed.nik_match_notices_size(), 1);
    notice_ = listed.nik_match_notices(0).name();
    v1::CreateScreeningRequest screen;
    screen.set_parent(client_.name());
    v1::Screening* sc = screen.mutable_screening();
    sc->set_unit(unit_.name());
    sc->set_screener(agent_.name());
    *sc->mutable_screening_date() = Today();
    sc->set_occasion(v1::SCREENING_OCCASION_OUTREACH);
    for (int n = v1::SUBSTANCE_TOBACCO; n <= v1::SUBSTANCE_OPIOIDS; ++n) {
      v1::SubstanceAnswers* a = sc->add_substances();
      a->set_substance(static_cast<v1::Substance>(n));
      a->set_q1_ever_used(v1::LIFETIME_ANSWER_NO);
    }
    sc->set_q8_injecting(v1::RECENCY_ANSWER_NEVER);
    grpc::Status screened =
        screenings_->CreateScreening(Agent().get(), testing::WithRequestId(screen), &screening_);
    ASSERT_TRUE(screened.ok()) << screened.error_message();
    v1::CreateCaseRequest open;
    open.set_parent(unit_.name());
    open.mutable_case_()->set_client(client_.name());
    *open.mutable_case_()->mutable_enrollment_date() = Today();
    grpc::Status s = cases_->CreateCase(Bnnk().get(), testing::WithRequestId(open), &case_);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // One request per method, each naming Caringin's client, case or notice (or nothing).
  // Changes come last, so that earlier rows see the targets as they were made.
  std::vector<Method> Methods() {
    std::vector<Method> m;
    auto add = [&](std::string name, bool scoped,
                   std::function<grpc::Status(grpc::ClientContext*)> call) {
      m.push_back({std::move(name), scoped, std::move(call)});
    };
    const std::string client = client_.name(), kase = case_.name();
    add("GetClient", true, [=, this](auto* c) {
      v1::GetClientRequest r;
      r.set_name(client);
      v1::Client out;
      return clients_->GetClient(c, r, &out);
    });
    add("ListClients", true, [=, this](auto* c) {
      v1::ListClientsRequest r;
      r.set_unit(unit_.name());
      v1::ListClientsResponse out;
      return clients_->ListClients(c, r, &out);
    });
    add("GetClientIdentity", true, [=, this](auto* c) {
      v1::GetClientIdentityRequest r;
      r.set_name(client + "/identity");
      r.set_purpose(v1::IDENTITY_ACCESS_PURPOSE_CASE_WORK);
      r.set_justification("access test");
      v1::ClientIdentity out;
      return clients_->GetClientIdentity(c, r, &out);
    });
    add("LookupClientByNik", false, [=, this](auto* c) {
      v1::LookupClientByNikRequest r;
      r.set_nik("3273045106010002");
      r.set_justification("access test");
      r.set_request_id(testing::NextRequestId());
      v1::LookupClientByNikResponse out;
      return clients_->LookupClientByNik(c, r, &out);
    });
    add("ListIdentityAccessRecords", true, [=, this](auto* c) {
      v1::ListIdentityAccessRecordsRequest r;
      r.set_parent(client);
      v1::ListIdentityAccessRecordsResponse out;
      return clients_->ListIdentityAccessRecords(c, r, &out);
    });
    add("GetNikMatchNotice", true, [=, this](auto* c) {
      v1::GetNikMatchNoticeRequest r;
      r.set_name(notice_);
      v1::NikMatchNotice out;
      return clients_->GetNikMatchNotice(c, r, &out);
    });
    add("ListNikMatchNotices", true, [=, this](auto* c) {
      v1::ListNikMatchNoticesRequest r;
      r.set_parent("satkers/bnnk-32.73");
      v1::ListNikMatchNoticesResponse out;
      return clients_->ListNikMatchNotices(c, r, &out);
    });
    add("GetScreening", true, [=, this](auto* c) {
      v1::GetScreeningRequest r;
      r.set_name(screening_.name());
      v1::Screening out;
      return screenings_->GetScreening(c, r, &out);
    });
    add("ListScreenings", true, [=, this](auto* c) {
      v1::ListScreeningsRequest r;
      r.set_parent(client);
      v1::ListScreeningsResponse out;
      return screenings_->ListScreenings(c, r, &out);
    });
    add("CreateScreening", true, [=, this](auto* c) {
      v1::CreateScreeningRequest r;
      r.set_parent(client);
      r.set_request_id(testing::NextRequestId());
      v1::Screening out;
      return screenings_->CreateScreening(c, r, &out);
    });
    add("VoidScreening", true, [=, this](auto* c) {
      v1::VoidScreeningRequest r;
      r.set_name(screening_.name());
      r.set_reason("access test");
      r.set_etag("999");
      v1::Screening out;
      return screenings_->VoidScreening(c, r, &out);
    });
    add("GetRoutingPolicy", false, [=, this](auto* c) {
      v1::GetRoutingPolicyRequest r;
      r.set_name("routingPolicies/-active");
      v1::RoutingPolicy out;
      return policies_->GetRoutingPolicy(c, r, &out);
    });
    add("ListRoutingPolicies", false, [=, this](auto* c) {
      v1::ListRoutingPoliciesResponse out;
      return policies_->ListRoutingPolicies(c, v1::ListRoutingPoliciesRequest{}, &out);
    });
    add("CreateRoutingPolicy", false, [=, this](auto* c) {
      v1::CreateRoutingPolicyRequest r;
      r.set_request_id(testing::NextRequestId());
      v1::RoutingPolicy out;
      return policies_->CreateRoutingPolicy(c, r, &out);
    });
    add("ActivateRoutingPolicy", false, [=, this](auto* c) {
      v1::ActivateRoutingPolicyRequest r;
      r.set_name("routingPolicies/none");
      v1::RoutingPolicy out;
      return policies_->ActivateRoutingPolicy(c, r, &out);
    });
    add("GetCase", true, [=, this](auto* c) {
      v1::GetCaseRequest r;
      r.set_name(kase);
      v1::Case out;
      return cases_->GetCase(c, r, &out);
    });
    add("ListCases", true, [=, this](auto* c) {
      v1::ListCasesRequest r;
      r.set_parent(unit_.name());
      v1::ListCasesResponse out;
      return cases_->ListCases(c, r, &out);
    });
    add("CreateCase", true, [=, this](auto* c) {
      v1::CreateCaseRequest r;
      r.set_parent(unit_.name());
      r.mutable_case_()->set_client(client);
      *r.mutable_case_()->mutable_enrollment_date() = Today();
      r.set_request_id(testing::NextRequestId());
      v1::Case out;
      return cases_->CreateCase(c, r, &out);
    });
    add("UpdateCase", true, [=, this](auto* c) {
      v1::UpdateCaseRequest r;
      r.mutable_case_()->set_name(kase);
      r.mutable_update_mask()->add_paths("agents");
      v1::Case out;
      return cases_->UpdateCase(c, r, &out);
    });
    // Moves with a stale etag: admitted callers get ABORTED, never a changed case.
    add("StartCaseIntervention", true, [=, this](auto* c) {
      v1::StartCaseInterventionRequest r;
      r.set_name(kase);
      *r.mutable_effective_date() = Today();
      r.set_etag("999");
      v1::Case out;
      return cases_->StartCaseIntervention(c, r, &out);
    });
    add("StartCaseRecoverySupport", true, [=, this](auto* c) {
      v1::StartCaseRecoverySupportRequest r;
      r.set_name(kase);
      *r.mutable_effective_date() = Today();
      r.set_etag("999");
      v1::Case out;
      return cases_->StartCaseRecoverySupport(c, r, &out);
    });
    add("ReferCase", true, [=, this](auto* c) {
      v1::ReferCaseRequest r;
      r.set_name(kase);
      *r.mutable_effective_date() = Today();
      r.set_reason("access test");
      r.set_referral("referrals/r1");
      r.set_etag("999");
      v1::Case out;
      return cases_->ReferCase(c, r, &out);
    });
    add("ResumeCase", true, [=, this](auto* c) {
      v1::ResumeCaseRequest r;
      r.set_name(kase);
      *r.mutable_effective_date() = Today();
      r.set_etag("999");
      v1::Case out;
      return cases_->ResumeCase(c, r, &out);
    });
    add("CompleteCase", true, [=, this](auto* c) {
      v1::CompleteCaseRequest r;
      r.set_name(kase);
      *r.mutable_effective_date() = Today();
      r.set_etag("999");
      v1::Case out;
      return cases_->CompleteCase(c, r, &out);
    });
    add("DropOutCase", true, [=, this](auto* c) {
      v1::DropOutCaseRequest r;
      r.set_name(kase);
      *r.mutable_effective_date() = Today();
      r.set_etag("999");
      v1::Case out;
      return cases_->DropOutCase(c, r, &out);
    });
    add("TransferCase", true, [=, this](auto* c) {
      v1::TransferCaseRequest r;
      r.set_name(kase);
      *r.mutable_effective_date() = Today();
      r.set_target_unit("units/32.73.04.1002-1");  // not in the registry: nothing moves
      r.set_reason("access test");
      r.set_request_id(testing::NextRequestId());
      r.set_etag("999");
      v1::TransferCaseResponse out;
      return cases_->TransferCase(c, r, &out);
    });
    add("VoidCase", true, [=, this](auto* c) {
      v1::VoidCaseRequest r;
      r.set_name(kase);
      r.set_reason("access test");
      r.set_etag("999");
      v1::Case out;
      return cases_->VoidCase(c, r, &out);
    });
    add("GetCaseEventSubscription", false, [=, this](auto* c) {
      v1::GetCaseEventSubscriptionRequest r;
      r.set_name("caseEventSubscriptions/referrals");
      v1::CaseEventSubscription out;
      return events_->GetCaseEventSubscription(c, r, &out);
    });
    add("PullCaseEvents", false, [=, this](auto* c) {
      v1::PullCaseEventsRequest r;
      r.set_subscription("caseEventSubscriptions/referrals");
      v1::PullCaseEventsResponse out;
      return events_->PullCaseEvents(c, r, &out);
    });
    add("AcknowledgeCaseEvents", false, [=, this](auto* c) {
      v1::AcknowledgeCaseEventsRequest r;
      r.set_subscription("caseEventSubscriptions/referrals");
      r.set_sequence(0);
      v1::CaseEventSubscription out;
      return events_->AcknowledgeCaseEvents(c, r, &out);
    });
    // The unit's records: names of records that need not exist (the scope check on the
    // name's unit comes first), and, for lists and creates, Caringin's unit or case.
    const std::string unit = unit_.name();
    const std::string session = unit + "/interventionSessions/snone";
    const std::string contact = kase + "/supportContacts/cnone";
    const std::string urine = kase + "/urineTests/tnone";
    const std::string whoqol = kase + "/qualityOfLifeAssessments/qnone";
    const std::string activity = unit + "/activities/anone";
    const std::string satker_activity = "satkers/bnnk-32.73/activities/anone";
    const std::string tally = unit + "/communityReportTallies/tnone";
    add("GetInterventionSession", true, [=, this](auto* c) {
      v1::GetInterventionSessionRequest r;
      r.set_name(session);
      v1::InterventionSession out;
      return sessions_->GetInterventionSession(c, r, &out);
    });
    add("ListInterventionSessions", true, [=, this](auto* c) {
      v1::ListInterventionSessionsRequest r;
      r.set_parent(unit);
      v1::ListInterventionSessionsResponse out;
      return sessions_->ListInterventionSessions(c, r, &out);
    });
    add("CreateInterventionSession", true, [=, this](auto* c) {
      v1::CreateInterventionSessionRequest r;
      r.set_parent(unit);
      r.set_request_id(testing::NextRequestId());
      v1::InterventionSession out;
      return sessions_->CreateInterventionSession(c, r, &out);
    });
    add("UpdateInterventionSession", true, [=, this](auto* c) {
      v1::UpdateInterventionSessionRequest r;
      r.mutable_intervention_session()->set_name(session);
      r.mutable_update_mask()->add_paths("notes");
      v1::InterventionSession out;
      return sessions_->UpdateInterventionSession(c, r, &out);
    });
    add("VoidInterventionSession", true, [=, this](auto* c) {
      v1::VoidInterventionSessionRequest r;
      r.set_name(session);
      r.set_reason("access test");
      v1::InterventionSession out;
      return sessions_->VoidInterventionSession(c, r, &out);
    });
    add("GetSupportContact", true, [=, this](auto* c) {
      v1::GetSupportContactRequest r;
      r.set_name(contact);
      v1::SupportContact out;
      return contacts_->GetSupportContact(c, r, &out);
    });
    add("ListSupportContacts", true, [=, this](auto* c) {
      v1::ListSupportContactsRequest r;
      r.set_parent(kase);
      v1::ListSupportContactsResponse out;
      return contacts_->ListSupportContacts(c, r, &out);
    });
    add("CreateSupportContact", true, [=, this](auto* c) {
      v1::CreateSupportContactRequest r;
      r.set_parent(kase);
      r.set_request_id(testing::NextRequestId());
      v1::SupportContact out;
      return contacts_->CreateSupportContact(c, r, &out);
    });
    add("UpdateSupportContact", true, [=, this](auto* c) {
      v1::UpdateSupportContactRequest r;
      r.mutable_support_contact()->set_name(contact);
      r.mutable_update_mask()->add_paths("notes");
      v1::SupportContact out;
      return contacts_->UpdateSupportContact(c, r, &out);
    });
    add("VoidSupportContact", true, [=, this](auto* c) {
      v1::VoidSupportContactRequest r;
      r.set_name(contact);
      r.set_reason("access test");
      v1::SupportContact out;
      return contacts_->VoidSupportContact(c, r, &out);
    });
    add("GetUrineTest", true, [=, this](auto* c) {
      v1::GetUrineTestRequest r;
      r.set_name(urine);
      v1::UrineTest out;
      return outcomes_->GetUrineTest(c, r, &out);
    });
    add("ListUrineTests", true, [=, this](auto* c) {
      v1::ListUrineTestsRequest r;
      r.set_parent(kase);
      v1::ListUrineTestsResponse out;
      return outcomes_->ListUrineTests(c, r, &out);
    });
    add("CreateUrineTest", true, [=, this](auto* c) {
      v1::CreateUrineTestRequest r;
      r.set_parent(kase);
      r.set_request_id(testing::NextRequestId());
      v1::UrineTest out;
      return outcomes_->CreateUrineTest(c, r, &out);
    });
    add("VoidUrineTest", true, [=, this](auto* c) {
      v1::VoidUrineTestRequest r;
      r.set_name(urine);
      r.set_reason("access test");
      v1::UrineTest out;
      return outcomes_->VoidUrineTest(c, r, &out);
    });
    add("GetQualityOfLifeAssessment", true, [=, this](auto* c) {
      v1::GetQualityOfLifeAssessmentRequest r;
      r.set_name(whoqol);
      v1::QualityOfLifeAssessment out;
      return outcomes_->GetQualityOfLifeAssessment(c, r, &out);
    });
    add("ListQualityOfLifeAssessments", true, [=, this](auto* c) {
      v1::ListQualityOfLifeAssessmentsRequest r;
      r.set_parent(kase);
      v1::ListQualityOfLifeAssessmentsResponse out;
      return outcomes_->ListQualityOfLifeAssessments(c, r, &out);
    });
    add("CreateQualityOfLifeAssessment", true, [=, this](auto* c) {
      v1::CreateQualityOfLifeAssessmentRequest r;
      r.set_parent(kase);
      r.set_request_id(testing::NextRequestId());
      v1::QualityOfLifeAssessment out;
      return outcomes_->CreateQualityOfLifeAssessment(c, r, &out);
    });
    add("VoidQualityOfLifeAssessment", true, [=, this](auto* c) {
      v1::VoidQualityOfLifeAssessmentRequest r;
      r.set_name(whoqol);
      r.set_reason("access test");
      v1::QualityOfLifeAssessment out;
      return outcomes_->VoidQualityOfLifeAssessment(c, r, &out);
    });
    add("GetUnitActivity", true, [=, this](auto* c) {
      v1::GetUnitActivityRequest r;
      r.set_name(activity);
      v1::UnitActivity out;
      return unit_activities_->GetUnitActivity(c, r, &out);
    });
    add("ListUnitActivities", true, [=, this](auto* c) {
      v1::ListUnitActivitiesRequest r;
      r.set_parent(unit);
      v1::ListUnitActivitiesResponse out;
      return unit_activities_->ListUnitActivities(c, r, &out);
    });
    add("CreateUnitActivity", true, [=, this](auto* c) {
      v1::CreateUnitActivityRequest r;
      r.set_parent(unit);
      r.set_request_id(testing::NextRequestId());
      v1::UnitActivity out;
      return unit_activities_->CreateUnitActivity(c, r, &out);
    });
    add("UpdateUnitActivity", true, [=, this](auto* c) {
      v1::UpdateUnitActivityRequest r;
      r.mutable_unit_activity()->set_name(activity);
      r.mutable_update_mask()->add_paths("title");
      v1::UnitActivity out;
      return unit_activities_->UpdateUnitActivity(c, r, &out);
    });
    add("VoidUnitActivity", true, [=, this](auto* c) {
      v1::VoidUnitActivityRequest r;
      r.set_name(activity);
      r.set_reason("access test");
      v1::UnitActivity out;
      return unit_activities_->VoidUnitActivity(c, r, &out);
    });
    add("GetSatkerActivity", true, [=, this](auto* c) {
      v1::GetSatkerActivityRequest r;
      r.set_name(satker_activity);
      v1::SatkerActivity out;
      return satker_activities_->GetSatkerActivity(c, r, &out);
    });
    add("ListSatkerActivities", true, [=, this](auto* c) {
      v1::ListSatkerActivitiesRequest r;
      r.set_parent("satkers/bnnk-32.73");
      v1::ListSatkerActivitiesResponse out;
      return satker_activities_->ListSatkerActivities(c, r, &out);
    });
    add("CreateSatkerActivity", true, [=, this](auto* c) {
      v1::CreateSatkerActivityRequest r;
      r.set_parent("satkers/bnnk-32.73");
      r.set_request_id(testing::NextRequestId());
      v1::SatkerActivity out;
      return satker_activities_->CreateSatkerActivity(c, r, &out);
    });
    add("UpdateSatkerActivity", true, [=, this](auto* c) {
      v1::UpdateSatkerActivityRequest r;
      r.mutable_satker_activity()->set_name(satker_activity);
      r.mutable_update_mask()->add_paths("title");
      v1::SatkerActivity out;
      return satker_activities_->UpdateSatkerActivity(c, r, &out);
    });
    add("VoidSatkerActivity", true, [=, this](auto* c) {
      v1::VoidSatkerActivityRequest r;
      r.set_name(satker_activity);
      r.set_reason("access test");
      v1::SatkerActivity out;
      return satker_activities_->VoidSatkerActivity(c, r, &out);
    });
    add("GetCommunityReportTally", true, [=, this](auto* c) {
      v1::GetCommunityReportTallyRequest r;
      r.set_name(tally);
      v1::CommunityReportTally out;
      return tallies_->GetCommunityReportTally(c, r, &out);
    });
    add("ListCommunityReportTallies", true, [=, this](auto* c) {
      v1::ListCommunityReportTalliesRequest r;
      r.set_parent(unit);
      v1::ListCommunityReportTalliesResponse out;
      return tallies_->ListCommunityReportTallies(c, r, &out);
    });
    add("CreateCommunityReportTally", true, [=, this](auto* c) {
      v1::CreateCommunityReportTallyRequest r;
      r.set_parent(unit);
      r.set_request_id(testing::NextRequestId());
      v1::CommunityReportTally out;
      return tallies_->CreateCommunityReportTally(c, r, &out);
    });
    add("UpdateCommunityReportTally", true, [=, this](auto* c) {
      v1::UpdateCommunityReportTallyRequest r;
      r.mutable_community_report_tally()->set_name(tally);
      r.mutable_update_mask()->add_paths("reports_received");
      v1::CommunityReportTally out;
      return tallies_->UpdateCommunityReportTally(c, r, &out);
    });
    add("VoidCommunityReportTally", true, [=, this](auto* c) {
      v1::VoidCommunityReportTallyRequest r;
      r.set_name(tally);
      r.set_reason("access test");
      v1::CommunityReportTally out;
      return tallies_->VoidCommunityReportTally(c, r, &out);
    });
    add("QueryUnitMetrics", true, [=, this](auto* c) {
      v1::QueryUnitMetricsRequest r;
      r.set_parent(unit);
      *r.mutable_start_date() = Today();
      *r.mutable_end_date() = Today();
      v1::QueryUnitMetricsResponse out;
      return metrics_->QueryUnitMetrics(c, r, &out);
    });
    // The whole chain: BNN central's callers only, whatever they name.
    add("VerifyAuditLog", false, [=, this](auto* c) {
      v1::VerifyAuditLogRequest r;
      r.set_log(v1::AUDIT_LOG_IDENTITY_ACCESS);
      v1::VerifyAuditLogResponse out;
      return audit_->VerifyAuditLog(c, r, &out);
    });
    // Each record is admitted as its create method would (its result, not the call's status).
    add("UploadBatch", false, [=, this](auto* c) {
      v1::UploadBatchRequest r;
      v1::UploadRecord* record = r.add_records();
      record->mutable_capture_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 600);
      v1::Client* in = record->mutable_create_client()->mutable_client();
      in->set_unit(unit_.name());
      in->set_sex(v1::SEX_MALE);
      in->set_birth_year(1990);
      in->set_home_village("regions/32.73.04.1001");
      in->set_admission_path(v1::ADMISSION_PATH_VOLUNTARY_SELF_REPORT);
      v1::ConsentRecord* consent = in->mutable_consent();
      consent->mutable_consent_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
      consent->set_method(v1::CONSENT_METHOD_VERBAL_WITNESSED);
      consent->set_witness("kepala dusun");
      consent->set_obtained_by(agent_.name());
      consent->set_form_version("v1");
      consent->add_purposes(v1::CONSENT_PURPOSE_SERVICES);
      record->mutable_create_client()->set_request_id(testing::NextRequestId());
      v1::UploadBatchResponse out;
      return batch_->UploadBatch(c, r, &out);
    });
    // Changes to the client, with a stale etag where there is one.
    add("CreateClient", true, [=, this](auto* c) {
      v1::CreateClientRequest r;
      r.mutable_client()->set_unit(unit_.name());
      r.set_request_id(testing::NextRequestId());
      v1::Client out;
      return clients_->CreateClient(c, r, &out);
    });
    add("UpdateClient", true, [=, this](auto* c) {
      v1::UpdateClientRequest r;
      r.mutable_client()->set_name(client);
      r.mutable_client()->set_sex(v1::SEX_FEMALE);
      r.mutable_client()->set_etag("999");
      r.mutable_update_mask()->add_paths("sex");
      v1::Client out;
      return clients_->UpdateClient(c, r, &out);
    });
    add("RecordClientConsent", true, [=, this](auto* c) {
      v1::RecordClientConsentRequest r;
      r.set_name(client);
      *r.mutable_consent() = client_.consent();
      r.set_etag("999");
      v1::Client out;
      return clients_->RecordClientConsent(c, r, &out);
    });
    add("RecordClientLegalOrder", true, [=, this](auto* c) {
      v1::RecordClientLegalOrderRequest r;
      r.set_name(client);
      auto* o = r.mutable_legal_order();
      o->set_kind(v1::LegalOrder::KIND_COURT_ORDER);
      o->set_number("12/Pid.Sus/2026/PN Bdg");
      *o->mutable_date() = Today();
      o->set_issuer("PN Bandung");
      r.set_justification("access test");
      r.set_etag("999");
      v1::Client out;
      return clients_->RecordClientLegalOrder(c, r, &out);
    });
    add("UpdateClientIdentity", true, [=, this](auto* c) {
      v1::UpdateClientIdentityRequest r;
      r.mutable_identity()->set_name(client + "/identity");
      r.mutable_identity()->set_phone("0812");
      r.mutable_identity()->set_etag("999");
      r.mutable_update_mask()->add_paths("phone");
      r.set_purpose(v1::IDENTITY_ACCESS_PURPOSE_CASE_WORK);
      v1::ClientIdentity out;
      return clients_->UpdateClientIdentity(c, r, &out);
    });
    add("CloseNikMatchNotice", true, [=, this](auto* c) {
      v1::CloseNikMatchNoticeRequest r;
      r.set_name(notice_);
      r.set_outcome(v1::NikMatchNotice::OUTCOME_CONTACT_MADE);
      r.set_etag("999");
      v1::NikMatchNotice out;
      return clients_->CloseNikMatchNotice(c, r, &out);
    });
    add("WithdrawClientConsent", true, [=, this](auto* c) {
      v1::WithdrawClientConsentRequest r;
      r.set_name(client);
      r.mutable_withdrawal()->mutable_withdraw_time()->set_seconds(
          absl::ToUnixSeconds(absl::Now()));
      r.mutable_withdrawal()->set_method(v1::CONSENT_METHOD_VERBAL_WITNESSED);
      r.mutable_withdrawal()->set_witness("kepala dusun");
      r.set_etag("999");
      v1::Client out;
      return clients_->WithdrawClientConsent(c, r, &out);
    });
    add("VoidClient", true, [=, this](auto* c) {
      v1::VoidClientRequest r;
      r.set_name(client);
      r.set_reason("access test");
      r.set_etag("999");
      v1::Client out;
      return clients_->VoidClient(c, r, &out);
    });
    return m;
  }

  v1::Client client_;
  v1::Screening screening_;
  v1::Case case_;
  std::string notice_;
};

TEST_P(CasesAccessTest, EveryMethodAsEveryCallerGetsWhatTheTableSays) {
  SetUpTargets();
  if (HasFatalFailure()) return;
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
  // Every row is tested, or named as not built yet.
  for (const MethodAccess& row : AccessTable()) {
    const std::string name(row.method);
    EXPECT_TRUE(tested.count(name) || kNotBuilt.count(name)) << name << " is not tested";
    EXPECT_FALSE(tested.count(name) && kNotBuilt.count(name)) << name << " is built now";
  }
}

IBM_ON_BOTH_ENGINES(CasesAccessTest);

TEST(CasesAccessDocsTest, TheDocsShowTheMatrixOfTheTable) {
  testing::ExpectGeneratedSection(
      std::string(IBM_SOURCE_DIR) + "/docs/api.md",
      "<!-- access-matrix:cases:begin (generated: tools/gen-access-docs.sh) -->\n",
      "<!-- access-matrix:cases:end -->", AccessMatrixMarkdown());
}

}  // namespace
}  // namespace ibm::cases
