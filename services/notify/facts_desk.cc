#include "services/notify/facts_desk.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/calendar/proto_time.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "services/notify/message_facts.h"
#include "services/notify/reminder_plan.h"

namespace kpr::notify {
namespace {

// A reminder is sent by the handler that records it; its send timer is the fallback.
constexpr absl::Duration kSendFallback = absl::Minutes(1);

std::vector<std::string> SessionIds(const Roster& roster) {
  std::vector<std::string> ids;
  for (const v1::CalendarEntry& s : roster.sessions) ids.push_back(s.session_id());
  return ids;
}

std::vector<std::string> ReferralIds(
    const google::protobuf::RepeatedPtrField<scheduling::v1::Enrollment>& participants) {
  std::vector<std::string> ids;
  for (const auto& p : participants) ids.push_back(p.referral_id());
  return ids;
}

// The session's entry in the facts: where and when.
void AddSessionFacts(v1::MessageFacts& facts, const v1::CalendarEntry& entry) {
  facts.set_venue(entry.venue());
  facts.set_activity(entry.activity());
  *facts.mutable_session_start() = entry.start();
}

// "<base>?r=<referral>&t=<time point>": the citizen's questionnaire. "" without a base URL: the
// template's {questionnaire_link} then has no value and the delivery is skipped with the reason.
std::string QuestionnaireLink(const std::string& base, const std::string& referral_id,
                              int time_point) {
  if (base.empty()) return "";
  return absl::StrCat(base, base.find('?') == std::string::npos ? "?" : "&", "r=", referral_id,
                      "&t=", time_point);
}

}  // namespace

std::vector<MessageIntent> FactsDesk::Fresh(const Event& e,
                                            std::vector<MessageIntent> intents) const {
  if (!calendar::IsSet(e.occurred_at()) ||
      calendar::FromTimestamp(e.occurred_at()) >= ctx_.Now() - ctx_.options.max_fact_age) {
    return intents;
  }
  // Old news: a first deployment replays the streams from their start, and a citizen must not
  // be welcomed months after the fact. The roster and the reminders are still brought up to date.
  observe::MetricsRegistry::Global()
      .GetCounter("kpr_notify_stale_facts_total",
                  "facts too old to tell anyone about (no message recorded)")
      .Increment();
  return {};
}

v1::MessageFacts FactsDesk::CohortFacts(const Roster& roster) {
  v1::MessageFacts facts;
  facts.set_program(roster.name);
  for (const v1::CalendarEntry& s : roster.sessions) {
    *facts.add_calendar() = s;
    if (facts.venue().empty() && !s.cancelled()) facts.set_venue(s.venue());
  }
  return facts;
}

absl::Status FactsDesk::Record(const std::string& m, const TriggeringFact& fact,
                               const std::vector<MessageIntent>& intents,
                               const v1::MessageFacts& facts, absl::Time send_at,
                               std::vector<std::string>* delivery_ids,
                               absl::Duration fallback) const {
  const absl::Time now = ctx_.Now();
  bool due_now = false;
  for (const MessageIntent& intent : intents) {
    const std::string recipient =
        intent.to_coordinator ? std::string(kCoordinatorRecipient) : intent.referral_id;
    const std::string id = DeliveryIdFor(m, fact, recipient, v1::CHANNEL_UNSPECIFIED);
    if (delivery_ids) delivery_ids->push_back(id);
    v1::StoredDelivery stored;
    v1::Delivery& d = *stored.mutable_delivery();
    d.set_delivery_id(id);
    d.set_municipality(m);
    d.set_referral_id(intent.referral_id);
    d.set_cohort_id(intent.cohort_id);
    d.set_session_id(intent.session_id);
    d.set_trigger(intent.trigger);
    if (intent.to_coordinator) d.set_channel(v1::CHANNEL_EMAIL);
    d.set_status(v1::DELIVERY_STATUS_PENDING);
    *d.mutable_created_at() = calendar::ToTimestamp(now);
    *d.mutable_send_at() = calendar::ToTimestamp(send_at);
    *d.mutable_updated_at() = calendar::ToTimestamp(now);
    absl::StatusOr<std::string> sealed = ctx_.SealFacts(id, facts);
    if (!sealed.ok()) return sealed.status();
    stored.set_sealed_facts(*std::move(sealed));
    TimerChange timer;
    timer.kind = TimerChange::Kind::kSchedule;
    timer.timer = {m, SendTimerId(id), send_at + fallback, "", 0};
    absl::StatusOr<RecordOutcome> recorded = ctx_.deliveries.Record(stored, {}, timer);
    if (!recorded.ok()) return recorded.status();
    due_now = due_now || send_at + fallback <= now;
  }
  ctx_.Committed(false, due_now);
  return absl::OkStatus();
}

absl::Status FactsDesk::PlanReminders(const std::string& m, const Roster& roster,
                                      const std::vector<v1::CalendarEntry>& sessions,
                                      const std::vector<std::string>& referral_ids) {
  if (referral_ids.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<absl::Duration>> offsets =
      ctx_.settings.OffsetsFor(m, roster.program_id);
  if (!offsets.ok()) return offsets.status();
  const absl::Time now = ctx_.Now();
  std::vector<timer::Timer> schedule;
  for (const v1::CalendarEntry& s : sessions) {
    SessionSlot slot{m, roster.cohort_id, s.session_id(), calendar::FromTimestamp(s.start())};
    ReminderChanges changes;
    if (s.cancelled()) {
      changes = CancelReminders({s.session_id()}, referral_ids, *offsets);
    } else {
      changes = RemindersForSession(slot, referral_ids, *offsets, now);
    }
    for (timer::Timer& t : changes.schedule) schedule.push_back(std::move(t));
    for (const std::string& id : changes.cancel) {
      if (auto st = ctx_.timers.Cancel(m, id); !st.ok()) return st;
    }
  }
  return ctx_.timers.ScheduleMany(schedule);
}

absl::Status FactsDesk::DropReminders(const std::string& m, const Roster& roster,
                                      const std::vector<std::string>& session_ids,
                                      const std::vector<std::string>& referral_ids) {
  absl::StatusOr<std::vector<absl::Duration>> offsets =
      ctx_.settings.OffsetsFor(m, roster.program_id);
  if (!offsets.ok()) return offsets.status();
  for (const std::string& id : CancelReminders(session_ids, referral_ids, *offsets).cancel) {
    if (auto st = ctx_.timers.Cancel(m, id); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<Roster> FactsDesk::StoreSession(const std::string& m,
                                               const scheduling::v1::Session& session,
                                               v1::CalendarEntry* entry) {
  absl::StatusOr<v1::CalendarEntry> e = CalendarEntryFor(session);
  if (!e.ok()) return e.status();
  if (auto st = ctx_.roster.PutSessions(m, session.cohort_id(), {*e}); !st.ok()) return st;
  *entry = *std::move(e);
  return ctx_.roster.Get(m, session.cohort_id());
}

absl::Status FactsDesk::OnReferralAccepted(const Event& e,
                                           const referral::v1::ReferralAccepted& p) {
  v1::MessageFacts facts;
  facts.set_program(p.preferred_program());
  return Record(e.municipality(), TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p)), facts,
                ctx_.Now());
}

absl::Status FactsDesk::OnCohortPlanned(const Event& e, const scheduling::v1::CohortPlanned& p) {
  const std::string& m = e.municipality();
  const std::string& cohort_id = p.cohort().cohort_id();
  if (auto st = ctx_.roster.PutCohort(m, cohort_id, p.cohort().program_id(), p.cohort().name());
      !st.ok()) {
    return st;
  }
  std::vector<v1::CalendarEntry> entries;
  for (const scheduling::v1::Session& s : p.sessions()) {
    absl::StatusOr<v1::CalendarEntry> entry = CalendarEntryFor(s);
    if (!entry.ok()) return entry.status();
    entries.push_back(*std::move(entry));
  }
  return ctx_.roster.PutSessions(m, cohort_id, entries);
}

absl::Status FactsDesk::OnEnrolled(const Event& e, const scheduling::v1::Enrolled& p) {
  const std::string& m = e.municipality();
  if (auto st = ctx_.roster.AddParticipant(m, p.cohort_id(), p.referral_id()); !st.ok()) return st;
  absl::StatusOr<Roster> roster = ctx_.roster.Get(m, p.cohort_id());
  if (!roster.ok()) return roster.status();
  if (auto st = PlanReminders(m, *roster, roster->sessions, {p.referral_id()}); !st.ok()) {
    return st;
  }
  return Record(m, TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p)), CohortFacts(*roster),
                ctx_.Now());
}

absl::Status FactsDesk::OnWaitlisted(const Event& e, const scheduling::v1::Waitlisted& p) {
  return Record(e.municipality(), TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p)),
                v1::MessageFacts(), ctx_.Now());
}

