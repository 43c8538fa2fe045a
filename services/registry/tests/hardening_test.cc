// Regression tests of the registry's hardening (issue 8), on SQLite and on MariaDB: each one
// failed on the code before the fix it guards.
#include <atomic>

#include "absl/strings/str_format.h"
#include "base/logging.h"
#include "registry/rules/regions.h"
#include "registry/services.h"
#include "registry/tests/registry_fixture.h"

namespace ibm::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class HardeningTest : public RegistryTest {
 protected:
  // A unit in Bandung (fostered by BNNK 32.73) with one agent.
  void SetUpUnitAndAgent() {
    SeedRegionsAndSatkers();
    unit_ = MakeUnit("32.73.04.1001", "bnnk-32.73");
    v1::CreateAgentRequest req;
    req.set_parent(unit_.name());
    req.mutable_agent()->set_display_name("Ani");
    auto* d = req.mutable_agent()->mutable_decree();
    d->set_number("141/12/2025");
    *d->mutable_date() = Day(2025, 1, 2);
    *d->mutable_valid_until() = Day(2027, 1, 2);
    req.mutable_agent()->set_phone("0812 3456 7890");
    ASSERT_TRUE(agents_->CreateAgent(Central().get(), testing::WithRequestId(req), &agent_).ok());
  }
  static google::type::Date Day(int y, int m, int d) {
    google::type::Date date;
    date.set_year(y);
    date.set_month(m);
    date.set_day(d);
    return date;
  }
  std::vector<v1::Change> ChangesOf(const std::string& resource) {
    v1::ListChangesRequest r;
    r.set_resource(resource);
    r.set_page_size(1000);
    v1::ListChangesResponse out;
    EXPECT_TRUE(changes_->ListChanges(Central().get(), r, &out).ok());
    return {out.changes().begin(), out.changes().end()};
  }
  std::string AgentId() const { return agent_.name().substr(agent_.name().rfind('/') + 1); }

  v1::Unit unit_;
  v1::Agent agent_;
};

// Defect 1: "units/...-1 " found the unit on MariaDB (PAD SPACE) and the audit record of a
// FULL read was filed under that spelling, where nobody looks.
TEST_P(HardeningTest, OnlyCanonicalNamesAreAcceptedAndAuditUsesTheStoredName) {
  SetUpUnitAndAgent();
  ASSERT_EQ(unit_.name(), "units/32.73.04.1001-1");
  for (const std::string odd :
       {"units/32.73.04.1001-1 ", "units/32.73.04.1001-01", "units/32.73.04.1001-+1",
        "units/32.73.04.1001- 1", "units/32.73.04.1001-0", "units/32.73.04.1001-1x"}) {
    v1::GetUnitRequest get;
    get.set_name(odd);
    v1::Unit unit;
    EXPECT_THAT(units_->GetUnit(Central().get(), get, &unit), HasField("name")) << odd;
    v1::GetAgentRequest read;
    read.set_name(odd + "/agents/" + AgentId());
    read.set_view(v1::AGENT_VIEW_FULL);
    v1::Agent agent;
    EXPECT_THAT(agents_->GetAgent(Central().get(), read, &agent), HasField("name")) << odd;
    v1::CreateAgentRequest create;
    create.set_parent(odd);
    EXPECT_THAT(agents_->CreateAgent(Central().get(), testing::WithRequestId(create), &agent),
                HasField("parent"))
        << odd;
  }
  v1::GetAgentRequest read;
  read.set_name(agent_.name());
  read.set_view(v1::AGENT_VIEW_FULL);
  v1::Agent full;
  ASSERT_TRUE(agents_->GetAgent(Central().get(), read, &full).ok());
  int reads = 0;
  for (const v1::Change& c : ChangesOf(agent_.name())) {
    if (c.action() == v1::Change::ACTION_SENSITIVE_READ) {
      ++reads;
      EXPECT_EQ(c.resource(), agent_.name());
    }
  }
  EXPECT_EQ(reads, 1);
  // Stored ids compare exactly on both engines (NO PAD collation on MySQL).
  auto rows = db_->Query("SELECT COUNT(*) FROM units WHERE id = ?", {"32.73.04.1001-1 "});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->front().Int(0), 0);
  rows = db_->Query("SELECT COUNT(*) FROM agents WHERE id = ?", {AgentId() + "  "});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->front().Int(0), 0);
}

