#include "services/scheduling/catalog_mapping.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/calendar/civil_day.h"

namespace kpr::scheduling {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

absl::Status Annotate(const absl::Status& s, absl::string_view context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(context, ": ", s.message()));
}

absl::StatusOr<std::vector<ClosedPeriod>> ToClosedPeriods(
    const google::protobuf::RepeatedPtrField<v1::DateRange>& ranges) {
  std::vector<ClosedPeriod> out;
  out.reserve(ranges.size());
  for (const v1::DateRange& r : ranges) {
    absl::StatusOr<ClosedPeriod> p = ToClosedPeriod(r);
    if (!p.ok()) return p.status();
    out.push_back(*std::move(p));
  }
  return out;
}

}  // namespace

absl::StatusOr<WeeklySpans> ToWeeklySpans(
    const google::protobuf::RepeatedPtrField<v1::WeeklyHours>& hours) {
  WeeklySpans spans;
  for (const v1::WeeklyHours& h : hours) {
    if (h.weekday() < 1 || h.weekday() > 7) {
      return absl::InvalidArgumentError(
          absl::StrCat("weekday ", h.weekday(), " is not 1 (Monday) .. 7 (Sunday)"));
    }
    if (h.start_minute() < 0 || h.start_minute() >= h.end_minute() ||
        h.end_minute() > kMinutesPerDay) {
      return absl::InvalidArgumentError(absl::StrCat("hours ", h.start_minute(), "-",
                                                     h.end_minute(),
                                                     " are not within 0 <= start < end <= 1440"));
    }
    spans[h.weekday() - 1].push_back(MinuteSpan{h.start_minute(), h.end_minute()});
  }
  for (std::vector<MinuteSpan>& day : spans) {
    std::sort(day.begin(), day.end(), [](MinuteSpan a, MinuteSpan b) { return a.start < b.start; });
    std::vector<MinuteSpan> merged;
    for (MinuteSpan s : day) {
      if (!merged.empty() && s.start <= merged.back().end) {
        merged.back().end = std::max(merged.back().end, s.end);
      } else {
        merged.push_back(s);
      }
    }
    day = std::move(merged);
  }
  return spans;
}

absl::StatusOr<ClosedPeriod> ToClosedPeriod(const v1::DateRange& range) {
  absl::StatusOr<absl::CivilDay> first = calendar::ParseDay(range.first_day());
  if (!first.ok()) return Annotate(first.status(), "first_day");
  absl::StatusOr<absl::CivilDay> last = calendar::ParseDay(range.last_day());
  if (!last.ok()) return Annotate(last.status(), "last_day");
  if (*first > *last) {
    return absl::InvalidArgumentError(absl::StrCat("period ", range.first_day(), "..",
                                                   range.last_day(), " ends before it starts"));
  }
  return ClosedPeriod{*first, *last, range.reason()};
}

v1::DateRange ToDateRangeProto(const ClosedPeriod& period) {
  v1::DateRange r;
  r.set_first_day(calendar::FormatDay(period.first));
  r.set_last_day(calendar::FormatDay(period.last));
  r.set_reason(period.reason);
  return r;
}

absl::StatusOr<PlanningWorld> BuildPlanningWorld(absl::string_view municipality,
                                                 const std::vector<v1::Institution>& institutions,
                                                 const std::vector<v1::Instructor>& instructors,
                                                 const v1::MunicipalityCalendar& calendar) {
  PlanningWorld world;
  world.municipality = std::string(municipality);
  absl::flat_hash_set<absl::string_view> institution_ids;
  absl::flat_hash_set<absl::string_view> venue_ids;
  absl::flat_hash_set<absl::string_view> instructor_ids;

  world.institutions.reserve(institutions.size());
  for (const v1::Institution& inst : institutions) {
    const std::string context = absl::StrCat("institution ", inst.institution_id());
    if (inst.municipality() != municipality) {
      return absl::InvalidArgumentError(absl::StrCat(context, " belongs to municipality ",
                                                     inst.municipality(), ", not ", municipality));
    }
    if (!institution_ids.insert(inst.institution_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(context, " is listed twice"));
    }
    world.institutions.push_back(InstitutionModel{inst.institution_id(), inst.name()});
    for (const v1::Venue& v : inst.venues()) {
      const std::string venue_context = absl::StrCat(context, ", venue ", v.venue_id());
      if (!venue_ids.insert(v.venue_id()).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(venue_context, ": venue id used twice in the municipality"));
      }
      VenueModel venue;
      venue.id = v.venue_id();
      venue.institution_id = inst.institution_id();
      venue.name = v.name();
      venue.capacity = v.capacity();
      absl::StatusOr<WeeklySpans> opening = ToWeeklySpans(v.opening_hours());
      if (!opening.ok()) return Annotate(opening.status(), venue_context);
      venue.opening = *std::move(opening);
      absl::StatusOr<std::vector<ClosedPeriod>> closures = ToClosedPeriods(v.closures());
      if (!closures.ok()) return Annotate(closures.status(), venue_context);
      venue.closures = *std::move(closures);
      world.venues.push_back(std::move(venue));
    }
  }

  world.instructors.reserve(instructors.size());
  for (const v1::Instructor& ins : instructors) {
    const std::string context = absl::StrCat("instructor ", ins.instructor_id());
    if (ins.municipality() != municipality) {
      return absl::InvalidArgumentError(absl::StrCat(context, " belongs to municipality ",
                                                     ins.municipality(), ", not ", municipality));
    }
    if (!instructor_ids.insert(ins.instructor_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(context, " is listed twice"));
    }
    InstructorModel model;
    model.id = ins.instructor_id();
    model.institution_id = ins.institution_id();
    absl::StatusOr<WeeklySpans> availability = ToWeeklySpans(ins.availability());
    if (!availability.ok()) return Annotate(availability.status(), context);
    model.availability = *std::move(availability);
    absl::StatusOr<std::vector<ClosedPeriod>> absences = ToClosedPeriods(ins.absences());
    if (!absences.ok()) return Annotate(absences.status(), context);
    model.absences = *std::move(absences);
    world.instructors.push_back(std::move(model));
  }

  if (!calendar.municipality().empty() && calendar.municipality() != municipality) {
    return absl::InvalidArgumentError(absl::StrCat(
        "calendar belongs to municipality ", calendar.municipality(), ", not ", municipality));
  }
  for (const v1::DateRange& r : calendar.closed_periods()) {
    absl::StatusOr<ClosedPeriod> p = ToClosedPeriod(r);
    if (!p.ok()) return Annotate(p.status(), "calendar");
    if (absl::Status s = world.calendar.AddClosedPeriod(*std::move(p)); !s.ok()) {
      return Annotate(s, "calendar");
    }
  }
  return world;
}

