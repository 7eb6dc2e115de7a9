#include "services/outcomes/facts_desk.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/store/retry_on_conflict.h"
#include "services/outcomes/cohort_facts.h"
#include "services/outcomes/funnel_facts.h"
#include "services/outcomes/outcome_timers.h"

namespace kpr::outcomes {
namespace {

namespace sv1 = ::kpr::scheduling::v1;
namespace rv1 = ::kpr::referral::v1;

// Facts about one referral need only its record.
std::optional<std::vector<std::string>> Only(const std::string& referral_id) {
  return std::vector<std::string>{referral_id};
}

}  // namespace

absl::Status FactsDesk::EditCohort(const Event& e, const std::string& cohort_id,
                                   const Referrals& referrals, const Decide& decide) {
  const std::string& m = e.municipality();
  return store::RetryOnConflict([&]() -> absl::Status {
    auto cohort = ctx_.LoadCohort(m, cohort_id);
    if (!cohort.ok()) return cohort.status();
    if (cohort->version == 0)
      return absl::NotFoundError(absl::StrCat("cohort ", cohort_id, " was never planned"));
    std::optional<std::vector<std::string>> ids = referrals(*cohort);
    if (!ids) return absl::OkStatus();
    auto participants = ctx_.LoadParticipants(m, *ids);  // no round trip for none
    if (!participants.ok()) return participants.status();
    Draft draft = decide(*cohort, *participants);
    if (draft.empty()) return absl::OkStatus();
    draft.change.applied_event_id = e.id();
    return ctx_.Commit(m, std::move(draft));
  });
}

// ---- Scheduling facts --------------------------------------------------------------------------

absl::Status FactsDesk::OnCohortPlanned(const Event& e, const sv1::CohortPlanned& planned) {
  const std::string& m = e.municipality();
  // A plan may come before anything else about the cohort: no EditCohort (which wants one).
  return store::RetryOnConflict([&]() -> absl::Status {
    auto cohort = ctx_.LoadCohort(m, planned.cohort().cohort_id());
    if (!cohort.ok()) return cohort.status();
    Draft draft = PlanCohort(m, *cohort, planned);
    draft.change.applied_event_id = e.id();
    return ctx_.Commit(m, std::move(draft));
  });
}

absl::Status FactsDesk::ApplySession(const Event& e, const sv1::Session& session) {
  return EditCohort(
      e, session.cohort_id(), [](const Cohort&) { return std::vector<std::string>{}; },
      [&](const Cohort& cohort, const std::vector<Participant>&) {
        return ScheduleSession(e.municipality(), cohort, session);
      });
}

absl::Status FactsDesk::OnSessionScheduled(const Event& e, const sv1::SessionScheduled& scheduled) {
  return ApplySession(e, scheduled.session());
}

absl::Status FactsDesk::OnSessionRescheduled(const Event& e,
                                             const sv1::SessionRescheduled& rescheduled) {
  return ApplySession(e, rescheduled.session());
}

absl::Status FactsDesk::OnSessionCancelled(const Event& e, const sv1::SessionCancelled& cancelled) {
  sv1::Session session = cancelled.session();
  session.set_status(sv1::SESSION_STATUS_CANCELLED);
  return ApplySession(e, session);
}

absl::Status FactsDesk::OnEnrolled(const Event& e, const sv1::Enrolled& enrolled) {
  if (enrolled.referral_id().empty())
    return absl::InvalidArgumentError("enrolled event without referral_id");
  return EditCohort(
      e, enrolled.cohort_id(), [&](const Cohort&) { return Only(enrolled.referral_id()); },
      [&](const Cohort& cohort, const std::vector<Participant>& participants) {
        return Enrol(e.municipality(), cohort, participants[0], enrolled, ctx_.options.policy);
      });
}

absl::Status FactsDesk::OnUnenrolled(const Event& e, const sv1::Unenrolled& unenrolled) {
  return EditCohort(
      e, unenrolled.cohort_id(), [&](const Cohort&) { return Only(unenrolled.referral_id()); },
      [&](const Cohort& cohort, const std::vector<Participant>& participants) {
        return Unenrol(e.municipality(), cohort, participants[0], unenrolled, ctx_.options.policy);
      });
}

absl::Status FactsDesk::OnCohortStarted(const Event& e, const sv1::CohortStarted& started) {
  const OutcomesOptions& o = ctx_.options;
  return EditCohort(
      e, started.cohort_id(), [&](const Cohort& c) { return ReferralsToStart(c, started); },
      [&](const Cohort& cohort, const std::vector<Participant>& participants) {
        return StartCohort(e.municipality(), cohort, started, participants, o.schedule, o.policy,
                           ctx_.Now());
      });
}

absl::Status FactsDesk::OnCohortCompleted(const Event& e, const sv1::CohortCompleted& completed) {
  const OutcomesOptions& o = ctx_.options;
  return EditCohort(
      e, completed.cohort_id(), [&](const Cohort& c) { return ReferralsToComplete(c, completed); },
      [&](const Cohort& cohort, const std::vector<Participant>& participants) {
        return CompleteCohort(e.municipality(), cohort, completed, participants, o.schedule,
                              o.policy, o.settle_delay, ctx_.Now());
      });
}

absl::Status FactsDesk::OnCohortCancelled(const Event& e, const sv1::CohortCancelled& cancelled) {
  return EditCohort(
      e, cancelled.cohort_id(), [](const Cohort& c) { return ReferralsToCancel(c); },
      [&](const Cohort& cohort, const std::vector<Participant>& participants) {
        return CancelCohort(e.municipality(), cohort, participants, ctx_.options.policy);
      });
}

// ---- Referral facts (the funnel) ---------------------------------------------------------------

absl::Status FactsDesk::EditFunnel(const Event& e, const std::string& referral_id,
                                   const std::function<Draft(const Funnel&)>& decide) {
  if (referral_id.empty()) return absl::InvalidArgumentError("referral event without referral_id");
  const std::string& m = e.municipality();
  return store::RetryOnConflict([&]() -> absl::Status {
    auto read = ctx_.store.Read(m, {FunnelReferralKey(m, referral_id)});
    if (!read.ok()) return read.status();
    auto funnel = ParseFunnel((*read)[0]);
    if (!funnel.ok()) return funnel.status();
    Draft draft = decide(*funnel);
    draft.change.applied_event_id = e.id();
    return ctx_.Commit(m, std::move(draft));
  });
}

absl::Status FactsDesk::OnReferralReceived(const Event& e, const rv1::ReferralReceived& received) {
  return EditFunnel(e, received.referral_id(), [&](const Funnel& funnel) {
    return RecordReferralReceived(e.municipality(), funnel, received, e.occurred_at(),
                                  ctx_.options.schedule.tz);
  });
}

absl::Status FactsDesk::OnReferralStatusChanged(const Event& e,
                                                const rv1::ReferralStatusChanged& changed) {
  return EditFunnel(e, changed.referral_id(), [&](const Funnel& funnel) {
    return RecordReferralStatus(e.municipality(), funnel, changed, ctx_.options.schedule.tz);
  });
}

// ---- Timers ----------------------------------------------------------------------------------

absl::Status FactsDesk::OnTimer(const timer::Timer& t) {
  const TimerTarget target = ParseTimerId(t.id);
  switch (target.kind) {
    case TimerTarget::kSettle:
      return Settle(t.municipality, target.id);
    case TimerTarget::kTimePoint:
      return AdvanceTimePoint(t.municipality, target.id, target.time_point);
    case TimerTarget::kNone:
      break;
  }
  return absl::OkStatus();  // not ours: completing it is the only sensible thing
}

absl::Status FactsDesk::AdvanceTimePoint(const std::string& m, const std::string& referral_id,
                                         v1::TimePoint tp) {
  return store::RetryOnConflict([&]() -> absl::Status {
    auto participants = ctx_.LoadParticipants(m, {referral_id});
    if (!participants.ok()) return participants.status();
    std::optional<Draft> draft =
        outcomes::AdvanceTimePoint(m, (*participants)[0], tp, ctx_.options.policy, ctx_.Now());
    if (!draft) return absl::OkStatus();
    return ctx_.Commit(m, *std::move(draft));
  });
}

absl::Status FactsDesk::Settle(const std::string& m, const std::string& cohort_id) {
  return store::RetryOnConflict([&]() -> absl::Status {
    auto cohort = ctx_.LoadCohort(m, cohort_id);
    if (!cohort.ok()) return cohort.status();
    std::optional<std::vector<std::string>> ids = ReferralsToSettle(*cohort);
    if (!ids) return absl::OkStatus();
    auto participants = ctx_.LoadParticipants(m, *ids);
    if (!participants.ok()) return participants.status();
    return ctx_.Commit(m, SettleCohort(m, *cohort, *participants, ctx_.options.policy, ctx_.Now()));
  });
}

}  // namespace kpr::outcomes
