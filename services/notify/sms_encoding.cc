#include "services/notify/sms_encoding.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/notify/utf8.h"

namespace kpr::notify {
namespace {

// The GSM 03.38 default alphabet, indexed by septet (Unicode's GSM0338.TXT mapping). 0x1B is the
// escape to the extension table, not a character: 0 marks it.
// clang-format off
// Eight septets a line: 0x00-0x07, 0x08-0x0F, ...
constexpr char32_t kBasic[128] = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì',  // 0x00
    U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',  // 0x08
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ',  // 0x10
    U'Σ', U'Θ', U'Ξ', 0, U'Æ', U'æ', U'ß', U'É',  // 0x18; 0x1B is the escape
    U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'',  // 0x20
    U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',  // 0x28
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7',  // 0x30
    U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',  // 0x38
    U'¡', U'A', U'B', U'C', U'D', U'E', U'F', U'G',  // 0x40
    U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',  // 0x48
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W',  // 0x50
    U'X', U'Y', U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§',  // 0x58
    U'¿', U'a', U'b', U'c', U'd', U'e', U'f', U'g',  // 0x60
    U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',  // 0x68
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w',  // 0x70
    U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à'  // 0x78
};
// clang-format on

// The extension table: septet after the escape -> character.
constexpr struct {
  uint8_t septet;
  char32_t code_point;
} kExtension[] = {{0x0A, U'\f'}, {0x14, U'^'}, {0x28, U'{'}, {0x29, U'}'}, {0x2F, U'\\'},
                  {0x3C, U'['},  {0x3D, U'~'}, {0x3E, U']'}, {0x40, U'|'}, {0x65, U'€'}};

const absl::flat_hash_map<char32_t, Gsm7Code>& Gsm7Table() {
  static const auto* table = [] {
    auto* t = new absl::flat_hash_map<char32_t, Gsm7Code>();
    for (int septet = 0; septet < 128; ++septet) {
      if (kBasic[septet] != 0) (*t)[kBasic[septet]] = {static_cast<uint8_t>(septet), false};
    }
    for (const auto& e : kExtension) (*t)[e.code_point] = {e.septet, true};
    return t;
  }();
  return *table;
}

// Characters that slip into texts from word processors, each with its GSM-7 look-alike.
constexpr struct {
  char32_t code_point;
  const char* name;
  const char* instead;
} kLookAlikes[] = {
    {0x2018, "left single quotation mark", "'"},
    {0x2019, "right single quotation mark", "'"},
    {0x201A, "single low quotation mark", "'"},
    {0x201C, "left double quotation mark", "\""},
    {0x201D, "right double quotation mark", "\""},
    {0x201E, "double low quotation mark", "\""},
    {0x00AB, "left guillemet", "\""},
    {0x00BB, "right guillemet", "\""},
    {0x2013, "en dash", "-"},
    {0x2014, "em dash", "-"},
    {0x2212, "minus sign", "-"},
    {0x2026, "ellipsis", "..."},
    {0x00A0, "no-break space", "a space"},
    {0x2022, "bullet", "-"},
    {0x00E7, "c with cedilla", "c (GSM-7 has only the capital \xC3\x87)"},
};

bool IsEmoji(char32_t cp) {
  return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || cp == 0xFE0F ||
         cp == 0x200D;
}

std::string Warning(char32_t cp) {
  std::string shown;
  if (cp >= 0x20) {
    shown = "\"";
    AppendUtf8(cp, &shown);
    shown += "\" ";
  }
  std::string code = absl::StrFormat("U+%04X", static_cast<uint32_t>(cp));
  for (const auto& l : kLookAlikes) {
    if (l.code_point == cp) {
      return absl::StrCat(shown, "(", code, ", ", l.name, ") forces UCS-2: write ", l.instead,
                          " instead");
    }
  }
  if (IsEmoji(cp)) {
    return absl::StrCat(shown, "(", code,
                        ", emoji) forces UCS-2: an SMS then holds 70 "
                        "characters, not 160");
  }
  return absl::StrCat(shown, "(", code, ") is not in GSM-7 and forces UCS-2");
}

// Parts needed for characters of the given unit widths; a character never straddles two parts.
int Segments(const std::vector<int>& widths, int total, int single, int per_part) {
  if (total == 0) return 0;
  if (total <= single) return 1;
  int parts = 1;
  int used = 0;
  for (int w : widths) {
    if (used + w > per_part) {
      ++parts;
      used = 0;
    }
    used += w;
  }
  return parts;
}

}  // namespace

std::optional<Gsm7Code> ToGsm7(char32_t code_point) {
  const auto& table = Gsm7Table();
  auto it = table.find(code_point);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

SmsAnalysis AnalyzeSms(absl::string_view utf8_text) {
  DecodedUtf8 decoded = DecodeUtf8(utf8_text);
  SmsAnalysis out;
  std::vector<int> septets;
  septets.reserve(decoded.code_points.size());
  for (char32_t cp : decoded.code_points) {
    std::optional<Gsm7Code> code = ToGsm7(cp);
    if (code) {
      septets.push_back(code->extension ? 2 : 1);
    } else if (std::find(out.forcing_ucs2.begin(), out.forcing_ucs2.end(), cp) ==
               out.forcing_ucs2.end()) {
      out.forcing_ucs2.push_back(cp);
    }
  }
  if (out.forcing_ucs2.empty()) {
    out.encoding = v1::SMS_ENCODING_GSM7;
    for (int s : septets) out.units += s;
    out.segments = Segments(septets, out.units, kGsm7SinglePart, kGsm7PerPart);
  } else {
    out.encoding = v1::SMS_ENCODING_UCS2;
    std::vector<int> units;
    units.reserve(decoded.code_points.size());
    for (char32_t cp : decoded.code_points) units.push_back(cp > 0xFFFF ? 2 : 1);
    for (int u : units) out.units += u;
    out.segments = Segments(units, out.units, kUcs2SinglePart, kUcs2PerPart);
    for (char32_t cp : out.forcing_ucs2) {
      if (cp != kReplacementCharacter) out.warnings.push_back(Warning(cp));
    }
  }
  if (decoded.had_invalid) {
    out.warnings.push_back("the text is not valid UTF-8: bad bytes are sent as U+FFFD");
  }
  return out;
}

}  // namespace kpr::notify
