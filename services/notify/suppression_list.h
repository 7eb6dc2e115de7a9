#ifndef KPR_SERVICES_NOTIFY_SUPPRESSION_LIST_H_
#define KPR_SERVICES_NOTIFY_SUPPRESSION_LIST_H_
// The STOP list: numbers that replied STOP or AFMELD get no more SMS, from any municipality (a
// citizen who says stop means it for kpr, not for one program). No number is held in clear: the
// list holds a keyed hash (privacy::Pseudonymizer::Keyed, domain "msisdn") of the normalised
// number, so a copy of Redis does not reveal who opted out.
//
// Key: "kpr:notify:stop", a SET of lower-case hex hashes. Not per municipality, and it says so by
// carrying no "{<m>}" tag; it is one key, so every command is single-slot on Redis Cluster too.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/privacy/pseudonym.h"
#include "libs/store/redis_pool.h"

namespace kpr::notify {

inline constexpr char kSuppressionListKey[] = "kpr:notify:stop";

// The number as digits with its country code ("+45 20 00 00 01", "004520000001", "20000001" and
// 4520000001 all give "4520000001": an 8-digit number is Danish). "" when it is no number.
std::string NormalizeMsisdn(absl::string_view phone);

class SuppressionList {
 public:
  // `pool` must outlive the list. `pseudonym_key`: DataKeys::pseudonym_key.
  SuppressionList(store::RedisPool& pool, std::string pseudonym_key);
  // Puts the number on the list (idempotent). INVALID_ARGUMENT when it is no number.
  absl::Status Suppress(absl::string_view phone);
  // Whether each number is on the list, in order (one SMISMEMBER). A malformed number is not.
  absl::StatusOr<std::vector<bool>> AreSuppressed(const std::vector<std::string>& phones);
  // The hash stored for a number ("" when it is no number), for tests and audits.
  std::string HashOf(absl::string_view phone) const;

 private:
  store::RedisPool& pool_;
  privacy::Pseudonymizer hasher_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SUPPRESSION_LIST_H_
