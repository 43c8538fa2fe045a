#include "base/sealing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/crypto.h"

namespace ibm::platform {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;

bool ValidKeyId(absl::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

absl::Status CheckKeyFileAccess(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read key file ", path));
  }
  if ((st.st_mode & S_IRWXO) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("key file ", path, " is accessible to other users (mode ",
                     absl::StrFormat("%04o", st.st_mode & 07777), "); chmod 600 it"));
  }
  // Group access only for the service's own group (a Kubernetes Secret mounted 0440 with
  // the pod's fsGroup); any other group would be another set of people who can read it.
  if ((st.st_mode & S_IRWXG) != 0) {
    bool own_group = st.st_gid == ::getegid();
    std::vector<gid_t> groups(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
    if (!groups.empty())
      groups.resize(static_cast<size_t>(
          std::max(::getgroups(static_cast<int>(groups.size()), groups.data()), 0)));
    for (gid_t g : groups) own_group = own_group || g == st.st_gid;
    if (!own_group) {
      return absl::InvalidArgumentError(
          absl::StrCat("key file ", path, " is accessible to group ", st.st_gid,
                       ", which this service does not run in; chmod 600 it"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const FieldSealer>> FieldSealer::FromKeyFile(
    const std::string& path) {
  if (auto access = CheckKeyFileAccess(path); !access.ok()) return access;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read key file ", path));
  std::stringstream text;
  text << in.rdbuf();
  std::string contents = text.str();
  auto sealer = FromKeyText(contents, path);
  OPENSSL_cleanse(contents.data(), contents.size());
  return sealer;
}

absl::StatusOr<std::shared_ptr<const FieldSealer>> FieldSealer::FromKeyText(
    absl::string_view text, absl::string_view origin) {
  auto sealer = std::make_shared<FieldSealer>();
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const std::string where = absl::StrCat(origin, ":", line_number);
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": expected '<key id> <32 bytes in base64>'"));
    }
    if (!ValidKeyId(parts[0])) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": a key id is 1-32 letters, digits, '-' or '_'"));
    }
    std::string key;
    if (!absl::Base64Unescape(parts[1], &key) || key.size() != kKeyBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": the key must be exactly 32 bytes, base64-encoded"));
    }
    if (!sealer->keys_.emplace(std::string(parts[0]), std::move(key)).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": key id ", parts[0], " repeats"));
    }
    if (sealer->sealing_key_id_.empty()) sealer->sealing_key_id_ = std::string(parts[0]);
  }
  if (sealer->keys_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": no keys"));
  }
  return std::shared_ptr<const FieldSealer>(std::move(sealer));
}

std::string FieldSealer::NewKeyLine(absl::string_view key_id) {
  std::string key = RandomBytes(kKeyBytes);
  std::string line = absl::StrCat(key_id, " ", absl::Base64Escape(key), "\n");
  OPENSSL_cleanse(key.data(), key.size());
  return line;
}

std::string FieldSealer::Seal(absl::string_view plaintext, absl::string_view context) const {
  const std::string& key = keys_.find(sealing_key_id_)->second;
  std::string out = RandomBytes(kNonceBytes);
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* cipher_text = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0, total = 0;
  // AES-GCM with a fresh 96-bit random nonce per value; failures here are programming or
  // library errors, never input errors.
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(out)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, Bytes(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), cipher_text, &n, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      (total = n, EVP_EncryptFinal_ex(ctx.get(), cipher_text + total, &n) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher_text + total + n) !=
          1) {
    std::abort();
  }
  return absl::StrCat(sealing_key_id_, ":", absl::Base64Escape(out));
}

absl::StatusOr<std::string> FieldSealer::Open(absl::string_view sealed,
                                              absl::string_view context) const {
  const size_t colon = sealed.find(':');
  if (colon == absl::string_view::npos) {
    return absl::DataLossError("a sealed value is malformed (no key id)");
  }
  const absl::string_view key_id = sealed.substr(0, colon);
  auto key = keys_.find(key_id);
  if (key == keys_.end()) {
    return absl::DataLossError(absl::StrCat("a value is sealed with key ", key_id,
                                            ", which is not in the configured key file"));
  }
  std::string raw;
  if (!absl::Base64Unescape(sealed.substr(colon + 1), &raw) ||
      raw.size() < static_cast<size_t>(kNonceBytes + kTagBytes)) {
    return absl::DataLossError("a sealed value is malformed");
  }
  const size_t length = raw.size() - kNonceBytes - kTagBytes;
  std::string plain(length, '\0');
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0;
  std::string tag = raw.substr(kNonceBytes + length);
  bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key->second), Bytes(raw)) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, Bytes(context), static_cast<int>(context.size())) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n,
                        Bytes(raw) + kNonceBytes, static_cast<int>(length)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n, &n) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return absl::DataLossError(
        "a sealed value does not open: it was altered or belongs to another record");
  }
  return plain;
}

absl::StatusOr<std::string> FieldSealer::DerivedKey(absl::string_view key_id,
                                                    absl::string_view purpose) const {
  auto it = keys_.find(key_id);
  if (it == keys_.end()) {
    return absl::NotFoundError(absl::StrCat("key ", key_id, " is not in the key file"));
  }
  return HmacSha256(it->second, absl::StrCat("ibm-derived-key|", purpose));
}

}  // namespace ibm::platform
