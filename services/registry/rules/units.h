#pragma once

// The units' pure rules: no I/O, no protos where a plain value will do; tested by
// tests/rules/units_test.cc without gRPC or a database.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/status.h"
#include "domain/region_code.h"
#include "ibm/registry/v1/registry.pb.h"

namespace ibm::registry::rules {

// ---- Fiscal years: each from 2019 to 2100, none twice.

inline constexpr int32_t kFirstFiscalYear = 2019;
inline constexpr int32_t kLastFiscalYear = 2100;
inline constexpr size_t kMaxFiscalYears = 82;  // 2019-2100

// unit.fiscal_years: at most kMaxFiscalYears (checked first: never item by item), each a year
// from 2019 to 2100 that no earlier item repeats.
void CheckFiscalYears(platform::FieldViolations& v, absl::Span<const int32_t> years);

// ---- Fields of a request. Each adds its violations to `v`, naming the request's field.

// CreateUnit's unit, besides its village (checked first, with the caller's scope): the
// fostering satker (required, a satker name), the formation date (required, a real date),
// the fiscal years. Returns the satker's id ("" when it is not one).
std::string CheckNewUnit(platform::FieldViolations& v, const v1::Unit& unit);
// UpdateUnit's unit: the formation date and the fiscal years, when `paths` (the update mask)
// name them.
void CheckUnitUpdate(platform::FieldViolations& v, const v1::Unit& unit,
                     const std::vector<std::string>& paths);
// TransitionUnit's request: a status to move to (running, sustaining or inactive); a reason
// (1-500 characters) when it is inactive, none otherwise.
void CheckTransitionRequest(platform::FieldViolations& v, v1::UnitStatus to,
                            absl::string_view reason);

// ListUnits' filters, as checked.
struct UnitFilters {
  std::optional<domain::RegionCode> region;  // nullopt: anywhere (the caller's scope)
  std::string satker_id;                     // "": any satker
};
// ListUnits' request: a region name, a satker name and a unit status, each optional.
UnitFilters CheckListUnitsRequest(platform::FieldViolations& v, const v1::ListUnitsRequest& req);

// ---- The lifecycle: newly formed -> running -> sustaining, and any open status -> inactive
// (final).

bool LegalTransition(v1::UnitStatus from, v1::UnitStatus to);
// FAILED_PRECONDITION with reason ILLEGAL_TRANSITION unless the lifecycle allows the move.
absl::Status CheckTransition(v1::UnitStatus from, v1::UnitStatus to);
// An open unit holds its village (one open unit per village); an inactive one does not.
bool IsOpen(v1::UnitStatus status);
// The fields a transition to `to` changes: the status, and the reason when it is inactive.
std::vector<std::string> TransitionFields(v1::UnitStatus to);
// The change log's summary of a transition: the statuses only (the reason is free text and
// stays on the unit).
std::string TransitionSummary(v1::UnitStatus from, v1::UnitStatus to);
// An inactive unit keeps its history: FAILED_PRECONDITION naming `unit` (its resource name)
// when `status` is inactive.
absl::Status CheckUnitChangeable(absl::string_view unit, v1::UnitStatus status);

// ---- Where units are.

// The range [first, second) of the ids of the units inside `region`: a village's own units
// are "{code}-n", those of a larger region "{code}.{more segments}-n".
std::pair<std::string, std::string> UnitIdRange(const domain::RegionCode& region);

// Where ListUnits looks: the narrower of the asked region and the caller's scope.
struct UnitArea {
  bool denied = false;                       // the two do not overlap
  std::optional<domain::RegionCode> within;  // nullopt: the whole country
};
// `scope` is the caller's (nullopt: national).
UnitArea ListArea(const std::optional<domain::RegionCode>& asked,
                  const std::optional<domain::RegionCode>& scope);

// ---- Forming a unit.

// The satkers that may foster a unit in a village: the BNNK of its regency or city, or where
// that has none, the BNNP of its province.
struct Fosterers {
  std::string bnnk;
  std::string bnnp;
};
Fosterers FosterersOf(const domain::RegionCode& village);
// `satker` must be the village's fosterer, of `existing` (the fosterers the registry has):
// FAILED_PRECONDITION when there is neither, INVALID_ARGUMENT on unit.satker when it is
// another. `village` is the village's resource name.
absl::Status CheckFosterer(absl::string_view satker, absl::string_view village,
                           const Fosterers& fosterers, const std::vector<std::string>& existing);
// A unit is formed in a village the registry has and has not retired: INVALID_ARGUMENT on
// unit.village otherwise. `village` is its resource name.
absl::Status CheckVillage(absl::string_view village, bool exists, bool retired);
// One open unit per village: ALREADY_EXISTS with reason VILLAGE_HAS_UNIT naming the open one
// (`open_unit`, an id) when there is one. `village` is its resource name.
absl::Status CheckNoOpenUnit(absl::string_view village,
                             const std::optional<std::string>& open_unit);
// The id of a village's next unit: "{village code}-{n}", n counting its units from 1
// (inactive ones too: a name is never used twice).
std::string NextUnitId(absl::string_view village_code, int64_t units_so_far);

}  // namespace ibm::registry::rules
