// Field encryption at rest: AES-256-GCM values bound to their context, key files and
// rotation, and every way a sealed value can be damaged.
#include "base/sealing.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ibm::platform {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::shared_ptr<const FieldSealer> Keys(const std::string& text) {
  auto sealer = FieldSealer::FromKeyText(text, "keys");
  EXPECT_TRUE(sealer.ok()) << sealer.status();
  return sealer.ok() ? *sealer : nullptr;
}

TEST(FieldSealer, SealsWithTheFirstKeyAndOpensOnlyInItsContext) {
  auto sealer = Keys("# comment\n\nk2 " + FieldSealer::NewKeyLine("x").substr(2) +
                     FieldSealer::NewKeyLine("k1"));
  ASSERT_NE(sealer, nullptr);
  EXPECT_EQ(sealer->sealing_key_id(), "k2");
  const std::string sealed = sealer->Seal("+62 812-3456-7890", "agents/a1");
  EXPECT_THAT(sealed, StartsWith("k2:"));
  EXPECT_THAT(sealed, Not(HasSubstr("3456")));
  EXPECT_NE(sealed, sealer->Seal("+62 812-3456-7890", "agents/a1"));  // a fresh nonce each time
  EXPECT_EQ(*sealer->Open(sealed, "agents/a1"), "+62 812-3456-7890");
  EXPECT_EQ(sealer->Open(sealed, "agents/a2").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(*sealer->Open(sealer->Seal("", "c"), "c"), "");  // empty values round-trip too
}

TEST(FieldSealer, AnyAlteredByteIsDataLossWithoutTheValue) {
  auto sealer = Keys(FieldSealer::NewKeyLine("k1"));
  ASSERT_NE(sealer, nullptr);
  const std::string sealed = sealer->Seal("Jl. Merdeka No. 17", "ctx");
  std::string raw;
  ASSERT_TRUE(absl::Base64Unescape(sealed.substr(3), &raw));
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string bad = raw;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto opened = sealer->Open("k1:" + absl::Base64Escape(bad), "ctx");
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << "byte " << i;
    EXPECT_THAT(opened.status().message(), Not(HasSubstr("Merdeka")));
  }
  EXPECT_EQ(sealer->Open("k1:" + absl::Base64Escape(raw.substr(0, 27)), "ctx").status().code(),
            absl::StatusCode::kDataLoss);  // shorter than nonce + tag
  EXPECT_EQ(sealer->Open("no key id", "ctx").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(sealer->Open("k1:%%%", "ctx").status().code(), absl::StatusCode::kDataLoss);
  auto unknown = sealer->Open("k9:" + sealed.substr(3), "ctx");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(unknown.status().message(), HasSubstr("sealed with key k9"));
}

TEST(FieldSealer, RotationOpensOldValuesAndSealsNewOnesWithTheNewKey) {
  const std::string old_key = FieldSealer::NewKeyLine("2026a");
  auto before = Keys(old_key);
  auto after = Keys(FieldSealer::NewKeyLine("2026b") + old_key);
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  const std::string old_value = before->Seal("v", "c");
  EXPECT_EQ(*after->Open(old_value, "c"), "v");
  const std::string new_value = after->Seal("v", "c");
  EXPECT_THAT(new_value, StartsWith("2026b:"));
  EXPECT_EQ(before->Open(new_value, "c").status().code(), absl::StatusCode::kDataLoss);
}

TEST(FieldSealer, MalformedKeyFilesNameTheLineAndNeverTheKey) {
  const std::string short_key = absl::Base64Escape("sixteen byte key");
  struct Case {
    std::string text, says;
  };
  for (const Case& c : std::vector<Case>{
           {"", "keys: no keys"},
           {"# only a comment\n", "keys: no keys"},
           {"k1\n", "keys:1: expected '<key id> <32 bytes in base64>'"},
           {"\nk1 " + short_key + "\n", "keys:2: the key must be exactly 32 bytes"},
           {"k1 not-base64!\n", "keys:1: the key must be exactly 32 bytes"},
           {"bad/id " + FieldSealer::NewKeyLine("x").substr(2), "keys:1: a key id is 1-32"},
           {FieldSealer::NewKeyLine("k1") + FieldSealer::NewKeyLine("k1"),
            "keys:2: key id k1 repeats"},
       }) {
    auto sealer = FieldSealer::FromKeyText(c.text, "keys");
    ASSERT_FALSE(sealer.ok()) << c.text;
    EXPECT_EQ(sealer.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(sealer.status().message(), HasSubstr(c.says));
    EXPECT_THAT(sealer.status().message(), Not(HasSubstr(short_key)));
  }
  EXPECT_THAT(FieldSealer::FromKeyFile("/nonexistent/keys").status().message(),
              HasSubstr("cannot read key file /nonexistent/keys"));
}

}  // namespace
}  // namespace ibm::platform
