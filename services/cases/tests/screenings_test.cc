// ScreeningService and RoutingPolicyService on both engines: server-computed ASSIST scores and
// routing through the API, pagination, idempotent creates, bad input named field by field,
// access, and the routing policy's versions (the default loaded once on first start).
#include <thread>

#include "absl/time/civil_time.h"
#include "cases/routing_policy_data.h"
#include "cases/store/clients.h"
#include "cases/tests/cases_fixture.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace ibm::cases {
namespace {

using registry::HasField;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kDefaultPolicy[] = "routingPolicies/ibm-default-1";

v1::SubstanceAnswers Never(v1::Substance s) {
  v1::SubstanceAnswers a;
  a.set_substance(s);
  a.set_q1_ever_used(v1::LIFETIME_ANSWER_NO);
  return a;
}

// Used in the past three months (q2 not NEVER): every question asked (q5 not for tobacco).
v1::SubstanceAnswers Used(v1::Substance s, v1::FrequencyAnswer q2, v1::FrequencyAnswer q3,
                          v1::FrequencyAnswer q4, v1::FrequencyAnswer q5, v1::RecencyAnswer q6,
                          v1::RecencyAnswer q7) {
  v1::SubstanceAnswers a;
  a.set_substance(s);
  a.set_q1_ever_used(v1::LIFETIME_ANSWER_YES);
  a.set_q2_frequency(q2);
  a.set_q3_urge(q3);
  a.set_q4_problems(q4);
  if (s != v1::SUBSTANCE_TOBACCO) a.set_q5_failed_expectations(q5);
  a.set_q6_concern_expressed(q6);
  a.set_q7_failed_to_cut_down(q7);
  return a;
}

// docs/api.md's examples: alcohol and cannabis both 9 (alcohol low, cannabis moderate);
// tobacco daily, 15 (moderate).
v1::SubstanceAnswers DocsExample(v1::Substance s) {
  return Used(s, v1::FREQUENCY_ANSWER_MONTHLY, v1::FREQUENCY_ANSWER_ONCE_OR_TWICE,
              v1::FREQUENCY_ANSWER_NEVER, v1::FREQUENCY_ANSWER_NEVER,
              v1::RECENCY_ANSWER_YES_NOT_PAST_3_MONTHS, v1::RECENCY_ANSWER_NEVER);
}
v1::SubstanceAnswers DailySmoker() {
  return Used(v1::SUBSTANCE_TOBACCO, v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY,
              v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY, v1::FREQUENCY_ANSWER_NEVER,
              v1::FREQUENCY_ANSWER_UNSPECIFIED, v1::RECENCY_ANSWER_NEVER,
              v1::RECENCY_ANSWER_YES_NOT_PAST_3_MONTHS);
}

google::type::Date Day(int y, int m, int d) {
  google::type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

class ScreeningsTest : public CasesTest {
 protected:
  void SetUp() override {
    CasesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    client_ = MakeClient(unit_.name(), v1::Client::STATE_ACTIVE);
  }

  // A client row written directly (the ClientService is another file's): `unit` is a unit's
  // name, its satker the fixture's.
  std::string MakeClient(const std::string& unit, int state) {
    store::Client c;
    c.id = NewId("");
    c.unit_id = unit.substr(6);
    const bool bandung = c.unit_id.rfind("32.73", 0) == 0;
    c.satker_id = bandung ? "bnnk-32.73" : "bnnp-33";
    c.village_code = c.unit_id.substr(0, 13);
    c.state = state;
    c.details = v1::Client().SerializeAsString();
    c.create_actor = "officer-bnnk-32.73";
    c.create_time_us = c.update_time_us = absl::ToUnixMicros(absl::Now());
    auto st = cases_db_->Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      return store::Clients(cases_db_->dialect()).Insert(s, c);
    });
    EXPECT_TRUE(st.ok()) << st;
    return "clients/" + c.id;
  }

  // A valid screening of Caringin's unit by its agent: nothing ever used.
  v1::Screening Clean() const {
    v1::Screening s;
    s.set_unit(unit_.name());
    s.set_screener(agent_.name());
    *s.mutable_screening_date() = Day(2025, 6, 2);
    s.set_occasion(v1::SCREENING_OCCASION_OUTREACH);
    for (int n = v1::SUBSTANCE_TOBACCO; n <= v1::SUBSTANCE_OPIOIDS; ++n) {
      *s.add_substances() = Never(static_cast<v1::Substance>(n));
    }
    s.set_q8_injecting(v1::RECENCY_ANSWER_NEVER);
    return s;
  }
  // docs/api.md's example person: a daily smoker who drinks (9, low) and uses cannabis (9,
  // moderate).
  v1::Screening Example() const {
    v1::Screening s = Clean();
    *s.mutable_substances(0) = DailySmoker();
    *s.mutable_substances(1) = DocsExample(v1::SUBSTANCE_ALCOHOL);
    *s.mutable_substances(2) = DocsExample(v1::SUBSTANCE_CANNABIS);
    return s;
  }

