#ifndef KPR_SERVICES_SCHEDULING_CATALOG_MAPPING_H_
#define KPR_SERVICES_SCHEDULING_CATALOG_MAPPING_H_

// Conversions between the scheduling protos (what is stored and sent) and the planner's plain
// C++ model (planning_model.h, cohort_planner.h). Pure: no I/O, no clock. The mapping checks
// only what it needs to build a model (days parse, weekdays and minutes are in range); the full
// rules live in catalog_validator.h.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/repeated_field.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "libs/calendar/civil_day.h"
#include "services/scheduling/closure_calendar.h"
#include "services/scheduling/planner_types.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling {

// Proto weekly hours (ISO weekday 1..7) to spans indexed 0 = Monday .. 6 = Sunday, each day's
// spans sorted by start and overlapping or touching spans merged (09-12 + 12-15 = 09-15).
// INVALID_ARGUMENT on a weekday outside 1..7 or a span not within 0 <= start < end <= 1440.
absl::StatusOr<WeeklySpans> ToWeeklySpans(
    const google::protobuf::RepeatedPtrField<v1::WeeklyHours>& hours);

// Both days must parse and first <= last. The reason is copied as is.
absl::StatusOr<ClosedPeriod> ToClosedPeriod(const v1::DateRange& range);
v1::DateRange ToDateRangeProto(const ClosedPeriod& period);

// One municipality's planning world: institutions, their venues (institution_id filled), the
// instructors, venue closures and instructor absences as ClosedPeriods, and the municipality's
// closed periods added to world.calendar (public holidays are built into ClosureCalendar).
// INVALID_ARGUMENT when an entity belongs to another municipality, an institution, venue or
// instructor id appears twice, or a day or weekly span does not map. `calendar` may be an empty
// proto (no closed periods yet). An instructor whose institution is not listed is kept (it can
// never be used: no venue of its institution exists).
absl::StatusOr<PlanningWorld> BuildPlanningWorld(absl::string_view municipality,
                                                 const std::vector<v1::Institution>& institutions,
                                                 const std::vector<v1::Instructor>& instructors,
                                                 const v1::MunicipalityCalendar& calendar);

// INVALID_ARGUMENT when the allowed hours do not map.
absl::StatusOr<ProgramModel> ToProgramModel(const v1::ProgramTemplate& program);

// A planned session as a proto: status SCHEDULED, version 0 (the store sets it), no
// change_reason. An empty session_id is allowed (PlanCohort's dry run).
v1::Session ToSessionProto(const PlannedSession& session, absl::string_view cohort_id,
                           absl::string_view municipality, absl::string_view session_id);
// INVALID_ARGUMENT when the day does not parse.
absl::StatusOr<PlannedSession> ToPlannedSession(const v1::Session& session);

// What a stored session holds (its venue and instructor for its time). The caller leaves out
// cancelled sessions: they hold nothing. INVALID_ARGUMENT when the day does not parse.
absl::StatusOr<Booking> SessionToBooking(const v1::Session& session);

// constraint is the SoftConstraint's name ("habit", "rotation", "instructor_continuity",
// "institution_load", "fewer_sessions").
v1::SoftViolation ToSoftViolationProto(const SoftViolation& violation);
// constraint is the HardConstraint's name ("time_window", ..., "last_session").
v1::PlanObstacle ToObstacleProto(const Obstacle& obstacle);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_CATALOG_MAPPING_H_
