#include "libs/rpc/jwt.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::rpc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::string_view kSecret = "0123456789abcdef0123456789abcdef";

Claims SampleClaims() {
  Claims claims;
  claims.subject = "user-17 \"quoted\" \\ \n æøå";
  claims.role = Role::kCoordinator;
  claims.municipalities = {"0101", "0165"};
  claims.issued_at = absl::FromUnixSeconds(1'900'000'000) - absl::Hours(1);
  claims.expires_at = absl::FromUnixSeconds(1'900'000'000) + absl::Hours(1);
  return claims;
}

const absl::Time kBeforeExpiry = absl::FromUnixSeconds(1'900'000'000);

std::vector<std::string> Parts(const std::string& token) { return absl::StrSplit(token, '.'); }

TEST(JwtTest, RoundTrip) {
  const Claims claims = SampleClaims();
  const std::string token = SignJwt(claims, kSecret);
  ASSERT_EQ(Parts(token).size(), 3u);
  JwtVerifier verifier{std::string(kSecret)};
  absl::StatusOr<Claims> got = verifier.Verify(token, kBeforeExpiry);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->subject, claims.subject);
  EXPECT_EQ(got->role, Role::kCoordinator);
  EXPECT_THAT(got->municipalities, ElementsAre("0101", "0165"));
  EXPECT_EQ(got->expires_at, claims.expires_at);
  EXPECT_TRUE(got->HasMunicipality("0165"));
  EXPECT_FALSE(got->HasMunicipality("0147"));
}

TEST(JwtTest, CachedTokensStillExpireAndForgeriesNeverHitTheCache) {
  JwtVerifier verifier{std::string(kSecret)};
  Claims claims = SampleClaims();
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  claims.issued_at = now - absl::Minutes(1);
  claims.expires_at = now + absl::Minutes(5);
  const std::string token = SignJwt(claims, kSecret);
  ASSERT_TRUE(verifier.Verify(token, now).ok());
  ASSERT_TRUE(verifier.Verify(token, now + absl::Minutes(1)).ok());  // from the cache
  EXPECT_EQ(verifier.Verify(token, now + absl::Minutes(6)).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Same header and payload, another signature: a different cache key, so checked and refused.
  std::string forged = token.substr(0, token.rfind('.') + 1) + "AAAA";
  EXPECT_EQ(verifier.Verify(forged, now).status().code(), absl::StatusCode::kUnauthenticated);
  // A verifier with another secret has its own cache.
  EXPECT_FALSE(JwtVerifier("another secret").Verify(token, now).ok());
}

// A token without exp would be good for ever once leaked.
TEST(JwtTest, NoExpiryIsRefused) {
  Claims claims = SampleClaims();
  claims.expires_at = absl::InfiniteFuture();
  const std::string token = SignJwt(claims, kSecret);
  EXPECT_FALSE(absl::StrContains(*Base64UrlDecode(Parts(token)[1]), "exp"));
  absl::StatusOr<Claims> got = JwtVerifier(std::string(kSecret)).Verify(token, kBeforeExpiry);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(got.status().message(), HasSubstr("exp"));
}

TEST(JwtTest, LifetimeAboveTheRoleCapIsRefused) {
  const absl::Time now = kBeforeExpiry;
  JwtVerifier verifier{std::string(kSecret)};
  auto verify = [&](Role role, absl::Time iat, absl::Time exp) {
    Claims claims = SampleClaims();
    claims.role = role;
    claims.issued_at = iat;
    claims.expires_at = exp;
    return verifier.Verify(SignJwt(claims, kSecret), now).status();
  };
  // People: 12 hours from iat.
  EXPECT_TRUE(verify(Role::kCoordinator, now - absl::Hours(1), now + absl::Hours(11)).ok());
  absl::Status too_long =
      verify(Role::kCoordinator, now - absl::Hours(1), now + absl::Hours(11) + absl::Seconds(1));
  EXPECT_EQ(too_long.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(too_long.message(), HasSubstr("lifetime"));
  // Services: 1 hour.
  EXPECT_TRUE(verify(Role::kService, now, now + absl::Hours(1)).ok());
  EXPECT_EQ(verify(Role::kService, now, now + absl::Hours(2)).code(),
            absl::StatusCode::kUnauthenticated);
  // Without iat the lifetime is counted from now.
  EXPECT_TRUE(verify(Role::kAnalyst, absl::InfinitePast(), now + absl::Hours(12)).ok());
  EXPECT_EQ(verify(Role::kAnalyst, absl::InfinitePast(), now + absl::Hours(13)).code(),
            absl::StatusCode::kUnauthenticated);
  // An iat in the future (beyond a minute's clock skew) is refused.
  EXPECT_EQ(verify(Role::kAnalyst, now + absl::Minutes(5), now + absl::Hours(1)).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(JwtTest, LifetimeCapsAreConfigurable) {
  const absl::Time now = kBeforeExpiry;
  Claims claims = SampleClaims();
  claims.issued_at = now;
  claims.expires_at = now + absl::Hours(2);
  const std::string token = SignJwt(claims, kSecret);
  EXPECT_TRUE(
      JwtVerifier(std::string(kSecret), {absl::Hours(3), absl::Hours(1)}).Verify(token, now).ok());
  EXPECT_FALSE(
      JwtVerifier(std::string(kSecret), {absl::Hours(1), absl::Hours(1)}).Verify(token, now).ok());
}

TEST(JwtTest, TamperedPayloadIsRejected) {
  const std::string token = SignJwt(SampleClaims(), kSecret);
  std::vector<std::string> parts = Parts(token);
  std::string payload = *Base64UrlDecode(parts[1]);
  // Same shape, more power.
  absl::StrReplaceAll({{"coordinator", "admin"}}, &payload);
  ASSERT_TRUE(absl::StrContains(payload, "admin"));
  const std::string forged = absl::StrCat(parts[0], ".", Base64UrlEncode(payload), ".", parts[2]);
  absl::StatusOr<Claims> got = JwtVerifier(std::string(kSecret)).Verify(forged, kBeforeExpiry);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(got.status().message(), HasSubstr("signature"));
}

TEST(JwtTest, TamperedSignatureIsRejected) {
  std::string token = SignJwt(SampleClaims(), kSecret);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(JwtVerifier(std::string(kSecret)).Verify(token, kBeforeExpiry).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(JwtTest, WrongSecretIsRejected) {
  const std::string token = SignJwt(SampleClaims(), "another secret");
  absl::StatusOr<Claims> got = JwtVerifier(std::string(kSecret)).Verify(token, kBeforeExpiry);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(got.status().message(), HasSubstr("signature"));
}

TEST(JwtTest, AlgNoneIsRejected) {
  const std::string payload = *Base64UrlDecode(Parts(SignJwt(SampleClaims(), kSecret))[1]);
  for (absl::string_view header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})", R"({"typ":"JWT"})",
        R"({"alg":"HS512"})", R"({"alg":"RS256"})"}) {
    const std::string unsigned_token =
        absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload), ".");
    absl::StatusOr<Claims> got =
        JwtVerifier(std::string(kSecret)).Verify(unsigned_token, kBeforeExpiry);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated) << header;
    // Even with a (valid-for-HS256) signature attached, a non-HS256 header fails on alg.
    const std::string signed_token =
        absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload), ".",
                     Parts(SignJwt(SampleClaims(), kSecret))[2]);
    got = JwtVerifier(std::string(kSecret)).Verify(signed_token, kBeforeExpiry);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(got.status().message(), HasSubstr("alg")) << header;
  }
}