// Defect 3: sizes before items, scope before fields, and small errors.
TEST_P(HardeningTest, HugeRequestsGetOneSmallErrorAndStrangersGetOnlyADenial) {
  SeedRegionsAndSatkers();
  v1::CreateUnitRequest huge;
  huge.mutable_unit()->set_village("regions/32.73.04.1001");
  huge.mutable_unit()->set_satker("satkers/bnnk-32.73");
  *huge.mutable_unit()->mutable_formation_date() = Day(2025, 3, 14);
  for (int i = 0; i < 200000; ++i) huge.mutable_unit()->add_fiscal_years(1000 + i % 5);
  huge.set_request_id("huge-1");
  v1::Unit out;
  // Another province's officer learns nothing about the fields: only the denial.
  grpc::Status s = units_->CreateUnit(As("officer", "bnnp-33").get(), huge, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(ReasonOf(s), "OUT_OF_SCOPE");
  s = units_->CreateUnit(Central().get(), huge, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Violations(s),
              ::testing::ElementsAre(::testing::Pair("unit.fiscal_years", HasSubstr("at most"))));
  EXPECT_LT(s.error_message().size() + s.error_details().size(), 2000u);

  v1::UpdateUnitRequest update;
  update.mutable_unit()->set_name("units/32.73.04.1001-1");
  for (int i = 0; i < 100000; ++i) update.mutable_update_mask()->add_paths("x");
  s = units_->UpdateUnit(Central().get(), update, &out);
  EXPECT_THAT(Violations(s), ::testing::ElementsAre(
                                 ::testing::Pair("update_mask.paths", HasSubstr("100000 paths"))));
  s = units_->UpdateUnit(As("officer", "bnnp-33").get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::CreateOfficerRequest officer;
  officer.set_parent("satkers/bnnk-32.73");
  officer.mutable_officer()->set_display_name("Budi");
  for (int i = 0; i < 600; ++i) officer.mutable_officer()->add_assigned_units("units/bad");
  v1::Officer made;
  s = officers_->CreateOfficer(Central().get(), testing::WithRequestId(officer), &made);
  EXPECT_THAT(Violations(s), ::testing::ElementsAre(::testing::Pair("officer.assigned_units",
                                                                    HasSubstr("at most 500"))));

  // Import rows echo their source file: 100 KB of it per row stays out of the error.
  v1::BeginRegionImportRequest begin;
  begin.set_edition("huge@1");
  v1::RegionImport import;
  ASSERT_TRUE(
      regions_->BeginRegionImport(Central().get(), testing::WithRequestId(begin), &import).ok());
  v1::AddRegionImportRowsRequest add;
  add.set_name(import.name());
  for (int i = 0; i < 30; ++i) {
    auto* row = add.add_rows();
    row->set_code("nope");
    row->set_name("x");
    row->set_source_file(std::string(100000, 'f'));
  }
  s = regions_->AddRegionImportRows(Central().get(), add, &import);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LE(Violations(s).size(), platform::FieldViolations::kMaxFieldViolations);
  EXPECT_LT(s.error_message().size(), platform::kMaxStatusMessageBytes + 1);
  EXPECT_LE(s.error_details().size(), platform::kMaxStatusDetailsBytes);
}

// Defect 4: a row of the wrong type (SQLite is dynamically typed; MySQL's typed columns
// refuse the edit itself) fails the calls that read it, as INTERNAL; the server keeps
// serving everything else.
class SqliteHardeningTest : public HardeningTest {};

TEST_P(SqliteHardeningTest, AHandEditedRowFailsOnlyTheCallsThatReadIt) {
  SetUpUnitAndAgent();
  ASSERT_TRUE(
      db_->Exec("UPDATE units SET version = 'garbage' WHERE id = ?", {"32.73.04.1001-1"}).ok());
  v1::GetUnitRequest get;
  get.set_name(unit_.name());
  v1::Unit unit;
  grpc::Status s = units_->GetUnit(Central().get(), get, &unit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL) << s.error_message();
  EXPECT_THAT(s.error_message(), Not(HasSubstr("garbage")));
  v1::GetRegionRequest region;
  region.set_name("regions/32.73");
  v1::Region r;
  EXPECT_TRUE(regions_->GetRegion(Central().get(), region, &r).ok());
}

// Defect 5: the NIP only to officers; an agent's inactive reason is a code, the officer's
// words are sealed (FULL view only); change summaries carry no free text or names.
TEST_P(HardeningTest, PersonalDataReachesOnlyThoseWhoNeedIt) {
  SetUpUnitAndAgent();
  v1::CreateOfficerRequest create;
  create.set_parent("satkers/bnnk-32.73");
  create.mutable_officer()->set_display_name("Budi Santoso");
  create.mutable_officer()->set_nip("198507142010121003");
  v1::Officer officer;
  ASSERT_TRUE(
      officers_->CreateOfficer(Central().get(), testing::WithRequestId(create), &officer).ok());
  EXPECT_EQ(officer.nip(), "198507142010121003");
  for (const char* role : {"officer", "supervisor", "auditor", "agent", "service"}) {
    v1::GetOfficerRequest get;
    get.set_name(officer.name());
    v1::Officer seen;
    ASSERT_TRUE(officers_->GetOfficer(As(role, "bnnk-32.73").get(), get, &seen).ok()) << role;
    v1::ListOfficersRequest list;
    list.set_parent("satkers/bnnk-32.73");
    v1::ListOfficersResponse listed;
    ASSERT_TRUE(officers_->ListOfficers(As(role, "bnnk-32.73").get(), list, &listed).ok());
    ASSERT_EQ(listed.officers_size(), 1);
    const std::string expected = std::string(role) == "officer" ? "198507142010121003" : "";
    EXPECT_EQ(seen.nip(), expected) << role;
    EXPECT_EQ(listed.officers(0).nip(), expected) << role;
  }

  v1::SetAgentStatusRequest status;
  status.set_name(agent_.name());
  status.set_status(v1::AGENT_STATUS_INACTIVE);
  v1::Agent agent;
  EXPECT_THAT(agents_->SetAgentStatus(Central().get(), status, &agent), HasField("reason"));
  status.set_reason(v1::AGENT_INACTIVE_REASON_OTHER);
  status.set_details("relapsed after the Lebaran holidays");
  ASSERT_TRUE(agents_->SetAgentStatus(Central().get(), status, &agent).ok());
  EXPECT_EQ(agent.inactive_reason(), v1::AGENT_INACTIVE_REASON_OTHER);
  EXPECT_EQ(agent.inactive_details(), "");
  v1::ListAgentsRequest list;
  list.set_parent(unit_.name());
  list.set_show_inactive(true);
  v1::ListAgentsResponse listed;
  ASSERT_TRUE(agents_->ListAgents(Central().get(), list, &listed).ok());
  ASSERT_EQ(listed.agents_size(), 1);
  EXPECT_EQ(listed.agents(0).inactive_details(), "");
  v1::GetAgentRequest read;
  read.set_name(agent_.name());
  read.set_view(v1::AGENT_VIEW_FULL);
  ASSERT_TRUE(agents_->GetAgent(As("officer", "bnnk-32.73").get(), read, &agent).ok());
  EXPECT_EQ(agent.inactive_details(), "relapsed after the Lebaran holidays");
  read.set_view(v1::AGENT_VIEW_BASIC);
  ASSERT_TRUE(agents_->GetAgent(As("agent", "bnnk-32.73").get(), read, &agent).ok());
  EXPECT_EQ(agent.inactive_details(), "");
  // Back to active: the reason and the words go.
  status.set_status(v1::AGENT_STATUS_ACTIVE);
  EXPECT_THAT(agents_->SetAgentStatus(Central().get(), status, &agent), HasField("reason"));
  status.clear_reason();
  status.clear_details();
  ASSERT_TRUE(agents_->SetAgentStatus(Central().get(), status, &agent).ok());
  EXPECT_EQ(agent.inactive_reason(), v1::AGENT_INACTIVE_REASON_UNSPECIFIED);

  v1::TransitionUnitRequest transition;
  transition.set_name(unit_.name());
  transition.set_status(v1::UNIT_STATUS_INACTIVE);
  transition.set_reason("Kepala Desa Ahmad menolak melanjutkan");
  v1::Unit unit;
  ASSERT_TRUE(units_->TransitionUnit(Central().get(), transition, &unit).ok());

  auto dump = db_->Query("SELECT summary, fields FROM changes");
  ASSERT_TRUE(dump.ok());
  for (const sql::Row& row : *dump) {
    for (const char* secret : {"relapsed", "Budi", "Ahmad", "141/12/2025", "Santoso"}) {
      EXPECT_THAT(row.Text(0), Not(HasSubstr(secret)));
    }
  }
  auto stored = db_->Query("SELECT inactive_reason, contact_sealed FROM agents");
  ASSERT_TRUE(stored.ok());
  for (const sql::Row& row : *stored) {
    EXPECT_THAT(row.Text(0) + row.Text(1), Not(HasSubstr("relapsed")));
  }
}

// Defect 7: assigned units outside the caller's scope are denied before any lookup, and
// inside it a missing unit and another satker's unit get the same answer.
TEST_P(HardeningTest, AssigningUnitsRevealsNothingAboutUnitsElsewhere) {
  SetUpUnitAndAgent();
  MakeUnit("32.01.01.1001", "bnnp-32");  // Bogor: fostered by the BNNP
  v1::CreateOfficerRequest create;
  create.set_parent("satkers/bnnk-32.73");
  create.mutable_officer()->set_display_name("Budi");
  v1::Officer officer;
  for (const char* elsewhere :
       {"units/33.74.01.1001-1", "units/32.01.01.1001-1", "units/32.01.01.1001-7"}) {
    create.mutable_officer()->clear_assigned_units();
    create.mutable_officer()->add_assigned_units(elsewhere);
    grpc::Status s = officers_->CreateOfficer(As("officer", "bnnk-32.73").get(),
                                              testing::WithRequestId(create), &officer);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << elsewhere;
    EXPECT_THAT(s.error_message(), Not(HasSubstr("exist"))) << elsewhere;
  }
  // The same on an update of an officer of the caller's own satker.
  create.mutable_officer()->clear_assigned_units();
  ASSERT_TRUE(officers_
                  ->CreateOfficer(As("officer", "bnnk-32.73").get(), testing::WithRequestId(create),
                                  &officer)
                  .ok());
  for (const char* elsewhere : {"units/33.74.01.1001-1", "units/32.01.01.1001-1"}) {
    v1::UpdateOfficerRequest update;
    update.mutable_officer()->set_name(officer.name());
    update.mutable_officer()->add_assigned_units(elsewhere);
    update.mutable_update_mask()->add_paths("assigned_units");
    v1::Officer updated;
    grpc::Status s = officers_->UpdateOfficer(As("officer", "bnnk-32.73").get(), update, &updated);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << elsewhere;
  }
  std::vector<std::string> answers;
  for (const char* unit : {"units/32.01.01.1001-1", "units/32.01.01.1001-7"}) {
    create.mutable_officer()->clear_assigned_units();
    create.mutable_officer()->add_assigned_units(unit);
    grpc::Status s =
        officers_->CreateOfficer(Central().get(), testing::WithRequestId(create), &officer);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << unit;
    std::string answer = s.error_message();
    answer.replace(answer.find(unit), strlen(unit), "U");
    answers.push_back(answer);
  }
  EXPECT_EQ(answers[0], answers[1]);
}

// Defect 7: request ids are required and each caller's own.
TEST_P(HardeningTest, RequestIdsAreRequiredAndBelongToTheirCaller) {
  SeedRegionsAndSatkers();
  v1::CreateUnitRequest req;
  req.mutable_unit()->set_village("regions/32.73.04.1001");
  req.mutable_unit()->set_satker("satkers/bnnk-32.73");
  *req.mutable_unit()->mutable_formation_date() = Day(2025, 3, 14);
  v1::Unit first, second;
  EXPECT_THAT(units_->CreateUnit(Central().get(), req, &first), HasField("request_id"));
  req.set_request_id("form-caringin");
  ASSERT_TRUE(
      units_->CreateUnit(server_->As("officer", "bnn", "officer-1").get(), req, &first).ok());
  ASSERT_TRUE(
      units_->CreateUnit(server_->As("officer", "bnn", "officer-1").get(), req, &second).ok());
  EXPECT_EQ(first.name(), second.name());  // the same caller's retry
  // Another caller with the same id is not that caller's retry: it creates (here: refused,
  // the village already has a unit), never answers with the first caller's unit.
  grpc::Status s =
      units_->CreateUnit(server_->As("officer", "bnn", "officer-2").get(), req, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
}

// Defect 7: bounded growth: training records per agent.
TEST_P(HardeningTest, AnAgentHoldsABoundedNumberOfTrainingRecords) {
  SetUpUnitAndAgent();
  v1::RecordAgentTrainingRequest req;
  req.set_name(agent_.name());
  req.mutable_training()->set_kind(v1::TrainingRecord::KIND_REFRESHER);
  req.mutable_training()->set_hours(2);
  *req.mutable_training()->mutable_date() = Day(2025, 6, 1);
  v1::Agent agent;
  grpc::Status s;
  int recorded = 0;
  for (; recorded < 201; ++recorded) {
    s = agents_->RecordAgentTraining(Central().get(), req, &agent);
    if (!s.ok()) break;
  }
  EXPECT_EQ(recorded, 200);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
}

// Defect 2: search goes through the index for every word and does bounded work per call; its
// pages, followed to the end, hold exactly the regions a brute-force scan finds.
TEST_P(HardeningTest, SearchFindsExactlyWhatABruteForceScanFindsPageByPage) {
  // A made-up province: 3 regencies x 4 districts x 250 villages, names from a few words,
  // so that some words are in thousands of names and some combinations in none.
  const std::vector<std::string> vocabulary = {"Sari",  "Sukamaju", "Mekar", "Jaya",  "Baru",
                                               "Kidul", "Lor",      "Asri",  "Indah", "Makmur"};
  std::vector<Seed> seeds = {{"35", "", "Jawa Timur"}};
  for (int r = 1; r <= 3; ++r) {
    const std::string regency = absl::StrFormat("35.%02d", r);
    seeds.push_back({regency, "35", absl::StrCat("Kabupaten ", vocabulary[r])});
    for (int d = 1; d <= 4; ++d) {
      const std::string district = absl::StrFormat("%s.%02d", regency, d);
      seeds.push_back({district, regency, absl::StrCat(vocabulary[(r + d) % 10], " Kulon")});
      for (int v = 1; v <= 250; ++v) {
        seeds.push_back({absl::StrFormat("%s.%04d", district, 2000 + v), district,
                         absl::StrCat(vocabulary[v % 10], " ", vocabulary[(v / 10) % 10], " ",
                                      v % 7 == 0 ? "Nol" : "Desa", v % 11 == 0 ? "" : " Wetan")});
      }
    }
  }
  v1::RegionImport imported;
  ASSERT_TRUE(Import("made-up@1", seeds, &imported, 5000).ok());

  auto brute_force = [&](const std::vector<std::string>& words, int level,
                         const std::string& within) {
    std::vector<std::pair<int, std::string>> expected;
    for (const Seed& s : seeds) {
      const int l = 1 + static_cast<int>(std::count(s.code.begin(), s.code.end(), '.'));
      if (level != 0 && l != level) continue;
      if (!within.empty() && !absl::StartsWith(s.code, within + ".")) continue;
      std::vector<std::string> name_words = rules::NameWords(s.name);
      bool all = true;
      for (const std::string& w : words) {
        all = all && std::any_of(name_words.begin(), name_words.end(),
                                 [&](const std::string& n) { return absl::StartsWith(n, w); });
      }
      if (all) expected.push_back({l, s.code});
    }
    std::sort(expected.begin(), expected.end());
    std::vector<std::string> codes;
    for (auto& [l, c] : expected) codes.push_back(c);
    return codes;
  };
  struct Query {
    std::string text;
    int level;
    std::string within;
    int page_size;
  };
  const std::vector<Query> queries = {
      {"s", 0, "", 1000},
      {"s", 0, "", 37},
      {"sari", 0, "", 50},
      {"s n", 0, "", 7},
      {"s 0", 0, "", 1},
      {"a", 4, "35.02", 100},
      {"mekar jaya", 4, "", 10},
      {"k", 0, "", 1000},
      {"makmur nol lor", 0, "", 3},
      {"kulon", 3, "", 5},
      {"d s m", 0, "35.03.04", 11},
      // Every word in more names than the index probe's cap: the bounded scan.
      {"desa", 0, "", 1000},
      {"desa wetan", 0, "", 13},
      {"d w", 4, "35.01", 100},
      {"w", 0, "", 999},
      {"we de", 0, "35.03.04", 1}};
  for (const Query& q : queries) {
    const std::vector<std::string> expected =
        brute_force(rules::NameWords(q.text), q.level, q.within);
    std::vector<std::string> got;
    v1::SearchRegionsRequest req;
    req.set_query(q.text);
    req.set_level(static_cast<v1::RegionLevel>(q.level));
    if (!q.within.empty()) req.set_within("regions/" + q.within);
    req.set_page_size(q.page_size);
    int calls = 0;
    do {
      v1::SearchRegionsResponse page;
      const absl::Time start = absl::Now();
      grpc::Status s = regions_->SearchRegions(Central().get(), req, &page);
      ASSERT_TRUE(s.ok()) << q.text << ": " << s.error_message();
      EXPECT_LT(absl::Now() - start, absl::Seconds(2)) << q.text;  // generous: CI is shared
      EXPECT_LE(page.regions_size(), q.page_size);
      for (const auto& r : page.regions()) got.push_back(r.code());
      req.set_page_token(page.next_page_token());
      ASSERT_LT(++calls, 5000) << q.text;
    } while (!req.page_token().empty());
    EXPECT_EQ(got, expected) << "query '" << q.text << "' level " << q.level << " within "
                             << q.within;
  }
  // More than eight words is refused (each word costs an index probe).
  v1::SearchRegionsRequest many;
  many.set_query("a b c d e f g h i");
  v1::SearchRegionsResponse out;
  EXPECT_THAT(regions_->SearchRegions(Central().get(), many, &out), HasField("query"));
}

// Deleting any of these rules left every test green (tools/mutation-rules.txt lists them for
// tools/mutate.sh).
TEST_P(HardeningTest, RulesNoTestUsedToGuard) {
  SetUpUnitAndAgent();
  // Control characters in text.
  v1::UpdateAgentRequest update;
  update.mutable_agent()->set_name(agent_.name());
  update.mutable_agent()->set_display_name("Ani\x07");
  update.mutable_update_mask()->add_paths("display_name");
  v1::Agent agent;
  EXPECT_THAT(agents_->UpdateAgent(Central().get(), update, &agent),
              HasField("agent.display_name"));
  // Dates outside 1945-2200.
  update.mutable_agent()->set_display_name("Ani");
  update.mutable_update_mask()->add_paths("decree");
  *update.mutable_agent()->mutable_decree() = agent_.decree();
  *update.mutable_agent()->mutable_decree()->mutable_date() = Day(1900, 1, 2);
  EXPECT_THAT(agents_->UpdateAgent(Central().get(), update, &agent), HasField("agent.decree.date"));
  // A retired village gets no new unit.
  std::vector<Seed> next = kRegions;
  next.erase(next.begin() + 11);  // 32.73.04.1002 retired by the next edition
  v1::RegionImport imported;
  ASSERT_TRUE(Import("seed@2", next, &imported).ok());
  v1::CreateUnitRequest create;
  create.mutable_unit()->set_village("regions/32.73.04.1002");
  create.mutable_unit()->set_satker("satkers/bnnk-32.73");
  *create.mutable_unit()->mutable_formation_date() = Day(2025, 3, 14);
  v1::Unit unit;
  grpc::Status s = units_->CreateUnit(Central().get(), testing::WithRequestId(create), &unit);
  EXPECT_THAT(s, HasField("unit.village"));
  EXPECT_THAT(s.error_message(), HasSubstr("retired"));
  // A unit never moves backwards: sustaining -> running is refused.
  v1::TransitionUnitRequest move;
  move.set_name(unit_.name());
  for (auto to : {v1::UNIT_STATUS_RUNNING, v1::UNIT_STATUS_SUSTAINING}) {
    move.set_status(to);
    ASSERT_TRUE(units_->TransitionUnit(Central().get(), move, &unit).ok());
  }
  move.set_status(v1::UNIT_STATUS_RUNNING);
  s = units_->TransitionUnit(Central().get(), move, &unit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "ILLEGAL_TRANSITION");
  // Search needs every word: "kota bandung" is Kota Bandung, not Kota Semarang nor the
  // district Bandung Kulon.
  v1::SearchRegionsRequest search;
  search.set_query("kota bandung");
  v1::SearchRegionsResponse found;
  ASSERT_TRUE(regions_->SearchRegions(Central().get(), search, &found).ok());
  ASSERT_EQ(found.regions_size(), 1);
  EXPECT_EQ(found.regions(0).code(), "32.73");
  // A region row is checked by the same rules as ibmctl checks the files: DEL is a control
  // character on both sides.
  v1::BeginRegionImportRequest begin;
  begin.set_edition("del@1");
  v1::RegionImport import;
  ASSERT_TRUE(
      regions_->BeginRegionImport(Central().get(), testing::WithRequestId(begin), &import).ok());
  v1::AddRegionImportRowsRequest add;
  add.set_name(import.name());
  auto* row = add.add_rows();
  row->set_code("32");
  row->set_name("Jawa\x7f Barat");
  EXPECT_THAT(regions_->AddRegionImportRows(Central().get(), add, &import),
              HasField("rows[0].name"));
  // The children of a region that does not exist: NOT_FOUND, not an empty list.
  v1::ListRegionsRequest list;
  list.set_parent("regions/32.99");
  v1::ListRegionsResponse listed;
  EXPECT_EQ(regions_->ListRegions(Central().get(), list, &listed).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// The change log is a tamper-evident audit log: a hand-edited, forged, removed or cut-off
// entry is found, and named.
TEST_P(HardeningTest, TheAuditChainNamesTheFirstTamperedEntry) {
  SetUpUnitAndAgent();
  v1::GetAgentRequest read;
  read.set_name(agent_.name());
  read.set_view(v1::AGENT_VIEW_FULL);
  v1::Agent agent;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(agents_->GetAgent(Central().get(), read, &agent).ok());
  auto verify = [&](int64_t after = 0, int64_t max = 0) {
    v1::VerifyChangesRequest req;
    req.set_after_sequence(after);
    req.set_max_entries(max);
    v1::VerifyChangesResponse out;
    grpc::Status s = changes_->VerifyChanges(As("auditor", "bnn").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  };
  v1::VerifyChangesResponse intact = verify();
  EXPECT_EQ(intact.broken_sequence(), 0) << intact.problem();
  const int64_t n = intact.head_sequence();
  EXPECT_GE(n, 8);
  EXPECT_EQ(intact.verified_entries(), n);
  // In pieces of 3, the same.
  int64_t verified = 0;
  for (int64_t after = 0;;) {
    v1::VerifyChangesResponse part = verify(after, 3);
    EXPECT_EQ(part.broken_sequence(), 0);
    verified += part.verified_entries();
    if (part.next_after_sequence() == 0) break;
    after = part.next_after_sequence();
  }
  EXPECT_EQ(verified, n);

  auto exec = [&](const std::string& sql, const sql::Params& params = {}) {
    auto r = db_->Exec(sql, params);
    ASSERT_TRUE(r.ok()) << r.status();
  };
  // Someone hides who read an agent's contact details.
  auto reads = db_->Query("SELECT seq, actor FROM changes WHERE action = ? ORDER BY seq",
                          {static_cast<int>(v1::Change::ACTION_SENSITIVE_READ)});
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 3u);
  const int64_t edited = reads->at(1).Int(0);
  exec("UPDATE changes SET actor = 'someone-else' WHERE seq = ?", {edited});
  v1::VerifyChangesResponse broken = verify();
  EXPECT_EQ(broken.broken_sequence(), edited);
  EXPECT_THAT(broken.problem(), HasSubstr("changed"));
  exec("UPDATE changes SET actor = ? WHERE seq = ?", {reads->at(1).Text(1), edited});
  EXPECT_EQ(verify().broken_sequence(), 0);
  // ... or deletes the record and renumbers nothing.
  exec("DELETE FROM changes WHERE seq = ?", {edited});
  broken = verify();
  EXPECT_EQ(broken.broken_sequence(), edited);
  EXPECT_THAT(broken.problem(), HasSubstr("missing"));
  // ... or cuts the end off the log.
  exec("DELETE FROM changes WHERE seq >= ?", {edited});
  broken = verify();
  EXPECT_EQ(broken.broken_sequence(), edited);
  EXPECT_THAT(broken.problem(), HasSubstr("head records"));
  // Forgeries that keep every row and the head consistent with each other: blanking the
  // hashes (and naming an unknown key), rewriting the head after a cut, moving the chain's
  // start past every entry. None verifies without the key.
  exec("DELETE FROM changes");  // start from a fresh chain on a fresh head
  exec(
      "UPDATE changes_head SET start_seq = 0, last_seq = 0, last_hash = '', head_key = '', "
      "head_mac = ''");
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(agents_->GetAgent(Central().get(), read, &agent).ok());
  ASSERT_EQ(verify().broken_sequence(), 0) << verify().problem();
  EXPECT_EQ(verify().verified_entries(), 4);
  exec("UPDATE changes SET chain_key = 'forged', chain_hash = '' WHERE seq >= 3");
  exec("UPDATE changes_head SET last_hash = ''");
  EXPECT_NE(verify().broken_sequence(), 0);
  exec("DELETE FROM changes WHERE seq >= 3");
  auto last = db_->Query("SELECT chain_hash FROM changes WHERE seq = 2");
  ASSERT_TRUE(last.ok() && last->size() == 1);
  exec("UPDATE changes_head SET last_seq = 2, last_hash = ?", {last->front().Text(0)});
  broken = verify();
  EXPECT_NE(broken.broken_sequence(), 0);
  EXPECT_THAT(broken.problem(), HasSubstr("head"));
  exec("UPDATE changes_head SET start_seq = 2");
  EXPECT_NE(verify().broken_sequence(), 0);
  // A tampered head also stops the chain from growing: a FULL read is still recorded (in the
  // queue, under its own MAC, in the read's transaction), but never chained onto the forgery.
  const int64_t queued_before = verify().queued_entries();
  ASSERT_TRUE(agents_->GetAgent(Central().get(), read, &agent).ok());
  broken = verify();
  EXPECT_NE(broken.broken_sequence(), 0);
  EXPECT_EQ(broken.queued_entries(), queued_before + 1);
  EXPECT_EQ(broken.head_sequence(), 2);
  // Bad ranges name their field.
  {
    v1::VerifyChangesRequest bad;
    bad.set_after_sequence(-1);
    v1::VerifyChangesResponse out;
    EXPECT_THAT(changes_->VerifyChanges(As("auditor", "bnn").get(), bad, &out),
                HasField("after_sequence"));
    bad.set_after_sequence(0);
    for (int64_t max : {int64_t{-1}, int64_t{1000001}}) {
      bad.set_max_entries(max);
      EXPECT_THAT(changes_->VerifyChanges(As("auditor", "bnn").get(), bad, &out),
                  HasField("max_entries"))
          << max;
    }
  }
  // Agents and provincial officers may not verify the national log.
  v1::VerifyChangesResponse out;
  EXPECT_EQ(changes_->VerifyChanges(As("officer", "bnnp-32").get(), {}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

IBM_ON_BOTH_ENGINES(HardeningTest);
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteHardeningTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ibm::registry
