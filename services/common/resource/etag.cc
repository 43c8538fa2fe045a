#include "resource/etag.h"

#include "absl/strings/str_cat.h"
#include "base/status.h"

namespace ibm::resource {

absl::Status CheckEtag(absl::string_view etag, int64_t version, absl::string_view field) {
  if (etag.empty() || etag == absl::StrCat(version)) return absl::OkStatus();
  return platform::WithReason(
      absl::AbortedError(absl::StrCat(field,
                                      " is stale: the resource changed since it was read; read "
                                      "it again and retry")),
      "ETAG_MISMATCH");
}

}  // namespace ibm::resource
