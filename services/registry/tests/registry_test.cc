// The registry end to end in process: real gRPC, real JWT auth, and the same tests on
// SQLite and on MariaDB. A small hand-made region set stands in for the national data (the
// full 83,762-village import is exercised by ibmctl's test and the benchmark).
#include "registry/tests/registry_fixture.h"

namespace ibm::registry {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

int64_t Count(const v1::RegionImport& import, v1::RegionLevel level,
              int64_t (v1::RegionImportCount::*what)() const) {
  for (const auto& c : import.counts()) {
    if (c.level() == level) return (c.*what)();
  }
  return -1;
}

TEST_P(RegistryTest, ImportAppliesAnEditionOnceAndANewerOneWithoutBreakingOldCodes) {
  v1::RegionImport first;
  ASSERT_TRUE(Import("seed@1", kRegions, &first).ok());
  EXPECT_EQ(first.state(), v1::RegionImport::STATE_COMMITTED);
  EXPECT_EQ(Count(first, v1::REGION_LEVEL_VILLAGE, &v1::RegionImportCount::added), 5);
  EXPECT_EQ(Count(first, v1::REGION_LEVEL_PROVINCE, &v1::RegionImportCount::added), 2);

  // The same edition again: nothing changes.
  v1::RegionImport again;
  ASSERT_TRUE(Import("seed@1", kRegions, &again).ok());
  EXPECT_EQ(Count(again, v1::REGION_LEVEL_VILLAGE, &v1::RegionImportCount::unchanged), 5);
  EXPECT_EQ(Count(again, v1::REGION_LEVEL_VILLAGE, &v1::RegionImportCount::added), 0);

  // A newer edition renames one village, adds one and drops one.
  std::vector<Seed> next = kRegions;
  next[10].name = "Caringin Baru";
  next.erase(next.begin() + 11);  // 32.73.04.1002 dropped
  next.push_back({"32.73.04.1003", "32.73.04", "Warung Muncang"});
  v1::RegionImport second;
  ASSERT_TRUE(Import("seed@2", next, &second).ok());
  EXPECT_EQ(Count(second, v1::REGION_LEVEL_VILLAGE, &v1::RegionImportCount::renamed), 1);
  EXPECT_EQ(Count(second, v1::REGION_LEVEL_VILLAGE, &v1::RegionImportCount::added), 1);
  EXPECT_EQ(Count(second, v1::REGION_LEVEL_VILLAGE, &v1::RegionImportCount::retired), 1);

  v1::GetRegionRequest get;
  get.set_name("regions/32.73.04.1002");
  v1::Region dropped;
  ASSERT_TRUE(regions_->GetRegion(Central().get(), get, &dropped).ok());
  EXPECT_EQ(dropped.retired_in_edition(), "seed@2");  // old references still resolve
  get.set_name("regions/32.73.04.1001");
  v1::Region renamed;
  ASSERT_TRUE(regions_->GetRegion(Central().get(), get, &renamed).ok());
  EXPECT_EQ(renamed.display_name(), "Caringin Baru");
  EXPECT_EQ(renamed.first_edition(), "seed@1");
  EXPECT_EQ(renamed.last_edition(), "seed@2");

  v1::ListRegionEditionsResponse editions;
  ASSERT_TRUE(regions_->ListRegionEditions(Central().get(), {}, &editions).ok());
  ASSERT_EQ(editions.imports_size(), 3);
  EXPECT_EQ(editions.imports(0).edition(), "seed@2");  // newest first
}

TEST_P(RegistryTest, ImportRefusesBadRowsByLineAndLeavesNothingHalfDone) {
  std::vector<Seed> bad = kRegions;
  bad[9].code = "32.01.01.99999";  // seed.csv line 11
  v1::RegionImport result;
  auto s = Import("bad@1", bad, &result);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Violations(s), Contains(Pair("rows[4].code", HasSubstr("seed.csv:11"))));

