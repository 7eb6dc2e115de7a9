#include "tools/kprctl/scheduling_format.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/iso_week.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/short_enum.h"
#include "tools/kprctl/text_table.h"

namespace kpr::kprctl {
namespace {

constexpr const char* kWeekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

// A day as the service sends it ("2027-01-18"); nullopt when it is not one.
std::optional<absl::CivilDay> Day(const std::string& day) {
  auto parsed = calendar::ParseDay(day);
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

// "2027-01-18" -> "2027-W03"; "" when `day` is not a day.
std::string WeekLabelOf(const std::string& day) {
  auto d = Day(day);
  return d ? calendar::IsoWeekLabel(*d) : "";
}

// A cohort's start week, "2027-W03"; "" when unset.
std::string StartWeekLabel(const sv1::Cohort& c) {
  if (c.start_iso_week() < 1) return "";
  return calendar::IsoWeekLabel(calendar::MondayOfIsoWeek(c.start_iso_year(), c.start_iso_week()));
}

std::string Score(double score) { return absl::StrFormat("%.2f", score); }

std::string SessionNote(const sv1::Session& s) {
  if (s.status() == sv1::SESSION_STATUS_CANCELLED) {
    return s.change_reason().empty() ? "cancelled" : absl::StrCat("cancelled: ", s.change_reason());
  }
  return s.change_reason().empty() ? "" : absl::StrCat("moved: ", s.change_reason());
}

std::vector<const sv1::Session*> SortedByTime(const Sessions& sessions) {
  std::vector<const sv1::Session*> out;
  for (const auto& s : sessions) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](const sv1::Session* a, const sv1::Session* b) {
    return std::forward_as_tuple(a->day(), a->start_minute(), a->institution_id(), a->venue_id()) <
           std::forward_as_tuple(b->day(), b->start_minute(), b->institution_id(), b->venue_id());
  });
  return out;
}

// Sessions moved or cancelled by a repair: where each is now and why.
std::string ChangedSessionsTable(const Sessions& sessions) {
  TextTable t({"SESSION", "COHORT", "DAY", "WD", "TIME", "ACTIVITY", "INSTITUTION", "VENUE",
               "INSTRUCTOR", "REASON"});
  for (const sv1::Session* s : SortedByTime(sessions)) {
    t.AddRow({s->session_id(), s->cohort_id(), s->day(), WeekdayOf(s->day()),
              FormatTimeSpan(s->start_minute(), s->end_minute()), s->activity_id(),
              s->institution_id(), s->venue_id(), s->instructor_id(), s->change_reason()});
  }
  return t.Render(2);
}

std::string DateRangeText(const sv1::DateRange& r) {
  std::string span = r.first_day() == r.last_day()
                         ? r.first_day()
                         : absl::StrCat(r.first_day(), "..", r.last_day());
  return r.reason().empty() ? span : absl::StrCat(span, " ", r.reason());
}

}  // namespace

// ---- Pieces -------------------------------------------------------------------------------

std::string FormatMinute(int minute_of_day) {
  return absl::StrFormat("%02d:%02d", minute_of_day / 60, minute_of_day % 60);
}

std::string FormatTimeSpan(int start_minute, int end_minute) {
  return absl::StrCat(FormatMinute(start_minute), "-", FormatMinute(end_minute));
}

std::string WeekdayOf(const std::string& day) {
  auto d = Day(day);
  if (!d) return "";
  return kWeekdays[calendar::DaysSinceMonday(*d)];
}

std::string FormatWeeklyHours(const google::protobuf::RepeatedPtrField<sv1::WeeklyHours>& hours) {
  // Per ISO weekday 1..7: its windows in order, as text, so equal days compare equal.
  std::vector<std::vector<std::pair<int, int>>> windows(8);
  for (const auto& h : hours) {
    if (h.weekday() < 1 || h.weekday() > 7) continue;
    windows[h.weekday()].emplace_back(h.start_minute(), h.end_minute());
  }
  std::vector<std::string> text(8);
  for (int d = 1; d <= 7; ++d) {
    std::sort(windows[d].begin(), windows[d].end());
    std::vector<std::string> spans;
    for (const auto& [start, end] : windows[d]) spans.push_back(FormatTimeSpan(start, end));
    text[d] = absl::StrJoin(spans, ",");
  }
  std::vector<std::string> parts;
  for (int d = 1; d <= 7;) {
    if (text[d].empty()) {
      ++d;
      continue;
    }
    int last = d;
    while (last + 1 <= 7 && text[last + 1] == text[d]) ++last;
    std::string days =
        last == d ? kWeekdays[d - 1] : absl::StrCat(kWeekdays[d - 1], "-", kWeekdays[last - 1]);
    parts.push_back(absl::StrCat(days, " ", text[d]));
    d = last + 1;
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, "; ");
}

