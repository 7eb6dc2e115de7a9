#ifndef KPR_LIBS_IDENTITY_MUNICIPALITY_H_
#define KPR_LIBS_IDENTITY_MUNICIPALITY_H_

// Municipalities are kpr's tenants. A municipality is named by its Danish municipality number,
// four digits zero-padded ("0165" is Albertslund), and every id kpr hands out for a citizen's
// referral starts with it ("0165-7GYQN1..."), so a call or an event can be checked against the
// tenant it claims without a lookup.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kpr::identity {

// Exactly four ASCII digits.
bool IsMunicipalityCode(absl::string_view code);

// OK for a municipality code; otherwise INVALID_ARGUMENT "<field>: must be a four-digit
// municipality code, e.g. 0165" (never echoing the value).
absl::Status CheckMunicipality(absl::string_view field, absl::string_view code);

// The municipality an id of the form "<municipality>-<rest>" belongs to (a referral id, say), or
// "" if it does not start with a municipality code and a '-' followed by something.
std::string MunicipalityOfId(absl::string_view id);

}  // namespace kpr::identity

#endif  // KPR_LIBS_IDENTITY_MUNICIPALITY_H_