  // A village whose district is nowhere: the commit fails, naming the line, and applies
  // nothing of the edition.
  std::vector<Seed> orphan = kRegions;
  orphan.push_back({"32.01.09.2001", "32.01.09", "Nowhere"});
  s = Import("orphan@1", orphan, &result);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("seed.csv:15"));
  auto rows = db_->Query("SELECT COUNT(*) FROM regions");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->front().Int(0), 0);

  // A parent that is not the code's prefix, an empty name, a duplicate in one chunk.
  v1::BeginRegionImportRequest begin;
  begin.set_edition("x");
  v1::RegionImport import;
  ASSERT_TRUE(
      regions_->BeginRegionImport(Central().get(), testing::WithRequestId(begin), &import).ok());
  v1::AddRegionImportRowsRequest add;
  add.set_name(import.name());
  auto* r0 = add.add_rows();
  r0->set_code("32.01");
  r0->set_parent_code("33");
  r0->set_name("Kabupaten Bogor");
  auto* r1 = add.add_rows();
  r1->set_code("32");
  r1->set_name("");
  *add.add_rows() = *r1;
  s = regions_->AddRegionImportRows(Central().get(), add, &import);
  EXPECT_THAT(s, HasField("rows[0].parent_code"));
  EXPECT_THAT(s, HasField("rows[1].name"));
  EXPECT_THAT(s, HasField("rows[2].code"));

  // Only BNN central imports.
  s = regions_->BeginRegionImport(As("officer", "bnnp-32").get(), testing::WithRequestId(begin),
                                  &import);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_P(RegistryTest, RegionsAreReadListedSearchedAndValidated) {
  SeedRegionsAndSatkers();
  auto agent = As("agent", "bnnk-32.73");
  v1::ListRegionsRequest list;
  list.set_parent("regions/32");
  v1::ListRegionsResponse regencies;
  ASSERT_TRUE(regions_->ListRegions(agent.get(), list, &regencies).ok());
  ASSERT_EQ(regencies.regions_size(), 2);
  EXPECT_EQ(regencies.regions(0).display_name(), "Kabupaten Bogor");
  EXPECT_EQ(regencies.regions(1).display_name(), "Kota Bandung");

  // Pages of one, following next_page_token to the end.
  list.set_page_size(1);
  std::vector<std::string> seen;
  do {
    v1::ListRegionsResponse page;
    ASSERT_TRUE(regions_->ListRegions(Central().get(), list, &page).ok());
    for (const auto& r : page.regions()) seen.push_back(r.code());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_THAT(seen, ElementsAre("32.01", "32.73"));

  v1::SearchRegionsRequest search;
  search.set_query("BANDUNG");
  v1::SearchRegionsResponse found;
  ASSERT_TRUE(regions_->SearchRegions(Central().get(), search, &found).ok());
  ASSERT_EQ(found.regions_size(), 2);  // Kota Bandung, Bandung Kulon: by level, then code
  EXPECT_EQ(found.regions(0).code(), "32.73");
  EXPECT_EQ(found.regions(1).code(), "32.73.04");
  search.set_query("soka cibi");  // every word, as a word prefix, quotes and commas ignored
  search.set_level(v1::REGION_LEVEL_VILLAGE);
  ASSERT_TRUE(regions_->SearchRegions(Central().get(), search, &found).ok());
  ASSERT_EQ(found.regions_size(), 1);
  EXPECT_EQ(found.regions(0).display_name(), "Soka\"an, Cibinong");
  for (const std::string& bad :
       {std::string(), std::string("  -- "), std::string(10 * 1024, 'a')}) {
    search.set_query(bad);
    EXPECT_THAT(regions_->SearchRegions(Central().get(), search, &found), HasField("query"));
  }
  search.set_query("andung");  // not a word prefix
  search.set_level(v1::REGION_LEVEL_UNSPECIFIED);
  ASSERT_TRUE(regions_->SearchRegions(Central().get(), search, &found).ok());
  EXPECT_EQ(found.regions_size(), 0);

  auto validate = [&](const std::string& code, v1::RegionLevel level) {
    v1::ValidateRegionCodeRequest req;
    req.set_code(code);
    req.set_expected_level(level);
    v1::ValidateRegionCodeResponse resp;
    EXPECT_TRUE(regions_->ValidateRegionCode(Central().get(), req, &resp).ok());
    return resp;
  };
  EXPECT_TRUE(validate("32.73.04.1001", v1::REGION_LEVEL_VILLAGE).valid());
  auto r = validate("99", v1::REGION_LEVEL_UNSPECIFIED);
  EXPECT_FALSE(r.valid());
  EXPECT_FALSE(r.exists());
  EXPECT_EQ(r.level(), v1::REGION_LEVEL_PROVINCE);
  EXPECT_FALSE(validate("32.01.01.99999", v1::REGION_LEVEL_UNSPECIFIED).valid());
  EXPECT_EQ(validate("32.01.01.99999", v1::REGION_LEVEL_UNSPECIFIED).level(),
            v1::REGION_LEVEL_UNSPECIFIED);
  EXPECT_FALSE(validate("32.01..2001", v1::REGION_LEVEL_UNSPECIFIED).valid());
  r = validate("32.73", v1::REGION_LEVEL_VILLAGE);
  EXPECT_FALSE(r.valid());
  EXPECT_TRUE(r.exists());
  EXPECT_THAT(r.problem(), HasSubstr("not a village code"));

  v1::GetRegionRequest get;
  v1::Region region;
  for (const char* bad : {"regions/99.", "regions/32.01..2001", "32.73", "regions/"}) {
    get.set_name(bad);
    EXPECT_THAT(regions_->GetRegion(Central().get(), get, &region), HasField("name")) << bad;
  }
  get.set_name("regions/99");
  EXPECT_EQ(regions_->GetRegion(Central().get(), get, &region).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_P(RegistryTest, PageSizesAndPageTokensAreCheckedAsAipSays) {
  SeedRegionsAndSatkers();
  v1::ListRegionsRequest list;
  list.set_parent("regions/32");
  v1::ListRegionsResponse resp;
  list.set_page_size(-1);
  EXPECT_THAT(regions_->ListRegions(Central().get(), list, &resp), HasField("page_size"));
  list.set_page_size(1000000);  // lowered to the maximum
  ASSERT_TRUE(regions_->ListRegions(Central().get(), list, &resp).ok());
  EXPECT_EQ(resp.regions_size(), 2);
  EXPECT_TRUE(resp.next_page_token().empty());

  list.set_page_size(1);
  ASSERT_TRUE(regions_->ListRegions(Central().get(), list, &resp).ok());
  std::string token = resp.next_page_token();
  ASSERT_FALSE(token.empty());
  // The same token on another query, and altered.
  v1::ListRegionsRequest other;
  other.set_parent("regions/33");
  other.set_page_token(token);
  EXPECT_THAT(regions_->ListRegions(Central().get(), other, &resp), HasField("page_token"));
  v1::ListSatkersRequest satkers;
  satkers.set_page_token(token);
  v1::ListSatkersResponse satker_page;
  EXPECT_THAT(satkers_->ListSatkers(Central().get(), satkers, &satker_page),
              HasField("page_token"));
  std::string tampered = token;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  list.set_page_token(tampered);
  EXPECT_THAT(regions_->ListRegions(Central().get(), list, &resp), HasField("page_token"));
  list.set_page_token("not a token!");
  EXPECT_THAT(regions_->ListRegions(Central().get(), list, &resp), HasField("page_token"));
}

TEST_P(RegistryTest, SatkerFollowBnnStructure) {
  SeedRegionsAndSatkers();
  v1::BootstrapSatkersResponse again;
  ASSERT_TRUE(satkers_
                  ->BootstrapSatkers(Central().get(),
                                     testing::WithRequestId(v1::BootstrapSatkersRequest{}), &again)
                  .ok());
  EXPECT_EQ(again.created(), 0);
  EXPECT_EQ(again.existing(), 3);  // BNN central and two BNNP

  v1::GetSatkerRequest get;
  get.set_name("satkers/bnnk-32.73");
  v1::Satker bnnk;
  ASSERT_TRUE(satkers_->GetSatker(Central().get(), get, &bnnk).ok());
  EXPECT_EQ(bnnk.display_name(), "BNN Kota Bandung");
  EXPECT_EQ(bnnk.parent(), "satkers/bnnp-32");

  v1::CreateSatkerRequest req;
  req.mutable_satker()->set_kind(v1::SATKER_KIND_BNNK);
  req.mutable_satker()->set_region("regions/32");  // a province code
  v1::Satker out;
  EXPECT_THAT(satkers_->CreateSatker(Central().get(), testing::WithRequestId(req), &out),
              HasField("satker.region"));
  req.mutable_satker()->set_region("regions/32.01");
  req.mutable_satker()->set_display_name(std::string(10 * 1024, 'x'));
  EXPECT_THAT(satkers_->CreateSatker(Central().get(), testing::WithRequestId(req), &out),
              HasField("satker.display_name"));
  req.mutable_satker()->clear_display_name();
  // Another province's BNNP, and a BNNK, may not create it.
  EXPECT_EQ(
      satkers_->CreateSatker(As("officer", "bnnp-33").get(), testing::WithRequestId(req), &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      satkers_->CreateSatker(As("officer", "bnnk-32.73").get(), testing::WithRequestId(req), &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  req.mutable_satker()->set_region("regions/32.73");
  EXPECT_EQ(satkers_->CreateSatker(Central().get(), testing::WithRequestId(req), &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::ListSatkersRequest list;
  list.set_parent("satkers/bnn");
  v1::ListSatkersResponse children, descendants;
  ASSERT_TRUE(satkers_->ListSatkers(Central().get(), list, &children).ok());
  EXPECT_EQ(children.satkers_size(), 2);
  list.set_descendants(true);
  ASSERT_TRUE(satkers_->ListSatkers(Central().get(), list, &descendants).ok());
  EXPECT_EQ(descendants.satkers_size(), 3);

  // Updates: stale etag, unknown mask path, and a good one that moves the etag.
  v1::UpdateSatkerRequest update;
  update.mutable_satker()->set_name("satkers/bnnk-32.73");
  update.mutable_satker()->set_phone("022-1234567");
  update.mutable_satker()->set_etag("999");
  update.mutable_update_mask()->add_paths("phone");
  EXPECT_EQ(satkers_->UpdateSatker(Central().get(), update, &out).error_code(),
            grpc::StatusCode::ABORTED);
  update.mutable_satker()->set_etag(bnnk.etag());
  update.mutable_update_mask()->add_paths("kind");
  EXPECT_THAT(satkers_->UpdateSatker(Central().get(), update, &out),
              HasField("update_mask.paths[1]"));
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("phone");
  ASSERT_TRUE(satkers_->UpdateSatker(As("officer", "bnnk-32.73").get(), update, &out).ok());
  EXPECT_EQ(out.phone(), "022-1234567");
  EXPECT_NE(out.etag(), bnnk.etag());
}

TEST_P(RegistryTest, UnitsFollowTheirVillageTheirSatkerAndTheirLifecycle) {
  SeedRegionsAndSatkers();
  v1::Unit unit = MakeUnit("32.73.04.1001", "bnnk-32.73");
  EXPECT_EQ(unit.name(), "units/32.73.04.1001-1");
  EXPECT_EQ(unit.status(), v1::UNIT_STATUS_NEWLY_FORMED);
  // Bogor has no BNNK: West Java's BNNP fosters there.
  EXPECT_EQ(MakeUnit("32.01.01.1001", "bnnp-32").satker(), "satkers/bnnp-32");

  v1::CreateUnitRequest req;
  req.mutable_unit()->set_village("regions/32.73.04.1002");
  req.mutable_unit()->set_satker("satkers/bnnp-32");  // but Bandung has a BNNK
  auto* d = req.mutable_unit()->mutable_formation_date();
  d->set_year(2025);
  d->set_month(1);
  d->set_day(2);
  v1::Unit out;
  EXPECT_THAT(units_->CreateUnit(Central().get(), testing::WithRequestId(req), &out),
              HasField("unit.satker"));
  req.mutable_unit()->set_satker("satkers/bnnk-32.73");
  for (const char* bad : {"regions/32.73", "regions/32.01.01.99999", "regions/32.01..2001"}) {
    req.mutable_unit()->set_village(bad);
    EXPECT_THAT(units_->CreateUnit(Central().get(), testing::WithRequestId(req), &out),
                HasField("unit.village"))
        << bad;
  }
  req.mutable_unit()->set_village("regions/32.73.04.1999");  // well formed, not there
  EXPECT_THAT(units_->CreateUnit(Central().get(), testing::WithRequestId(req), &out),
              HasField("unit.village"));
  req.mutable_unit()->set_village("regions/32.73.04.1001");  // has a unit already
  auto s = units_->CreateUnit(Central().get(), testing::WithRequestId(req), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("units/32.73.04.1001-1"));

  // A retried create returns the first result; the same id for another request is refused.
  req.mutable_unit()->set_village("regions/32.73.04.1002");
  req.set_request_id("5b1f6c1e-1b7a-4c8e-9f57-8d2b9d0f1a01");
  v1::Unit first, retry;
  ASSERT_TRUE(units_->CreateUnit(Central().get(), testing::WithRequestId(req), &first).ok());
  ASSERT_TRUE(units_->CreateUnit(Central().get(), testing::WithRequestId(req), &retry).ok());
  EXPECT_EQ(first.name(), retry.name());
  req.mutable_unit()->set_high_risk(true);
  EXPECT_THAT(units_->CreateUnit(Central().get(), testing::WithRequestId(req), &out),
              HasField("request_id"));

  // Lifecycle: only legal moves, etags guard them, inactive needs a reason and frees the
  // village for a new unit.
  v1::TransitionUnitRequest move;
  move.set_name(unit.name());
  move.set_status(v1::UNIT_STATUS_SUSTAINING);
  s = units_->TransitionUnit(Central().get(), move, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "ILLEGAL_TRANSITION");
  move.set_status(v1::UNIT_STATUS_RUNNING);
  move.set_etag(unit.etag());
  ASSERT_TRUE(units_->TransitionUnit(Central().get(), move, &out).ok());
  EXPECT_EQ(out.status(), v1::UNIT_STATUS_RUNNING);
  move.set_status(v1::UNIT_STATUS_SUSTAINING);  // with the old etag
  EXPECT_EQ(units_->TransitionUnit(Central().get(), move, &out).error_code(),
            grpc::StatusCode::ABORTED);
  move.set_etag("");
  move.set_status(v1::UNIT_STATUS_INACTIVE);
  EXPECT_THAT(units_->TransitionUnit(Central().get(), move, &out), HasField("reason"));
  move.set_reason("agents moved away");
  ASSERT_TRUE(units_->TransitionUnit(Central().get(), move, &out).ok());
  EXPECT_EQ(MakeUnit("32.73.04.1001", "bnnk-32.73").name(), "units/32.73.04.1001-2");

  // Updates: an unknown mask path, and an inactive unit stays as it was.
  v1::UpdateUnitRequest update;
  update.mutable_unit()->set_name("units/32.73.04.1001-2");
  update.mutable_unit()->set_high_risk(true);
  update.mutable_update_mask()->add_paths("colour");
  EXPECT_THAT(units_->UpdateUnit(Central().get(), update, &out), HasField("update_mask.paths[0]"));
  update.mutable_update_mask()->set_paths(0, "high_risk");
  ASSERT_TRUE(units_->UpdateUnit(Central().get(), update, &out).ok());
  EXPECT_TRUE(out.high_risk());
  update.mutable_unit()->set_name(unit.name());
  EXPECT_EQ(units_->UpdateUnit(Central().get(), update, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_P(RegistryTest, EveryCallIsScopedToTheCallersSatker) {
  SeedRegionsAndSatkers();
  v1::Unit bandung = MakeUnit("32.73.04.1002", "bnnk-32.73");
  MakeUnit("32.01.01.1001", "bnnp-32");

  v1::GetUnitRequest get;
  get.set_name(bandung.name());
  v1::Unit out;
  EXPECT_TRUE(units_->GetUnit(As("officer", "bnnk-32.73").get(), get, &out).ok());
  EXPECT_TRUE(units_->GetUnit(As("officer", "bnnp-32").get(), get, &out).ok());
  // An officer of another province reads the unit (a case may move to it), nobody else does.
  EXPECT_TRUE(units_->GetUnit(As("officer", "bnnp-33").get(), get, &out).ok());
  auto s = units_->GetUnit(As("supervisor", "bnnp-33").get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(s), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(units_->GetUnit(As("agent", "bnnk-33.74").get(), get, &out)), "OUT_OF_SCOPE");
  EXPECT_EQ(ReasonOf(units_->GetUnit(As("provider", "bnn").get(), get, &out)), "ROLE_NOT_ALLOWED");

  // Lists shrink to the caller's scope; a region outside it is denied.
  v1::ListUnitsResponse list;
  ASSERT_TRUE(units_->ListUnits(As("officer", "bnnk-32.73").get(), {}, &list).ok());
  ASSERT_EQ(list.units_size(), 1);
  EXPECT_EQ(list.units(0).name(), bandung.name());
  ASSERT_TRUE(units_->ListUnits(As("officer", "bnnp-32").get(), {}, &list).ok());
  EXPECT_EQ(list.units_size(), 2);
  v1::ListUnitsRequest elsewhere;
  elsewhere.set_region("regions/32.01");
  EXPECT_EQ(units_->ListUnits(As("officer", "bnnk-32.73").get(), elsewhere, &list).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A BNNK officer changes only its own units.
  v1::TransitionUnitRequest move;
  move.set_name("units/32.01.01.1001-1");
  move.set_status(v1::UNIT_STATUS_RUNNING);
  EXPECT_EQ(units_->TransitionUnit(As("officer", "bnnk-32.73").get(), move, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  move.set_name(bandung.name());
  EXPECT_TRUE(units_->TransitionUnit(As("officer", "bnnk-32.73").get(), move, &out).ok());
  // Supervisors read but do not change.
  EXPECT_TRUE(units_->GetUnit(As("supervisor", "bnnp-32").get(), get, &out).ok());
  move.set_status(v1::UNIT_STATUS_SUSTAINING);
  EXPECT_EQ(ReasonOf(units_->TransitionUnit(As("supervisor", "bnnp-32").get(), move, &out)),
            "ROLE_NOT_ALLOWED");
}

TEST_P(RegistryTest, AgentsAreAppointedByDecreeAndTheirSensitiveFieldsStayHidden) {
  SeedRegionsAndSatkers();
  v1::Unit unit = MakeUnit("32.73.04.1001", "bnnk-32.73");
  platform::LogCapture capture;  // restores stderr however the test ends

  v1::CreateAgentRequest req;
  req.set_parent(unit.name());
  auto* a = req.mutable_agent();
  a->set_display_name("Siti Rahmawati");
  a->set_phone("+62 812-3456-7890");
  a->set_address("Jl. Caringin No. 7");
  a->set_former_user(true);
  auto* decree = a->mutable_decree();
  decree->set_number("141/Kep.12-Kel/2025");
  decree->mutable_date()->set_year(2025);
  decree->mutable_date()->set_month(6);
  decree->mutable_date()->set_day(1);
  decree->mutable_valid_until()->set_year(2024);  // ends before it starts
  decree->mutable_valid_until()->set_month(12);
  decree->mutable_valid_until()->set_day(31);
  v1::Agent agent;
  EXPECT_THAT(agents_->CreateAgent(Central().get(), testing::WithRequestId(req), &agent),
              HasField("agent.decree.valid_until"));
  decree->mutable_valid_until()->set_year(2027);
  decree->set_document_sha256("not-a-hash");
  EXPECT_THAT(agents_->CreateAgent(Central().get(), testing::WithRequestId(req), &agent),
              HasField("agent.decree.document_sha256"));
  decree->clear_document_sha256();
  a->set_display_name("");
  EXPECT_THAT(agents_->CreateAgent(Central().get(), testing::WithRequestId(req), &agent),
              HasField("agent.display_name"));
  a->set_display_name("Siti Rahmawati");
  ASSERT_TRUE(
      agents_->CreateAgent(As("officer", "bnnk-32.73").get(), testing::WithRequestId(req), &agent)
          .ok());
  EXPECT_EQ(agent.status(), v1::AGENT_STATUS_ACTIVE);

  // Lists and the BASIC view leave out phone, address and the former-user flag.
  v1::ListAgentsRequest list;
  list.set_parent(unit.name());
  v1::ListAgentsResponse listed;
  ASSERT_TRUE(agents_->ListAgents(As("supervisor", "bnnp-32").get(), list, &listed).ok());
  ASSERT_EQ(listed.agents_size(), 1);
  EXPECT_EQ(listed.agents(0).display_name(), "Siti Rahmawati");
  EXPECT_EQ(listed.agents(0).phone(), "");
  EXPECT_FALSE(listed.agents(0).former_user());
  v1::GetAgentRequest get;
  get.set_name(agent.name());
  get.set_view(v1::AGENT_VIEW_FULL);
  v1::Agent full;
  EXPECT_EQ(agents_->GetAgent(As("supervisor", "bnnp-32").get(), get, &full).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(agents_->GetAgent(As("officer", "bnnk-32.01").get(), get, &full).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(agents_->GetAgent(As("officer", "bnnk-32.73").get(), get, &full).ok());
  EXPECT_EQ(full.phone(), "+62 812-3456-7890");
  EXPECT_TRUE(full.former_user());
  // That read, and only that one (not the denied ones, not BASIC reads), is in the change log.
  get.set_view(v1::AGENT_VIEW_BASIC);
  v1::Agent basic;
  ASSERT_TRUE(agents_->GetAgent(Central().get(), get, &basic).ok());
  EXPECT_EQ(basic.phone(), "");
  v1::ListChangesRequest changes_of_agent;
  changes_of_agent.set_resource(agent.name());
  v1::ListChangesResponse changes;
  ASSERT_TRUE(changes_->ListChanges(Central().get(), changes_of_agent, &changes).ok());
  ASSERT_EQ(changes.changes_size(), 2);  // the appointment and the FULL read
  EXPECT_EQ(changes.changes(1).action(), v1::Change::ACTION_SENSITIVE_READ);
  EXPECT_EQ(changes.changes(1).actor_satker(), "satkers/bnnk-32.73");
  EXPECT_THAT(changes.changes(1).fields(),
              ElementsAre("phone", "address", "former_user", "inactive_details"));
  EXPECT_THAT(changes.changes(1).summary(), ::testing::Not(HasSubstr("3456-7890")));

  // Training and status.
  v1::RecordAgentTrainingRequest training;
  training.set_name(agent.name());
  training.mutable_training()->set_kind(v1::TrainingRecord::KIND_BRIEFING);
  training.mutable_training()->set_hours(0);
  EXPECT_THAT(agents_->RecordAgentTraining(Central().get(), training, &full),
              HasField("training.hours"));
  training.mutable_training()->set_hours(16);
  *training.mutable_training()->mutable_date() = decree->date();
  ASSERT_TRUE(agents_->RecordAgentTraining(Central().get(), training, &full).ok());
  ASSERT_EQ(full.trainings_size(), 1);
  v1::SetAgentStatusRequest status;
  status.set_name(agent.name());
  status.set_status(v1::AGENT_STATUS_INACTIVE);
  EXPECT_THAT(agents_->SetAgentStatus(Central().get(), status, &full), HasField("reason"));
  status.set_reason(v1::AGENT_INACTIVE_REASON_MOVED_AWAY);
  ASSERT_TRUE(agents_->SetAgentStatus(Central().get(), status, &full).ok());
  EXPECT_EQ(full.phone(), "");  // only GetAgent's FULL view carries contact details
  EXPECT_FALSE(full.former_user());
  ASSERT_TRUE(agents_->ListAgents(Central().get(), list, &listed).ok());
  EXPECT_EQ(listed.agents_size(), 0);  // active ones only, by default
  EXPECT_EQ(agents_->SetAgentStatus(Central().get(), status, &full).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  const std::string log = capture.text();
  EXPECT_THAT(log, HasSubstr("CreateAgent"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("3456-7890")));  // a timing may contain "3456"
  EXPECT_THAT(log, ::testing::Not(HasSubstr("Caringin No")));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("Siti")));
}

TEST_P(RegistryTest, SearchEditionsAndChangesPageToTheEndWithoutGapsOrRepeats) {
  SeedRegionsAndSatkers();
  v1::RegionImport again;
  ASSERT_TRUE(Import("seed@2", kRegions, &again).ok());
  ASSERT_TRUE(Import("seed@3", kRegions, &again).ok());
  v1::Unit unit = MakeUnit("32.73.04.1001", "bnnk-32.73");
  for (const char* who : {"Siti", "Dewi", "Rina"}) {
    v1::CreateAgentRequest req;
    req.set_parent(unit.name());
    req.mutable_agent()->set_display_name(who);
    auto* decree = req.mutable_agent()->mutable_decree();
    decree->set_number(absl::StrCat("SK/", who));
    decree->mutable_date()->set_year(2025);
    decree->mutable_date()->set_month(1);
    decree->mutable_date()->set_day(2);
    *decree->mutable_valid_until() = decree->date();
    decree->mutable_valid_until()->set_year(2027);
    v1::Agent agent;
    grpc::Status created =
        agents_->CreateAgent(Central().get(), testing::WithRequestId(req), &agent);
    ASSERT_TRUE(created.ok()) << created.error_message();
  }

  v1::SearchRegionsRequest search;
  search.set_query("b");
  v1::SearchRegionsResponse all_found;
  ASSERT_TRUE(regions_->SearchRegions(Central().get(), search, &all_found).ok());
  std::vector<std::string> expected;
  for (const auto& r : all_found.regions()) expected.push_back(r.code());
  ASSERT_GE(expected.size(), 3u);
  EXPECT_EQ(PagesOfOne<v1::SearchRegionsResponse>(
                search,
                [&](const auto& req, auto* resp) {
                  return regions_->SearchRegions(Central().get(), req, resp);
                },
                [](const v1::SearchRegionsResponse& page) {
                  std::vector<std::string> codes;
                  for (const auto& r : page.regions()) codes.push_back(r.code());
                  return codes;
                }),
            expected);

  EXPECT_THAT(PagesOfOne<v1::ListRegionEditionsResponse>(
                  v1::ListRegionEditionsRequest(),
                  [&](const auto& req, auto* resp) {
                    return regions_->ListRegionEditions(Central().get(), req, resp);
                  },
                  [](const v1::ListRegionEditionsResponse& page) {
                    std::vector<std::string> editions;
                    for (const auto& e : page.imports()) editions.push_back(e.edition());
                    return editions;
                  }),
              ElementsAre("seed@3", "seed@2", "seed@1"));  // newest first

  v1::ListChangesRequest changes;
  changes.set_resource(unit.name());
  v1::ListChangesResponse all_changes;
  ASSERT_TRUE(changes_->ListChanges(Central().get(), changes, &all_changes).ok());
  ASSERT_EQ(all_changes.changes_size(), 4);  // the unit's create and its three agents'
  expected.clear();
  for (const auto& c : all_changes.changes()) expected.push_back(absl::StrCat(c.sequence()));
  EXPECT_EQ(PagesOfOne<v1::ListChangesResponse>(
                changes,
                [&](const auto& req, auto* resp) {
                  return changes_->ListChanges(Central().get(), req, resp);
                },
                [](const v1::ListChangesResponse& page) {
                  std::vector<std::string> sequences;
                  for (const auto& c : page.changes())
                    sequences.push_back(absl::StrCat(c.sequence()));
                  return sequences;
                }),
            expected);
}

TEST_P(RegistryTest, AgentContactIsSealedAtRestBoundToItsAgentAndSurvivesKeyRotation) {
  SeedRegionsAndSatkers();
  v1::Unit unit = MakeUnit("32.73.04.1001", "bnnk-32.73");
  auto appoint = [&](const std::string& who, const std::string& phone) {
    v1::CreateAgentRequest req;
    req.set_parent(unit.name());
    auto* a = req.mutable_agent();
    a->set_display_name(who);
    a->set_phone(phone);
    a->set_address("Jl. Merdeka No. 17");
    a->set_former_user(true);
    a->mutable_decree()->set_number("SK/" + who);
    *a->mutable_decree()->mutable_date() = unit.formation_date();
    *a->mutable_decree()->mutable_valid_until() = unit.formation_date();
    a->mutable_decree()->mutable_valid_until()->set_year(2030);
    v1::Agent agent;
    grpc::Status s = agents_->CreateAgent(Central().get(), testing::WithRequestId(req), &agent);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return agent;
  };
  v1::Agent siti = appoint("Siti", "+62 811-2233-4455");
  v1::Agent dewi = appoint("Dewi", "+62 813-9988-7766");
  auto id_of = [](const v1::Agent& a) { return a.name().substr(a.name().rfind('/') + 1); };
  auto sealed_of = [&](const v1::Agent& a) {
    auto rows = db_->Query("SELECT contact_sealed FROM agents WHERE id = ?", {id_of(a)});
    EXPECT_TRUE(rows.ok() && rows->size() == 1) << rows.status();
    return rows.ok() && rows->size() == 1 ? rows->front().Text(0) : std::string();
  };
  // At rest: no phone, address or flag in the clear, only the key id and the sealed bytes.
  for (const std::string& stored : {sealed_of(siti), sealed_of(dewi)}) {
    EXPECT_THAT(stored, ::testing::StartsWith("test:"));
    EXPECT_THAT(stored, Not(HasSubstr("2233")));
    EXPECT_THAT(stored, Not(HasSubstr("Merdeka")));
  }
  auto full = [&](const v1::Agent& a, testing::TestServer& server, v1::Agent* out) {
    v1::GetAgentRequest get;
    get.set_name(a.name());
    get.set_view(v1::AGENT_VIEW_FULL);
    return v1::AgentService::NewStub(server.channel())
        ->GetAgent(server.As("officer", "bnn").get(), get, out);
  };
  v1::Agent read;
  ASSERT_TRUE(full(siti, *server_, &read).ok());
  EXPECT_EQ(read.phone(), "+62 811-2233-4455");
  EXPECT_EQ(read.address(), "Jl. Merdeka No. 17");
  EXPECT_TRUE(read.former_user());

  // Sealed values are bound to their agent: Siti's copied onto Dewi's row does not open.
  const std::string dewis = sealed_of(dewi);
  ASSERT_TRUE(
      db_->Exec("UPDATE agents SET contact_sealed = ? WHERE id = ?", {sealed_of(siti), id_of(dewi)})
          .ok());
  grpc::Status swapped = full(dewi, *server_, &read);
  EXPECT_EQ(swapped.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(swapped.error_message(), HasSubstr("cannot be opened"));
  EXPECT_THAT(swapped.error_message(), Not(HasSubstr("2233")));
  v1::GetAgentRequest basic;  // the BASIC view never opens it
  basic.set_name(dewi.name());
  EXPECT_TRUE(agents_->GetAgent(Central().get(), basic, &read).ok());
  ASSERT_TRUE(
      db_->Exec("UPDATE agents SET contact_sealed = ? WHERE id = ?", {dewis, id_of(dewi)}).ok());

  // Rotation: a server whose key file has a new key on top and the old one below opens the
  // old values and reseals what it writes with the new key.
  testing::TestServer rotated(db_.get());
  auto context = rotated.Context("registry", 1);
  auto keys = platform::FieldSealer::FromKeyText(
      platform::FieldSealer::NewKeyLine("k2") + testing::TestServer::FieldKeyLine(), "rotated");
  ASSERT_TRUE(keys.ok()) << keys.status();
  context.sealer = *keys;
  auto services = Spec().build(context);
  ASSERT_TRUE(services.ok()) << services.status();
  std::vector<grpc::Service*> raw;
  for (auto& service : *services) raw.push_back(service.get());
  rotated.Start(raw);
  ASSERT_TRUE(full(siti, rotated, &read).ok());
  EXPECT_EQ(read.phone(), "+62 811-2233-4455");
  v1::UpdateAgentRequest update;
  update.mutable_agent()->set_name(siti.name());
  update.mutable_agent()->set_display_name("Siti Rahmawati");
  update.mutable_update_mask()->add_paths("display_name");
  v1::Agent updated;
  ASSERT_TRUE(v1::AgentService::NewStub(rotated.channel())
                  ->UpdateAgent(rotated.As("officer", "bnn").get(), update, &updated)
                  .ok());
  EXPECT_EQ(updated.phone(), "");  // responses other than GetAgent FULL are BASIC
  EXPECT_THAT(sealed_of(siti), ::testing::StartsWith("k2:"));
  ASSERT_TRUE(full(siti, rotated, &read).ok());
  EXPECT_EQ(read.phone(), "+62 811-2233-4455");  // kept, under the new key
  // A server without k2 can no longer open it, and says so without the value.
  grpc::Status old_key = full(siti, *server_, &read);
  EXPECT_EQ(old_key.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(old_key.error_message(), HasSubstr("sealed with key k2"));
  rotated.Shutdown(absl::Seconds(1));
}

TEST_P(RegistryTest, OfficersAccompanyOnlyUnitsTheirSatkerFosters) {
  SeedRegionsAndSatkers();
  v1::Unit bandung = MakeUnit("32.73.04.1001", "bnnk-32.73");
  v1::Unit bogor = MakeUnit("32.01.01.1001", "bnnp-32");
  v1::CreateOfficerRequest req;
  req.set_parent("satkers/bnnk-32.73");
  req.mutable_officer()->set_display_name("Dedi Kurniawan");
  req.mutable_officer()->set_nip("123");
  v1::Officer officer;
  EXPECT_THAT(officers_->CreateOfficer(Central().get(), testing::WithRequestId(req), &officer),
              HasField("officer.nip"));
  req.mutable_officer()->set_nip("198203142008011002");
  req.mutable_officer()->add_assigned_units(bogor.name());
  auto s = officers_->CreateOfficer(Central().get(), testing::WithRequestId(req), &officer);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "UNIT_NOT_FOSTERED");
  req.mutable_officer()->set_assigned_units(0, bandung.name());
  ASSERT_TRUE(
      officers_
          ->CreateOfficer(As("officer", "bnnk-32.73").get(), testing::WithRequestId(req), &officer)
          .ok());
  EXPECT_THAT(officer.assigned_units(), ElementsAre(bandung.name()));
  EXPECT_EQ(
      officers_
          ->CreateOfficer(As("officer", "bnnk-32.01").get(), testing::WithRequestId(req), &officer)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  v1::UpdateOfficerRequest update;
  *update.mutable_officer() = officer;
  update.mutable_officer()->set_active(false);
  update.mutable_update_mask()->add_paths("active");
  v1::Officer left;
  ASSERT_TRUE(officers_->UpdateOfficer(Central().get(), update, &left).ok());
  EXPECT_FALSE(left.active());
  EXPECT_EQ(officers_->UpdateOfficer(Central().get(), update, &left).error_code(),
            grpc::StatusCode::ABORTED);  // the etag moved on

  v1::ListOfficersRequest list;
  list.set_parent("satkers/bnnk-32.73");
  v1::ListOfficersResponse listed;
  ASSERT_TRUE(officers_->ListOfficers(As("auditor", "bnnp-32").get(), list, &listed).ok());
  EXPECT_EQ(listed.officers_size(), 1);
}

TEST_P(RegistryTest, TheChangeLogSaysWhoChangedWhatAndWhen) {
  SeedRegionsAndSatkers();
  v1::Unit unit = MakeUnit("32.73.04.1001", "bnnk-32.73");
  v1::TransitionUnitRequest move;
  move.set_name(unit.name());
  move.set_status(v1::UNIT_STATUS_RUNNING);
  v1::Unit out;
  ASSERT_TRUE(units_->TransitionUnit(As("officer", "bnnk-32.73").get(), move, &out).ok());
  v1::CreateAgentRequest agent;
  agent.set_parent(unit.name());
  agent.mutable_agent()->set_display_name("Budi");
  agent.mutable_agent()->set_phone("0812");
  auto* d = agent.mutable_agent()->mutable_decree();
  d->set_number("1/2025");
  d->mutable_date()->set_year(2025);
  d->mutable_date()->set_month(1);
  d->mutable_date()->set_day(1);
  *d->mutable_valid_until() = d->date();
  v1::Agent created;
  ASSERT_TRUE(agents_->CreateAgent(Central().get(), testing::WithRequestId(agent), &created).ok());

  v1::ListChangesRequest req;
  req.set_resource(unit.name());
  v1::ListChangesResponse changes;
  ASSERT_TRUE(changes_->ListChanges(As("auditor", "bnnp-32").get(), req, &changes).ok());
  ASSERT_EQ(changes.changes_size(), 3);  // the unit's create and move, and its agent's create
  EXPECT_EQ(changes.changes(0).action(), v1::Change::ACTION_CREATE);
  EXPECT_EQ(changes.changes(1).action(), v1::Change::ACTION_TRANSITION);
  EXPECT_EQ(changes.changes(1).actor_satker(), "satkers/bnnk-32.73");
  EXPECT_THAT(changes.changes(1).summary(), HasSubstr("NEWLY_FORMED -> UNIT_STATUS_RUNNING"));
  EXPECT_EQ(changes.changes(2).resource(), created.name());
  EXPECT_THAT(changes.changes(2).fields(), Contains("phone"));
  EXPECT_THAT(changes.changes(2).summary(), ::testing::Not(HasSubstr("0812")));
  EXPECT_EQ(changes_->ListChanges(As("auditor", "bnnp-33").get(), req, &changes).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  req.set_resource("clients/abc");
  EXPECT_THAT(changes_->ListChanges(Central().get(), req, &changes), HasField("resource"));
}

TEST_P(RegistryTest, EveryMethodNamesTheFieldOfABadInput) {
  SeedRegionsAndSatkers();
  v1::Unit unit = MakeUnit("32.73.04.1001", "bnnk-32.73");
  auto central = [&] { return Central(); };
  {
    v1::ListRegionsRequest r;
    r.set_parent("regions/32..73");
    v1::ListRegionsResponse out;
    EXPECT_THAT(regions_->ListRegions(central().get(), r, &out), HasField("parent"));
  }
  {
    v1::SearchRegionsRequest r;
    r.set_query("bandung");
    r.set_within("32.73");
    v1::SearchRegionsResponse out;
    EXPECT_THAT(regions_->SearchRegions(central().get(), r, &out), HasField("within"));
    r.clear_within();
    r.set_level(static_cast<v1::RegionLevel>(9));
    EXPECT_THAT(regions_->SearchRegions(central().get(), r, &out), HasField("level"));
  }
  {
    v1::ValidateRegionCodeRequest r;
    r.set_code("32");
    r.set_expected_level(static_cast<v1::RegionLevel>(9));
    v1::ValidateRegionCodeResponse out;
    EXPECT_THAT(regions_->ValidateRegionCode(central().get(), r, &out), HasField("expected_level"));
  }
  {
    v1::BeginRegionImportRequest r;
    v1::RegionImport out;
    EXPECT_THAT(regions_->BeginRegionImport(central().get(), testing::WithRequestId(r), &out),
                HasField("edition"));
    r.set_edition("e");
    r.set_request_id("has spaces");
    EXPECT_THAT(regions_->BeginRegionImport(central().get(), testing::WithRequestId(r), &out),
                HasField("request_id"));
    r.clear_request_id();
    ASSERT_TRUE(regions_->BeginRegionImport(central().get(), testing::WithRequestId(r), &out).ok());
    v1::AddRegionImportRowsRequest add;
    add.set_name("imports/x");
    EXPECT_THAT(regions_->AddRegionImportRows(central().get(), add, &out), HasField("name"));
    add.set_name(out.name());
    add.set_chunk_index(-1);
    EXPECT_THAT(regions_->AddRegionImportRows(central().get(), add, &out), HasField("rows"));
    auto* row = add.add_rows();
    row->set_code("32");
    row->set_name("Jawa Barat");
    EXPECT_THAT(regions_->AddRegionImportRows(central().get(), add, &out), HasField("chunk_index"));
    v1::CommitRegionImportRequest commit;
    commit.set_name("");
    EXPECT_THAT(regions_->CommitRegionImport(central().get(), commit, &out), HasField("name"));
    commit.set_name(out.name());  // nothing staged
    EXPECT_EQ(regions_->CommitRegionImport(central().get(), commit, &out).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    v1::ListRegionEditionsRequest editions;
    editions.set_page_size(-5);
    v1::ListRegionEditionsResponse listed;
    EXPECT_THAT(regions_->ListRegionEditions(central().get(), editions, &listed),
                HasField("page_size"));
  }
  {
    v1::GetSatkerRequest get;
    get.set_name("satkers/bnnx-32");
    v1::Satker out;
    EXPECT_THAT(satkers_->GetSatker(central().get(), get, &out), HasField("name"));
    v1::ListSatkersRequest list;
    list.set_descendants(true);
    v1::ListSatkersResponse listed;
    EXPECT_THAT(satkers_->ListSatkers(central().get(), list, &listed), HasField("descendants"));
    list.set_parent("satkers/bnnk-32");
    EXPECT_THAT(satkers_->ListSatkers(central().get(), list, &listed), HasField("parent"));
    list.set_parent("satkers/bnn");
    list.set_kind(static_cast<v1::SatkerKind>(9));
    EXPECT_THAT(satkers_->ListSatkers(central().get(), list, &listed), HasField("kind"));
    v1::CreateSatkerRequest create;
    EXPECT_THAT(satkers_->CreateSatker(central().get(), testing::WithRequestId(create), &out),
                HasField("satker.kind"));
    create.mutable_satker()->set_kind(v1::SATKER_KIND_BNNK);
    EXPECT_THAT(satkers_->CreateSatker(central().get(), testing::WithRequestId(create), &out),
                HasField("satker.region"));
    v1::UpdateSatkerRequest update;
    update.mutable_satker()->set_name("satkers/bnnp-32");
    EXPECT_THAT(satkers_->UpdateSatker(central().get(), update, &out), HasField("update_mask"));
    update.mutable_update_mask()->add_paths("display_name");
    EXPECT_THAT(satkers_->UpdateSatker(central().get(), update, &out),
                HasField("satker.display_name"));
    v1::BootstrapSatkersRequest boot;
    boot.set_request_id(std::string(101, 'a'));
    v1::BootstrapSatkersResponse booted;
    EXPECT_THAT(satkers_->BootstrapSatkers(central().get(), testing::WithRequestId(boot), &booted),
                HasField("request_id"));
  }
  {
    v1::GetUnitRequest get;
    get.set_name("units/32.73.04.1001");
    v1::Unit out;
    EXPECT_THAT(units_->GetUnit(central().get(), get, &out), HasField("name"));
    v1::ListUnitsRequest list;
    list.set_region("32.73");
    list.set_satker("bnnk");
    list.set_status(static_cast<v1::UnitStatus>(9));
    v1::ListUnitsResponse listed;
    auto s = units_->ListUnits(central().get(), list, &listed);
    EXPECT_THAT(s, HasField("region"));
    EXPECT_THAT(s, HasField("satker"));
    EXPECT_THAT(s, HasField("status"));
    v1::CreateUnitRequest create;
    create.mutable_unit()->add_fiscal_years(2010);
    create.mutable_unit()->add_fiscal_years(2025);
    create.mutable_unit()->add_fiscal_years(2025);
    create.mutable_unit()->mutable_formation_date()->set_year(2025);
    create.mutable_unit()->mutable_formation_date()->set_month(2);
    create.mutable_unit()->mutable_formation_date()->set_day(30);
    s = units_->CreateUnit(central().get(), testing::WithRequestId(create), &out);
    // The village comes first: the caller's scope is checked on it before the other fields.
    EXPECT_THAT(s, HasField("unit.village"));
    create.mutable_unit()->set_village("regions/32.73.04.1001");
    s = units_->CreateUnit(central().get(), testing::WithRequestId(create), &out);
    for (const char* f :
         {"unit.satker", "unit.formation_date", "unit.fiscal_years[0]", "unit.fiscal_years[2]"}) {
      EXPECT_THAT(s, HasField(f)) << f;
    }
    v1::UpdateUnitRequest update;
    update.mutable_unit()->set_name(unit.name());
    update.mutable_update_mask()->add_paths("formation_date");
    EXPECT_THAT(units_->UpdateUnit(central().get(), update, &out), HasField("unit.formation_date"));
    v1::TransitionUnitRequest move;
    move.set_name(unit.name());
    EXPECT_THAT(units_->TransitionUnit(central().get(), move, &out), HasField("status"));
    move.set_status(v1::UNIT_STATUS_RUNNING);
    move.set_reason("why not");
    EXPECT_THAT(units_->TransitionUnit(central().get(), move, &out), HasField("reason"));
  }
  {
    v1::GetAgentRequest get;
    get.set_name(unit.name() + "/agents/x");
    get.set_view(static_cast<v1::AgentView>(9));
    v1::Agent out;
    EXPECT_THAT(agents_->GetAgent(central().get(), get, &out), HasField("view"));
    get.set_view(v1::AGENT_VIEW_BASIC);
    get.set_name(unit.name() + "/agents/not-an-id!");
    EXPECT_THAT(agents_->GetAgent(central().get(), get, &out), HasField("name"));
    v1::ListAgentsRequest list;
    list.set_parent("units/x");
    v1::ListAgentsResponse listed;
    EXPECT_THAT(agents_->ListAgents(central().get(), list, &listed), HasField("parent"));
    v1::CreateAgentRequest create;
    create.set_parent(unit.name());
    create.mutable_agent()->set_display_name("Ani");
    create.mutable_agent()->set_phone("call me");
    auto s = agents_->CreateAgent(central().get(), testing::WithRequestId(create), &out);
    EXPECT_THAT(s, HasField("agent.decree"));
    EXPECT_THAT(s, HasField("agent.phone"));
    create.mutable_agent()->clear_phone();
    create.mutable_agent()->mutable_decree()->mutable_date()->set_year(2025);
    s = agents_->CreateAgent(central().get(), testing::WithRequestId(create), &out);
    EXPECT_THAT(s, HasField("agent.decree.number"));
    EXPECT_THAT(s, HasField("agent.decree.date"));
    EXPECT_THAT(s, HasField("agent.decree.valid_until"));
    v1::UpdateAgentRequest update;
    update.mutable_agent()->set_name(unit.name() + "/agents/apxyz");
    update.mutable_update_mask()->add_paths("status");
    EXPECT_THAT(agents_->UpdateAgent(central().get(), update, &out),
                HasField("update_mask.paths[0]"));
    v1::RecordAgentTrainingRequest training;
    training.set_name(unit.name() + "/agents/apxyz");
    training.mutable_training()->set_hours(8);
    s = agents_->RecordAgentTraining(central().get(), training, &out);
    EXPECT_THAT(s, HasField("training.date"));
    EXPECT_THAT(s, HasField("training.kind"));
    v1::SetAgentStatusRequest status;
    status.set_name(unit.name() + "/agents/apxyz");
    EXPECT_THAT(agents_->SetAgentStatus(central().get(), status, &out), HasField("status"));
    status.set_status(static_cast<v1::AgentStatus>(99));
    EXPECT_THAT(agents_->SetAgentStatus(central().get(), status, &out), HasField("status"));
    status.set_status(v1::AGENT_STATUS_INACTIVE);
    status.set_reason(static_cast<v1::AgentInactiveReason>(99));
    EXPECT_THAT(agents_->SetAgentStatus(central().get(), status, &out), HasField("reason"));
    status.set_reason(v1::AGENT_INACTIVE_REASON_MOVED_AWAY);
    status.set_details(std::string(10 * 1024, 'r'));
    EXPECT_THAT(agents_->SetAgentStatus(central().get(), status, &out), HasField("details"));
    status.clear_details();
    status.set_name("units/x/agents/apxyz");
    EXPECT_THAT(agents_->SetAgentStatus(central().get(), status, &out), HasField("name"));

    // Field by field, on an agent that exists.
    create.mutable_agent()->set_display_name(std::string(10 * 1024, 'n'));
    create.mutable_agent()->set_phone(std::string(31, '1'));
    create.mutable_agent()->set_address(std::string(10 * 1024, 'a'));
    s = agents_->CreateAgent(central().get(), testing::WithRequestId(create), &out);
    EXPECT_THAT(s, HasField("agent.display_name"));
    EXPECT_THAT(s, HasField("agent.phone"));
    EXPECT_THAT(s, HasField("agent.address"));
    create.mutable_agent()->set_display_name("Ani");
    create.mutable_agent()->set_phone("0812 555");
    create.mutable_agent()->set_address("Jl. Mawar 1");
    create.mutable_agent()->mutable_decree()->set_number("SK/9");
    create.mutable_agent()->mutable_decree()->mutable_date()->set_month(1);
    create.mutable_agent()->mutable_decree()->mutable_date()->set_day(5);
    *create.mutable_agent()->mutable_decree()->mutable_valid_until() =
        create.agent().decree().date();
    v1::Agent ani;
    ASSERT_TRUE(agents_->CreateAgent(central().get(), testing::WithRequestId(create), &ani).ok());
    update.mutable_agent()->set_name("units/x/agents/apxyz");
    update.mutable_update_mask()->set_paths(0, "display_name");
    EXPECT_THAT(agents_->UpdateAgent(central().get(), update, &out), HasField("agent.name"));
    update.mutable_agent()->set_name(ani.name());
    update.clear_update_mask();
    EXPECT_THAT(agents_->UpdateAgent(central().get(), update, &out), HasField("update_mask"));
    update.mutable_update_mask()->add_paths("display_name");
    update.mutable_update_mask()->add_paths("phone");
    update.mutable_update_mask()->add_paths("address");
    update.mutable_agent()->set_phone("not a phone");
    update.mutable_agent()->set_address(std::string(10 * 1024, 'a'));
    s = agents_->UpdateAgent(central().get(), update, &out);
    EXPECT_THAT(s, HasField("agent.display_name"));  // empty under the mask
    EXPECT_THAT(s, HasField("agent.phone"));
    EXPECT_THAT(s, HasField("agent.address"));
    update.clear_update_mask();
    update.mutable_update_mask()->add_paths("decree");
    s = agents_->UpdateAgent(central().get(), update, &out);
    EXPECT_THAT(s, HasField("agent.decree.number"));
    EXPECT_THAT(s, HasField("agent.decree.date"));
    update.mutable_agent()->clear_phone();
    update.mutable_agent()->clear_address();
    *update.mutable_agent()->mutable_decree() = ani.decree();
    update.mutable_agent()->set_etag("999");
    EXPECT_EQ(agents_->UpdateAgent(central().get(), update, &out).error_code(),
              grpc::StatusCode::ABORTED);
    training.set_name(ani.name());
    training.mutable_training()->set_kind(static_cast<v1::TrainingRecord::Kind>(99));
    training.mutable_training()->set_hours(500);
    training.mutable_training()->set_description(std::string(10 * 1024, 'd'));
    *training.mutable_training()->mutable_date() = ani.decree().date();
    s = agents_->RecordAgentTraining(central().get(), training, &out);
    EXPECT_THAT(s, HasField("training.kind"));
    EXPECT_THAT(s, HasField("training.hours"));
    EXPECT_THAT(s, HasField("training.description"));
    training.mutable_training()->set_kind(v1::TrainingRecord::KIND_BRIEFING);
    training.mutable_training()->set_hours(8);
    training.mutable_training()->clear_description();
    training.set_etag("999");
    EXPECT_EQ(agents_->RecordAgentTraining(central().get(), training, &out).error_code(),
              grpc::StatusCode::ABORTED);
    status.set_name(ani.name());
    status.set_etag("999");
    EXPECT_EQ(agents_->SetAgentStatus(central().get(), status, &out).error_code(),
              grpc::StatusCode::ABORTED);
    // A FULL read of an agent that does not exist: NOT_FOUND, and no read is recorded.
    get.set_name(unit.name() + "/agents/apnone");
    get.set_view(v1::AGENT_VIEW_FULL);
    EXPECT_EQ(agents_->GetAgent(central().get(), get, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
    v1::ListChangesRequest changes_of_missing;
    changes_of_missing.set_resource(get.name());
    v1::ListChangesResponse none;
    ASSERT_TRUE(changes_->ListChanges(central().get(), changes_of_missing, &none).ok());
    EXPECT_EQ(none.changes_size(), 0);
  }
  {
    v1::GetOfficerRequest get;
    get.set_name("satkers/bnnk-32.73/officer/x");
    v1::Officer out;
    EXPECT_THAT(officers_->GetOfficer(central().get(), get, &out), HasField("name"));
    v1::ListOfficersRequest list;
    list.set_parent("bnnk-32.73");
    v1::ListOfficersResponse listed;
    EXPECT_THAT(officers_->ListOfficers(central().get(), list, &listed), HasField("parent"));
    v1::CreateOfficerRequest create;
    create.set_parent("satkers/bnnk-32.73");
    create.mutable_officer()->add_assigned_units("units/nope");
    create.mutable_officer()->add_assigned_units(unit.name());
    create.mutable_officer()->add_assigned_units(unit.name());
    auto s = officers_->CreateOfficer(central().get(), testing::WithRequestId(create), &out);
    EXPECT_THAT(s, HasField("officer.display_name"));
    EXPECT_THAT(s, HasField("officer.assigned_units[0]"));
    EXPECT_THAT(s, HasField("officer.assigned_units[2]"));
    v1::UpdateOfficerRequest update;
    update.mutable_officer()->set_name("satkers/bnnk-32.73/officers/ofabc");
    update.mutable_officer()->set_position(std::string(10 * 1024, 'p'));
    update.mutable_update_mask()->add_paths("position");
    EXPECT_THAT(officers_->UpdateOfficer(central().get(), update, &out),
                HasField("officer.position"));
  }
  {
    v1::ListChangesRequest r;
    v1::ListChangesResponse out;
    EXPECT_THAT(changes_->ListChanges(central().get(), r, &out), HasField("resource"));
    r.set_resource(unit.name());
    r.set_page_token("forged");
    EXPECT_THAT(changes_->ListChanges(central().get(), r, &out), HasField("page_token"));
  }
}

IBM_ON_BOTH_ENGINES(RegistryTest);

}  // namespace
}  // namespace ibm::registry
