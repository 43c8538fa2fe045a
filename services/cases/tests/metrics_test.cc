// UnitMetricsService on both engines: records seeded through the APIs (screenings, cases and
// their moves, activities, tallies), then each metric's exact numerator and denominator for a
// period, the period's boundaries, `units/-` within the caller's scope, pages, bad input and
// who may ask.
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

class MetricsTest : public CasesTest {
 protected:
  static std::string Describe(const grpc::Status& s) {
    return platform::Describe(platform::FromGrpcStatus(s));
  }

  // A client row as ClientService would leave it: ACTIVE in `unit` (a unit's name).
  std::string NewClient(const rv1::Unit& unit) {
    store::Client c;
    c.id = NewId("");
    c.unit_id = unit.name().substr(6);
    const bool bandung = c.unit_id.rfind("32.73", 0) == 0;
    c.satker_id = bandung ? "bnnk-32.73" : "bnnp-33";
    c.village_code = c.unit_id.substr(0, 13);
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
    return "clients/" + c.id;
  }

  // A clean screening of Caringin's client on `date`, with a brief intervention if asked.
  v1::Screening Screen(const std::string& client, google::type::Date date, bool brief,
                       bool declined = false) {
    v1::CreateScreeningRequest req;
    req.set_parent(client);
    v1::Screening* s = req.mutable_screening();
    s->set_unit(unit_.name());
    s->set_screener(agent_.name());
    *s->mutable_screening_date() = date;
    s->set_occasion(v1::SCREENING_OCCASION_OUTREACH);
    for (int n = v1::SUBSTANCE_TOBACCO; n <= v1::SUBSTANCE_OPIOIDS; ++n) {
      auto* a = s->add_substances();
      a->set_substance(static_cast<v1::Substance>(n));
      a->set_q1_ever_used(v1::LIFETIME_ANSWER_NO);
    }
    s->set_q8_injecting(v1::RECENCY_ANSWER_NEVER);
    if (brief) {
      s->mutable_brief_intervention()->set_level(
          v1::BriefIntervention::LEVEL_FEEDBACK_AND_INFORMATION);
      s->mutable_brief_intervention()->set_declined(declined);
    }
    v1::Screening out;
    grpc::Status st =
        screenings_->CreateScreening(Agent().get(), testing::WithRequestId(req), &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  v1::Case Enroll(const std::string& client, google::type::Date date) {
    v1::CreateCaseRequest req;
    req.set_parent(unit_.name());
    req.mutable_case_()->set_client(client);
    *req.mutable_case_()->mutable_enrollment_date() = date;
    v1::Case out;
    grpc::Status st = cases_->CreateCase(Bnnk().get(), testing::WithRequestId(req), &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  v1::UnitActivity Activity(const rv1::Unit& unit, v1::UnitActivity::Kind kind,
                            google::type::Date date) {
    v1::CreateUnitActivityRequest req;
    req.set_parent(unit.name());
    v1::UnitActivity* a = req.mutable_unit_activity();
    a->set_kind(kind);
    *a->mutable_activity_date() = date;
    a->set_title("kegiatan");
    a->add_funding_sources(v1::FUNDING_SOURCE_NONE);
    if (kind == v1::UnitActivity::KIND_MAPPING_REPORT) {
      *a->mutable_mapping()->mutable_period_start() = date;
      *a->mutable_mapping()->mutable_period_end() = date;
    } else {
      a->mutable_attendance()->set_total(10);
    }
    if (kind == v1::UnitActivity::KIND_STAKEHOLDER_MEETING) {
      a->mutable_meeting()->add_agenda(v1::MeetingDetails::AGENDA_PROGRESS);
    }
    if (kind == v1::UnitActivity::KIND_KIE_EVENT) {
      a->mutable_kie_event()->set_channel(v1::KieEventDetails::CHANNEL_SEMINAR);
      a->mutable_kie_event()->add_audiences(v1::KieEventDetails::AUDIENCE_GENERAL);
    }
    v1::UnitActivity out;
    grpc::Status st = unit_activities_->CreateUnitActivity(
        unit.name() == unit_.name() ? Bnnk().get() : Officer("bnnp-33").get(),
        testing::WithRequestId(req), &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  void Tally(google::type::Date start, google::type::Date end, int received) {
    v1::CreateCommunityReportTallyRequest req;
    req.set_parent(unit_.name());
    auto* t = req.mutable_community_report_tally();
    *t->mutable_period_start() = start;
    *t->mutable_period_end() = end;
    t->set_reports_received(received);
    t->add_recorded_by(agent_.name());
    v1::CommunityReportTally out;
    grpc::Status st =
        tallies_->CreateCommunityReportTally(Agent().get(), testing::WithRequestId(req), &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
  }

  // Seeds Caringin's unit for the first half of 2026 (see each metric's expectation).
  void Seed() {
    const std::string a = NewClient(unit_), b = NewClient(unit_), c = NewClient(unit_);
    // Screenings: 3 in the period (on its first and last day), 2 clients, 2 brief
    // interventions given; one declined, one before the period, one voided.
    Screen(a, D(2026, 1, 1), true);
    Screen(a, D(2026, 6, 30), true);
    Screen(b, D(2026, 3, 3), true, /*declined=*/true);
    Screen(b, D(2025, 12, 31), true);
    v1::Screening voided = Screen(c, D(2026, 2, 2), true);
    v1::VoidScreeningRequest vs;
    vs.set_name(voided.name());
    vs.set_reason("entered twice");
    v1::Screening ignored;
    ASSERT_TRUE(screenings_->VoidScreening(Bnnk().get(), vs, &ignored).ok());

    // Cases: a enrolled in the period, referred, then dropped out; b enrolled before it,
    // in intervention, completed in it (waiver); c enrolled in it, then voided.
    v1::Case ca = Enroll(a, D(2026, 1, 10));
    v1::ReferCaseRequest refer;
    refer.set_name(ca.name());
    *refer.mutable_effective_date() = D(2026, 3, 1);
    refer.set_reason("needs inpatient care");
    ASSERT_TRUE(cases_->ReferCase(Bnnk().get(), refer, &ca).ok());
    v1::DropOutCaseRequest drop;
    drop.set_name(ca.name());
    *drop.mutable_effective_date() = D(2026, 4, 1);
    drop.set_reason(v1::DROP_OUT_REASON_LOST_CONTACT);
    ASSERT_TRUE(cases_->DropOutCase(Bnnk().get(), drop, &ca).ok());
    v1::Case cb = Enroll(b, D(2025, 12, 1));
    v1::StartCaseInterventionRequest start;
    start.set_name(cb.name());
    *start.mutable_effective_date() = D(2026, 2, 1);
    ASSERT_TRUE(cases_->StartCaseIntervention(Bnnk().get(), start, &cb).ok());
    v1::CompleteCaseRequest complete;
    complete.set_name(cb.name());
    *complete.mutable_effective_date() = D(2026, 5, 1);
    complete.set_exit_assessment_waiver("client moved before the exit tests");
    grpc::Status st = cases_->CompleteCase(Bnnk().get(), complete, &cb);
    ASSERT_TRUE(st.ok()) << Describe(st);
    v1::Case cc = Enroll(c, D(2026, 2, 2));
    v1::VoidCaseRequest vc;
    vc.set_name(cc.name());
    vc.set_reason("entered twice");
    ASSERT_TRUE(cases_->VoidCase(Bnnk().get(), vc, &cc).ok());

    // Activities: a meeting and a mapping report in the period, a KIE event after it, a
    // voided meeting; Semarang's unit holds a meeting of its own.
    Activity(unit_, v1::UnitActivity::KIND_STAKEHOLDER_MEETING, D(2026, 6, 30));
    Activity(unit_, v1::UnitActivity::KIND_MAPPING_REPORT, D(2026, 1, 1));
    Activity(unit_, v1::UnitActivity::KIND_KIE_EVENT, D(2026, 7, 1));
    v1::UnitActivity gone =
        Activity(unit_, v1::UnitActivity::KIND_STAKEHOLDER_MEETING, D(2026, 3, 3));
    v1::VoidUnitActivityRequest va;
    va.set_name(gone.name());
    va.set_reason("entered twice");
    v1::UnitActivity voided_activity;
    ASSERT_TRUE(unit_activities_->VoidUnitActivity(Bnnk().get(), va, &voided_activity).ok());
    Activity(other_unit_, v1::UnitActivity::KIND_STAKEHOLDER_MEETING, D(2026, 2, 2));

    // Tallies: 6 reports in one ending in the period, 4 in one ending after it.
    Tally(D(2026, 4, 1), D(2026, 6, 30), 6);
    Tally(D(2026, 7, 1), D(2026, 7, 31), 4);
  }

  v1::QueryUnitMetricsRequest Query(const std::string& parent, google::type::Date start,
                                    google::type::Date end) const {
    v1::QueryUnitMetricsRequest req;
    req.set_parent(parent);
    *req.mutable_start_date() = start;
    *req.mutable_end_date() = end;
    for (int m = v1::UNIT_METRIC_SCREENINGS; m <= v1::UNIT_METRIC_COMMUNITY_REPORTS; ++m) {
      req.add_metrics(static_cast<v1::UnitMetric>(m));
    }
    return req;
  }

  // "numerator/denominator" (or the count) of each value, in the request's order.
  static std::vector<std::string> Values(const v1::UnitMetricsRow& row) {
    std::vector<std::string> out;
    for (const auto& v : row.values()) {
      out.push_back(v.has_denominator() ? absl::StrCat(v.numerator(), "/", v.denominator())
                                        : absl::StrCat(v.numerator()));
    }
    return out;
  }
};

TEST_P(MetricsTest, ExactNumeratorsAndDenominatorsForThePeriod) {
  Seed();
  v1::QueryUnitMetricsResponse resp;
  grpc::Status st = metrics_->QueryUnitMetrics(
      Bnnk().get(), Query(unit_.name(), D(2026, 1, 1), D(2026, 6, 30)), &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(resp.rows_size(), 1);
  const v1::UnitMetricsRow& row = resp.rows(0);
  EXPECT_EQ(row.unit(), unit_.name());
  EXPECT_EQ(row.satker(), "satkers/bnnk-32.73");
  EXPECT_EQ(row.village(), "regions/32.73.04.1001");
  EXPECT_TRUE(resp.next_page_token().empty());
  EXPECT_GT(resp.data_as_of().seconds(), 0);
  EXPECT_EQ(Values(row), (std::vector<std::string>{
                             "3",    // SCREENINGS: Jan 1, Mar 3, Jun 30 (not 2025, not voided)
                             "2",    // CLIENTS_SCREENED: a and b
                             "2/3",  // BRIEF_INTERVENTION_SHARE: b's was declined
                             "1",    // CASES_ENROLLED: a (b before, c voided)
                             "2",    // CASES_OPEN: a and b (c voided)
                             "0",    // INTERVENTION_SESSIONS
                             "0/0",  // SESSION_ATTENDANCE_SHARE
                             "0/2",  // SUPPORT_CONTACTS_PER_OPEN_CASE
                             "0/1",  // EXIT_ASSESSMENT_SHARE: b completed on a waiver
                             "0/0",  // EXIT_URINE_NEGATIVE_SHARE: no EXIT urine test
                             "1/2",  // DROP_OUT_SHARE: a dropped out, b completed
                             "1",    // CASES_REFERRED: a on Mar 1
                             "1",    // STAKEHOLDER_MEETINGS: Jun 30 (voided one not)
                             "0",    // KIE_EVENTS: Jul 1 is after the period
                             "1",    // MAPPING_REPORTS: Jan 1
                             "6",    // COMMUNITY_REPORTS: the tally ending Jun 30
                         }));

  // One day: the drop-out's own day.
  ASSERT_TRUE(
      metrics_
          ->QueryUnitMetrics(Bnnk().get(), Query(unit_.name(), D(2026, 4, 1), D(2026, 4, 1)), &resp)
          .ok());
  EXPECT_EQ(Values(resp.rows(0)),
            (std::vector<std::string>{"0", "0", "0/0", "0", "2", "0", "0/0", "0/2", "0/0", "0/0",
                                      "1/1", "0", "0", "0", "0", "0"}));
  // The day after: a has ended; the period holds b only.
  ASSERT_TRUE(metrics_
                  ->QueryUnitMetrics(Bnnk().get(),
                                     Query(unit_.name(), D(2026, 4, 2), D(2026, 7, 31)), &resp)
                  .ok());
  EXPECT_EQ(Values(resp.rows(0)),
            (std::vector<std::string>{"1", "1", "1/1", "0", "1", "0", "0/0", "0/1", "0/1", "0/0",
                                      "0/1", "0", "1", "1", "0", "10"}));

  // Only what was asked, in the request's order; the supervision system reads it too.
  v1::QueryUnitMetricsRequest two = Query(unit_.name(), D(2026, 1, 1), D(2026, 6, 30));
  two.clear_metrics();
  two.add_metrics(v1::UNIT_METRIC_COMMUNITY_REPORTS);
  two.add_metrics(v1::UNIT_METRIC_SCREENINGS);
  ASSERT_TRUE(metrics_->QueryUnitMetrics(System("supervision").get(), two, &resp).ok());
  EXPECT_EQ(Values(resp.rows(0)), (std::vector<std::string>{"6", "3"}));
  EXPECT_EQ(resp.rows(0).values(0).metric(), v1::UNIT_METRIC_COMMUNITY_REPORTS);
  EXPECT_EQ(resp.rows(0).satker(), "satkers/bnnk-32.73");
}

TEST_P(MetricsTest, EveryUnitWithinTheCallersScopeInPages) {
  Seed();
  // A unit with no record here is not listed (docs/api.md: absent = zeros).
  MakeUnit("32.73.04.1002", "bnnk-32.73");
  v1::QueryUnitMetricsRequest req = Query("units/-", D(2026, 1, 1), D(2026, 6, 30));
  req.clear_metrics();
  req.add_metrics(v1::UNIT_METRIC_STAKEHOLDER_MEETINGS);
  auto units = [&](std::unique_ptr<grpc::ClientContext> ctx, const v1::QueryUnitMetricsRequest& r) {
    v1::QueryUnitMetricsResponse resp;
    grpc::Status st = metrics_->QueryUnitMetrics(ctx.get(), r, &resp);
    EXPECT_TRUE(st.ok()) << Describe(st);
    std::vector<std::string> out;
    for (const auto& row : resp.rows()) {
      out.push_back(absl::StrCat(row.unit(), "=", row.values(0).numerator(), "@", row.satker()));
    }
    return out;
  };
  const std::string caringin = unit_.name() + "=1@satkers/bnnk-32.73";
  const std::string semarang = other_unit_.name() + "=1@satkers/bnnp-33";
  EXPECT_EQ(units(System("supervision"), req), (std::vector<std::string>{caringin, semarang}));
  EXPECT_EQ(units(Officer("bnn"), req), (std::vector<std::string>{caringin, semarang}));
  EXPECT_EQ(units(Bnnk(), req), std::vector<std::string>{caringin});
  EXPECT_EQ(units(cases_server_->As("supervisor", "bnnp-33", "s-33"), req),
            std::vector<std::string>{semarang});
  EXPECT_EQ(units(AgentOf(other_agent_), req), std::vector<std::string>{semarang});
  v1::QueryUnitMetricsRequest narrowed = req;
  narrowed.set_region("regions/33.74");
  EXPECT_EQ(units(System("integration"), narrowed), std::vector<std::string>{semarang});
  narrowed.clear_region();
  narrowed.set_satker("satkers/bnnk-32.73");
  EXPECT_EQ(units(System("integration"), narrowed), std::vector<std::string>{caringin});
  narrowed.set_region("regions/33");
  EXPECT_TRUE(units(Bnnk(), narrowed).empty());

  // Pages of one unit, by unit name; a token is for its own query only.
  auto pages = registry::RegistryTest::PagesOfOne<v1::QueryUnitMetricsResponse>(
      req,
      [&](const v1::QueryUnitMetricsRequest& r, v1::QueryUnitMetricsResponse* out) {
        return metrics_->QueryUnitMetrics(System("supervision").get(), r, out);
      },
      [](const v1::QueryUnitMetricsResponse& page) {
        std::vector<std::string> n;
        for (const auto& row : page.rows()) n.push_back(row.unit());
        return n;
      });
  EXPECT_EQ(pages, (std::vector<std::string>{unit_.name(), other_unit_.name()}));
  v1::QueryUnitMetricsRequest paged = req;
  paged.set_page_size(1);
  v1::QueryUnitMetricsResponse resp;
  ASSERT_TRUE(metrics_->QueryUnitMetrics(System("supervision").get(), paged, &resp).ok());
  paged.set_page_token(resp.next_page_token());
  paged.add_metrics(v1::UNIT_METRIC_KIE_EVENTS);
  EXPECT_THAT(metrics_->QueryUnitMetrics(System("supervision").get(), paged, &resp),
              HasField("page_token"));
}

TEST_P(MetricsTest, AUnitWithoutRecordsHasZerosAndItsRegistrySatker) {
  v1::QueryUnitMetricsResponse resp;
  grpc::Status st = metrics_->QueryUnitMetrics(
      Bnnk().get(), Query(unit_.name(), D(2026, 1, 1), D(2026, 6, 30)), &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(resp.rows_size(), 1);
  EXPECT_EQ(resp.rows(0).satker(), "satkers/bnnk-32.73");
  EXPECT_EQ(Values(resp.rows(0)),
            (std::vector<std::string>{"0", "0", "0/0", "0", "0", "0", "0/0", "0/0", "0/0", "0/0",
                                      "0/0", "0", "0", "0", "0", "0"}));
  // An agent's units/- is its own unit, records or not.
  ASSERT_TRUE(
      metrics_
          ->QueryUnitMetrics(Agent().get(), Query("units/-", D(2026, 1, 1), D(2026, 1, 2)), &resp)
          .ok());
  ASSERT_EQ(resp.rows_size(), 1);
  EXPECT_EQ(resp.rows(0).unit(), unit_.name());
  EXPECT_EQ(resp.rows(0).satker(), "satkers/bnnk-32.73");
  // A unit not in the registry: NOT_FOUND.
  st = metrics_->QueryUnitMetrics(
      Bnnk().get(), Query("units/32.73.04.1002-1", D(2026, 1, 1), D(2026, 6, 30)), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(st);
}

TEST_P(MetricsTest, RefusesBadInputNamingTheField) {
  struct Case {
    std::function<void(v1::QueryUnitMetricsRequest&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.set_parent("units/32.73.04.1001-01"); }, "parent"},
      {[](auto& r) { r.set_parent("clients/-"); }, "parent"},
      {[](auto& r) { r.set_region("regions/32.73"); }, "region"},  // single-unit parent
      {[](auto& r) {
         r.set_parent("units/-");
         r.set_region("32.73");
       },
       "region"},
      {[](auto& r) {
         r.set_parent("units/-");
         r.set_satker("satkers/x");
       },
       "satker"},
      {[](auto& r) { r.set_satker("satkers/bnnk-32.73"); }, "satker"},
      {[](auto& r) { r.clear_start_date(); }, "start_date"},
      {[](auto& r) { r.clear_end_date(); }, "end_date"},
      {[](auto& r) { *r.mutable_start_date() = D(2018, 12, 31); }, "start_date"},
      {[](auto& r) { *r.mutable_end_date() = D(2025, 12, 31); }, "end_date"},
      {[](auto& r) { *r.mutable_end_date() = D(2029, 1, 2); }, "end_date"},
      {[](auto& r) { *r.mutable_end_date() = D(2026, 2, 30); }, "end_date"},
      {[](auto& r) { r.clear_metrics(); }, "metrics"},
      {[](auto& r) { r.add_metrics(v1::UNIT_METRIC_UNSPECIFIED); }, "metrics"},
      {[](auto& r) { r.add_metrics(v1::UNIT_METRIC_SCREENINGS); }, "metrics"},
      {[](auto& r) { r.add_metrics(static_cast<v1::UnitMetric>(17)); }, "metrics"},
      {[](auto& r) { r.set_page_size(-1); }, "page_size"},
      {[](auto& r) { r.set_page_token("garbage"); }, "page_token"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::QueryUnitMetricsRequest req = Query(unit_.name(), D(2026, 1, 1), D(2026, 6, 30));
    cases[i].edit(req);
    v1::QueryUnitMetricsResponse resp;
    grpc::Status st = metrics_->QueryUnitMetrics(Bnnk().get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(st, HasField(cases[i].field)) << i;
  }
  // Exactly three years is allowed.
  v1::QueryUnitMetricsResponse resp;
  EXPECT_TRUE(
      metrics_
          ->QueryUnitMetrics(Bnnk().get(), Query(unit_.name(), D(2023, 1, 1), D(2026, 1, 1)), &resp)
          .ok());
}

TEST_P(MetricsTest, CallersOutsideTheScopeOrRoleAreRefused) {
  const v1::QueryUnitMetricsRequest req = Query(unit_.name(), D(2026, 1, 1), D(2026, 6, 30));
  auto reason = [&](std::unique_ptr<grpc::ClientContext> ctx) {
    v1::QueryUnitMetricsResponse resp;
    grpc::Status st = metrics_->QueryUnitMetrics(ctx.get(), req, &resp);
    return st.ok() ? std::string() : ReasonOf(st);
  };
  EXPECT_EQ(reason(AgentOf(other_agent_)), "OUT_OF_SCOPE");
  EXPECT_EQ(reason(Officer("bnnp-33")), "OUT_OF_SCOPE");
  EXPECT_EQ(reason(cases_server_->As("supervisor", "bnnp-33", "s-33")), "OUT_OF_SCOPE");
  EXPECT_EQ(reason(cases_server_->As("auditor", "bnnp-33", "a-33")), "OUT_OF_SCOPE");
  EXPECT_EQ(reason(Org("provider", "rsj-bandung")), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(reason(Org("village_fund", "kemendesa")), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(reason(System("referrals")), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(reason(cases_server_->As("service", "bnn", "svc-1")), "ROLE_NOT_ALLOWED");
  // Admitted: in scope, national, the unit's own agent, the systems.
  EXPECT_EQ(reason(Agent()), "");
  EXPECT_EQ(reason(Officer("bnnp-32")), "");
  EXPECT_EQ(reason(cases_server_->As("supervisor", "bnnp-32", "s-32")), "");
  EXPECT_EQ(reason(cases_server_->As("auditor", "bnn", "a-bnn")), "");
  EXPECT_EQ(reason(System("integration")), "");
}

IBM_ON_BOTH_ENGINES(MetricsTest);

}  // namespace
}  // namespace ibm::cases
