#include "registry/rules/units.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "registry/core.h"

namespace ibm::registry::rules {

void CheckFiscalYears(platform::FieldViolations& v, absl::Span<const int32_t> years) {
  if (years.size() > kMaxFiscalYears) {  // the size first: never item by item
    v.Add("unit.fiscal_years", absl::StrCat("at most ", kMaxFiscalYears, " years"));
    return;
  }
  std::set<int32_t> seen;
  for (size_t i = 0; i < years.size(); ++i) {
    if (years[i] < kFirstFiscalYear || years[i] > kLastFiscalYear) {
      v.Add(absl::StrCat("unit.fiscal_years[", i, "]"), "must be a year from 2019 to 2100");
    } else if (!seen.insert(years[i]).second) {
      v.Add(absl::StrCat("unit.fiscal_years[", i, "]"), "repeats an earlier year");
    }
  }
}

std::string CheckNewUnit(platform::FieldViolations& v, const v1::Unit& unit) {
  std::string satker;
  if (unit.satker().empty()) {
    v.Add("unit.satker", "is required");
  } else if (auto id = ParseSatkerName(unit.satker(), "unit.satker"); !id.ok()) {
    v.Add("unit.satker", id.status().message());
  } else {
    satker = *id;
  }
  CheckDate(v, "unit.formation_date", unit.formation_date(), true);
  CheckFiscalYears(v, unit.fiscal_years());
  return satker;
}

void CheckUnitUpdate(platform::FieldViolations& v, const v1::Unit& unit,
                     const std::vector<std::string>& paths) {
  if (HasPath(paths, "formation_date")) {
    CheckDate(v, "unit.formation_date", unit.formation_date(), true);
  }
  if (HasPath(paths, "fiscal_years")) CheckFiscalYears(v, unit.fiscal_years());
}

void CheckTransitionRequest(platform::FieldViolations& v, v1::UnitStatus to,
                            absl::string_view reason) {
  if (to == v1::UNIT_STATUS_UNSPECIFIED || !v1::UnitStatus_IsValid(to)) {
    v.Add("status", "is required: running, sustaining or inactive");
  } else if (to == v1::UNIT_STATUS_INACTIVE) {
    CheckText(v, "reason", reason, 500, true);
  } else if (!reason.empty()) {
    v.Add("reason", "is only given when the unit becomes inactive");
  }
}

UnitFilters CheckListUnitsRequest(platform::FieldViolations& v, const v1::ListUnitsRequest& req) {
  UnitFilters filters;
  if (!req.region().empty()) {
    auto code = ParseRegionName(req.region(), "region");
    if (code.ok()) {
      filters.region = *code;
    } else {
      v.Add("region", "must be a resource name like regions/32.73");
    }
  }
  if (!req.satker().empty()) {
    auto id = ParseSatkerName(req.satker(), "satker");
    if (id.ok()) {
      filters.satker_id = *id;
    } else {
      v.Add("satker", "must be a resource name like satkers/bnnk-32.73");
    }
  }
  if (!v1::UnitStatus_IsValid(req.status())) v.Add("status", "is not a unit status");
  return filters;
}

bool LegalTransition(v1::UnitStatus from, v1::UnitStatus to) {
  if (to == v1::UNIT_STATUS_INACTIVE) return from != v1::UNIT_STATUS_INACTIVE;
  return (from == v1::UNIT_STATUS_NEWLY_FORMED && to == v1::UNIT_STATUS_RUNNING) ||
         (from == v1::UNIT_STATUS_RUNNING && to == v1::UNIT_STATUS_SUSTAINING);
}

absl::Status CheckTransition(v1::UnitStatus from, v1::UnitStatus to) {
  if (LegalTransition(from, to)) return absl::OkStatus();
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          "a unit cannot go from ", v1::UnitStatus_Name(from), " to ", v1::UnitStatus_Name(to),
          "; allowed: newly formed -> running -> sustaining, any -> inactive")),
      "ILLEGAL_TRANSITION");
}

bool IsOpen(v1::UnitStatus status) { return status != v1::UNIT_STATUS_INACTIVE; }

std::vector<std::string> TransitionFields(v1::UnitStatus to) {
  if (to == v1::UNIT_STATUS_INACTIVE) return {"status", "inactive_reason"};
  return {"status"};
}

std::string TransitionSummary(v1::UnitStatus from, v1::UnitStatus to) {
  return absl::StrCat("status ", v1::UnitStatus_Name(from), " -> ", v1::UnitStatus_Name(to));
}

absl::Status CheckUnitChangeable(absl::string_view unit, v1::UnitStatus status) {
  if (status != v1::UNIT_STATUS_INACTIVE) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(unit, " is inactive; it keeps its history and cannot be changed"));
}

std::pair<std::string, std::string> UnitIdRange(const domain::RegionCode& region) {
  if (region.level() == domain::RegionLevel::kVillage) {
    return {region.str() + "-", region.str() + "."};
  }
  return {region.str() + ".", region.str() + "/"};
}

UnitArea ListArea(const std::optional<domain::RegionCode>& asked,
                  const std::optional<domain::RegionCode>& scope) {
  if (!scope) return {false, asked};
  if (!asked || asked->Contains(*scope)) return {false, scope};
  if (!scope->Contains(*asked)) return {true, std::nullopt};
  return {false, asked};
}

Fosterers FosterersOf(const domain::RegionCode& village) {
  return {absl::StrCat("bnnk-", village.Ancestor(domain::RegionLevel::kRegency).str()),
          absl::StrCat("bnnp-", village.Ancestor(domain::RegionLevel::kProvince).str())};
}

absl::Status CheckFosterer(absl::string_view satker, absl::string_view village,
                           const Fosterers& fosterers, const std::vector<std::string>& existing) {
  auto exists = [&](const std::string& id) {
    return std::find(existing.begin(), existing.end(), id) != existing.end();
  };
  const bool bnnk = exists(fosterers.bnnk);
  if (!bnnk && !exists(fosterers.bnnp)) {
    return absl::FailedPreconditionError(absl::StrCat("neither ", SatkerName(fosterers.bnnk),
                                                      " nor ", SatkerName(fosterers.bnnp),
                                                      " exists to foster a unit in ", village));
  }
  const std::string& expected = bnnk ? fosterers.bnnk : fosterers.bnnp;
  if (satker == expected) return absl::OkStatus();
  return platform::InvalidField(
      "unit.satker", absl::StrCat("must be ", SatkerName(expected), ", ",
                                  bnnk ? "the BNNK of the village's regency or city"
                                       : "the BNNP of its province (the regency has no BNNK)"));
}

absl::Status CheckVillage(absl::string_view village, bool exists, bool retired) {
  if (!exists || retired) {
    return platform::InvalidField(
        "unit.village", absl::StrCat(village, !exists ? " does not exist" : " has been retired"));
  }
  return absl::OkStatus();
}

absl::Status CheckNoOpenUnit(absl::string_view village,
                             const std::optional<std::string>& open_unit) {
  if (!open_unit) return absl::OkStatus();
  return platform::WithReason(
      absl::AlreadyExistsError(absl::StrCat(village, " already has a unit: ", UnitName(*open_unit),
                                            " (make it inactive before forming a new one)")),
      "VILLAGE_HAS_UNIT");
}

std::string NextUnitId(absl::string_view village_code, int64_t units_so_far) {
  return absl::StrCat(village_code, "-", units_so_far + 1);
}

}  // namespace ibm::registry::rules
