#include "services/notify/callback_desk.h"

#include "absl/strings/str_cat.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "services/notify/callback_signature.h"
#include "services/notify/delivery_events.h"
#include "services/notify/delivery_report.h"
#include "services/notify/inbound_reply.h"

namespace kpr::notify {
namespace {

observe::HttpResponse Answer(int status, absl::string_view text) {
  observe::HttpResponse r;
  r.status = status;
  r.body = absl::StrCat(text, "\n");
  return r;
}

observe::HttpResponse FromStatus(const absl::Status& st) {
  switch (st.code()) {
    case absl::StatusCode::kUnauthenticated:
      return Answer(401, st.message());
    case absl::StatusCode::kInvalidArgument:
      return Answer(400, st.message());
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      return Answer(409, st.message());
    default: {
      observe::HttpResponse r = Answer(503, "try again later");
      r.headers.push_back({"Retry-After", "5"});
      return r;
    }
  }
}

observe::Counter& Callbacks(absl::string_view kind, absl::string_view result) {
  return observe::MetricsRegistry::Global().GetCounter(
      "kpr_notify_callbacks_total", "SMS gateway callbacks, by kind and answer",
      {{"kind", std::string(kind)}, {"result", std::string(result)}});
}

std::string SignatureOf(const observe::HttpRequest& request) {
  std::optional<absl::string_view> h = request.Header(kCallbackSignatureHeader);
  return h ? std::string(*h) : std::string();
}

}  // namespace

observe::HttpResponse CallbackDesk::OnDeliveryReport(const observe::HttpRequest& request) {
  if (auto st = VerifyCallbackSignature(secret_, request.body, SignatureOf(request)); !st.ok()) {
    Callbacks("report", "unauthenticated").Increment();
    return FromStatus(st);
  }
  absl::StatusOr<DeliveryReport> report = ParseDeliveryReport(request.body);
  if (!report.ok()) {
    Callbacks("report", "malformed").Increment();
    return FromStatus(report.status());
  }
  if (report->delivery_id.empty()) {
    Callbacks("report", "not_ours").Increment();
    return Answer(200, "not a kpr delivery");
  }
  const std::string m = report->delivery_id.substr(0, report->delivery_id.find('-'));
  auto loaded = ctx_.deliveries.Get(m, report->delivery_id);
  if (!loaded.ok()) return FromStatus(loaded.status());
  if (!loaded->has_value()) {
    Callbacks("report", "unknown").Increment();
    return Answer(200, "unknown delivery");
  }
  const LoadedDelivery& d = **loaded;
  const absl::Time now = ctx_.Now();
  ReportEffect effect = NextDeliveryState(d.stored.delivery(), *report, now);
  switch (effect.change) {
    case ReportEffect::Change::kNone:
      Callbacks("report", "no_change").Increment();
      return Answer(200, effect.why);
    case ReportEffect::Change::kRetryLater:
      Callbacks("report", "too_early").Increment();
      return Answer(409, effect.why);
    case ReportEffect::Change::kDelivered:
    case ReportEffect::Change::kFailed:
      break;
  }
  v1::StoredDelivery after = d.stored;
  *after.mutable_delivery() = effect.delivery;
  std::vector<bus::OutboxEvent> events =
      EventsForChange(d.stored.delivery().status(), effect.delivery, now);
  if (auto st = ctx_.deliveries.Update(after, d.stored.delivery().status(), d.version, events,
                                       TimerChange());
      !st.ok()) {
    Callbacks("report", "retry").Increment();
    return FromStatus(st);
  }
  ctx_.Committed(!events.empty(), false);
  Callbacks("report", effect.change == ReportEffect::Change::kDelivered ? "delivered" : "failed")
      .Increment();
  return Answer(200, "recorded");
}

observe::HttpResponse CallbackDesk::OnInboundReply(const observe::HttpRequest& request) {
  if (auto st = VerifyCallbackSignature(secret_, request.body, SignatureOf(request)); !st.ok()) {
    Callbacks("reply", "unauthenticated").Increment();
    return FromStatus(st);
  }
  absl::StatusOr<InboundReply> reply = ParseInboundReply(request.body);
  if (!reply.ok()) {
    Callbacks("reply", "malformed").Increment();
    return FromStatus(reply.status());
  }
  if (!IsStopRequest(reply->text)) {
    Callbacks("reply", "ignored").Increment();
    return Answer(200, "noted");
  }
  if (auto st = ctx_.stop_list.Suppress(reply->msisdn); !st.ok()) {
    Callbacks("reply", "retry").Increment();
    return FromStatus(st.code() == absl::StatusCode::kInvalidArgument
                          ? st
                          : absl::UnavailableError(st.message()));
  }
  observe::Info("a number replied STOP and is suppressed for every municipality");
  Callbacks("reply", "stop").Increment();
  return Answer(200, "stopped");
}

}  // namespace kpr::notify