  grpc::Status Create(std::unique_ptr<grpc::ClientContext> ctx, const v1::Screening& s,
                      v1::Screening* out, const std::string& request_id = "",
                      const std::string& parent = "") {
    v1::CreateScreeningRequest req;
    req.set_parent(parent.empty() ? client_ : parent);
    *req.mutable_screening() = s;
    req.set_request_id(request_id);
    return screenings_->CreateScreening(ctx.get(), testing::WithRequestId(req), out);
  }
  v1::Screening MustCreate(const v1::Screening& s) {
    v1::Screening out;
    grpc::Status st = Create(Agent(), s, &out);
    EXPECT_TRUE(st.ok()) << platform::Describe(platform::FromGrpcStatus(st));
    return out;
  }
  grpc::Status Get(std::unique_ptr<grpc::ClientContext> ctx, const std::string& name,
                   v1::Screening* out) {
    v1::GetScreeningRequest req;
    req.set_name(name);
    return screenings_->GetScreening(ctx.get(), req, out);
  }
  grpc::Status Void(std::unique_ptr<grpc::ClientContext> ctx, const std::string& name,
                    const std::string& reason, v1::Screening* out, const std::string& etag = "") {
    v1::VoidScreeningRequest req;
    req.set_name(name);
    req.set_reason(reason);
    req.set_etag(etag);
    return screenings_->VoidScreening(ctx.get(), req, out);
  }
  v1::RoutingPolicy ActivePolicy() {
    v1::GetRoutingPolicyRequest req;
    req.set_name("routingPolicies/-active");
    v1::RoutingPolicy p;
    grpc::Status st = policies_->GetRoutingPolicy(Agent().get(), req, &p);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return p;
  }
  // A shipped policy file as BNN central would send it.
  static v1::CreateRoutingPolicyRequest PolicyFile(const char* json) {
    v1::CreateRoutingPolicyRequest req;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &req).ok());
    return req;
  }
  v1::RoutingPolicy CreateAndActivate(v1::CreateRoutingPolicyRequest req) {
    v1::RoutingPolicy draft, active;
    grpc::Status st =
        policies_->CreateRoutingPolicy(Officer("bnn").get(), testing::WithRequestId(req), &draft);
    EXPECT_TRUE(st.ok()) << platform::Describe(platform::FromGrpcStatus(st));
    v1::ActivateRoutingPolicyRequest activate;
    activate.set_name(draft.name());
    activate.set_etag(draft.etag());
    st = policies_->ActivateRoutingPolicy(Officer("bnn").get(), activate, &active);
    EXPECT_TRUE(st.ok()) << platform::Describe(platform::FromGrpcStatus(st));
    return active;
  }
  int64_t PolicyRows() {
    auto rows = cases_db_->Query("SELECT COUNT(*) AS n FROM routing_policies");
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows->front().Int("n") : -1;
  }

  static std::string Reason(const grpc::Status& s) { return ReasonOf(s); }

  std::string client_;
};

// ---- Scoring and routing through the API.

TEST_P(ScreeningsTest, ScoresAsTheRulesAndRoutesOnTheDrugRiskOnly) {
  v1::Screening s = Example();
  auto* brief = s.mutable_brief_intervention();
  brief->set_level(v1::BriefIntervention::LEVEL_BRIEF_INTERVENTION);
  brief->mutable_duration()->set_seconds(15 * 60);
  brief->add_substances_discussed(v1::SUBSTANCE_CANNABIS);
  brief->add_substances_discussed(v1::SUBSTANCE_ALCOHOL);
  brief->set_material_given(true);
  // Output-only fields sent by the caller are ignored, never stored.
  s.set_highest_drug_risk_level(v1::RISK_LEVEL_HIGH);
  s.mutable_substances(2)->set_involvement_score(39);
  v1::Screening made = MustCreate(s);

  EXPECT_THAT(made.name(), ::testing::StartsWith(client_ + "/screenings/"));
  EXPECT_EQ(made.substances(0).involvement_score(), 15);  // 6 + 6 + 0 + 0 + 3, no Q5
  EXPECT_EQ(made.substances(0).risk_level(), v1::RISK_LEVEL_MODERATE);
  EXPECT_EQ(made.substances(1).involvement_score(), 9);            // 3 + 3 + 0 + 0 + 3 + 0
  EXPECT_EQ(made.substances(1).risk_level(), v1::RISK_LEVEL_LOW);  // alcohol: low to 10
  EXPECT_EQ(made.substances(2).involvement_score(), 9);
  EXPECT_EQ(made.substances(2).risk_level(), v1::RISK_LEVEL_MODERATE);  // others: from 4
  for (int i = 3; i < 9; ++i) {
    EXPECT_EQ(made.substances(i).involvement_score(), 0);
    EXPECT_EQ(made.substances(i).risk_level(), v1::RISK_LEVEL_LOW);
  }
  EXPECT_EQ(made.tobacco_risk_level(), v1::RISK_LEVEL_MODERATE);
  EXPECT_EQ(made.alcohol_risk_level(), v1::RISK_LEVEL_LOW);
  EXPECT_EQ(made.highest_drug_risk_level(), v1::RISK_LEVEL_MODERATE);
  EXPECT_THAT(made.highest_drug_risk_substances(), ElementsAre(v1::SUBSTANCE_CANNABIS));
  EXPECT_EQ(made.counted_substances_size(), 9);
  EXPECT_EQ(made.counted_substances(0), v1::SUBSTANCE_ALCOHOL);
  EXPECT_EQ(made.counted_substances(8), v1::SUBSTANCE_OTHER);
  EXPECT_EQ(made.recommendation().routing(), v1::ROUTING_VILLAGE);
  EXPECT_EQ(made.recommendation().routing_policy(), kDefaultPolicy);
  EXPECT_EQ(made.recommendation().rule(), "moderate_risk");
  EXPECT_EQ(made.recommendation().risk_level(), v1::RISK_LEVEL_MODERATE);
  EXPECT_EQ(made.instrument(), "WHO ASSIST v3.1");
  EXPECT_EQ(made.scoring_version(), "assist-3.1/1");
  EXPECT_EQ(made.state(), v1::RECORD_STATE_RECORDED);
  EXPECT_EQ(made.create_actor(), agent_.name());
  EXPECT_EQ(made.etag(), "1");
  EXPECT_EQ(made.brief_intervention().level(), v1::BriefIntervention::LEVEL_BRIEF_INTERVENTION);
  EXPECT_EQ(made.brief_intervention().duration().seconds(), 900);
  EXPECT_THAT(made.brief_intervention().substances_discussed(),
              ElementsAre(v1::SUBSTANCE_CANNABIS, v1::SUBSTANCE_ALCOHOL));
  EXPECT_TRUE(made.brief_intervention().material_given());

  v1::Screening got;
  ASSERT_TRUE(Get(Bnnk(), made.name(), &got).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, made))
      << got.DebugString() << "\nvs\n"
      << made.DebugString();
  // The referrals system reads a screening by name (national, ✓n).
  ASSERT_TRUE(Get(System("referrals"), made.name(), &got).ok());
}

