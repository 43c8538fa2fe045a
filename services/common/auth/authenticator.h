#pragma once

// Establishes the caller of each request from its metadata.
//
// Production: `authorization: Bearer <JWT>`, signed by BNN's identity provider with a key
// whose public half this server has in a file (RS256/384/512 for RSA keys, ES256/384/512 for
// EC keys; the algorithm is pinned by the key, so a token cannot choose HS256 or none).
// Claims: iss and aud must match the configuration; iat and exp are required whole numbers,
// iat not in the future and exp - iat at most `max_lifetime` (a stolen token expires soon);
// nbf, when present, must be a whole number and is honoured (all with a leeway); sub, role
// (see Role) and satker ("bnn", "bnnp-32", "bnnk-32.73") are required. The key files are
// read again by Reload() (the server calls it on SIGHUP), so keys rotate without a restart.
//
// Development only: the insecure authenticator believes x-dev-subject, x-dev-role and
// x-dev-satker headers (default: a BNN central officer). It is never for real data.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/principal.h"
#include "grpcpp/support/string_ref.h"

namespace ibm::auth {

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // UNAUTHENTICATED when the metadata carries no valid credentials.
  virtual absl::StatusOr<Principal> Authenticate(const Metadata& metadata) const = 0;
  // Reads the credentials' sources again (key files). On an error the old keys stay in use.
  virtual absl::Status Reload() { return absl::OkStatus(); }
};

struct JwtOptions {
  // PEM public keys. With several keys, a token's `kid` header picks the key whose file
  // name without extension equals it (key rotation); with one key, `kid` may be absent.
  std::vector<std::string> public_key_files;
  std::string issuer;
  std::string audience;
  absl::Duration leeway = absl::Seconds(60);
  absl::Duration max_lifetime = absl::Hours(24);
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// INVALID_ARGUMENT / NOT_FOUND when a key file is missing or not a PEM public key.
absl::StatusOr<std::unique_ptr<Authenticator>> NewJwtAuthenticator(JwtOptions options);

std::unique_ptr<Authenticator> NewInsecureDevAuthenticator();

}  // namespace ibm::auth
