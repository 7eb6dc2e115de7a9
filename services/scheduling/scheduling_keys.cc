#include "services/scheduling/scheduling_keys.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/store/keys.h"
#include "libs/store/outbox.h"
#include "libs/timer/timer_store.h"

namespace kpr::scheduling::keys {
namespace {

constexpr char kService[] = "scheduling";  // = kSchedulingService; this file stays pure

std::string K(absl::string_view m, absl::string_view a, absl::string_view b = "") {
  return store::Key(m, kService, absl::StrCat(a, b));
}

}  // namespace

std::string Prefix(absl::string_view m) { return K(m, ""); }

std::string Cohort(absl::string_view m, absl::string_view id) { return K(m, "c:", id); }
std::string Timetable(absl::string_view m, absl::string_view id) { return K(m, "cs:", id); }
std::string Enrolments(absl::string_view m, absl::string_view id) { return K(m, "enr:", id); }
std::string Session(absl::string_view m, absl::string_view id) { return K(m, "s:", id); }

std::string VenueSessions(absl::string_view m, absl::string_view id) { return K(m, "sv:", id); }
std::string InstructorSessions(absl::string_view m, absl::string_view id) {
  return K(m, "si:", id);
}
std::string InstitutionSessions(absl::string_view m, absl::string_view id) {
  return K(m, "sn:", id);
}
std::string VenueBookings(absl::string_view m, absl::string_view id, absl::string_view day) {
  return K(m, "bv:", absl::StrCat(id, ":", day));
}
std::string InstructorBookings(absl::string_view m, absl::string_view id, absl::string_view day) {
  return K(m, "bi:", absl::StrCat(id, ":", day));
}

std::string Waitlist(absl::string_view m, absl::string_view p) { return K(m, "wl:", p); }
std::string WaitlistEntries(absl::string_view m, absl::string_view p) { return K(m, "wld:", p); }
std::string ProgramEnrolments(absl::string_view m, absl::string_view p) { return K(m, "pe:", p); }
std::string OpenCohorts(absl::string_view m, absl::string_view p) { return K(m, "open:", p); }
std::string ProgramCohorts(absl::string_view m, absl::string_view p) {
  return K(m, "cohorts:p:", p);
}

std::string AllSessions(absl::string_view m) { return K(m, "sd"); }
std::string Cohorts(absl::string_view m) { return K(m, "cohorts"); }
std::string Requests(absl::string_view m) { return K(m, "req"); }
std::string ReferralPrograms(absl::string_view m) { return K(m, "refp"); }
std::string Triggers(absl::string_view m) { return K(m, "trig"); }
std::string WaitlistClock(absl::string_view m) { return K(m, "wlclock"); }

std::vector<std::string> WriteKeys(absl::string_view m) {
  return {store::OutboxKey(m, kService),
          timer::TimersKey(m, kService),
          timer::TimerDataKey(m, kService),
          Triggers(m),
          ReferralPrograms(m),
          Cohorts(m),
          WaitlistClock(m),
          AllSessions(m)};
}

std::vector<std::string> CohortKeys(absl::string_view m, absl::string_view cohort_id) {
  return {Cohort(m, cohort_id), Timetable(m, cohort_id), Enrolments(m, cohort_id)};
}

std::vector<std::string> ProgramKeys(absl::string_view m, absl::string_view program_id) {
  return {Waitlist(m, program_id), WaitlistEntries(m, program_id), ProgramEnrolments(m, program_id),
          OpenCohorts(m, program_id), ProgramCohorts(m, program_id)};
}

std::vector<std::string> PlaceKeys(absl::string_view m, const SessionPlace& p) {
  return {VenueSessions(m, p.venue_id), InstructorSessions(m, p.instructor_id),
          InstitutionSessions(m, p.institution_id), VenueBookings(m, p.venue_id, p.day),
          InstructorBookings(m, p.instructor_id, p.day)};
}

}  // namespace kpr::scheduling::keys
