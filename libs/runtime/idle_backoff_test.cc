#include "libs/runtime/idle_backoff.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

IdleBackoff::Options Opts() { return {.min = absl::Milliseconds(100), .max = absl::Seconds(1)}; }

TEST(IdleBackoff, UnknownKeysAreDueAtOnce) {
  IdleBackoff b(Opts());
  EXPECT_THAT(b.Due({"0101", "0165"}, kT0), ElementsAre("0101", "0165"));
}

TEST(IdleBackoff, EmptyReadsDoubleTheWaitUpToMax) {
  IdleBackoff b(Opts());
  absl::Time now = kT0;
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 7; ++i) {
    b.Empty("0165", now);
    waits.push_back(b.backoff("0165"));
    // Not due a moment before the wait is over, due when it is.
    EXPECT_THAT(b.Due({"0165"}, now + waits.back() - absl::Milliseconds(1)), IsEmpty());
    now += waits.back();
    EXPECT_THAT(b.Due({"0165"}, now), ElementsAre("0165"));
  }
  EXPECT_THAT(waits, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                                 absl::Milliseconds(400), absl::Milliseconds(800), absl::Seconds(1),
                                 absl::Seconds(1), absl::Seconds(1)));
}

TEST(IdleBackoff, FoundAndWakeMakeAKeyDueAtOnceAndResetItsBackoff) {
  IdleBackoff b(Opts());
  for (int i = 0; i < 5; ++i) b.Empty("0165", kT0);
  for (int i = 0; i < 5; ++i) b.Empty("0101", kT0);
  for (int i = 0; i < 5; ++i) b.Empty("0147", kT0);
  b.Found("0165");
  b.Wake("0101");
  EXPECT_THAT(b.Due({"0101", "0147", "0165"}, kT0), ElementsAre("0101", "0165"));
  b.Empty("0165", kT0);
  EXPECT_EQ(b.backoff("0165"), absl::Milliseconds(100));  // starts over from min
  b.WakeAll();
  EXPECT_THAT(b.Due({"0101", "0147", "0165"}, kT0), ElementsAre("0101", "0147", "0165"));
}

// The relay's figure: an idle key polled for 3 s is read 6 times (0, .1, .3, .7, 1.5, 2.5 s),
// then once a second, not once per 100 ms pass.
TEST(IdleBackoff, AnIdleKeyIsReadAFewTimesInThreeSeconds) {
  IdleBackoff b(Opts());
  int reads = 0;
  for (absl::Time now = kT0; now < kT0 + absl::Seconds(3); now += absl::Milliseconds(100)) {
    if (!b.Due({"0165"}, now).empty()) {
      ++reads;
      b.Empty("0165", now);
    }
  }
  EXPECT_EQ(reads, 6);
}

}  // namespace
}  // namespace kpr::runtime
