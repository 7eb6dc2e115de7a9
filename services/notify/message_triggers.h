#ifndef KPR_SERVICES_NOTIFY_MESSAGE_TRIGGERS_H_
#define KPR_SERVICES_NOTIFY_MESSAGE_TRIGGERS_H_

// Which facts become which messages, to whom (the "What triggers a message"). One
// function per fact; each returns the messages it asks for, before any channel is chosen:
// the desk then looks up each recipient's contact points, chooses the channel
// (channel_choice.h) and records one delivery per (fact, recipient, channel) (delivery_key.h).
// Session facts do not list the cohort's participants, so the caller passes them from notify's
// own record of enrolments (notify never asks scheduling). Reminders are timers, not facts
// (reminder_plan.h). Pure.

#include <string>
#include <vector>

#include "kpr/notify/v1/notify.pb.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"

namespace kpr::notify {

struct MessageIntent {
  v1::Trigger trigger = v1::TRIGGER_UNSPECIFIED;
  // The citizen the message is for, or (to_coordinator) the citizen it is about.
  std::string referral_id;
  std::string cohort_id;
  std::string session_id;
  // To the municipality's coordinator address, not to the citizen.
  bool to_coordinator = false;
};

std::vector<MessageIntent> IntentsFor(const referral::v1::ReferralAccepted& accepted);
// COHORT_INFORMATION, or MOVED_FROM_WAITLIST when the seat came from the waitlist.
std::vector<MessageIntent> IntentsFor(const scheduling::v1::Enrolled& enrolled);
std::vector<MessageIntent> IntentsFor(const scheduling::v1::Waitlisted& waitlisted);
// Every participant of the session's cohort.
std::vector<MessageIntent> IntentsFor(const scheduling::v1::SessionRescheduled& rescheduled,
                                      const std::vector<std::string>& participants);
std::vector<MessageIntent> IntentsFor(const scheduling::v1::SessionCancelled& cancelled,
                                      const std::vector<std::string>& participants);
// The participants the event lists (the cohort's, as it was cancelled).
std::vector<MessageIntent> IntentsFor(const scheduling::v1::CohortCancelled& cancelled);
std::vector<MessageIntent> IntentsFor(const outcomes::v1::QuestionnaireDue& due);
std::vector<MessageIntent> IntentsFor(const outcomes::v1::QuestionnaireOverdue& overdue);
// To the coordinator, about the citizen.
std::vector<MessageIntent> IntentsFor(const outcomes::v1::DropOutRiskFlagged& flagged);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_MESSAGE_TRIGGERS_H_
