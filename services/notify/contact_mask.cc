#include "services/notify/contact_mask.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/notify/utf8.h"

namespace kpr::notify {
namespace {

// Fewer digits than this are no phone number anywhere (and masking them would show most).
constexpr size_t kMinDigits = 6;
constexpr size_t kMaxDigits = 15;  // E.164

}  // namespace

std::optional<PhoneDigits> ReadPhone(absl::string_view phone) {
  phone = absl::StripAsciiWhitespace(phone);
  PhoneDigits out;
  out.international = absl::ConsumePrefix(&phone, "+") || absl::ConsumePrefix(&phone, "00");
  for (char c : phone) {
    if (absl::ascii_isdigit(c)) {
      out.digits.push_back(c);
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return std::nullopt;
    }
  }
  if (!out.international && out.digits.size() == 8) out.digits = "45" + out.digits;
  if (out.digits.size() < kMinDigits || out.digits.size() > kMaxDigits) return std::nullopt;
  return out;
}

std::string MaskPhone(absl::string_view phone) {
  const std::optional<PhoneDigits> read = ReadPhone(phone);
  if (!read) return std::string(kUnreadableContact);
  const absl::string_view d = read->digits;
  const absl::string_view last_four = d.substr(d.size() - 4);
  // Ten digits starting 45 is Danish, with or without "+" (gateways write msisdn "4520001234").
  if (d.size() == 10 && absl::StartsWith(d, "45")) {
    return absl::StrCat("+45 ** ** ", last_four.substr(0, 2), " ", last_four.substr(2));
  }
  return absl::StrCat(read->international ? "+" : "", std::string(d.size() - 4, '*'), " ",
                      last_four.substr(0, 2), " ", last_four.substr(2));
}

std::string MaskEmail(absl::string_view email) {
  email = absl::StripAsciiWhitespace(email);
  const size_t at = email.rfind('@');
  if (at == absl::string_view::npos || at == 0 || at + 1 >= email.size()) {
    return std::string(kUnreadableContact);
  }
  const absl::string_view domain = email.substr(at + 1);
  if (domain.find_first_of(" \t\r\n<>") != absl::string_view::npos) {
    return std::string(kUnreadableContact);
  }
  // The first character, not the first byte: a local part may start with "ø".
  DecodedUtf8 local = DecodeUtf8(email.substr(0, at));
  std::string out;
  AppendUtf8(local.code_points.front(), &out);
  absl::StrAppend(&out, "***@", absl::AsciiStrToLower(domain));
  return out;
}

}  // namespace kpr::notify
