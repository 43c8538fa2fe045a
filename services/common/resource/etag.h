#pragma once

// AIP-154 etags: a resource's etag is its version (a count of its updates). An empty etag
// skips the check; a stale one is ABORTED with reason ETAG_MISMATCH.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ibm::resource {

absl::Status CheckEtag(absl::string_view etag, int64_t version, absl::string_view field);

}  // namespace ibm::resource
