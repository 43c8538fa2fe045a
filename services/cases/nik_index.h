#pragma once

#include "absl/status/statusor.h"
#include "cases/core.h"

namespace ibm::cases {

// Re-indexes the NIK index entries made under an older key (nik_index.cc says how to
// rotate); returns how many entries it re-indexed or dropped (0 when none was old).
absl::StatusOr<int> RekeyNikIndex(const Core& core);

}  // namespace ibm::cases
