#ifndef KPR_SERVICES_NOTIFY_CONTACT_MASK_H_
#define KPR_SERVICES_NOTIFY_CONTACT_MASK_H_

// Contact points as a delivery record shows them: enough for a coordinator to tell which number
// or address a message went to ("+45 ** ** 12 34", "b***@example.invalid"), not enough to
// contact the citizen. Notify keeps phone numbers and e-mail addresses in no other form. The
// input is never echoed: what cannot be read as a number or an address masks to "***". Pure.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace kpr::notify {

inline constexpr absl::string_view kUnreadableContact = "***";

// A phone number read the one way notify reads them all (masking it, or hashing it for the STOP
// list): its digits, 6 to 15 of them, with the country code when one was given as "+" or "00"
// (dropped from `digits`, which then start with it), and "45" put in front of 8 digits without
// one (a Danish number). Spaces, dashes, dots and parentheses between digits are allowed.
struct PhoneDigits {
  std::string digits;          // "4520001234"
  bool international = false;  // written with "+" or "00"
};
// nullopt for anything else.
std::optional<PhoneDigits> ReadPhone(absl::string_view phone);

// A Danish number (8 digits, with or without +45 or 0045, spaces, dashes, dots or parentheses)
// as "+45 ** ** 12 34". Another country's as "+", a star for each digit but the last four, and
// those as "12 34"; a number without a country code the same without "+".
std::string MaskPhone(absl::string_view phone);

// The first character of the local part, "***", and the domain in lower case.
std::string MaskEmail(absl::string_view email);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_CONTACT_MASK_H_
