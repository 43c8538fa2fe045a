// CaseService through the API, on both engines: the whole lifecycle, the refusals of the state
// table, dates, etags, idempotent and concurrent calls, lists and access.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "cases/store/clients.h"
#include "cases/tests/cases_fixture.h"

namespace ibm::cases {
namespace {

using registry::HasField;

google::type::Date D(int y, int m, int d) {
  google::type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

class CaseLifecycleTest : public CasesTest {
 protected:
  // A client row as ClientService would leave it: ACTIVE in Caringin's unit.
  std::string NewClient() {
    const std::string id = NewId("");
    store::Client c;
    c.id = id;
    c.unit_id = UnitId(unit_);
    c.satker_id = "bnnk-32.73";
    c.village_code = "32.73.04.1001";
    c.sex = 1;
    c.birth_year = 1995;
    c.admission_path = 1;
    c.legal_basis = 1;
    c.state = 1;  // ACTIVE
    c.details = v1::Client().SerializeAsString();
    c.create_actor = "test";
    c.create_time_us = c.update_time_us = absl::ToUnixMicros(absl::Now());
    auto st = cases_db_->Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      return store::Clients(cases_db_->dialect()).Insert(s, c);
    });
    EXPECT_TRUE(st.ok()) << st;
    return "clients/" + id;
  }
  store::Client ReadClient(const std::string& name) {
    store::Client out;
    auto st = cases_db_->Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      auto c = store::Clients(cases_db_->dialect()).Get(s, name.substr(8), name);
      if (!c.ok()) return c.status();
      out = *c;
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }
  static std::string UnitId(const rv1::Unit& u) { return u.name().substr(6); }

