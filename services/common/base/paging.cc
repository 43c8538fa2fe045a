#include "base/paging.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status.h"

namespace ibm::platform {
namespace {
constexpr size_t kTagBytes = 16;
}

std::string PageTokens::Seal(absl::string_view query, absl::string_view last_key) const {
  std::string message = absl::StrCat(query.size(), ":", query, last_key);
  unsigned char tag[EVP_MAX_MD_SIZE];
  unsigned int tag_len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), tag, &tag_len);
  return std::string(reinterpret_cast<const char*>(tag), kTagBytes);
}

std::string PageTokens::Next(absl::string_view query, absl::string_view last_key) const {
  return absl::WebSafeBase64Escape(absl::StrCat(Seal(query, last_key), last_key));
}

absl::StatusOr<Page> PageTokens::Read(int32_t page_size, absl::string_view page_token,
                                      absl::string_view query) const {
  if (page_size < 0) return InvalidField("page_size", "must not be negative");
  Page page;
  page.size = page_size == 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize);
  if (page_token.empty()) return page;
  std::string raw;
  if (page_token.size() > 2048 || !absl::WebSafeBase64Unescape(page_token, &raw) ||
      raw.size() < kTagBytes) {
    return InvalidField("page_token", "is not a page token of this service");
  }
  std::string after = raw.substr(kTagBytes);
  std::string expected = Seal(query, after);
  if (CRYPTO_memcmp(expected.data(), raw.data(), kTagBytes) != 0) {
    return InvalidField("page_token",
                        "does not belong to this query (the filters changed, or it was altered)");
  }
  page.after = std::move(after);
  return page;
}

}  // namespace ibm::platform
