#ifndef KPR_SERVICES_NOTIFY_FACTS_DESK_H_
#define KPR_SERVICES_NOTIFY_FACTS_DESK_H_
// What notify does with the facts of the other services and with its reminder timers: keeps its
// roster of cohorts, sessions and participants, plans and moves the session reminders, and
// records one delivery per message a fact asks for (message_triggers.h), with the timer that
// sends it. Recording is idempotent by the delivery's deterministic id, so a redelivered event
// sends nothing twice. Sending is the dispatch desk's.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/identity/caller.h"
#include "services/notify/delivery_key.h"
#include "services/notify/message_triggers.h"
#include "services/notify/notify_context.h"

namespace kpr::notify {

class FactsDesk {
 public:
  explicit FactsDesk(const NotifyContext& context) : ctx_(context) {}

  using Event = common::v1::Event;
  absl::Status OnReferralAccepted(const Event& e, const referral::v1::ReferralAccepted& p);
  absl::Status OnCohortPlanned(const Event& e, const scheduling::v1::CohortPlanned& p);
  absl::Status OnCohortCancelled(const Event& e, const scheduling::v1::CohortCancelled& p);
  absl::Status OnSessionScheduled(const Event& e, const scheduling::v1::SessionScheduled& p);
  absl::Status OnSessionRescheduled(const Event& e, const scheduling::v1::SessionRescheduled& p);
  absl::Status OnSessionCancelled(const Event& e, const scheduling::v1::SessionCancelled& p);
  absl::Status OnEnrolled(const Event& e, const scheduling::v1::Enrolled& p);
  absl::Status OnWaitlisted(const Event& e, const scheduling::v1::Waitlisted& p);
  absl::Status OnUnenrolled(const Event& e, const scheduling::v1::Unenrolled& p);
  absl::Status OnQuestionnaireDue(const Event& e, const outcomes::v1::QuestionnaireDue& p);
  absl::Status OnQuestionnaireOverdue(const Event& e, const outcomes::v1::QuestionnaireOverdue& p);
  absl::Status OnDropOutRisk(const Event& e, const outcomes::v1::DropOutRiskFlagged& p);

  // A reminder timer ("rem:...") fell due: records the reminder's delivery, unless the
  // participant left or the session moved or was cancelled since. The caller sends it at once
  // (`delivery_ids`); its send timer, a minute later, is the fallback should that fail.
  absl::Status OnReminder(const timer::Timer& timer,
                          std::vector<std::string>* delivery_ids = nullptr);

  // Records the delivery for each intent (pending, its send timer due at `send_at`), with the
  // facts its message will say. Shared with SendMessage. `fallback`: the send timer falls due
  // this long after `send_at`, for a caller that sends at once itself.
  absl::Status Record(const std::string& m, const TriggeringFact& fact,
                      const std::vector<MessageIntent>& intents, const v1::MessageFacts& facts,
                      absl::Time send_at, std::vector<std::string>* delivery_ids = nullptr,
                      absl::Duration fallback = absl::ZeroDuration()) const;

 private:
  // `intents`, or none when the event is older than options.max_fact_age.
  std::vector<MessageIntent> Fresh(const Event& e, std::vector<MessageIntent> intents) const;
  // Facts about a cohort from the roster: its name, the venue of its first session, its
  // calendar.
  static v1::MessageFacts CohortFacts(const Roster& roster);
  absl::Status PlanReminders(const std::string& m, const Roster& roster,
                             const std::vector<v1::CalendarEntry>& sessions,
                             const std::vector<std::string>& referral_ids);
  absl::Status DropReminders(const std::string& m, const Roster& roster,
                             const std::vector<std::string>& session_ids,
                             const std::vector<std::string>& referral_ids);
  // The roster after `session` was stored in it (a session of a cohort notify never heard of
  // is kept too: its cohort's plan may follow).
  absl::StatusOr<Roster> StoreSession(const std::string& m, const scheduling::v1::Session& session,
                                      v1::CalendarEntry* entry);

  const NotifyContext& ctx_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_FACTS_DESK_H_
