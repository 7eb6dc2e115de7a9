#include "libs/privacy/data_keys.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libs/privacy/sha256.h"

namespace kpr::privacy {
namespace {

std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

std::string MasterKey() {
  std::string key(32, '\0');
  for (int i = 0; i < 32; ++i) key[i] = static_cast<char>(i);  // 00 01 02 ... 1f
  return key;
}

TEST(HkdfTest, Rfc5869TestCase1) {
  auto okm = HkdfSha256(Unhex("000102030405060708090a0b0c"), std::string(22, '\x0b'),
                        Unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm.ok()) << okm.status();
  EXPECT_EQ(HexEncode(*okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(HkdfTest, Rfc5869TestCase3NoSaltNoInfo) {
  auto okm = HkdfSha256("", std::string(22, '\x0b'), "", 42);
  ASSERT_TRUE(okm.ok()) << okm.status();
  EXPECT_EQ(HexEncode(*okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HkdfTest, RejectsBadArguments) {
  EXPECT_EQ(HkdfSha256("s", "ikm", "i", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HkdfSha256("s", "ikm", "i", 255 * 32 + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HkdfSha256("s", "", "i", 32).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HkdfSha256("s", "ikm", "i", 255 * 32).ok());
}

TEST(DataKeysTest, DerivesKnownKeys) {
  // Expected values computed independently (Python hmac/hashlib HKDF, salt "kpr").
  DataKeys keys = DeriveDataKeys(MasterKey());
  EXPECT_EQ(HexEncode(keys.encryption_key),
            "0fb9b70972962dfa8fffb148d5ca78c7944ac86de56ee1133a38bc21f95a64ba");
  EXPECT_EQ(HexEncode(keys.pseudonym_key),
            "3968dc35b203fb02c5837e539c5ef7d9c30d22bfd0b9c0485b3a217bfd1a14ba");
  EXPECT_EQ(HexEncode(keys.dead_letter_key),
            "b596e5b50615f35d7c8dc73ce61d9542514aca78e6fa2bdac91cda8148d8f53e");
}

TEST(DataKeysTest, DifferentMasterKeysGiveDifferentKeys) {
  std::string other = MasterKey();
  other[31] ^= 1;
  EXPECT_NE(DeriveDataKeys(MasterKey()).encryption_key, DeriveDataKeys(other).encryption_key);
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    char templ[4096];
    std::snprintf(templ, sizeof(templ), "%s/kpr_key_XXXXXX", tmp ? tmp : "/tmp");
    int fd = mkstemp(templ);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = templ;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void Write(const std::string& content) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
  }
  std::string path_;
};

TEST_F(KeyFileTest, LoadsExactly32Bytes) {
  Write(MasterKey());
  auto keys = LoadDataKeysFromFile(path_);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->encryption_key, DeriveDataKeys(MasterKey()).encryption_key);
  EXPECT_EQ(keys->pseudonym_key.size(), 32u);
}

TEST_F(KeyFileTest, RejectsWrongSizesWithoutShowingContent) {
  // A 32-character hex/base64 text is a common mistake: it has the wrong size too.
  for (const std::string& content :
       {std::string(), std::string(31, 'S'), std::string(33, 'S'), MasterKey() + "\n",
        std::string("SECRETSECRETSECRETSECRETSECRETSECRET")}) {
    Write(content);
    auto keys = LoadDataKeysFromFile(path_);
    ASSERT_EQ(keys.status().code(), absl::StatusCode::kFailedPrecondition) << content.size();
    const std::string message(keys.status().message());
    EXPECT_NE(message.find(path_), std::string::npos) << message;
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
    EXPECT_EQ(message.find("SSS"), std::string::npos) << message;
  }
}

TEST_F(KeyFileTest, MissingFileNamesThePath) {
  const std::string missing = path_ + ".missing";
  auto keys = LoadDataKeysFromFile(missing);
  ASSERT_EQ(keys.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(keys.status().message()).find(missing), std::string::npos);
}

}  // namespace
}  // namespace kpr::privacy
