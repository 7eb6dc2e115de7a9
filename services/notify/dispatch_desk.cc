#include "services/notify/dispatch_desk.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/calendar/proto_time.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "services/notify/callback_desk.h"
#include "services/notify/channel_choice.h"
#include "services/notify/contact_mask.h"
#include "services/notify/delivery_events.h"
#include "services/notify/delivery_key.h"
#include "services/notify/mail_message.h"
#include "services/notify/message_facts.h"
#include "services/notify/message_template.h"
#include "services/notify/sms_encoding.h"

namespace kpr::notify {
namespace {

// How long a prefetched contact point may wait for its send: a pass takes seconds, and a
// contact changed at kpr-referral is seen by the next pass.
constexpr absl::Duration kPrefetchedFor = absl::Minutes(1);

std::string PrefetchKey(absl::string_view m, absl::string_view referral_id) {
  return absl::StrCat(m, "/", referral_id);
}

bool IsFinal(v1::DeliveryStatus s) {
  return s == v1::DELIVERY_STATUS_SENT || s == v1::DELIVERY_STATUS_DELIVERED ||
         s == v1::DELIVERY_STATUS_FAILED || s == v1::DELIVERY_STATUS_SKIPPED ||
         s == v1::DELIVERY_STATUS_CANCELLED;
}

// The e-mail outcome in the terms every provider uses.
SendResult FromSmtp(const SmtpResult& r) {
  SendResult result;
  result.outcome = r.outcome;
  if (r.outcome == SendOutcome::kPermanent) result.reason = v1::DELIVERY_REASON_UNDELIVERABLE;
  return result;
}

// Provider calls by channel and outcome: what each replica handed over (its share of a burst)
// and how often the providers pushed back.
void CountProviderCall(v1::Channel channel, SendOutcome outcome) {
  static constexpr absl::string_view kOutcomes[] = {"accepted", "transient", "permanent",
                                                    "unknown"};
  observe::MetricsRegistry::Global()
      .GetCounter("kpr_notify_provider_calls_total",
                  "Calls to the SMS gateways and the SMTP relay, by channel and outcome",
                  {{"channel", channel == v1::CHANNEL_SMS ? "sms" : "email"},
                   {"outcome", std::string(kOutcomes[static_cast<int>(outcome)])}})
      .Increment();
}

}  // namespace

double DispatchDesk::JitterSample() {
  absl::MutexLock lock(&mu_);
  return absl::Uniform(bitgen_, 0.0, 1.0);
}

absl::Status DispatchDesk::OnSendTimer(const timer::Timer& timer) {
  const std::string id = DeliveryIdOfSendTimer(timer.id);
  auto loaded = ctx_.deliveries.Get(timer.municipality, id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::OkStatus();
  const LoadedDelivery& d = **loaded;
  // A final delivery's timer is its purge: the retention period has run out.
  if (IsFinal(d.stored.delivery().status())) return Purge(d);
  return Dispatch(d);
}

absl::Status DispatchDesk::Purge(const LoadedDelivery& d) {
  if (d.stored.sealed_body().empty() && d.stored.sealed_facts().empty()) return absl::OkStatus();
  v1::StoredDelivery after;
  *after.mutable_delivery() = d.stored.delivery();
  return ctx_.deliveries.Update(after, d.stored.delivery().status(), d.version, {}, TimerChange());
}

absl::Status DispatchDesk::Commit(const LoadedDelivery& before, const v1::StoredDelivery& after,
                                  std::optional<absl::Time> retry_at) {
  const absl::Time now = ctx_.Now();
  const v1::Delivery& d = after.delivery();
  TimerChange timer;
  if (retry_at.has_value()) {
    timer.kind = TimerChange::Kind::kSchedule;
    timer.timer = {d.municipality(), SendTimerId(d.delivery_id()), *retry_at, "", 0};
  } else if (IsFinal(d.status())) {
    // The body is kept for the retention period from now: the delivery's one timer becomes its
    // purge.
    timer.kind = TimerChange::Kind::kSchedule;
    timer.timer = {d.municipality(), SendTimerId(d.delivery_id()),
                   now + ctx_.options.body_retention, "", 0};
  }
  v1::StoredDelivery stored = after;
  *stored.mutable_delivery()->mutable_updated_at() = calendar::ToTimestamp(now);
  std::vector<bus::OutboxEvent> events =
      EventsForChange(before.stored.delivery().status(), stored.delivery(), now);
  if (auto st = ctx_.deliveries.Update(stored, before.stored.delivery().status(), before.version,
                                       events, timer);
      !st.ok()) {
    return st;
  }
  ctx_.Committed(!events.empty(), retry_at.has_value() && *retry_at <= now);
  if (stored.delivery().status() != before.stored.delivery().status()) {
    observe::MetricsRegistry::Global()
        .GetCounter("kpr_notify_deliveries_total",
                    "delivery changes by the sender, by channel and the status reached",
                    {{"channel", v1::Channel_Name(stored.delivery().channel())},
                     {"status", v1::DeliveryStatus_Name(stored.delivery().status())}})
        .Increment();
  }
  return absl::OkStatus();
}

absl::Status DispatchDesk::Skip(const LoadedDelivery& d, v1::DeliveryReason reason) {
  v1::StoredDelivery after = d.stored;
  v1::Delivery& delivery = *after.mutable_delivery();
  delivery.set_status(v1::DELIVERY_STATUS_SKIPPED);
  delivery.set_reason(reason);
  *delivery.mutable_finished_at() = calendar::ToTimestamp(ctx_.Now());
  after.clear_sealed_facts();
  return Commit(d, after, std::nullopt);
}

absl::Status DispatchDesk::Postpone(const LoadedDelivery& d, absl::Time until) {
  v1::StoredDelivery after = d.stored;
  *after.mutable_delivery()->mutable_send_at() = calendar::ToTimestamp(until);
  return Commit(d, after, until);
}

absl::Status DispatchDesk::Reconcile(const LoadedDelivery& d) {
  const v1::Delivery& current = d.stored.delivery();
  const bool honours =
      current.channel() == v1::CHANNEL_SMS && ctx_.sms && ctx_.sms->HonoursKey(current.provider());
  AttemptOutcome outcome =
      ReconcileSending(current, honours, ctx_.Now(), ctx_.options.retry, JitterSample());
  observe::Warn("delivery found SENDING after its sender's lease ran out; outcome unknown")
      .With("delivery", current.delivery_id())
      .With("provider", current.provider());
  v1::StoredDelivery after = d.stored;
  *after.mutable_delivery() = outcome.delivery;
  return Commit(d, after, outcome.retry_at);
}

void DispatchDesk::Prefetch(const std::vector<timer::Timer>& timers) {
  if (ctx_.contacts == nullptr || timers.empty()) return;
  const std::string& m = timers.front().municipality;  // a pass hands over one municipality
  std::vector<std::string> ids;
  for (const timer::Timer& t : timers) {
    std::string id = DeliveryIdOfSendTimer(t.id);
    if (!id.empty()) ids.push_back(std::move(id));
  }
  if (ids.size() < 2) return;  // nothing to gain over the send's own call
  auto loaded = ctx_.deliveries.GetMany(m, ids);
  if (!loaded.ok()) return;
  // Only what a send will read: pending deliveries to citizens (not the coordinator's e-mails,
  // not deliveries already sent), so no contact point is read for nothing.
  std::vector<std::string> referral_ids;
  for (const auto& d : *loaded) {
    if (!d || d->stored.delivery().status() != v1::DELIVERY_STATUS_PENDING ||
        d->stored.delivery().trigger() == v1::TRIGGER_DROP_OUT_RISK ||
        d->stored.delivery().referral_id().empty()) {
      continue;
    }
    referral_ids.push_back(d->stored.delivery().referral_id());
  }
  if (referral_ids.size() < 2) return;
  auto found = ctx_.contacts->Lookup(m, referral_ids);
  if (!found.ok()) return;
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  // Entries no send took (the send found the delivery changed meanwhile) do not linger.
  absl::erase_if(prefetched_,
                 [&](const auto& e) { return now - e.second.fetched_at > kPrefetchedFor; });
  for (const std::string& id : referral_ids) prefetched_[PrefetchKey(m, id)] = {std::nullopt, now};
  for (referral::v1::ContactPoints& c : *found) {
    prefetched_[PrefetchKey(m, c.referral_id())].contact = std::move(c);
  }
}

absl::StatusOr<std::optional<referral::v1::ContactPoints>> DispatchDesk::ContactOf(
    const std::string& m, const std::string& referral_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = prefetched_.find(PrefetchKey(m, referral_id));
    if (it != prefetched_.end()) {
      Prefetched p = std::move(it->second);
      prefetched_.erase(it);
      if (absl::Now() - p.fetched_at <= kPrefetchedFor) return std::move(p.contact);
    }
  }
  absl::StatusOr<std::vector<referral::v1::ContactPoints>> found =
      ctx_.contacts->Lookup(m, {referral_id});
  if (!found.ok()) return found.status();
  if (found->empty()) return std::nullopt;
  return std::move(found->front());
}

absl::StatusOr<DispatchDesk::Recipient> DispatchDesk::FindRecipient(const v1::Delivery& d) {
  Recipient r;
  const std::string& m = d.municipality();
  if (d.trigger() == v1::TRIGGER_DROP_OUT_RISK) {
    absl::StatusOr<v1::CoordinatorContact> c = ctx_.settings.GetCoordinatorContact(m);
    if (!c.ok()) return c.status();
    r.channel = v1::CHANNEL_EMAIL;
    r.address = c->email();
    if (r.address.empty()) r.skip = v1::DELIVERY_REASON_NO_COORDINATOR_CONTACT;
    return r;
  }
  if (ctx_.contacts == nullptr) {
    return absl::UnavailableError("no referral service configured (KPR_REFERRAL_ADDR)");
  }
  absl::StatusOr<std::optional<referral::v1::ContactPoints>> found = ContactOf(m, d.referral_id());
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    r.skip = v1::DELIVERY_REASON_NO_CONTACT_POINT;
    return r;
  }
  const referral::v1::ContactPoints& c = **found;
  absl::StatusOr<v1::Preferences> prefs = ctx_.settings.GetPreferences(m, d.referral_id());
  if (!prefs.ok()) return prefs.status();
  bool suppressed = false;
  if (!c.phone().empty()) {
    absl::StatusOr<std::vector<bool>> stop = ctx_.stop_list.AreSuppressed({c.phone()});
    if (!stop.ok()) return stop.status();
    suppressed = !stop->empty() && stop->front();
  }
  ChannelFacts facts{c.preferred_channel(),  !c.phone().empty(),       !c.email().empty(),
                     prefs->sms_opted_out(), prefs->email_opted_out(), suppressed};
  ChannelDecision decision = ChooseChannel(facts);
  // Once attempted, a delivery stays on its channel: a retry carries the first attempt's key.
  if (d.attempts() > 0 && d.channel() != v1::CHANNEL_UNSPECIFIED &&
      decision.channel != d.channel()) {
    decision.channel = v1::CHANNEL_UNSPECIFIED;
    decision.skip_reason = decision.skip_reason != v1::DELIVERY_REASON_UNSPECIFIED
                               ? decision.skip_reason
                               : v1::DELIVERY_REASON_OPTED_OUT;
  }
  r.channel = decision.channel;
  r.skip = decision.skip_reason;
  r.address = r.channel == v1::CHANNEL_SMS ? c.phone() : c.email();
  r.first_name = c.given_name();
  r.language = LanguageFor(c.preferred_language());
  return r;
}

