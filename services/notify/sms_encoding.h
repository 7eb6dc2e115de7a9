#ifndef KPR_SERVICES_NOTIFY_SMS_ENCODING_H_
#define KPR_SERVICES_NOTIFY_SMS_ENCODING_H_

// How an SMS text travels and what it costs: GSM-7 (3GPP TS 23.038, "GSM 03.38") when every
// character is in the default alphabet or its extension table, UCS-2 otherwise. The gateway
// needs `encoding: UCS2` for the latter, or it transcodes and the citizen sees '?'; and every
// part is billed, so PreviewMessage shows the count and what forces UCS-2.
//
// GSM-7: 160 septets in one part; split messages carry a 7-septet header, leaving 153 per part.
// Extension characters (form feed ^ { } \ [ ~ ] | €) are an escape plus a septet: 2 each, and a
// pair is never split across parts (a part then holds 152). UCS-2: 70 UTF-16 code units in one
// part, 67 per part; a character outside the BMP (an emoji) is a surrogate pair, 2 units, never
// split either. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kpr/notify/v1/notify.pb.h"

namespace kpr::notify {

inline constexpr int kGsm7SinglePart = 160;
inline constexpr int kGsm7PerPart = 153;
inline constexpr int kUcs2SinglePart = 70;
inline constexpr int kUcs2PerPart = 67;

// A character's place in GSM 03.38: its septet in the default alphabet, or (extension) the
// septet that follows the escape 0x1B.
struct Gsm7Code {
  uint8_t septet = 0;
  bool extension = false;
};

// nullopt for a code point GSM-7 cannot carry (U+00A0 included: 0x1B is the escape, not a
// character).
std::optional<Gsm7Code> ToGsm7(char32_t code_point);

struct SmsAnalysis {
  v1::SmsEncoding encoding = v1::SMS_ENCODING_GSM7;
  // Septets (GSM-7) or UTF-16 code units (UCS-2).
  int units = 0;
  // 0 for an empty text.
  int segments = 0;
  // Distinct code points that force UCS-2, in order of first appearance.
  std::vector<char32_t> forcing_ucs2;
  // One line per such character, naming it and what to write instead where there is a GSM-7
  // look-alike; and one if the text was not valid UTF-8 (bad bytes count as U+FFFD).
  std::vector<std::string> warnings;
};

SmsAnalysis AnalyzeSms(absl::string_view utf8_text);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SMS_ENCODING_H_
