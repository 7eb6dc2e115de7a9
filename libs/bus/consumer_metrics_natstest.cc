// kpr_consumer_pending_messages and kpr_consumer_redelivered_messages against a real
// nats-server: what they show while a consumer's handler is stuck, while messages are
// redelivered, after the acks, for a durable nobody pulls from, and while NATS is down.

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/consumer.h"
#include "libs/bus/consumer_metrics.h"
#include "libs/bus/nats_testing.h"
#include "libs/observe/metrics.h"
#include "tests/harness/servers.h"

namespace kpr::bus {
namespace {

using kpr::bus::testing::Messages;
using kpr::bus::testing::MustConnect;
using kpr::testing::Servers;
using ::testing::HasSubstr;

constexpr char kStream[] = "KPR_REFERRAL";

// Polls until `done`.
bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

bool WaitForGauge(const observe::Gauge& g, double want, absl::Duration timeout) {
  return WaitFor([&g, want] { return g.value() == want; }, timeout);
}

// Releases the handler's gates when a test ends early, so that stopping the consumer (which
// waits for the batch in hand) cannot hang.
struct OpenGates {
  std::vector<absl::Notification*> gates;
  ~OpenGates() {
    for (absl::Notification* g : gates) {
      if (!g->HasBeenNotified()) g->Notify();
    }
  }
};

class ConsumerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::DeleteAllStreams().ok());
    js_ = MustConnect("consumer-metrics-test");
    ASSERT_TRUE(js_->EnsureStreams(KprStreams(1)).ok());
  }
  // A pull consumer nobody fetches from, then `n` messages on the stream.
  void AddDurableNobodyPullsFrom(const char* durable, int n) {
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = durable;
    cc.AckPolicy = js_AckExplicit;
    ASSERT_EQ(js_AddConsumer(nullptr, js_->context(), kStream, &cc, nullptr, nullptr), NATS_OK);
    ASSERT_TRUE(js_->PublishBatch(Messages(n, absl::StrCat(durable, "-"))).ok());
  }

  std::unique_ptr<JetStream> js_;
};

TEST_F(ConsumerMetricsTest, StuckHandlerShowsLagRedeliveriesShowAndAcksClearBoth) {
  const int kN = 50;
  const ConsumerMetrics m = ConsumerMetrics::For("lag");
  const double acked_before = m.acked.value();
  const double retried_before = m.retried.value();
  absl::Notification first_gate, second_gate;
  auto c = Consumer::Start(*js_,
                           {.stream = kStream,
                            .durable = "lag",
                            .max_batch = 10,
                            .lag_sample_interval = absl::Milliseconds(100)},
                           [&](const std::vector<Delivery>& batch) {
                             std::vector<Outcome> out;
                             for (const Delivery& d : batch) {
                               if (d.delivery_count == 1) {
                                 first_gate.WaitForNotification();
                                 out.push_back(Retry(absl::Milliseconds(100), "dependency down"));
                               } else {
                                 second_gate.WaitForNotification();
                                 out.push_back(Ack());
                               }
                             }
                             return out;
                           });
  ASSERT_TRUE(c.ok()) << c.status();
  OpenGates open_gates{{&first_gate, &second_gate}};  // destroyed before the consumer
  ASSERT_TRUE((*c)->subscribed());
  // On /metrics at 0 before anything happened.
  const std::string text = observe::MetricsRegistry::Global().RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("kpr_consumer_pending_messages{consumer=\"lag\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("kpr_consumer_redelivered_messages{consumer=\"lag\"} 0\n"));

  // The handler hangs on its first batch; the rest sit in the replica's queue. The server has
  // delivered all of them (NumPending 0): the gauge shows them as not acked (NumAckPending).
  ASSERT_TRUE(js_->PublishBatch(Messages(kN, "lag-")).ok());
  EXPECT_TRUE(WaitForGauge(m.pending, kN, absl::Seconds(10))) << m.pending.value();
  EXPECT_EQ(m.redelivered.value(), 0);
  jsConsumerInfo* ci = nullptr;
  ASSERT_EQ(js_GetConsumerInfo(&ci, js_->context(), kStream, "lag", nullptr, nullptr), NATS_OK);
  EXPECT_EQ(ci->NumPending, 0u);
  EXPECT_EQ(ci->NumAckPending, kN);
  jsConsumerInfo_Destroy(ci);

  // Every message is nak'd once and comes back; the second deliveries hang in turn.
  first_gate.Notify();
  EXPECT_TRUE(WaitForGauge(m.redelivered, kN, absl::Seconds(10))) << m.redelivered.value();
  EXPECT_EQ(m.pending.value(), kN);

  // All acked: both back to 0.
  second_gate.Notify();
  EXPECT_TRUE(WaitForGauge(m.pending, 0, absl::Seconds(10))) << m.pending.value();
  EXPECT_TRUE(WaitForGauge(m.redelivered, 0, absl::Seconds(10))) << m.redelivered.value();
  EXPECT_EQ(m.retried.value() - retried_before, kN);
  EXPECT_EQ(m.acked.value() - acked_before, kN);
  (*c)->Stop();
}

