#include "services/notify/mail_message.h"

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "libs/privacy/sha256.h"

namespace kpr::notify {
namespace {

constexpr size_t kMaxLine = 76;
constexpr size_t kMaxAddress = 254;
// Raw bytes per encoded-word: 36 bytes are 48 base64 characters, 60 with "=?utf-8?B?" "?=",
// so "Subject: " and a word stay within 76 characters.
constexpr size_t kWordBytes = 36;

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool HasControl(absl::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return IsControl(c); });
}

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::Status CheckAddress(absl::string_view field, absl::string_view address) {
  if (address.empty()) return Invalid(field, "required");
  if (address.size() > kMaxAddress) return Invalid(field, "too long");
  if (HasControl(address)) return Invalid(field, "holds a control character");
  for (char c : address) {
    if (static_cast<unsigned char>(c) >= 0x80 ||
        absl::string_view(" \t<>()[],;:\"\\").find(c) != absl::string_view::npos) {
      return Invalid(field, "is not one plain address (local@domain)");
    }
  }
  const size_t at = address.find('@');
  if (at == 0 || at == absl::string_view::npos || at + 1 == address.size() ||
      address.find('@', at + 1) != absl::string_view::npos) {
    return Invalid(field, "is not one plain address (local@domain)");
  }
  return absl::OkStatus();
}

absl::Status Check(const MailContent& c) {
  if (absl::Status s = CheckAddress("from_address", c.from_address); !s.ok()) return s;
  if (absl::Status s = CheckAddress("to_address", c.to_address); !s.ok()) return s;
  if (HasControl(c.from_name)) return Invalid("from_name", "holds a control character");
  if (HasControl(c.subject)) return Invalid("subject", "holds a control character");
  absl::string_view id = c.message_id;
  const bool bracketed = absl::ConsumePrefix(&id, "<") && absl::ConsumeSuffix(&id, ">");
  const size_t at = id.find('@');
  if (!bracketed || HasControl(id) || at == 0 || at == id.npos || at + 1 == id.size() ||
      id.find_first_of(" <>") != id.npos) {
    return Invalid("message_id", "is not <left@right>");
  }
  if (c.text.empty()) return Invalid("text", "required");
  return absl::OkStatus();
}

// Length of the UTF-8 sequence starting with `lead` (1 for stray bytes).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// A display name: as a quoted string when ASCII, encoded-words otherwise.
std::string DisplayName(absl::string_view name) {
  const bool ascii = std::all_of(name.begin(), name.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii || absl::StrContains(name, "=?")) return EncodeHeaderText(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void Header(std::string& out, absl::string_view name, absl::string_view value) {
  absl::StrAppend(&out, name, ": ", value, "\r\n");
}

}  // namespace

std::string EncodeHeaderText(absl::string_view text) {
  const bool plain =
      text.size() <= kMaxLine - 12 && !absl::StrContains(text, "=?") &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (plain) return std::string(text);
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = pos;
    while (end < text.size()) {
      const size_t len = Utf8Length(static_cast<unsigned char>(text[end]));
      if (end + len - pos > kWordBytes) break;
      end = std::min(text.size(), end + len);
    }
    if (end == pos) end = std::min(text.size(), pos + kWordBytes);
    words.push_back(
        absl::StrCat("=?utf-8?B?", absl::Base64Escape(text.substr(pos, end - pos)), "?="));
    pos = end;
  }
  return absl::StrJoin(words, "\r\n ");
}

std::string EncodeQuotedPrintable(absl::string_view text) {
  std::string out;
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    absl::string_view line = lines[n];
    absl::ConsumeSuffix(&line, "\r");
    size_t width = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const unsigned char c = line[i];
      const bool last = i + 1 == line.size();
      const bool literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && width == 0)) ||
                           ((c == ' ' || c == '\t') && !last);
      const std::string piece =
          literal ? std::string(1, static_cast<char>(c)) : absl::StrFormat("=%02X", c);
      // Leave room for the soft break's '=' unless this is the line's last piece.
      const size_t limit = last ? kMaxLine : kMaxLine - 1;
      if (width + piece.size() > limit) {
        out += "=\r\n";
        width = 0;
      }
      out += piece;
      width += piece.size();
    }
    if (n + 1 < lines.size()) out += "\r\n";
  }
  return out;
}

std::string EncodeBase64Lines(absl::string_view data) {
  const std::string b64 = absl::Base64Escape(data);
  std::string out;
  for (size_t pos = 0; pos < b64.size(); pos += kMaxLine) {
    absl::StrAppend(&out, absl::string_view(b64).substr(pos, kMaxLine), "\r\n");
  }
  return out;
}

std::string FormatMailDate(absl::Time t) {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const absl::CivilSecond s = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int weekday = static_cast<int>(absl::GetWeekday(s));  // Monday = 0
  return absl::StrFormat("%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[weekday], s.day(),
                         kMonths[s.month() - 1], s.year(), s.hour(), s.minute(), s.second());
}

absl::StatusOr<std::string> BuildMailMessage(const MailContent& c) {
  if (absl::Status s = Check(c); !s.ok()) return s;
  // Boundaries: "=_" never occurs in quoted-printable or base64 output, so no body can hold one.
  const std::string tag = privacy::Sha256Hex(c.message_id).substr(0, 24);
  const std::string mixed = absl::StrCat("=_kpr_m_", tag);
  const std::string alternative = absl::StrCat("=_kpr_a_", tag);

  std::string out;
  Header(out, "From",
         c.from_name.empty() ? c.from_address
                             : absl::StrCat(DisplayName(c.from_name), " <", c.from_address, ">"));
  Header(out, "To", c.to_address);
  Header(out, "Subject", EncodeHeaderText(c.subject));
  Header(out, "Date", FormatMailDate(c.date));
  Header(out, "Message-ID", c.message_id);
  Header(out, "MIME-Version", "1.0");
  Header(out, "Content-Type", absl::StrCat("multipart/mixed;\r\n boundary=\"", mixed, "\""));
  out += "\r\n";

  auto text_part = [&out](absl::string_view subtype, absl::string_view body) {
    absl::StrAppend(&out, "Content-Type: text/", subtype, "; charset=utf-8\r\n",
                    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                    EncodeQuotedPrintable(body), "\r\n");
  };
  absl::StrAppend(&out, "--", mixed, "\r\n");
  if (c.html.empty()) {
    text_part("plain", c.text);
  } else {
    absl::StrAppend(&out, "Content-Type: multipart/alternative;\r\n boundary=\"", alternative,
                    "\"\r\n\r\n--", alternative, "\r\n");
    text_part("plain", c.text);
    absl::StrAppend(&out, "--", alternative, "\r\n");
    text_part("html", c.html);
    absl::StrAppend(&out, "--", alternative, "--\r\n");
  }
  if (!c.ics.empty()) {
    absl::StrAppend(&out, "--", mixed, "\r\n",
                    "Content-Type: text/calendar; charset=utf-8; method=PUBLISH;\r\n name=\"",
                    kCalendarAttachmentName, "\"\r\n",
                    "Content-Disposition: attachment; filename=\"", kCalendarAttachmentName,
                    "\"\r\n", "Content-Transfer-Encoding: base64\r\n\r\n",
                    EncodeBase64Lines(c.ics));
  }
  absl::StrAppend(&out, "--", mixed, "--\r\n");
  return out;
}

}  // namespace kpr::notify
