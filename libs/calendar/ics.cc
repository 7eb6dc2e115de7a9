#include "libs/calendar/ics.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace kpr::calendar {
namespace {

constexpr size_t kMaxLineOctets = 75;
constexpr absl::string_view kTzid = "Europe/Copenhagen";

// Denmark's rules since 1996 (EU summer time): CEST from the last Sunday of March 02:00, CET
// from the last Sunday of October 03:00.
constexpr absl::string_view kVTimezone[] = {
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Copenhagen",
    "X-LIC-LOCATION:Europe/Copenhagen",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
};

class Writer {
 public:
  void Line(absl::string_view line) { absl::StrAppend(&out_, FoldIcsLine(line)); }
  void Text(absl::string_view name, absl::string_view value) {
    Line(absl::StrCat(name, ":", EscapeIcsText(value)));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string LocalDateTime(absl::CivilMinute t) {
  return absl::StrFormat("%04d%02d%02dT%02d%02d00", t.year(), t.month(), t.day(), t.hour(),
                         t.minute());
}

}  // namespace

absl::StatusOr<std::string> WriteIcs(const IcsCalendar& calendar, absl::Time dtstamp) {
  for (const IcsEvent& e : calendar.events) {
    if (e.uid.empty()) return absl::InvalidArgumentError("an event has no uid");
    if (e.end <= e.start) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", e.uid, ": it ends before it starts"));
    }
  }
  const std::string stamp = absl::FormatTime("%Y%m%dT%H%M%SZ", dtstamp, absl::UTCTimeZone());
  Writer w;
  w.Line("BEGIN:VCALENDAR");
  w.Line("VERSION:2.0");
  w.Text("PRODID", calendar.prodid);
  w.Line("CALSCALE:GREGORIAN");
  w.Line("METHOD:PUBLISH");
  if (!calendar.name.empty()) w.Text("X-WR-CALNAME", calendar.name);
  w.Line(absl::StrCat("X-WR-TIMEZONE:", kTzid));
  for (absl::string_view line : kVTimezone) w.Line(line);

  for (const IcsEvent& e : calendar.events) {
    w.Line("BEGIN:VEVENT");
    w.Text("UID", e.uid);
    w.Line(absl::StrCat("DTSTAMP:", stamp));
    w.Line(absl::StrCat("DTSTART;TZID=", kTzid, ":", LocalDateTime(e.start)));
    w.Line(absl::StrCat("DTEND;TZID=", kTzid, ":", LocalDateTime(e.end)));
    w.Text("SUMMARY", e.summary);
    if (!e.location.empty()) w.Text("LOCATION", e.location);
    if (!e.description.empty()) w.Text("DESCRIPTION", e.description);
    w.Line(absl::StrCat("SEQUENCE:", std::max<int64_t>(0, e.sequence)));
    w.Line(e.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
    w.Line("END:VEVENT");
  }
  w.Line("END:VCALENDAR");
  return w.Take();
}

std::string EscapeIcsText(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        // RFC 5545 TEXT allows no control characters but HTAB.
        if ((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) || c == '\t') out += c;
    }
  }
  return out;
}

std::string FoldIcsLine(absl::string_view line) {
  std::string out;
  out.reserve(line.size() + line.size() / 70 * 3 + 2);
  size_t pos = 0;
  bool first = true;
  while (true) {
    // A continuation line's leading space counts toward its 75 octets.
    const size_t room = first ? kMaxLineOctets : kMaxLineOctets - 1;
    size_t cut = std::min(line.size(), pos + room);
    // Never cut before a UTF-8 continuation byte (10xxxxxx): back off to the character start.
    while (cut < line.size() && cut > pos &&
           (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    // Not UTF-8 at all (only continuation bytes): split where the octet limit says.
    if (cut == pos) cut = std::min(line.size(), pos + room);
    if (!first) out += ' ';
    out.append(line.data() + pos, cut - pos);
    out += "\r\n";
    pos = cut;
    first = false;
    if (pos >= line.size()) break;
  }
  return out;
}

std::vector<std::string> UnfoldIcs(absl::string_view ics) {
  std::vector<std::string> lines;
  for (absl::string_view raw : absl::StrSplit(ics, "\r\n")) {
    if (!raw.empty() && (raw[0] == ' ' || raw[0] == '\t') && !lines.empty()) {
      lines.back().append(raw.data() + 1, raw.size() - 1);
    } else if (!raw.empty()) {
      lines.emplace_back(raw);
    }
  }
  return lines;
}

}  // namespace kpr::calendar
