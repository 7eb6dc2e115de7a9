// The retry policy every handler shares: what a handler's status means for its message.

#include "gtest/gtest.h"
#include "libs/bus/consumer.h"

namespace kpr::bus {
namespace {

TEST(OutcomeFor, PoisonIsADeadLetterAndAnOutageARetry) {
  EXPECT_EQ(OutcomeFor(absl::OkStatus(), 1).kind, Outcome::kAck);
  for (const absl::Status& poison :
       {absl::InvalidArgumentError("bad field"), absl::NotFoundError("no such referral"),
        absl::FailedPreconditionError("no default program"),
        absl::PermissionDeniedError("other municipality"), absl::DataLossError("x")}) {
    Outcome o = OutcomeFor(poison, 1);
    EXPECT_EQ(o.kind, Outcome::kDeadLetter) << poison;
    EXPECT_EQ(o.reason, poison.message());
  }
  for (const absl::Status& transient :
       {absl::UnavailableError("redis down"), absl::AbortedError("changed"),
        absl::DeadlineExceededError("slow")}) {
    Outcome o = OutcomeFor(transient, 3);
    EXPECT_EQ(o.kind, Outcome::kRetry) << transient;
    EXPECT_EQ(o.retry_after, absl::Seconds(1));  // third delivery: 250 ms doubled twice
  }
}

TEST(RetryBackoff, DoublesFrom250MillisecondsUpTo30Seconds) {
  EXPECT_EQ(RetryBackoff(0), absl::Milliseconds(250));
  EXPECT_EQ(RetryBackoff(1), absl::Milliseconds(250));
  EXPECT_EQ(RetryBackoff(2), absl::Milliseconds(500));
  EXPECT_EQ(RetryBackoff(7), absl::Seconds(16));
  EXPECT_EQ(RetryBackoff(8), absl::Seconds(30));  // 32 s, capped
  EXPECT_EQ(RetryBackoff(1000), absl::Seconds(30));
}

}  // namespace
}  // namespace kpr::bus
