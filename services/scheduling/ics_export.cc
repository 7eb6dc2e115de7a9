#include "services/scheduling/ics_export.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "libs/calendar/civil_day.h"
#include "services/scheduling/catalog_mapping.h"

namespace kpr::scheduling {
namespace {

constexpr size_t kMaxLineOctets = 75;
constexpr int kMinutesPerDay = 24 * 60;
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

template <typename T>
const T* Find(const absl::flat_hash_map<std::string, T>& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// `name` when known and non-empty, else `fallback`.
absl::string_view NameOr(const std::string* name, absl::string_view fallback) {
  return name != nullptr && !name->empty() ? absl::string_view(*name) : fallback;
}

struct Event {
  const v1::Session* session;
  absl::CivilDay day;
};

absl::StatusOr<std::string> Export(absl::string_view calendar_name,
                                   std::vector<const v1::Session*> sessions,
                                   const IcsLookup& lookup, absl::Time dtstamp) {
  std::vector<Event> events;
  events.reserve(sessions.size());
  for (const v1::Session* s : sessions) {
    absl::StatusOr<absl::CivilDay> day = calendar::ParseDay(s->day());
    if (!day.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("session ", s->session_id(), ": ", day.status().message()));
    }
    if (s->start_minute() < 0 || s->start_minute() >= s->end_minute() ||
        s->end_minute() > kMinutesPerDay) {
      return absl::InvalidArgumentError(absl::StrCat("session ", s->session_id(), ": times ",
                                                     s->start_minute(), "-", s->end_minute(),
                                                     " are not within a day"));
    }
    events.push_back(Event{s, *day});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::make_tuple(a.day, a.session->start_minute(), a.session->session_id()) <
           std::make_tuple(b.day, b.session->start_minute(), b.session->session_id());
  });

  const std::string stamp = absl::FormatTime("%Y%m%dT%H%M%SZ", dtstamp, absl::UTCTimeZone());
  Writer w;
  w.Line("BEGIN:VCALENDAR");
  w.Line("VERSION:2.0");
  w.Line("PRODID:-//kpr//scheduling//EN");
  w.Line("CALSCALE:GREGORIAN");
  w.Line("METHOD:PUBLISH");
  w.Text("X-WR-CALNAME", calendar_name);
  w.Line(absl::StrCat("X-WR-TIMEZONE:", kTzid));
  for (absl::string_view line : kVTimezone) w.Line(line);

  for (const Event& e : events) {
    const v1::Session& s = *e.session;
    const IcsLookup::CohortInfo* cohort = Find(lookup.cohorts, s.cohort_id());
    const std::string* activity = nullptr;
    if (cohort != nullptr) {
      if (const auto* names = Find(lookup.activity_names, cohort->program_id)) {
        activity = Find(*names, s.activity_id());
      }
    }
    const IcsLookup::VenueInfo* venue = Find(lookup.venues, s.venue_id());
    const absl::string_view institution =
        NameOr(Find(lookup.institution_names, s.institution_id()), s.institution_id());

    std::string location(NameOr(venue != nullptr ? &venue->name : nullptr, s.venue_id()));
    if (venue != nullptr && !venue->address.empty()) {
      absl::StrAppend(&location, ", ", venue->address);
    }
    const std::string description = absl::StrCat(
        "Institution: ", institution,
        "\nCohort: ", NameOr(cohort != nullptr ? &cohort->name : nullptr, s.cohort_id()));
    const absl::CivilMinute start = absl::CivilMinute(e.day) + s.start_minute();
    const absl::CivilMinute end = absl::CivilMinute(e.day) + s.end_minute();
    const std::string uid = s.session_id().empty()
                                ? absl::StrCat(s.cohort_id(), "-", s.index(), "@kpr")
                                : absl::StrCat(s.session_id(), "@kpr");

    w.Line("BEGIN:VEVENT");
    w.Text("UID", uid);
    w.Line(absl::StrCat("DTSTAMP:", stamp));
    w.Line(absl::StrCat("DTSTART;TZID=", kTzid, ":", LocalDateTime(start)));
    w.Line(absl::StrCat("DTEND;TZID=", kTzid, ":", LocalDateTime(end)));
    w.Text("SUMMARY", NameOr(activity, s.activity_id()));
    w.Text("LOCATION", location);
    w.Text("DESCRIPTION", description);
    w.Line(absl::StrCat("SEQUENCE:", std::max<int64_t>(0, s.version())));
    w.Line(s.status() == v1::SESSION_STATUS_CANCELLED ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
    w.Line("END:VEVENT");
  }
  w.Line("END:VCALENDAR");
  return w.Take();
}

}  // namespace

void IcsLookup::AddInstitution(const v1::Institution& institution) {
  institution_names[institution.institution_id()] = institution.name();
  for (const v1::Venue& v : institution.venues()) {
    venues[v.venue_id()] = VenueInfo{v.name(), v.address()};
  }
}

void IcsLookup::AddProgram(const v1::ProgramTemplate& program) {
  auto& names = activity_names[program.program_id()];
  for (const v1::Activity& a : program.activities()) names[a.activity_id()] = a.name();
}

void IcsLookup::AddCohort(const v1::Cohort& cohort) {
  cohorts[cohort.cohort_id()] =
      CohortInfo{cohort.name().empty() ? cohort.cohort_id() : cohort.name(), cohort.program_id()};
}

absl::StatusOr<std::string> ExportIcs(absl::string_view calendar_name,
                                      const std::vector<v1::Session>& sessions,
                                      const IcsLookup& lookup, absl::Time dtstamp) {
  std::vector<const v1::Session*> ptrs;
  ptrs.reserve(sessions.size());
  for (const v1::Session& s : sessions) ptrs.push_back(&s);
  return Export(calendar_name, std::move(ptrs), lookup, dtstamp);
}

absl::StatusOr<std::string> ExportIcs(
    absl::string_view calendar_name,
    const google::protobuf::RepeatedPtrField<v1::Session>& sessions, const IcsLookup& lookup,
    absl::Time dtstamp) {
  std::vector<const v1::Session*> ptrs(sessions.pointer_begin(), sessions.pointer_end());
  return Export(calendar_name, std::move(ptrs), lookup, dtstamp);
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
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
          out += c;
        } else if (c == '\t') {
          out += c;
        }
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

}  // namespace kpr::scheduling
