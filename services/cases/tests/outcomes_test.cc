// OutcomeService on both engines: urine tests read by the server (a positive explained by a
// prescription is not use) and WHOQOL-BREF assessments scored by it (exactly as the rules
// score; a domain not scored is absent, never 0), the assessment points against the case's
// state, CompleteCase's exit check, bad input named field by field, voiding, idempotent
// creates, pagination and access.
#include "absl/time/civil_time.h"
#include "cases/rules/whoqol.h"
#include "cases/tests/cases_fixture.h"
#include "google/protobuf/util/message_differencer.h"

namespace ibm::cases {
namespace {

using registry::HasField;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kOfficer[] = "satkers/bnnk-32.73/officers/o1";

google::type::Date D(int y, int m, int d) {
  google::type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

google::protobuf::Timestamp Ago(absl::Duration d) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::Now() - d));
  return t;
}

v1::UrinePanelResult Line(v1::DrugClass c, v1::PanelResult r) {
  v1::UrinePanelResult l;
  l.set_drug_class(c);
  l.set_result(r);
  return l;
}

// A positive methadone line explained by the client's PTRM card.
v1::UrinePanelResult Ptrm() {
  v1::UrinePanelResult l = Line(v1::DRUG_CLASS_METHADONE, v1::PANEL_RESULT_POSITIVE);
  auto* p = l.mutable_prescription();
  p->set_kind(v1::PrescriptionExplanation::KIND_OPIOID_AGONIST_THERAPY_METHADONE);
  p->set_document_sha256(std::string(64, 'b'));
  p->set_prescriber("PTRM RSUD Kota Bandung");
  return l;
}

// WHOQOL-BREF answers: every item `value`.
v1::WhoqolBrefAnswers All(int value) {
  v1::WhoqolBrefAnswers a;
  const auto* d = a.GetDescriptor();
  for (int i = 1; i <= 26; ++i) {
    a.GetReflection()->SetInt32(&a, d->FindFieldByName("q" + std::to_string(i)), value);
  }
  return a;
}
void Clear(v1::WhoqolBrefAnswers& a, int item) {
  a.GetReflection()->ClearField(&a, a.GetDescriptor()->FindFieldByName("q" + std::to_string(item)));
}
rules::WhoqolAnswers RulesAnswers(const v1::WhoqolBrefAnswers& a) {
  rules::WhoqolAnswers out;
  const auto* d = a.GetDescriptor();
  for (int i = 0; i < 26; ++i) {
    const auto* f = d->FindFieldByName("q" + std::to_string(i + 1));
    if (a.GetReflection()->HasField(a, f)) out[i] = a.GetReflection()->GetInt32(a, f);
  }
  return out;
}

// docs/api.md's example: physical Q3=2 (4), Q4=1 (5), Q10=3, Q15=4, Q16 missing, Q17=3,
// Q18=3: 22 / 6 x 4 = 14.67 -> 66.7. Social relationships misses Q21 and Q22 (two: more than
// its one): not scored. Everything else 3.
v1::WhoqolBrefAnswers DocsExample() {
  v1::WhoqolBrefAnswers a = All(3);
  a.set_q3(2);
  a.set_q4(1);
  a.set_q15(4);
  Clear(a, 16);
  Clear(a, 21);
  Clear(a, 22);
  return a;
}

class OutcomesTest : public CasesTest {
 protected:
  void SetUp() override {
    CasesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    client_ = NewClient();
    case_ = Enroll(client_);
  }