std::string CompressWeeks(const std::vector<std::string>& weeks) {
  std::vector<absl::CivilDay> mondays;  // one a week
  std::vector<std::string> other;
  for (const auto& w : weeks) {
    auto week = calendar::ParseIsoWeekLabel(w);
    if (week.ok())
      mondays.push_back(calendar::MondayOfIsoWeek(week->year, week->week));
    else
      other.push_back(w);
  }
  std::sort(mondays.begin(), mondays.end());
  mondays.erase(std::unique(mondays.begin(), mondays.end()), mondays.end());
  std::vector<std::string> parts;
  for (size_t i = 0; i < mondays.size();) {
    size_t j = i;
    while (j + 1 < mondays.size() && mondays[j] + 7 == mondays[j + 1]) ++j;
    const std::string first = calendar::IsoWeekLabel(mondays[i]);
    if (j == i) {
      parts.push_back(first);
    } else if (calendar::IsoWeekYear(mondays[i]) == calendar::IsoWeekYear(mondays[j])) {
      parts.push_back(absl::StrFormat("%s..W%02d", first, calendar::IsoWeek(mondays[j])));
    } else {
      parts.push_back(absl::StrCat(first, "..", calendar::IsoWeekLabel(mondays[j])));
    }
    i = j + 1;
  }
  for (auto& o : other) parts.push_back(std::move(o));
  return absl::StrJoin(parts, ", ");
}

std::string CohortStatusName(sv1::CohortStatus status) {
  if (status == sv1::COHORT_STATUS_UNSPECIFIED) return "-";
  return ShortEnumName(sv1::CohortStatus_Name(status), "COHORT_STATUS_");
}

std::string SessionStatusName(sv1::SessionStatus status) {
  switch (status) {
    case sv1::SESSION_STATUS_SCHEDULED:
      return "scheduled";
    case sv1::SESSION_STATUS_CANCELLED:
      return "cancelled";
    default:
      return "-";
  }
}

std::string InstitutionKindName(sv1::InstitutionKind kind) {
  if (kind == sv1::INSTITUTION_KIND_UNSPECIFIED) return "-";
  return ShortEnumName(sv1::InstitutionKind_Name(kind), "INSTITUTION_KIND_");
}

// ---- Catalog ------------------------------------------------------------------------------

std::string FormatInstitutions(const sv1::ListInstitutionsResponse& response) {
  if (response.institutions().empty()) return "No institutions.\n";
  TextTable institutions({"INSTITUTION", "NAME", "KIND", "VENUES", "V"});
  institutions.AlignRight(3);
  institutions.AlignRight(4);
  TextTable venues({"INSTITUTION", "VENUE", "NAME", "SEATS", "OPEN", "CLOSED"});
  venues.AlignRight(3);
  for (const auto& i : response.institutions()) {
    institutions.AddRow({i.institution_id(), i.name(), InstitutionKindName(i.kind()),
                         absl::StrCat(i.venues_size()), absl::StrCat(i.version())});
    for (const auto& v : i.venues()) {
      std::vector<std::string> closures;
      for (const auto& c : v.closures()) closures.push_back(DateRangeText(c));
      venues.AddRow({i.institution_id(), v.venue_id(), v.name(), absl::StrCat(v.capacity()),
                     FormatWeeklyHours(v.opening_hours()), absl::StrJoin(closures, "; ")});
    }
  }
  std::string out = institutions.Render();
  if (venues.row_count() > 0) absl::StrAppend(&out, "\n", venues.Render());
  return out;
}

