#ifndef KPR_SERVICES_REFERRAL_CLOSED_LOOP_DESK_H_
#define KPR_SERVICES_REFERRAL_CLOSED_LOOP_DESK_H_

// The closed loop back to the referrer: the scheduling service's placement facts (waitlisted,
// enrolled, unenrolled, cohort cancelled) and the outcomes service's decided outcome move the
// referral, so that what the jobcenter sees is what happened. The rules are in
// placement_facts.h, what a change writes in status_change.h; this desk loads, decides, commits
// (retrying a lost race), acting as the sending service.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/identity/caller.h"
#include "services/referral/placement_facts.h"
#include "services/referral/referral_context.h"

namespace kpr::referral {

class ClosedLoopDesk {
 public:
  explicit ClosedLoopDesk(ReferralContext& ctx) : ctx_(ctx) {}

  // OK when applied or when the rules say it changes nothing (then acked). NOT_FOUND for a
  // referral that does not exist, INVALID_ARGUMENT for a malformed id (dead letters); ABORTED
  // after repeated concurrent changes and UNAVAILABLE during an outage (retried).
  absl::Status ApplyPlacementFact(const PlacementFact& fact, const identity::Caller& caller);

  // The outcome the outcomes service decided once the cohort completed: ENROLLED -> COMPLETED
  // or DROPPED_OUT. A referral not ENROLLED is left as it is (already there, or moved by hand).
  absl::Status ApplyOutcome(const std::string& referral_id, v1::ReferralStatus outcome,
                            const identity::Caller& caller);

 private:
  // Loads, lets `decide` plan the change (nullopt: nothing to do), and commits it, retrying a
  // lost race with the shared policy.
  absl::Status Commit(const std::string& referral_id, const identity::Caller& caller,
                      const std::function<absl::Status(v1::StoredReferral& stored, bool* changed,
                                                       std::vector<OutboxEvent>* events)>& decide);

  ReferralContext& ctx_;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_CLOSED_LOOP_DESK_H_