  // A voluntary client through the API: Caringin's by the BNNK, Semarang's by the BNNP 33.
  std::string NewClient(bool other = false) {
    v1::CreateClientRequest r;
    v1::Client* c = r.mutable_client();
    c->set_unit(other ? other_unit_.name() : unit_.name());
    c->set_sex(v1::SEX_MALE);
    c->set_birth_year(1998);
    c->set_home_village(other ? "regions/33.74.01.1001" : "regions/32.73.04.1001");
    c->set_admission_path(v1::ADMISSION_PATH_VOLUNTARY_FAMILY);
    v1::ConsentRecord* consent = c->mutable_consent();
    *consent->mutable_consent_time() = Ago(absl::Hours(1));
    consent->set_method(v1::CONSENT_METHOD_WRITTEN_SIGNATURE);
    consent->set_obtained_by(other ? other_agent_.name() : agent_.name());
    consent->set_form_version("ibm-consent-2025");
    consent->add_purposes(v1::CONSENT_PURPOSE_SERVICES);
    consent->set_document_sha256(std::string(64, 'a'));
    r.set_request_id(testing::NextRequestId());
    v1::Client out;
    grpc::Status s =
        clients_->CreateClient(other ? Officer("bnnp-33").get() : Bnnk().get(), r, &out);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    return out.name();
  }
  v1::Case Enroll(const std::string& client, bool other = false) {
    v1::CreateCaseRequest req;
    req.set_parent(other ? other_unit_.name() : unit_.name());
    req.mutable_case_()->set_client(client);
    *req.mutable_case_()->mutable_enrollment_date() = D(2026, 1, 10);
    req.set_request_id(testing::NextRequestId());
    v1::Case out;
    grpc::Status s = cases_->CreateCase(other ? Officer("bnnp-33").get() : Bnnk().get(), req, &out);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    return out;
  }
  void Intervene(v1::Case& c) {
    v1::StartCaseInterventionRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 2, 1);
    req.set_etag(c.etag());
    grpc::Status s = cases_->StartCaseIntervention(Bnnk().get(), req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  grpc::Status Complete(v1::Case& c, const std::string& waiver = "") {
    v1::CompleteCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 6, 30);
    req.set_exit_assessment_waiver(waiver);
    req.set_etag(c.etag());
    v1::Case out;
    grpc::Status s = cases_->CompleteCase(Bnnk().get(), req, &out);
    if (s.ok()) c = out;
    return s;
  }
  grpc::Status DropOut(v1::Case& c) {
    v1::DropOutCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 6, 30);
    req.set_reason(v1::DROP_OUT_REASON_LOST_CONTACT);
    req.set_etag(c.etag());
    return cases_->DropOutCase(Bnnk().get(), req, &c);
  }

  // A valid urine test: six lines, all negative.
  static v1::UrineTest Urine(v1::AssessmentPoint point, google::type::Date date = D(2026, 3, 2)) {
    v1::UrineTest t;
    t.set_assessment_point(point);
    *t.mutable_test_date() = date;
    t.mutable_kit()->set_product("Rapid test 6 parameter");
    t.mutable_kit()->set_lot_number("LOT-2026-11");
    *t.mutable_kit()->mutable_expiry_date() = D(2027, 12, 31);
    for (v1::DrugClass c :
         {v1::DRUG_CLASS_AMPHETAMINE, v1::DRUG_CLASS_METHAMPHETAMINE, v1::DRUG_CLASS_MDMA,
          v1::DRUG_CLASS_CANNABIS, v1::DRUG_CLASS_OPIATES, v1::DRUG_CLASS_BENZODIAZEPINES}) {
      *t.add_results() = Line(c, v1::PANEL_RESULT_NEGATIVE);
    }
    t.set_tested_by(kOfficer);
    return t;
  }
  // A valid assessment: every item answered 4.
  v1::QualityOfLifeAssessment Whoqol(v1::AssessmentPoint point,
                                     v1::WhoqolBrefAnswers answers = All(4),
                                     google::type::Date date = D(2026, 3, 3)) const {
    v1::QualityOfLifeAssessment a;
    a.set_assessment_point(point);
    *a.mutable_assessment_date() = date;
    a.set_mode(v1::QualityOfLifeAssessment::MODE_INTERVIEWER_ADMINISTERED);
    a.set_administered_by(agent_.name());
    a.set_form_version("WHOQOL-BREF Bahasa Indonesia");
    *a.mutable_answers() = std::move(answers);
    return a;
  }

  grpc::Status CreateUrine(std::unique_ptr<grpc::ClientContext> ctx, const v1::UrineTest& t,
                           v1::UrineTest* out, const std::string& parent = "",
                           const std::string& request_id = "") {
    v1::CreateUrineTestRequest req;
    req.set_parent(parent.empty() ? case_.name() : parent);
    *req.mutable_urine_test() = t;
    req.set_request_id(request_id);
    return outcomes_->CreateUrineTest(ctx.get(), testing::WithRequestId(req), out);
  }
  v1::UrineTest MustUrine(const v1::UrineTest& t, const std::string& parent = "") {
    v1::UrineTest out;
    grpc::Status s = CreateUrine(Bnnk(), t, &out, parent);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    return out;
  }
  grpc::Status CreateWhoqol(std::unique_ptr<grpc::ClientContext> ctx,
                            const v1::QualityOfLifeAssessment& a, v1::QualityOfLifeAssessment* out,
                            const std::string& parent = "", const std::string& request_id = "") {
    v1::CreateQualityOfLifeAssessmentRequest req;
    req.set_parent(parent.empty() ? case_.name() : parent);
    *req.mutable_quality_of_life_assessment() = a;
    req.set_request_id(request_id);
    return outcomes_->CreateQualityOfLifeAssessment(ctx.get(), testing::WithRequestId(req), out);
  }
  v1::QualityOfLifeAssessment MustWhoqol(const v1::QualityOfLifeAssessment& a,
                                         const std::string& parent = "") {
    v1::QualityOfLifeAssessment out;
    grpc::Status s = CreateWhoqol(Bnnk(), a, &out, parent);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    return out;
  }
  grpc::Status VoidUrine(std::unique_ptr<grpc::ClientContext> ctx, const std::string& name,
                         v1::UrineTest* out, const std::string& reason = "entered in error",
                         const std::string& etag = "") {
    v1::VoidUrineTestRequest req;
    req.set_name(name);
    req.set_reason(reason);
    req.set_etag(etag);
    return outcomes_->VoidUrineTest(ctx.get(), req, out);
  }
  std::vector<v1::UrineTest> ListUrine(const std::string& parent, bool show_voided = false) {
    v1::ListUrineTestsRequest req;
    req.set_parent(parent);
    req.set_show_voided(show_voided);
    v1::ListUrineTestsResponse resp;
    grpc::Status s = outcomes_->ListUrineTests(Bnnk().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.urine_tests().begin(), resp.urine_tests().end()};
  }
  std::vector<v1::QualityOfLifeAssessment> ListWhoqol(const std::string& parent) {
    v1::ListQualityOfLifeAssessmentsRequest req;
    req.set_parent(parent);
    v1::ListQualityOfLifeAssessmentsResponse resp;
    grpc::Status s = outcomes_->ListQualityOfLifeAssessments(Bnnk().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.quality_of_life_assessments().begin(), resp.quality_of_life_assessments().end()};
  }

  static std::string Metadata(const grpc::Status& s, const std::string& key) {
    auto info = platform::ErrorInfoOf(platform::FromGrpcStatus(s));
    auto it = info.metadata().find(key);
    return it == info.metadata().end() ? "" : it->second;
  }
  static std::string Describe(const grpc::Status& s) {
    return platform::Describe(platform::FromGrpcStatus(s));
  }
  std::string EveryCase() const { return unit_.name() + "/cases/-"; }

  std::string client_;
  v1::Case case_;
};

// ---- WHOQOL-BREF scored by the server.

