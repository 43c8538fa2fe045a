#pragma once

// Small cryptographic helpers the services share (OpenSSL underneath).

#include <string>

#include "absl/strings/string_view.h"

namespace ibm::platform {

// `bytes` random bytes from the OpenSSL CSPRNG, as lowercase base32 (a-z, 2-7), for server-
// assigned resource ids that reveal nothing (e.g. "ap" + RandomId(8)).
std::string RandomId(int bytes);
// Raw random bytes from the CSPRNG, for secrets.
std::string RandomBytes(int bytes);
// SHA-256 of `data`, 64 lowercase hex digits.
std::string Sha256Hex(absl::string_view data);
// HMAC-SHA256 of `data` under `key`: the 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);

}  // namespace ibm::platform