TEST(JwtTest, ExpiredIsRejected) {
  const Claims claims = SampleClaims();
  const std::string token = SignJwt(claims, kSecret);
  JwtVerifier verifier{std::string(kSecret)};
  EXPECT_TRUE(verifier.Verify(token, claims.expires_at - absl::Seconds(1)).ok());
  for (absl::Time now : {claims.expires_at, claims.expires_at + absl::Hours(1)}) {
    absl::StatusOr<Claims> got = verifier.Verify(token, now);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(got.status().message(), HasSubstr("expired"));
  }
}

TEST(JwtTest, BadMunicipalityCodeIsRejected) {
  JwtVerifier verifier{std::string(kSecret)};
  for (const char* bad : {"165", "01655", "01a5", "", " 165"}) {
    Claims claims = SampleClaims();
    claims.municipalities = {"0101", bad};
    absl::StatusOr<Claims> got = verifier.Verify(SignJwt(claims, kSecret), kBeforeExpiry);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated) << bad;
    EXPECT_THAT(got.status().message(), HasSubstr("municipalities")) << bad;
  }
}

TEST(JwtTest, MissingOrUnknownRoleIsRejected) {
  JwtVerifier verifier{std::string(kSecret)};
  Claims claims = SampleClaims();
  claims.role = Role::kUnknown;  // SignJwt writes "unknown", which is not a role
  absl::StatusOr<Claims> got = verifier.Verify(SignJwt(claims, kSecret), kBeforeExpiry);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(got.status().message(), HasSubstr("role"));
}