TEST_P(ScreeningsTest, ASmokerWithNoDrugRiskIsRoutedAsLowRisk) {
  v1::Screening s = Clean();
  *s.mutable_substances(0) = DailySmoker();
  v1::Screening made = MustCreate(s);
  EXPECT_EQ(made.tobacco_risk_level(), v1::RISK_LEVEL_MODERATE);
  EXPECT_EQ(made.highest_drug_risk_level(), v1::RISK_LEVEL_LOW);
  EXPECT_EQ(made.highest_drug_risk_substances_size(), 0);
  EXPECT_EQ(made.recommendation().routing(), v1::ROUTING_NO_ENROLLMENT);
  EXPECT_EQ(made.recommendation().rule(), "low_risk");
  EXPECT_EQ(made.recommendation().risk_level(), v1::RISK_LEVEL_LOW);
}

TEST_P(ScreeningsTest, RecentInjectingDecidesWhateverTheScores) {
  v1::Screening s = Clean();
  s.set_q8_injecting(v1::RECENCY_ANSWER_YES_PAST_3_MONTHS);
  s.set_injecting_frequency(v1::INJECTING_FREQUENCY_4_DAYS_A_MONTH_OR_LESS);
  v1::Screening made = MustCreate(s);
  EXPECT_EQ(made.highest_drug_risk_level(), v1::RISK_LEVEL_LOW);
  EXPECT_EQ(made.recommendation().routing(), v1::ROUTING_REFER);
  EXPECT_EQ(made.recommendation().rule(), "recent_injecting");
  EXPECT_EQ(made.recommendation().risk_level(), v1::RISK_LEVEL_UNSPECIFIED);
  EXPECT_EQ(made.injecting_frequency(), v1::INJECTING_FREQUENCY_4_DAYS_A_MONTH_OR_LESS);
}

TEST_P(ScreeningsTest, HighRiskOpioidsAreReferred) {
  v1::Screening s = Clean();
  // 6 + 6 + 7 + 8 + 6 + 6 = 39, the maximum.
  *s.mutable_substances(8) =
      Used(v1::SUBSTANCE_OPIOIDS, v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY,
           v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY, v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY,
           v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY, v1::RECENCY_ANSWER_YES_PAST_3_MONTHS,
           v1::RECENCY_ANSWER_YES_PAST_3_MONTHS);
  v1::Screening made = MustCreate(s);
  EXPECT_EQ(made.substances(8).involvement_score(), 39);
  EXPECT_EQ(made.highest_drug_risk_level(), v1::RISK_LEVEL_HIGH);
  EXPECT_THAT(made.highest_drug_risk_substances(), ElementsAre(v1::SUBSTANCE_OPIOIDS));
  EXPECT_EQ(made.recommendation().routing(), v1::ROUTING_REFER);
  EXPECT_EQ(made.recommendation().rule(), "high_risk");
}

// The second reading of the sources (moderate referred), activated, routes the same answers
// otherwise; the screening scored before keeps its recommendation.
TEST_P(ScreeningsTest, TheOtherReadingOfTheSourcesRoutesModerateRiskElsewhere) {
  v1::Screening before = MustCreate(Example());
  ASSERT_EQ(before.recommendation().routing(), v1::ROUTING_VILLAGE);

  v1::RoutingPolicy other = CreateAndActivate(PolicyFile(kModerateReferredRoutingPolicyJson));
  EXPECT_EQ(other.name(), "routingPolicies/ibm-moderate-referred-1");
  EXPECT_EQ(other.moderate_risk(), v1::ROUTING_REFER);
  v1::Screening after = MustCreate(Example());
  EXPECT_EQ(after.recommendation().routing(), v1::ROUTING_REFER);
  EXPECT_EQ(after.recommendation().routing_policy(), "routingPolicies/ibm-moderate-referred-1");
  EXPECT_EQ(after.recommendation().rule(), "moderate_risk");

  v1::Screening again;
  ASSERT_TRUE(Get(Agent(), before.name(), &again).ok());
  EXPECT_EQ(again.recommendation().routing(), v1::ROUTING_VILLAGE);
  EXPECT_EQ(again.recommendation().routing_policy(), kDefaultPolicy);
}

// A "narkoba only" policy leaves alcohol out: a heavy drinker is then routed as low risk.
TEST_P(ScreeningsTest, ThePolicysCountedSubstancesDecide) {
  v1::CreateRoutingPolicyRequest req = PolicyFile(kDefaultRoutingPolicyJson);
  req.set_routing_policy_id("narkoba-only-1");
  for (int n = v1::SUBSTANCE_CANNABIS; n <= v1::SUBSTANCE_OTHER; ++n) {
    req.mutable_routing_policy()->add_counted_substances(static_cast<v1::Substance>(n));
  }
  CreateAndActivate(req);
  v1::Screening s = Clean();
  // 6 + 6 + 7 + 8 + 0 + 0 = 27: high for alcohol.
  *s.mutable_substances(1) =
      Used(v1::SUBSTANCE_ALCOHOL, v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY,
           v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY, v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY,
           v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY, v1::RECENCY_ANSWER_NEVER,
           v1::RECENCY_ANSWER_NEVER);
  v1::Screening made = MustCreate(s);
  EXPECT_EQ(made.alcohol_risk_level(), v1::RISK_LEVEL_HIGH);
  EXPECT_EQ(made.highest_drug_risk_level(), v1::RISK_LEVEL_LOW);
  EXPECT_EQ(made.counted_substances_size(), 8);
  EXPECT_EQ(made.recommendation().routing(), v1::ROUTING_NO_ENROLLMENT);
}

