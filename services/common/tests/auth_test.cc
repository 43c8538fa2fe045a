// Caller identity: region codes, the satker scope model, and JWT verification with real keys.

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "auth/authenticator.h"
#include "auth/principal.h"
#include "base/status.h"
#include "domain/region_code.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/token_issuer.h"

namespace ibm::auth {
namespace {

using domain::RegionCode;
using domain::RegionLevel;

RegionCode Code(absl::string_view s) { return *RegionCode::Parse(s); }

TEST(RegionCodeTest, AcceptsEveryLevel) {
  EXPECT_EQ(Code("32").level(), RegionLevel::kProvince);
  EXPECT_EQ(Code("32.73").level(), RegionLevel::kRegency);
  EXPECT_EQ(Code("32.73.04").level(), RegionLevel::kDistrict);
  EXPECT_EQ(Code("33.73.04.1001").level(), RegionLevel::kVillage);
  EXPECT_EQ(Code("33.73.04.1001").Ancestor(RegionLevel::kRegency).str(), "33.73");
}

TEST(RegionCodeTest, RejectsMalformedCodesNamingTheField) {
  for (const char* bad : {"", "3", "320", "32.1", "32.01..2001", "32.01.01.99999", "32.01.01.200",
                          "3a.01", "32.01.01.2001.1", "32-01", " 32", "00", "32.01.01.2001x"}) {
    auto c = RegionCode::Parse(bad, "unit.village_code");
    ASSERT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    auto v = platform::FieldViolationsOf(c.status());
    ASSERT_EQ(v.size(), 1u) << bad;
    EXPECT_EQ(v[0].first, "unit.village_code");
  }
}

TEST(ScopeTest, CentralCoversEverythingProvinceItsOwnRegencyItsOwn) {
  Scope central = *Scope::OfSatker("bnn");
  Scope jabar = *Scope::OfSatker("bnnp-32");
  Scope bandung = *Scope::OfSatker("bnnk-32.04");
  EXPECT_TRUE(central.national());
  EXPECT_TRUE(central.Covers(Code("91.01.01.2001")));
  EXPECT_TRUE(jabar.Covers(Code("32")));
  EXPECT_TRUE(jabar.Covers(Code("32.04.05.2001")));
  EXPECT_FALSE(jabar.Covers(Code("33.04.05.2001")));
  EXPECT_TRUE(bandung.Covers(Code("32.04.05.2001")));
  EXPECT_FALSE(bandung.Covers(Code("32.05.05.2001")));
  EXPECT_FALSE(bandung.Covers(Code("32")));  // a BNNK does not see its whole province
  // Segment-wise, not string prefixes: 32.7 is no prefix of 32.73 here.
  EXPECT_FALSE(Scope::Within(Code("32.07")).Covers(Code("32.73")));
  EXPECT_TRUE(central.Covers(jabar));
  EXPECT_TRUE(jabar.Covers(bandung));
  EXPECT_FALSE(bandung.Covers(jabar));
  EXPECT_FALSE(jabar.Covers(central));
}

TEST(ScopeTest, SatkerIdsMustMatchTheirLevel) {
  for (const char* bad :
       {"", "bnnp-32.04", "bnnk-32", "bnnk-32.04.01", "bnnx-32", "BNN", "bnnp-", "bnnp-3a"}) {
    EXPECT_EQ(Scope::OfSatker(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ScopeTest, RequireScopeAndRoleDenyWithReasons) {
  Principal p{"officer-7", Role::kOfficer, "bnnk-32.04", *Scope::OfSatker("bnnk-32.04")};
  EXPECT_TRUE(RequireScope(p, Code("32.04.01.2001")).ok());
  absl::Status denied = RequireScope(p, Code("32.73.01.1001"));
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(platform::ErrorInfoOf(denied).reason(), "OUT_OF_SCOPE");
  EXPECT_TRUE(RequireRole(p, {Role::kOfficer, Role::kAuditor}).ok());
  EXPECT_EQ(platform::ErrorInfoOf(RequireRole(p, {Role::kAgent})).reason(), "ROLE_NOT_ALLOWED");
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JwtOptions o;
    o.public_key_files = {issuer_.public_key_file()};
    o.issuer = testing::TokenIssuer::kIssuer;
    o.audience = testing::TokenIssuer::kAudience;
    o.clock = [this] { return now_; };
    auto a = NewJwtAuthenticator(o);
    ASSERT_TRUE(a.ok()) << a.status();
    auth_ = *std::move(a);
  }

  absl::StatusOr<Principal> With(const std::string& authorization) {
    std::string key = "authorization";
    Metadata md{{grpc::string_ref(key), grpc::string_ref(authorization)}};
    return auth_->Authenticate(md);
  }
  absl::StatusCode CodeOf(const nlohmann::json& claims, const std::string& alg = "RS256") {
    return With("Bearer " + issuer_.Sign(claims, alg)).status().code();
  }

  testing::TempDir dir_;
  testing::TokenIssuer issuer_{dir_.path()};
  absl::Time now_ = absl::Now();
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(JwtTest, ValidTokenGivesPrincipalWithScope) {
  auto p = With(issuer_.Bearer("officer", "bnnp-32"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject, "officer-1");
  EXPECT_EQ(p->role, Role::kOfficer);
  EXPECT_EQ(p->scope.prefix(), "32");
  EXPECT_FALSE(p->insecure_dev);
  auto claims = issuer_.Claims("auditor", "bnn");
  claims["aud"] = {"other", testing::TokenIssuer::kAudience};
  EXPECT_EQ(CodeOf(claims), absl::StatusCode::kOk);
}

TEST_F(JwtTest, EveryBadTokenIsUnauthenticated) {
  const auto unauth = absl::StatusCode::kUnauthenticated;
  std::string key = "authorization";
  Metadata none;
  EXPECT_EQ(auth_->Authenticate(none).status().code(), unauth);
  EXPECT_EQ(platform::ErrorInfoOf(auth_->Authenticate(none).status()).reason(), "MISSING_TOKEN");
  EXPECT_EQ(With("Basic abc").status().code(), unauth);
  EXPECT_EQ(With("Bearer not.a.jwt").status().code(), unauth);
  EXPECT_EQ(With("Bearer ").status().code(), unauth);

  auto base = issuer_.Claims("officer", "bnnk-32.04");
  auto expired = base;
  expired["exp"] = absl::ToUnixSeconds(now_ - absl::Minutes(5));
  EXPECT_EQ(CodeOf(expired), unauth);
  auto early = base;
  early["nbf"] = absl::ToUnixSeconds(now_ + absl::Minutes(5));
  EXPECT_EQ(CodeOf(early), unauth);
  for (const char* claim : {"exp", "iat", "sub", "role", "satker", "iss", "aud"}) {
    auto missing = base;
    missing.erase(claim);
    EXPECT_EQ(CodeOf(missing), unauth) << claim;
  }
  auto c = base;
  c["iss"] = "https://evil.example";
  EXPECT_EQ(CodeOf(c), unauth);
  c = base;
  c["aud"] = "another-system";
  EXPECT_EQ(CodeOf(c), unauth);
  c = base;
  c["role"] = "superuser";
  EXPECT_EQ(CodeOf(c), unauth);
  c = base;
  c["satker"] = "bnnk-32";  // a BNNK on a province code
  EXPECT_EQ(CodeOf(c), unauth);

  // Times must be whole numbers; a token lives at most a day; it is not issued in the future.
  for (const char* claim : {"exp", "iat", "nbf"}) {
    for (const nlohmann::json& odd : {nlohmann::json("soon"), nlohmann::json(1.5e300),
                                      nlohmann::json(-1), nlohmann::json(nullptr)}) {
      c = base;
      c[claim] = odd;
      EXPECT_EQ(CodeOf(c), unauth) << claim << " = " << odd.dump();
    }
  }
  c = base;
  c["exp"] = absl::ToUnixSeconds(now_ + absl::Hours(24 * 365));  // a year-long token
  EXPECT_EQ(CodeOf(c), unauth);
  EXPECT_THAT(With("Bearer " + issuer_.Sign(c)).status().message(),
              ::testing::HasSubstr("lives longer than the accepted 24h"));
  c = base;
  c["iat"] = absl::ToUnixSeconds(now_ + absl::Minutes(10));
  EXPECT_EQ(CodeOf(c), unauth);
  c = base;
  c["nbf"] = absl::ToUnixSeconds(now_ - absl::Minutes(1));
  EXPECT_EQ(CodeOf(c), absl::StatusCode::kOk);

  // Algorithm confusion: HS256 keyed with the public key, and alg none.
  EXPECT_EQ(CodeOf(base, "HS256"), unauth);
  std::string head, body;
  absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})", &head);
  absl::WebSafeBase64Escape(base.dump(), &body);
  EXPECT_EQ(With("Bearer " + head + "." + body + ".").status().code(), unauth);
  EXPECT_EQ(With("Bearer " + head + "." + body + ".x").status().code(), unauth);

  // A valid token with one claim changed after signing.
  std::string token = issuer_.Sign(base);
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  auto forged = base;
  forged["satker"] = "bnn";
  absl::WebSafeBase64Escape(forged.dump(), &parts[1]);
  EXPECT_EQ(With("Bearer " + absl::StrJoin(parts, ".")).status().code(), unauth);

  // Signed by another key with the same kid.
  testing::TempDir other_dir;
  testing::TokenIssuer other(other_dir.path());
  EXPECT_EQ(With("Bearer " + other.Sign(base)).status().code(), unauth);
}

TEST_F(JwtTest, MissingOrBadKeyFilesFailAtStartUp) {
  JwtOptions o;
  o.issuer = "i";
  o.audience = "a";
  EXPECT_FALSE(NewJwtAuthenticator(o).ok());
  o.public_key_files = {dir_.path() + "/nope.pem"};
  EXPECT_EQ(NewJwtAuthenticator(o).status().code(), absl::StatusCode::kNotFound);
  std::ofstream(dir_.path() + "/garbage.pem") << "not a key";
  o.public_key_files = {dir_.path() + "/garbage.pem"};
  EXPECT_EQ(NewJwtAuthenticator(o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(JwtTest, ReloadPicksUpARotatedKeyAndKeepsTheOldKeysOnError) {
  const std::string base = "Bearer " + issuer_.Sign(issuer_.Claims("officer", "bnnp-32"));
  ASSERT_TRUE(With(base).ok());
  // The identity provider rotates: the same file now holds a new key.
  testing::TempDir other_dir;
  testing::TokenIssuer rotated(other_dir.path());
  const std::string fresh = "Bearer " + rotated.Sign(rotated.Claims("officer", "bnnp-32"));
  EXPECT_FALSE(With(fresh).ok());
  std::ofstream(issuer_.public_key_file()) << rotated.public_key_pem();
  ASSERT_TRUE(auth_->Reload().ok());
  EXPECT_TRUE(With(fresh).ok());
  EXPECT_FALSE(With(base).ok());
  // A broken file on reload: refused, and the keys in use stay.
  std::ofstream(issuer_.public_key_file()) << "not a key";
  EXPECT_EQ(auth_->Reload().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(With(fresh).ok());
}

TEST(InsecureDevAuthTest, BelievesHeadersAndSaysSo) {
  auto auth = NewInsecureDevAuthenticator();
  Metadata empty;
  auto p = auth->Authenticate(empty);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->insecure_dev);
  EXPECT_TRUE(p->scope.national());
  std::string k1 = "x-dev-role", v1 = "agent", k2 = "x-dev-satker", v2 = "bnnk-32.04";
  Metadata md{{grpc::string_ref(k1), grpc::string_ref(v1)},
              {grpc::string_ref(k2), grpc::string_ref(v2)}};
  p = auth->Authenticate(md);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, Role::kAgent);
  EXPECT_EQ(p->scope.prefix(), "32.04");
}

}  // namespace
}  // namespace ibm::auth