std::string FormatInstructors(const sv1::ListInstructorsResponse& response) {
  if (response.instructors().empty()) return "No instructors.\n";
  TextTable t({"INSTRUCTOR", "NAME", "INSTITUTION", "AVAILABLE", "V", "ABSENT"});
  t.AlignRight(4);
  for (const auto& i : response.instructors()) {
    std::vector<std::string> absences;
    for (const auto& a : i.absences()) absences.push_back(DateRangeText(a));
    t.AddRow({i.instructor_id(), i.display_name(), i.institution_id(),
              FormatWeeklyHours(i.availability()), absl::StrCat(i.version()),
              absl::StrJoin(absences, "; ")});
  }
  return t.Render();
}

std::string FormatPrograms(const sv1::ListProgramsResponse& response) {
  if (response.programs().empty()) return "No programs.\n";
  TextTable programs({"PROGRAM", "NAME", "WEEKS", "PER WEEK", "SIZE", "HOURS", "DEFAULT", "V"});
  programs.AlignRight(2);
  programs.AlignRight(7);
  TextTable activities({"PROGRAM", "ACTIVITY", "NAME", "MINUTES", "HOSTS", "PLACE"});
  activities.AlignRight(3);
  for (const auto& p : response.programs()) {
    programs.AddRow({p.program_id(), p.name(), absl::StrCat(p.weeks()),
                     absl::StrCat(p.min_sessions_per_week(), "-", p.max_sessions_per_week()),
                     absl::StrCat(p.min_cohort_size(), "-", p.max_cohort_size()),
                     FormatWeeklyHours(p.allowed_hours()), p.is_default() ? "yes" : "no",
                     absl::StrCat(p.version())});
    for (const auto& a : p.activities()) {
      std::string place;
      if (a.activity_id() == p.first_activity_id()) place = "first";
      if (a.activity_id() == p.last_activity_id()) {
        place = place.empty() ? "last" : "first and last";
      }
      activities.AddRow({p.program_id(), a.activity_id(), a.name(),
                         absl::StrCat(a.duration_minutes()),
                         absl::StrJoin(a.institution_ids(), ","), place});
    }
  }
  std::string out = programs.Render();
  if (activities.row_count() > 0) absl::StrAppend(&out, "\n", activities.Render());
  return out;
}

std::string FormatCalendar(const sv1::MunicipalityCalendar& calendar) {
  std::string out = absl::StrCat("Calendar of municipality ", calendar.municipality(), " (version ",
                                 calendar.version(),
                                 "). Danish public holidays are added by the "
                                 "service and not listed.\n");
  if (calendar.closed_periods().empty()) return out + "No closed periods.\n";
  TextTable t({"FIRST DAY", "LAST DAY", "DAYS", "REASON"});
  t.AlignRight(2);
  for (const auto& p : calendar.closed_periods()) {
    auto first = Day(p.first_day());
    auto last = Day(p.last_day());
    std::string days = first && last ? absl::StrCat(*last - *first + 1) : "";
    t.AddRow({p.first_day(), p.last_day(), days, p.reason()});
  }
  return out + "\n" + t.Render();
}

// ---- Planning and cohorts -----------------------------------------------------------------

std::string FormatTimetable(const Sessions& sessions) {
  bool with_ids = std::any_of(sessions.begin(), sessions.end(),
                              [](const sv1::Session& s) { return !s.session_id().empty(); });
  std::vector<std::string> header = {"#",    "WEEK",     "ISO WEEK",    "DAY",   "WD",
                                     "TIME", "ACTIVITY", "INSTITUTION", "VENUE", "INSTRUCTOR"};
  if (with_ids) {
    header.insert(header.end(), {"SESSION", "V", "NOTE"});
  }
  TextTable t(header);
  t.AlignRight(0);
  t.AlignRight(1);
  std::vector<const sv1::Session*> ordered;
  for (const auto& s : sessions) ordered.push_back(&s);
  std::stable_sort(
      ordered.begin(), ordered.end(),
      [](const sv1::Session* a, const sv1::Session* b) { return a->index() < b->index(); });
  for (const sv1::Session* s : ordered) {
    std::vector<std::string> row = {absl::StrCat(s->index() + 1),
                                    absl::StrCat(s->week_index() + 1),
                                    WeekLabelOf(s->day()),
                                    s->day(),
                                    WeekdayOf(s->day()),
                                    FormatTimeSpan(s->start_minute(), s->end_minute()),
                                    s->activity_id(),
                                    s->institution_id(),
                                    s->venue_id(),
                                    s->instructor_id()};
    if (with_ids) {
      row.insert(row.end(), {s->session_id(), absl::StrCat(s->version()), SessionNote(*s)});
    }
    t.AddRow(std::move(row));
  }
  return t.Render();
}

