#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_H_

// The scheduling service's state in Redis: the catalog (institutions with venues, instructors,
// the municipality calendar, program templates), cohorts, their sessions and bookings,
// enrolments and waitlists. Every change is ONE Lua script (EVALSHA) that checks the expected
// state, writes the entities and all their indexes, appends the caller's pre-built events to the
// outbox and schedules / cancels durable timers, all or nothing. Bookings are checked for
// overlaps inside the script, so two writers can never double-book a venue or an instructor.
//
// Entities are stored as serialized protobuf WITHOUT the fields the store owns; those live in
// hash fields the scripts maintain and are filled in on every read:
//   Cohort:  version, status, cancel_reason, enrolled_count (= enrolments), first_day, last_day,
//            session_count (= sessions not cancelled; first/last day over those), capacity.
//   Session: version, status, change_reason.
//   Catalog entities: version.
// Versions start at 1 and grow by one on every change of the entity. A cohort's version also
// grows when its enrolments or its timetable change (so an event listing its participants can be
// guarded by the version it was built from).
//
// Events are built by the caller (libs/bus/envelope.h MakeEvent) for each possible outcome; the
// store only decides which of them to append. An event's content never depends on something only
// the script knows: when the caller's view turns out stale, the script writes nothing and the
// call fails with ABORTED; the caller re-reads, rebuilds and retries.
//
// Errors (absl::Status): INVALID_ARGUMENT (malformed input), NOT_FOUND, ABORTED (stale version
// or stale view: re-read and retry), FAILED_PRECONDITION (the state forbids it), ALREADY_EXISTS
// (a new id that is taken), UNAVAILABLE (Redis down), DATA_LOSS (stored data does not decode).
//
// Keys (m = municipality; prefix P = "kpr:{m}:scheduling:"; all in m's hash slot; day = ISO
// "YYYY-MM-DD"; dn = days since 1970-01-01; ids are the entities' ids):
//   P institutions / P institutions:v      hash id -> Institution pb / version
//   P instructors  / P instructors:v       hash id -> Instructor pb / version
//   P programs     / P programs:v          hash id -> ProgramTemplate pb / version
//   P calendar     / P calendar:v          hash "calendar" -> MunicipalityCalendar pb / version
//   P c:<cohort>        hash  pb, v, st, cr, cap, prog, fd, ld, fdn (first day as dn), sc
//   P cs:<cohort>       zset  session ids by index (the cohort's timetable)
//   P s:<session>       hash  pb, v, st, cr, c (cohort), day, dn, s, e (minutes), inst, ven, ins
//   P bv:<venue>:<day>  zset  "<start>:<end>:<session>" by start: SCHEDULED sessions holding the
//   P bi:<instr>:<day>  zset  venue / instructor that day (the overlap check reads these)
//   P sv:<venue> / P si:<instr> / P sn:<institution>   zset session ids by dn*1440+start
//                       (all sessions, also cancelled: the week views)
//   P sd                zset  every session id by dn*1440+start (LoadBookings)
//   P cohorts           zset  cohort ids by first day (dn); P cohorts:p:<program> the same per
//                       program; P open:<program> the OPEN cohorts of the program
//   P req               hash  CommitCohort request_id -> cohort id
//   P enr:<cohort>      hash  referral id -> Enrollment pb
//   P pe:<program>      hash  referral id -> cohort id it is enrolled in (one per program)
//   P wl:<program>      zset  waitlisted referral ids by waitlisted_at (Unix microseconds,
//                       strictly increasing: FIFO order is the order the scripts ran)
//   P wld:<program>     hash  referral id -> WaitlistEntry pb (position, waitlisted_at not stored)
//   P wlclock           string last waitlisted_at handed out
//   P refp              hash  referral id -> program id it is enrolled or waitlisted in
//   P trig              zset  processed trigger event ids by processing time (ms); pruned
//                       after kTriggerRetention
//   P outbox            stream the outbox (libs/store/outbox.h)
//   P timers, P timers:data   durable timers (libs/timer), service "scheduling"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "libs/bus/outbox_event.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"
#include "libs/timer/timer_store.h"