TEST(JwtTest, MissingSubjectIsRejected) {
  Claims claims = SampleClaims();
  claims.subject = "";
  absl::StatusOr<Claims> got =
      JwtVerifier(std::string(kSecret)).Verify(SignJwt(claims, kSecret), kBeforeExpiry);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(got.status().message(), HasSubstr("sub"));
}

TEST(JwtTest, MalformedTokensAreRejected) {
  JwtVerifier verifier{std::string(kSecret)};
  const std::string good = SignJwt(SampleClaims(), kSecret);
  for (const std::string& bad :
       {std::string(""), std::string("abc"), std::string("a.b"), absl::StrCat(good, ".x"),
        absl::StrCat(good, "="), absl::StrCat("!", good), std::string("..")}) {
    EXPECT_EQ(verifier.Verify(bad, kBeforeExpiry).status().code(),
              absl::StatusCode::kUnauthenticated)
        << bad;
  }
}

TEST(JwtTest, EmptySecretVerifiesNothing) {
  const std::string token = SignJwt(SampleClaims(), "");
  EXPECT_EQ(JwtVerifier("").Verify(token, kBeforeExpiry).status().code(),
            absl::StatusCode::kUnauthenticated);
}

// jwt.io's classic example, signed by a third party with "your-256-bit-secret".
constexpr absl::string_view kJwtIoToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

TEST(JwtTest, ThirdPartyVectorSignatureVerifies) {
  EXPECT_TRUE(VerifyJwtSignature(kJwtIoToken, "your-256-bit-secret").ok());
  EXPECT_EQ(VerifyJwtSignature(kJwtIoToken, "your-256-bit-secreT").code(),
            absl::StatusCode::kUnauthenticated);
  // Signature passes; the claims lack an exp (and a role).
  absl::StatusOr<Claims> got = JwtVerifier("your-256-bit-secret").Verify(kJwtIoToken);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(got.status().message(), HasSubstr("no exp"));
}

// Signed independently with Python's hmac (header keys in another order, an extra "iat").
TEST(JwtTest, IndependentlySignedTokenVerifies) {
  constexpr absl::string_view kToken =
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."
      "eyJzdWIiOiJzdmMtcmVmZXJyYWwiLCJyb2xlIjoic2VydmljZSIsIm11bmljaXBhbGl0aWVzIjpbIjAxMDEiLCIw"
      "MTY1Il0sImV4cCI6NDEwMjQ0NDgwMCwiaWF0IjoxNzAwMDAwMDAwfQ."
      "jk_uP9bfJ_b_RXAbjVqyUwv0uxLZOt1Y6WWf0qlh9Bs";
  // Its exp lies 76 years after its iat: the signature is good, the lifetime is not.
  EXPECT_TRUE(VerifyJwtSignature(kToken, "kpr-test-secret").ok());
  EXPECT_THAT(JwtVerifier("kpr-test-secret").Verify(kToken).status().message(),
              HasSubstr("lifetime"));
  const absl::Duration forever = absl::Hours(24 * 365 * 100);
  absl::StatusOr<Claims> got = JwtVerifier("kpr-test-secret", {forever, forever}).Verify(kToken);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->subject, "svc-referral");
  EXPECT_EQ(got->role, Role::kService);
  EXPECT_THAT(got->municipalities, ElementsAre("0101", "0165"));
  EXPECT_EQ(got->expires_at, absl::FromUnixSeconds(4102444800));
}

TEST(Base64UrlTest, RoundTripAndStrictness) {
  for (absl::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe?>"}) {
    absl::StatusOr<std::string> back = Base64UrlDecode(Base64UrlEncode(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("Zg==").ok());  // padding
  EXPECT_FALSE(Base64UrlDecode("Z+8").ok());   // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());    // non-canonical trailing bits
  EXPECT_FALSE(Base64UrlDecode("Z").ok());     // impossible length
}

}  // namespace
}  // namespace kpr::rpc
