#include "services/scheduling/session_reschedule.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/calendar/civil_day.h"
#include "services/scheduling/catalog_mapping.h"

namespace kpr::scheduling {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

// The slot the coordinator named, or why it cannot be had.
absl::StatusOr<PlannedSession> NamedSlot(const RescheduleWorld& in,
                                         const v1::RescheduleSessionRequest& req,
                                         const v1::Session& current, PlannedSession target,
                                         const std::vector<PlannedSession>& siblings,
                                         absl::CivilMinute now) {
  auto new_day = calendar::ParseDay(req.day());
  if (!new_day.ok()) return Invalid("day", "YYYY-MM-DD");
  const ActivityModel* activity = in.program->FindActivity(current.activity_id());
  int duration =
      activity ? activity->duration_minutes : current.end_minute() - current.start_minute();
  if (req.start_minute() < 0 || req.start_minute() + duration > 24 * 60)
    return Invalid("start_minute", "out of the day");
  target.day = *new_day;
  target.time = MinuteSpan{req.start_minute(), req.start_minute() + duration};
  if (!req.venue_id().empty()) {
    const VenueModel* venue = in.world->FindVenue(req.venue_id());
    if (venue == nullptr)
      return absl::NotFoundError(absl::StrCat("venue ", req.venue_id(), " not found"));
    target.venue_id = venue->id;
    target.institution_id = venue->institution_id;
  }
  if (!req.instructor_id().empty()) target.instructor_id = req.instructor_id();
  const absl::CivilMinute starts(new_day->year(), new_day->month(), new_day->day(),
                                 req.start_minute() / 60, req.start_minute() % 60);
  if (starts < now) return Invalid("day", "in the past");
  std::vector<std::string> broken;
  for (HardConstraint c :
       SessionViolations(*in.world, *in.others, *in.program, in.capacity, target)) {
    broken.push_back(std::string(HardConstraintName(c)));
  }
  for (const auto& s : siblings) {
    if (s.day == target.day)
      broken.push_back("weekly_rhythm (another session of the cohort that day)");
  }
  if (!broken.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the new slot breaks: ", absl::StrJoin(broken, ", ")));
  }
  return target;
}

}  // namespace

absl::StatusOr<v1::Session> RescheduledSession(const RescheduleWorld& in,
                                               const v1::RescheduleSessionRequest& req,
                                               const v1::Session& current,
                                               const std::vector<v1::Session>& timetable,
                                               absl::CivilMinute now) {
  std::vector<PlannedSession> siblings;
  for (const auto& s : timetable) {
    if (s.session_id() == current.session_id() || s.status() == v1::SESSION_STATUS_CANCELLED)
      continue;
    auto p = ToPlannedSession(s);
    if (p.ok()) siblings.push_back(*p);
  }
  auto planned = ToPlannedSession(current);
  if (!planned.ok()) return planned.status();
  PlannedSession target = *planned;
  if (req.day().empty()) {
    SlotChoice choice = FindSlotInWeek(*in.world, *in.others, *in.program, in.capacity, *planned,
                                       siblings, now, in.weights);
    if (!choice.session) {
      return absl::FailedPreconditionError(choice.obstacle ? choice.obstacle->message
                                                           : "no free slot in the session's week");
    }
    target = *choice.session;
  } else {
    auto named = NamedSlot(in, req, current, target, siblings, now);
    if (!named.ok()) return named.status();
    target = *named;
  }
  v1::Session out =
      ToSessionProto(target, current.cohort_id(), req.municipality(), current.session_id());
  out.set_index(current.index());
  out.set_week_index(current.week_index());
  out.set_version(current.version());
  out.set_change_reason(req.reason());
  return out;
}

}  // namespace kpr::scheduling