namespace kpr::scheduling {

// Service name in keys, outbox and timers.
inline constexpr char kSchedulingService[] = "scheduling";
// How long processed-trigger markers are kept.
inline constexpr absl::Duration kTriggerRetention = absl::Hours(24 * 14);

// Durable timer ids of a cohort's lifecycle ("open:<id>", "start:<id>", "complete:<id>").
std::string OpenTimerId(absl::string_view cohort_id);
std::string StartTimerId(absl::string_view cohort_id);
std::string CompleteTimerId(absl::string_view cohort_id);

using bus::OutboxEvent;  // the one outbox-event type

// ---- Catalog ----------------------------------------------------------------------------------

// Everything the planner needs from the catalog, read in one round trip. Sorted by id.
struct CatalogSnapshot {
  std::vector<v1::Institution> institutions;
  std::vector<v1::Instructor> instructors;
  v1::MunicipalityCalendar calendar;  // version 0 when none was ever put
  std::vector<v1::ProgramTemplate> programs;
};

// ---- Cohorts and sessions ---------------------------------------------------------------------

// A session of the caller's that overlaps a booking (or another session of the same call).
struct BookingConflict {
  enum class Resource { kVenue, kInstructor };
  std::string session_id;         // the caller's session
  std::string booked_session_id;  // the session already holding the resource
  std::string booked_cohort_id;   // its cohort ("" if it is one of the call's own sessions)
  Resource resource = Resource::kVenue;
  std::string resource_id;  // the venue or instructor id
  std::string day;
  int start_minute = 0;  // the booked session's time
  int end_minute = 0;
};

// A waitlisted referral that is to get a seat, with its pre-built Enrolled event
// (from_waitlist = true). The store writes the Enrollment (enrolled_at = now).
struct WaitlistSeat {
  std::string referral_id;
  std::string citizen_id;
  OutboxEvent enrolled_event;
  absl::Time accepted_at = absl::InfinitePast();  // from the waitlist entry
};

struct CohortCommit {
  // municipality, cohort_id, program_id, status (PLANNED or OPEN), capacity, first/last day,
  // name, score ... set. version / enrolled_count / cancel_reason are ignored.
  v1::Cohort cohort;
  // Every session: session_id (unique in the municipality), cohort_id = cohort's,
  // municipality, day, start/end minute, institution_id, venue_id, instructor_id; status
  // SCHEDULED. version is ignored (new sessions get 1).
  std::vector<v1::Session> sessions;
  // Idempotency key; required. A repeat returns the cohort created the first time.
  std::string request_id;
  std::vector<OutboxEvent> events;   // e.g. CohortPlanned, SessionScheduled...
  std::vector<timer::Timer> timers;  // e.g. open:/start:/complete:<cohort_id>
  // Only for a cohort created OPEN, and required then: the program's waitlist heads as read
  // (as for CohortTransition::fill_from_waitlist); they get the seats in the same step.
  // ABORTED (nothing written) if the actual heads are not a prefix of these.
  std::vector<WaitlistSeat> fill_from_waitlist;
};

struct CommitResult {
  enum class Outcome {
    kCreated,
    kAlreadyCommitted,  // request_id seen before: cohort/sessions are the ones created then
    kConflict,          // nothing was written; see conflicts; re-plan and retry
  };
  Outcome outcome = Outcome::kCreated;
  v1::Cohort cohort;                  // stored state (kCreated, kAlreadyCommitted)
  std::vector<v1::Session> sessions;  // by index
  std::vector<BookingConflict> conflicts;
  std::vector<v1::Enrollment> filled;  // seats given from the waitlist (kCreated)
};

// ListCohorts. Order: by first_day, then cohort_id (ascending; `descending` reverses).
struct CohortQuery {
  std::string municipality;
  std::string program_id;                                   // "" = all programs
  v1::CohortStatus status = v1::COHORT_STATUS_UNSPECIFIED;  // unspecified = any
  int page_size = 100;                                      // clamped to 1..500
  std::string page_token;                                   // from CohortPage
  bool descending = false;
};
struct CohortPage {
  std::vector<v1::Cohort> cohorts;
  std::string next_page_token;  // "" at the end
};

// ListSessions: by cohort (all its sessions by index; days ignored) or by institution / venue /
// instructor over the inclusive day range [from, to], ordered by (day, start, session id).
struct SessionQuery {
  enum class By { kCohort, kInstitution, kVenue, kInstructor };
  std::string municipality;
  By by = By::kCohort;
  std::string id;  // cohort / institution / venue / instructor id
  absl::CivilDay from;
  absl::CivilDay to;
  bool include_cancelled = false;
};

struct SessionsUpdate {
  std::string municipality;
  std::string cohort_id;
  // The new state of each changed session (moved: day/time/venue/instructor/institution;
  // cancelled: status SESSION_CANCELLED; change_reason set), each with `version` = the version
  // the caller read (ABORTED if stale). Every session must belong to cohort_id.
  std::vector<v1::Session> sessions;
  // Optional: replaces the cohort's descriptive fields (name, score, soft_violations, opens_at,
  // start week) after a repair. Fields the store owns are ignored.
  std::optional<v1::Cohort> cohort;
  std::vector<OutboxEvent> events;   // SessionRescheduled / SessionCancelled ...
  std::vector<timer::Timer> timers;  // e.g. start:/complete: moved with the timetable
  std::vector<std::string> cancel_timer_ids;
  std::string trigger_id;  // optional: a repeat is a no-op
};

struct SessionsUpdateResult {
  enum class Outcome {
    kUpdated,
    kConflict,          // nothing written; see conflicts
    kDuplicateTrigger,  // trigger_id seen before; nothing written
  };
  Outcome outcome = Outcome::kUpdated;
  std::vector<v1::Session> sessions;  // stored state of the changed sessions (kUpdated)
  std::vector<BookingConflict> conflicts;
};

struct CohortTransition {
  std::string municipality;
  std::string cohort_id;
  v1::CohortStatus to = v1::COHORT_STATUS_UNSPECIFIED;  // OPEN, RUNNING or COMPLETED
  // The statuses it may leave; from any other (except `to`) -> FAILED_PRECONDITION.
  std::vector<v1::CohortStatus> allowed_from;
  // 0 = no check; else ABORTED unless the cohort still has this version (use it when an event
  // lists the participants).
  int64_t expected_version = 0;
  std::vector<OutboxEvent> events;
  std::vector<timer::Timer> timers;
  std::vector<std::string> cancel_timer_ids;
  // Only with to == OPEN, and required then: the program's waitlist heads as read (at least as
  // many as the cohort has free seats, or the whole waitlist; empty if the waitlist is empty).
  // The free seats go to them in the same step, so nobody placed later jumps the queue. ABORTED
  // unless the actual heads are a prefix of these (see FillFromWaitlist).
  std::vector<WaitlistSeat> fill_from_waitlist;
  std::string trigger_id;  // optional
};

struct CohortCancel {
  std::string municipality;
  std::string cohort_id;
  std::string reason;
  int64_t expected_version = 0;     // 0 = no check
  std::vector<OutboxEvent> events;  // CohortCancelled (with participants) ...
  std::string trigger_id;           // optional
};

struct TransitionResult {
  enum class Outcome {
    kChanged,
    kAlreadyThere,      // the cohort already had the target status: nothing written
    kDuplicateTrigger,  // nothing written
  };
  Outcome outcome = Outcome::kChanged;
  v1::Cohort cohort;                   // stored state afterwards
  std::vector<v1::Enrollment> filled;  // seats given from the waitlist
};

// ---- Enrolment --------------------------------------------------------------------------------

// An explicit enrolment into one cohort (coordinator's Enroll with cohort_id).
struct EnrollInCohort {
  std::string municipality;
  std::string cohort_id;
  std::string referral_id;
  std::string citizen_id;
  OutboxEvent enrolled_event;  // Enrolled (from_waitlist false)
  std::string trigger_id;      // optional
};

// An OPEN cohort that automatic placement may use, with its pre-built Enrolled event.
struct PlacementCandidate {
  std::string cohort_id;
  std::string first_day;       // as read; ABORTED if the cohort's first day changed since
  OutboxEvent enrolled_event;  // Enrolled (from_waitlist false)
};

// Automatic placement (referral accepted, Enroll without cohort_id).
struct Placement {
  std::string municipality;
  std::string program_id;
  std::string referral_id;
  std::string citizen_id;
  // The program's OPEN cohorts with a free seat, as read (ListCohorts status OPEN gives them in
  // the right order). The script picks the OPEN cohort of the program with the earliest
  // (first_day, cohort_id) that has a seat; if that one is not among the candidates (or its
  // first_day differs) -> ABORTED. If the program's waitlist is not empty the referral joins
  // it (nobody jumps the queue); otherwise if no OPEN cohort has a seat, too.
  std::vector<PlacementCandidate> candidates;
  OutboxEvent waitlisted_event;  // Waitlisted
  std::string trigger_id;        // optional
  // When the referral was accepted (InfinitePast: now), kept in the enrolment or waitlist entry.
  absl::Time accepted_at = absl::InfinitePast();
};

struct EnrollResult {
  enum class Outcome {
    kEnrolled,
    kAlreadyEnrolled,  // enrolled before (in this or another cohort of the program); no event
    kWaitlisted,
    kAlreadyWaitlisted,  // on the program's waitlist before; no event
    kDuplicateTrigger,   // trigger_id seen; nothing written; enrollment/waitlisted = current
  };
  Outcome outcome = Outcome::kEnrolled;
  std::optional<v1::Enrollment> enrollment;
  std::optional<v1::WaitlistEntry> waitlisted;  // with position and waitlisted_at
};

struct Unenrolment {
  std::string municipality;
  std::string cohort_id;
  std::string referral_id;
  std::vector<OutboxEvent> events;  // Unenrolled
  // The program's waitlist head as read, if any. If the cohort has not started (PLANNED/OPEN)
  // it gets the freed seat; ABORTED if the actual head differs (also: none given but the
  // waitlist is not empty, or given but the waitlist is empty). Ignored once it has started.
  std::optional<WaitlistSeat> waitlist_head;
  std::string trigger_id;  // optional
};

struct UnenrollResult {
  enum class Outcome { kUnenrolled, kDuplicateTrigger };
  Outcome outcome = Outcome::kUnenrolled;
  std::optional<v1::Enrollment> seat_given_to;
};

// FillFromWaitlist: the cohort's free seats go to the program's waitlist heads in order.
struct WaitlistFill {
  std::string municipality;
  std::string cohort_id;
  // The waitlist heads as read, first first (at least as many as there are free seats, or the
  // whole waitlist). ABORTED unless the actual first k (k = min(free seats, waitlist length))
  // are exactly the first k given.
  std::vector<WaitlistSeat> heads;
  std::string trigger_id;  // optional
};

struct WaitlistLeave {
  std::string municipality;
  std::string program_id;
  std::string referral_id;
  std::vector<OutboxEvent> events;
  std::string trigger_id;  // optional
};

// Where a referral is placed (at most one program at a time).
struct ReferralPlacement {
  std::string program_id;
  std::optional<v1::Enrollment> enrollment;
  std::optional<v1::WaitlistEntry> waitlisted;
};

// Thread-safe (the pool is; the store keeps no other state than outbox/timer registration
// caches). `pool` must outlive the store. `clock` is domain time: when enrolments, waitlist
// places and processed triggers are stamped.
class SchedulingStore {
 public:
  explicit SchedulingStore(
      store::RedisPool& pool, std::function<absl::Time()> clock = [] { return absl::Now(); });

