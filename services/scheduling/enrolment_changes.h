#ifndef KPR_SERVICES_SCHEDULING_ENROLMENT_CHANGES_H_
#define KPR_SERVICES_SCHEDULING_ENROLMENT_CHANGES_H_

// What an enrolment change writes: the Enrolled, Waitlisted and Unenrolled events, who gets a
// freed or new seat from a program's waitlist, the cohorts an automatic placement may use, and
// which program an accepted referral goes to. Pure: the enrolment desk (and the cohort desk,
// when opening a cohort) loads, decides with these and commits; the store's script re-checks
// what was read and refuses a stale view (ABORTED), so the desk reads again and retries.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "services/scheduling/event_stamp.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

// "<cohort>:enrolled:<referral>:<nonce>"; from_waitlist when a waitlisted referral gets a seat.
OutboxEvent EnrolledEvent(const v1::Cohort& cohort, const std::string& referral_id,
                          const std::string& citizen_id, bool from_waitlist,
                          const EventStamp& stamp);

// The first `seats` entries of the program's waitlist (as read, first first), each with its
// Enrolled event: who gets the cohort's free seats. None when `seats` <= 0.
std::vector<WaitlistSeat> WaitlistSeats(const v1::Cohort& cohort,
                                        const std::vector<v1::WaitlistEntry>& waitlist, int seats,
                                        const EventStamp& stamp);

// A referral for automatic placement in a program.
struct ReferralToPlace {
  std::string program_id;
  std::string referral_id;
  std::string citizen_id;
  std::string trigger_id;  // the event placing it ("" for a coordinator's call)
  absl::Time accepted_at = absl::InfinitePast();
};

// The placement with the program's OPEN cohorts (as read, in ListCohorts order) that have a free
// seat as candidates, and the Waitlisted event for when none may take the referral.
Placement PlacementOf(const ReferralToPlace& referral, const std::vector<v1::Cohort>& open_cohorts,
                      const EventStamp& stamp);

// A coordinator's enrolment into one cohort.
EnrollInCohort EnrolmentIn(const v1::Cohort& cohort, const std::string& referral_id,
                           const std::string& citizen_id, const EventStamp& stamp);

// Takes `referral_id` out of `cohort` (`enrolled` as read) with an Unenrolled event carrying
// `reason`; the freed seat goes to `waitlist_head` (the program's first waitlisted, as read; the
// store ignores it once the cohort has started).
Unenrolment UnenrolmentOf(const v1::Cohort& cohort, const std::vector<v1::Enrollment>& enrolled,
                          const std::string& referral_id, v1::ChangeReason reason,
                          const std::string& trigger_id, std::optional<WaitlistSeat> waitlist_head,
                          const EventStamp& stamp);

// A protobuf timestamp (when a referral was accepted, an event happened) as absl::Time.
absl::Time TimeOf(const google::protobuf::Timestamp& ts);

// The program an accepted referral goes to: the one it prefers (by id or name), else the
// municipality's default program; "" when there is neither.
std::string ProgramForReferral(const std::vector<v1::ProgramTemplate>& programs,
                               const std::string& preferred);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_ENROLMENT_CHANGES_H_
