#include "domain/region_code.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status.h"

namespace ibm::domain {

absl::string_view RegionLevelName(RegionLevel level) {
  switch (level) {
    case RegionLevel::kProvince:
      return "province";
    case RegionLevel::kRegency:
      return "regency";
    case RegionLevel::kDistrict:
      return "district";
    case RegionLevel::kVillage:
      return "village";
  }
  return "region";
}

absl::StatusOr<RegionCode> RegionCode::Parse(absl::string_view code, absl::string_view field) {
  constexpr absl::string_view kExpected =
      "must be a Kemendagri region code: PP, PP.RR, PP.RR.DD or PP.RR.DD.VVVV (digits)";
  if (code.empty()) return platform::InvalidField(field, "is required");
  if (code.size() > 13) return platform::InvalidField(field, kExpected);
  std::vector<std::string> segments = absl::StrSplit(code, '.');
  if (segments.size() > 4) return platform::InvalidField(field, kExpected);
  static constexpr size_t kWidth[] = {2, 2, 2, 4};
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& s = segments[i];
    if (s.size() != kWidth[i]) return platform::InvalidField(field, kExpected);
    for (char c : s) {
      if (!absl::ascii_isdigit(c)) return platform::InvalidField(field, kExpected);
    }
  }
  if (segments[0] == "00") return platform::InvalidField(field, "province 00 does not exist");
  return RegionCode(std::string(code), std::move(segments));
}

RegionCode RegionCode::Ancestor(RegionLevel level) const {
  const size_t n = std::min(static_cast<size_t>(level), segments_.size());
  std::vector<std::string> head(segments_.begin(), segments_.begin() + n);
  return RegionCode(absl::StrJoin(head, "."), head);
}

bool RegionCode::Contains(const RegionCode& other) const {
  if (other.segments_.size() < segments_.size()) return false;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i] != other.segments_[i]) return false;
  }
  return true;
}

}  // namespace ibm::domain
