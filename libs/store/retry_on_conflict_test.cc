#include "libs/store/retry_on_conflict.h"

#include "gtest/gtest.h"

namespace kpr::store {
namespace {

TEST(RetryOnConflictTest, RetriesOnlyAbortedAndOnlyUpToTheBound) {
  int calls = 0;
  EXPECT_TRUE(RetryOnConflict([&] {
                return ++calls < 3 ? absl::AbortedError("raced") : absl::OkStatus();
              }).ok());
  EXPECT_EQ(calls, 3);

  calls = 0;
  absl::Status s = RetryOnConflict([&] {
    ++calls;
    return absl::AbortedError("always raced");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(calls, kMaxConflictAttempts);

  calls = 0;
  EXPECT_EQ(RetryOnConflict([&] {
              ++calls;
              return absl::UnavailableError("redis down");
            }).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(calls, 1);  // an outage is the caller's to retry, later
}

TEST(RetryOnConflictTest, AStaleExpectedVersionEndsAtOnce) {
  int calls = 0;
  absl::Status s = RetryOnConflict([&] {
    ++calls;
    return StaleVersionError("session changed since version 2 (now 3): read it again");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(IsStaleVersion(s));
  EXPECT_EQ(calls, 1);  // reading again cannot make the caller's version current
  EXPECT_FALSE(IsStaleVersion(absl::AbortedError("raced")));
}

TEST(RetryOnConflictTest, ReturnsTheValueOfTheAttemptThatWon) {
  int calls = 0;
  absl::StatusOr<int> v = RetryOnConflict<int>([&]() -> absl::StatusOr<int> {
    if (++calls < 2) return absl::AbortedError("raced");
    return 42;
  });
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 42);
}

TEST(RetryOnConflictTest, BackoffIsShortAndJittered) {
  EXPECT_EQ(ConflictBackoff(1), absl::ZeroDuration());
  for (int attempt = 2; attempt <= kMaxConflictAttempts; ++attempt) {
    EXPECT_LE(ConflictBackoff(attempt), absl::Milliseconds(16));
    EXPECT_GE(ConflictBackoff(attempt), absl::ZeroDuration());
  }
}

}  // namespace
}  // namespace kpr::store
