#include "domain/unit_id.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ibm::domain {

absl::StatusOr<UnitId> UnitId::Parse(absl::string_view text, absl::string_view field) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be a unit id like 32.73.04.1001-1"));
  };
  // "-01", "-+1" and "-1 " would name the same unit through SimpleAtoi (and, on a PAD SPACE
  // collation, in SQL), so they are refused.
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits('-', 1));
  if (parts.size() != 2 || parts[1].empty() || parts[1].size() > 6 || parts[1][0] == '0') {
    return bad();
  }
  for (char c : parts[1]) {
    if (!absl::ascii_isdigit(c)) return bad();
  }
  auto village = RegionCode::Parse(parts[0]);
  if (!village.ok() || village->level() != RegionLevel::kVillage) return bad();
  return UnitId(*std::move(village), std::string(text));
}

}  // namespace ibm::domain