absl::Status DispatchDesk::Dispatch(const std::string& m, const std::string& delivery_id) {
  auto loaded = ctx_.deliveries.Get(m, delivery_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::OkStatus();  // never recorded
  return Dispatch(**loaded);
}

absl::Status DispatchDesk::Dispatch(const LoadedDelivery& d) {
  const v1::Delivery& current = d.stored.delivery();
  if (current.status() == v1::DELIVERY_STATUS_SENDING) return Reconcile(d);
  if (current.status() != v1::DELIVERY_STATUS_PENDING) return absl::OkStatus();

  absl::StatusOr<Recipient> r = FindRecipient(current);
  if (!r.ok()) return r.status();
  if (r->skip != v1::DELIVERY_REASON_UNSPECIFIED) return Skip(d, r->skip);
  absl::StatusOr<v1::MessageFacts> facts = ctx_.OpenFacts(d.stored);
  if (!facts.ok()) return facts.status();

  const absl::Time now = ctx_.Now();
  if (r->channel == v1::CHANNEL_SMS) {
    if (current.trigger() == v1::TRIGGER_SESSION_REMINDER) {
      std::optional<absl::Time> at = ReminderSendTime(
          now, calendar::FromTimestamp(facts->session_start()), ctx_.options.quiet_hours);
      if (!at.has_value()) return Skip(d, v1::DELIVERY_REASON_QUIET_HOURS_PAST_SESSION);
      if (*at > now) return Postpone(d, *at);
    } else if (absl::Time at = ctx_.options.quiet_hours.NextAllowed(now); at > now) {
      return Postpone(d, at);
    }
  }
  return Attempt(d, *r, *facts);
}

absl::Status DispatchDesk::Attempt(const LoadedDelivery& d, const Recipient& r,
                                   const v1::MessageFacts& facts) {
  const v1::Delivery& current = d.stored.delivery();
  const std::string& m = current.municipality();
  absl::StatusOr<v1::Template> tpl = ctx_.settings.TemplateFor(m, current.trigger(), r.language);
  if (!tpl.ok()) return tpl.status();
  absl::StatusOr<RenderedMessage> rendered =
      RenderTemplate(*tpl, ValuesFor(current, facts, r.first_name, r.language));
  if (!rendered.ok()) {
    observe::Warn("message not rendered; delivery skipped")
        .With("delivery", current.delivery_id())
        .With("reason", rendered.status().ToString());
    return Skip(d, v1::DELIVERY_REASON_MISSING_VALUE);
  }
  v1::RenderedBody body;
  body.set_sms_text(rendered->sms_text);
  body.set_email_subject(rendered->email_subject);
  body.set_email_text(rendered->email_text);
  body.set_email_html(rendered->email_html);

  v1::StoredDelivery prepared = d.stored;
  v1::Delivery& delivery = *prepared.mutable_delivery();
  delivery.set_channel(r.channel);
  delivery.set_language(r.language);
  delivery.set_template_version(tpl->version());
  delivery.set_masked_recipient(r.channel == v1::CHANNEL_SMS ? MaskPhone(r.address)
                                                             : MaskEmail(r.address));
  SmsProvider* provider = nullptr;
  if (r.channel == v1::CHANNEL_SMS) {
    if (body.sms_text().empty()) return Skip(d, v1::DELIVERY_REASON_MISSING_VALUE);
    if (ctx_.sms == nullptr) return absl::UnavailableError("no SMS gateway configured");
    SmsAnalysis analysis = AnalyzeSms(body.sms_text());
    delivery.set_sms_encoding(analysis.encoding);
    delivery.set_sms_segments(analysis.segments);
    // The gateways' health is infrastructure: its window holds calls timed by the real clock.
    provider = &ctx_.sms->Choose(delivery, absl::Now());
    // The gateway's limit is real time, shared by every replica: wait for a turn before SENDING.
    if (auto st = ctx_.sms->AwaitTurn(*provider, absl::Now() + ctx_.options.rate_wait); !st.ok()) {
      return absl::UnavailableError(absl::StrCat("SMS rate limit: ", st.message()));
    }
  } else {
    if (ctx_.smtp == nullptr) return absl::UnavailableError("no SMTP relay configured");
    absl::StatusOr<std::string> ics =
        CalendarAttachment(current.trigger(), facts, calendar::FromTimestamp(current.created_at()));
    if (!ics.ok()) return ics.status();
    body.set_ics(*std::move(ics));
  }
  absl::StatusOr<std::string> sealed = ctx_.SealBody(current.delivery_id(), body);
  if (!sealed.ok()) return sealed.status();
  prepared.set_sealed_body(*std::move(sealed));

  // SENDING is on record before the provider is called.
  absl::StatusOr<v1::Delivery> begun =
      BeginAttempt(delivery, provider ? provider->name() : "smtp", ctx_.Now());
  if (!begun.ok()) return begun.status();
  *prepared.mutable_delivery() = *begun;
  if (auto st = ctx_.deliveries.Update(prepared, current.status(), d.version, {}, TimerChange());
      !st.ok()) {
    return st;
  }
  LoadedDelivery sending{prepared, d.version + 1};

  SendResult result;
  bool honours = false;
  if (provider != nullptr) {
    SmsRequest request;
    request.sender = ctx_.options.sms_sender;
    request.text = body.sms_text();
    request.encoding = begun->sms_encoding();
    request.msisdn = r.address;
    request.userref = UserrefFor(begun->delivery_id());
    if (!ctx_.options.callback_base_url.empty()) {
      request.callback_url = absl::StrCat(ctx_.options.callback_base_url, kReportPath);
    }
    SmsSendResult sms = ctx_.sms->Send(*provider, request, absl::Now() + ctx_.options.sms_timeout);
    if (sms.config_error || sms.result.outcome != SendOutcome::kAccepted) {
      observe::Warn("SMS attempt not accepted")
          .With("delivery", begun->delivery_id())
          .With("provider", provider->name())
          .With("http_status", sms.http_status)
          .With("detail", sms.detail);
    }
    result = sms.result;
    honours = provider->honours_idempotency_key();
  } else {
    MailContent mail;
    mail.from_address = ctx_.options.smtp_from;
    mail.to_address = r.address;
    mail.subject = body.email_subject();
    mail.text = body.email_text();
    mail.html = body.email_html();
    mail.ics = body.ics();
    mail.message_id = MessageIdFor(begun->delivery_id());
    mail.date = calendar::FromTimestamp(begun->created_at());
    absl::StatusOr<std::string> message = BuildMailMessage(mail);
    if (!message.ok()) {
      result.outcome = SendOutcome::kPermanent;
      result.reason = v1::DELIVERY_REASON_INVALID_RECIPIENT;
    } else {
      SmtpResult smtp = ctx_.smtp->Send(mail.from_address, mail.to_address, *message);
      if (smtp.outcome != SendOutcome::kAccepted) {
        observe::Warn("e-mail attempt not accepted")
            .With("delivery", begun->delivery_id())
            .With("smtp_code", smtp.smtp_code)
            .With("detail", smtp.detail);
      }
      result = FromSmtp(smtp);
    }
  }
  CountProviderCall(r.channel, result.outcome);
  AttemptOutcome outcome =
      FinishAttempt(*begun, result, honours, ctx_.Now(), ctx_.options.retry, JitterSample());
  v1::StoredDelivery after = prepared;
  *after.mutable_delivery() = outcome.delivery;
  if (outcome.failed) after.clear_sealed_facts();
  return Commit(sending, after, outcome.retry_at);
}

}  // namespace kpr::notify