  // --- Catalog. Put: expected_version 0 = create or overwrite; otherwise NOT_FOUND if absent,
  // ABORTED if the stored version differs. Returns the stored entity with its new version.
  absl::StatusOr<v1::Institution> PutInstitution(const v1::Institution& institution,
                                                 int64_t expected_version);
  // Sorted by institution_id.
  absl::StatusOr<std::vector<v1::Institution>> ListInstitutions(absl::string_view municipality);
  absl::StatusOr<v1::Institution> GetInstitution(absl::string_view municipality,
                                                 absl::string_view institution_id);
  absl::StatusOr<v1::Instructor> PutInstructor(const v1::Instructor& instructor,
                                               int64_t expected_version);
  // All of the municipality, or only those of `institution_id` (""= all). Sorted by id.
  absl::StatusOr<std::vector<v1::Instructor>> ListInstructors(absl::string_view municipality,
                                                              absl::string_view institution_id);
  absl::StatusOr<v1::Instructor> GetInstructor(absl::string_view municipality,
                                               absl::string_view instructor_id);
  absl::StatusOr<v1::MunicipalityCalendar> PutCalendar(const v1::MunicipalityCalendar& calendar,
                                                       int64_t expected_version);
  // An empty calendar with version 0 when none was put.
  absl::StatusOr<v1::MunicipalityCalendar> GetCalendar(absl::string_view municipality);
  absl::StatusOr<v1::ProgramTemplate> PutProgram(const v1::ProgramTemplate& program,
                                                 int64_t expected_version);
  // Sorted by program_id.
  absl::StatusOr<std::vector<v1::ProgramTemplate>> ListPrograms(absl::string_view municipality);
  absl::StatusOr<v1::ProgramTemplate> GetProgram(absl::string_view municipality,
                                                 absl::string_view program_id);
  // Institutions, instructors, calendar and programs in one round trip.
  absl::StatusOr<CatalogSnapshot> LoadCatalog(absl::string_view municipality);

