#include "tests/support/scheduling_testing.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "libs/rpc/auth.h"

namespace kpr::testing {
namespace {

namespace v1 = ::kpr::scheduling::v1;

// Official Danish public holidays and the customary closing days (Grundlovsdag, 24 and 31
// December), as published, for the years the tests plan in.
const std::set<std::string>& ClosedHolidays() {
  static const auto* days = new std::set<std::string>{
      // 2026
      "2026-01-01", "2026-04-02", "2026-04-03", "2026-04-05", "2026-04-06", "2026-05-14",
      "2026-05-24", "2026-05-25", "2026-06-05", "2026-12-24", "2026-12-25", "2026-12-26",
      "2026-12-31",
      // 2027
      "2027-01-01", "2027-03-25", "2027-03-26", "2027-03-28", "2027-03-29", "2027-05-06",
      "2027-05-16", "2027-05-17", "2027-06-05", "2027-12-24", "2027-12-25", "2027-12-26",
      "2027-12-31",
      // 2028
      "2028-01-01", "2028-04-13", "2028-04-14", "2028-04-16", "2028-04-17", "2028-05-25",
      "2028-06-04", "2028-06-05", "2028-12-24", "2028-12-25", "2028-12-26", "2028-12-31"};
  return *days;
}

absl::CivilDay Day(const std::string& s) {
  absl::CivilDay d;
  if (!absl::ParseCivilTime(s, &d)) return absl::CivilDay(1970, 1, 1);
  return d;
}

int IsoWeekday(absl::CivilDay d) {  // 1 = Monday
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 0;
}

absl::CivilDay MondayOf(absl::CivilDay d) { return d - (IsoWeekday(d) - 1); }

bool Within(const google::protobuf::RepeatedPtrField<v1::WeeklyHours>& hours, absl::CivilDay day,
            int start, int end) {
  for (const auto& h : hours) {
    if (h.weekday() == IsoWeekday(day) && h.start_minute() <= start && end <= h.end_minute())
      return true;
  }
  return false;
}

bool InRanges(const google::protobuf::RepeatedPtrField<v1::DateRange>& ranges, absl::CivilDay day) {
  for (const auto& r : ranges) {
    if (Day(r.first_day()) <= day && day <= Day(r.last_day())) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<v1::CatalogBundle> LoadDemoCatalog() {
  std::ifstream in(std::string(KPR_SOURCE_DIR) + "/deploy/local/demo-catalog.json");
  if (!in) return absl::NotFoundError("deploy/local/demo-catalog.json");
  std::stringstream buffer;
  buffer << in.rdbuf();
  v1::CatalogBundle bundle;
  auto st = google::protobuf::util::JsonStringToMessage(buffer.str(), &bundle);
  if (!st.ok()) return absl::InvalidArgumentError(st.ToString());
  return bundle;
}

absl::Status PutCatalog(v1::SchedulingService::Stub& stub, const std::string& token,
                        const v1::CatalogBundle& bundle) {
  auto call = [&](auto fn) -> absl::Status {
    grpc::ClientContext ctx;
    rpc::SetBearerToken(ctx, token);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return rpc::FromGrpcStatus(fn(&ctx));
  };
  for (const auto& i : bundle.institutions()) {
    v1::PutInstitutionRequest req;
    *req.mutable_institution() = i;
    v1::Institution out;
    if (auto s = call([&](grpc::ClientContext* c) { return stub.PutInstitution(c, req, &out); });
        !s.ok())
      return s;
  }
  for (const auto& i : bundle.instructors()) {
    v1::PutInstructorRequest req;
    *req.mutable_instructor() = i;
    v1::Instructor out;
    if (auto s = call([&](grpc::ClientContext* c) { return stub.PutInstructor(c, req, &out); });
        !s.ok())
      return s;
  }
  for (const auto& cal : bundle.calendars()) {
    v1::PutCalendarRequest req;
    *req.mutable_calendar() = cal;
    v1::MunicipalityCalendar out;
    if (auto s = call([&](grpc::ClientContext* c) { return stub.PutCalendar(c, req, &out); });
        !s.ok())
      return s;
  }
  for (const auto& p : bundle.programs()) {
    v1::PutProgramRequest req;
    *req.mutable_program() = p;
    v1::ProgramTemplate out;
    if (auto s = call([&](grpc::ClientContext* c) { return stub.PutProgram(c, req, &out); });
        !s.ok())
      return s;
  }
  return absl::OkStatus();
}

std::vector<std::string> HardViolations(const v1::CatalogBundle& catalog, const std::string& m,
                                        const std::vector<CohortTimetable>& timetables) {
  std::vector<std::string> out;
  std::map<std::string, const v1::Venue*> venues;
  std::map<std::string, std::string> venue_institution;
  std::map<std::string, const v1::Instructor*> instructors;
  std::map<std::string, const v1::ProgramTemplate*> programs;
  const v1::MunicipalityCalendar* calendar = nullptr;
  for (const auto& i : catalog.institutions()) {
    if (i.municipality() != m) continue;
    for (const auto& v : i.venues()) {
      venues[v.venue_id()] = &v;
      venue_institution[v.venue_id()] = i.institution_id();
    }
  }
  for (const auto& i : catalog.instructors()) {
    if (i.municipality() == m) instructors[i.instructor_id()] = &i;
  }
  for (const auto& p : catalog.programs()) {
    if (p.municipality() == m) programs[p.program_id()] = &p;
  }
  for (const auto& c : catalog.calendars()) {
    if (c.municipality() == m) calendar = &c;
  }
  auto closed_for_everyone = [&](absl::CivilDay d) {
    return ClosedHolidays().count(absl::FormatCivilTime(d)) > 0 ||
           (calendar != nullptr && InRanges(calendar->closed_periods(), d));
  };

  struct Held {
    absl::CivilDay day;
    int start, end;
    std::string session_id;
  };
  std::map<std::string, std::vector<Held>> by_venue, by_instructor;

  for (const auto& t : timetables) {
    const v1::Cohort& c = t.cohort;
    auto where = [&](const v1::Session& s) {
      return absl::StrCat(c.cohort_id(), " session ", s.index(), " on ", s.day(), " ",
                          s.start_minute(), "-", s.end_minute(), ": ");
    };
    auto pit = programs.find(c.program_id());
    if (pit == programs.end()) {
      out.push_back(absl::StrCat(c.cohort_id(), ": unknown program"));
      continue;
    }
    const v1::ProgramTemplate& p = *pit->second;
    std::map<std::string, const v1::Activity*> activities;
    for (const auto& a : p.activities()) activities[a.activity_id()] = &a;
    std::set<std::string> days;
    std::map<absl::CivilDay, int> per_week;
    const v1::Session* first = nullptr;
    const v1::Session* last = nullptr;
    for (const auto& s : t.sessions) {
      absl::CivilDay d = Day(s.day());
      if (!days.insert(s.day()).second)
        out.push_back(where(s) + "two sessions of the cohort that day");
      ++per_week[MondayOf(d)];
      if (first == nullptr || s.day() < first->day()) first = &s;
      if (last == nullptr || s.day() > last->day()) last = &s;
      if (!Within(p.allowed_hours(), d, s.start_minute(), s.end_minute()))
        out.push_back(where(s) + "outside the program's time window");
      if (s.start_minute() % 30 != 0) out.push_back(where(s) + "start off the 30-minute grid");
      auto ait = activities.find(s.activity_id());
      if (ait == activities.end()) {
        out.push_back(where(s) + "unknown activity");
      } else {
        if (s.end_minute() - s.start_minute() != ait->second->duration_minutes())
          out.push_back(where(s) + "wrong duration");
        bool hosted = false;
        for (const auto& h : ait->second->institution_ids()) hosted |= h == s.institution_id();
        if (!hosted) out.push_back(where(s) + "institution does not host the activity");
      }
      auto vit = venues.find(s.venue_id());
      if (vit == venues.end() || venue_institution[s.venue_id()] != s.institution_id()) {
        out.push_back(where(s) + "venue is not the institution's");
      } else {
        const v1::Venue& v = *vit->second;
        if (!Within(v.opening_hours(), d, s.start_minute(), s.end_minute()))
          out.push_back(where(s) + "venue not open");
        if (v.capacity() < c.capacity()) out.push_back(where(s) + "venue too small");
        if (InRanges(v.closures(), d)) out.push_back(where(s) + "venue closed that day");
      }
      auto iit = instructors.find(s.instructor_id());
      if (iit == instructors.end() || iit->second->institution_id() != s.institution_id()) {
        out.push_back(where(s) + "instructor is not the institution's");
      } else {
        if (!Within(iit->second->availability(), d, s.start_minute(), s.end_minute()))
          out.push_back(where(s) + "instructor not available");
        if (InRanges(iit->second->absences(), d)) out.push_back(where(s) + "instructor absent");
      }
      if (closed_for_everyone(d)) out.push_back(where(s) + "a holiday or closed period");
      by_venue[s.venue_id()].push_back({d, s.start_minute(), s.end_minute(), s.session_id()});
      by_instructor[s.instructor_id()].push_back(
          {d, s.start_minute(), s.end_minute(), s.session_id()});
    }
    if (t.sessions.empty()) {
      out.push_back(absl::StrCat(c.cohort_id(), ": no sessions"));
      continue;
    }
    if (!p.first_activity_id().empty() && first->activity_id() != p.first_activity_id()) {
      out.push_back(absl::StrCat(c.cohort_id(), ": first session is ", first->activity_id()));
    }
    if (!p.last_activity_id().empty() && last->activity_id() != p.last_activity_id()) {
      out.push_back(absl::StrCat(c.cohort_id(), ": last session is ", last->activity_id()));
    }
    int course_weeks = 0, paused = 0;
    for (absl::CivilDay w = MondayOf(Day(first->day())); w <= Day(last->day()); w += 7) {
      auto it = per_week.find(w);
      int n = it == per_week.end() ? 0 : it->second;
      if (n == 0) {
        int open = 0;
        for (int k = 0; k < 5; ++k) open += closed_for_everyone(w + k) ? 0 : 1;
        if (open >= p.min_sessions_per_week()) {
          out.push_back(
              absl::StrCat(c.cohort_id(), ": skips the open week of ", absl::FormatCivilTime(w)));
        }
        ++paused;
        continue;
      }
      ++course_weeks;
      if (n < p.min_sessions_per_week() || n > p.max_sessions_per_week()) {
        out.push_back(absl::StrCat(c.cohort_id(), ": ", n, " sessions in the week of ",
                                   absl::FormatCivilTime(w)));
      }
    }
    if (course_weeks != p.weeks())
      out.push_back(absl::StrCat(c.cohort_id(), ": ", course_weeks, " course weeks"));
    if (paused > 2) out.push_back(absl::StrCat(c.cohort_id(), ": ", paused, " paused weeks"));
  }
  auto overlaps = [&](const std::map<std::string, std::vector<Held>>& held, const char* what) {
    for (const auto& [id, list] : held) {
      for (size_t a = 0; a < list.size(); ++a) {
        for (size_t b = a + 1; b < list.size(); ++b) {
          if (list[a].day == list[b].day && list[a].start < list[b].end &&
              list[b].start < list[a].end) {
            out.push_back(absl::StrCat(what, " ", id, " double-booked: ", list[a].session_id,
                                       " and ", list[b].session_id));
          }
        }
      }
    }
  };
  overlaps(by_venue, "venue");
  overlaps(by_instructor, "instructor");
  return out;
}

}  // namespace kpr::testing
