#ifndef KPR_SERVICES_SCHEDULING_ICS_EXPORT_H_
#define KPR_SERVICES_SCHEDULING_ICS_EXPORT_H_

// iCalendar export of sessions: a cohort's timetable or an institution's bookings. Maps each
// session to an event of the shared writer (libs/calendar/ics.h, which does the RFC 5545 part):
// UID "<session_id>@kpr" and SEQUENCE = the session's version so calendar clients update moved
// sessions in place, STATUS:CANCELLED for cancelled ones, the activity as SUMMARY, the venue as
// LOCATION. Carries no participant data: sessions, places, institutions and cohort names only.
// Pure: no I/O, no clock.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_field.h"
#include "kpr/scheduling/v1/scheduling.pb.h"

namespace kpr::scheduling {

// Names the export shows instead of ids; the caller fills it from the catalog. Anything
// missing falls back to the id.
struct IcsLookup {
  struct VenueInfo {
    std::string name;
    std::string address;
  };
  struct CohortInfo {
    std::string name;
    std::string program_id;
  };

  absl::flat_hash_map<std::string, std::string> institution_names;  // institution_id -> name
  absl::flat_hash_map<std::string, VenueInfo> venues;               // venue_id -> venue
  absl::flat_hash_map<std::string, CohortInfo> cohorts;             // cohort_id -> cohort
  // program_id -> activity_id -> name (activity ids are unique within a program only; a
  // session names its program through its cohort).
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, std::string>> activity_names;

  // The institution's name and all its venues.
  void AddInstitution(const v1::Institution& institution);
  // The program's activity names.
  void AddProgram(const v1::ProgramTemplate& program);
  // The cohort's name (its id when unnamed) and program.
  void AddCohort(const v1::Cohort& cohort);
};

// The whole VCALENDAR. `calendar_name` becomes X-WR-CALNAME; `dtstamp` (when the export was
// made) is every VEVENT's DTSTAMP, in UTC. Events are ordered by day, start and session id.
// INVALID_ARGUMENT (naming the session) when a session's day does not parse or its minutes are
// outside 0 <= start < end <= 1440.
absl::StatusOr<std::string> ExportIcs(absl::string_view calendar_name,
                                      const std::vector<v1::Session>& sessions,
                                      const IcsLookup& lookup, absl::Time dtstamp);
absl::StatusOr<std::string> ExportIcs(
    absl::string_view calendar_name,
    const google::protobuf::RepeatedPtrField<v1::Session>& sessions, const IcsLookup& lookup,
    absl::Time dtstamp);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_ICS_EXPORT_H_