  // --- Cohorts and sessions.
  // Books a new cohort atomically: every session's venue and instructor are checked against all
  // SCHEDULED bookings of the municipality on its day (intervals [start, end)) and against the
  // call's other sessions; any overlap -> kConflict and nothing written. Repeat request_id ->
  // kAlreadyCommitted. Cohort id taken by another request -> ALREADY_EXISTS.
  absl::StatusOr<CommitResult> CommitCohort(const CohortCommit& commit);
  absl::StatusOr<v1::Cohort> GetCohort(absl::string_view municipality, absl::string_view cohort_id);
  absl::StatusOr<CohortPage> ListCohorts(const CohortQuery& query);
  absl::StatusOr<v1::Session> GetSession(absl::string_view municipality,
                                         absl::string_view session_id);
  // NOT_FOUND for an unknown cohort (kCohort); other indexes: an empty list.
  absl::StatusOr<std::vector<v1::Session>> ListSessions(const SessionQuery& query);
  // Every SCHEDULED session of the municipality with day in [from, to], by (day, start, id): the
  // planner's Occupancy.
  absl::StatusOr<std::vector<v1::Session>> LoadBookings(absl::string_view municipality,
                                                        absl::CivilDay from, absl::CivilDay to);
  // Moves / cancels sessions of one cohort atomically. The new slots of the SCHEDULED ones are
  // checked against all bookings except the changed sessions' own old ones; cancelled sessions
  // free their venue and instructor. Cohort COMPLETED/CANCELLED -> FAILED_PRECONDITION; a
  // session of another cohort -> INVALID_ARGUMENT.
  absl::StatusOr<SessionsUpdateResult> UpdateSessions(const SessionsUpdate& update);
  // Lifecycle step. Already at `to` -> kAlreadyThere (no events, no timers).
  absl::StatusOr<TransitionResult> TransitionCohort(const CohortTransition& transition);
  // CANCELLED from PLANNED/OPEN/RUNNING (COMPLETED -> FAILED_PRECONDITION; already CANCELLED ->
  // kAlreadyThere). Cancels every SCHEDULED session (change_reason = reason, frees the
  // bookings), cancels the open:/start:/complete: timers, and releases the participants from the
  // program (they may be placed again; the enrolments stay listed on the cancelled cohort).
  absl::StatusOr<TransitionResult> CancelCohort(const CohortCancel& cancel);

