#include "auth/authenticator.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/status.h"

namespace ibm::auth {
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return platform::WithReason(absl::UnauthenticatedError(why), "INVALID_TOKEN");
}

// Sets who the caller belongs to. People (officers, agents, supervisors, auditors) belong to
// a satker, which gives their scope. A system (role `system`) names itself in `system` and
// has no satker; outside organisations (village fund, providers) may name themselves in
// `org`: both have the national scope, and each package admits them method by method. What
// a package refuses (a system with a satker, an outside organisation posing as one) is its
// access rule's to say, as PERMISSION_DENIED; here only malformed values are refused.
absl::Status SetAffiliation(Principal& p, absl::string_view satker, absl::string_view system,
                            absl::string_view org) {
  if (system.size() > 40 || org.size() > 100) {
    return absl::InvalidArgumentError("system or org claim is too long");
  }
  p.system = std::string(system);
  p.org = std::string(org);
  p.satker = std::string(satker);
  const bool satkerless =
      p.role == Role::kSystem || p.role == Role::kVillageFund || p.role == Role::kProvider;
  if (satker.empty() && satkerless) {
    p.scope = Scope::National();
    return absl::OkStatus();
  }
  auto scope = Scope::OfSatker(satker);
  if (!scope.ok()) return absl::InvalidArgumentError("satker is missing or malformed");
  p.scope = *scope;
  return absl::OkStatus();
}

