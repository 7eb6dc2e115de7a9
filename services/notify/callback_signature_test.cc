#include "services/notify/callback_signature.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"

namespace kpr::notify {
namespace {

constexpr char kSecret[] = "kpr-test-callback-secret";
constexpr char kBody[] = R"({"id":1000001,"status":"DELIVERED","userref":"0165ABC"})";

// HMAC-SHA256 computed here, independently of the code under test.
std::string Independent(const std::string& secret, const std::string& body) {
  unsigned char mac[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  return "sha256=" +
         absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), length));
}

TEST(CallbackSignatureTest, MatchesAnIndependentHmac) {
  EXPECT_EQ(CallbackSignature(kSecret, kBody), Independent(kSecret, kBody));
}

TEST(CallbackSignatureTest, KnownVector) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(CallbackSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(VerifyCallbackSignatureTest, AcceptsTheRightSignatureInEitherCase) {
  std::string header = Independent(kSecret, kBody);
  EXPECT_TRUE(VerifyCallbackSignature(kSecret, kBody, header).ok());
  std::string upper = "sha256=" + absl::AsciiStrToUpper(header.substr(7));
  EXPECT_TRUE(VerifyCallbackSignature(kSecret, kBody, upper).ok());
  EXPECT_TRUE(VerifyCallbackSignature(kSecret, kBody, " " + header + " ").ok());
}

TEST(VerifyCallbackSignatureTest, RefusesMissingWrongAndMalformed) {
  std::string right = Independent(kSecret, kBody);
  std::string flipped = right;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  for (const std::string& header :
       {std::string(""), flipped, Independent("other-secret", kBody),
        Independent(kSecret, std::string(kBody) + " "), right.substr(7), right.substr(0, 70),
        std::string("sha1=") + right.substr(7), right.substr(0, 69) + "zz"}) {
    EXPECT_EQ(VerifyCallbackSignature(kSecret, kBody, header).code(),
              absl::StatusCode::kUnauthenticated)
        << header;
  }
}

TEST(VerifyCallbackSignatureTest, NoSecretFailsClosed) {
  EXPECT_EQ(VerifyCallbackSignature("", kBody, Independent("", kBody)).code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace kpr::notify
