#ifndef KPR_SERVICES_SCHEDULING_COHORT_DESK_H_
#define KPR_SERVICES_SCHEDULING_COHORT_DESK_H_

// The cohort desk: coordinators plan a cohort of a program (a dry run), create it (its
// timetable booked against everything already booked), read and cancel it; the calendar moves
// it through its lifecycle (PLANNED -> OPEN -> RUNNING -> COMPLETED) by durable timers. What
// each step writes is decided in cohort_lifecycle.h and planned_cohort.h.
//
// Concurrency: planning reads the bookings, the store re-checks them inside its script; a
// conflict (someone booked meanwhile) re-plans against the fresh bookings under the shared
// conflict policy. Creation is idempotent by request id, every step by the cohort's status.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/cohort_lifecycle.h"
#include "services/scheduling/desk_context.h"

namespace kpr::scheduling {

class CohortDesk {
 public:
  explicit CohortDesk(const DeskContext& context) : ctx_(context) {}

  absl::StatusOr<v1::PlanCohortResponse> PlanCohort(const v1::PlanCohortRequest& req,
                                                    const Caller& caller);
  absl::StatusOr<v1::CreateCohortResponse> CreateCohort(const v1::CreateCohortRequest& req,
                                                        const Caller& caller);
  absl::StatusOr<v1::Cohort> GetCohort(const v1::GetCohortRequest& req, const Caller& caller);
  absl::StatusOr<v1::ListCohortsResponse> ListCohorts(const v1::ListCohortsRequest& req,
                                                      const Caller& caller);
  // Participants of a cohort cancelled before its start are placed again by the enrolment
  // desk, from the CohortCancelled fact in the outbox (referral_events_handler.h).
  absl::StatusOr<v1::Cohort> CancelCohort(const v1::CancelCohortRequest& req, const Caller& caller);

  // A lifecycle timer fired ("open:", "start:", "complete:<cohort_id>"). Any error re-queues it.
  absl::Status OnTimer(const timer::Timer& timer);

 private:
  // One lifecycle step: `decide` picks it from the cohort and its participants as read
  // (nullopt: nothing to do); decided again when the cohort changed meanwhile.
  using StepDecision = std::function<absl::StatusOr<std::optional<CohortTransition>>(
      const v1::Cohort& cohort, const std::vector<v1::Enrollment>& enrolled,
      const EventStamp& stamp)>;
  absl::Status Step(const std::string& municipality, const std::string& cohort_id,
                    const Caller& caller, const StepDecision& decide);
  absl::Status Open(const std::string& municipality, const std::string& cohort_id,
                    const Caller& caller);
  absl::Status Start(const std::string& municipality, const std::string& cohort_id,
                     const Caller& caller);
  absl::Status Complete(const std::string& municipality, const std::string& cohort_id,
                        const Caller& caller);

  const DeskContext& ctx_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_COHORT_DESK_H_