std::optional<std::string> Header(const Metadata& md, absl::string_view name) {
  auto it = md.find(grpc::string_ref(name.data(), name.size()));
  if (it == md.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

struct Key {
  std::string pem;
  std::set<std::string> algorithms;  // the algorithms this key may verify
};

absl::StatusOr<Key> LoadKey(const std::string& path);

absl::StatusOr<std::shared_ptr<const std::map<std::string, Key>>> LoadKeys(
    const std::vector<std::string>& files) {
  auto keys = std::make_shared<std::map<std::string, Key>>();
  for (const std::string& path : files) {
    auto key = LoadKey(path);
    if (!key.ok()) return key.status();
    (*keys)[std::filesystem::path(path).stem().string()] = *std::move(key);
  }
  return keys;
}

// A NumericDate claim (RFC 7519): a whole number of seconds in a sane range.
std::optional<absl::Time> NumericDate(const nlohmann::json& c, const char* name) {
  auto it = c.find(name);
  if (it == c.end() || !it->is_number_integer()) return std::nullopt;
  const int64_t seconds = it->get<int64_t>();
  if (seconds < 0 || seconds > int64_t{1} << 40) return std::nullopt;
  return absl::FromUnixSeconds(seconds);
}

class JwtAuthenticator final : public Authenticator {
 public:
  JwtAuthenticator(JwtOptions options, std::shared_ptr<const std::map<std::string, Key>> keys)
      : options_(std::move(options)), keys_(std::move(keys)) {}

  absl::Status Reload() override {
    auto keys = LoadKeys(options_.public_key_files);
    if (!keys.ok()) return keys.status();
    absl::MutexLock lock(&mu_);
    keys_ = *std::move(keys);
    return absl::OkStatus();
  }

  absl::StatusOr<Principal> Authenticate(const Metadata& md) const override {
    std::optional<std::string> header = Header(md, "authorization");
    if (!header.has_value()) {
      return platform::WithReason(absl::UnauthenticatedError("missing authorization bearer token"),
                                  "MISSING_TOKEN");
    }
    absl::string_view token = *header;
    if (!absl::ConsumePrefix(&token, "Bearer ") && !absl::ConsumePrefix(&token, "bearer ")) {
      return Unauthenticated("authorization must be 'Bearer <token>'");
    }
    std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
    if (parts.size() != 3 || parts[2].empty()) return Unauthenticated("token is not a signed JWT");

    auto head = DecodeJson(parts[0]);
    auto claims = DecodeJson(parts[1]);
    if (!head.has_value() || !claims.has_value()) return Unauthenticated("token is not a JWT");
    const std::string alg = StringField(*head, "alg");
    const std::string kid = StringField(*head, "kid");

    std::shared_ptr<const std::map<std::string, Key>> keys;
    {
      absl::MutexLock lock(&mu_);
      keys = keys_;
    }
    const Key* key = nullptr;
    if (!kid.empty()) {
      auto it = keys->find(kid);
      if (it == keys->end()) return Unauthenticated("token signed with an unknown key id");
      key = &it->second;
    } else if (keys->size() == 1) {
      key = &keys->begin()->second;
    } else {
      return Unauthenticated("token has no kid and several keys are configured");
    }
    // The key, not the token, decides the algorithm: no none, no HS256 with a public key.
    if (key->algorithms.count(alg) == 0) return Unauthenticated("token algorithm not accepted");

    jwt_t* jwt = nullptr;
    const std::string token_str(token);
    int rc =
        jwt_decode(&jwt, token_str.c_str(), reinterpret_cast<const unsigned char*>(key->pem.data()),
                   static_cast<int>(key->pem.size()));
    std::unique_ptr<jwt_t, void (*)(jwt_t*)> owned(jwt, jwt_free);
    if (rc != 0 || jwt == nullptr || jwt_get_alg(jwt) != jwt_str_alg(alg.c_str())) {
      return Unauthenticated("token signature is not valid");
    }
    return PrincipalFrom(*claims);
  }

 private:
  static std::optional<nlohmann::json> DecodeJson(absl::string_view b64) {
    std::string raw;
    if (!absl::WebSafeBase64Unescape(b64, &raw)) return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
  }

  static std::string StringField(const nlohmann::json& j, const char* name) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
  }

  absl::StatusOr<Principal> PrincipalFrom(const nlohmann::json& c) const {
    const absl::Time now = options_.clock();
    const std::optional<absl::Time> exp = NumericDate(c, "exp");
    if (!exp) return Unauthenticated("token has no exp (a whole number of seconds)");
    if (*exp + options_.leeway < now) {
      return platform::WithReason(absl::UnauthenticatedError("token expired"), "TOKEN_EXPIRED");
    }
    const std::optional<absl::Time> iat = NumericDate(c, "iat");
    if (!iat) return Unauthenticated("token has no iat (a whole number of seconds)");
    if (*iat - options_.leeway > now) return Unauthenticated("token issued in the future");
    if (*exp - *iat > options_.max_lifetime) {
      return Unauthenticated(absl::StrCat("token lives longer than the accepted ",
                                          absl::FormatDuration(options_.max_lifetime)));
    }
    if (c.contains("nbf")) {
      const std::optional<absl::Time> nbf = NumericDate(c, "nbf");
      if (!nbf) return Unauthenticated("token nbf is not a whole number of seconds");
      if (*nbf - options_.leeway > now) return Unauthenticated("token not yet valid");
    }
    if (StringField(c, "iss") != options_.issuer)
      return Unauthenticated("token issuer not accepted");
    bool audience_ok = false;
    if (auto aud = c.find("aud"); aud != c.end()) {
      if (aud->is_string()) audience_ok = aud->get<std::string>() == options_.audience;
      if (aud->is_array()) {
        for (const auto& a : *aud)
          audience_ok |= a.is_string() && a.get<std::string>() == options_.audience;
      }
    }
    if (!audience_ok) return Unauthenticated("token audience not accepted");

    Principal p;
    p.subject = StringField(c, "sub");
    if (p.subject.empty()) return Unauthenticated("token has no sub");
    auto role = ParseRole(StringField(c, "role"));
    if (!role.ok()) return Unauthenticated("token role is missing or unknown");
    p.role = *role;
    if (auto s = SetAffiliation(p, StringField(c, "satker"), StringField(c, "system"),
                                StringField(c, "org"));
        !s.ok()) {
      return Unauthenticated(absl::StrCat("token ", s.message()));
    }
    return p;
  }

  const JwtOptions options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const std::map<std::string, Key>> keys_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<Key> LoadKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read JWT public key file ", path));
  std::stringstream buf;
  buf << in.rdbuf();
  Key key{buf.str(), {}};
  std::unique_ptr<BIO, int (*)(BIO*)> bio(
      BIO_new_mem_buf(key.pem.data(), static_cast<int>(key.pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> pkey(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (pkey == nullptr)
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a PEM public key"));
  switch (EVP_PKEY_get_base_id(pkey.get())) {
    case EVP_PKEY_RSA:
      key.algorithms = {"RS256", "RS384", "RS512"};
      break;
    case EVP_PKEY_EC:
      key.algorithms = {"ES256", "ES384", "ES512"};
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(path, ": only RSA and EC keys are accepted"));
  }
  return key;
}

class InsecureDevAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(const Metadata& md) const override {
    Principal p;
    p.insecure_dev = true;
    p.subject = Header(md, "x-dev-subject").value_or("dev");
    auto role = ParseRole(Header(md, "x-dev-role").value_or("officer"));
    if (!role.ok())
      return absl::UnauthenticatedError(absl::StrCat("x-dev-role: ", role.status().message()));
    p.role = *role;
    const bool satkerless =
        p.role == Role::kSystem || p.role == Role::kVillageFund || p.role == Role::kProvider;
    if (auto s = SetAffiliation(p, Header(md, "x-dev-satker").value_or(satkerless ? "" : "bnn"),
                                Header(md, "x-dev-system").value_or(""),
                                Header(md, "x-dev-org").value_or(""));
        !s.ok()) {
      return absl::UnauthenticatedError(absl::StrCat("x-dev-", s.message()));
    }
    return p;
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Authenticator>> NewJwtAuthenticator(JwtOptions options) {
  if (options.public_key_files.empty()) {
    return absl::InvalidArgumentError("JWT authentication needs at least one public key file");
  }
  if (options.issuer.empty() || options.audience.empty()) {
    return absl::InvalidArgumentError("JWT authentication needs an issuer and an audience");
  }
  if (options.max_lifetime <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("JWT authentication needs a positive maximum lifetime");
  }
  auto keys = LoadKeys(options.public_key_files);
  if (!keys.ok()) return keys.status();
  return std::make_unique<JwtAuthenticator>(std::move(options), *std::move(keys));
}

std::unique_ptr<Authenticator> NewInsecureDevAuthenticator() {
  return std::make_unique<InsecureDevAuthenticator>();
}

}  // namespace ibm::auth
