#include "services/referral/closed_loop_handler.h"

#include "absl/strings/str_cat.h"
#include "libs/identity/caller.h"

namespace kpr::referral {
namespace {

namespace sv1 = scheduling::v1;
using Kind = PlacementFact::Kind;

PlacementFact FactOf(Kind kind, const common::v1::Event& event, const std::string& referral_id,
                     const std::string& cohort_id, const std::string& program_id) {
  PlacementFact f;
  f.kind = kind;
  f.referral_id = referral_id;
  f.cohort_id = cohort_id;
  f.program_id = program_id;
  f.at = FromTs(event.occurred_at());
  return f;
}

absl::Status NeedsReferral(const std::string& referral_id, absl::string_view event) {
  if (!referral_id.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(event, " event without referral_id"));
}

}  // namespace

bus::EventRouter PlacementFactsRouter(ClosedLoopDesk& desk) {
  bus::EventRouter router(kPlacementConsumer);
  router
      .On<sv1::Enrolled>([&desk](const common::v1::Event& event, const sv1::Enrolled& e) {
        if (auto s = NeedsReferral(e.referral_id(), "enrolled"); !s.ok()) return s;
        PlacementFact f =
            FactOf(Kind::kEnrolled, event, e.referral_id(), e.cohort_id(), e.program_id());
        f.first_day = e.first_day();
        return desk.ApplyPlacementFact(f, identity::CallerForEvent("scheduling", event));
      })
      .On<sv1::Waitlisted>([&desk](const common::v1::Event& event, const sv1::Waitlisted& e) {
        if (auto s = NeedsReferral(e.referral_id(), "waitlisted"); !s.ok()) return s;
        return desk.ApplyPlacementFact(
            FactOf(Kind::kWaitlisted, event, e.referral_id(), "", e.program_id()),
            identity::CallerForEvent("scheduling", event));
      })
      .On<sv1::Unenrolled>([&desk](const common::v1::Event& event, const sv1::Unenrolled& e) {
        if (auto s = NeedsReferral(e.referral_id(), "unenrolled"); !s.ok()) return s;
        PlacementFact f =
            FactOf(Kind::kUnenrolled, event, e.referral_id(), e.cohort_id(), e.program_id());
        f.started = e.cohort_started();
        return desk.ApplyPlacementFact(f, identity::CallerForEvent("scheduling", event));
      })
      .On<sv1::CohortCancelled>([&desk](const common::v1::Event& event,
                                        const sv1::CohortCancelled& e) {
        // One fact per participant; each is idempotent, so a retry of the whole event is safe.
        for (const sv1::Enrollment& p : e.participants()) {
          if (p.referral_id().empty()) continue;
          PlacementFact f =
              FactOf(Kind::kCohortCancelled, event, p.referral_id(), e.cohort_id(), e.program_id());
          f.started = e.had_started();
          absl::Status s =
              desk.ApplyPlacementFact(f, identity::CallerForEvent("scheduling", event));
          // A participant whose referral kpr does not know (enrolled by hand) does not hold up
          // the others.
          if (!s.ok() && s.code() != absl::StatusCode::kNotFound) return s;
        }
        return absl::OkStatus();
      })
      // Facts about cohorts and sessions: nothing for the referrer.
      .Ignore<sv1::CohortPlanned>()
      .Ignore<sv1::CohortOpened>()
      .Ignore<sv1::CohortStarted>()
      .Ignore<sv1::CohortCompleted>()
      .Ignore<sv1::SessionScheduled>()
      .Ignore<sv1::SessionRescheduled>()
      .Ignore<sv1::SessionCancelled>();
  return router;
}

bus::EventRouter OutcomeFactsRouter(ClosedLoopDesk& desk) {
  bus::EventRouter router(kOutcomeConsumer);
  router.On<outcomes::v1::OutcomeRecorded>(
      [&desk](const common::v1::Event& event, const outcomes::v1::OutcomeRecorded& o) {
        if (auto s = NeedsReferral(o.referral_id(), "outcome_recorded"); !s.ok()) return s;
        v1::ReferralStatus to;
        switch (o.outcome()) {
          case outcomes::v1::PARTICIPATION_OUTCOME_COMPLETED:
            to = v1::REFERRAL_STATUS_COMPLETED;
            break;
          case outcomes::v1::PARTICIPATION_OUTCOME_DROPPED_OUT:
            to = v1::REFERRAL_STATUS_DROPPED_OUT;
            break;
          default:
            return absl::InvalidArgumentError("outcome_recorded event without an outcome");
        }
        return desk.ApplyOutcome(o.referral_id(), to, identity::CallerForEvent("outcomes", event));
      });
  return router;
}

}  // namespace kpr::referral
