#include "services/notify/message_triggers.h"

namespace kpr::notify {
namespace {

MessageIntent Intent(v1::Trigger trigger, std::string referral_id, std::string cohort_id = "",
                     std::string session_id = "") {
  MessageIntent m;
  m.trigger = trigger;
  m.referral_id = std::move(referral_id);
  m.cohort_id = std::move(cohort_id);
  m.session_id = std::move(session_id);
  return m;
}

std::vector<MessageIntent> ToEach(v1::Trigger trigger, const std::vector<std::string>& referrals,
                                  const std::string& cohort_id, const std::string& session_id) {
  std::vector<MessageIntent> out;
  out.reserve(referrals.size());
  for (const std::string& r : referrals) out.push_back(Intent(trigger, r, cohort_id, session_id));
  return out;
}

}  // namespace

std::vector<MessageIntent> IntentsFor(const referral::v1::ReferralAccepted& accepted) {
  return {Intent(v1::TRIGGER_WELCOME, accepted.referral_id())};
}

std::vector<MessageIntent> IntentsFor(const scheduling::v1::Enrolled& enrolled) {
  return {Intent(
      enrolled.from_waitlist() ? v1::TRIGGER_MOVED_FROM_WAITLIST : v1::TRIGGER_COHORT_INFORMATION,
      enrolled.referral_id(), enrolled.cohort_id())};
}

std::vector<MessageIntent> IntentsFor(const scheduling::v1::Waitlisted& waitlisted) {
  return {Intent(v1::TRIGGER_WAITLISTED, waitlisted.referral_id())};
}

std::vector<MessageIntent> IntentsFor(const scheduling::v1::SessionRescheduled& rescheduled,
                                      const std::vector<std::string>& participants) {
  const auto& s = rescheduled.session();
  return ToEach(v1::TRIGGER_SESSION_RESCHEDULED, participants, s.cohort_id(), s.session_id());
}

std::vector<MessageIntent> IntentsFor(const scheduling::v1::SessionCancelled& cancelled,
                                      const std::vector<std::string>& participants) {
  const auto& s = cancelled.session();
  return ToEach(v1::TRIGGER_SESSION_CANCELLED, participants, s.cohort_id(), s.session_id());
}

std::vector<MessageIntent> IntentsFor(const scheduling::v1::CohortCancelled& cancelled) {
  std::vector<std::string> referrals;
  for (const auto& p : cancelled.participants()) referrals.push_back(p.referral_id());
  return ToEach(v1::TRIGGER_COHORT_CANCELLED, referrals, cancelled.cohort_id(), "");
}

std::vector<MessageIntent> IntentsFor(const outcomes::v1::QuestionnaireDue& due) {
  return {Intent(v1::TRIGGER_QUESTIONNAIRE_DUE, due.referral_id(), due.cohort_id())};
}

std::vector<MessageIntent> IntentsFor(const outcomes::v1::QuestionnaireOverdue& overdue) {
  return {Intent(v1::TRIGGER_QUESTIONNAIRE_OVERDUE, overdue.referral_id(), overdue.cohort_id())};
}

std::vector<MessageIntent> IntentsFor(const outcomes::v1::DropOutRiskFlagged& flagged) {
  MessageIntent m = Intent(v1::TRIGGER_DROP_OUT_RISK, flagged.referral_id(), flagged.cohort_id());
  m.to_coordinator = true;
  return {m};
}

}  // namespace kpr::notify