absl::Status FactsDesk::OnUnenrolled(const Event& e, const scheduling::v1::Unenrolled& p) {
  const std::string& m = e.municipality();
  absl::StatusOr<Roster> roster = ctx_.roster.Get(m, p.cohort_id());
  if (!roster.ok()) return roster.status();
  if (auto st = DropReminders(m, *roster, SessionIds(*roster), {p.referral_id()}); !st.ok()) {
    return st;
  }
  return ctx_.roster.RemoveParticipant(m, p.cohort_id(), p.referral_id());
}

absl::Status FactsDesk::OnSessionScheduled(const Event& e,
                                           const scheduling::v1::SessionScheduled& p) {
  v1::CalendarEntry entry;
  absl::StatusOr<Roster> roster = StoreSession(e.municipality(), p.session(), &entry);
  if (!roster.ok()) return roster.status();
  return PlanReminders(e.municipality(), *roster, {entry}, roster->participants);
}

absl::Status FactsDesk::OnSessionRescheduled(const Event& e,
                                             const scheduling::v1::SessionRescheduled& p) {
  const std::string& m = e.municipality();
  v1::CalendarEntry entry;
  absl::StatusOr<Roster> roster = StoreSession(m, p.session(), &entry);
  if (!roster.ok()) return roster.status();
  if (auto st = PlanReminders(m, *roster, {entry}, roster->participants); !st.ok()) return st;
  v1::MessageFacts facts = CohortFacts(*roster);
  AddSessionFacts(facts, entry);
  absl::StatusOr<v1::CalendarEntry> previous = CalendarEntryFor(p.previous());
  if (previous.ok()) *facts.mutable_previous_session_start() = previous->start();
  return Record(m, TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p, roster->participants)),
                facts, ctx_.Now());
}

