#ifndef KPR_SERVICES_OUTCOMES_FACTS_DESK_H_
#define KPR_SERVICES_OUTCOMES_FACTS_DESK_H_

// The facts desk: what scheduling and referral tell the outcomes service, and its own timers.
// Each handler takes the payload the event router decoded, loads the records the fact touches,
// decides with cohort_facts / funnel_facts / outcome_timers, and commits the Draft with the
// event's id marked applied — one script, again from the start after a concurrent change
// (store::RetryOnConflict). A redelivered event finds its id applied and writes nothing.
//
// Errors: NOT_FOUND for a cohort never planned and INVALID_ARGUMENT for a fact without its
// referral (both dead letters); UNAVAILABLE or ABORTED (retry later).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/timer/timer_store.h"
#include "services/outcomes/outcomes_context.h"

namespace kpr::outcomes {

class FactsDesk {
 public:
  // `context` must outlive the desk.
  explicit FactsDesk(const OutcomesContext& context) : ctx_(context) {}

  using Event = common::v1::Event;
  absl::Status OnCohortPlanned(const Event& e, const scheduling::v1::CohortPlanned& planned);
  absl::Status OnSessionScheduled(const Event& e,
                                  const scheduling::v1::SessionScheduled& scheduled);
  absl::Status OnSessionRescheduled(const Event& e,
                                    const scheduling::v1::SessionRescheduled& rescheduled);
  absl::Status OnSessionCancelled(const Event& e,
                                  const scheduling::v1::SessionCancelled& cancelled);
  absl::Status OnEnrolled(const Event& e, const scheduling::v1::Enrolled& enrolled);
  absl::Status OnUnenrolled(const Event& e, const scheduling::v1::Unenrolled& unenrolled);
  absl::Status OnCohortStarted(const Event& e, const scheduling::v1::CohortStarted& started);
  absl::Status OnCohortCompleted(const Event& e, const scheduling::v1::CohortCompleted& completed);
  absl::Status OnCohortCancelled(const Event& e, const scheduling::v1::CohortCancelled& cancelled);

  // The funnel.
  absl::Status OnReferralReceived(const Event& e, const referral::v1::ReferralReceived& received);
  absl::Status OnReferralStatusChanged(const Event& e,
                                       const referral::v1::ReferralStatusChanged& changed);

  // Timer ids "tp:<referral_id>:<time point number>" and "settle:<cohort_id>"; any other is not
  // ours and completes.
  absl::Status OnTimer(const timer::Timer& timer);

 private:
  // Which participants a fact needs (nullopt: nothing to do), and what it writes given them (in
  // that order).
  using Referrals = std::function<std::optional<std::vector<std::string>>(const Cohort&)>;
  using Decide = std::function<Draft(const Cohort&, const std::vector<Participant>&)>;

  // Loads the cohort (NOT_FOUND if never planned) and the participants `referrals` names, lets
  // `decide` draft the change, and commits it with the event applied (nothing when it is empty).
  absl::Status EditCohort(const Event& e, const std::string& cohort_id, const Referrals& referrals,
                          const Decide& decide);
  absl::Status ApplySession(const Event& e, const scheduling::v1::Session& session);
  // The same for a referral's funnel record. INVALID_ARGUMENT without a referral id.
  absl::Status EditFunnel(const Event& e, const std::string& referral_id,
                          const std::function<Draft(const Funnel&)>& decide);

  absl::Status AdvanceTimePoint(const std::string& m, const std::string& referral_id,
                                v1::TimePoint tp);
  absl::Status Settle(const std::string& m, const std::string& cohort_id);

  const OutcomesContext& ctx_;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_FACTS_DESK_H_