TEST_P(OutcomesTest, WhoqolScoresThroughTheApiEqualTheRules) {
  v1::QualityOfLifeAssessment a = Whoqol(v1::ASSESSMENT_POINT_BASELINE, DocsExample());
  // Output-only fields sent by the caller are ignored, never stored.
  a.set_scoring_status(v1::QualityOfLifeAssessment::SCORING_STATUS_SCORED);
  a.mutable_social_relationships()->set_score(20);
  a.set_scoring_version("mine");
  v1::QualityOfLifeAssessment made;
  grpc::Status s = CreateWhoqol(Agent(), a, &made);  // an agent of the unit records it
  ASSERT_TRUE(s.ok()) << Describe(s);

  EXPECT_THAT(made.name(), ::testing::StartsWith(case_.name() + "/qualityOfLifeAssessments/"));
  EXPECT_EQ(made.scoring_status(), v1::QualityOfLifeAssessment::SCORING_STATUS_PARTIAL);
  EXPECT_EQ(made.missing_items(), 3);
  EXPECT_EQ(made.scoring_version(), "whoqol-bref/1");
  EXPECT_EQ(made.state(), v1::RECORD_STATE_RECORDED);
  EXPECT_EQ(made.create_actor(), agent_.name());
  EXPECT_EQ(made.etag(), "1");
  // Physical: (4 + 5 + 3 + 4 + 3 + 3) / 6 x 4 = 14.67; 66.67 on 0-100.
  EXPECT_TRUE(made.physical().scored());
  EXPECT_EQ(made.physical().answered_items(), 6);
  EXPECT_EQ(made.physical().missing_items(), 1);
  EXPECT_DOUBLE_EQ(made.physical().score(), 4.0 * 22 / 6);
  EXPECT_DOUBLE_EQ(made.physical().transformed_score(), (4.0 * 22 / 6 - 4) * 100 / 16);
  EXPECT_NEAR(made.physical().transformed_score(), 66.67, 0.01);
  // Psychological and environment all 3 (Q26 = 3 reversed is 3): 12 and 50.
  EXPECT_DOUBLE_EQ(made.psychological().score(), 12.0);
  EXPECT_DOUBLE_EQ(made.psychological().transformed_score(), 50.0);
  EXPECT_DOUBLE_EQ(made.environment().score(), 12.0);
  EXPECT_DOUBLE_EQ(made.environment().transformed_score(), 50.0);
  // Social relationships, two of three missing: not scored, its scores absent (never 0).
  EXPECT_FALSE(made.social_relationships().scored());
  EXPECT_FALSE(made.social_relationships().has_score());
  EXPECT_FALSE(made.social_relationships().has_transformed_score());
  EXPECT_EQ(made.social_relationships().answered_items(), 1);
  EXPECT_EQ(made.social_relationships().missing_items(), 2);
  // The answers as sent: the missing items stay absent.
  EXPECT_FALSE(made.answers().has_q16());
  EXPECT_EQ(made.answers().q3(), 2);

  // Exactly the rules' numbers.
  auto rules = rules::ScoreWhoqol(RulesAnswers(DocsExample()), "answers");
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(made.physical().score(), *rules->physical.score);
  EXPECT_EQ(made.physical().transformed_score(), *rules->physical.transformed_score);
  EXPECT_EQ(made.psychological().score(), *rules->psychological.score);
  EXPECT_EQ(made.environment().transformed_score(), *rules->environment.transformed_score);
  EXPECT_FALSE(rules->social.score.has_value());

  v1::GetQualityOfLifeAssessmentRequest get;
  get.set_name(made.name());
  v1::QualityOfLifeAssessment got;
  ASSERT_TRUE(outcomes_->GetQualityOfLifeAssessment(Bnnk().get(), get, &got).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, made))
      << got.DebugString() << "\nvs\n"
      << made.DebugString();

  // Every item answered: SCORED; the worst answers give a real 0.0 (present).
  v1::WhoqolBrefAnswers worst = All(1);
  worst.set_q3(5);
  worst.set_q4(5);
  worst.set_q26(5);
  v1::QualityOfLifeAssessment low = MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_MONITORING, worst));
  EXPECT_EQ(low.scoring_status(), v1::QualityOfLifeAssessment::SCORING_STATUS_SCORED);
  EXPECT_EQ(low.missing_items(), 0);
  for (const auto* d :
       {&low.physical(), &low.psychological(), &low.social_relationships(), &low.environment()}) {
    EXPECT_TRUE(d->scored());
    ASSERT_TRUE(d->has_score());
    EXPECT_DOUBLE_EQ(d->score(), 4.0);
    ASSERT_TRUE(d->has_transformed_score());
    EXPECT_DOUBLE_EQ(d->transformed_score(), 0.0);
  }
}

TEST_P(OutcomesTest, AFormWithSixMissingItemsIsStoredDiscardedAndNotScored) {
  v1::WhoqolBrefAnswers a = All(4);
  for (int item : {1, 2, 5, 8, 20, 26}) Clear(a, item);
  v1::QualityOfLifeAssessment made = MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_BASELINE, a));
  EXPECT_EQ(made.scoring_status(), v1::QualityOfLifeAssessment::SCORING_STATUS_DISCARDED);
  EXPECT_EQ(made.missing_items(), 6);
  for (const auto* d : {&made.physical(), &made.psychological(), &made.social_relationships(),
                        &made.environment()}) {
    EXPECT_FALSE(d->scored());
    EXPECT_FALSE(d->has_score());
    EXPECT_FALSE(d->has_transformed_score());
  }
  EXPECT_EQ(made.social_relationships().missing_items(), 1);
  // Five missing is still scored.
  Clear(a, 1);
  a.set_q26(2);
  v1::QualityOfLifeAssessment five = MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_MONITORING, a));
  EXPECT_EQ(five.missing_items(), 5);
  EXPECT_EQ(five.scoring_status(), v1::QualityOfLifeAssessment::SCORING_STATUS_SCORED);
  // Psychological without Q5: (4 + 4 + 4 + 4 + (6 - 2)) / 5 x 4 = 16.
  EXPECT_DOUBLE_EQ(five.psychological().score(), 16.0);
}

// ---- Urine tests read by the server.

TEST_P(OutcomesTest, AnExplainedPositiveIsNotUse) {
  v1::UrineTest t = Urine(v1::ASSESSMENT_POINT_BASELINE);
  *t.add_results() = Ptrm();
  t.set_outcome(v1::URINE_TEST_OUTCOME_POSITIVE);  // output only: ignored
  t.set_facility("Puskesmas Cibeunying");
  v1::UrineTest made = MustUrine(t);
  EXPECT_THAT(made.name(), ::testing::StartsWith(case_.name() + "/urineTests/"));
  EXPECT_EQ(made.outcome(), v1::URINE_TEST_OUTCOME_NEGATIVE);
  EXPECT_TRUE(made.any_positive());
  EXPECT_THAT(made.positive_classes(), ElementsAre(v1::DRUG_CLASS_METHADONE));
  EXPECT_THAT(made.explained_positive_classes(), ElementsAre(v1::DRUG_CLASS_METHADONE));
  EXPECT_THAT(made.unexplained_positive_classes(), IsEmpty());
  EXPECT_FALSE(made.any_invalid());
  EXPECT_EQ(made.results_size(), 7);
  EXPECT_EQ(made.results(6).prescription().prescriber(), "PTRM RSUD Kota Bandung");
  EXPECT_EQ(made.create_actor(), "officer-bnnk-32.73");
  EXPECT_EQ(made.state(), v1::RECORD_STATE_RECORDED);

  // Cannabis positive beside it: use, whatever the explained line.
  v1::UrineTest u = Urine(v1::ASSESSMENT_POINT_MONITORING, D(2026, 4, 1));
  *u.add_results() = Ptrm();
  u.mutable_results(3)->set_result(v1::PANEL_RESULT_POSITIVE);  // cannabis
  u.mutable_results(4)->set_result(v1::PANEL_RESULT_INVALID);   // opiates
  v1::UrineTest positive = MustUrine(u);
  EXPECT_EQ(positive.outcome(), v1::URINE_TEST_OUTCOME_POSITIVE);
  EXPECT_THAT(positive.positive_classes(),
              ElementsAre(v1::DRUG_CLASS_CANNABIS, v1::DRUG_CLASS_METHADONE));
  EXPECT_THAT(positive.unexplained_positive_classes(), ElementsAre(v1::DRUG_CLASS_CANNABIS));
  EXPECT_THAT(positive.explained_positive_classes(), ElementsAre(v1::DRUG_CLASS_METHADONE));
  EXPECT_TRUE(positive.any_invalid());

  // An invalid line and nothing unexplained: inconclusive (repeat the test).
  v1::UrineTest w = Urine(v1::ASSESSMENT_POINT_MONITORING, D(2026, 5, 1));
  w.mutable_results(0)->set_result(v1::PANEL_RESULT_INVALID);
  v1::UrineTest inconclusive = MustUrine(w);
  EXPECT_EQ(inconclusive.outcome(), v1::URINE_TEST_OUTCOME_INCONCLUSIVE);
  EXPECT_FALSE(inconclusive.any_positive());

  v1::GetUrineTestRequest get;
  get.set_name(made.name());
  v1::UrineTest got;
  ASSERT_TRUE(outcomes_->GetUrineTest(Officer("bnn").get(), get, &got).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, made));

  // BASIC lists leave out kit and lines; the outcome and the class lists stay. Newest first.
  std::vector<v1::UrineTest> basic = ListUrine(case_.name());
  ASSERT_EQ(basic.size(), 3u);
  EXPECT_EQ(basic[0].name(), inconclusive.name());
  EXPECT_EQ(basic[2].name(), made.name());
  EXPECT_FALSE(basic[2].has_kit());
  EXPECT_EQ(basic[2].results_size(), 0);
  EXPECT_EQ(basic[2].outcome(), v1::URINE_TEST_OUTCOME_NEGATIVE);
  EXPECT_THAT(basic[2].explained_positive_classes(), ElementsAre(v1::DRUG_CLASS_METHADONE));
  v1::ListUrineTestsRequest full;
  full.set_parent(case_.name());
  full.set_view(v1::RECORD_VIEW_FULL);
  v1::ListUrineTestsResponse page;
  ASSERT_TRUE(outcomes_->ListUrineTests(Bnnk().get(), full, &page).ok());
  ASSERT_EQ(page.urine_tests_size(), 3);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(page.urine_tests(2), made));
}