absl::Status FactsDesk::OnSessionCancelled(const Event& e,
                                           const scheduling::v1::SessionCancelled& p) {
  const std::string& m = e.municipality();
  scheduling::v1::Session session = p.session();
  session.set_status(scheduling::v1::SESSION_STATUS_CANCELLED);
  v1::CalendarEntry entry;
  absl::StatusOr<Roster> roster = StoreSession(m, session, &entry);
  if (!roster.ok()) return roster.status();
  if (auto st = DropReminders(m, *roster, {entry.session_id()}, roster->participants); !st.ok()) {
    return st;
  }
  v1::MessageFacts facts = CohortFacts(*roster);
  AddSessionFacts(facts, entry);
  return Record(m, TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p, roster->participants)),
                facts, ctx_.Now());
}

absl::Status FactsDesk::OnCohortCancelled(const Event& e,
                                          const scheduling::v1::CohortCancelled& p) {
  const std::string& m = e.municipality();
  absl::StatusOr<Roster> roster = ctx_.roster.Get(m, p.cohort_id());
  if (!roster.ok()) return roster.status();
  std::vector<std::string> participants = ReferralIds(p.participants());
  for (const std::string& r : roster->participants) {
    if (std::find(participants.begin(), participants.end(), r) == participants.end()) {
      participants.push_back(r);
    }
  }
  if (auto st = DropReminders(m, *roster, SessionIds(*roster), participants); !st.ok()) return st;
  if (auto st = Record(m, TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p)),
                       CohortFacts(*roster), ctx_.Now());
      !st.ok()) {
    return st;
  }
  for (const std::string& r : participants) {
    if (auto st = ctx_.roster.RemoveParticipant(m, p.cohort_id(), r); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status FactsDesk::OnQuestionnaireDue(const Event& e,
                                           const outcomes::v1::QuestionnaireDue& p) {
  v1::MessageFacts facts;
  facts.set_questionnaire_link(
      QuestionnaireLink(ctx_.options.questionnaire_base_url, p.referral_id(), p.time_point()));
  *facts.mutable_questionnaire_closes() = p.closes_at();
  return Record(e.municipality(), TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p)), facts,
                ctx_.Now());
}

