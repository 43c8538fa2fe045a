// Table-driven tests of registry/rules/units.h: no gRPC, no database.
#include "registry/rules/units.h"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "registry/store/units.h"
#include "registry/tests/rules/violations.h"

namespace ibm::registry::rules {
namespace {

using Years = std::vector<int32_t>;

domain::RegionCode Code(const char* code) { return *domain::RegionCode::Parse(code); }

v1::Unit GoodUnit() {
  v1::Unit u;
  u.set_village("regions/32.73.04.1001");
  u.set_satker("satkers/bnnk-32.73");
  *u.mutable_formation_date() = Day(2025, 3, 14);
  u.add_fiscal_years(2025);
  return u;
}

template <typename T>
struct Case {
  const char* what;
  std::function<void(T&)> change;  // applied to a good value
  Fields fields;                   // the violations expected, in order
};

Years Range(int32_t first, int32_t last) {
  Years out;
  for (int32_t y = first; y <= last; ++y) out.push_back(y);
  return out;
}

TEST(UnitRulesTest, FiscalYears) {
  struct YearsCase {
    const char* what;
    Years years;
    Fields fields;
  };
  for (const YearsCase& c : std::initializer_list<YearsCase>{
           {"none", {}, {}},
           {"one", {2025}, {}},
           {"the first year", {2019}, {}},
           {"the last year", {2100}, {}},
           {"any order", {2026, 2024, 2025}, {}},
           {"every year there is", Range(2019, 2100), {}},
           {"before 2019", {2018}, {"unit.fiscal_years[0]"}},
           {"after 2100", {2101}, {"unit.fiscal_years[0]"}},
           {"zero", {0}, {"unit.fiscal_years[0]"}},
           {"negative", {-2025}, {"unit.fiscal_years[0]"}},
           {"twice", {2025, 2025}, {"unit.fiscal_years[1]"}},
           {"twice, apart", {2025, 2024, 2025}, {"unit.fiscal_years[2]"}},
           {"each item named",
            {2025, 2010, 2025, 3000},
            {"unit.fiscal_years[1]", "unit.fiscal_years[2]", "unit.fiscal_years[3]"}},
           {"a bad year is not remembered",
            {2010, 2010},
            {"unit.fiscal_years[0]", "unit.fiscal_years[1]"}},
           {"one too many", Range(2019, 2101), {"unit.fiscal_years"}},
           // The size first, whatever the items: one violation, never one per item.
           {"too many bad ones", Years(200000, 1000), {"unit.fiscal_years"}},
       }) {
    platform::FieldViolations v;
    CheckFiscalYears(v, c.years);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
  platform::FieldViolations v;
  CheckFiscalYears(v, {2010, 2025, 2025});
  EXPECT_EQ(DescriptionOf(v.status(), "unit.fiscal_years[0]"), "must be a year from 2019 to 2100");
  EXPECT_EQ(DescriptionOf(v.status(), "unit.fiscal_years[2]"), "repeats an earlier year");
  platform::FieldViolations many;
  CheckFiscalYears(many, Years(83, 2025));
  EXPECT_EQ(DescriptionOf(many.status(), "unit.fiscal_years"), "at most 82 years");
}

TEST(UnitRulesTest, FiscalYearsAreKeptSortedEachOnce) {
  struct SortCase {
    Years years;
    Years sorted;
    std::string text;
  };
  for (const SortCase& c : std::initializer_list<SortCase>{
           {{}, {}, ""},
           {{2025}, {2025}, "2025"},
           {{2024, 2025}, {2024, 2025}, "2024,2025"},
           {{2026, 2024, 2025}, {2024, 2025, 2026}, "2024,2025,2026"},
           {{2025, 2024, 2025}, {2024, 2025}, "2024,2025"},
       }) {
    EXPECT_EQ(store::SortedYears(c.years), c.sorted) << c.text;
    EXPECT_EQ(store::FiscalYearsText(c.years), c.text);
    EXPECT_EQ(store::ParseFiscalYearsText(store::FiscalYearsText(c.years)), c.sorted) << c.text;
  }
}

TEST(UnitRulesTest, StoredFiscalYearsAreReadBackAsTheyStand) {
  struct ParseCase {
    const char* text;
    Years years;
  };
  for (const ParseCase& c : std::initializer_list<ParseCase>{
           {"", {}},
           {"2025", {2025}},
           {"2024,2025", {2024, 2025}},
           {"2025,2024", {2025, 2024}},  // in the stored order: the store writes them sorted
           {",2024,,2025,", {2024, 2025}},
           {"2024,x,2025", {2024, 2025}},
           {"2024,99999999999,2025", {2024, 2025}},
           {"x", {}},
       }) {
    EXPECT_EQ(store::ParseFiscalYearsText(c.text), c.years) << c.text;
  }
}

TEST(UnitRulesTest, NewUnit) {
  for (const Case<v1::Unit>& c : std::initializer_list<Case<v1::Unit>>{
           {"good", [](auto&) {}, {}},
           {"BNNP satker", [](auto& u) { u.set_satker("satkers/bnnp-32"); }, {}},
           {"no fiscal years", [](auto& u) { u.clear_fiscal_years(); }, {}},
           {"flags",
            [](auto& u) {
              u.set_high_risk(true);
              u.set_desa_bersinar(true);
            },
            {}},
           // The village is the handler's, checked before everything else.
           {"no village", [](auto& u) { u.clear_village(); }, {}},
           {"no satker", [](auto& u) { u.clear_satker(); }, {"unit.satker"}},
           {"a satker id, not a name",
            [](auto& u) { u.set_satker("bnnk-32.73"); },
            {"unit.satker"}},
           {"not a satker", [](auto& u) { u.set_satker("satkers/bnnk-32"); }, {"unit.satker"}},
           {"no formation date",
            [](auto& u) { u.clear_formation_date(); },
            {"unit.formation_date"}},
           {"not a real date",
            [](auto& u) { *u.mutable_formation_date() = Day(2025, 2, 30); },
            {"unit.formation_date"}},
           {"bad fiscal year", [](auto& u) { u.add_fiscal_years(2010); }, {"unit.fiscal_years[1]"}},
           {"empty", [](auto& u) { u.Clear(); }, {"unit.satker", "unit.formation_date"}},
           {"everything wrong",
            [](auto& u) {
              u.set_satker("x");
              *u.mutable_formation_date() = Day(2025, 2, 30);
              u.add_fiscal_years(2025);
            },
            {"unit.satker", "unit.formation_date", "unit.fiscal_years[1]"}},
       }) {
    v1::Unit u = GoodUnit();
    c.change(u);
    platform::FieldViolations v;
    const std::string satker = CheckNewUnit(v, u);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
    const bool satker_ok =
        std::find(c.fields.begin(), c.fields.end(), "unit.satker") == c.fields.end();
    EXPECT_EQ(satker, satker_ok ? u.satker().substr(std::string("satkers/").size()) : "") << c.what;
  }
  v1::Unit none = GoodUnit();
  none.clear_satker();
  platform::FieldViolations v;
  CheckNewUnit(v, none);
  EXPECT_EQ(DescriptionOf(v.status(), "unit.satker"), "is required");
}

TEST(UnitRulesTest, UnitUpdateChecksOnlyWhatTheMaskNames) {
  v1::Unit bad = GoodUnit();
  *bad.mutable_formation_date() = Day(2025, 2, 30);
  bad.add_fiscal_years(2025);
  struct MaskCase {
    Fields paths;
    Fields fields;
  };
  for (const MaskCase& c : std::initializer_list<MaskCase>{
           {{"desa_bersinar", "high_risk"}, {}},
           {{"formation_date"}, {"unit.formation_date"}},
           {{"fiscal_years"}, {"unit.fiscal_years[1]"}},
           {{"fiscal_years", "formation_date"}, {"unit.formation_date", "unit.fiscal_years[1]"}},
       }) {
    platform::FieldViolations v;
    CheckUnitUpdate(v, bad, c.paths);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.paths.front();
    platform::FieldViolations good;
    CheckUnitUpdate(good, GoodUnit(), c.paths);
    EXPECT_TRUE(good.empty()) << c.paths.front();
  }
  v1::Unit cleared = GoodUnit();
  cleared.clear_formation_date();  // the mask names it: it must be given
  platform::FieldViolations v;
  CheckUnitUpdate(v, cleared, {"formation_date"});
  EXPECT_EQ(FieldsOf(v), Fields{"unit.formation_date"});
}

TEST(UnitRulesTest, TransitionRequest) {
  struct TransitionCase {
    const char* what;
    v1::UnitStatus to;
    std::string reason;
    Fields fields;
  };
  for (const TransitionCase& c : std::initializer_list<TransitionCase>{
           {"running", v1::UNIT_STATUS_RUNNING, "", {}},
           {"sustaining", v1::UNIT_STATUS_SUSTAINING, "", {}},
           {"newly formed (the lifecycle refuses it later)", v1::UNIT_STATUS_NEWLY_FORMED, "", {}},
           {"inactive with a reason", v1::UNIT_STATUS_INACTIVE, "merged with a neighbour", {}},
           {"a reason of 500", v1::UNIT_STATUS_INACTIVE, std::string(500, 'r'), {}},
           {"a tab is text", v1::UNIT_STATUS_INACTIVE, "moved\tout", {}},
           {"no status", v1::UNIT_STATUS_UNSPECIFIED, "", {"status"}},
           {"not a status", static_cast<v1::UnitStatus>(9), "", {"status"}},
           {"no status, a reason", v1::UNIT_STATUS_UNSPECIFIED, "why", {"status"}},
           {"inactive without a reason", v1::UNIT_STATUS_INACTIVE, "", {"reason"}},
           {"inactive with blanks", v1::UNIT_STATUS_INACTIVE, "   ", {"reason"}},
           {"a reason of 501", v1::UNIT_STATUS_INACTIVE, std::string(501, 'r'), {"reason"}},
           {"a control character", v1::UNIT_STATUS_INACTIVE, "a\nb", {"reason"}},
           {"running with a reason", v1::UNIT_STATUS_RUNNING, "why", {"reason"}},
           {"sustaining with a reason", v1::UNIT_STATUS_SUSTAINING, "why", {"reason"}},
       }) {
    platform::FieldViolations v;
    CheckTransitionRequest(v, c.to, c.reason);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
  platform::FieldViolations v;
  CheckTransitionRequest(v, v1::UNIT_STATUS_RUNNING, "why");
  EXPECT_EQ(DescriptionOf(v.status(), "reason"), "is only given when the unit becomes inactive");
}

TEST(UnitRulesTest, ListUnitsRequest) {
  struct ListCase {
    const char* what;
    const char* region;
    const char* satker;
    int status;
    Fields fields;
    std::optional<std::string> within;
    std::string satker_id;
  };
  for (const ListCase& c : std::initializer_list<ListCase>{
           {"nothing asked", "", "", 0, {}, std::nullopt, ""},
           {"a province", "regions/32", "", 0, {}, "32", ""},
           {"a village", "regions/32.73.04.1001", "", 0, {}, "32.73.04.1001", ""},
           {"a satker", "", "satkers/bnnk-32.73", 0, {}, std::nullopt, "bnnk-32.73"},
           {"BNN central", "", "satkers/bnn", 0, {}, std::nullopt, "bnn"},
           {"a status", "", "", v1::UNIT_STATUS_INACTIVE, {}, std::nullopt, ""},
           {"all three", "regions/32", "satkers/bnnp-32", 2, {}, "32", "bnnp-32"},
           {"a code, not a name", "32.73", "", 0, {"region"}, std::nullopt, ""},
           {"not a code", "regions/32.", "", 0, {"region"}, std::nullopt, ""},
           {"a satker id, not a name", "", "bnnk-32.73", 0, {"satker"}, std::nullopt, ""},
           {"not a satker", "", "satkers/bnnk", 0, {"satker"}, std::nullopt, ""},
           {"not a status", "", "", 9, {"status"}, std::nullopt, ""},
           {"everything wrong", "x", "y", -1, {"region", "satker", "status"}, std::nullopt, ""},
       }) {
    v1::ListUnitsRequest req;
    req.set_region(c.region);
    req.set_satker(c.satker);
    req.set_status(static_cast<v1::UnitStatus>(c.status));
    platform::FieldViolations v;
    const UnitFilters filters = CheckListUnitsRequest(v, req);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
    EXPECT_EQ(filters.region ? std::optional<std::string>(filters.region->str()) : std::nullopt,
              c.within)
        << c.what;
    EXPECT_EQ(filters.satker_id, c.satker_id) << c.what;
  }
}

TEST(UnitRulesTest, TheLifecycleMovesOnlyForwardAndEndsInactive) {
  constexpr v1::UnitStatus kNone = v1::UNIT_STATUS_UNSPECIFIED;
  constexpr v1::UnitStatus kNew = v1::UNIT_STATUS_NEWLY_FORMED;
  constexpr v1::UnitStatus kRunning = v1::UNIT_STATUS_RUNNING;
  constexpr v1::UnitStatus kSustaining = v1::UNIT_STATUS_SUSTAINING;
  constexpr v1::UnitStatus kInactive = v1::UNIT_STATUS_INACTIVE;
  struct Move {
    v1::UnitStatus from;
    v1::UnitStatus to;
    bool legal;
  };
  for (const Move& m : std::initializer_list<Move>{
           {kNew, kRunning, true},
           {kRunning, kSustaining, true},
           {kNew, kInactive, true},
           {kRunning, kInactive, true},
           {kSustaining, kInactive, true},
           {kNone, kInactive, true},  // any status that is not inactive
           {kNew, kNew, false},
           {kNew, kSustaining, false},  // never skips running
           {kRunning, kNew, false},
           {kRunning, kRunning, false},
           {kSustaining, kRunning, false},  // never backwards
           {kSustaining, kNew, false},
           {kSustaining, kSustaining, false},
           {kInactive, kInactive, false},  // final
           {kInactive, kNew, false},
           {kInactive, kRunning, false},
           {kInactive, kSustaining, false},
           {kNone, kRunning, false},
           {kNew, kNone, false},
       }) {
    const std::string what =
        absl::StrCat(v1::UnitStatus_Name(m.from), " -> ", v1::UnitStatus_Name(m.to));
    EXPECT_EQ(LegalTransition(m.from, m.to), m.legal) << what;
    const absl::Status s = CheckTransition(m.from, m.to);
    EXPECT_EQ(s.ok(), m.legal) << what;
    if (!m.legal) {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << what;
      EXPECT_EQ(ReasonOf(s), "ILLEGAL_TRANSITION") << what;
    }
  }
  EXPECT_EQ(CheckTransition(kSustaining, kRunning).message(),
            "a unit cannot go from UNIT_STATUS_SUSTAINING to UNIT_STATUS_RUNNING; allowed: newly "
            "formed -> running -> sustaining, any -> inactive");
}

TEST(UnitRulesTest, WhatATransitionWrites) {
  struct WriteCase {
    v1::UnitStatus to;
    bool open;
    Fields fields;
  };
  for (const WriteCase& c : std::initializer_list<WriteCase>{
           {v1::UNIT_STATUS_NEWLY_FORMED, true, {"status"}},
           {v1::UNIT_STATUS_RUNNING, true, {"status"}},
           {v1::UNIT_STATUS_SUSTAINING, true, {"status"}},
           {v1::UNIT_STATUS_INACTIVE, false, {"status", "inactive_reason"}},
       }) {
    EXPECT_EQ(IsOpen(c.to), c.open) << v1::UnitStatus_Name(c.to);
    EXPECT_EQ(TransitionFields(c.to), c.fields) << v1::UnitStatus_Name(c.to);
  }
  EXPECT_EQ(TransitionSummary(v1::UNIT_STATUS_NEWLY_FORMED, v1::UNIT_STATUS_RUNNING),
            "status UNIT_STATUS_NEWLY_FORMED -> UNIT_STATUS_RUNNING");
  EXPECT_EQ(TransitionSummary(v1::UNIT_STATUS_SUSTAINING, v1::UNIT_STATUS_INACTIVE),
            "status UNIT_STATUS_SUSTAINING -> UNIT_STATUS_INACTIVE");
}

TEST(UnitRulesTest, AnInactiveUnitCannotBeChanged) {
  for (v1::UnitStatus open :
       {v1::UNIT_STATUS_NEWLY_FORMED, v1::UNIT_STATUS_RUNNING, v1::UNIT_STATUS_SUSTAINING}) {
    EXPECT_TRUE(CheckUnitChangeable("units/32.73.04.1001-1", open).ok())
        << v1::UnitStatus_Name(open);
  }
  const absl::Status s = CheckUnitChangeable("units/32.73.04.1001-1", v1::UNIT_STATUS_INACTIVE);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "units/32.73.04.1001-1 is inactive; it keeps its history and cannot be changed");
}

TEST(UnitRulesTest, UnitIdRangeHoldsExactlyTheUnitsInside) {
  struct RangeCase {
    const char* region;
    const char* from;
    const char* to;
    std::vector<const char*> inside;
    std::vector<const char*> outside;
  };
  for (const RangeCase& c : std::initializer_list<RangeCase>{
           {"32.73.04.1001",
            "32.73.04.1001-",
            "32.73.04.1001.",
            {"32.73.04.1001-1", "32.73.04.1001-12"},
            {"32.73.04.1002-1", "32.73.04.1000-9"}},
           {"32.73",
            "32.73.",
            "32.73/",
            {"32.73.04.1001-1", "32.73.99.2999-3"},
            {"32.74.01.1001-1", "32.72.01.1001-1", "32.01.01.1001-1"}},
           {"32", "32.", "32/", {"32.01.01.1001-1", "32.73.04.1001-1"}, {"33.74.01.1001-1"}},
       }) {
    const auto [from, to] = UnitIdRange(Code(c.region));
    EXPECT_EQ(from, c.from) << c.region;
    EXPECT_EQ(to, c.to) << c.region;
    for (const char* id : c.inside) EXPECT_TRUE(from <= id && id < to) << c.region << " " << id;
    for (const char* id : c.outside) EXPECT_FALSE(from <= id && id < to) << c.region << " " << id;
  }
}

TEST(UnitRulesTest, ListUnitsLooksInTheNarrowerOfTheAskedRegionAndTheScope) {
  struct AreaCase {
    const char* asked;  // "" for none
    const char* scope;  // "" for national
    bool denied;
    const char* within;  // "" for the whole country
  };
  for (const AreaCase& c : std::initializer_list<AreaCase>{
           {"", "", false, ""},
           {"32.73", "", false, "32.73"},
           {"", "32", false, "32"},
           {"", "32.73", false, "32.73"},
           {"32", "32.73", false, "32.73"},  // the asked region holds the scope: the scope
           {"32.73", "32.73", false, "32.73"},
           {"32.73.04", "32", false, "32.73.04"},  // inside the scope: what was asked
           {"32.73.04.1001", "32.73", false, "32.73.04.1001"},
           {"33", "32", true, ""},  // apart: denied
           {"32.01", "32.73", true, ""},
           {"33.74.01.1001", "32.73", true, ""},
       }) {
    auto opt = [](const char* code) {
      return *code ? std::optional<domain::RegionCode>(Code(code)) : std::nullopt;
    };
    const UnitArea area = ListArea(opt(c.asked), opt(c.scope));
    const std::string what = absl::StrCat("asked ", c.asked, ", scope ", c.scope);
    EXPECT_EQ(area.denied, c.denied) << what;
    EXPECT_EQ(area.within ? area.within->str() : "", c.within) << what;
  }
}

TEST(UnitRulesTest, TheFostererIsTheRegencysBnnkElseTheProvincesBnnp) {
  const Fosterers f = FosterersOf(Code("32.73.04.1001"));
  EXPECT_EQ(f.bnnk, "bnnk-32.73");
  EXPECT_EQ(f.bnnp, "bnnp-32");
  const std::string village = "regions/32.73.04.1001";
  struct FostererCase {
    const char* what;
    const char* satker;
    std::vector<std::string> existing;
    absl::StatusCode code;
    const char* message;  // a part of it
  };
  for (const FostererCase& c : std::initializer_list<FostererCase>{
           {"the BNNK", "bnnk-32.73", {"bnnk-32.73", "bnnp-32"}, absl::StatusCode::kOk, ""},
           {"the only BNNK", "bnnk-32.73", {"bnnk-32.73"}, absl::StatusCode::kOk, ""},
           {"the BNNP where there is no BNNK", "bnnp-32", {"bnnp-32"}, absl::StatusCode::kOk, ""},
           {"the BNNP where there is a BNNK",
            "bnnp-32",
            {"bnnk-32.73", "bnnp-32"},
            absl::StatusCode::kInvalidArgument,
            "must be satkers/bnnk-32.73, the BNNK of the village's regency or city"},
           {"a BNNK that does not exist",
            "bnnk-32.73",
            {"bnnp-32"},
            absl::StatusCode::kInvalidArgument,
            "must be satkers/bnnp-32, the BNNP of its province (the regency has no BNNK)"},
           {"another regency's BNNK",
            "bnnk-32.01",
            {"bnnk-32.73", "bnnp-32"},
            absl::StatusCode::kInvalidArgument,
            "must be satkers/bnnk-32.73"},
           {"BNN central",
            "bnn",
            {"bnnp-32"},
            absl::StatusCode::kInvalidArgument,
            "must be satkers/bnnp-32"},
           {"no fosterer at all",
            "bnnk-32.73",
            {},
            absl::StatusCode::kFailedPrecondition,
            "neither satkers/bnnk-32.73 nor satkers/bnnp-32 exists to foster a unit in "
            "regions/32.73.04.1001"},
       }) {
    const absl::Status s = CheckFosterer(c.satker, village, f, c.existing);
    EXPECT_EQ(s.code(), c.code) << c.what;
    EXPECT_NE(std::string(s.message()).find(c.message), std::string::npos)
        << c.what << ": " << s.message();
    if (c.code == absl::StatusCode::kInvalidArgument) {
      EXPECT_EQ(FieldsOf(s), Fields{"unit.satker"}) << c.what;
    }
  }
}

TEST(UnitRulesTest, UnitsAreFormedOnlyInCurrentVillages) {
  struct VillageCase {
    bool exists;
    bool retired;
    const char* description;  // "" when it is fine
  };
  for (const VillageCase& c : std::initializer_list<VillageCase>{
           {true, false, ""},
           {false, false, "regions/32.73.04.1999 does not exist"},
           {true, true, "regions/32.73.04.1999 has been retired"},
       }) {
    const absl::Status s = CheckVillage("regions/32.73.04.1999", c.exists, c.retired);
    if (*c.description == '\0') {
      EXPECT_TRUE(s.ok()) << s;
      continue;
    }
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.description;
    EXPECT_EQ(FieldsOf(s), Fields{"unit.village"}) << c.description;
    EXPECT_EQ(DescriptionOf(s, "unit.village"), c.description);
  }
}

TEST(UnitRulesTest, OneOpenUnitPerVillage) {
  EXPECT_TRUE(CheckNoOpenUnit("regions/32.73.04.1001", std::nullopt).ok());
  const absl::Status s = CheckNoOpenUnit("regions/32.73.04.1001", "32.73.04.1001-2");
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReasonOf(s), "VILLAGE_HAS_UNIT");
  EXPECT_EQ(s.message(),
            "regions/32.73.04.1001 already has a unit: units/32.73.04.1001-2 (make it inactive "
            "before forming a new one)");
}

TEST(UnitRulesTest, AVillagesUnitsAreNumberedFromOne) {
  EXPECT_EQ(NextUnitId("32.73.04.1001", 0), "32.73.04.1001-1");
  EXPECT_EQ(NextUnitId("32.73.04.1001", 1), "32.73.04.1001-2");
  EXPECT_EQ(NextUnitId("32.73.04.1001", 11), "32.73.04.1001-12");
}

}  // namespace
}  // namespace ibm::registry::rules
