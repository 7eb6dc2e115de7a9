// The shared SMS rate limit against a real Redis: two limiters with their own connection pools,
// standing for two replicas, together never exceed the rate.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "services/notify/rate_limit.h"
#include "tests/harness/servers.h"

namespace kpr::notify {
namespace {

std::unique_ptr<store::RedisPool> Pool() {
  store::RedisOptions options;
  options.port = testing::Servers::Redis().port();
  return std::make_unique<store::RedisPool>(options);
}

class RateLimitTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(testing::FlushRedis().ok()); }
};

TEST_F(RateLimitTest, TheKeySaysItIsNotPerMunicipality) {
  EXPECT_EQ(RateLimitKey("primary"), "kpr:notify:ratelimit:primary");
  auto pool = Pool();
  SharedRateLimiter limiter(*pool, "primary", 10, 2);
  ASSERT_TRUE(limiter.TryAcquire().ok());
  absl::StatusOr<store::RedisReply> ttl = pool->Command({"PTTL", "kpr:notify:ratelimit:primary"});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GT(ttl->integer(), 0) << "an idle bucket must expire";
}

TEST_F(RateLimitTest, AnEmptyBucketSaysHowLongUntilTheNextToken) {
  auto pool = Pool();
  SharedRateLimiter limiter(*pool, "primary", 10, 2);
  EXPECT_EQ(*limiter.TryAcquire(), absl::ZeroDuration());
  EXPECT_EQ(*limiter.TryAcquire(), absl::ZeroDuration());
  absl::StatusOr<absl::Duration> wait = limiter.TryAcquire();
  ASSERT_TRUE(wait.ok()) << wait.status();
  EXPECT_GT(*wait, absl::Milliseconds(50));
  EXPECT_LE(*wait, absl::Milliseconds(100));
  absl::SleepFor(*wait + absl::Milliseconds(5));
  EXPECT_EQ(*limiter.TryAcquire(), absl::ZeroDuration());
}

TEST_F(RateLimitTest, ProvidersHaveTheirOwnBuckets) {
  auto pool = Pool();
  SharedRateLimiter primary(*pool, "primary", 1, 1);
  SharedRateLimiter secondary(*pool, "secondary", 1, 1);
  EXPECT_EQ(*primary.TryAcquire(), absl::ZeroDuration());
  EXPECT_GT(*primary.TryAcquire(), absl::ZeroDuration());
  EXPECT_EQ(*secondary.TryAcquire(), absl::ZeroDuration());
}

TEST_F(RateLimitTest, AcquireGivesUpAtTheDeadline) {
  auto pool = Pool();
  SharedRateLimiter limiter(*pool, "primary", 1, 1);
  ASSERT_TRUE(limiter.Acquire(absl::Now() + absl::Seconds(1)).ok());
  absl::Status late = limiter.Acquire(absl::Now() + absl::Milliseconds(100));
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(RateLimitTest, UnlimitedTouchesNothing) {
  auto pool = Pool();
  SharedRateLimiter limiter(*pool, "primary", 0);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(*limiter.TryAcquire(), absl::ZeroDuration());
  EXPECT_EQ(pool->Command({"EXISTS", RateLimitKey("primary")})->integer(), 0);
}

TEST_F(RateLimitTest, TwoReplicasTogetherNeverExceedTheRate) {
  constexpr double kRate = 20, kBurst = 5;
  const absl::Duration kSpan = absl::Seconds(3);
  auto pool_a = Pool();
  auto pool_b = Pool();
  SharedRateLimiter replica_a(*pool_a, "primary", kRate, kBurst);
  SharedRateLimiter replica_b(*pool_b, "primary", kRate, kBurst);

  std::atomic<int> granted_a = 0, granted_b = 0;
  absl::Time end = absl::Now() + kSpan;
  std::vector<std::thread> senders;
  for (int i = 0; i < 4; ++i) {
    SharedRateLimiter& limiter = i % 2 == 0 ? replica_a : replica_b;
    std::atomic<int>& granted = i % 2 == 0 ? granted_a : granted_b;
    senders.emplace_back([&limiter, &granted, end] {
      while (true) {
        absl::Status s = limiter.Acquire(end);
        if (!s.ok()) {
          EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
          return;
        }
        ++granted;
      }
    });
  }
  for (std::thread& t : senders) t.join();
  int total = granted_a + granted_b;
  RecordProperty("granted", total);
  std::printf("granted %d in %s at %.0f/s, burst %.0f (a %d, b %d)\n", total,
              absl::FormatDuration(kSpan).c_str(), kRate, kBurst, granted_a.load(),
              granted_b.load());
  // At most the bucket plus the rate over the span (one token of slack for the edges).
  EXPECT_LE(total, static_cast<int>(kRate * 3 + kBurst) + 1);
  // And the limit is not starving anyone: most of the rate is used, by both replicas.
  EXPECT_GE(total, static_cast<int>(kRate * 3 * 0.8));
  EXPECT_GT(granted_a, 10);
  EXPECT_GT(granted_b, 10);
}

}  // namespace
}  // namespace kpr::notify