absl::Status FactsDesk::OnQuestionnaireOverdue(const Event& e,
                                               const outcomes::v1::QuestionnaireOverdue& p) {
  v1::MessageFacts facts;
  facts.set_questionnaire_link(
      QuestionnaireLink(ctx_.options.questionnaire_base_url, p.referral_id(), p.time_point()));
  *facts.mutable_questionnaire_closes() = p.closes_at();
  return Record(e.municipality(), TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p)), facts,
                ctx_.Now());
}

absl::Status FactsDesk::OnDropOutRisk(const Event& e, const outcomes::v1::DropOutRiskFlagged& p) {
  v1::MessageFacts facts;
  facts.set_about_referral_id(p.referral_id());
  for (int r : p.reasons()) facts.add_risk_reasons(static_cast<outcomes::v1::RiskReason>(r));
  return Record(e.municipality(), TriggeringFact::Event(e.id()), Fresh(e, IntentsFor(p)), facts,
                ctx_.Now());
}

absl::Status FactsDesk::OnReminder(const timer::Timer& timer,
                                   std::vector<std::string>* delivery_ids) {
  absl::StatusOr<v1::ReminderTimer> reminder = ParseReminderPayload(timer.payload);
  if (!reminder.ok()) {
    observe::Warn("dropping a reminder timer that does not decode").With("timer", timer.id);
    return absl::OkStatus();
  }
  const std::string& m = timer.municipality;
  // One round trip, not the whole roster: a morning's reminders come by the thousand.
  absl::StatusOr<RosterStore::ReminderView> view = ctx_.roster.GetForReminder(
      m, reminder->cohort_id(), reminder->session_id(), reminder->referral_id());
  if (!view.ok()) return view.status();
  // A participant who left, a session cancelled or moved: its own timers say what to send.
  if (!view->enrolled || !view->session.has_value() || view->session->cancelled() ||
      view->session->start().seconds() != reminder->session_start().seconds()) {
    return absl::OkStatus();
  }
  v1::MessageFacts facts;
  facts.set_program(view->name);
  AddSessionFacts(facts, *view->session);
  *facts.add_calendar() = *view->session;  // the reminder's e-mail carries its session
  MessageIntent intent{v1::TRIGGER_SESSION_REMINDER, reminder->referral_id(), reminder->cohort_id(),
                       reminder->session_id(), false};
  return Record(m,
                TriggeringFact::Reminder(reminder->session_id(),
                                         calendar::FromTimestamp(reminder->session_start()),
                                         absl::Minutes(reminder->offset_minutes())),
                {intent}, facts, ctx_.Now(), delivery_ids, kSendFallback);
}

}  // namespace kpr::notify