std::string FormatSoftViolations(
    const google::protobuf::RepeatedPtrField<sv1::SoftViolation>& violations) {
  if (violations.empty()) return "No soft constraints given up.\n";
  TextTable t({"CONSTRAINT", "PENALTY", "SESSION", "DETAIL"});
  t.AlignRight(1);
  t.AlignRight(2);
  for (const auto& v : violations) {
    t.AddRow({v.constraint(), Score(v.penalty()),
              v.session_index() < 0 ? "all" : absl::StrCat(v.session_index() + 1), v.detail()});
  }
  return absl::StrCat("Soft constraints given up:\n", t.Render(2));
}

std::string FormatObstacles(
    const google::protobuf::RepeatedPtrField<sv1::PlanObstacle>& obstacles) {
  TextTable t({"CONSTRAINT", "INSTITUTION", "WEEKS", "MESSAGE"});
  for (const auto& o : obstacles) {
    std::vector<std::string> weeks(o.weeks().begin(), o.weeks().end());
    t.AddRow({o.constraint(), o.institution_id(), CompressWeeks(weeks), o.message()});
  }
  return t.Render(2);
}

std::string FormatPlan(const sv1::PlanCohortResponse& response) {
  if (!response.feasible()) {
    if (response.obstacles().empty()) return "No timetable exists (the service gave no reason).\n";
    return absl::StrCat("No timetable exists. What stands in the way:\n",
                        FormatObstacles(response.obstacles()));
  }
  std::string first, last;
  for (const auto& s : response.sessions()) {
    if (first.empty() || s.day() < first) first = s.day();
    if (last.empty() || s.day() > last) last = s.day();
  }
  std::string out =
      absl::StrCat("Proposed timetable: ", Plural(response.sessions_size(), "session", "sessions"));
  if (!first.empty()) absl::StrAppend(&out, ", ", first, " to ", last);
  absl::StrAppend(&out, ", score ", Score(response.score()), " (0 is perfect)\n\n",
                  FormatTimetable(response.sessions()), "\n",
                  FormatSoftViolations(response.soft_violations()));
  return out;
}

std::string FormatCohort(const sv1::Cohort& c) {
  std::string out;
  auto line = [&out](const std::string& label, const std::string& value) {
    absl::StrAppend(&out, absl::StrFormat("%-13s", label + ":"), value.empty() ? "-" : value, "\n");
  };
  line("cohort", c.cohort_id());
  line("name", c.name());
  line("program", c.program_id());
  line("status", CohortStatusName(c.status()));
  if (c.status() == sv1::COHORT_STATUS_CANCELLED) line("cancelled", c.cancel_reason());
  line("start week", StartWeekLabel(c));
  line("days", c.first_day().empty() ? "" : absl::StrCat(c.first_day(), " to ", c.last_day()));
  line("sessions", absl::StrCat(c.session_count()));
  line("seats", absl::StrCat(c.enrolled_count(), " of ", c.capacity(), " taken (at least ",
                             c.min_size(), " to run)"));
  line("score", absl::StrCat(Score(c.score()), " (0 is perfect)"));
  line("opens", FormatTime(c.opens_at()));
  line("created", FormatTime(c.created_at()));
  line("version", absl::StrCat(c.version()));
  if (!c.soft_violations().empty())
    absl::StrAppend(&out, FormatSoftViolations(c.soft_violations()));
  return out;
}

std::string FormatCreatedCohort(const sv1::CreateCohortResponse& response) {
  std::string out = response.created()
                        ? absl::StrCat("Created cohort ", response.cohort().cohort_id(), ".\n\n")
                        : absl::StrCat(
                              "Already created by an earlier call with this request id: "
                              "cohort ",
                              response.cohort().cohort_id(), ".\n\n");
  absl::StrAppend(&out, FormatCohort(response.cohort()));
  if (!response.sessions().empty()) {
    absl::StrAppend(&out, "\n", FormatTimetable(response.sessions()));
  }
  return out;
}