TEST_P(ScreeningsTest, WithNoActivePolicyTheScreeningIsStoredWithoutRouting) {
  ASSERT_TRUE(cases_db_->Exec("DELETE FROM routing_policies").ok());
  v1::Screening made = MustCreate(Example());
  EXPECT_EQ(made.recommendation().routing(), v1::ROUTING_UNSPECIFIED);
  EXPECT_EQ(made.recommendation().routing_policy(), "");
  EXPECT_EQ(made.recommendation().rule(), "");
  EXPECT_EQ(made.highest_drug_risk_level(), v1::RISK_LEVEL_MODERATE);
  EXPECT_EQ(made.counted_substances_size(), 9);
}

// ---- Lists.

TEST_P(ScreeningsTest, ListsNewestFirstInPagesOfOne) {
  std::vector<std::string> made;
  for (int day : {3, 5, 4}) {
    v1::Screening s = Example();
    *s.mutable_screening_date() = Day(2025, 6, day);
    made.push_back(MustCreate(s).name());
  }
  v1::ListScreeningsRequest req;
  req.set_parent(client_);
  auto names = PagesOfOne<v1::ListScreeningsResponse>(
      req,
      [&](const v1::ListScreeningsRequest& r, v1::ListScreeningsResponse* out) {
        return screenings_->ListScreenings(Agent().get(), r, out);
      },
      [](const v1::ListScreeningsResponse& page) {
        std::vector<std::string> out;
        for (const auto& s : page.screenings()) out.push_back(s.name());
        return out;
      });
  EXPECT_THAT(names, ElementsAre(made[1], made[2], made[0]));

  // BASIC leaves out the answers; the summary and recommendation stay. FULL is as Get.
  v1::ListScreeningsResponse basic, full;
  ASSERT_TRUE(screenings_->ListScreenings(Bnnk().get(), req, &basic).ok());
  ASSERT_EQ(basic.screenings_size(), 3);
  EXPECT_EQ(basic.screenings(0).substances_size(), 0);
  EXPECT_EQ(basic.screenings(0).highest_drug_risk_level(), v1::RISK_LEVEL_MODERATE);
  EXPECT_EQ(basic.screenings(0).recommendation().rule(), "moderate_risk");
  EXPECT_EQ(basic.next_page_token(), "");
  req.set_view(v1::RECORD_VIEW_FULL);
  ASSERT_TRUE(screenings_->ListScreenings(Bnnk().get(), req, &full).ok());
  EXPECT_EQ(full.screenings(0).substances_size(), 9);

  // Dates filter; a token is good for its own query only.
  v1::ListScreeningsRequest dated;
  dated.set_parent(client_);
  *dated.mutable_start_date() = Day(2025, 6, 4);
  *dated.mutable_end_date() = Day(2025, 6, 4);
  v1::ListScreeningsResponse one;
  ASSERT_TRUE(screenings_->ListScreenings(Agent().get(), dated, &one).ok());
  ASSERT_EQ(one.screenings_size(), 1);
  EXPECT_EQ(one.screenings(0).name(), made[2]);
  v1::ListScreeningsRequest paged = req;
  paged.set_page_size(1);
  v1::ListScreeningsResponse first;
  ASSERT_TRUE(screenings_->ListScreenings(Agent().get(), paged, &first).ok());
  dated.set_page_token(first.next_page_token());
  grpc::Status st = screenings_->ListScreenings(Agent().get(), dated, &one);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("page_token"));

  // Every screening of a unit: clients/- with `unit`.
  std::string other_client = MakeClient(unit_.name(), v1::Client::STATE_ACTIVE);
  v1::Screening elsewhere;
  ASSERT_TRUE(Create(Agent(), Example(), &elsewhere, "", other_client).ok());
  v1::ListScreeningsRequest unit;
  unit.set_parent("clients/-");
  unit.set_unit(unit_.name());
  v1::ListScreeningsResponse all;
  ASSERT_TRUE(screenings_->ListScreenings(Bnnk().get(), unit, &all).ok());
  EXPECT_EQ(all.screenings_size(), 4);
  unit.clear_unit();
  st = screenings_->ListScreenings(Bnnk().get(), unit, &all);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("unit"));
}

TEST_P(ScreeningsTest, ListRefusesBadFilters) {
  struct Case {
    std::function<void(v1::ListScreeningsRequest&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.set_page_size(-1); }, "page_size"},
      {[](auto& r) { r.set_page_token("not-a-token"); }, "page_token"},
      {[](auto& r) { *r.mutable_start_date() = Day(2025, 2, 30); }, "start_date"},
      {[](auto& r) {
         *r.mutable_start_date() = Day(2025, 6, 5);
         *r.mutable_end_date() = Day(2025, 6, 4);
       },
       "start_date"},
      {[](auto& r) { r.set_view(static_cast<v1::RecordView>(7)); }, "view"},
      {[](auto& r) { r.set_parent("clients/K7"); }, "parent"},
      {[](auto& r) { r.set_unit("units/32.73.04.1001-01"); }, "unit"},
  };
  for (const Case& c : cases) {
    v1::ListScreeningsRequest req;
    req.set_parent(client_);
    c.edit(req);
    v1::ListScreeningsResponse out;
    grpc::Status st = screenings_->ListScreenings(Bnnk().get(), req, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(st, HasField(c.field));
  }
}

// ---- Idempotent creates.

TEST_P(ScreeningsTest, ARetryReturnsTheFirstScreening) {
  v1::Screening first, second, other;
  ASSERT_TRUE(Create(Agent(), Example(), &first, "screening-1").ok());
  ASSERT_TRUE(Create(Agent(), Example(), &second, "screening-1").ok());
  EXPECT_EQ(second.name(), first.name());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second));
  v1::Screening changed = Example();
  changed.set_occasion(v1::SCREENING_OCCASION_INTAKE);
  grpc::Status st = Create(Agent(), changed, &other, "screening-1");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("request_id"));
  v1::ListScreeningsRequest req;
  req.set_parent(client_);
  v1::ListScreeningsResponse listed;
  ASSERT_TRUE(screenings_->ListScreenings(Agent().get(), req, &listed).ok());
  EXPECT_EQ(listed.screenings_size(), 1);
}

