#pragma once

// Field encryption at rest for sensitive values (an agent's contact details and former-user
// flag today; a client's identity later): AES-256-GCM with keys the database never sees.
//
// Keys come from a file the operators keep outside the database (a Kubernetes Secret, a file
// in var/ for local runs), one per line:
//
//   # key id   32 random bytes, base64 (head -c 32 /dev/urandom | base64)
//   k2026b     q0J6...=
//   k2026a     Xh3v...=
//
// The first key seals; every key opens. To rotate, put a new key on top and keep the old
// ones below until nothing sealed with them is left. A sealed value is text,
// "<key id>:<base64 of nonce | ciphertext | tag>", so it fits any column on both engines.
// Each value is bound to its context (e.g. the resource name and the field), so a value
// copied to another row does not open.

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ibm::platform {

// A file of secret keys must be readable by this service only: INVALID_ARGUMENT when others
// may access it, or a group this process does not run in (a Kubernetes Secret mounted 0440
// with the pod's fsGroup is fine).
absl::Status CheckKeyFileAccess(const std::string& path);

class FieldSealer {
 public:
  // Reads a key file; one line of error naming the file and line (never a key) if it is
  // unreadable, too widely readable (CheckKeyFileAccess), empty or malformed.
  static absl::StatusOr<std::shared_ptr<const FieldSealer>> FromKeyFile(const std::string& path);
  // From "<id> <base64 key>" lines, as in the file.
  static absl::StatusOr<std::shared_ptr<const FieldSealer>> FromKeyText(absl::string_view text,
                                                                        absl::string_view origin);
  // A key file's line for a fresh random key, for tests and first local runs.
  static std::string NewKeyLine(absl::string_view key_id);

  // Seals `plaintext`, bound to `context`, with the first key.
  std::string Seal(absl::string_view plaintext, absl::string_view context) const;
  // Opens a sealed value with the key it names. DATA_LOSS (without any of the value) when
  // the key is not configured, or the value was altered or belongs to another context.
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;

  const std::string& sealing_key_id() const { return sealing_key_id_; }

  // A 32-byte key for another purpose (e.g. "audit-chain|registry"), derived from the key
  // `key_id` (HMAC-SHA256 of the purpose), so that it shares the field keys' custody and
  // rotation. NOT_FOUND when that key is not in the file.
  absl::StatusOr<std::string> DerivedKey(absl::string_view key_id, absl::string_view purpose) const;

 private:
  std::string sealing_key_id_;
  std::map<std::string, std::string, std::less<>> keys_;  // id -> 32 raw bytes
};

}  // namespace ibm::platform
