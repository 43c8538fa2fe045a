// UnitActivityService, SatkerActivityService and CommunityReportService on both engines:
// create, get, list (filters, pages), update (mask, etag, the kind fixed), void, idempotent
// creates, bad input named field by field, and who may read and write what (✓o for satker
// activities, the village fund's `region`, no tallies for supervisors or the village fund).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

const std::string kHash(64, 'a');

class ActivitiesTest : public CasesTest {
 protected:
  std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& satker,
                                          const std::string& subject = "someone") const {
    return cases_server_->As(role, satker, subject);
  }
  static std::string Describe(const grpc::Status& s) {
    return platform::Describe(platform::FromGrpcStatus(s));
  }

  // ---- Unit activities.

  v1::UnitActivity Meeting(google::type::Date date = D(2026, 5, 4)) const {
    v1::UnitActivity a;
    a.set_kind(v1::UnitActivity::KIND_STAKEHOLDER_MEETING);
    *a.mutable_activity_date() = date;
    a.set_title("Rapat rencana kerja");
    a.set_summary("work plan agreed");
    a.mutable_attendance()->set_total(12);
    a.mutable_attendance()->set_male(7);
    a.mutable_attendance()->set_female(5);
    a.mutable_attendance()->set_village_officials(3);
    a.add_funding_sources(v1::FUNDING_SOURCE_VILLAGE_FUND);
    a.add_evidence_sha256(kHash);
    a.mutable_meeting()->add_agenda(v1::MeetingDetails::AGENDA_WORK_PLAN);
    a.mutable_meeting()->set_outcomes("monthly meetings");
    return a;
  }
  v1::UnitActivity Mapping(google::type::Date date = D(2026, 4, 1)) const {
    v1::UnitActivity a;
    a.set_kind(v1::UnitActivity::KIND_MAPPING_REPORT);
    *a.mutable_activity_date() = date;
    a.set_title("Pemetaan");
    a.add_funding_sources(v1::FUNDING_SOURCE_BNN);
    *a.mutable_mapping()->mutable_period_start() = D(2026, 1, 1);
    *a.mutable_mapping()->mutable_period_end() = D(2026, 3, 31);
    a.mutable_mapping()->add_substances_reported(v1::SUBSTANCE_CANNABIS);
    a.mutable_mapping()->set_estimated_people_using(0);
    return a;
  }
  v1::UnitActivity Kie(google::type::Date date = D(2025, 11, 20)) const {
    v1::UnitActivity a;
    a.set_kind(v1::UnitActivity::KIND_KIE_EVENT);
    *a.mutable_activity_date() = date;
    a.set_title("Sosialisasi P4GN");
    a.mutable_attendance()->set_total(80);
    a.add_funding_sources(v1::FUNDING_SOURCE_REGIONAL_GOVERNMENT);
    a.add_funding_sources(v1::FUNDING_SOURCE_COMMUNITY);
    a.mutable_kie_event()->set_channel(v1::KieEventDetails::CHANNEL_SOCIALISATION);
    a.mutable_kie_event()->add_audiences(v1::KieEventDetails::AUDIENCE_YOUTH);
    return a;
  }
  grpc::Status CreateActivity(std::unique_ptr<grpc::ClientContext> ctx, const v1::UnitActivity& a,
                              v1::UnitActivity* out, const std::string& request_id = "",
                              const std::string& parent = "") {
    v1::CreateUnitActivityRequest req;
    req.set_parent(parent.empty() ? unit_.name() : parent);
    *req.mutable_unit_activity() = a;
    req.set_request_id(request_id);
    return unit_activities_->CreateUnitActivity(ctx.get(), testing::WithRequestId(req), out);
  }
  v1::UnitActivity MustCreateActivity(const v1::UnitActivity& a) {
    v1::UnitActivity out;
    grpc::Status s = CreateActivity(Agent(), a, &out);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return out;
  }
  grpc::Status GetActivity(std::unique_ptr<grpc::ClientContext> ctx, const std::string& name,
                           v1::UnitActivity* out = nullptr) {
    v1::GetUnitActivityRequest req;
    req.set_name(name);
    v1::UnitActivity ignored;
    return unit_activities_->GetUnitActivity(ctx.get(), req, out ? out : &ignored);
  }
  std::vector<std::string> ListActivities(std::unique_ptr<grpc::ClientContext> ctx,
                                          v1::ListUnitActivitiesRequest req,
                                          grpc::Status* status = nullptr) {
    v1::ListUnitActivitiesResponse resp;
    grpc::Status s = unit_activities_->ListUnitActivities(ctx.get(), req, &resp);
    if (status) *status = s;
    std::vector<std::string> titles;
    for (const auto& a : resp.unit_activities()) titles.push_back(a.title());
    return titles;
  }

  // ---- Satker activities.

  v1::SatkerActivity Visit(const std::string& satker = "bnnk-32.73") const {
    v1::SatkerActivity a;
    a.set_kind(v1::SatkerActivity::KIND_ACCOMPANIMENT_VISIT);
    *a.mutable_activity_date() = D(2026, 6, 1);
    a.set_title("Pendampingan");
    a.set_summary("the unit's second month");
    a.add_units(unit_.name());
    a.add_officers("satkers/" + satker + "/officers/o1");
    a.add_funding_sources(v1::FUNDING_SOURCE_BNN);
    a.add_evidence_sha256(kHash);
    return a;
  }
  v1::SatkerActivity Selection() const {
    v1::SatkerActivity a;
    a.set_kind(v1::SatkerActivity::KIND_VILLAGE_SELECTION);
    *a.mutable_activity_date() = D(2025, 2, 10);
    a.set_title("Pemilihan desa");
    a.add_officers("satkers/bnnk-32.73/officers/o1");
    a.add_officers("satkers/bnnk-32.73/officers/o2");
    a.mutable_attendance()->set_total(20);
    a.add_funding_sources(v1::FUNDING_SOURCE_NONE);
    auto* sel = a.mutable_village_selection();
    sel->add_candidate_villages("regions/32.73.04.1001");
    sel->add_candidate_villages("regions/32.73.04.1002");
    sel->add_criteria(v1::VillageSelectionDetails::CRITERION_HIGH_RISK);
    sel->set_selected_village("regions/32.73.04.1001");
    return a;
  }
  grpc::Status CreateSatkerActivity(std::unique_ptr<grpc::ClientContext> ctx,
                                    const std::string& satker, const v1::SatkerActivity& a,
                                    v1::SatkerActivity* out, const std::string& request_id = "") {
    v1::CreateSatkerActivityRequest req;
    req.set_parent("satkers/" + satker);
    *req.mutable_satker_activity() = a;
    req.set_request_id(request_id);
    return satker_activities_->CreateSatkerActivity(ctx.get(), testing::WithRequestId(req), out);
  }
  grpc::Status GetSatkerActivity(std::unique_ptr<grpc::ClientContext> ctx,
                                 const std::string& name) {
    v1::GetSatkerActivityRequest req;
    req.set_name(name);
    v1::SatkerActivity out;
    return satker_activities_->GetSatkerActivity(ctx.get(), req, &out);
  }
  std::vector<std::string> ListSatker(std::unique_ptr<grpc::ClientContext> ctx,
                                      v1::ListSatkerActivitiesRequest req,
                                      grpc::Status* status = nullptr) {
    v1::ListSatkerActivitiesResponse resp;
    grpc::Status s = satker_activities_->ListSatkerActivities(ctx.get(), req, &resp);
    if (status) *status = s;
    std::vector<std::string> names;
    for (const auto& a : resp.satker_activities()) names.push_back(a.name());
    return names;
  }

  // ---- Tallies.

  v1::CommunityReportTally Tally(google::type::Date start = D(2026, 1, 1),
                                 google::type::Date end = D(2026, 3, 31)) const {
    v1::CommunityReportTally t;
    *t.mutable_period_start() = start;
    *t.mutable_period_end() = end;
    t.set_reports_received(6);
    t.set_from_family(3);
    t.set_from_leaders(2);
    t.set_followed_up(4);
    t.set_led_to_screening(2);
    t.add_recorded_by(agent_.name());
    return t;
  }
  grpc::Status CreateTally(std::unique_ptr<grpc::ClientContext> ctx,
                           const v1::CommunityReportTally& t, v1::CommunityReportTally* out,
                           const std::string& request_id = "") {
    v1::CreateCommunityReportTallyRequest req;
    req.set_parent(unit_.name());
    *req.mutable_community_report_tally() = t;
    req.set_request_id(request_id);
    return tallies_->CreateCommunityReportTally(ctx.get(), testing::WithRequestId(req), out);
  }
  grpc::Status GetTally(std::unique_ptr<grpc::ClientContext> ctx, const std::string& name) {
    v1::GetCommunityReportTallyRequest req;
    req.set_name(name);
    v1::CommunityReportTally out;
    return tallies_->GetCommunityReportTally(ctx.get(), req, &out);
  }
};

