#ifndef KPR_LIBS_PRIVACY_CPR_H_
#define KPR_LIBS_PRIVACY_CPR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace kpr::privacy {

// Danish CPR numbers (DDMMYY-SSSS). Validity is the date plus the century rule, never
// modulus 11: since 2007 valid numbers may fail it. Error messages never contain the number.

// Accepts "DDMMYYSSSS" or "DDMMYY-SSSS" (surrounding whitespace trimmed) and returns the 10
// digits. INVALID_ARGUMENT for a wrong shape or a date that does not exist.
absl::StatusOr<std::string> NormalizeCpr(absl::string_view cpr);

// The birth date: YY and the first serial digit give the century
//   0-3: 1900+YY;  4, 9: YY<=36 ? 2000+YY : 1900+YY;  5-8: YY<=57 ? 2000+YY : 1800+YY.
// Same input forms and errors as NormalizeCpr.
absl::StatusOr<absl::CivilDay> CprBirthDate(absl::string_view cpr);

}  // namespace kpr::privacy

#endif  // KPR_LIBS_PRIVACY_CPR_H_