// ---- Bad input: one precise field each, nothing stored.

TEST_P(ScreeningsTest, RefusesBadInputNamingTheField) {
  const absl::CivilDay tomorrow = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + 2;
  struct Case {
    std::function<void(v1::Screening&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](auto& s) {
         s.mutable_substances(2)->set_q1_ever_used(v1::LIFETIME_ANSWER_YES);
         s.mutable_substances(2)->set_q2_frequency(static_cast<v1::FrequencyAnswer>(9));
         s.mutable_substances(2)->set_q6_concern_expressed(v1::RECENCY_ANSWER_NEVER);
         s.mutable_substances(2)->set_q7_failed_to_cut_down(v1::RECENCY_ANSWER_NEVER);
       },
       "screening.substances[2].q2_frequency"},
      {[](auto& s) { s.mutable_substances()->RemoveLast(); }, "screening.substances"},
      {[](auto& s) { s.mutable_substances(3)->set_q2_frequency(v1::FREQUENCY_ANSWER_WEEKLY); },
       "screening.substances[3].q2_frequency"},
      {[](auto& s) { s.mutable_substances(3)->clear_q1_ever_used(); },
       "screening.substances[3].q1_ever_used"},
      {[](auto& s) {
         s.mutable_substances(0)->set_q5_failed_expectations(v1::FREQUENCY_ANSWER_WEEKLY);
       },
       "screening.substances[0].q5_failed_expectations"},
      {[](auto& s) { s.mutable_substances(2)->clear_q5_failed_expectations(); },
       "screening.substances[2].q5_failed_expectations"},
      {[](auto& s) {
         *s.mutable_substances(2) =
             Used(v1::SUBSTANCE_CANNABIS, v1::FREQUENCY_ANSWER_NEVER, v1::FREQUENCY_ANSWER_WEEKLY,
                  v1::FREQUENCY_ANSWER_UNSPECIFIED, v1::FREQUENCY_ANSWER_UNSPECIFIED,
                  v1::RECENCY_ANSWER_NEVER, v1::RECENCY_ANSWER_NEVER);
       },
       "screening.substances[2].q3_urge"},
      {[](auto& s) { *s.add_substances() = Never(v1::SUBSTANCE_INHALANTS); },
       "screening.substances[9].substance"},
      {[](auto& s) { *s.add_substances() = Never(v1::SUBSTANCE_OTHER); },
       "screening.substances[9].other_substance"},
      {[](auto& s) { s.mutable_substances(4)->set_other_substance("kecubung"); },
       "screening.substances[4].other_substance"},
      {[&](auto& s) {
         *s.mutable_screening_date() =
             Day(static_cast<int>(tomorrow.year()), tomorrow.month(), tomorrow.day());
       },
       "screening.screening_date"},
      {[](auto& s) { *s.mutable_screening_date() = Day(2018, 12, 31); },
       "screening.screening_date"},
      {[](auto& s) { s.clear_screening_date(); }, "screening.screening_date"},
      {[](auto& s) { s.clear_occasion(); }, "screening.occasion"},
      {[](auto& s) { s.set_occasion(v1::SCREENING_OCCASION_REVIEW); }, "screening.case"},
      {[](auto& s) { s.set_case_("cases/x"); }, "screening.case"},
      {[](auto& s) { s.clear_screener(); }, "screening.screener"},
      {[](auto& s) { s.set_screener("satkers/bnnp-33/officers/of1234"); }, "screening.screener"},
      {[](auto& s) { s.clear_q8_injecting(); }, "screening.q8_injecting"},
      {[](auto& s) { s.set_q8_injecting(v1::RECENCY_ANSWER_YES_PAST_3_MONTHS); },
       "screening.injecting_frequency"},
      {[](auto& s) { s.set_injecting_frequency(v1::INJECTING_FREQUENCY_MORE_THAN_4_DAYS_A_MONTH); },
       "screening.injecting_frequency"},
      {[](auto& s) { s.mutable_brief_intervention()->set_material_given(true); },
       "screening.brief_intervention.level"},
      {[](auto& s) {
         s.mutable_brief_intervention()->set_level(
             v1::BriefIntervention::LEVEL_FEEDBACK_AND_INFORMATION);
         s.mutable_brief_intervention()->mutable_duration()->set_seconds(30);
       },
       "screening.brief_intervention.duration"},
      {[](auto& s) {
         s.mutable_brief_intervention()->set_level(
             v1::BriefIntervention::LEVEL_FEEDBACK_AND_INFORMATION);
         s.mutable_brief_intervention()->add_substances_discussed(v1::SUBSTANCE_OTHER);
       },
       "screening.brief_intervention.substances_discussed"},
      {[](auto& s) {
         s.mutable_brief_intervention()->set_level(
             v1::BriefIntervention::LEVEL_FEEDBACK_AND_INFORMATION);
         s.mutable_brief_intervention()->set_given_by("units/33.74.01.1001-1/agents/ap1234");
       },
       "screening.brief_intervention.given_by"},
      {[](auto& s) { s.set_supersedes("clients/zzzzzzzzzz/screenings/abc"); },
       "screening.supersedes"},
      {[](auto& s) { s.set_unit("units/32.73.04.1001"); }, "screening.unit"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::Screening s = Example();
    cases[i].edit(s);
    v1::Screening out;
    grpc::Status st = Create(Agent(), s, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(st, HasField(cases[i].field)) << i;
  }
  v1::Screening out;
  grpc::Status st = Create(Agent(), Example(), &out, "");
  ASSERT_TRUE(st.ok());
  v1::CreateScreeningRequest no_id;
  no_id.set_parent(client_);
  *no_id.mutable_screening() = Example();
  st = screenings_->CreateScreening(Agent().get(), no_id, &out);
  EXPECT_THAT(st, HasField("request_id"));
  // Nothing half-written: only the one good screening exists.
  v1::ListScreeningsRequest req;
  req.set_parent(client_);
  req.set_show_voided(true);
  v1::ListScreeningsResponse listed;
  ASSERT_TRUE(screenings_->ListScreenings(Agent().get(), req, &listed).ok());
  EXPECT_EQ(listed.screenings_size(), 1);
}

TEST_P(ScreeningsTest, TheClientMustExistAndBeActive) {
  v1::Screening out;
  grpc::Status st = Create(Bnnk(), Example(), &out, "", "clients/zzzzzzzzzz");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("clients/zzzzzzzzzz"));
  const std::string voided = MakeClient(unit_.name(), v1::Client::STATE_VOIDED);
  st = Create(Bnnk(), Example(), &out, "", voided);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(st), "CLIENT_NOT_ACTIVE");
  st = Get(Bnnk(), "clients/zzzzzzzzzz/screenings/abcdefghij", &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  st = Get(Bnnk(), "clients/zzzzzzzzzz/screening/abcdefghij", &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("name"));
}

