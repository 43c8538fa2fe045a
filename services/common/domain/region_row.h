#pragma once

// One row of a Kemendagri region edition: the rules ibmctl checks on the CSV files before it
// sends anything and the registry checks on every staged row. One implementation, so the
// two can never disagree about what is a good row.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ibm::domain {

struct RegionRowProblem {
  std::string field;    // "code", "parent_code" or "name"
  std::string message;  // what is wrong, without echoing more than 40 bytes of the input
};

// `code` a well-formed region code; `parent_code` its parent's code (empty for a province);
// `name` 1-255 bytes of valid UTF-8, not blank, without control characters (DEL included).
std::vector<RegionRowProblem> CheckRegionRow(absl::string_view code, absl::string_view parent_code,
                                             absl::string_view name);

// Structurally valid UTF-8 (protobuf refuses to send strings that are not).
bool ValidUtf8(absl::string_view text);

}  // namespace ibm::domain
