#include "cases/names.h"

#include "absl/strings/str_cat.h"
#include "domain/unit_id.h"

namespace ibm::cases {

std::string ClientName(absl::string_view id) {
  return FormatName(kClientPattern, {std::string(id)});
}

domain::RegionCode UnitVillage(absl::string_view unit_id) {
  auto id = domain::UnitId::Parse(unit_id);
  // Only parsed ids reach here; a malformed one lies in no scope.
  return id.ok() ? id->village() : *domain::RegionCode::Parse("99.99.99.9999");
}

}  // namespace ibm::cases
