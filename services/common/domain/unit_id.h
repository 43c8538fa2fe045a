#pragma once

// An IBM unit's id: "<village code>-<n>" ("32.73.04.1001-1"), n a decimal number from 1
// without a sign, leading zeros or spaces (so that no two spellings name one unit). The one
// grammar of the suite: the registry's units/{id} and every cases resource under a unit.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/region_code.h"

namespace ibm::domain {

class UnitId {
 public:
  // INVALID_ARGUMENT naming `field` unless `text` is in the canonical form.
  static absl::StatusOr<UnitId> Parse(absl::string_view text, absl::string_view field = "unit");

  // The village the unit serves.
  const RegionCode& village() const { return village_; }
  const std::string& str() const { return text_; }

 private:
  UnitId(RegionCode village, std::string text)
      : village_(std::move(village)), text_(std::move(text)) {}
  RegionCode village_;
  std::string text_;
};

}  // namespace ibm::domain
