#ifndef KPR_SERVICES_NOTIFY_NOTIFY_CONTEXT_H_
#define KPR_SERVICES_NOTIFY_NOTIFY_CONTEXT_H_
// What every notify desk works with: the stores, the contact directory, the channels, the clock,
// the sealing key and the options; and the I/O they share: sealing and opening what a delivery
// keeps of a message, and committing a delivery.
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/records.pb.h"
#include "libs/privacy/sealed_box.h"
#include "libs/timer/timer_store.h"
#include "services/notify/contact_directory.h"
#include "services/notify/delivery_attempt.h"
#include "services/notify/delivery_store.h"
#include "services/notify/quiet_hours.h"
#include "services/notify/roster_store.h"
#include "services/notify/settings_store.h"
#include "services/notify/sms_channel.h"
#include "services/notify/smtp_sender.h"
#include "services/notify/suppression_list.h"

namespace kpr::notify {

struct NotifyOptions {
  // Domain time: reminders, quiet hours, retries. Tests simulate it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  QuietHours quiet_hours = QuietHours::Default();
  std::string sms_sender = "kpr";      // KPR_SMS_SENDER
  std::string smtp_from;               // KPR_SMTP_FROM
  std::string callback_base_url;       // KPR_NOTIFY_PUBLIC_URL; "" sends no callback_url
  std::string questionnaire_base_url;  // KPR_QUESTIONNAIRE_URL; "" skips questionnaire links
  absl::Duration body_retention = absl::Hours(24 * 30);  // KPR_NOTIFY_BODY_RETENTION
  RetryPolicy retry;
  absl::Duration sms_timeout = absl::Seconds(10);  // one gateway call
  absl::Duration rate_wait = absl::Seconds(5);     // longest wait for a rate-limit token
  // A fact older than this (by its event's time) gets no message: a first deployment replays
  // the streams from their start.
  absl::Duration max_fact_age = absl::Hours(48);
};

// "send:<delivery id>": the timer that sends (or retries) a delivery.
std::string SendTimerId(absl::string_view delivery_id);
// The delivery id of a send timer, or "" when `timer_id` is not one.
std::string DeliveryIdOfSendTimer(absl::string_view timer_id);

struct NotifyContext {
  DeliveryStore& deliveries;
  SettingsStore& settings;
  RosterStore& roster;
  SuppressionList& stop_list;
  timer::TimerStore& timers;   // notify's timers: reminders and sends
  ContactDirectory* contacts;  // null: no referral service configured (sends wait)
  SmsChannel* sms;             // null: no SMS gateway configured (SMS deliveries wait)
  const SmtpSender* smtp;      // null: no SMTP relay configured (e-mails wait)
  privacy::SealedBox box;
  std::function<void()> on_outbox_write;  // may be empty
  std::function<void()> on_timer_due;     // may be empty: wake the timer worker
  NotifyOptions options;

  absl::Time Now() const { return options.clock(); }
  // Seals a message's facts / body for the delivery (bound to its id).
  absl::StatusOr<std::string> SealFacts(const std::string& delivery_id,
                                        const v1::MessageFacts& facts) const;
  absl::StatusOr<v1::MessageFacts> OpenFacts(const v1::StoredDelivery& stored) const;
  absl::StatusOr<std::string> SealBody(const std::string& delivery_id,
                                       const v1::RenderedBody& body) const;
  absl::StatusOr<v1::RenderedBody> OpenBody(const v1::StoredDelivery& stored) const;
  // Called after a commit: tells the relay and the timer worker.
  void Committed(bool events, bool timer_due_now) const;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_NOTIFY_CONTEXT_H_
