#include "services/scheduling/enrolment_changes.h"

#include "absl/strings/str_cat.h"
#include "kpr/scheduling/v1/events.pb.h"

namespace kpr::scheduling {

OutboxEvent EnrolledEvent(const v1::Cohort& cohort, const std::string& referral_id,
                          const std::string& citizen_id, bool from_waitlist,
                          const EventStamp& stamp) {
  v1::Enrolled e;
  e.set_cohort_id(cohort.cohort_id());
  e.set_program_id(cohort.program_id());
  e.set_referral_id(referral_id);
  e.set_citizen_id(citizen_id);
  e.set_first_day(cohort.first_day());
  if (from_waitlist) e.set_from_waitlist(true);
  return StampEvent(stamp,
                    absl::StrCat(cohort.cohort_id(), ":enrolled:", referral_id, ":", stamp.nonce),
                    "enrolled", e);
}

std::vector<WaitlistSeat> WaitlistSeats(const v1::Cohort& cohort,
                                        const std::vector<v1::WaitlistEntry>& waitlist, int seats,
                                        const EventStamp& stamp) {
  std::vector<WaitlistSeat> out;
  for (const auto& w : waitlist) {
    if (static_cast<int>(out.size()) >= seats) break;
    out.push_back(WaitlistSeat{
        w.referral_id(), w.citizen_id(),
        EnrolledEvent(cohort, w.referral_id(), w.citizen_id(), /*from_waitlist=*/true, stamp),
        w.has_accepted_at() ? TimeOf(w.accepted_at()) : absl::InfinitePast()});
  }
  return out;
}

Placement PlacementOf(const ReferralToPlace& r, const std::vector<v1::Cohort>& open_cohorts,
                      const EventStamp& stamp) {
  Placement p;
  p.municipality = stamp.municipality;
  p.program_id = r.program_id;
  p.referral_id = r.referral_id;
  p.citizen_id = r.citizen_id;
  p.trigger_id = r.trigger_id;
  p.accepted_at = r.accepted_at;
  for (const auto& c : open_cohorts) {
    if (c.enrolled_count() >= c.capacity()) continue;
    p.candidates.push_back(PlacementCandidate{
        c.cohort_id(), c.first_day(),
        EnrolledEvent(c, r.referral_id, r.citizen_id, /*from_waitlist=*/false, stamp)});
  }
  v1::Waitlisted w;
  w.set_program_id(r.program_id);
  w.set_referral_id(r.referral_id);
  w.set_citizen_id(r.citizen_id);
  p.waitlisted_event =
      StampEvent(stamp, absl::StrCat(r.program_id, ":waitlisted:", r.referral_id, ":", stamp.nonce),
                 "waitlisted", w);
  return p;
}

EnrollInCohort EnrolmentIn(const v1::Cohort& cohort, const std::string& referral_id,
                           const std::string& citizen_id, const EventStamp& stamp) {
  EnrollInCohort in;
  in.municipality = stamp.municipality;
  in.cohort_id = cohort.cohort_id();
  in.referral_id = referral_id;
  in.citizen_id = citizen_id;
  in.enrolled_event = EnrolledEvent(cohort, referral_id, citizen_id, false, stamp);
  return in;
}

Unenrolment UnenrolmentOf(const v1::Cohort& cohort, const std::vector<v1::Enrollment>& enrolled,
                          const std::string& referral_id, v1::ChangeReason reason,
                          const std::string& trigger_id, std::optional<WaitlistSeat> waitlist_head,
                          const EventStamp& stamp) {
  std::string citizen_id;
  for (const auto& en : enrolled) {
    if (en.referral_id() == referral_id) citizen_id = en.citizen_id();
  }
  v1::Unenrolled e;
  e.set_cohort_id(cohort.cohort_id());
  e.set_program_id(cohort.program_id());
  e.set_referral_id(referral_id);
  e.set_citizen_id(citizen_id);
  e.set_reason_code(reason);
  e.set_cohort_started(cohort.status() == v1::COHORT_STATUS_RUNNING ||
                       cohort.status() == v1::COHORT_STATUS_COMPLETED);
  Unenrolment u;
  u.municipality = stamp.municipality;
  u.cohort_id = cohort.cohort_id();
  u.referral_id = referral_id;
  u.trigger_id = trigger_id;
  u.events.push_back(StampEvent(
      stamp, absl::StrCat(cohort.cohort_id(), ":unenrolled:", referral_id, ":", stamp.nonce),
      "unenrolled", e));
  u.waitlist_head = std::move(waitlist_head);
  return u;
}

absl::Time TimeOf(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string ProgramForReferral(const std::vector<v1::ProgramTemplate>& programs,
                               const std::string& preferred) {
  std::string program_id;
  for (const auto& p : programs) {
    if (!preferred.empty() && (p.program_id() == preferred || p.name() == preferred)) {
      program_id = p.program_id();
    }
  }
  if (!program_id.empty()) return program_id;
  for (const auto& p : programs) {
    if (p.is_default()) program_id = p.program_id();
  }
  return program_id;
}

}  // namespace kpr::scheduling
