#ifndef KPR_SERVICES_OUTCOMES_OUTCOME_TIMERS_H_
#define KPR_SERVICES_OUTCOMES_OUTCOME_TIMERS_H_

// The outcomes service's durable timers and what they do when they fire: a participant's time
// point walks SCHEDULED -> DUE -> OVERDUE -> CLOSED (telling the citizen's side at each step), and
// a completed cohort settles (every participant's outcome decided and told). Pure; no I/O.
//
// Timer ids are stored data: "tp:<referral_id>:<time point number>" and "settle:<cohort_id>".

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kpr/outcomes/v1/outcomes.pb.h"
#include "services/outcomes/draft.h"
#include "services/outcomes/outcome_tally.h"

namespace kpr::outcomes {

std::string TimePointTimerId(const std::string& referral_id, v1::TimePoint tp);
std::string SettleTimerId(const std::string& cohort_id);

// What a timer id names. kNone: not one of ours (completing it is the only sensible thing).
struct TimerTarget {
  enum Kind { kNone, kTimePoint, kSettle } kind = kNone;
  std::string id;  // the referral (kTimePoint) or the cohort (kSettle)
  v1::TimePoint time_point = v1::TIME_POINT_UNSPECIFIED;
};
TimerTarget ParseTimerId(const std::string& timer_id);

// The participant's time point `tp` brought up to `now`: every step that is due is taken (a
// timer that fired late catches up), the events of each step (questionnaire_due / _overdue /
// _closed; none for a cancelled course or a participant who left, whose time point just closes)
// and the timer re-armed for the next step under its own id. nullopt when there is nothing to
// do: no such participant or time point, or it is closed.
std::optional<Draft> AdvanceTimePoint(const std::string& m, const Participant& participant,
                                      v1::TimePoint tp, const OutcomePolicy& policy,
                                      absl::Time now);

// The referrals whose records settling needs; nullopt when there is nothing to settle (a cohort
// never planned, settled already, or cancelled).
std::optional<std::vector<std::string>> ReferralsToSettle(const Cohort& cohort);
// The completion rule for every participant who started in the cohort (`participants` loaded
// for ReferralsToSettle, in its order): their outcome, and outcome_recorded for each; the
// cohort is settled.
Draft SettleCohort(const std::string& m, const Cohort& cohort,
                   const std::vector<Participant>& participants, const OutcomePolicy& policy,
                   absl::Time now);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOME_TIMERS_H_