std::string FormatCohortList(const sv1::ListCohortsResponse& response) {
  std::string out;
  if (response.cohorts().empty()) {
    out = "No cohorts.\n";
  } else {
    TextTable t({"COHORT", "NAME", "PROGRAM", "STATUS", "START", "FIRST DAY", "LAST DAY", "SEATS",
                 "SESSIONS", "SCORE", "V"});
    for (size_t col : {7, 8, 9, 10}) t.AlignRight(col);
    for (const auto& c : response.cohorts()) {
      t.AddRow({c.cohort_id(), c.name(), c.program_id(), CohortStatusName(c.status()),
                StartWeekLabel(c), c.first_day(), c.last_day(),
                absl::StrCat(c.enrolled_count(), "/", c.capacity()),
                absl::StrCat(c.session_count()), Score(c.score()), absl::StrCat(c.version())});
    }
    out = t.Render();
  }
  if (!response.next_page_token().empty()) {
    absl::StrAppend(&out, "(more: --page-token ", response.next_page_token(), ", or --all)\n");
  }
  return out;
}

// ---- Sessions -----------------------------------------------------------------------------

std::string FormatWeekView(const Sessions& sessions) {
  if (sessions.empty()) return "No sessions.\n";
  TextTable t(
      {"TIME", "ACTIVITY", "COHORT", "INSTITUTION", "VENUE", "INSTRUCTOR", "SESSION", "V", "NOTE"});
  t.AlignRight(7);
  std::string week, day;
  for (const sv1::Session* s : SortedByTime(sessions)) {
    std::string w = WeekLabelOf(s->day());
    if (w != week || week.empty()) {
      week = w;
      t.AddHeading(absl::StrCat("Week ", w.empty() ? "?" : w));
    }
    if (s->day() != day) {
      day = s->day();
      t.AddHeading(absl::StrCat("  ", WeekdayOf(day), " ", day));
    }
    t.AddRow({FormatTimeSpan(s->start_minute(), s->end_minute()), s->activity_id(), s->cohort_id(),
              s->institution_id(), s->venue_id(), s->instructor_id(), s->session_id(),
              absl::StrCat(s->version()), SessionNote(*s)});
  }
  return t.Render(4);
}

std::string FormatSessionChange(const sv1::Session& s) {
  if (s.status() == sv1::SESSION_STATUS_CANCELLED) {
    return absl::StrCat("Session ", s.session_id(), " of cohort ", s.cohort_id(), " (", s.day(),
                        " ", FormatTimeSpan(s.start_minute(), s.end_minute()),
                        ") is cancelled (version ", s.version(), ").\n");
  }
  return absl::StrCat(
      "Session ", s.session_id(), " of cohort ", s.cohort_id(), " is now ", WeekdayOf(s.day()), " ",
      s.day(), " ", FormatTimeSpan(s.start_minute(), s.end_minute()), " at ", s.institution_id(),
      " / ", s.venue_id(), " with ", s.instructor_id(), " (version ", s.version(), ").\n");
}

std::string FormatRepair(const sv1::RepairResponse& response) {
  std::string out;
  if (response.moved().empty() && response.cancelled().empty()) {
    out = "No future session was affected.\n";
  }
  if (!response.moved().empty()) {
    absl::StrAppend(&out, "Moved ", Plural(response.moved_size(), "session", "sessions"), ":\n",
                    ChangedSessionsTable(response.moved()));
  }
  if (!response.cancelled().empty()) {
    absl::StrAppend(&out, out.empty() ? "" : "\n", "Cancelled ",
                    Plural(response.cancelled_size(), "session", "sessions"),
                    " (no free slot found):\n", ChangedSessionsTable(response.cancelled()));
  }
  if (response.past_untouched() > 0) {
    absl::StrAppend(&out,
                    Plural(response.past_untouched(), "affected session", "affected sessions"),
                    " had already taken place and stayed as they were.\n");
  }
  return out;
}

}  // namespace kpr::kprctl
