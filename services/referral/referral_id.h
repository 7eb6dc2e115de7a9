#ifndef KPR_SERVICES_REFERRAL_REFERRAL_ID_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_ID_H_

// Referral ids: "<municipality>-<ULID>", e.g. "0165-01JD3M5V0Q6Y2ZK4E1N8W9XRTB". The municipality
// prefix routes a GetReferral to the right tenant's keys without a global index; the ULID (48-bit
// milliseconds + 80 random bits, Crockford base32) sorts by creation time.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::referral {

std::string NewReferralId(absl::string_view municipality, absl::Time now);

// The municipality of a well-formed id, or "" if `id` is malformed.
std::string MunicipalityOfReferralId(absl::string_view id);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_ID_H_
