#include "services/notify/facts_handler.h"

#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"

namespace kpr::notify {
namespace {

using common::v1::Event;

// Binds a desk method as the router's handler for its payload type.
template <typename T>
std::function<absl::Status(const Event&, const T&)> Bind(
    FactsDesk& facts, absl::Status (FactsDesk::*method)(const Event&, const T&)) {
  return [&facts, method](const Event& e, const T& p) { return (facts.*method)(e, p); };
}

}  // namespace

bus::EventRouter ReferralFactsRouter(FactsDesk& facts) {
  bus::EventRouter router(kReferralFactsConsumer);
  router.On<referral::v1::ReferralAccepted>(Bind(facts, &FactsDesk::OnReferralAccepted));
  return router;
}

bus::EventRouter SchedulingFactsRouter(FactsDesk& facts) {
  namespace s = scheduling::v1;
  bus::EventRouter router(kSchedulingFactsConsumer);
  router.On<s::CohortPlanned>(Bind(facts, &FactsDesk::OnCohortPlanned))
      .On<s::CohortCancelled>(Bind(facts, &FactsDesk::OnCohortCancelled))
      .On<s::SessionScheduled>(Bind(facts, &FactsDesk::OnSessionScheduled))
      .On<s::SessionRescheduled>(Bind(facts, &FactsDesk::OnSessionRescheduled))
      .On<s::SessionCancelled>(Bind(facts, &FactsDesk::OnSessionCancelled))
      .On<s::Enrolled>(Bind(facts, &FactsDesk::OnEnrolled))
      .On<s::Waitlisted>(Bind(facts, &FactsDesk::OnWaitlisted))
      .On<s::Unenrolled>(Bind(facts, &FactsDesk::OnUnenrolled))
      .Ignore<s::CohortOpened>()
      .Ignore<s::CohortStarted>()
      .Ignore<s::CohortCompleted>();
  return router;
}

bus::EventRouter OutcomesFactsRouter(FactsDesk& facts) {
  namespace o = outcomes::v1;
  bus::EventRouter router(kOutcomesFactsConsumer);
  router.On<o::QuestionnaireDue>(Bind(facts, &FactsDesk::OnQuestionnaireDue))
      .On<o::QuestionnaireOverdue>(Bind(facts, &FactsDesk::OnQuestionnaireOverdue))
      .On<o::DropOutRiskFlagged>(Bind(facts, &FactsDesk::OnDropOutRisk))
      .Ignore<o::QuestionnaireAnswered>()
      .Ignore<o::QuestionnaireClosed>()
      .Ignore<o::AttendanceRecorded>()
      .Ignore<o::OutcomeRecorded>();
  return router;
}

}  // namespace kpr::notify