  v1::CreateCaseRequest CreateRequest(const std::string& client, const rv1::Unit& unit,
                                      google::type::Date date = D(2026, 1, 10)) {
    v1::CreateCaseRequest req;
    req.set_parent(unit.name());
    req.mutable_case_()->set_client(client);
    *req.mutable_case_()->mutable_enrollment_date() = date;
    req.set_request_id(testing::NextRequestId());
    return req;
  }
  v1::Case Enroll(const std::string& client, google::type::Date date = D(2026, 1, 10)) {
    v1::Case out;
    auto s = cases_->CreateCase(Bnnk().get(), CreateRequest(client, unit_, date), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status Intervene(const v1::Case& c, google::type::Date d, v1::Case* out,
                         std::unique_ptr<grpc::ClientContext> ctx = nullptr) {
    v1::StartCaseInterventionRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = d;
    req.set_etag(c.etag());
    return cases_->StartCaseIntervention(ctx ? ctx.get() : Bnnk().get(), req, out);
  }
  grpc::Status Support(const v1::Case& c, google::type::Date d, v1::Case* out) {
    v1::StartCaseRecoverySupportRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = d;
    req.set_etag(c.etag());
    return cases_->StartCaseRecoverySupport(Bnnk().get(), req, out);
  }
  grpc::Status DropOut(const v1::Case& c, google::type::Date d, v1::Case* out) {
    v1::DropOutCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = d;
    req.set_reason(v1::DROP_OUT_REASON_LOST_CONTACT);
    req.set_etag(c.etag());
    return cases_->DropOutCase(Bnnk().get(), req, out);
  }
  grpc::Status Void(const v1::Case& c, v1::Case* out) {
    v1::VoidCaseRequest req;
    req.set_name(c.name());
    req.set_reason("entered twice");
    req.set_etag(c.etag());
    return cases_->VoidCase(Bnnk().get(), req, out);
  }
  std::vector<v1::CaseState> States(const v1::Case& c) {
    std::vector<v1::CaseState> out;
    for (const auto& t : c.transitions()) out.push_back(t.to_state());
    return out;
  }
};

TEST_P(CaseLifecycleTest, EveryLegalMoveThroughTheApi) {
  const std::string client = NewClient();
  v1::Case c = Enroll(client);
  EXPECT_EQ(c.state(), v1::CASE_STATE_ENROLLED);
  EXPECT_EQ(c.client(), client);
  EXPECT_EQ(c.satker(), "satkers/bnnk-32.73");
  EXPECT_EQ(c.etag(), "1");
  EXPECT_EQ(c.create_actor(), "officer-bnnk-32.73");
  EXPECT_TRUE(absl::StartsWith(c.name(), unit_.name() + "/cases/")) << c.name();
  ASSERT_EQ(c.transitions_size(), 1);
  EXPECT_EQ(c.transitions(0).from_state(), v1::CASE_STATE_UNSPECIFIED);
  EXPECT_EQ(c.transitions(0).method(), "CreateCase");
  EXPECT_EQ(ReadClient(client).open_case, c.name());

  // An agent of the unit starts the interventions.
  ASSERT_TRUE(Intervene(c, D(2026, 2, 1), &c, Agent()).ok());
  EXPECT_EQ(c.state(), v1::CASE_STATE_IN_INTERVENTION);
  EXPECT_EQ(c.transitions(1).actor(), agent_.name());
  ASSERT_TRUE(Support(c, D(2026, 2, 10), &c).ok());
  EXPECT_EQ(c.state(), v1::CASE_STATE_RECOVERY_SUPPORT);
  // Back to interventions after a relapse.
  ASSERT_TRUE(Intervene(c, D(2026, 2, 15), &c).ok());
  {
    v1::ReferCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 3, 1);
    req.set_reason("high risk, injecting");
    req.set_referral("referrals/r1x2");
    req.set_etag(c.etag());
    auto s = cases_->ReferCase(Bnnk().get(), req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(c.state(), v1::CASE_STATE_REFERRED);
  EXPECT_EQ(c.referral(), "referrals/r1x2");
  {
    v1::ResumeCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 4, 1);
    req.set_resume_state(v1::CASE_STATE_RECOVERY_SUPPORT);
    req.set_notes("back in the village");
    req.set_etag(c.etag());
    ASSERT_TRUE(cases_->ResumeCase(Agent().get(), req, &c).ok());
  }
  EXPECT_EQ(c.state(), v1::CASE_STATE_RECOVERY_SUPPORT);
  {
    v1::CompleteCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 6, 30);
    req.set_etag(c.etag());
    v1::Case out;
    auto s = cases_->CompleteCase(Bnnk().get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(ReasonOf(s), "EXIT_ASSESSMENT_MISSING");
    req.set_exit_assessment_waiver("client moved before the exit test");
    s = cases_->CompleteCase(Bnnk().get(), req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(c.state(), v1::CASE_STATE_COMPLETED);
  EXPECT_EQ(c.exit_assessment_waiver(), "client moved before the exit test");
  EXPECT_EQ(c.end_date().year(), 2026);
  EXPECT_EQ(c.end_date().month(), 6);
  EXPECT_EQ(c.end_date().day(), 30);
  EXPECT_EQ(c.etag(), "7");
  EXPECT_EQ(States(c), (std::vector<v1::CaseState>{
                           v1::CASE_STATE_ENROLLED, v1::CASE_STATE_IN_INTERVENTION,
                           v1::CASE_STATE_RECOVERY_SUPPORT, v1::CASE_STATE_IN_INTERVENTION,
                           v1::CASE_STATE_REFERRED, v1::CASE_STATE_RECOVERY_SUPPORT,
                           v1::CASE_STATE_COMPLETED}));
  EXPECT_EQ(c.transitions(4).reason(), "high risk, injecting");
  EXPECT_EQ(c.transitions(6).method(), "CompleteCase");
  // Get returns what the last move returned.
  v1::GetCaseRequest get;
  get.set_name(c.name());
  v1::Case got;
  ASSERT_TRUE(cases_->GetCase(Bnnk().get(), get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), c.SerializeAsString());
  // The client is free for a new case.
  EXPECT_EQ(ReadClient(client).open_case, "");
  v1::Case again = Enroll(client, D(2026, 7, 1));
  EXPECT_NE(again.name(), c.name());
  EXPECT_EQ(ReadClient(client).open_case, again.name());
}

TEST_P(CaseLifecycleTest, IllegalMovesNameTheCurrentState) {
  v1::Case c = Enroll(NewClient());
  v1::CompleteCaseRequest complete;
  complete.set_name(c.name());
  *complete.mutable_effective_date() = D(2026, 2, 1);
  complete.set_exit_assessment_waiver("none");
  v1::Case out;
  auto s = cases_->CompleteCase(Bnnk().get(), complete, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "ILLEGAL_TRANSITION");
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("ENROLLED"));
  v1::ResumeCaseRequest resume;
  resume.set_name(c.name());
  *resume.mutable_effective_date() = D(2026, 2, 1);
  resume.set_resume_state(v1::CASE_STATE_IN_INTERVENTION);
  s = cases_->ResumeCase(Bnnk().get(), resume, &out);
  EXPECT_EQ(ReasonOf(s), "ILLEGAL_TRANSITION");

  // From a final state nothing moves but a void.
  ASSERT_TRUE(DropOut(c, D(2026, 2, 1), &c).ok());
  EXPECT_EQ(c.drop_out_reason(), v1::DROP_OUT_REASON_LOST_CONTACT);
  s = Intervene(c, D(2026, 2, 2), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "ILLEGAL_TRANSITION");
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("DROPPED_OUT"));
  s = DropOut(c, D(2026, 2, 2), &out);
  EXPECT_EQ(ReasonOf(s), "ILLEGAL_TRANSITION");
  v1::UpdateCaseRequest update;
  update.mutable_case_()->set_name(c.name());
  update.mutable_case_()->set_officer("satkers/bnnk-32.73/officers/of1");
  update.mutable_update_mask()->add_paths("officer");
  s = cases_->UpdateCase(Bnnk().get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "CASE_NOT_OPEN");
  // Nothing was written by the refusals.
  v1::GetCaseRequest get;
  get.set_name(c.name());
  ASSERT_TRUE(cases_->GetCase(Bnnk().get(), get, &out).ok());
  EXPECT_EQ(out.transitions_size(), 2);
  EXPECT_EQ(out.etag(), c.etag());
}

TEST_P(CaseLifecycleTest, VoidingTwiceIsAlreadyVoided) {
  const std::string client = NewClient();
  v1::Case c = Enroll(client);
  ASSERT_TRUE(Void(c, &c).ok());
  EXPECT_EQ(c.state(), v1::CASE_STATE_VOIDED);
  EXPECT_EQ(c.voiding().reason(), "entered twice");
  EXPECT_EQ(c.voiding().actor(), "officer-bnnk-32.73");
  EXPECT_EQ(ReadClient(client).open_case, "");
  v1::Case out;
  auto s = Void(c, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "ALREADY_VOIDED");
  // A void needs a reason.
  v1::VoidCaseRequest req;
  req.set_name(Enroll(NewClient()).name());
  s = cases_->VoidCase(Bnnk().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("reason"));
}

TEST_P(CaseLifecycleTest, OneOpenCasePerClient) {
  const std::string client = NewClient();
  v1::Case first = Enroll(client);
  v1::Case out;
  auto s = cases_->CreateCase(Bnnk().get(), CreateRequest(client, unit_), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(s), "CLIENT_HAS_OPEN_CASE");
  EXPECT_EQ(platform::ErrorInfoOf(platform::FromGrpcStatus(s)).metadata().at("open_case"),
            first.name());
  // Unknown client: NOT_FOUND.
  s = cases_->CreateCase(Bnnk().get(), CreateRequest("clients/nosuchclient", unit_), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_P(CaseLifecycleTest, NoCaseInAnInactiveUnit) {
  rv1::TransitionUnitRequest t;
  t.set_name(other_unit_.name());
  t.set_status(rv1::UNIT_STATUS_INACTIVE);
  t.set_reason("the village closed its unit");
  rv1::Unit unit;
  auto rs = units_->TransitionUnit(As("officer", "bnnp-33").get(), t, &unit);
  ASSERT_TRUE(rs.ok()) << rs.error_message();
  v1::Case out;
  auto s =
      cases_->CreateCase(Officer("bnnp-33").get(), CreateRequest(NewClient(), other_unit_), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "UNIT_INACTIVE");
}

// No case predates its unit: the registry's formation_date bounds enrollment, and a
// transfer's effective_date must find the target unit formed.
TEST_P(CaseLifecycleTest, NoCasePredatesItsUnit) {
  // unit_ was formed on 2025-03-14 (the registry fixture).
  v1::Case out;
  auto early =
      cases_->CreateCase(Bnnk().get(), CreateRequest(NewClient(), unit_, D(2025, 3, 13)), &out);
  EXPECT_THAT(early, HasField("case.enrollment_date"));
  EXPECT_THAT(early.error_message(), ::testing::HasSubstr("2025-03-14"));
  ASSERT_TRUE(
      cases_->CreateCase(Bnnk().get(), CreateRequest(NewClient(), unit_, D(2025, 3, 14)), &out)
          .ok());
  // A unit formed later in the year.
  rv1::CreateUnitRequest make;
  make.mutable_unit()->set_village("regions/32.73.04.1002");
  make.mutable_unit()->set_satker("satkers/bnnk-32.73");
  *make.mutable_unit()->mutable_formation_date() = D(2026, 4, 1);
  make.mutable_unit()->add_fiscal_years(2026);
  rv1::Unit late;
  ASSERT_TRUE(units_->CreateUnit(Central().get(), testing::WithRequestId(make), &late).ok());
  v1::Case c = Enroll(NewClient());
  ASSERT_TRUE(Intervene(c, D(2026, 2, 1), &c).ok());
  v1::TransferCaseRequest req;
  req.set_name(c.name());
  *req.mutable_effective_date() = D(2026, 3, 5);
  req.set_target_unit(late.name());
  req.set_reason("client moved to Cijerah");
  req.set_request_id(testing::NextRequestId());
  req.set_etag(c.etag());
  v1::TransferCaseResponse resp;
  auto s = cases_->TransferCase(Bnnk().get(), req, &resp);
  EXPECT_THAT(s, HasField("target_unit"));
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("2026-04-01"));
  *req.mutable_effective_date() = D(2026, 4, 1);
  s = cases_->TransferCase(Bnnk().get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_P(CaseLifecycleTest, TransferMovesTheClientToTheNewCase) {
  const rv1::Unit cijerah = MakeUnit("32.73.04.1002", "bnnk-32.73");
  const std::string client = NewClient();
  v1::Case c = Enroll(client);
  c.mutable_use_history()->set_primary_substance(v1::SUBSTANCE_CANNABIS);
  {
    v1::UpdateCaseRequest u;
    *u.mutable_case_() = c;
    u.mutable_update_mask()->add_paths("use_history");
    ASSERT_TRUE(cases_->UpdateCase(Bnnk().get(), u, &c).ok());
  }
  ASSERT_TRUE(Intervene(c, D(2026, 2, 1), &c).ok());
  v1::TransferCaseRequest req;
  req.set_name(c.name());
  *req.mutable_effective_date() = D(2026, 3, 5);
  req.set_target_unit(cijerah.name());
  req.set_reason("client moved to Cijerah");
  req.set_request_id("transfer-1");
  req.set_etag(c.etag());
  v1::TransferCaseResponse resp;
  auto s = cases_->TransferCase(Bnnk().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const v1::Case& source = resp.source_case();
  const v1::Case& target = resp.target_case();
  EXPECT_EQ(source.state(), v1::CASE_STATE_TRANSFERRED);
  EXPECT_EQ(source.transferred_to(), target.name());
  EXPECT_EQ(source.end_date().month(), 3);
  EXPECT_TRUE(absl::StartsWith(target.name(), cijerah.name() + "/cases/")) << target.name();
  EXPECT_EQ(target.state(), v1::CASE_STATE_IN_INTERVENTION);  // the same state
  EXPECT_EQ(target.transferred_from(), source.name());
  EXPECT_EQ(target.client(), client);
  EXPECT_EQ(target.enrollment_date().day(), 5);
  EXPECT_EQ(target.use_history().primary_substance(), v1::SUBSTANCE_CANNABIS);
  EXPECT_EQ(target.agents_size(), 0);
  ASSERT_EQ(target.transitions_size(), 1);
  EXPECT_EQ(target.transitions(0).method(), "TransferCase");
  const store::Client moved = ReadClient(client);
  EXPECT_EQ(moved.unit_id, UnitId(cijerah));
  EXPECT_EQ(moved.village_code, "32.73.04.1002");
  EXPECT_EQ(moved.open_case, target.name());
  // A retry returns the first result, and moves nothing again.
  v1::TransferCaseResponse retry;
  s = cases_->TransferCase(Bnnk().get(), req, &retry);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(retry.target_case().name(), target.name());
  EXPECT_EQ(retry.source_case().etag(), source.etag());
  // Into the same unit, or without a target: INVALID_ARGUMENT target_unit.
  req.set_request_id("transfer-2");
  req.set_name(target.name());
  req.set_etag("");
  s = cases_->TransferCase(Bnnk().get(), req, &retry);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("target_unit"));
}

// A client who moves to another province: BNNK Bandung hands the case to Semarang's unit
// (fostered by BNNP Jawa Tengah), whose satker holds it from then on; Bandung no longer sees it.
TEST_P(CaseLifecycleTest, TransferCrossesIntoAnotherSatkersScope) {
  const std::string client = NewClient();
  v1::Case c = Enroll(client);
  v1::TransferCaseRequest req;
  req.set_name(c.name());
  *req.mutable_effective_date() = D(2026, 3, 5);
  req.set_target_unit(other_unit_.name());
  req.set_reason("client moved to Semarang");
  req.set_request_id(testing::NextRequestId());
  req.set_etag(c.etag());
  v1::TransferCaseResponse resp;
  auto s = cases_->TransferCase(Bnnk().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.target_case().satker(), "satkers/bnnp-33");
  EXPECT_TRUE(absl::StartsWith(resp.target_case().name(), other_unit_.name() + "/cases/"));
  v1::GetCaseRequest get;
  get.set_name(resp.target_case().name());
  v1::Case out;
  EXPECT_TRUE(cases_->GetCase(Officer("bnnp-33").get(), get, &out).ok());
  EXPECT_EQ(ReasonOf(cases_->GetCase(Bnnk().get(), get, &out)), "OUT_OF_SCOPE");
  EXPECT_EQ(ReadClient(client).satker_id, "bnnp-33");
}

TEST_P(CaseLifecycleTest, EffectiveDates) {
  v1::Case c = Enroll(NewClient(), D(2026, 1, 10));
  v1::Case out;
  const absl::CivilDay tomorrow = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + 2;
  auto s = Intervene(c, D(tomorrow.year(), tomorrow.month(), tomorrow.day()), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("effective_date"));
  s = Intervene(c, D(2026, 1, 9), &out);  // before the enrollment
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("effective_date"));
  s = Intervene(c, google::type::Date(), &out);  // missing
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("effective_date"));
  s = Intervene(c, D(2026, 2, 30), &out);  // not a day
  EXPECT_THAT(s, HasField("effective_date"));
  ASSERT_TRUE(Intervene(c, D(2026, 1, 10), &c).ok());  // the same day is fine
  // A future enrollment, and an enrollment moved after a later transition.
  v1::Case created;
  s = cases_->CreateCase(
      Bnnk().get(),
      CreateRequest(NewClient(), unit_, D(tomorrow.year(), tomorrow.month(), tomorrow.day())),
      &created);
  EXPECT_THAT(s, HasField("case.enrollment_date"));
  v1::UpdateCaseRequest u;
  u.mutable_case_()->set_name(c.name());
  *u.mutable_case_()->mutable_enrollment_date() = D(2026, 1, 11);
  u.mutable_update_mask()->add_paths("enrollment_date");
  s = cases_->UpdateCase(Bnnk().get(), u, &out);
  EXPECT_THAT(s, HasField("case.enrollment_date"));
  *u.mutable_case_()->mutable_enrollment_date() = D(2026, 1, 5);
  ASSERT_TRUE(cases_->UpdateCase(Bnnk().get(), u, &out).ok());
  EXPECT_EQ(out.enrollment_date().day(), 5);
  EXPECT_EQ(out.transitions(0).effective_date().day(), 5);  // the creation's date follows
}

TEST_P(CaseLifecycleTest, StaleEtagIsAborted) {
  v1::Case c = Enroll(NewClient());
  v1::Case moved;
  ASSERT_TRUE(Intervene(c, D(2026, 2, 1), &moved).ok());
  v1::Case out;
  auto s = Support(c, D(2026, 2, 2), &out);  // c's etag is the one before
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(s), "ETAG_MISMATCH");
  v1::UpdateCaseRequest u;
  *u.mutable_case_() = c;
  u.mutable_update_mask()->add_paths("officer");
  s = cases_->UpdateCase(Bnnk().get(), u, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  // An empty etag skips the check.
  c.clear_etag();
  EXPECT_TRUE(Support(c, D(2026, 2, 2), &out).ok());
}

TEST_P(CaseLifecycleTest, CreateIsIdempotentEvenWhenConcurrent) {
  const std::string client = NewClient();
  v1::CreateCaseRequest req = CreateRequest(client, unit_);
  v1::Case first, second;
  ASSERT_TRUE(cases_->CreateCase(Bnnk().get(), req, &first).ok());
  ASSERT_TRUE(cases_->CreateCase(Bnnk().get(), req, &second).ok());
  EXPECT_EQ(second.name(), first.name());
  // The same id for another request.
  req.mutable_case_()->set_officer("satkers/bnnk-32.73/officers/of1");
  auto s = cases_->CreateCase(Bnnk().get(), req, &second);
  EXPECT_THAT(s, HasField("request_id"));

  const std::string other = NewClient();
  const v1::CreateCaseRequest once = CreateRequest(other, unit_);
  constexpr int kCallers = 50;
  std::vector<std::string> names(kCallers);
  std::vector<grpc::Status> results(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      v1::Case out;
      results[i] = cases_->CreateCase(Bnnk().get(), once, &out);
      names[i] = out.name();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kCallers; ++i) {
    EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].error_message();
    EXPECT_EQ(names[i], names[0]);
  }
  v1::ListCasesRequest list;
  list.set_parent("units/-");
  list.set_client(other);
  v1::ListCasesResponse page;
  ASSERT_TRUE(cases_->ListCases(Bnnk().get(), list, &page).ok());
  ASSERT_EQ(page.cases_size(), 1);
  EXPECT_EQ(page.cases(0).name(), names[0]);
}

TEST_P(CaseLifecycleTest, ConcurrentMovesWithOneEtagLetOneWin) {
  v1::Case c = Enroll(NewClient());
  constexpr int kCallers = 20;
  std::vector<grpc::Status> results(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      v1::Case out;
      results[i] = Intervene(c, D(2026, 2, 1), &out);
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0, aborted = 0;
  for (const auto& r : results) {
    if (r.ok()) ++ok;
    if (r.error_code() == grpc::StatusCode::ABORTED && ReasonOf(r) == "ETAG_MISMATCH") ++aborted;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(aborted, kCallers - 1);
  v1::GetCaseRequest get;
  get.set_name(c.name());
  v1::Case out;
  ASSERT_TRUE(cases_->GetCase(Bnnk().get(), get, &out).ok());
  EXPECT_EQ(out.transitions_size(), 2);
}

TEST_P(CaseLifecycleTest, TheTransitionLimitLeavesRoomToEnd) {
  v1::Case c = Enroll(NewClient());
  // 97 moves: 98 transitions with the creation.
  for (int i = 0; i < 97; ++i) {
    auto s = i % 2 == 0 ? Intervene(c, D(2026, 2, 1), &c) : Support(c, D(2026, 2, 1), &c);
    ASSERT_TRUE(s.ok()) << i << ": " << s.error_message();
  }
  ASSERT_EQ(c.transitions_size(), 98);
  ASSERT_EQ(c.state(), v1::CASE_STATE_IN_INTERVENTION);
  v1::Case out;
  auto s = Support(c, D(2026, 2, 1), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "TRANSITION_LIMIT");
  ASSERT_TRUE(DropOut(c, D(2026, 2, 1), &c).ok());
  ASSERT_TRUE(Void(c, &c).ok());
  EXPECT_EQ(c.transitions_size(), 100);
}

TEST_P(CaseLifecycleTest, ListsPageNewestFirstWithinScope) {
  const v1::Case a = Enroll(NewClient(), D(2026, 1, 1));
  const v1::Case b = Enroll(NewClient(), D(2026, 3, 1));
  const v1::Case c = Enroll(NewClient(), D(2026, 2, 1));
  v1::Case voided;
  ASSERT_TRUE(Void(Enroll(NewClient(), D(2026, 4, 1)), &voided).ok());
  v1::Case elsewhere;
  ASSERT_TRUE(cases_
                  ->CreateCase(Officer("bnnp-33").get(), CreateRequest(NewClient(), other_unit_),
                               &elsewhere)
                  .ok());
  v1::ListCasesRequest req;
  req.set_parent("units/-");
  auto pages = PagesOfOne<v1::ListCasesResponse>(
      req,
      [&](const v1::ListCasesRequest& r, v1::ListCasesResponse* out) {
        return cases_->ListCases(Bnnk().get(), r, out);
      },
      [](const v1::ListCasesResponse& p) {
        std::vector<std::string> names;
        for (const auto& c : p.cases()) {
          EXPECT_EQ(c.transitions_size(), 0);  // BASIC
          names.push_back(c.name());
        }
        return names;
      });
  // Newest enrollment first; the voided one left out; Semarang's outside the BNNK's scope.
  EXPECT_EQ(pages, (std::vector<std::string>{b.name(), c.name(), a.name()}));
  // States and FULL.
  req.add_states(v1::CASE_STATE_VOIDED);
  req.set_view(v1::RECORD_VIEW_FULL);
  v1::ListCasesResponse page;
  ASSERT_TRUE(cases_->ListCases(Bnnk().get(), req, &page).ok());
  ASSERT_EQ(page.cases_size(), 1);
  EXPECT_EQ(page.cases(0).name(), voided.name());
  EXPECT_EQ(page.cases(0).transitions_size(), 2);
  EXPECT_EQ(page.next_page_token(), "");
  // The agent: its own unit only, under units/- too.
  v1::ListCasesRequest mine;
  mine.set_parent("units/-");
  ASSERT_TRUE(cases_->ListCases(AgentOf(other_agent_).get(), mine, &page).ok());
  ASSERT_EQ(page.cases_size(), 1);
  EXPECT_EQ(page.cases(0).name(), elsewhere.name());
  // A token with other filters; a repeated state; a region with a unit parent.
  v1::ListCasesRequest bad;
  bad.set_parent("units/-");
  bad.set_page_size(1);
  ASSERT_TRUE(cases_->ListCases(Bnnk().get(), bad, &page).ok());
  bad.set_page_token(page.next_page_token());
  bad.set_client("clients/abc");
  EXPECT_THAT(cases_->ListCases(Bnnk().get(), bad, &page), HasField("page_token"));
  bad = v1::ListCasesRequest();
  bad.set_parent(unit_.name());
  bad.add_states(v1::CASE_STATE_ENROLLED);
  bad.add_states(v1::CASE_STATE_ENROLLED);
  bad.set_region("regions/32.73");
  auto s = cases_->ListCases(Bnnk().get(), bad, &page);
  EXPECT_THAT(s, HasField("states"));
  EXPECT_THAT(s, HasField("region"));
  bad = v1::ListCasesRequest();
  bad.set_parent("units/-");
  bad.set_page_size(-1);
  EXPECT_THAT(cases_->ListCases(Bnnk().get(), bad, &page), HasField("page_size"));
}

TEST_P(CaseLifecycleTest, FieldsAreCheckedAndNamed) {
  v1::Case out;
  v1::CreateCaseRequest req = CreateRequest(NewClient(), unit_);
  req.mutable_case_()->add_agents(other_agent_.name());
  for (int i = 0; i < 1; ++i) req.mutable_case_()->add_agents(agent_.name());
  req.mutable_case_()->set_officer("satkers/bnnp-33/officers/of1");
  req.mutable_case_()->mutable_use_history()->set_diagnosis_icd10("F15-2");
  req.mutable_case_()->mutable_use_history()->add_routes(v1::ROUTE_OF_USE_SMOKED);
  req.mutable_case_()->mutable_use_history()->add_routes(v1::ROUTE_OF_USE_SMOKED);
  req.set_request_id("");
  auto s = cases_->CreateCase(Bnnk().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("case.agents[0]"));
  EXPECT_THAT(s, HasField("case.officer"));
  EXPECT_THAT(s, HasField("case.use_history.diagnosis_icd10"));
  EXPECT_THAT(s, HasField("case.use_history.routes"));
  EXPECT_THAT(s, HasField("request_id"));
  // An initial screening that does not exist, or of another client.
  v1::CreateCaseRequest screened = CreateRequest(NewClient(), unit_);
  screened.mutable_case_()->set_initial_screening(screened.case_().client() +
                                                  "/screenings/nosuchscreening");
  EXPECT_THAT(cases_->CreateCase(Bnnk().get(), screened, &out), HasField("case.initial_screening"));
  screened.mutable_case_()->set_initial_screening("clients/other/screenings/s1");
  screened.set_request_id(testing::NextRequestId());
  EXPECT_THAT(cases_->CreateCase(Bnnk().get(), screened, &out), HasField("case.initial_screening"));
  // Names.
  v1::GetCaseRequest get;
  get.set_name("units/32.73.04.1001-1/cases/");
  EXPECT_THAT(cases_->GetCase(Bnnk().get(), get, &out), HasField("name"));
  get.set_name(unit_.name() + "/cases/nosuchcase");
  EXPECT_EQ(cases_->GetCase(Bnnk().get(), get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  // DropOut's reason rules; ReferCase's reason; ResumeCase's state.
  v1::Case c = Enroll(NewClient());
  v1::DropOutCaseRequest drop;
  drop.set_name(c.name());
  *drop.mutable_effective_date() = D(2026, 2, 1);
  drop.set_reason(v1::DROP_OUT_REASON_CONSENT_WITHDRAWN);
  EXPECT_THAT(cases_->DropOutCase(Bnnk().get(), drop, &out), HasField("reason"));
  drop.set_reason(v1::DROP_OUT_REASON_OTHER);
  EXPECT_THAT(cases_->DropOutCase(Bnnk().get(), drop, &out), HasField("notes"));
  v1::ReferCaseRequest refer;
  refer.set_name(c.name());
  *refer.mutable_effective_date() = D(2026, 2, 1);
  refer.set_referral("referral-1");
  auto rs = cases_->ReferCase(Bnnk().get(), refer, &out);
  EXPECT_THAT(rs, HasField("reason"));
  EXPECT_THAT(rs, HasField("referral"));
  v1::ResumeCaseRequest resume;
  resume.set_name(c.name());
  *resume.mutable_effective_date() = D(2026, 2, 1);
  resume.set_resume_state(v1::CASE_STATE_COMPLETED);
  EXPECT_THAT(cases_->ResumeCase(Bnnk().get(), resume, &out), HasField("resume_state"));
  v1::UpdateCaseRequest update;
  update.mutable_case_()->set_name(c.name());
  update.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(cases_->UpdateCase(Bnnk().get(), update, &out), HasField("update_mask.paths[0]"));
}

TEST_P(CaseLifecycleTest, TheReferralsSystem) {
  v1::Case c = Enroll(NewClient());
  v1::Case out;
  v1::GetCaseRequest get;
  get.set_name(c.name());
  ASSERT_TRUE(cases_->GetCase(System("referrals").get(), get, &out).ok());
  EXPECT_EQ(out.name(), c.name());
  v1::ReferCaseRequest refer;
  refer.set_name(c.name());
  *refer.mutable_effective_date() = D(2026, 2, 1);
  refer.set_reason("provider accepted");
  auto s = cases_->ReferCase(System("referrals").get(), refer, &out);
  EXPECT_THAT(s, HasField("referral"));
  // Its referral must be checked with ibm.referrals.v1, which is not built yet.
  refer.set_referral("referrals/r9");
  s = cases_->ReferCase(System("referrals").get(), refer, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(cases_->GetCase(Bnnk().get(), get, &out).ok());
  EXPECT_EQ(out.state(), v1::CASE_STATE_ENROLLED);
}

// Every method, as callers the matrix refuses: PERMISSION_DENIED with the matrix's reason.
TEST_P(CaseLifecycleTest, AccessDenials) {
  const v1::Case c = Enroll(NewClient());
  struct Caller {
    const char* who;
    std::function<std::unique_ptr<grpc::ClientContext>()> ctx;
    // The reason for the methods the role may call elsewhere, and for those it may not.
    const char* in_role;
    const char* not_in_role;
  };
  const std::vector<Caller> callers = {
      {"agent of another unit", [&] { return AgentOf(other_agent_); }, "OUT_OF_SCOPE",
       "ROLE_NOT_ALLOWED"},
      {"BNNK outside the scope", [&] { return Officer("bnnk-33.74"); }, "OUT_OF_SCOPE",
       "OUT_OF_SCOPE"},
      {"supervision system", [&] { return System("supervision"); }, "ROLE_NOT_ALLOWED",
       "ROLE_NOT_ALLOWED"},
      {"service token", [&] { return cases_server_->As("service", "bnn"); }, "ROLE_NOT_ALLOWED",
       "ROLE_NOT_ALLOWED"},
  };
  // Methods an agent may call (in its own unit) and those it may not.
  struct Method {
    const char* name;
    bool agents;
    std::function<grpc::Status(grpc::ClientContext*)> call;
  };
  const std::vector<Method> methods = {
      {"GetCase", true,
       [&](grpc::ClientContext* ctx) {
         v1::GetCaseRequest r;
         r.set_name(c.name());
         v1::Case out;
         return cases_->GetCase(ctx, r, &out);
       }},
      {"ListCases", true,
       [&](grpc::ClientContext* ctx) {
         v1::ListCasesRequest r;
         r.set_parent(unit_.name());
         v1::ListCasesResponse out;
         return cases_->ListCases(ctx, r, &out);
       }},
      {"CreateCase", true,
       [&](grpc::ClientContext* ctx) {
         v1::Case out;
         return cases_->CreateCase(ctx, CreateRequest("clients/abc", unit_), &out);
       }},
      {"UpdateCase", true,
       [&](grpc::ClientContext* ctx) {
         v1::UpdateCaseRequest r;
         r.mutable_case_()->set_name(c.name());
         r.mutable_update_mask()->add_paths("officer");
         v1::Case out;
         return cases_->UpdateCase(ctx, r, &out);
       }},
      {"StartCaseIntervention", true,
       [&](grpc::ClientContext* ctx) {
         v1::StartCaseInterventionRequest r;
         r.set_name(c.name());
         *r.mutable_effective_date() = D(2026, 2, 1);
         v1::Case out;
         return cases_->StartCaseIntervention(ctx, r, &out);
       }},
      {"StartCaseRecoverySupport", true,
       [&](grpc::ClientContext* ctx) {
         v1::StartCaseRecoverySupportRequest r;
         r.set_name(c.name());
         *r.mutable_effective_date() = D(2026, 2, 1);
         v1::Case out;
         return cases_->StartCaseRecoverySupport(ctx, r, &out);
       }},
      {"ReferCase", false,
       [&](grpc::ClientContext* ctx) {
         v1::ReferCaseRequest r;
         r.set_name(c.name());
         *r.mutable_effective_date() = D(2026, 2, 1);
         r.set_reason("x");
         v1::Case out;
         return cases_->ReferCase(ctx, r, &out);
       }},
      {"ResumeCase", true,
       [&](grpc::ClientContext* ctx) {
         v1::ResumeCaseRequest r;
         r.set_name(c.name());
         *r.mutable_effective_date() = D(2026, 2, 1);
         r.set_resume_state(v1::CASE_STATE_IN_INTERVENTION);
         v1::Case out;
         return cases_->ResumeCase(ctx, r, &out);
       }},
      {"CompleteCase", false,
       [&](grpc::ClientContext* ctx) {
         v1::CompleteCaseRequest r;
         r.set_name(c.name());
         *r.mutable_effective_date() = D(2026, 2, 1);
         v1::Case out;
         return cases_->CompleteCase(ctx, r, &out);
       }},
      {"DropOutCase", false,
       [&](grpc::ClientContext* ctx) {
         v1::DropOutCaseRequest r;
         r.set_name(c.name());
         *r.mutable_effective_date() = D(2026, 2, 1);
         r.set_reason(v1::DROP_OUT_REASON_REFUSED);
         v1::Case out;
         return cases_->DropOutCase(ctx, r, &out);
       }},
      {"TransferCase", false,
       [&](grpc::ClientContext* ctx) {
         v1::TransferCaseRequest r;
         r.set_name(c.name());
         *r.mutable_effective_date() = D(2026, 2, 1);
         r.set_target_unit(other_unit_.name());
         r.set_reason("moved");
         r.set_request_id("t-1");
         v1::TransferCaseResponse out;
         return cases_->TransferCase(ctx, r, &out);
       }},
      {"VoidCase", false,
       [&](grpc::ClientContext* ctx) {
         v1::VoidCaseRequest r;
         r.set_name(c.name());
         r.set_reason("x");
         v1::Case out;
         return cases_->VoidCase(ctx, r, &out);
       }},
  };
  for (const Caller& who : callers) {
    for (const Method& m : methods) {
      SCOPED_TRACE(absl::StrCat(who.who, " calling ", m.name));
      auto s = m.call(who.ctx().get());
      EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
      EXPECT_EQ(ReasonOf(s), m.agents ? who.in_role : who.not_in_role);
    }
  }
  // Nothing changed.
  v1::GetCaseRequest get;
  get.set_name(c.name());
  v1::Case out;
  ASSERT_TRUE(cases_->GetCase(Bnnk().get(), get, &out).ok());
  EXPECT_EQ(out.etag(), c.etag());
}

IBM_ON_BOTH_ENGINES(CaseLifecycleTest);

}  // namespace
}  // namespace ibm::cases
