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

namespace kpr::rpc {

enum class Role { kUnknown, kCaseworker, kCoordinator, kInstructor, kAnalyst, kAdmin, kService };

// "caseworker", "coordinator", "instructor", "analyst", "admin", "service"; "unknown" for
// kUnknown.
absl::string_view RoleName(Role role);
// Exact lower-case names only; anything else is kUnknown.
Role ParseRole(absl::string_view name);

struct Claims {
  std::string subject;                             // "sub"
  Role role = Role::kUnknown;                      // "role"
  std::vector<std::string> municipalities;         // "municipalities": four-digit codes
  absl::Time expires_at = absl::InfiniteFuture();  // "exp"

  bool HasMunicipality(absl::string_view municipality) const;
};

// Checks the token's shape (three base64url parts), that its header says alg "HS256", and its
// HMAC-SHA256 signature (constant-time). Does not look at the claims. UNAUTHENTICATED on any
// failure.
absl::Status VerifyJwtSignature(absl::string_view token, absl::string_view secret);

class JwtVerifier {
 public:
  explicit JwtVerifier(std::string secret);

  // UNAUTHENTICATED on: malformed token, alg other than HS256 (including "none"), bad
  // signature, exp <= now, nbf > now, missing/empty sub, missing or unknown role, or
  // municipalities that are not an array of four-digit strings. A missing "municipalities"
  // claim means none.
  // Verified tokens are cached (by the whole token, signature included) until they expire, so a
  // dashboard's repeated calls skip the HMAC and the JSON parse.
  absl::StatusOr<Claims> Verify(absl::string_view token, absl::Time now = absl::Now()) const;

 private:
  absl::StatusOr<Claims> VerifyUncached(absl::string_view token, absl::Time now) const;

  static constexpr size_t kMaxCachedTokens = 4096;
  std::string secret_;
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, Claims> cache_ ABSL_GUARDED_BY(cache_mu_);
};

// Signs claims as an HS256 JWT (for kprctl dev tokens and tests). "exp" is included only when
// expires_at is finite (whole seconds, rounded down).
std::string SignJwt(const Claims& claims, absl::string_view secret);

// Unpadded base64url, as JWT uses.
std::string Base64UrlEncode(absl::string_view data);
// Rejects padding and characters outside the base64url alphabet.
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view encoded);

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_JWT_H_