// =========================================================================================
// Unit activities.

TEST_P(ActivitiesTest, UnitActivityCreateGetUpdateVoid) {
  v1::UnitActivity made;
  grpc::Status s = CreateActivity(Agent(), Meeting(), &made);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_TRUE(absl::StartsWith(made.name(), unit_.name() + "/activities/")) << made.name();
  EXPECT_EQ(made.fiscal_year(), 2026);
  EXPECT_EQ(made.village(), "regions/32.73.04.1001");
  EXPECT_EQ(made.state(), v1::RECORD_STATE_RECORDED);
  EXPECT_EQ(made.create_actor(), agent_.name());
  EXPECT_EQ(made.etag(), "1");
  EXPECT_EQ(made.attendance().female(), 5);
  EXPECT_FALSE(made.attendance().has_agents());  // absent = not counted

  // Read by the unit's people, officers and supervisors in scope, and national systems.
  v1::UnitActivity got;
  ASSERT_TRUE(GetActivity(Bnnk(), made.name(), &got).ok());
  EXPECT_EQ(got.summary(), "work plan agreed");
  EXPECT_EQ(got.meeting().outcomes(), "monthly meetings");
  EXPECT_TRUE(GetActivity(As("supervisor", "bnnp-32"), made.name()).ok());
  EXPECT_TRUE(GetActivity(System("supervision"), made.name()).ok());
  EXPECT_TRUE(GetActivity(System("integration"), made.name()).ok());
  EXPECT_TRUE(GetActivity(Org("village_fund", "kemendesa"), made.name()).ok());

  // Update: the title and the meeting's agenda; a stale etag is ABORTED.
  v1::UpdateUnitActivityRequest up;
  up.mutable_unit_activity()->set_name(made.name());
  up.mutable_unit_activity()->set_etag("1");
  up.mutable_unit_activity()->set_title("Rapat kemajuan");
  up.mutable_unit_activity()->mutable_meeting()->add_agenda(v1::MeetingDetails::AGENDA_PROGRESS);
  up.mutable_unit_activity()->mutable_meeting()->add_agenda(v1::MeetingDetails::AGENDA_CONSTRAINTS);
  up.mutable_update_mask()->add_paths("title");
  up.mutable_update_mask()->add_paths("meeting.agenda");
  v1::UnitActivity updated;
  s = unit_activities_->UpdateUnitActivity(Agent().get(), up, &updated);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(updated.title(), "Rapat kemajuan");
  ASSERT_EQ(updated.meeting().agenda_size(), 2);
  EXPECT_EQ(updated.meeting().agenda(1), v1::MeetingDetails::AGENDA_CONSTRAINTS);
  EXPECT_EQ(updated.meeting().outcomes(), "monthly meetings");  // not in the mask: kept
  EXPECT_EQ(updated.summary(), "work plan agreed");
  EXPECT_EQ(updated.etag(), "2");
  s = unit_activities_->UpdateUnitActivity(Agent().get(), up, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(s), "ETAG_MISMATCH");

  // The kind cannot change: neither `kind` nor another kind's details.
  up.mutable_unit_activity()->set_etag("");
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("title");
  up.mutable_update_mask()->add_paths("mapping");
  s = unit_activities_->UpdateUnitActivity(Agent().get(), up, &updated);
  EXPECT_THAT(s, HasField("update_mask.paths[1]"));
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("kind");
  s = unit_activities_->UpdateUnitActivity(Agent().get(), up, &updated);
  EXPECT_THAT(s, HasField("update_mask.paths[0]"));
  // The whole activity is checked again: attendance cleared from a meeting.
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("attendance");
  s = unit_activities_->UpdateUnitActivity(Agent().get(), up, &updated);
  EXPECT_THAT(s, HasField("unit_activity.attendance"));

  // Void: reason required, then once only; a voided activity takes no update.
  v1::VoidUnitActivityRequest vr;
  vr.set_name(made.name());
  vr.set_etag("2");
  v1::UnitActivity voided;
  s = unit_activities_->VoidUnitActivity(Agent().get(), vr, &voided);
  EXPECT_THAT(s, HasField("reason"));
  vr.set_reason("entered twice");
  s = unit_activities_->VoidUnitActivity(Agent().get(), vr, &voided);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(voided.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(voided.voiding().reason(), "entered twice");
  EXPECT_EQ(voided.voiding().actor(), agent_.name());
  vr.set_etag("");
  s = unit_activities_->VoidUnitActivity(Bnnk().get(), vr, &voided);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "ALREADY_VOIDED");
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("title");
  s = unit_activities_->UpdateUnitActivity(Agent().get(), up, &updated);
  EXPECT_EQ(ReasonOf(s), "ALREADY_VOIDED");
  // Still readable; listed only with show_voided.
  ASSERT_TRUE(GetActivity(Bnnk(), made.name(), &got).ok());
  EXPECT_EQ(got.state(), v1::RECORD_STATE_VOIDED);
  v1::ListUnitActivitiesRequest list;
  list.set_parent(unit_.name());
  EXPECT_TRUE(ListActivities(Bnnk(), list).empty());
  list.set_show_voided(true);
  EXPECT_EQ(ListActivities(Bnnk(), list), std::vector<std::string>{"Rapat kemajuan"});

  v1::GetUnitActivityRequest missing;
  missing.set_name(unit_.name() + "/activities/nosuch1");
  EXPECT_EQ(unit_activities_->GetUnitActivity(Bnnk().get(), missing, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_P(ActivitiesTest, UnitActivityCreateIsIdempotent) {
  v1::UnitActivity first, again;
  ASSERT_TRUE(CreateActivity(Agent(), Kie(), &first, "kie-1").ok());
  ASSERT_TRUE(CreateActivity(Agent(), Kie(), &again, "kie-1").ok());
  EXPECT_EQ(first.name(), again.name());
  v1::UnitActivity other = Kie();
  other.set_title("another event");
  grpc::Status s = CreateActivity(Agent(), other, &again, "kie-1");
  EXPECT_THAT(s, HasField("request_id"));
  // Another caller's identical id is not a retry.
  ASSERT_TRUE(CreateActivity(Bnnk(), Kie(), &again, "kie-1").ok());
  EXPECT_NE(first.name(), again.name());
  s = CreateActivity(Agent(), Kie(), &again, "bad id!");
  EXPECT_THAT(s, HasField("request_id"));
}

TEST_P(ActivitiesTest, UnitActivitiesListNewestFirstInPagesWithFilters) {
  MustCreateActivity(Meeting(D(2026, 5, 4)));
  MustCreateActivity(Mapping(D(2026, 4, 1)));
  MustCreateActivity(Kie(D(2025, 11, 20)));
  v1::ListUnitActivitiesRequest req;
  req.set_parent(unit_.name());
  auto titles = registry::RegistryTest::PagesOfOne<v1::ListUnitActivitiesResponse>(
      req,
      [&](const v1::ListUnitActivitiesRequest& r, v1::ListUnitActivitiesResponse* out) {
        return unit_activities_->ListUnitActivities(Bnnk().get(), r, out);
      },
      [](const v1::ListUnitActivitiesResponse& page) {
        std::vector<std::string> t;
        for (const auto& a : page.unit_activities()) t.push_back(a.title());
        return t;
      });
  EXPECT_EQ(titles,
            (std::vector<std::string>{"Rapat rencana kerja", "Pemetaan", "Sosialisasi P4GN"}));

  // BASIC leaves out summary, evidence and the meeting's outcomes; FULL keeps them.
  v1::ListUnitActivitiesResponse page;
  ASSERT_TRUE(unit_activities_->ListUnitActivities(Bnnk().get(), req, &page).ok());
  ASSERT_EQ(page.unit_activities_size(), 3);
  EXPECT_TRUE(page.unit_activities(0).summary().empty());
  EXPECT_EQ(page.unit_activities(0).evidence_sha256_size(), 0);
  EXPECT_TRUE(page.unit_activities(0).meeting().outcomes().empty());
  EXPECT_EQ(page.unit_activities(0).meeting().agenda_size(), 1);
  req.set_view(v1::RECORD_VIEW_FULL);
  ASSERT_TRUE(unit_activities_->ListUnitActivities(Bnnk().get(), req, &page).ok());
  EXPECT_EQ(page.unit_activities(0).summary(), "work plan agreed");
  EXPECT_EQ(page.unit_activities(0).meeting().outcomes(), "monthly meetings");
  req.clear_view();

  // Filters: kind, fiscal year, funding source; across units by region and satker.
  v1::ListUnitActivitiesRequest f = req;
  f.set_kind(v1::UnitActivity::KIND_MAPPING_REPORT);
  EXPECT_EQ(ListActivities(Bnnk(), f), std::vector<std::string>{"Pemetaan"});
  f = req;
  f.set_fiscal_year(2025);
  EXPECT_EQ(ListActivities(Bnnk(), f), std::vector<std::string>{"Sosialisasi P4GN"});
  f = req;
  f.set_funding_source(v1::FUNDING_SOURCE_COMMUNITY);
  EXPECT_EQ(ListActivities(Bnnk(), f), std::vector<std::string>{"Sosialisasi P4GN"});
  f = req;
  f.set_funding_source(v1::FUNDING_SOURCE_VILLAGE_FUND);
  EXPECT_EQ(ListActivities(Bnnk(), f), std::vector<std::string>{"Rapat rencana kerja"});
  v1::UnitActivity semarang;
  ASSERT_TRUE(
      CreateActivity(AgentOf(other_agent_), Kie(D(2026, 1, 5)), &semarang, "", other_unit_.name())
          .ok());
  v1::ListUnitActivitiesRequest every;
  every.set_parent("units/-");
  every.set_kind(v1::UnitActivity::KIND_KIE_EVENT);
  EXPECT_EQ(ListActivities(System("integration"), every).size(), 2u);
  EXPECT_EQ(ListActivities(Bnnk(), every), std::vector<std::string>{"Sosialisasi P4GN"});
  EXPECT_EQ(ListActivities(AgentOf(other_agent_), every).size(), 1u);
  every.set_region("regions/33");
  EXPECT_EQ(ListActivities(System("supervision"), every).size(), 1u);
  EXPECT_TRUE(ListActivities(Bnnk(), every).empty());  // outside its scope: nothing
  every.clear_region();
  every.set_satker("satkers/bnnp-33");
  EXPECT_EQ(ListActivities(System("integration"), every).size(), 1u);

  // The village fund lists across units only with `region`.
  grpc::Status s;
  every.clear_satker();
  ListActivities(Org("village_fund", "kemendesa"), every, &s);
  EXPECT_THAT(s, HasField("region"));
  every.set_region("regions/32.73");
  EXPECT_EQ(ListActivities(Org("village_fund", "kemendesa"), every, &s),
            std::vector<std::string>{"Sosialisasi P4GN"});
  EXPECT_TRUE(s.ok()) << Describe(s);

  // A token is for its own query only.
  v1::ListUnitActivitiesRequest paged = req;
  paged.set_page_size(1);
  ASSERT_TRUE(unit_activities_->ListUnitActivities(Bnnk().get(), paged, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  paged.set_page_token(page.next_page_token());
  paged.set_kind(v1::UnitActivity::KIND_KIE_EVENT);
  EXPECT_THAT(unit_activities_->ListUnitActivities(Bnnk().get(), paged, &page),
              HasField("page_token"));
}

TEST_P(ActivitiesTest, UnitActivityListRefusesBadFilters) {
  struct Case {
    std::function<void(v1::ListUnitActivitiesRequest&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) {
         r.set_parent("units/-");
         r.set_region("32.73");
       },
       "region"},
      {[](auto& r) { r.set_region("regions/32.73"); }, "region"},  // single-unit parent
      {[](auto& r) {
         r.set_parent("units/-");
         r.set_satker("bnnk-32.73");
       },
       "satker"},
      {[](auto& r) { r.set_fiscal_year(2018); }, "fiscal_year"},
      {[](auto& r) { r.set_fiscal_year(2101); }, "fiscal_year"},
      {[](auto& r) { r.set_kind(static_cast<v1::UnitActivity::Kind>(9)); }, "kind"},
      {[](auto& r) { r.set_funding_source(static_cast<v1::FundingSource>(9)); }, "funding_source"},
      {[](auto& r) { r.set_view(static_cast<v1::RecordView>(7)); }, "view"},
      {[](auto& r) { r.set_page_size(-1); }, "page_size"},
      {[](auto& r) { r.set_page_token("garbage"); }, "page_token"},
      {[](auto& r) { r.set_parent("units/32.73.04.1001-01"); }, "parent"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::ListUnitActivitiesRequest req;
    req.set_parent(unit_.name());
    cases[i].edit(req);
    grpc::Status s;
    ListActivities(Bnnk(), req, &s);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i;
    EXPECT_THAT(s, HasField(cases[i].field)) << i;
  }
}

TEST_P(ActivitiesTest, UnitActivityRefusesBadInputNamingTheField) {
  struct Case {
    std::function<void(v1::UnitActivity&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](auto& a) { a.clear_kind(); }, "unit_activity.kind"},
      {[](auto& a) { a.set_kind(v1::UnitActivity::KIND_KIE_EVENT); }, "unit_activity.meeting"},
      {[](auto& a) { a.set_kind(v1::UnitActivity::KIND_KIE_EVENT); }, "unit_activity.kie_event"},
      {[](auto& a) { a.clear_activity_date(); }, "unit_activity.activity_date"},
      {[](auto& a) { *a.mutable_activity_date() = D(2026, 2, 30); }, "unit_activity.activity_date"},
      {[](auto& a) { *a.mutable_activity_date() = D(2099, 1, 1); }, "unit_activity.activity_date"},
      {[](auto& a) { a.clear_title(); }, "unit_activity.title"},
      {[](auto& a) { a.set_title(std::string(201, 'x')); }, "unit_activity.title"},
      {[](auto& a) { a.set_summary(std::string(4001, 'x')); }, "unit_activity.summary"},
      {[](auto& a) { a.clear_funding_sources(); }, "unit_activity.funding_sources"},
      {[](auto& a) { a.add_funding_sources(v1::FUNDING_SOURCE_VILLAGE_FUND); },
       "unit_activity.funding_sources"},
      {[](auto& a) { a.add_funding_sources(v1::FUNDING_SOURCE_NONE); },
       "unit_activity.funding_sources"},
      {[](auto& a) { a.add_evidence_sha256(std::string(64, 'A')); },
       "unit_activity.evidence_sha256[1]"},
      {[](auto& a) {
         for (int i = 0; i < 20; ++i) a.add_evidence_sha256(kHash);
       },
       "unit_activity.evidence_sha256"},
      {[](auto& a) { a.clear_attendance(); }, "unit_activity.attendance"},
      {[](auto& a) { a.mutable_attendance()->set_total(0); }, "unit_activity.attendance.total"},
      {[](auto& a) { a.mutable_attendance()->set_agents(-1); }, "unit_activity.attendance.agents"},
      {[](auto& a) { a.mutable_attendance()->set_female(6); }, "unit_activity.attendance.female"},
      {[](auto& a) { a.mutable_attendance()->set_general_public(10); },
       "unit_activity.attendance.general_public"},
      {[](auto& a) { a.mutable_meeting()->clear_agenda(); }, "unit_activity.meeting.agenda"},
      {[](auto& a) { a.mutable_meeting()->add_agenda(v1::MeetingDetails::AGENDA_WORK_PLAN); },
       "unit_activity.meeting.agenda"},
      {[](auto& a) { a.mutable_meeting()->set_outcomes(std::string(4001, 'x')); },
       "unit_activity.meeting.outcomes"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::UnitActivity a = Meeting();
    cases[i].edit(a);
    v1::UnitActivity out;
    grpc::Status s = CreateActivity(Agent(), a, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(s, HasField(cases[i].field)) << i;
  }
  const std::vector<Case> mapping = {
      {[](auto& a) { a.mutable_mapping()->clear_period_start(); },
       "unit_activity.mapping.period_start"},
      {[](auto& a) { *a.mutable_mapping()->mutable_period_end() = D(2025, 12, 1); },
       "unit_activity.mapping.period_end"},
      {[](auto& a) { *a.mutable_mapping()->mutable_period_end() = D(2026, 4, 2); },
       "unit_activity.mapping.period_end"},  // after activity_date
      {[](auto& a) { a.mutable_mapping()->add_substances_reported(v1::SUBSTANCE_CANNABIS); },
       "unit_activity.mapping.substances_reported"},
      {[](auto& a) { a.mutable_mapping()->set_estimated_people_using(100001); },
       "unit_activity.mapping.estimated_people_using"},
      {[](auto& a) { a.mutable_mapping()->set_risk_places(-1); },
       "unit_activity.mapping.risk_places"},
  };
  for (size_t i = 0; i < mapping.size(); ++i) {
    v1::UnitActivity a = Mapping();
    mapping[i].edit(a);
    v1::UnitActivity out;
    EXPECT_THAT(CreateActivity(Agent(), a, &out), HasField(mapping[i].field)) << i;
  }
  const std::vector<Case> kie = {
      {[](auto& a) { a.mutable_kie_event()->clear_channel(); }, "unit_activity.kie_event.channel"},
      {[](auto& a) { a.mutable_kie_event()->clear_audiences(); },
       "unit_activity.kie_event.audiences"},
  };
  for (size_t i = 0; i < kie.size(); ++i) {
    v1::UnitActivity a = Kie();
    kie[i].edit(a);
    v1::UnitActivity out;
    EXPECT_THAT(CreateActivity(Agent(), a, &out), HasField(kie[i].field)) << i;
  }
  // A mapping report needs no attendance.
  v1::UnitActivity out;
  EXPECT_TRUE(CreateActivity(Agent(), Mapping(), &out).ok());
}

TEST_P(ActivitiesTest, UnitActivityAccess) {
  const v1::UnitActivity made = MustCreateActivity(Meeting());
  v1::UnitActivity out;
  // Writers: the unit's agents, BNNP/BNNK in scope. Not BNN central, supervisors, systems.
  EXPECT_EQ(ReasonOf(CreateActivity(AgentOf(other_agent_), Meeting(), &out)), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(CreateActivity(Officer("bnnp-33"), Meeting(), &out)), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(CreateActivity(Officer("bnn"), Meeting(), &out)), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(CreateActivity(As("supervisor", "bnnp-32"), Meeting(), &out)),
            "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(CreateActivity(Org("village_fund", "kemendesa"), Meeting(), &out)),
            "ROLE_NOT_ALLOWED");
  EXPECT_TRUE(CreateActivity(Officer("bnnp-32"), Meeting(), &out).ok());
  // Readers outside: another unit's agent, a BNNK elsewhere, providers, `service` tokens.
  EXPECT_EQ(ReasonOf(GetActivity(AgentOf(other_agent_), made.name())), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(GetActivity(Officer("bnnp-33"), made.name())), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(GetActivity(As("supervisor", "bnnp-33"), made.name())), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(GetActivity(Org("provider", "rsj-bandung"), made.name())), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(GetActivity(As("service", "bnn"), made.name())), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(GetActivity(System("referrals"), made.name())), "ROLE_NOT_ALLOWED");
  // The scope is checked on the name before anything else.
  v1::CreateUnitActivityRequest bad;
  bad.set_parent(other_unit_.name());
  bad.set_request_id("x");
  EXPECT_EQ(ReasonOf(unit_activities_->CreateUnitActivity(Bnnk().get(), bad, &out)),
            "OUT_OF_SCOPE");
}

// =========================================================================================
// Satker activities.

TEST_P(ActivitiesTest, SatkerActivitiesByOfficersOfTheSatkerOnly) {
  v1::SatkerActivity visit;
  grpc::Status s = CreateSatkerActivity(Bnnk(), "bnnk-32.73", Visit(), &visit, "visit-1");
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_TRUE(absl::StartsWith(visit.name(), "satkers/bnnk-32.73/activities/")) << visit.name();
  EXPECT_EQ(visit.region(), "regions/32.73");
  EXPECT_EQ(visit.fiscal_year(), 2026);
  EXPECT_EQ(visit.create_actor(), "officer-bnnk-32.73");
  v1::SatkerActivity again;
  ASSERT_TRUE(CreateSatkerActivity(Bnnk(), "bnnk-32.73", Visit(), &again, "visit-1").ok());
  EXPECT_EQ(again.name(), visit.name());

  // ✓o: a BNNP does not record a BNNK's work; nor agents, supervisors or systems.
  v1::SatkerActivity out;
  EXPECT_EQ(ReasonOf(CreateSatkerActivity(Officer("bnnp-32"), "bnnk-32.73", Visit(), &out)),
            "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(CreateSatkerActivity(Officer("bnn"), "bnnk-32.73", Visit(), &out)),
            "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(CreateSatkerActivity(Agent(), "bnnk-32.73", Visit(), &out)),
            "ROLE_NOT_ALLOWED");
  EXPECT_EQ(
      ReasonOf(CreateSatkerActivity(As("supervisor", "bnnk-32.73"), "bnnk-32.73", Visit(), &out)),
      "ROLE_NOT_ALLOWED");
  v1::UpdateSatkerActivityRequest up;
  up.mutable_satker_activity()->set_name(visit.name());
  up.mutable_satker_activity()->set_title("Pendampingan bulan kedua");
  up.mutable_update_mask()->add_paths("title");
  EXPECT_EQ(ReasonOf(satker_activities_->UpdateSatkerActivity(Officer("bnnp-32").get(), up, &out)),
            "OUT_OF_SCOPE");
  s = satker_activities_->UpdateSatkerActivity(Bnnk().get(), up, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.title(), "Pendampingan bulan kedua");
  EXPECT_EQ(out.etag(), "2");
  EXPECT_EQ(out.units(0), unit_.name());

  // Readers: officers and supervisors whose scope covers the satker's region, the
  // supervision system; not the integration system, the village fund or agents.
  EXPECT_TRUE(GetSatkerActivity(Officer("bnnp-32"), visit.name()).ok());
  EXPECT_TRUE(GetSatkerActivity(As("supervisor", "bnnp-32"), visit.name()).ok());
  EXPECT_TRUE(GetSatkerActivity(As("auditor", "bnn"), visit.name()).ok());
  EXPECT_TRUE(GetSatkerActivity(System("supervision"), visit.name()).ok());
  EXPECT_EQ(ReasonOf(GetSatkerActivity(Officer("bnnp-33"), visit.name())), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(GetSatkerActivity(System("integration"), visit.name())), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(GetSatkerActivity(Org("village_fund", "kemendesa"), visit.name())),
            "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(GetSatkerActivity(Agent(), visit.name())), "ROLE_NOT_ALLOWED");

  // BNN central's own: national callers only. A BNNP's: not its BNNK.
  v1::SatkerActivity coordination;
  coordination.set_kind(v1::SatkerActivity::KIND_STAKEHOLDER_COORDINATION);
  *coordination.mutable_activity_date() = D(2025, 1, 15);
  coordination.set_title("Koordinasi nasional");
  coordination.add_officers("satkers/bnn/officers/o9");
  coordination.mutable_attendance()->set_total(40);
  coordination.add_funding_sources(v1::FUNDING_SOURCE_BNN);
  v1::SatkerActivity central;
  s = CreateSatkerActivity(Officer("bnn"), "bnn", coordination, &central);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(central.region(), "");
  EXPECT_TRUE(GetSatkerActivity(System("supervision"), central.name()).ok());
  EXPECT_TRUE(GetSatkerActivity(As("supervisor", "bnn"), central.name()).ok());
  EXPECT_EQ(ReasonOf(GetSatkerActivity(Officer("bnnp-32"), central.name())), "OUT_OF_SCOPE");
  coordination.mutable_officers(0)->assign("satkers/bnnp-32/officers/o3");
  v1::SatkerActivity province;
  ASSERT_TRUE(CreateSatkerActivity(Officer("bnnp-32"), "bnnp-32", coordination, &province).ok());
  EXPECT_EQ(ReasonOf(GetSatkerActivity(Bnnk(), province.name())), "OUT_OF_SCOPE");

  // Lists: satkers/- is every satker in scope; `unit` those naming it; `region`.
  v1::ListSatkerActivitiesRequest list;
  list.set_parent("satkers/-");
  EXPECT_EQ(ListSatker(Officer("bnnp-32"), list),
            (std::vector<std::string>{visit.name(), province.name()}));
  // Newest first, then by name: BNN central's before the BNNP's of the same day.
  EXPECT_EQ(ListSatker(System("supervision"), list),
            (std::vector<std::string>{visit.name(), central.name(), province.name()}));
  EXPECT_EQ(ListSatker(Bnnk(), list), std::vector<std::string>{visit.name()});
  EXPECT_TRUE(ListSatker(Officer("bnnp-33"), list).empty());
  list.set_unit(unit_.name());
  EXPECT_EQ(ListSatker(System("supervision"), list), std::vector<std::string>{visit.name()});
  list.clear_unit();
  list.set_region("regions/32.73");
  EXPECT_EQ(ListSatker(Officer("bnn"), list), std::vector<std::string>{visit.name()});
  list.clear_region();
  list.set_kind(v1::SatkerActivity::KIND_STAKEHOLDER_COORDINATION);
  *list.mutable_start_date() = D(2025, 1, 1);
  *list.mutable_end_date() = D(2025, 1, 31);
  EXPECT_EQ(ListSatker(Officer("bnn"), list),
            (std::vector<std::string>{central.name(), province.name()}));
  v1::ListSatkerActivitiesRequest own;
  own.set_parent("satkers/bnnk-32.73");
  v1::ListSatkerActivitiesResponse page;
  ASSERT_TRUE(satker_activities_->ListSatkerActivities(Bnnk().get(), own, &page).ok());
  ASSERT_EQ(page.satker_activities_size(), 1);
  EXPECT_TRUE(page.satker_activities(0).summary().empty());  // BASIC
  EXPECT_EQ(
      ReasonOf(satker_activities_->ListSatkerActivities(Officer("bnnp-33").get(), own, &page)),
      "OUT_OF_SCOPE");

  // Void: by the satker's officers; voided ones leave the lists.
  v1::VoidSatkerActivityRequest vr;
  vr.set_name(visit.name());
  vr.set_reason("entered twice");
  EXPECT_EQ(ReasonOf(satker_activities_->VoidSatkerActivity(Officer("bnnp-32").get(), vr, &out)),
            "OUT_OF_SCOPE");
  ASSERT_TRUE(satker_activities_->VoidSatkerActivity(Bnnk().get(), vr, &out).ok());
  EXPECT_EQ(out.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(ReasonOf(satker_activities_->VoidSatkerActivity(Bnnk().get(), vr, &out)),
            "ALREADY_VOIDED");
  list.Clear();
  list.set_parent("satkers/-");
  EXPECT_EQ(ListSatker(Bnnk(), list), std::vector<std::string>{});
}

TEST_P(ActivitiesTest, SatkerActivityVillageSelectionAndBadInput) {
  v1::SatkerActivity sel;
  grpc::Status s = CreateSatkerActivity(Bnnk(), "bnnk-32.73", Selection(), &sel);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(sel.village_selection().selected_village(), "regions/32.73.04.1001");
  // Update the selection's subfield; the whole activity is checked again.
  v1::UpdateSatkerActivityRequest up;
  up.mutable_satker_activity()->set_name(sel.name());
  up.mutable_satker_activity()->mutable_village_selection()->set_selected_village(
      "regions/32.73.04.1002");
  up.mutable_update_mask()->add_paths("village_selection.selected_village");
  v1::SatkerActivity out;
  s = satker_activities_->UpdateSatkerActivity(Bnnk().get(), up, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.village_selection().selected_village(), "regions/32.73.04.1002");
  EXPECT_EQ(out.village_selection().candidate_villages_size(), 2);
  up.mutable_satker_activity()->mutable_village_selection()->set_selected_village(
      "regions/32.73.04.1003");
  EXPECT_THAT(satker_activities_->UpdateSatkerActivity(Bnnk().get(), up, &out),
              HasField("satker_activity.village_selection.selected_village"));
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("kind");
  EXPECT_THAT(satker_activities_->UpdateSatkerActivity(Bnnk().get(), up, &out),
              HasField("update_mask.paths[0]"));

  struct Case {
    std::function<void(v1::SatkerActivity&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](auto& a) { a.clear_kind(); }, "satker_activity.kind"},
      {[](auto& a) { *a.mutable_activity_date() = D(2018, 12, 31); },
       "satker_activity.activity_date"},
      {[](auto& a) { *a.mutable_activity_date() = D(2099, 1, 1); },
       "satker_activity.activity_date"},
      {[](auto& a) { a.clear_title(); }, "satker_activity.title"},
      {[](auto& a) { a.set_summary(std::string(4001, 'x')); }, "satker_activity.summary"},
      {[](auto& a) { a.clear_officers(); }, "satker_activity.officers"},
      {[](auto& a) { a.add_officers("satkers/bnnk-32.73/officers/o1"); },
       "satker_activity.officers[2]"},
      {[](auto& a) { a.add_officers("satkers/bnnp-32/officers/o1"); },
       "satker_activity.officers[2]"},
      {[](auto& a) { a.clear_attendance(); }, "satker_activity.attendance"},
      {[](auto& a) { a.mutable_attendance()->set_male(21); }, "satker_activity.attendance.male"},
      {[](auto& a) { a.add_funding_sources(v1::FUNDING_SOURCE_BNN); },
       "satker_activity.funding_sources"},
      {[](auto& a) { a.add_evidence_sha256("abc"); }, "satker_activity.evidence_sha256[0]"},
      {[](auto& a) { a.clear_village_selection(); }, "satker_activity.village_selection"},
      {[](auto& a) { a.mutable_village_selection()->clear_candidate_villages(); },
       "satker_activity.village_selection.candidate_villages"},
      {[](auto& a) {
         a.mutable_village_selection()->add_candidate_villages("regions/32.73.04.1001");
       },
       "satker_activity.village_selection.candidate_villages[2]"},
      {[](auto& a) { a.mutable_village_selection()->add_candidate_villages("regions/32.73.04"); },
       "satker_activity.village_selection.candidate_villages[2]"},
      {[](auto& a) {
         a.mutable_village_selection()->add_candidate_villages("regions/33.74.01.1001");
       },
       "satker_activity.village_selection.candidate_villages[2]"},  // outside the region
      {[](auto& a) {
         a.mutable_village_selection()->add_candidate_villages("regions/32.73.04.1009");
       },
       "satker_activity.village_selection.candidate_villages[2]"},  // not in the registry
      {[](auto& a) { a.mutable_village_selection()->clear_criteria(); },
       "satker_activity.village_selection.criteria"},
      {[](auto& a) {
         a.mutable_village_selection()->set_selected_village("regions/32.73.04.1003");
       },
       "satker_activity.village_selection.selected_village"},
      {[](auto& a) { a.add_units("units/33.74.01.1001-1"); }, "satker_activity.units[0]"},
      {[](auto& a) { a.add_units("units/32.73.04.1002-1"); }, "satker_activity.units[0]"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::SatkerActivity a = Selection();
    cases[i].edit(a);
    grpc::Status st = CreateSatkerActivity(Bnnk(), "bnnk-32.73", a, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(st, HasField(cases[i].field)) << i;
  }
  // Visits need units; a visit takes no village selection.
  v1::SatkerActivity visit = Visit();
  visit.clear_units();
  EXPECT_THAT(CreateSatkerActivity(Bnnk(), "bnnk-32.73", visit, &out),
              HasField("satker_activity.units"));
  visit = Visit();
  *visit.mutable_village_selection() = Selection().village_selection();
  EXPECT_THAT(CreateSatkerActivity(Bnnk(), "bnnk-32.73", visit, &out),
              HasField("satker_activity.village_selection"));
  visit = Visit();
  visit.add_units(unit_.name());
  EXPECT_THAT(CreateSatkerActivity(Bnnk(), "bnnk-32.73", visit, &out),
              HasField("satker_activity.units[1]"));
  // List filters.
  v1::ListSatkerActivitiesRequest list;
  list.set_parent("satkers/-");
  list.set_region("regions/32.73.04");
  grpc::Status st;
  ListSatker(Officer("bnn"), list, &st);
  EXPECT_THAT(st, HasField("region"));
  list.set_region("");
  list.set_unit("units/x");
  ListSatker(Officer("bnn"), list, &st);
  EXPECT_THAT(st, HasField("unit"));
  list.clear_unit();
  *list.mutable_start_date() = D(2026, 2, 1);
  *list.mutable_end_date() = D(2026, 1, 1);
  ListSatker(Officer("bnn"), list, &st);
  EXPECT_THAT(st, HasField("start_date"));
  list.Clear();
  list.set_parent("satkers/bnnk-32.73");
  list.set_region("regions/32");
  ListSatker(Officer("bnn"), list, &st);
  EXPECT_THAT(st, HasField("region"));
}

// =========================================================================================
// Community report tallies.

TEST_P(ActivitiesTest, TalliesCreateOverlapUpdateVoid) {
  v1::CommunityReportTally first;
  grpc::Status s = CreateTally(Agent(), Tally(), &first, "t-1");
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_TRUE(absl::StartsWith(first.name(), unit_.name() + "/communityReportTallies/"));
  EXPECT_EQ(first.reports_received(), 6);
  EXPECT_FALSE(first.has_from_self());  // absent = not counted
  v1::CommunityReportTally again;
  ASSERT_TRUE(CreateTally(Agent(), Tally(), &again, "t-1").ok());
  EXPECT_EQ(again.name(), first.name());

  // 0 reports is a count; absent is an error.
  v1::CommunityReportTally none = Tally(D(2026, 4, 1), D(2026, 6, 30));
  none.set_reports_received(0);
  none.clear_from_family();
  none.clear_from_leaders();
  none.clear_followed_up();
  none.clear_led_to_screening();
  v1::CommunityReportTally second;
  ASSERT_TRUE(CreateTally(Bnnk(), none, &second).ok());
  EXPECT_TRUE(second.has_reports_received());
  EXPECT_EQ(second.reports_received(), 0);

  // Periods may not overlap.
  v1::CommunityReportTally out;
  s = CreateTally(Agent(), Tally(D(2026, 3, 31), D(2026, 4, 1)), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "PERIOD_OVERLAP");
  const auto info = platform::ErrorInfoOf(platform::FromGrpcStatus(s));
  EXPECT_TRUE(info.metadata().at("existing") == first.name() ||
              info.metadata().at("existing") == second.name());

  // Update: counts and period, checked whole and against the others.
  v1::UpdateCommunityReportTallyRequest up;
  up.mutable_community_report_tally()->set_name(first.name());
  up.mutable_community_report_tally()->set_etag("1");
  up.mutable_community_report_tally()->set_reports_received(9);
  up.mutable_community_report_tally()->set_from_self(1);
  up.mutable_update_mask()->add_paths("reports_received");
  up.mutable_update_mask()->add_paths("from_self");
  s = tallies_->UpdateCommunityReportTally(Agent().get(), up, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.reports_received(), 9);
  EXPECT_EQ(out.from_self(), 1);
  EXPECT_EQ(out.from_family(), 3);
  EXPECT_EQ(out.etag(), "2");
  EXPECT_EQ(ReasonOf(tallies_->UpdateCommunityReportTally(Agent().get(), up, &out)),
            "ETAG_MISMATCH");
  up.mutable_community_report_tally()->set_etag("");
  up.mutable_community_report_tally()->set_reports_received(3);  // under the sources' 6
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("reports_received");
  EXPECT_THAT(tallies_->UpdateCommunityReportTally(Agent().get(), up, &out),
              HasField("community_report_tally.from_leaders"));
  // A start moved before the unit was formed (2025-03-14).
  *up.mutable_community_report_tally()->mutable_period_start() = D(2025, 3, 1);
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("period_start");
  EXPECT_THAT(tallies_->UpdateCommunityReportTally(Agent().get(), up, &out),
              HasField("community_report_tally.period_start"));
  up.mutable_community_report_tally()->clear_period_start();
  *up.mutable_community_report_tally()->mutable_period_end() = D(2026, 4, 15);
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("period_end");
  EXPECT_EQ(ReasonOf(tallies_->UpdateCommunityReportTally(Agent().get(), up, &out)),
            "PERIOD_OVERLAP");
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(tallies_->UpdateCommunityReportTally(Agent().get(), up, &out),
              HasField("update_mask.paths[0]"));

  // Void frees the period.
  v1::VoidCommunityReportTallyRequest vr;
  vr.set_name(second.name());
  vr.set_reason("wrong period");
  ASSERT_TRUE(tallies_->VoidCommunityReportTally(Agent().get(), vr, &out).ok());
  EXPECT_EQ(out.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(ReasonOf(tallies_->VoidCommunityReportTally(Agent().get(), vr, &out)),
            "ALREADY_VOIDED");
  s = CreateTally(Agent(), Tally(D(2026, 4, 1), D(2026, 4, 30)), &out);
  EXPECT_TRUE(s.ok()) << Describe(s);

  // List: newest period_end first; voided only with show_voided; pages; end-date filters.
  v1::ListCommunityReportTalliesRequest list;
  list.set_parent(unit_.name());
  auto names = registry::RegistryTest::PagesOfOne<v1::ListCommunityReportTalliesResponse>(
      list,
      [&](const v1::ListCommunityReportTalliesRequest& r,
          v1::ListCommunityReportTalliesResponse* o) {
        return tallies_->ListCommunityReportTallies(Bnnk().get(), r, o);
      },
      [](const v1::ListCommunityReportTalliesResponse& p) {
        std::vector<std::string> n;
        for (const auto& t : p.community_report_tallies()) n.push_back(t.name());
        return n;
      });
  EXPECT_EQ(names, (std::vector<std::string>{out.name(), first.name()}));
  list.set_show_voided(true);
  v1::ListCommunityReportTalliesResponse page;
  ASSERT_TRUE(tallies_->ListCommunityReportTallies(Bnnk().get(), list, &page).ok());
  ASSERT_EQ(page.community_report_tallies_size(), 3);
  EXPECT_EQ(page.community_report_tallies(0).name(), second.name());  // ends 2026-06-30
  list.set_show_voided(false);
  list.set_parent("units/-");
  *list.mutable_start_date() = D(2026, 4, 1);
  ASSERT_TRUE(tallies_->ListCommunityReportTallies(Officer("bnnp-32").get(), list, &page).ok());
  ASSERT_EQ(page.community_report_tallies_size(), 1);
  EXPECT_EQ(page.community_report_tallies(0).name(), out.name());
  ASSERT_TRUE(tallies_->ListCommunityReportTallies(Officer("bnnp-33").get(), list, &page).ok());
  EXPECT_EQ(page.community_report_tallies_size(), 0);
}

TEST_P(ActivitiesTest, TalliesRefuseBadInputNamingTheField) {
  struct Case {
    std::function<void(v1::CommunityReportTally&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](auto& t) { t.clear_period_start(); }, "community_report_tally.period_start"},
      {[](auto& t) { t.clear_period_end(); }, "community_report_tally.period_end"},
      {[](auto& t) {  // before the unit was formed (2025-03-14)
         *t.mutable_period_start() = D(2025, 3, 13);
         *t.mutable_period_end() = D(2025, 3, 31);
       },
       "community_report_tally.period_start"},
      {[](auto& t) { *t.mutable_period_end() = D(2025, 12, 31); },
       "community_report_tally.period_end"},
      {[](auto& t) { *t.mutable_period_end() = D(2027, 1, 3); },
       "community_report_tally.period_end"},  // over 366 days, and in the future
      {[](auto& t) { *t.mutable_period_end() = D(2099, 1, 1); },
       "community_report_tally.period_end"},
      {[](auto& t) { t.clear_reports_received(); }, "community_report_tally.reports_received"},
      {[](auto& t) { t.set_reports_received(10001); }, "community_report_tally.reports_received"},
      {[](auto& t) { t.set_from_self(-1); }, "community_report_tally.from_self"},
      {[](auto& t) { t.set_from_other(2); }, "community_report_tally.from_other"},
      {[](auto& t) { t.set_followed_up(7); }, "community_report_tally.followed_up"},
      {[](auto& t) { t.set_led_to_screening(5); }, "community_report_tally.led_to_screening"},
      {[](auto& t) { t.clear_recorded_by(); }, "community_report_tally.recorded_by"},
      {[this](auto& t) { t.add_recorded_by(agent_.name()); },
       "community_report_tally.recorded_by[1]"},
      {[this](auto& t) { t.add_recorded_by(other_agent_.name()); },
       "community_report_tally.recorded_by[1]"},
      {[](auto& t) { t.add_recorded_by("satkers/bnnp-33/officers/o1"); },
       "community_report_tally.recorded_by[1]"},
      {[this](auto& t) { t.add_recorded_by(unit_.name() + "/agents/nosuch1"); },
       "community_report_tally.recorded_by[1]"},  // not an ACTIVE agent
      {[](auto& t) {
         for (int i = 0; i < 5; ++i)
           t.add_recorded_by("satkers/bnnk-32.73/officers/o" + std::to_string(i));
       },
       "community_report_tally.recorded_by"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::CommunityReportTally t = Tally();
    cases[i].edit(t);
    v1::CommunityReportTally out;
    grpc::Status s = CreateTally(Agent(), t, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(s, HasField(cases[i].field)) << i;
  }
  // An officer in scope may compile it; 366 days is the longest period.
  v1::CommunityReportTally t = Tally(D(2025, 3, 14), D(2026, 3, 14));
  t.add_recorded_by("satkers/bnnp-32/officers/o1");
  v1::CommunityReportTally out;
  grpc::Status s = CreateTally(Agent(), t, &out);
  EXPECT_TRUE(s.ok()) << Describe(s);
}

TEST_P(ActivitiesTest, TalliesAreNeverShownToSupervisorsOrTheVillageFund) {
  v1::CommunityReportTally made;
  ASSERT_TRUE(CreateTally(Agent(), Tally(), &made).ok());
  EXPECT_TRUE(GetTally(Bnnk(), made.name()).ok());
  EXPECT_TRUE(GetTally(Agent(), made.name()).ok());
  EXPECT_TRUE(GetTally(As("auditor", "bnnp-32"), made.name()).ok());
  EXPECT_TRUE(GetTally(Officer("bnn"), made.name()).ok());
  for (auto* ctx :
       {"supervisor", "village_fund", "supervision", "integration", "provider", "service"}) {
    std::unique_ptr<grpc::ClientContext> c;
    const std::string who = ctx;
    if (who == "supervisor") c = As("supervisor", "bnnp-32");
    if (who == "village_fund") c = Org("village_fund", "kemendesa");
    if (who == "provider") c = Org("provider", "rsj-bandung");
    if (who == "supervision" || who == "integration") c = System(who);
    if (who == "service") c = As("service", "bnn");
    EXPECT_EQ(ReasonOf(GetTally(std::move(c), made.name())), "ROLE_NOT_ALLOWED") << who;
  }
  EXPECT_EQ(ReasonOf(GetTally(AgentOf(other_agent_), made.name())), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(GetTally(Officer("bnnp-33"), made.name())), "OUT_OF_SCOPE");
  v1::CommunityReportTally out;
  EXPECT_EQ(ReasonOf(CreateTally(Officer("bnn"), Tally(D(2026, 5, 1), D(2026, 5, 2)), &out)),
            "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(CreateTally(Officer("bnnp-33"), Tally(D(2026, 5, 1), D(2026, 5, 2)), &out)),
            "OUT_OF_SCOPE");
  v1::ListCommunityReportTalliesRequest list;
  list.set_parent("units/-");
  v1::ListCommunityReportTalliesResponse page;
  EXPECT_EQ(
      ReasonOf(tallies_->ListCommunityReportTallies(As("supervisor", "bnn").get(), list, &page)),
      "ROLE_NOT_ALLOWED");
  ASSERT_TRUE(tallies_->ListCommunityReportTallies(Agent().get(), list, &page).ok());
  EXPECT_EQ(page.community_report_tallies_size(), 1);
  ASSERT_TRUE(tallies_->ListCommunityReportTallies(AgentOf(other_agent_).get(), list, &page).ok());
  EXPECT_EQ(page.community_report_tallies_size(), 0);
}

IBM_ON_BOTH_ENGINES(ActivitiesTest);

}  // namespace
}  // namespace ibm::cases