  // --- Enrolment. A cohort takes at most `capacity` enrolments, whatever the concurrency.
  // Explicit enrolment: cohort PLANNED or OPEN with a free seat, else FAILED_PRECONDITION. Takes
  // the referral off the program's waitlist if it was on it.
  absl::StatusOr<EnrollResult> Enroll(const EnrollInCohort& request);
  // Automatic placement (see Placement).
  absl::StatusOr<EnrollResult> Place(const Placement& request);
  // NOT_FOUND if the referral is not enrolled in the cohort.
  absl::StatusOr<UnenrollResult> Unenroll(const Unenrolment& request);
  // Cohort PLANNED or OPEN, else FAILED_PRECONDITION. Returns the seats given.
  absl::StatusOr<std::vector<v1::Enrollment>> FillFromWaitlist(const WaitlistFill& request);
  // NOT_FOUND if not waitlisted (unless the trigger was seen: then OK).
  absl::Status LeaveWaitlist(const WaitlistLeave& request);
  // In order, positions 1..n.
  absl::StatusOr<std::vector<v1::WaitlistEntry>> GetWaitlist(absl::string_view municipality,
                                                             absl::string_view program_id);
  // By (enrolled_at, referral_id). NOT_FOUND for an unknown cohort.
  absl::StatusOr<std::vector<v1::Enrollment>> ListEnrollments(absl::string_view municipality,
                                                              absl::string_view cohort_id);
  // nullopt when the referral is neither enrolled nor waitlisted.
  absl::StatusOr<std::optional<ReferralPlacement>> FindPlacement(absl::string_view municipality,
                                                                 absl::string_view referral_id);

  store::Outbox& outbox() { return outbox_; }

 private:
  absl::Status Register(absl::string_view municipality);

  store::RedisPool& pool_;
  const std::function<absl::Time()> clock_;
  store::Outbox outbox_;
  timer::TimerStore timers_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_H_
