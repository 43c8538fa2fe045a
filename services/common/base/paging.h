#pragma once

// AIP-158 pagination, the same for every list method of the suite.
//
// page_size: 0 means the default, larger than the maximum is lowered to it, negative is
// INVALID_ARGUMENT. A page token is opaque to clients: it carries the key of the last row
// returned and is sealed with an HMAC over that key and the query it belongs to, so a token
// used with another query, or altered, is INVALID_ARGUMENT rather than a wrong page.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ibm::platform {

inline constexpr int32_t kDefaultPageSize = 50;
inline constexpr int32_t kMaxPageSize = 1000;

struct Page {
  int32_t size = kDefaultPageSize;  // rows to return
  std::string after;                // the last key of the previous page; "" on the first
};

class PageTokens {
 public:
  // `key`: a secret shared by every replica of the service (e.g. kept in its database).
  explicit PageTokens(std::string key) : key_(std::move(key)) {}

  // `query` identifies the query: the method and every filter that shapes the result.
  absl::StatusOr<Page> Read(int32_t page_size, absl::string_view page_token,
                            absl::string_view query) const;
  // The token for the page after the one that ended with `last_key`.
  std::string Next(absl::string_view query, absl::string_view last_key) const;

 private:
  std::string Seal(absl::string_view query, absl::string_view last_key) const;
  std::string key_;
};

}  // namespace ibm::platform
