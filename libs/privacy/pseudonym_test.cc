#include "libs/privacy/pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "libs/privacy/data_keys.h"
#include "libs/privacy/sha256.h"

namespace kpr::privacy {
namespace {

std::string MasterKey() {
  std::string key(32, '\0');
  for (int i = 0; i < 32; ++i) key[i] = static_cast<char>(i);
  return key;
}

TEST(PseudonymTest, KnownValues) {
  // Computed independently with Python: hmac.new(pseudonym_key, msg, sha256).hexdigest()[:32].
  Pseudonymizer p(DeriveDataKeys(MasterKey()).pseudonym_key);
  EXPECT_EQ(p.CitizenId("0101", "0101901234"), "bf09d2a66504981f81c4200b67976c6c");
  EXPECT_EQ(p.Keyed("email", "a@example.org"), "3ce578ceba84315ba5da39dab87fdaae");
}

TEST(PseudonymTest, MatchesHmacSha256Prefix) {
  const std::string key = "k";
  Pseudonymizer p(key);
  unsigned char mac[32];
  unsigned int len = 0;
  const std::string msg = "0165:0101901234";
  HMAC(EVP_sha256(), key.data(), key.size(), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &len);
  ASSERT_EQ(len, 32u);
  EXPECT_EQ(p.CitizenId("0165", "0101901234"),
            HexEncode(std::string(reinterpret_cast<char*>(mac), 32)).substr(0, 32));
}

TEST(PseudonymTest, DeterministicAndSeparated) {
  Pseudonymizer p(std::string(32, 'k'));
  const std::string a = p.CitizenId("0101", "0101901234");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a, p.CitizenId("0101", "0101901234"));
  EXPECT_EQ(a, Pseudonymizer(std::string(32, 'k')).CitizenId("0101", "0101901234"));
  EXPECT_NE(a, p.CitizenId("0165", "0101901234"));  // per municipality
  EXPECT_NE(a, p.CitizenId("0101", "0101901235"));  // per person
  EXPECT_NE(a, Pseudonymizer(std::string(32, 'j')).CitizenId("0101", "0101901234"));  // per key
  EXPECT_NE(a, p.Keyed("0101", "0101901234"));  // Keyed never collides with CitizenId
  EXPECT_NE(p.Keyed("email", "x"), p.Keyed("phone", "x"));
  EXPECT_EQ(p.Keyed("email", "x"), p.Keyed("email", "x"));
  EXPECT_EQ(p.Keyed("email", "x").size(), 32u);
}

// The prepared HMAC contexts are reused across calls and threads: every message length (below,
// at and above SHA-256's 64-byte block) still gives HMAC-SHA256, from any thread and any copy.
TEST(PseudonymTest, ReusedContextsMatchOneShotHmac) {
  const std::string key(32, 'q');
  Pseudonymizer p(key);
  auto expected = [&](const std::string& value) {
    const std::string msg = "keyed:d:" + value;
    unsigned char mac[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), key.size(), reinterpret_cast<const unsigned char*>(msg.data()),
         msg.size(), mac, &len);
    return HexEncode(std::string(reinterpret_cast<char*>(mac), 16));
  };
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Pseudonymizer copy = p;
      for (int n = 0; n < 300; ++n) {
        std::string value(static_cast<size_t>((n * 7 + t) % 150), static_cast<char>('a' + t));
        if ((n % 2 ? copy : p).Keyed("d", value) != expected(value)) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace kpr::privacy
