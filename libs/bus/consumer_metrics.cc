#include "libs/bus/consumer_metrics.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/observe/metrics.h"

namespace kpr::bus {
namespace {

// What this replica did with each message of a consumer.
observe::Counter& HandledCounter(absl::string_view durable, const char* outcome) {
  return observe::MetricsRegistry::Global().GetCounter(
      "kpr_consumer_messages_total",
      "Messages this replica handled, by consumer and outcome (acked, retried, dead_lettered).",
      {{"consumer", std::string(durable)}, {"outcome", outcome}});
}

observe::Gauge& LagGauge(absl::string_view name, absl::string_view help,
                         absl::string_view durable) {
  return observe::MetricsRegistry::Global().GetGauge(name, help,
                                                     {{"consumer", std::string(durable)}});
}

uint64_t NonNegative(int64_t n) { return n > 0 ? static_cast<uint64_t>(n) : 0; }

}  // namespace

ConsumerMetrics ConsumerMetrics::For(absl::string_view durable) {
  return ConsumerMetrics{
      .acked = HandledCounter(durable, "acked"),
      .retried = HandledCounter(durable, "retried"),
      .dead_lettered = HandledCounter(durable, "dead_lettered"),
      .pending = LagGauge(
          "kpr_consumer_pending_messages",
          "Messages of this durable JetStream consumer not yet acked: not yet delivered "
          "(NumPending) plus delivered but not acked (NumAckPending: in a handler, queued in a "
          "replica, waiting for redelivery), so a stuck or stopped consumer still shows its lag. "
          "Read from consumer info every few seconds (each replica reports the same: take max)",
          durable),
      .redelivered = LagGauge(
          "kpr_consumer_redelivered_messages",
          "Messages of this durable JetStream consumer delivered more than once and not yet "
          "acked (NumRedelivered: retries, ack-wait expiries). Read from consumer info every few "
          "seconds (each replica reports the same: take max)",
          durable),
  };
}

ConsumerLag LagFromInfo(const jsConsumerInfo& info) {
  return ConsumerLag{.pending = info.NumPending + NonNegative(info.NumAckPending),
                     .redelivered = NonNegative(info.NumRedelivered)};
}

ConsumerLagSampler::ConsumerLagSampler(JetStream& js, std::string stream, std::string durable,
                                       Options options)
    : js_(js),
      stream_(std::move(stream)),
      durable_(std::move(durable)),
      options_(options),
      metrics_(ConsumerMetrics::For(durable_)),
      // A failed read is tried again after the same interval, not sooner: it is only a gauge.
      loop_(
          [this]() -> absl::StatusOr<int> {
            absl::StatusOr<ConsumerLag> lag = SampleOnce();
            if (!lag.ok()) return lag.status();
            return 0;  // no "more work": wait `interval`
          },
          {.idle_wait = options_.interval,
           .min_backoff = options_.interval,
           .max_backoff = options_.interval}) {}

ConsumerLagSampler::~ConsumerLagSampler() { Stop(); }

void ConsumerLagSampler::Start() { loop_.Start(); }

void ConsumerLagSampler::Stop() { loop_.Stop(); }

absl::StatusOr<ConsumerLag> ConsumerLagSampler::SampleOnce() {
  // On any failure below the gauges keep their last value (see the header): a lag that cannot be
  // read is not a lag of 0.
  // Disconnected, a request would sit in the reconnect buffer until it timed out: skip it.
  if (!js_.connected()) {
    return absl::UnavailableError(absl::StrCat("consumer lag ", durable_, ": NATS not connected"));
  }
  jsOptions opts;
  jsOptions_Init(&opts);
  opts.Wait = std::max<int64_t>(1, absl::ToInt64Milliseconds(options_.timeout));
  jsConsumerInfo* ci = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s =
      js_GetConsumerInfo(&ci, js_.context(), stream_.c_str(), durable_.c_str(), &opts, &err);
  if (s != NATS_OK || ci == nullptr) {
    jsConsumerInfo_Destroy(ci);
    return NatsStatusToStatus(s != NATS_OK ? s : NATS_ERR, err,
                              absl::StrCat("consumer info ", durable_));
  }
  const ConsumerLag lag = LagFromInfo(*ci);
  jsConsumerInfo_Destroy(ci);
  metrics_.pending.Set(static_cast<double>(lag.pending));
  metrics_.redelivered.Set(static_cast<double>(lag.redelivered));
  return lag;
}

}  // namespace kpr::bus
