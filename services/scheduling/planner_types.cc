#include "services/scheduling/planner_types.h"

namespace kpr::scheduling {

absl::string_view HardConstraintName(HardConstraint c) {
  switch (c) {
    case HardConstraint::kTimeWindow:
      return "time_window";
    case HardConstraint::kOpeningHours:
      return "opening_hours";
    case HardConstraint::kInstructorUnavailable:
      return "instructor_unavailable";
    case HardConstraint::kVenueBooked:
      return "venue_booked";
    case HardConstraint::kInstructorBooked:
      return "instructor_booked";
    case HardConstraint::kCapacity:
      return "capacity";
    case HardConstraint::kClosed:
      return "closed";
    case HardConstraint::kNoHost:
      return "no_host";
    case HardConstraint::kWeeklyRhythm:
      return "weekly_rhythm";
    case HardConstraint::kFirstSession:
      return "first_session";
    case HardConstraint::kLastSession:
      return "last_session";
  }
  return "unknown";
}

absl::string_view SoftConstraintName(SoftConstraint c) {
  switch (c) {
    case SoftConstraint::kHabit:
      return "habit";
    case SoftConstraint::kRotation:
      return "rotation";
    case SoftConstraint::kInstructorContinuity:
      return "instructor_continuity";
    case SoftConstraint::kInstitutionLoad:
      return "institution_load";
    case SoftConstraint::kFewerSessions:
      return "fewer_sessions";
  }
  return "unknown";
}

}  // namespace kpr::scheduling
