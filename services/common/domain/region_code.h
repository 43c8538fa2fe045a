#pragma once

// Kemendagri region codes: province "PP", regency/city "PP.RR", district "PP.RR.DD",
// village "PP.RR.DD.VVVV" (e.g. "33.73.04.1001"). Format only: whether a code exists is the
// registry's business.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ibm::domain {

enum class RegionLevel { kProvince = 1, kRegency = 2, kDistrict = 3, kVillage = 4 };

absl::string_view RegionLevelName(RegionLevel level);

class RegionCode {
 public:
  // INVALID_ARGUMENT (naming `field`) unless `code` is a well-formed code of any level.
  static absl::StatusOr<RegionCode> Parse(absl::string_view code,
                                          absl::string_view field = "region_code");

  RegionLevel level() const { return static_cast<RegionLevel>(segments_.size()); }
  const std::string& str() const { return code_; }
  // The code of the enclosing region at `level` (which must not be below this one's).
  RegionCode Ancestor(RegionLevel level) const;
  // True when `other` is this region or lies inside it.
  bool Contains(const RegionCode& other) const;
  bool operator==(const RegionCode& o) const { return code_ == o.code_; }

 private:
  RegionCode(std::string code, std::vector<std::string> segments)
      : code_(std::move(code)), segments_(std::move(segments)) {}
  std::string code_;
  std::vector<std::string> segments_;
};

}  // namespace ibm::domain
