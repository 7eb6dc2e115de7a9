#include "libs/bus/consumer_metrics.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/observe/metrics.h"

namespace kpr::bus {
namespace {

using ::testing::HasSubstr;

jsConsumerInfo InfoWith(uint64_t num_pending, int64_t num_ack_pending, int64_t num_redelivered) {
  jsConsumerInfo info{};
  info.NumPending = num_pending;
  info.NumAckPending = num_ack_pending;
  info.NumRedelivered = num_redelivered;
  return info;
}

TEST(LagFromInfoTest, PendingIsEverythingNotAckedYet) {
  // Not delivered yet (7) plus delivered and not acked (3): a stuck handler still shows lag.
  ConsumerLag lag = LagFromInfo(InfoWith(7, 3, 2));
  EXPECT_EQ(lag.pending, 10u);
  EXPECT_EQ(lag.redelivered, 2u);
}

TEST(LagFromInfoTest, DeliveredButNotAckedAloneIsLag) {
  // All handed to a replica that stopped or hangs: NumPending alone would say 0.
  EXPECT_EQ(LagFromInfo(InfoWith(0, 4096, 0)).pending, 4096u);
}

TEST(LagFromInfoTest, IdleConsumerHasNoLag) {
  ConsumerLag lag = LagFromInfo(InfoWith(0, 0, 0));
  EXPECT_EQ(lag.pending, 0u);
  EXPECT_EQ(lag.redelivered, 0u);
}

TEST(LagFromInfoTest, NegativeCountsReadAsZero) {
  ConsumerLag lag = LagFromInfo(InfoWith(5, -1, -3));
  EXPECT_EQ(lag.pending, 5u);
  EXPECT_EQ(lag.redelivered, 0u);
}

TEST(ConsumerMetricsTest, RegisteredAtZeroWithHelpAndOnlyTheConsumerLabel) {
  ConsumerMetrics m = ConsumerMetrics::For("unit-durable");
  const std::string text = observe::MetricsRegistry::Global().RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE kpr_consumer_pending_messages gauge\n"));
  EXPECT_THAT(text, HasSubstr("# HELP kpr_consumer_pending_messages Messages of this durable "
                              "JetStream consumer not yet acked: not yet delivered (NumPending) "
                              "plus delivered but not acked (NumAckPending"));
  EXPECT_THAT(text, HasSubstr("kpr_consumer_pending_messages{consumer=\"unit-durable\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE kpr_consumer_redelivered_messages gauge\n"));
  EXPECT_THAT(text, HasSubstr("kpr_consumer_redelivered_messages{consumer=\"unit-durable\"} 0\n"));
  for (const char* outcome : {"acked", "retried", "dead_lettered"}) {
    EXPECT_THAT(text, HasSubstr(std::string("kpr_consumer_messages_total{consumer=\"unit-durable\","
                                            "outcome=\"") +
                                outcome + "\"} 0\n"));
  }
  // The same series every time: a Consumer and the service host share them.
  ConsumerMetrics again = ConsumerMetrics::For("unit-durable");
  EXPECT_EQ(&m.pending, &again.pending);
  EXPECT_EQ(&m.redelivered, &again.redelivered);
  EXPECT_EQ(&m.acked, &again.acked);
  m.pending.Set(12);
  EXPECT_THAT(observe::MetricsRegistry::Global().RenderPrometheus(),
              HasSubstr("kpr_consumer_pending_messages{consumer=\"unit-durable\"} 12\n"));
}

}  // namespace
}  // namespace kpr::bus
