#include "services/referral/placement_facts.h"

#include "services/referral/referral_lifecycle.h"

namespace kpr::referral {
namespace {

FactDecision Unchanged(std::string why) {
  FactDecision d;
  d.why = std::move(why);
  return d;
}

FactDecision Change(v1::ReferralStatus to, v1::Placement placement,
                    v1::StatusReason reason = v1::STATUS_REASON_UNSPECIFIED) {
  FactDecision d;
  d.changes = true;
  d.to = to;
  d.reason = reason;
  d.placement = std::move(placement);
  return d;
}

bool SamePlacement(const v1::Placement& a, const v1::Placement& b) {
  return a.cohort_id() == b.cohort_id() && a.program_id() == b.program_id() &&
         a.first_day() == b.first_day();
}

}  // namespace

FactDecision DecidePlacementFact(const v1::Referral& r, absl::Time newest_applied,
                                 const PlacementFact& fact) {
  const v1::ReferralStatus status = r.status();
  if (!IsOpen(status)) return Unchanged("the referral is closed");
  if (fact.at < newest_applied) return Unchanged("a newer placement fact was applied already");
  using Kind = PlacementFact::Kind;
  switch (fact.kind) {
    case Kind::kEnrolled: {
      v1::Placement p;
      p.set_cohort_id(fact.cohort_id);
      p.set_program_id(fact.program_id);
      p.set_first_day(fact.first_day);
      if (status == v1::REFERRAL_STATUS_ENROLLED && SamePlacement(r.placement(), p)) {
        return Unchanged("already enrolled in this cohort");
      }
      if (status != v1::REFERRAL_STATUS_ACCEPTED && status != v1::REFERRAL_STATUS_WAITLISTED &&
          status != v1::REFERRAL_STATUS_ENROLLED) {
        return Unchanged("not accepted yet: left for the coordinator");
      }
      return Change(v1::REFERRAL_STATUS_ENROLLED, std::move(p));
    }
    case Kind::kWaitlisted: {
      if (status == v1::REFERRAL_STATUS_WAITLISTED) return Unchanged("already waitlisted");
      if (status != v1::REFERRAL_STATUS_ACCEPTED && status != v1::REFERRAL_STATUS_ENROLLED) {
        return Unchanged("not accepted yet: left for the coordinator");
      }
      v1::Placement p;
      p.set_program_id(fact.program_id);
      return Change(v1::REFERRAL_STATUS_WAITLISTED, std::move(p));
    }
    case Kind::kUnenrolled:
    case Kind::kCohortCancelled: {
      if (status != v1::REFERRAL_STATUS_ENROLLED || r.placement().cohort_id() != fact.cohort_id) {
        return Unchanged("does not name the referral's current placement");
      }
      const v1::StatusReason reason = fact.kind == Kind::kCohortCancelled
                                          ? v1::STATUS_REASON_COHORT_CANCELLED
                                          : v1::STATUS_REASON_UNSPECIFIED;
      if (fact.started) return Change(v1::REFERRAL_STATUS_DROPPED_OUT, r.placement(), reason);
      return Change(v1::REFERRAL_STATUS_ACCEPTED, v1::Placement(), reason);
    }
  }
  return Unchanged("unknown fact");
}

}  // namespace kpr::referral
