#ifndef KPR_SERVICES_NOTIFY_UTF8_H_
#define KPR_SERVICES_NOTIFY_UTF8_H_

// UTF-8 to code points and back, for what counts characters rather than bytes: SMS encoding
// and segments, masking the first character of an e-mail address. Pure.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kpr::notify {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

struct DecodedUtf8 {
  std::vector<char32_t> code_points;
  // A malformed, overlong or truncated sequence, or a surrogate, was replaced by U+FFFD.
  bool had_invalid = false;
};

DecodedUtf8 DecodeUtf8(absl::string_view text);

// Appends `code_point` as UTF-8 (U+FFFD for a surrogate or anything above U+10FFFF).
void AppendUtf8(char32_t code_point, std::string* out);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_UTF8_H_
