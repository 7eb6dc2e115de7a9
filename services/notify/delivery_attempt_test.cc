#include "services/notify/delivery_attempt.h"

#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

v1::Delivery Pending() {
  v1::Delivery d;
  d.set_delivery_id("0165-ZM0W05BJVYF7VA9Q3560W883X4");
  d.set_municipality("0165");
  d.set_status(v1::DELIVERY_STATUS_PENDING);
  return d;
}

SendResult Result(SendOutcome outcome) {
  SendResult r;
  r.outcome = outcome;
  return r;
}

TEST(BeginAttempt, RecordsSendingBeforeTheProviderIsCalled) {
  auto d = BeginAttempt(Pending(), "primary", kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status(), v1::DELIVERY_STATUS_SENDING);
  EXPECT_EQ(d->attempts(), 1);
  EXPECT_EQ(d->provider(), "primary");
  // Only a pending delivery is attempted: a second sender finds it SENDING and leaves it.
  EXPECT_EQ(BeginAttempt(*d, "primary", kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(FinishAttempt, AcceptedIsSentWithTheProvidersId) {
  auto d = BeginAttempt(Pending(), "primary", kNow);
  SendResult ok = Result(SendOutcome::kAccepted);
  ok.provider_message_id = "4711";
  AttemptOutcome out = FinishAttempt(*d, ok, true, kNow, RetryPolicy(), 0.5);
  EXPECT_TRUE(out.sent);
  EXPECT_FALSE(out.failed);
  EXPECT_FALSE(out.retry_at.has_value());
  EXPECT_EQ(out.delivery.status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(out.delivery.provider_message_id(), "4711");
  EXPECT_EQ(out.delivery.sent_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_FALSE(out.delivery.possibly_duplicated());
}

TEST(FinishAttempt, APermanentErrorFailsAtOnceWithItsReason) {
  auto d = BeginAttempt(Pending(), "primary", kNow);
  SendResult bad = Result(SendOutcome::kPermanent);
  bad.reason = v1::DELIVERY_REASON_INVALID_RECIPIENT;
  AttemptOutcome out = FinishAttempt(*d, bad, true, kNow, RetryPolicy(), 0.5);
  EXPECT_TRUE(out.failed);
  EXPECT_EQ(out.delivery.status(), v1::DELIVERY_STATUS_FAILED);
  EXPECT_EQ(out.delivery.reason(), v1::DELIVERY_REASON_INVALID_RECIPIENT);
  EXPECT_EQ(out.delivery.attempts(), 1);
}

TEST(FinishAttempt, TransientErrorsBackOffUntilTheBudgetIsSpent) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.first_backoff = absl::Seconds(10);
  policy.jitter = 0;
  v1::Delivery d = Pending();
  absl::Time now = kNow;
  std::vector<absl::Duration> waits;
  AttemptOutcome out;
  for (int i = 0; i < 3; ++i) {
    auto begun = BeginAttempt(d, "primary", now);
    ASSERT_TRUE(begun.ok()) << i;
    out = FinishAttempt(*begun, Result(SendOutcome::kTransient), true, now, policy, 0.5);
    if (!out.retry_at) break;
    waits.push_back(*out.retry_at - now);
    EXPECT_EQ(out.delivery.status(), v1::DELIVERY_STATUS_PENDING);
    now = *out.retry_at;
    d = out.delivery;
  }
  EXPECT_EQ(waits, (std::vector<absl::Duration>{absl::Seconds(10), absl::Seconds(20)}));
  EXPECT_TRUE(out.failed);
  EXPECT_EQ(out.delivery.status(), v1::DELIVERY_STATUS_FAILED);
  EXPECT_EQ(out.delivery.reason(), v1::DELIVERY_REASON_RETRY_BUDGET_EXHAUSTED);
  EXPECT_EQ(out.delivery.attempts(), 3);
}

TEST(FinishAttempt, RetryAfterFromTheProviderIsHonoured) {
  auto d = BeginAttempt(Pending(), "primary", kNow);
  SendResult throttled = Result(SendOutcome::kTransient);
  throttled.retry_after = absl::Minutes(5);
  AttemptOutcome out = FinishAttempt(*d, throttled, true, kNow, RetryPolicy(), 0.0);
  ASSERT_TRUE(out.retry_at.has_value());
  EXPECT_GE(*out.retry_at - kNow, absl::Minutes(5));
}

TEST(FinishAttempt, AnUnknownOutcomeIsRetriedOnTheSameProviderNeverFailedOver) {
  auto d = BeginAttempt(Pending(), "primary", kNow);
  AttemptOutcome out =
      FinishAttempt(*d, Result(SendOutcome::kUnknown), true, kNow, RetryPolicy(), 0.5);
  ASSERT_TRUE(out.retry_at.has_value());
  EXPECT_TRUE(out.delivery.outcome_unknown());
  EXPECT_FALSE(MayFailOver(out.delivery));
  // The provider chooser says "secondary"; the pinned delivery stays on "primary".
  auto again = BeginAttempt(out.delivery, "secondary", *out.retry_at);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->provider(), "primary");
  EXPECT_EQ(again->delivery_id(), Pending().delivery_id());  // the same idempotency key
  // Answered with the first id by a provider that honours the key: sent, not a duplicate.
  SendResult ok = Result(SendOutcome::kAccepted);
  ok.provider_message_id = "4711";
  AttemptOutcome done = FinishAttempt(*again, ok, true, *out.retry_at, RetryPolicy(), 0.5);
  EXPECT_TRUE(done.sent);
  EXPECT_FALSE(done.delivery.possibly_duplicated());
  EXPECT_TRUE(MayFailOver(done.delivery));
}

TEST(FinishAttempt, AProviderThatIgnoresTheKeyMakesARetryAPossibleDuplicate) {
  auto d = BeginAttempt(Pending(), "primary", kNow);
  AttemptOutcome unknown =
      FinishAttempt(*d, Result(SendOutcome::kUnknown), false, kNow, RetryPolicy(), 0.5);
  auto again = BeginAttempt(unknown.delivery, "primary", *unknown.retry_at);
  AttemptOutcome done = FinishAttempt(*again, Result(SendOutcome::kAccepted), false,
                                      *unknown.retry_at, RetryPolicy(), 0.5);
  EXPECT_TRUE(done.sent);
  EXPECT_TRUE(done.delivery.possibly_duplicated());
}

TEST(ReconcileSending, ACrashWhileSendingIsAnUnknownOutcome) {
  auto sending = BeginAttempt(Pending(), "primary", kNow);
  AttemptOutcome out =
      ReconcileSending(*sending, true, kNow + absl::Minutes(1), RetryPolicy(), 0.5);
  EXPECT_EQ(out.delivery.status(), v1::DELIVERY_STATUS_PENDING);
  EXPECT_TRUE(out.delivery.outcome_unknown());
  EXPECT_EQ(out.delivery.provider(), "primary");
  ASSERT_TRUE(out.retry_at.has_value());
  // Finished meanwhile (the answer was recorded after all): left as it is.
  v1::Delivery sent = *sending;
  sent.set_status(v1::DELIVERY_STATUS_SENT);
  AttemptOutcome untouched = ReconcileSending(sent, true, kNow, RetryPolicy(), 0.5);
  EXPECT_EQ(untouched.delivery.status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_FALSE(untouched.retry_at.has_value());
  EXPECT_FALSE(untouched.sent);
}

TEST(Backoff, DoublesUpToTheCapAndSpreadsByTheJitter) {
  RetryPolicy p;
  p.first_backoff = absl::Seconds(15);
  p.max_backoff = absl::Minutes(1);
  p.jitter = 0.25;
  EXPECT_EQ(Backoff(1, p, 0.5), absl::Seconds(15));
  EXPECT_EQ(Backoff(2, p, 0.5), absl::Seconds(30));
  EXPECT_EQ(Backoff(3, p, 0.5), absl::Seconds(60));
  EXPECT_EQ(Backoff(30, p, 0.5), absl::Seconds(60));  // capped, and no overflow
  EXPECT_EQ(Backoff(1, p, 0.0), absl::Seconds(15) * 0.75);
  EXPECT_LT(Backoff(1, p, 0.999), absl::Seconds(15) * 1.25);
  EXPECT_GT(Backoff(1, p, 0.999), absl::Seconds(15) * 1.24);
  EXPECT_EQ(Backoff(1, p, 0.5, absl::Minutes(2)), absl::Minutes(2));
}

}  // namespace
}  // namespace kpr::notify