// ---- Assessment points against the case's state.

TEST_P(OutcomesTest, MonitoringRepeatsBaselineAndExitAreOnceEach) {
  for (int m = 2; m <= 4; ++m) MustUrine(Urine(v1::ASSESSMENT_POINT_MONITORING, D(2026, m, 1)));
  for (int m = 2; m <= 3; ++m) {
    MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_MONITORING, All(3), D(2026, m, 1)));
  }
  v1::UrineTest baseline = MustUrine(Urine(v1::ASSESSMENT_POINT_BASELINE));
  v1::UrineTest out;
  grpc::Status s = CreateUrine(Bnnk(), Urine(v1::ASSESSMENT_POINT_BASELINE), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(s), "ASSESSMENT_POINT_TAKEN");
  EXPECT_EQ(Metadata(s, "existing"), baseline.name());

  // A correction supersedes it: the old one voided, pointing to the new one.
  v1::UrineTest fix = Urine(v1::ASSESSMENT_POINT_BASELINE, D(2026, 3, 1));
  fix.set_supersedes(baseline.name());
  v1::UrineTest corrected = MustUrine(fix);
  EXPECT_EQ(corrected.supersedes(), baseline.name());
  v1::GetUrineTestRequest get;
  get.set_name(baseline.name());
  v1::UrineTest old;
  ASSERT_TRUE(outcomes_->GetUrineTest(Bnnk().get(), get, &old).ok());
  EXPECT_EQ(old.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(old.voiding().superseded_by(), corrected.name());
  EXPECT_EQ(old.etag(), "2");
  // A voided record cannot be superseded again.
  s = CreateUrine(Bnnk(), fix, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "ALREADY_VOIDED");
  EXPECT_EQ(ListUrine(case_.name()).size(), 4u);  // three monitoring, one baseline

  // The same for WHOQOL-BREF: one EXIT.
  v1::QualityOfLifeAssessment exit = MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_EXIT));
  v1::QualityOfLifeAssessment again;
  s = CreateWhoqol(Bnnk(), Whoqol(v1::ASSESSMENT_POINT_EXIT), &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(s), "ASSESSMENT_POINT_TAKEN");
  EXPECT_EQ(Metadata(s, "existing"), exit.name());

  // FOLLOW_UP waits for a COMPLETED case.
  s = CreateUrine(Bnnk(), Urine(v1::ASSESSMENT_POINT_FOLLOW_UP), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "CASE_NOT_OPEN");
  EXPECT_THAT(s.error_message(), HasSubstr("ENROLLED"));
}

TEST_P(OutcomesTest, ACompletedCaseTakesExitAndFollowUpADroppedOutCaseNothing) {
  Intervene(case_);
  ASSERT_TRUE(Complete(case_, "kit out of stock at exit").ok());
  ASSERT_EQ(case_.state(), v1::CASE_STATE_COMPLETED);
  MustUrine(Urine(v1::ASSESSMENT_POINT_EXIT, D(2026, 7, 1)));
  MustUrine(Urine(v1::ASSESSMENT_POINT_FOLLOW_UP, D(2026, 9, 1)));
  MustUrine(Urine(v1::ASSESSMENT_POINT_FOLLOW_UP, D(2026, 10, 1)));
  MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_FOLLOW_UP, All(4), D(2026, 9, 2)));
  EXPECT_EQ(ListUrine(case_.name()).size(), 3u);
  for (auto point : {v1::ASSESSMENT_POINT_BASELINE, v1::ASSESSMENT_POINT_MONITORING}) {
    v1::UrineTest out;
    grpc::Status s = CreateUrine(Bnnk(), Urine(point, D(2026, 7, 2)), &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << point;
    EXPECT_EQ(ReasonOf(s), "CASE_NOT_OPEN") << point;
    v1::QualityOfLifeAssessment a;
    s = CreateWhoqol(Bnnk(), Whoqol(point), &a);
    EXPECT_EQ(ReasonOf(s), "CASE_NOT_OPEN") << point;
  }

  v1::Case dropped = Enroll(NewClient());
  ASSERT_TRUE(DropOut(dropped).ok());
  for (auto point : {v1::ASSESSMENT_POINT_BASELINE, v1::ASSESSMENT_POINT_MONITORING,
                     v1::ASSESSMENT_POINT_EXIT, v1::ASSESSMENT_POINT_FOLLOW_UP}) {
    v1::UrineTest out;
    grpc::Status s = CreateUrine(Bnnk(), Urine(point, D(2026, 7, 2)), &out, dropped.name());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << point;
    EXPECT_EQ(ReasonOf(s), "CASE_NOT_OPEN") << point;
    EXPECT_THAT(s.error_message(), HasSubstr("DROPPED_OUT"));
    v1::QualityOfLifeAssessment a;
    s = CreateWhoqol(Bnnk(), Whoqol(point), &a, dropped.name());
    EXPECT_EQ(ReasonOf(s), "CASE_NOT_OPEN") << point;
  }
  EXPECT_THAT(ListUrine(dropped.name()), IsEmpty());
  // A case that does not exist.
  v1::UrineTest out;
  grpc::Status s = CreateUrine(Bnnk(), Urine(v1::ASSESSMENT_POINT_EXIT), &out,
                               unit_.name() + "/cases/nosuchcase1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

// ---- CompleteCase's exit check.

TEST_P(OutcomesTest, CompleteCaseNeedsAnExitUrineTestAndAScoredExitWhoqolOrAWaiver) {
  Intervene(case_);
  grpc::Status s = Complete(case_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "EXIT_ASSESSMENT_MISSING");
  EXPECT_EQ(Metadata(s, "missing"), "urine_test,quality_of_life");
  // Monitoring never counts as exit.
  MustUrine(Urine(v1::ASSESSMENT_POINT_MONITORING));
  MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_MONITORING));
  s = Complete(case_);
  EXPECT_EQ(Metadata(s, "missing"), "urine_test,quality_of_life");
  // The EXIT urine test (a positive one is enough: CompleteCase needs a test, not a negative).
  v1::UrineTest exit_urine = Urine(v1::ASSESSMENT_POINT_EXIT, D(2026, 6, 1));
  exit_urine.mutable_results(3)->set_result(v1::PANEL_RESULT_POSITIVE);
  ASSERT_EQ(MustUrine(exit_urine).outcome(), v1::URINE_TEST_OUTCOME_POSITIVE);
  s = Complete(case_);
  EXPECT_EQ(ReasonOf(s), "EXIT_ASSESSMENT_MISSING");
  EXPECT_EQ(Metadata(s, "missing"), "quality_of_life");
  EXPECT_THAT(s.error_message(), HasSubstr("no scored EXIT WHOQOL-BREF"));
  // A DISCARDED EXIT form does not count.
  v1::WhoqolBrefAnswers sparse = All(4);
  for (int item : {3, 4, 5, 6, 7, 8}) Clear(sparse, item);
  v1::QualityOfLifeAssessment discarded =
      MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_EXIT, sparse, D(2026, 6, 2)));
  ASSERT_EQ(discarded.scoring_status(), v1::QualityOfLifeAssessment::SCORING_STATUS_DISCARDED);
  s = Complete(case_);
  EXPECT_EQ(Metadata(s, "missing"), "quality_of_life");
  // Its correction, PARTIAL, does.
  v1::QualityOfLifeAssessment partial =
      Whoqol(v1::ASSESSMENT_POINT_EXIT, DocsExample(), D(2026, 6, 2));
  partial.set_supersedes(discarded.name());
  ASSERT_EQ(MustWhoqol(partial).scoring_status(),
            v1::QualityOfLifeAssessment::SCORING_STATUS_PARTIAL);
  // With both, a waiver is refused...
  s = Complete(case_, "no reason");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("exit_assessment_waiver"));
  // ...and none is needed.
  s = Complete(case_);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(case_.state(), v1::CASE_STATE_COMPLETED);
  EXPECT_EQ(case_.exit_assessment_waiver(), "");
}

