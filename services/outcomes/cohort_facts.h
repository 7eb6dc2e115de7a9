#ifndef KPR_SERVICES_OUTCOMES_COHORT_FACTS_H_
#define KPR_SERVICES_OUTCOMES_COHORT_FACTS_H_

// What each scheduling fact changes in the outcomes records: the cohort (its sessions, days and
// participants), its participants (enrolment, start, the questionnaire schedule) and the timers
// that walk the questionnaires and settle the outcomes. Pure; no I/O: the desk loads the records
// named here, decides with these functions, and commits the Draft with the event marked applied.
//
// A fact that changes nothing returns an empty Draft: a redelivery, or a fact overtaken by a
// later one (a start after a cancellation), is acked without a write.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "services/outcomes/draft.h"
#include "services/outcomes/outcome_tally.h"
#include "services/outcomes/questionnaire_schedule.h"

namespace kpr::outcomes {

// What the outcomes service keeps of a scheduled session.
v1::SessionRef ToSessionRef(const scheduling::v1::Session& session);

// The cohort as planned, with the sessions it did not know yet; its sessions' index entries and
// its place in the program's index (by first day). Always written: a plan may come again.
Draft PlanCohort(const std::string& m, const Cohort& cohort,
                 const scheduling::v1::CohortPlanned& planned);

// A session scheduled, moved or cancelled (status SESSION_STATUS_CANCELLED): the cohort's
// timetable and days. Empty when the cohort already has the session as it is.
Draft ScheduleSession(const std::string& m, const Cohort& cohort,
                      const scheduling::v1::Session& session);

// The participant of `enrolled` (as loaded; version 0 if new) joins the cohort; started at once
// when the cohort already has. Empty if they already took part in another cohort: that history
// stays, a new course is a new referral.
Draft Enrol(const std::string& m, const Cohort& cohort, const Participant& participant,
            const scheduling::v1::Enrolled& enrolled, const OutcomePolicy& policy);

// The participant leaves. Before the start the seat was never taken and they leave the cohort's
// list; after it they stay on it and count as a drop-out when the cohort settles.
Draft Unenrol(const std::string& m, const Cohort& cohort, const Participant& participant,
              const scheduling::v1::Unenrolled& unenrolled, const OutcomePolicy& policy);

// The referrals whose records a start needs (the event's list, which is authoritative at the
// start and also covers an enrolment we missed); nullopt when the cohort has already started or
// was cancelled (nothing to do).
std::optional<std::vector<std::string>> ReferralsToStart(
    const Cohort& cohort, const scheduling::v1::CohortStarted& started);
// The cohort starts: every participant in `participants` (loaded for ReferralsToStart, in its
// order) starts and gets the BASELINE time point, opening at the first session (or `now`), and
// its timer.
Draft StartCohort(const std::string& m, const Cohort& cohort,
                  const scheduling::v1::CohortStarted& started,
                  const std::vector<Participant>& participants, const ScheduleOptions& schedule,
                  const OutcomePolicy& policy, absl::Time now);

// The referrals whose records a completion needs (the cohort's participants and any the event
// adds); nullopt when the cohort has already completed or was cancelled.
std::optional<std::vector<std::string>> ReferralsToComplete(
    const Cohort& cohort, const scheduling::v1::CohortCompleted& completed);
// The cohort completes: participants who stayed get the END and follow-up time points and
// their timers, everyone the sessions held, and the cohort a settle timer `settle_delay` after
// `now` (outcomes are decided then, so instructors can still record the last sessions).
Draft CompleteCohort(const std::string& m, const Cohort& cohort,
                     const scheduling::v1::CohortCompleted& completed,
                     const std::vector<Participant>& participants, const ScheduleOptions& schedule,
                     const OutcomePolicy& policy, absl::Duration settle_delay, absl::Time now);

// The referrals whose records a cancellation needs; nullopt when it is cancelled already.
std::optional<std::vector<std::string>> ReferralsToCancel(const Cohort& cohort);
// The cohort is cancelled. A cancelled course is nobody's outcome: its participants leave the
// tallies (no longer started).
Draft CancelCohort(const std::string& m, const Cohort& cohort,
                   const std::vector<Participant>& participants, const OutcomePolicy& policy);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_COHORT_FACTS_H_
