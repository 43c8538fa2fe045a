#pragma once

// Signs real JWTs for tests with a freshly generated RSA key; the public half is written to
// a file, as a server would be configured in production.

#include <nlohmann/json.hpp>
#include <string>

#include "absl/time/time.h"
#include "testing/test_database.h"

namespace ibm::testing {

class TokenIssuer {
 public:
  static constexpr const char* kIssuer = "https://sso.bnn.go.id/test";
  static constexpr const char* kAudience = "ibm-suite";

  // Writes `<dir>/<key_id>.pem`.
  TokenIssuer(const std::string& dir, const std::string& key_id = "test-key");

  const std::string& public_key_file() const { return public_key_file_; }

  // Claims for a valid token of this role and satker, expiring in an hour.
  nlohmann::json Claims(const std::string& role, const std::string& satker,
                        const std::string& subject = "officer-1") const;
  // Signs claims with this issuer's key (RS256 unless told otherwise).
  std::string Sign(const nlohmann::json& claims, const std::string& alg = "RS256") const;
  // "Bearer <token>" for a valid token.
  std::string Bearer(const std::string& role, const std::string& satker) const;

  const std::string& private_key_pem() const { return private_pem_; }
  const std::string& public_key_pem() const { return public_pem_; }

 private:
  std::string key_id_;
  std::string private_pem_, public_pem_, public_key_file_;
};

// Writes a field-encryption key file with one fresh random key (id "test") to `dir` and
// returns its path, for --field_keys of a server started as a process.
std::string WriteFieldKeyFile(const std::string& dir);

}  // namespace ibm::testing
