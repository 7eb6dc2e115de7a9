#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_KEYS_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_KEYS_H_

// The scheduling service's Redis keys (layout in scheduling_store.h), built in one place, and
// the key lists its scripts declare. Every key is "kpr:{<m>}:scheduling:..." so that one
// municipality's keys share a cluster slot. The scripts take every key they touch in KEYS, in
// the order these lists give (scheduling_store_lua.h): a key found while a script runs would
// escape Redis Cluster's ASK / TRYAGAIN check. Pure: no I/O.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kpr::scheduling::keys {

// "kpr:{m}:scheduling:" (the catalog hashes are this plus their kind).
std::string Prefix(absl::string_view m);

std::string Cohort(absl::string_view m, absl::string_view cohort_id);      // c:<id>
std::string Timetable(absl::string_view m, absl::string_view cohort_id);   // cs:<id>
std::string Enrolments(absl::string_view m, absl::string_view cohort_id);  // enr:<id>
std::string Session(absl::string_view m, absl::string_view session_id);    // s:<id>

// The week views: session ids by dn*1440+start.
std::string VenueSessions(absl::string_view m, absl::string_view venue_id);              // sv:
std::string InstructorSessions(absl::string_view m, absl::string_view instructor_id);    // si:
std::string InstitutionSessions(absl::string_view m, absl::string_view institution_id);  // sn:
// The bookings a session holds on its day.
std::string VenueBookings(absl::string_view m, absl::string_view venue_id,
                          absl::string_view day);  // bv:<venue>:<day>
std::string InstructorBookings(absl::string_view m, absl::string_view instructor_id,
                               absl::string_view day);  // bi:<instructor>:<day>

std::string Waitlist(absl::string_view m, absl::string_view program_id);           // wl:
std::string WaitlistEntries(absl::string_view m, absl::string_view program_id);    // wld:
std::string ProgramEnrolments(absl::string_view m, absl::string_view program_id);  // pe:
std::string OpenCohorts(absl::string_view m, absl::string_view program_id);        // open:
std::string ProgramCohorts(absl::string_view m, absl::string_view program_id);     // cohorts:p:

std::string AllSessions(absl::string_view m);       // sd
std::string Cohorts(absl::string_view m);           // cohorts
std::string Requests(absl::string_view m);          // req
std::string ReferralPrograms(absl::string_view m);  // refp
std::string Triggers(absl::string_view m);          // trig
std::string WaitlistClock(absl::string_view m);     // wlclock

// ---- What the scripts declare, in their order ----

// The first KEYS of every write script: outbox, timers, timers:data, trig, refp, cohorts,
// wlclock, sd.
std::vector<std::string> WriteKeys(absl::string_view m);
// A cohort's: c, cs, enr.
std::vector<std::string> CohortKeys(absl::string_view m, absl::string_view cohort_id);
// A program's: wl, wld, pe, open, cohorts:p.
std::vector<std::string> ProgramKeys(absl::string_view m, absl::string_view program_id);

// Where a session sits: its week views and its bookings that day.
struct SessionPlace {
  std::string day;  // ISO day
  std::string institution_id;
  std::string venue_id;
  std::string instructor_id;
};
// sv, si, sn, bv, bi of `place`.
std::vector<std::string> PlaceKeys(absl::string_view m, const SessionPlace& place);

}  // namespace kpr::scheduling::keys

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_KEYS_H_
