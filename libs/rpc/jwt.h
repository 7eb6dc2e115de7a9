#ifndef KPR_LIBS_RPC_JWT_H_
#define KPR_LIBS_RPC_JWT_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/identity/claims.h"

namespace kpr::rpc {

using identity::Claims;
using identity::Role;

// Checks the token's shape (three base64url parts), that its header says alg "HS256", and its
// HMAC-SHA256 signature (constant-time). Does not look at the claims. UNAUTHENTICATED on any
// failure.
absl::Status VerifyJwtSignature(absl::string_view token, absl::string_view secret);

// How long a token may live, by who holds it. A token's lifetime is exp - iat, or exp - now when
// it has no iat; a longer one is refused, so a leaked token is useful for hours, not for ever.
struct TokenLifetimes {
  absl::Duration person = absl::Hours(12);  // every role but service
  absl::Duration service = absl::Hours(1);  // role service
  absl::Duration For(Role role) const { return role == Role::kService ? service : person; }
};

class JwtVerifier {
 public:
  explicit JwtVerifier(std::string secret, TokenLifetimes lifetimes = {});

  // UNAUTHENTICATED on: malformed token, alg other than HS256 (including "none"), bad
  // signature, no exp, exp <= now, a lifetime above the role's cap (TokenLifetimes), iat in the
  // future, nbf > now, missing/empty sub, missing or unknown role, or municipalities that are
  // not an array of four-digit strings. A missing "municipalities" claim means none.
  // Verified tokens are cached (by the whole token, signature included) until they expire, so a
  // dashboard's repeated calls skip the HMAC and the JSON parse.
  absl::StatusOr<Claims> Verify(absl::string_view token, absl::Time now = absl::Now()) const;

 private:
  absl::StatusOr<Claims> VerifyUncached(absl::string_view token, absl::Time now) const;

  static constexpr size_t kMaxCachedTokens = 4096;
  std::string secret_;
  TokenLifetimes lifetimes_;
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, Claims> cache_ ABSL_GUARDED_BY(cache_mu_);
};

// Signs claims as an HS256 JWT (for kprctl tokens and tests). "iat" and "exp" are included when
// issued_at / expires_at are finite (whole seconds, rounded down); without "exp" no verifier
// accepts the token.
std::string SignJwt(const Claims& claims, absl::string_view secret);

// Unpadded base64url, as JWT uses.
std::string Base64UrlEncode(absl::string_view data);
// Rejects padding and characters outside the base64url alphabet.
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view encoded);

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_JWT_H_