absl::StatusOr<ProgramModel> ToProgramModel(const v1::ProgramTemplate& program) {
  ProgramModel model;
  model.id = program.program_id();
  model.municipality = program.municipality();
  model.name = program.name();
  model.weeks = program.weeks();
  model.min_sessions_per_week = program.min_sessions_per_week();
  model.max_sessions_per_week = program.max_sessions_per_week();
  model.activities.reserve(program.activities_size());
  for (const v1::Activity& a : program.activities()) {
    model.activities.push_back(ActivityModel{
        a.activity_id(), a.name(), a.duration_minutes(),
        std::vector<std::string>(a.institution_ids().begin(), a.institution_ids().end())});
  }
  model.first_activity_id = program.first_activity_id();
  model.last_activity_id = program.last_activity_id();
  absl::StatusOr<WeeklySpans> allowed = ToWeeklySpans(program.allowed_hours());
  if (!allowed.ok()) {
    return Annotate(allowed.status(), absl::StrCat("program ", program.program_id()));
  }
  model.allowed_hours = *std::move(allowed);
  model.min_cohort_size = program.min_cohort_size();
  model.max_cohort_size = program.max_cohort_size();
  return model;
}

v1::Session ToSessionProto(const PlannedSession& session, absl::string_view cohort_id,
                           absl::string_view municipality, absl::string_view session_id) {
  v1::Session s;
  s.set_session_id(std::string(session_id));
  s.set_cohort_id(std::string(cohort_id));
  s.set_municipality(std::string(municipality));
  s.set_index(session.index);
  s.set_week_index(session.week_index);
  s.set_activity_id(session.activity_id);
  s.set_day(calendar::FormatDay(session.day));
  s.set_start_minute(session.time.start);
  s.set_end_minute(session.time.end);
  s.set_institution_id(session.institution_id);
  s.set_venue_id(session.venue_id);
  s.set_instructor_id(session.instructor_id);
  s.set_status(v1::SESSION_STATUS_SCHEDULED);
  return s;
}

absl::StatusOr<PlannedSession> ToPlannedSession(const v1::Session& session) {
  absl::StatusOr<absl::CivilDay> day = calendar::ParseDay(session.day());
  if (!day.ok()) return Annotate(day.status(), absl::StrCat("session ", session.session_id()));
  PlannedSession p;
  p.index = session.index();
  p.week_index = session.week_index();
  p.activity_id = session.activity_id();
  p.day = *day;
  p.time = MinuteSpan{session.start_minute(), session.end_minute()};
  p.institution_id = session.institution_id();
  p.venue_id = session.venue_id();
  p.instructor_id = session.instructor_id();
  return p;
}

absl::StatusOr<Booking> SessionToBooking(const v1::Session& session) {
  absl::StatusOr<absl::CivilDay> day = calendar::ParseDay(session.day());
  if (!day.ok()) return Annotate(day.status(), absl::StrCat("session ", session.session_id()));
  Booking b;
  b.session_id = session.session_id();
  b.cohort_id = session.cohort_id();
  b.day = *day;
  b.time = MinuteSpan{session.start_minute(), session.end_minute()};
  b.institution_id = session.institution_id();
  b.venue_id = session.venue_id();
  b.instructor_id = session.instructor_id();
  return b;
}

v1::SoftViolation ToSoftViolationProto(const SoftViolation& violation) {
  v1::SoftViolation v;
  v.set_constraint(std::string(SoftConstraintName(violation.constraint)));
  v.set_penalty(violation.penalty);
  v.set_detail(violation.detail);
  v.set_session_index(violation.session_index);
  return v;
}

v1::PlanObstacle ToObstacleProto(const Obstacle& obstacle) {
  v1::PlanObstacle o;
  o.set_constraint(std::string(HardConstraintName(obstacle.constraint)));
  o.set_institution_id(obstacle.institution_id);
  for (const std::string& w : obstacle.weeks) o.add_weeks(w);
  o.set_message(obstacle.message);
  return o;
}

}  // namespace kpr::scheduling
