#include "testing/token_issuer.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "base/sealing.h"

namespace ibm::testing {
namespace {

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n);
}

}  // namespace

TokenIssuer::TokenIssuer(const std::string& dir, const std::string& key_id) : key_id_(key_id) {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  if (key == nullptr) std::abort();
  std::unique_ptr<BIO, int (*)(BIO*)> priv(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, int (*)(BIO*)> pub(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub.get(), key.get());
  private_pem_ = BioString(priv.get());
  public_pem_ = BioString(pub.get());
  public_key_file_ = absl::StrCat(dir, "/", key_id, ".pem");
  std::ofstream(public_key_file_) << public_pem_;
}

nlohmann::json TokenIssuer::Claims(const std::string& role, const std::string& satker,
                                   const std::string& subject) const {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  nlohmann::json claims = {{"iss", kIssuer}, {"aud", kAudience}, {"sub", subject},
                           {"role", role},   {"iat", now},       {"exp", now + 3600}};
  if (!satker.empty()) claims["satker"] = satker;  // systems and organisations have none
  return claims;
}

std::string TokenIssuer::Sign(const nlohmann::json& claims, const std::string& alg) const {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> owned(jwt, jwt_free);
  jwt_add_grants_json(jwt, claims.dump().c_str());
  jwt_add_header(jwt, "kid", key_id_.c_str());
  // For HS*, the "secret" is the public key: the classic algorithm-confusion attack.
  const std::string& key = alg.rfind("HS", 0) == 0 ? public_pem_ : private_pem_;
  jwt_set_alg(jwt, jwt_str_alg(alg.c_str()), reinterpret_cast<const unsigned char*>(key.data()),
              static_cast<int>(key.size()));
  char* out = jwt_encode_str(jwt);
  if (out == nullptr) std::abort();
  std::string token(out);
  free(out);
  return token;
}

std::string TokenIssuer::Bearer(const std::string& role, const std::string& satker) const {
  return "Bearer " + Sign(Claims(role, satker));
}

std::string WriteFieldKeyFile(const std::string& dir) {
  const std::string path = dir + "/field-keys";
  std::ofstream(path) << "# test keys\n" << platform::FieldSealer::NewKeyLine("test");
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path;
}

}  // namespace ibm::testing
