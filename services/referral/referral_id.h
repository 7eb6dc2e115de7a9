#ifndef KPR_SERVICES_REFERRAL_REFERRAL_ID_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_ID_H_

// Referral ids: "<municipality>-<26 characters>", e.g. "0165-3M5V0Q6Y2ZK4E1N8W9XRTB01JD". The
// municipality prefix routes a call to the right tenant's keys without a global index. The rest
// is 128 bits of a keyed hash of (municipality, source system, external id) in Crockford base32:
// the same submission always gets the same id, so a store retried after a half-done write
// overwrites its own keys instead of leaving a second, orphaned referral behind.

#include <string>

#include "absl/strings/string_view.h"
#include "libs/privacy/pseudonym.h"

namespace kpr::referral {

std::string ReferralIdFor(const privacy::Pseudonymizer& keys, absl::string_view municipality,
                          absl::string_view source_system, absl::string_view external_id);

// The municipality of a well-formed id, or "" if `id` is malformed.
std::string MunicipalityOfReferralId(absl::string_view id);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_ID_H_