TEST_P(OutcomesTest, AVoidedExitUrineTestNoLongerCountsAndAWaiverStillCompletes) {
  Intervene(case_);
  v1::UrineTest urine = MustUrine(Urine(v1::ASSESSMENT_POINT_EXIT, D(2026, 6, 1)));
  MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_EXIT, All(4), D(2026, 6, 1)));
  v1::UrineTest voided;
  ASSERT_TRUE(VoidUrine(Bnnk(), urine.name(), &voided).ok());
  grpc::Status s = Complete(case_);
  EXPECT_EQ(ReasonOf(s), "EXIT_ASSESSMENT_MISSING");
  EXPECT_EQ(Metadata(s, "missing"), "urine_test");
  EXPECT_THAT(s.error_message(), HasSubstr("no EXIT urine test"));
  s = Complete(case_, "client moved before the exit test");
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(case_.exit_assessment_waiver(), "client moved before the exit test");
}

// ---- Bad input, named field by field; nothing half-written.

TEST_P(OutcomesTest, BadUrineTestsNameTheField) {
  const absl::CivilDay tomorrow = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + 2;
  const google::type::Date future =
      D(static_cast<int>(tomorrow.year()), tomorrow.month(), tomorrow.day());
  struct Case {
    std::function<void(v1::UrineTest&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& t) { t.clear_assessment_point(); }, "urine_test.assessment_point"},
      {[](auto& t) { t.set_assessment_point(static_cast<v1::AssessmentPoint>(9)); },
       "urine_test.assessment_point"},
      {[](auto& t) { t.clear_test_date(); }, "urine_test.test_date"},
      {[&](auto& t) { *t.mutable_test_date() = future; }, "urine_test.test_date"},
      {[](auto& t) { *t.mutable_test_date() = D(2026, 2, 30); }, "urine_test.test_date"},
      {[](auto& t) { t.clear_kit(); }, "urine_test.kit.product"},
      {[](auto& t) { t.mutable_kit()->set_product(std::string(201, 'k')); },
       "urine_test.kit.product"},
      {[](auto& t) { t.mutable_kit()->set_lot_number(std::string(101, 'l')); },
       "urine_test.kit.lot_number"},
      {[](auto& t) { *t.mutable_kit()->mutable_expiry_date() = D(2026, 3, 1); },
       "urine_test.kit.expiry_date"},
      {[](auto& t) { t.clear_results(); }, "urine_test.results"},
      {[](auto& t) {
         for (int i = 0; i < 15; ++i) *t.add_results() = t.results(0);
       },
       "urine_test.results"},
      {[](auto& t) { t.mutable_results(1)->set_drug_class(static_cast<v1::DrugClass>(99)); },
       "urine_test.results[1].drug_class"},
      {[](auto& t) { t.mutable_results(1)->set_drug_class(v1::DRUG_CLASS_UNSPECIFIED); },
       "urine_test.results[1].drug_class"},
      {[](auto& t) { t.mutable_results(2)->set_drug_class(v1::DRUG_CLASS_AMPHETAMINE); },
       "urine_test.results[2].drug_class"},
      {[](auto& t) { t.mutable_results(0)->set_drug_class(v1::DRUG_CLASS_OTHER); },
       "urine_test.results[0].other_class"},
      {[](auto& t) { t.mutable_results(0)->set_other_class("x"); },
       "urine_test.results[0].other_class"},
      {[](auto& t) { t.mutable_results(0)->clear_result(); }, "urine_test.results[0].result"},
      {[](auto& t) {
         *t.add_results() = Ptrm();
         t.mutable_results(6)->set_result(v1::PANEL_RESULT_NEGATIVE);
       },
       "urine_test.results[6].prescription"},
      {[](auto& t) {
         *t.add_results() = Ptrm();
         t.mutable_results(6)->mutable_prescription()->set_kind(
             v1::PrescriptionExplanation::KIND_PRESCRIBED_BENZODIAZEPINE);
       },
       "urine_test.results[6].prescription.kind"},
      {[](auto& t) {
         *t.add_results() = Ptrm();
         t.mutable_results(6)->mutable_prescription()->clear_kind();
       },
       "urine_test.results[6].prescription.kind"},
      {[](auto& t) {
         *t.add_results() = Ptrm();
         t.mutable_results(6)->mutable_prescription()->set_document_sha256(std::string(64, 'B'));
       },
       "urine_test.results[6].prescription.document_sha256"},
      {[](auto& t) {
         *t.add_results() = Ptrm();
         t.mutable_results(6)->mutable_prescription()->set_prescriber(std::string(201, 'p'));
       },
       "urine_test.results[6].prescription.prescriber"},
      {[](auto& t) { t.clear_tested_by(); }, "urine_test.tested_by"},
      {[this](auto& t) { t.set_tested_by(agent_.name()); }, "urine_test.tested_by"},
      {[](auto& t) { t.set_tested_by("satkers/bnnp-33/officers/o2"); }, "urine_test.tested_by"},
      {[](auto& t) { t.set_facility(std::string(201, 'f')); }, "urine_test.facility"},
      {[this](auto& t) { t.set_supersedes(unit_.name() + "/cases/other1/urineTests/t1"); },
       "urine_test.supersedes"},
      {[this](auto& t) { t.set_supersedes(case_.name() + "/urineTests/nosuchtest1"); },
       "urine_test.supersedes"},
      // Before the case's enrollment (2026-01-10): checked in the transaction.
      {[](auto& t) {
         *t.mutable_test_date() = D(2026, 1, 9);
         *t.mutable_kit()->mutable_expiry_date() = D(2026, 1, 31);
       },
       "urine_test.test_date"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::UrineTest t = Urine(v1::ASSESSMENT_POINT_MONITORING);
    cases[i].edit(t);
    v1::UrineTest out;
    grpc::Status s = CreateUrine(Bnnk(), t, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(s, HasField(cases[i].field)) << i;
  }
  v1::UrineTest out;
  grpc::Status s = CreateUrine(Bnnk(), Urine(v1::ASSESSMENT_POINT_MONITORING), &out,
                               unit_.name() + "/cases/Bad");
  EXPECT_THAT(s, HasField("parent"));
  v1::CreateUrineTestRequest no_id;
  no_id.set_parent(case_.name());
  *no_id.mutable_urine_test() = Urine(v1::ASSESSMENT_POINT_MONITORING);
  s = outcomes_->CreateUrineTest(Bnnk().get(), no_id, &out);
  EXPECT_THAT(s, HasField("request_id"));
  // Nothing was stored.
  EXPECT_THAT(ListUrine(EveryCase(), /*show_voided=*/true), IsEmpty());
}

TEST_P(OutcomesTest, BadAssessmentsNameTheField) {
  const absl::CivilDay tomorrow = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + 2;
  struct Case {
    std::function<void(v1::QualityOfLifeAssessment&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& a) { a.mutable_answers()->set_q17(0); }, "quality_of_life_assessment.answers.q17"},
      {[](auto& a) { a.mutable_answers()->set_q3(6); }, "quality_of_life_assessment.answers.q3"},
      {[](auto& a) { a.mutable_answers()->set_q26(-1); }, "quality_of_life_assessment.answers.q26"},
      {[](auto& a) { a.clear_answers(); }, "quality_of_life_assessment.answers"},
      {[](auto& a) { a.clear_assessment_point(); }, "quality_of_life_assessment.assessment_point"},
      {[](auto& a) { a.clear_mode(); }, "quality_of_life_assessment.mode"},
      {[](auto& a) { a.set_mode(static_cast<v1::QualityOfLifeAssessment::Mode>(7)); },
       "quality_of_life_assessment.mode"},
      {[](auto& a) { a.clear_assessment_date(); }, "quality_of_life_assessment.assessment_date"},
      {[&](auto& a) {
         *a.mutable_assessment_date() =
             D(static_cast<int>(tomorrow.year()), tomorrow.month(), tomorrow.day());
       },
       "quality_of_life_assessment.assessment_date"},
      {[](auto& a) { *a.mutable_assessment_date() = D(2025, 12, 31); },
       "quality_of_life_assessment.assessment_date"},
      {[](auto& a) { a.clear_administered_by(); }, "quality_of_life_assessment.administered_by"},
      {[this](auto& a) { a.set_administered_by(other_agent_.name()); },
       "quality_of_life_assessment.administered_by"},
      {[this](auto& a) { a.set_administered_by(unit_.name() + "/agents/nosuchagent1"); },
       "quality_of_life_assessment.administered_by"},
      {[](auto& a) { a.set_administered_by("satkers/bnnp-33/officers/o2"); },
       "quality_of_life_assessment.administered_by"},
      {[](auto& a) { a.set_form_version(""); }, "quality_of_life_assessment.form_version"},
      {[](auto& a) { a.set_form_version(std::string(101, 'v')); },
       "quality_of_life_assessment.form_version"},
      {[this](auto& a) { a.set_supersedes(case_.name() + "/urineTests/t1"); },
       "quality_of_life_assessment.supersedes"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::QualityOfLifeAssessment a = Whoqol(v1::ASSESSMENT_POINT_MONITORING);
    cases[i].edit(a);
    v1::QualityOfLifeAssessment out;
    grpc::Status s = CreateWhoqol(Bnnk(), a, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(s, HasField(cases[i].field)) << i;
  }
  // Every item out of range named at once.
  v1::QualityOfLifeAssessment a = Whoqol(v1::ASSESSMENT_POINT_MONITORING);
  a.mutable_answers()->set_q1(0);
  a.mutable_answers()->set_q2(9);
  v1::QualityOfLifeAssessment out;
  grpc::Status s = CreateWhoqol(Bnnk(), a, &out);
  EXPECT_THAT(s, HasField("quality_of_life_assessment.answers.q1"));
  EXPECT_THAT(s, HasField("quality_of_life_assessment.answers.q2"));
  EXPECT_THAT(ListWhoqol(EveryCase()), IsEmpty());
}

// ---- Voiding, idempotent creates, pagination.

TEST_P(OutcomesTest, VoidOnceWithReasonAndEtag) {
  v1::UrineTest t = MustUrine(Urine(v1::ASSESSMENT_POINT_EXIT));
  v1::UrineTest out;
  grpc::Status s = VoidUrine(Bnnk(), t.name(), &out, "");
  EXPECT_THAT(s, HasField("reason"));
  s = VoidUrine(Bnnk(), t.name(), &out, std::string(501, 'r'));
  EXPECT_THAT(s, HasField("reason"));
  s = VoidUrine(Bnnk(), t.name(), &out, "wrong client", "7");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(s), "ETAG_MISMATCH");
  s = VoidUrine(Bnnk(), t.name(), &out, "wrong client", t.etag());
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(out.voiding().reason(), "wrong client");
  EXPECT_EQ(out.voiding().actor(), "officer-bnnk-32.73");
  EXPECT_EQ(out.voiding().superseded_by(), "");
  EXPECT_EQ(out.etag(), "2");
  EXPECT_EQ(out.outcome(), v1::URINE_TEST_OUTCOME_NEGATIVE);
  s = VoidUrine(Bnnk(), t.name(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "ALREADY_VOIDED");
  s = VoidUrine(Bnnk(), case_.name() + "/urineTests/nosuchtest1", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = VoidUrine(Bnnk(), case_.name() + "/urineTests/", &out);
  EXPECT_THAT(s, HasField("name"));
  // Voided: still read by Get, listed only with show_voided; its EXIT point is free again.
  EXPECT_THAT(ListUrine(case_.name()), IsEmpty());
  ASSERT_EQ(ListUrine(case_.name(), /*show_voided=*/true).size(), 1u);
  MustUrine(Urine(v1::ASSESSMENT_POINT_EXIT));

  v1::QualityOfLifeAssessment a = MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_BASELINE));
  v1::VoidQualityOfLifeAssessmentRequest req;
  req.set_name(a.name());
  req.set_reason("entered twice");
  req.set_etag(a.etag());
  v1::QualityOfLifeAssessment voided;
  ASSERT_TRUE(outcomes_->VoidQualityOfLifeAssessment(Bnnk().get(), req, &voided).ok());
  EXPECT_EQ(voided.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_DOUBLE_EQ(voided.environment().score(), 16.0);  // the scores stay as they were
  s = outcomes_->VoidQualityOfLifeAssessment(Bnnk().get(), req, &voided);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);  // the etag moved on
  req.clear_etag();
  s = outcomes_->VoidQualityOfLifeAssessment(Bnnk().get(), req, &voided);
  EXPECT_EQ(ReasonOf(s), "ALREADY_VOIDED");
}

TEST_P(OutcomesTest, ARetryReturnsTheFirstRecord) {
  v1::UrineTest first, second, out;
  ASSERT_TRUE(
      CreateUrine(Bnnk(), Urine(v1::ASSESSMENT_POINT_BASELINE), &first, "", "urine-1").ok());
  grpc::Status s =
      CreateUrine(Bnnk(), Urine(v1::ASSESSMENT_POINT_BASELINE), &second, "", "urine-1");
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(second.name(), first.name());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second));
  s = CreateUrine(Bnnk(), Urine(v1::ASSESSMENT_POINT_MONITORING), &out, "", "urine-1");
  EXPECT_THAT(s, HasField("request_id"));
  EXPECT_EQ(ListUrine(case_.name()).size(), 1u);

  v1::QualityOfLifeAssessment a1, a2;
  ASSERT_TRUE(CreateWhoqol(Agent(), Whoqol(v1::ASSESSMENT_POINT_EXIT), &a1, "", "qol-1").ok());
  ASSERT_TRUE(CreateWhoqol(Agent(), Whoqol(v1::ASSESSMENT_POINT_EXIT), &a2, "", "qol-1").ok());
  EXPECT_EQ(a1.name(), a2.name());
  EXPECT_EQ(ListWhoqol(case_.name()).size(), 1u);
}

