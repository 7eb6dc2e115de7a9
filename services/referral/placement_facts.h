#ifndef KPR_SERVICES_REFERRAL_PLACEMENT_FACTS_H_
#define KPR_SERVICES_REFERRAL_PLACEMENT_FACTS_H_

// How the scheduling service's facts move a referral, so the referrer sees the truth: waitlisted,
// enrolled, unenrolled, and the cohort cancelled. Facts arrive at least once and out of order
// (replicas, retries and naks reorder them), so the referral keeps its placement (cohort,
// program, first day) and the time of the newest fact applied to it, and a rule decides each:
//
//  - a fact for a referral in a closed status, or one that would set the status and placement it
//    already has, changes nothing;
//  - a fact older than the newest one applied changes nothing;
//  - enrolled: from ACCEPTED, WAITLISTED or ENROLLED (another cohort: the placement is replaced)
//    to ENROLLED. A referral still RECEIVED or UNDER_REVIEW is left for the coordinator;
//  - waitlisted: from ACCEPTED (or ENROLLED, when the unenrolment that preceded it is late) to
//    WAITLISTED;
//  - unenrolled and cohort cancelled change the referral only if they name its current
//    placement: before the cohort started back to ACCEPTED (placement cleared; scheduling places
//    a cancelled cohort's participants again), after it started DROPPED_OUT (the placement is
//    kept, to show where), with reason COHORT_CANCELLED for a cancelled cohort.
//
// Pure: no I/O.

#include <string>

#include "absl/time/time.h"
#include "kpr/referral/v1/referral.pb.h"

namespace kpr::referral {

struct PlacementFact {
  enum class Kind { kEnrolled, kWaitlisted, kUnenrolled, kCohortCancelled };
  Kind kind = Kind::kEnrolled;
  std::string referral_id;
  std::string cohort_id;  // enrolled, unenrolled, cohort cancelled
  std::string program_id;
  std::string first_day;  // enrolled: "YYYY-MM-DD"
  bool started = false;   // unenrolled, cohort cancelled: the cohort's first session had begun
  absl::Time at;          // when scheduling decided it (the event's occurred_at)
};

struct FactDecision {
  bool changes = false;  // false: ack and change nothing (`why` says why)
  v1::ReferralStatus to = v1::REFERRAL_STATUS_UNSPECIFIED;
  v1::StatusReason reason = v1::STATUS_REASON_UNSPECIFIED;
  v1::Placement placement;  // after the change (empty = none)
  std::string why;
};

// `newest_applied`: placement_fact_at of the stored referral (InfinitePast if none).
FactDecision DecidePlacementFact(const v1::Referral& referral, absl::Time newest_applied,
                                 const PlacementFact& fact);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_PLACEMENT_FACTS_H_
