#ifndef KPR_SERVICES_SCHEDULING_ENROLMENT_DESK_H_
#define KPR_SERVICES_SCHEDULING_ENROLMENT_DESK_H_

// The enrolment desk: who is in which cohort. An accepted referral is placed in the first open
// cohort of its program with a free seat, or on the program's waitlist (first come, first
// served); coordinators enrol and unenrol by hand; a freed seat goes to the first on the
// waitlist; a withdrawn referral leaves its cohort or the waitlist; the participants of a cohort
// cancelled before its start are placed again. Instructors see their cohorts' participants by
// first name. What each change writes is decided in enrolment_changes.h.
//
// Every event-driven change is idempotent by its trigger event id, so a redelivered event
// changes nothing twice. A placement that lost a race (a seat taken, the waitlist moved) is
// decided again under the shared conflict policy.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "services/scheduling/desk_context.h"
#include "services/scheduling/enrolment_changes.h"

namespace kpr::scheduling {

class EnrolmentDesk {
 public:
  explicit EnrolmentDesk(const DeskContext& context) : ctx_(context) {}

  absl::StatusOr<v1::EnrollResponse> Enroll(const v1::EnrollRequest& req, const Caller& caller);
  absl::StatusOr<v1::UnenrollResponse> Unenroll(const v1::UnenrollRequest& req,
                                                const Caller& caller);
  absl::StatusOr<v1::GetWaitlistResponse> GetWaitlist(const v1::GetWaitlistRequest& req,
                                                      const Caller& caller);
  absl::StatusOr<v1::ListParticipantsResponse> ListParticipants(
      const v1::ListParticipantsRequest& req, const Caller& caller);

  // Referral facts (the service's own identity). NOT_FOUND / INVALID_ARGUMENT /
  // FAILED_PRECONDITION mean the event can never be applied (a dead letter); UNAVAILABLE /
  // ABORTED are retries.
  absl::Status OnReferralAccepted(const common::v1::Event& event,
                                  const referral::v1::ReferralAccepted& accepted);
  absl::Status OnReferralWithdrawn(const common::v1::Event& event,
                                   const referral::v1::ReferralWithdrawn& withdrawn);
  // A cohort cancelled before its start: its participants are placed again (replacement_order.h).
  absl::Status OnCohortCancelled(const common::v1::Event& event,
                                 const v1::CohortCancelled& cancelled);

 private:
  absl::StatusOr<v1::EnrollResponse> PlaceInProgram(const ReferralToPlace& referral,
                                                    const std::string& municipality,
                                                    const Caller& caller);
  absl::StatusOr<v1::UnenrollResponse> UnenrollReferral(
      const std::string& municipality, const std::string& cohort_id, const std::string& referral_id,
      v1::ChangeReason reason, const std::string& trigger_id, const Caller& caller);

  const DeskContext& ctx_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_ENROLMENT_DESK_H_
