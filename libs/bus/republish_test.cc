#include "libs/bus/republish.h"

#include "gtest/gtest.h"
#include "libs/bus/jetstream.h"
#include "libs/bus/outbox_relay.h"

namespace kpr::bus {
namespace {

TEST(Republish, RetriesWhatAResendCanCureOnly) {
  EXPECT_TRUE(IsRetryablePublishError(NATS_TIMEOUT, 0));
  EXPECT_TRUE(IsRetryablePublishError(NATS_NO_RESPONDERS, 0));
  EXPECT_TRUE(IsRetryablePublishError(NATS_CONNECTION_DISCONNECTED, 0));
  EXPECT_TRUE(IsRetryablePublishError(NATS_ERR, JSClusterNotAvailErr));
  EXPECT_TRUE(IsRetryablePublishError(NATS_ERR, JSStreamOfflineErr));
  // Refused for good: sending it again would be refused again.
  EXPECT_FALSE(IsRetryablePublishError(NATS_ERR, JSStreamStoreFailedErr));
  EXPECT_FALSE(IsRetryablePublishError(NATS_ERR, 0));
  EXPECT_FALSE(IsRetryablePublishError(NATS_INVALID_ARG, 0));
  EXPECT_FALSE(IsRetryablePublishError(NATS_CONNECTION_CLOSED, 0));
  EXPECT_FALSE(IsRetryablePublishError(NATS_MAX_PAYLOAD, 0));
}

TEST(Republish, BackoffDoublesFromFiftyMillisecondsToOneSecond) {
  EXPECT_EQ(RepublishBackoff(0), absl::Milliseconds(50));
  EXPECT_EQ(RepublishBackoff(1), absl::Milliseconds(50));
  EXPECT_EQ(RepublishBackoff(2), absl::Milliseconds(100));
  EXPECT_EQ(RepublishBackoff(5), absl::Milliseconds(800));
  EXPECT_EQ(RepublishBackoff(6), absl::Seconds(1));
  EXPECT_EQ(RepublishBackoff(1000), absl::Seconds(1));
}

TEST(Republish, AckWaitGrowsWithTheBatch) {
  EXPECT_EQ(AckWait(1), absl::Seconds(1) + absl::Microseconds(200));
  EXPECT_EQ(AckWait(512), absl::Seconds(1) + absl::Microseconds(200 * 512));
}

// The rule of kDuplicateWindow: longer than one message's re-sends by a relay retry (its publish
// timeout, a backoff of at most 1 s, and the re-sends inside the call), and used by every stream.
TEST(DuplicateWindow, OutlastsARelayRetryOnEveryStream) {
  const OutboxRelay::Options relay;
  const absl::Duration one_retry = relay.publish_timeout + absl::Seconds(1);
  EXPECT_GT(kDuplicateWindow, 100 * one_retry);
  for (const StreamSpec& spec : KprStreams(3)) {
    EXPECT_EQ(spec.duplicate_window, kDuplicateWindow) << spec.name;
    EXPECT_EQ(spec.replicas, 3) << spec.name;
    // The server refuses a window longer than the stream's max age.
    EXPECT_TRUE(spec.max_age == absl::ZeroDuration() || spec.max_age >= kDuplicateWindow)
        << spec.name;
  }
  EXPECT_EQ(KprStreams(3).back().name, "KPR_DLQ");
}

TEST(SplitServerUrls, EveryServerOfTheList) {
  EXPECT_EQ(SplitServerUrls("nats://a:4222"), std::vector<std::string>{"nats://a:4222"});
  EXPECT_EQ(SplitServerUrls(" nats://a:1, nats://b:2 ,nats://c:3,"),
            (std::vector<std::string>{"nats://a:1", "nats://b:2", "nats://c:3"}));
  EXPECT_TRUE(SplitServerUrls(" , ").empty());
}

}  // namespace
}  // namespace kpr::bus
