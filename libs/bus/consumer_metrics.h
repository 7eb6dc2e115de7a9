#ifndef KPR_LIBS_BUS_CONSUMER_METRICS_H_
#define KPR_LIBS_BUS_CONSUMER_METRICS_H_

// What /metrics says about a durable consumer (label consumer="<durable>"):
//  - kpr_consumer_messages_total{consumer,outcome}: what this replica did with the messages it
//    handled (acked, retried, dead_lettered), counted by Consumer as it acks;
//  - kpr_consumer_pending_messages{consumer} and kpr_consumer_redelivered_messages{consumer}:
//    the consumer's lag as JetStream sees it, read from consumer info (js_GetConsumerInfo) by a
//    ConsumerLagSampler every few seconds, never on a message's path. The figures are the
//    server's, so every replica reports the same: take max by (consumer).
//
// Pending is NumPending + NumAckPending, i.e. every message of the consumer not yet acked, and
// not only the ones the server has not delivered yet (NumPending). A push consumer hands up to
// MaxAckPending (4096) messages to its replicas at once; with NumPending alone a consumer whose
// handler is stuck, or whose replicas all stopped with messages delivered but not acked, would
// show little or no lag while those messages wait. A healthy consumer's NumAckPending is its
// batch in flight, small beside the alert thresholds.

#include <nats/nats.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/bus/jetstream.h"
#include "libs/runtime/pass_loop.h"

namespace kpr::observe {
class Counter;
class Gauge;
}  // namespace kpr::observe

namespace kpr::bus {

// A consumer's series in the global registry. For() registers them (at 0 when new) and returns
// the same objects for the same durable every time: call it when a consumer is configured, so
// they are on /metrics from start-up, before NATS answers and before anything happened.
struct ConsumerMetrics {
  observe::Counter& acked;  // kpr_consumer_messages_total{consumer, outcome="acked"}
  observe::Counter& retried;
  observe::Counter& dead_lettered;
  observe::Gauge& pending;      // kpr_consumer_pending_messages{consumer}
  observe::Gauge& redelivered;  // kpr_consumer_redelivered_messages{consumer}

  static ConsumerMetrics For(absl::string_view durable);
};

struct ConsumerLag {
  uint64_t pending = 0;      // not yet acked: NumPending + NumAckPending (see above)
  uint64_t redelivered = 0;  // NumRedelivered: delivered more than once and not yet acked
};

// The lag in one consumer info (negative counts, which the server never sends, read as 0).
ConsumerLag LagFromInfo(const jsConsumerInfo& info);

// Reads one durable consumer's info every `interval` on its own thread and sets its two lag
// gauges. A read is skipped while the connection is down and waits at most `timeout` for the
// server, so a NATS outage never blocks a handler, a scrape (which only reads the gauges) or
// Stop() for longer than that. When a read fails (NATS down, no stream leader, the consumer not
// created yet) the gauges keep their last value: a lag that cannot be read is not a lag of 0, and
// kpr_dependency_up tells that NATS is down.
class ConsumerLagSampler {
 public:
  struct Options {
    absl::Duration interval = absl::Seconds(5);
    absl::Duration timeout = absl::Seconds(1);  // for one consumer info request
  };

  // Registers the consumer's metrics (ConsumerMetrics::For). `js` must outlive the sampler.
  ConsumerLagSampler(JetStream& js, std::string stream, std::string durable, Options options);
  ~ConsumerLagSampler();  // Stop()
  ConsumerLagSampler(const ConsumerLagSampler&) = delete;
  ConsumerLagSampler& operator=(const ConsumerLagSampler&) = delete;

  void Start();  // the first read at once, then every interval; no-op once stopped
  void Stop();   // waits for a read in progress (at most `timeout`); idempotent

  // One read now: sets the gauges and returns the lag, or the error (gauges unchanged).
  absl::StatusOr<ConsumerLag> SampleOnce();

 private:
  JetStream& js_;
  const std::string stream_;
  const std::string durable_;
  const Options options_;
  const ConsumerMetrics metrics_;
  runtime::PassLoop loop_;
};

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_CONSUMER_METRICS_H_
