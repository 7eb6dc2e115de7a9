#ifndef KPR_TOOLS_KPRCTL_SHORT_ENUM_H_
#define KPR_TOOLS_KPRCTL_SHORT_ENUM_H_

// Protobuf enum values as kprctl's users type and read them: lower case, without the type's
// prefix ("under_review" for REFERRAL_STATUS_UNDER_REVIEW). The proto enum is the only list of
// names, so a value added to the contract is known here as soon as kprctl is rebuilt. Pure.

#include <algorithm>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace kpr::kprctl {

// The value named by its short name ("under_review", also "under-review" as options are
// written), or its full name ("REFERRAL_STATUS_UNDER_REVIEW"), in any case and with blanks
// around it. nullopt for an unknown name and for the UNSPECIFIED (zero) value. `parse` is the
// generated <Enum>_Parse.
template <typename Enum, typename ParseFn>
std::optional<Enum> ParseShortEnum(absl::string_view value, ParseFn parse,
                                   absl::string_view prefix) {
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
  if (upper.empty()) return std::nullopt;
  std::replace(upper.begin(), upper.end(), '-', '_');
  if (!absl::StartsWith(upper, prefix)) upper = absl::StrCat(prefix, upper);
  Enum e;
  if (!parse(upper, &e) || static_cast<int>(e) == 0) return std::nullopt;
  return e;
}

// ParseShortEnum, or INVALID_ARGUMENT "unknown <what> '<value>'".
template <typename Enum, typename ParseFn>
absl::StatusOr<Enum> ParseEnumArg(absl::string_view value, ParseFn parse, absl::string_view prefix,
                                  absl::string_view what) {
  std::optional<Enum> e = ParseShortEnum<Enum>(value, parse, prefix);
  if (!e) return absl::InvalidArgumentError(absl::StrCat("unknown ", what, " '", value, "'"));
  return *e;
}

// "REFERRAL_STATUS_UNDER_REVIEW" -> "under_review": `full_name` as the generated <Enum>_Name
// returns it; "unknown" for "" (a number this build of kprctl has no name for).
inline std::string ShortEnumName(absl::string_view full_name, absl::string_view prefix) {
  if (full_name.empty()) return "unknown";
  return absl::AsciiStrToLower(absl::StripPrefix(full_name, prefix));
}

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_SHORT_ENUM_H_