// A durable consumer nobody pulls from (a pull consumer without a Fetch): what the stream holds
// for it is pending, read by a sampler of its own.
TEST_F(ConsumerMetricsTest, DurableNobodyPullsFromShowsTheStreamAsPending) {
  ASSERT_NO_FATAL_FAILURE(AddDurableNobodyPullsFrom("idle", 30));
  ConsumerLagSampler sampler(*js_, kStream, "idle", {.interval = absl::Milliseconds(50)});
  absl::StatusOr<ConsumerLag> lag = sampler.SampleOnce();
  ASSERT_TRUE(lag.ok()) << lag.status();
  EXPECT_EQ(lag->pending, 30u);
  EXPECT_EQ(lag->redelivered, 0u);
  const ConsumerMetrics m = ConsumerMetrics::For("idle");
  EXPECT_EQ(m.pending.value(), 30);
  EXPECT_EQ(m.redelivered.value(), 0);
  // The background cadence follows new messages.
  sampler.Start();
  ASSERT_TRUE(js_->PublishBatch(Messages(5, "idle-more-")).ok());
  EXPECT_TRUE(WaitForGauge(m.pending, 35, absl::Seconds(5))) << m.pending.value();
  sampler.Stop();
}

TEST_F(ConsumerMetricsTest, ConsumerNotThereYetLeavesTheGaugesAtZero) {
  ConsumerLagSampler sampler(*js_, kStream, "not-created", {});
  absl::StatusOr<ConsumerLag> lag = sampler.SampleOnce();
  EXPECT_FALSE(lag.ok());
  const ConsumerMetrics m = ConsumerMetrics::For("not-created");
  EXPECT_EQ(m.pending.value(), 0);
  EXPECT_EQ(m.redelivered.value(), 0);
  EXPECT_THAT(observe::MetricsRegistry::Global().RenderPrometheus(),
              HasSubstr("kpr_consumer_pending_messages{consumer=\"not-created\"} 0\n"));
}

// Last: it restarts the server.
TEST_F(ConsumerMetricsTest, NatsDownKeepsTheLastValueAndBlocksNothing) {
  ASSERT_NO_FATAL_FAILURE(AddDurableNobodyPullsFrom("outage", 7));
  const ConsumerMetrics m = ConsumerMetrics::For("outage");
  ConsumerLagSampler sampler(*js_, kStream, "outage", {.interval = absl::Milliseconds(50)});
  sampler.Start();
  ASSERT_TRUE(WaitForGauge(m.pending, 7, absl::Seconds(5))) << m.pending.value();

  Servers::Nats().Stop();
  ASSERT_TRUE(WaitFor([this] { return !js_->connected(); }, absl::Seconds(10)));
  absl::Time start = absl::Now();
  EXPECT_EQ(sampler.SampleOnce().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(100));  // no request waits for a reply
  absl::SleepFor(absl::Milliseconds(300));                  // several failed background reads
  EXPECT_EQ(m.pending.value(), 7);                          // the last value, not 0
  start = absl::Now();
  sampler.Stop();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));

  // Back: a new read finds the same figure (file storage).
  ASSERT_TRUE(Servers::Nats().Start().ok());
  ConsumerLagSampler again(*js_, kStream, "outage", {});
  absl::StatusOr<ConsumerLag> lag;
  ASSERT_TRUE(WaitFor(
      [&] {
        lag = again.SampleOnce();
        return lag.ok();
      },
      absl::Seconds(20)))
      << lag.status();
  EXPECT_EQ(lag->pending, 7u);
}

}  // namespace
}  // namespace kpr::bus