// ---- Voiding and corrections.

TEST_P(ScreeningsTest, VoidsOnceAndACorrectionSupersedes) {
  v1::Screening made = MustCreate(Example());
  v1::Screening out;
  grpc::Status st = Void(Bnnk(), made.name(), "", &out);
  EXPECT_THAT(st, HasField("reason"));
  st = Void(Bnnk(), made.name(), std::string(501, 'x'), &out);
  EXPECT_THAT(st, HasField("reason"));
  st = Void(Bnnk(), made.name(), "entered twice", &out, "7");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(st), "ETAG_MISMATCH");
  ASSERT_TRUE(Void(Bnnk(), made.name(), "entered twice", &out, made.etag()).ok());
  EXPECT_EQ(out.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(out.voiding().reason(), "entered twice");
  EXPECT_EQ(out.voiding().actor(), "officer-bnnk-32.73");
  EXPECT_EQ(out.etag(), "2");
  EXPECT_EQ(out.recommendation().rule(), "moderate_risk");  // the record is kept whole
  st = Void(Bnnk(), made.name(), "entered twice", &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(st), "ALREADY_VOIDED");

  // A correction voids the one it supersedes, in the same transaction.
  v1::Screening wrong = MustCreate(Example());
  v1::Screening fix = Example();
  fix.set_supersedes(wrong.name());
  v1::Screening fixed = MustCreate(fix);
  EXPECT_EQ(fixed.supersedes(), wrong.name());
  ASSERT_TRUE(Get(Agent(), wrong.name(), &out).ok());
  EXPECT_EQ(out.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(out.voiding().superseded_by(), fixed.name());
  st = Create(Agent(), fix, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(st), "ALREADY_VOIDED");

  // Voided ones are listed only when asked.
  v1::ListScreeningsRequest req;
  req.set_parent(client_);
  v1::ListScreeningsResponse listed;
  ASSERT_TRUE(screenings_->ListScreenings(Agent().get(), req, &listed).ok());
  ASSERT_EQ(listed.screenings_size(), 1);
  EXPECT_EQ(listed.screenings(0).name(), fixed.name());
  req.set_show_voided(true);
  ASSERT_TRUE(screenings_->ListScreenings(Agent().get(), req, &listed).ok());
  EXPECT_EQ(listed.screenings_size(), 3);
}

// ---- Access.

TEST_P(ScreeningsTest, CallersOutsideTheScopeOrRoleAreRefused) {
  v1::Screening made = MustCreate(Example());
  struct Caller {
    std::string label;
    std::function<std::unique_ptr<grpc::ClientContext>()> ctx;
    std::string get, list, create, void_;  // the reason each method answers
  };
  const std::string kScope = "OUT_OF_SCOPE", kRole = "ROLE_NOT_ALLOWED";
  const std::vector<Caller> callers = {
      {"agent of another unit", [&] { return AgentOf(other_agent_); }, kScope, kScope, kScope,
       kRole},
      {"BNNK outside the scope", [&] { return Officer("bnnk-33.74"); }, kScope, kScope, kScope,
       kScope},
      {"BNNP of another province", [&] { return Officer("bnnp-33"); }, kScope, kScope, kScope,
       kScope},
      {"supervision system", [&] { return System("supervision"); }, kRole, kRole, kRole, kRole},
      {"service token", [&] { return cases_server_->As("service", "bnn", "svc-1"); }, kRole, kRole,
       kRole, kRole},
      {"village fund", [&] { return Org("village_fund", "kemendesa"); }, kRole, kRole, kRole,
       kRole},
      {"BNN central (reads, never writes)", [&] { return Officer("bnn"); }, "", "", kRole, kRole},
      {"auditor", [&] { return cases_server_->As("auditor", "bnnk-32.73", "aud-1"); }, "", "",
       kRole, kRole},
  };
  for (const Caller& c : callers) {
    v1::Screening out;
    grpc::Status st = Get(c.ctx(), made.name(), &out);
    EXPECT_EQ(Reason(st), c.get.empty() ? "OK" : c.get) << c.label << " Get";
    v1::ListScreeningsRequest list;
    list.set_parent(client_);
    v1::ListScreeningsResponse listed;
    st = screenings_->ListScreenings(c.ctx().get(), list, &listed);
    EXPECT_EQ(Reason(st), c.list.empty() ? "OK" : c.list) << c.label << " List";
    st = Create(c.ctx(), Example(), &out);
    EXPECT_EQ(Reason(st), c.create) << c.label << " Create";
    st = Void(c.ctx(), made.name(), "entered twice", &out);
    EXPECT_EQ(Reason(st), c.void_) << c.label << " Void";
  }
  // The referrals system: one client's screenings, never a unit's.
  v1::ListScreeningsRequest list;
  list.set_parent(client_);
  v1::ListScreeningsResponse listed;
  EXPECT_TRUE(screenings_->ListScreenings(System("referrals").get(), list, &listed).ok());
  list.set_parent("clients/-");
  list.set_unit(unit_.name());
  grpc::Status st = screenings_->ListScreenings(System("referrals").get(), list, &listed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(st), "ROLE_NOT_ALLOWED");
  st = screenings_->ListScreenings(AgentOf(other_agent_).get(), list, &listed);
  EXPECT_EQ(Reason(st), "OUT_OF_SCOPE");
  // An agent screens in its own unit only, even for a client it may read.
  v1::Screening elsewhere = Example();
  elsewhere.set_unit(other_unit_.name());
  v1::Screening out;
  st = Create(Agent(), elsewhere, &out);
  EXPECT_EQ(Reason(st), "OUT_OF_SCOPE");
}

// ---- Routing policies.

TEST_P(ScreeningsTest, TheDefaultPolicyIsActiveFromTheFirstStartAndLoadedOnce) {
  v1::RoutingPolicy active = ActivePolicy();
  EXPECT_EQ(active.name(), kDefaultPolicy);
  EXPECT_EQ(active.state(), v1::RoutingPolicy::STATE_ACTIVE);
  EXPECT_EQ(active.low_risk(), v1::ROUTING_NO_ENROLLMENT);
  EXPECT_EQ(active.moderate_risk(), v1::ROUTING_VILLAGE);
  EXPECT_EQ(active.high_risk(), v1::ROUTING_REFER);
  EXPECT_EQ(active.recent_injecting(), v1::ROUTING_REFER);
  EXPECT_EQ(active.counted_substances_size(), 9);
  EXPECT_EQ(active.counted_substances(0), v1::SUBSTANCE_ALCOHOL);
  EXPECT_TRUE(active.has_activate_time());
  EXPECT_EQ(PolicyRows(), 1);

  // Another replica starting on the same database adds nothing.
  auto context = cases_server_->Context("cases", 1);
  auto nik_keys = platform::FieldSealer::FromKeyText(platform::FieldSealer::NewKeyLine("nik1"),
                                                     "test NIK-index keys");
  ASSERT_TRUE(nik_keys.ok());
  ASSERT_TRUE(BuildServices(context, Core::Keys{context.sealer, *nik_keys}, registry_client_).ok());
  EXPECT_EQ(PolicyRows(), 1);

  // Two replicas starting together on an empty table make one policy, active.
  ASSERT_TRUE(cases_db_->Exec("DELETE FROM routing_policies").ok());
  std::vector<std::thread> starters;
  for (int i = 0; i < 2; ++i) {
    starters.emplace_back([&] {
      auto services =
          BuildServices(context, Core::Keys{context.sealer, *nik_keys}, registry_client_);
      EXPECT_TRUE(services.ok());
    });
  }
  for (auto& t : starters) t.join();
  EXPECT_EQ(PolicyRows(), 1);
  EXPECT_EQ(ActivePolicy().name(), kDefaultPolicy);
}

TEST_P(ScreeningsTest, BnnCentralCreatesAndActivatesPolicies) {
  v1::CreateRoutingPolicyRequest req = PolicyFile(kModerateReferredRoutingPolicyJson);
  req.set_request_id("policy-1");
  v1::RoutingPolicy draft;
  ASSERT_TRUE(policies_->CreateRoutingPolicy(Officer("bnn").get(), req, &draft).ok());
  EXPECT_EQ(draft.state(), v1::RoutingPolicy::STATE_DRAFT);
  EXPECT_EQ(draft.counted_substances_size(), 9);  // stored resolved
  EXPECT_EQ(draft.create_actor(), "officer-bnn");
  EXPECT_FALSE(draft.has_activate_time());
  v1::RoutingPolicy retry;
  ASSERT_TRUE(policies_->CreateRoutingPolicy(Officer("bnn").get(), req, &retry).ok());
  EXPECT_EQ(retry.name(), draft.name());
  v1::RoutingPolicy out;
  v1::CreateRoutingPolicyRequest reused = req;
  reused.set_request_id("policy-2");
  grpc::Status st = policies_->CreateRoutingPolicy(Officer("bnn").get(), reused, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // Newest first; the draft is not the active one yet.
  v1::ListRoutingPoliciesRequest list;
  auto names = PagesOfOne<v1::ListRoutingPoliciesResponse>(
      list,
      [&](const v1::ListRoutingPoliciesRequest& r, v1::ListRoutingPoliciesResponse* page) {
        return policies_->ListRoutingPolicies(System("supervision").get(), r, page);
      },
      [](const v1::ListRoutingPoliciesResponse& page) {
        std::vector<std::string> out;
        for (const auto& p : page.routing_policies()) out.push_back(p.name());
        return out;
      });
  EXPECT_THAT(names, ElementsAre(draft.name(), kDefaultPolicy));
  EXPECT_EQ(ActivePolicy().name(), kDefaultPolicy);

  v1::ActivateRoutingPolicyRequest activate;
  activate.set_name(draft.name());
  activate.set_etag("9");
  st = policies_->ActivateRoutingPolicy(Officer("bnn").get(), activate, &out);
  EXPECT_EQ(Reason(st), "ETAG_MISMATCH");
  activate.set_etag(draft.etag());
  ASSERT_TRUE(policies_->ActivateRoutingPolicy(Officer("bnn").get(), activate, &out).ok());
  EXPECT_EQ(out.state(), v1::RoutingPolicy::STATE_ACTIVE);
  EXPECT_EQ(ActivePolicy().name(), draft.name());
  v1::GetRoutingPolicyRequest get;
  get.set_name(kDefaultPolicy);
  ASSERT_TRUE(policies_->GetRoutingPolicy(Bnnk().get(), get, &out).ok());
  EXPECT_EQ(out.state(), v1::RoutingPolicy::STATE_RETIRED);
  EXPECT_TRUE(out.has_retire_time());
  activate.clear_etag();
  st = policies_->ActivateRoutingPolicy(Officer("bnn").get(), activate, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(st), "POLICY_NOT_DRAFT");
  activate.set_name(kDefaultPolicy);
  st = policies_->ActivateRoutingPolicy(Officer("bnn").get(), activate, &out);
  EXPECT_EQ(Reason(st), "POLICY_NOT_DRAFT");
  activate.set_name("routingPolicies/nope");
  st = policies_->ActivateRoutingPolicy(Officer("bnn").get(), activate, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_P(ScreeningsTest, OnlyBnnCentralManagesPolicies) {
  v1::CreateRoutingPolicyRequest req = PolicyFile(kModerateReferredRoutingPolicyJson);
  v1::ActivateRoutingPolicyRequest activate;
  activate.set_name(kDefaultPolicy);
  const std::vector<std::function<std::unique_ptr<grpc::ClientContext>()>> others = {
      [&] { return Officer("bnnp-32"); },
      [&] { return Bnnk(); },
      [&] { return Agent(); },
      [&] { return System("referrals"); },
      [&] { return cases_server_->As("supervisor", "bnn", "sup-1"); },
      [&] { return cases_server_->As("auditor", "bnn", "aud-1"); }};
  for (const auto& ctx : others) {
    v1::RoutingPolicy out;
    grpc::Status st =
        policies_->CreateRoutingPolicy(ctx().get(), testing::WithRequestId(req), &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Reason(st), "ROLE_NOT_ALLOWED");
    st = policies_->ActivateRoutingPolicy(ctx().get(), activate, &out);
    EXPECT_EQ(Reason(st), "ROLE_NOT_ALLOWED");
    // ... but every one of them reads policies.
    v1::GetRoutingPolicyRequest get;
    get.set_name("routingPolicies/-active");
    EXPECT_TRUE(policies_->GetRoutingPolicy(ctx().get(), get, &out).ok());
  }
  v1::GetRoutingPolicyRequest get;
  get.set_name("routingPolicies/-active");
  v1::RoutingPolicy out;
  grpc::Status st = policies_->GetRoutingPolicy(Org("village_fund", "kemendesa").get(), get, &out);
  EXPECT_EQ(Reason(st), "ROLE_NOT_ALLOWED");
  st = policies_->GetRoutingPolicy(cases_server_->As("service", "bnn", "svc-1").get(), get, &out);
  EXPECT_EQ(Reason(st), "ROLE_NOT_ALLOWED");
  // With no active policy, -active is NOT_FOUND.
  ASSERT_TRUE(cases_db_->Exec("DELETE FROM routing_policies").ok());
  st = policies_->GetRoutingPolicy(Bnnk().get(), get, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_P(ScreeningsTest, RefusesBadPoliciesNamingTheField) {
  struct Case {
    std::function<void(v1::CreateRoutingPolicyRequest&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_routing_policy_id(); }, "routing_policy_id"},
      {[](auto& r) { r.set_routing_policy_id("Juknis_2025"); }, "routing_policy_id"},
      {[](auto& r) { r.set_routing_policy_id("-2025"); }, "routing_policy_id"},
      {[](auto& r) { r.set_routing_policy_id(std::string(41, 'a')); }, "routing_policy_id"},
      {[](auto& r) { r.mutable_routing_policy()->clear_display_name(); },
       "routing_policy.display_name"},
      {[](auto& r) { r.mutable_routing_policy()->set_display_name(std::string(201, 'a')); },
       "routing_policy.display_name"},
      {[](auto& r) { r.mutable_routing_policy()->clear_source(); }, "routing_policy.source"},
      {[](auto& r) { r.mutable_routing_policy()->clear_low_risk(); }, "routing_policy.low_risk"},
      {[](auto& r) { r.mutable_routing_policy()->set_moderate_risk(v1::ROUTING_NO_ENROLLMENT); },
       "routing_policy.moderate_risk"},
      {[](auto& r) { r.mutable_routing_policy()->set_high_risk(v1::ROUTING_NO_ENROLLMENT); },
       "routing_policy.high_risk"},
      {[](auto& r) { r.mutable_routing_policy()->clear_recent_injecting(); },
       "routing_policy.recent_injecting"},
      {[](auto& r) { r.mutable_routing_policy()->add_counted_substances(v1::SUBSTANCE_TOBACCO); },
       "routing_policy.counted_substances"},
      {[](auto& r) {
         r.mutable_routing_policy()->add_counted_substances(v1::SUBSTANCE_CANNABIS);
         r.mutable_routing_policy()->add_counted_substances(v1::SUBSTANCE_CANNABIS);
       },
       "routing_policy.counted_substances"},
      {[](auto& r) {
         r.mutable_routing_policy()->add_counted_substances(v1::SUBSTANCE_UNSPECIFIED);
       },
       "routing_policy.counted_substances"},
      {[](auto& r) { r.clear_request_id(); }, "request_id"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::CreateRoutingPolicyRequest req = PolicyFile(kModerateReferredRoutingPolicyJson);
    req.set_request_id(testing::NextRequestId());
    cases[i].edit(req);
    v1::RoutingPolicy out;
    grpc::Status st = policies_->CreateRoutingPolicy(Officer("bnn").get(), req, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(st, HasField(cases[i].field)) << i;
  }
  v1::GetRoutingPolicyRequest get;
  get.set_name("routingPolicies/Bad");
  v1::RoutingPolicy out;
  grpc::Status st = policies_->GetRoutingPolicy(Bnnk().get(), get, &out);
  EXPECT_THAT(st, HasField("name"));
  EXPECT_EQ(PolicyRows(), 1);
}

IBM_ON_BOTH_ENGINES(ScreeningsTest);

}  // namespace
}  // namespace ibm::cases