TEST_P(OutcomesTest, ListsPaginateNewestFirstOverACaseOrTheUnit) {
  v1::Case second = Enroll(NewClient());
  std::vector<std::string> names;  // newest first
  for (int d = 5; d >= 1; --d) {
    names.push_back(MustUrine(Urine(v1::ASSESSMENT_POINT_MONITORING, D(2026, 3, d)),
                              d % 2 ? case_.name() : second.name())
                        .name());
  }
  v1::ListUrineTestsRequest req;
  req.set_parent(EveryCase());
  req.set_page_size(2);
  std::vector<std::string> seen;
  std::vector<int> sizes;
  do {
    v1::ListUrineTestsResponse resp;
    grpc::Status s = outcomes_->ListUrineTests(Bnnk().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << Describe(s);
    sizes.push_back(resp.urine_tests_size());
    for (const auto& t : resp.urine_tests()) seen.push_back(t.name());
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty() && sizes.size() < 10);
  EXPECT_EQ(seen, names);
  EXPECT_THAT(sizes, ElementsAre(2, 2, 1));
  EXPECT_EQ(ListUrine(case_.name()).size(), 3u);
  EXPECT_EQ(ListUrine(second.name()).size(), 2u);

  // A token is good for its own query only.
  req.set_page_token("");
  v1::ListUrineTestsResponse first;
  ASSERT_TRUE(outcomes_->ListUrineTests(Bnnk().get(), req, &first).ok());
  v1::ListUrineTestsRequest other = req;
  other.set_page_token(first.next_page_token());
  other.set_assessment_point(v1::ASSESSMENT_POINT_MONITORING);
  v1::ListUrineTestsResponse resp;
  grpc::Status s = outcomes_->ListUrineTests(Bnnk().get(), other, &resp);
  EXPECT_THAT(s, HasField("page_token"));
  other = req;
  other.set_page_size(-1);
  EXPECT_THAT(outcomes_->ListUrineTests(Bnnk().get(), other, &resp), HasField("page_size"));
  other = req;
  other.set_view(static_cast<v1::RecordView>(5));
  EXPECT_THAT(outcomes_->ListUrineTests(Bnnk().get(), other, &resp), HasField("view"));
  other = req;
  other.set_parent(unit_.name() + "/cases");
  EXPECT_THAT(outcomes_->ListUrineTests(Bnnk().get(), other, &resp), HasField("parent"));
  other = req;
  other.set_parent(unit_.name() + "/cases/nosuchcase1");
  EXPECT_EQ(outcomes_->ListUrineTests(Bnnk().get(), other, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The point filter.
  MustUrine(Urine(v1::ASSESSMENT_POINT_BASELINE));
  other = req;
  other.set_page_size(0);
  other.set_assessment_point(v1::ASSESSMENT_POINT_BASELINE);
  ASSERT_TRUE(outcomes_->ListUrineTests(Bnnk().get(), other, &resp).ok());
  ASSERT_EQ(resp.urine_tests_size(), 1);
  EXPECT_EQ(resp.urine_tests(0).assessment_point(), v1::ASSESSMENT_POINT_BASELINE);

  // WHOQOL-BREF lists page the same way; BASIC leaves out the answers, not the scores.
  for (int d = 1; d <= 3; ++d) {
    MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_MONITORING, All(3), D(2026, 4, d)));
  }
  v1::ListQualityOfLifeAssessmentsRequest qreq;
  qreq.set_parent(case_.name());
  qreq.set_page_size(2);
  v1::ListQualityOfLifeAssessmentsResponse page1, page2;
  ASSERT_TRUE(outcomes_->ListQualityOfLifeAssessments(Agent().get(), qreq, &page1).ok());
  ASSERT_EQ(page1.quality_of_life_assessments_size(), 2);
  EXPECT_EQ(page1.quality_of_life_assessments(0).assessment_date().day(), 3);
  EXPECT_FALSE(page1.quality_of_life_assessments(0).has_answers());
  EXPECT_DOUBLE_EQ(page1.quality_of_life_assessments(0).physical().score(), 12.0);
  qreq.set_page_token(page1.next_page_token());
  ASSERT_TRUE(outcomes_->ListQualityOfLifeAssessments(Agent().get(), qreq, &page2).ok());
  ASSERT_EQ(page2.quality_of_life_assessments_size(), 1);
  EXPECT_EQ(page2.quality_of_life_assessments(0).assessment_date().day(), 1);
  EXPECT_EQ(page2.next_page_token(), "");
}

// ---- Access.

TEST_P(OutcomesTest, AccessPerMethod) {
  v1::UrineTest urine = MustUrine(Urine(v1::ASSESSMENT_POINT_MONITORING));
  v1::QualityOfLifeAssessment qol = MustWhoqol(Whoqol(v1::ASSESSMENT_POINT_MONITORING));
  // Semarang's case, of BNNP 33.
  v1::Case far = Enroll(NewClient(/*other=*/true), /*other=*/true);
  ASSERT_FALSE(far.name().empty());

  using Ctx = std::function<std::unique_ptr<grpc::ClientContext>()>;
  // Every method on `parent`'s records (`urine_name` / `qol_name` for Get and Void).
  auto call_all = [&](const Ctx& ctx, const std::string& parent, const std::string& urine_name,
                      const std::string& qol_name) {
    std::vector<std::pair<std::string, grpc::Status>> out;
    {
      v1::GetUrineTestRequest r;
      r.set_name(urine_name);
      v1::UrineTest o;
      out.emplace_back("GetUrineTest", outcomes_->GetUrineTest(ctx().get(), r, &o));
    }
    {
      v1::ListUrineTestsRequest r;
      r.set_parent(parent);
      v1::ListUrineTestsResponse o;
      out.emplace_back("ListUrineTests", outcomes_->ListUrineTests(ctx().get(), r, &o));
    }
    {
      v1::UrineTest o;
      out.emplace_back("CreateUrineTest",
                       CreateUrine(ctx(), Urine(v1::ASSESSMENT_POINT_MONITORING), &o, parent));
    }
    {
      v1::UrineTest o;
      out.emplace_back("VoidUrineTest", VoidUrine(ctx(), urine_name, &o));
    }
    {
      v1::GetQualityOfLifeAssessmentRequest r;
      r.set_name(qol_name);
      v1::QualityOfLifeAssessment o;
      out.emplace_back("GetQualityOfLifeAssessment",
                       outcomes_->GetQualityOfLifeAssessment(ctx().get(), r, &o));
    }
    {
      v1::ListQualityOfLifeAssessmentsRequest r;
      r.set_parent(parent);
      v1::ListQualityOfLifeAssessmentsResponse o;
      out.emplace_back("ListQualityOfLifeAssessments",
                       outcomes_->ListQualityOfLifeAssessments(ctx().get(), r, &o));
    }
    {
      v1::QualityOfLifeAssessment o;
      out.emplace_back("CreateQualityOfLifeAssessment",
                       CreateWhoqol(ctx(), Whoqol(v1::ASSESSMENT_POINT_MONITORING), &o, parent));
    }
    {
      v1::VoidQualityOfLifeAssessmentRequest r;
      r.set_name(qol_name);
      r.set_reason("entered in error");
      v1::QualityOfLifeAssessment o;
      out.emplace_back("VoidQualityOfLifeAssessment",
                       outcomes_->VoidQualityOfLifeAssessment(ctx().get(), r, &o));
    }
    return out;
  };
  auto expect_all = [&](const std::string& who, const Ctx& ctx, const std::string& parent,
                        const std::string& reason) {
    for (const auto& [method, s] : call_all(ctx, parent, parent + "/urineTests/t1",
                                            parent + "/qualityOfLifeAssessments/a1")) {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << who << " " << method;
      EXPECT_EQ(ReasonOf(s), reason) << who << " " << method;
    }
  };
  // The supervision system, a `service` token, a supervisor: nothing here.
  expect_all(
      "supervision", [&] { return System("supervision"); }, case_.name(), "ROLE_NOT_ALLOWED");
  expect_all(
      "service", [&] { return cases_server_->As("service", "bnn", "svc-1"); }, case_.name(),
      "ROLE_NOT_ALLOWED");
  expect_all(
      "supervisor", [&] { return cases_server_->As("supervisor", "bnnk-32.73", "sup-1"); },
      case_.name(), "ROLE_NOT_ALLOWED");
  // The BNNK outside its regency; the BNNP 33 outside its province.
  expect_all(
      "bnnk on Semarang", [&] { return Bnnk(); }, far.name(), "OUT_OF_SCOPE");
  expect_all(
      "bnnp-33 on Bandung", [&] { return Officer("bnnp-33"); }, case_.name(), "OUT_OF_SCOPE");

  // Agents never see urine tests, not even their own unit's.
  for (const auto& [method, s] :
       call_all([&] { return Agent(); }, case_.name(), urine.name(), qol.name())) {
    if (method.find("Urine") == std::string::npos) continue;
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << method;
    EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED") << method;
  }
  // The agent of the unit records and reads WHOQOL-BREF, but does not void it; the agent of
  // another unit is out of scope.
  for (const auto& [method, s] :
       call_all([&] { return Agent(); }, case_.name(), urine.name(), qol.name())) {
    if (method.find("Quality") == std::string::npos) continue;
    if (method == "VoidQualityOfLifeAssessment") {
      EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
    } else {
      EXPECT_TRUE(s.ok()) << method << ": " << Describe(s);
    }
  }
  for (const auto& [method, s] :
       call_all([&] { return AgentOf(other_agent_); }, case_.name(), urine.name(), qol.name())) {
    if (method.find("Quality") == std::string::npos || method.find("Void") == 0) continue;
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << method;
    EXPECT_EQ(ReasonOf(s), "OUT_OF_SCOPE") << method;
  }

  // BNN central and an auditor read, and write nothing.
  for (const Ctx& reader :
       std::vector<Ctx>{[&] { return Officer("bnn"); },
                        [&] { return cases_server_->As("auditor", "bnnp-32", "aud-1"); }}) {
    v1::GetUrineTestRequest get;
    get.set_name(urine.name());
    v1::UrineTest got;
    EXPECT_TRUE(outcomes_->GetUrineTest(reader().get(), get, &got).ok());
    v1::UrineTest made;
    grpc::Status s = CreateUrine(reader(), Urine(v1::ASSESSMENT_POINT_MONITORING), &made);
    EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
    s = VoidUrine(reader(), urine.name(), &made);
    EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  }
  // The BNNP of the province records in its scope.
  v1::UrineTest made;
  grpc::Status s = CreateUrine(Officer("bnnp-32"), Urine(v1::ASSESSMENT_POINT_MONITORING), &made);
  EXPECT_TRUE(s.ok()) << Describe(s);
}

IBM_ON_BOTH_ENGINES(OutcomesTest);

}  // namespace
}  // namespace ibm::cases
