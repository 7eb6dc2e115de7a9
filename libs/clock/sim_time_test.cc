#include "libs/clock/sim_time.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kpr::clock {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

TEST(ParseClockAdvance, TakesWeeksDaysHoursMinutesSecondsAndRuns) {
  EXPECT_EQ(*ParseClockAdvance("3d"), 3 * kDay);
  EXPECT_EQ(*ParseClockAdvance("72h"), 3 * kDay);
  EXPECT_EQ(*ParseClockAdvance("10w"), 70 * kDay);
  EXPECT_EQ(*ParseClockAdvance("1w2d"), 9 * kDay);
  EXPECT_EQ(*ParseClockAdvance("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseClockAdvance(" 45s "), absl::Seconds(45));
  EXPECT_EQ(*ParseClockAdvance("52w"), 364 * kDay);
}

TEST(ParseClockAdvance, RefusesWhatIsNotAStepForward) {
  for (const char* bad :
       {"", "3", "d", "3x", "-3d", "3.5d", "3 d", "3dd", "1y", "3D", "1234567890d"}) {
    auto d = ParseClockAdvance(bad);
    EXPECT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(ParseClockAdvance("0d").ok());
  EXPECT_FALSE(ParseClockAdvance("0w0s").ok());
  EXPECT_FALSE(ParseClockAdvance("6000w").ok());  // over 100 years
  EXPECT_NE(ParseClockAdvance("3x").status().message().find("10w"), std::string::npos);
}

TEST(ParseClockInstant, NeedsAnOffset) {
  auto t = ParseClockInstant("2027-01-04T09:00:00+01:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, absl::FromCivil(absl::CivilSecond(2027, 1, 4, 8, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(*ParseClockInstant("2027-01-04T08:00:00Z"), *t);
  EXPECT_FALSE(ParseClockInstant("2027-01-04 08:00").ok());
  EXPECT_FALSE(ParseClockInstant("2027-01-04T08:00:00").ok());
  EXPECT_FALSE(ParseClockInstant("next monday").ok());
}

TEST(StoredOffset, IsWholeMillisecondsEitherSign) {
  EXPECT_EQ(*ParseStoredOffset("86400000"), 86400000);
  EXPECT_EQ(*ParseStoredOffset("-5000"), -5000);
  EXPECT_FALSE(ParseStoredOffset("1.5").ok());
  EXPECT_FALSE(ParseStoredOffset("soon").ok());
  const absl::Time real = absl::FromUnixSeconds(1'800'000'000);
  EXPECT_EQ(SimulatedTime(real, 86400000), real + kDay);
  EXPECT_EQ(SimulatedTime(real, -1500), real - absl::Milliseconds(1500));
}

TEST(OffsetToReach, AnyInstantTheFirstTimeThenOnlyForward) {
  const absl::Time real = absl::FromUnixSeconds(1'800'000'000);
  // Never set: a start months back is allowed (the demo runs a past semester).
  auto back = OffsetToReach(real - 90 * kDay, real, std::nullopt);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, -absl::ToInt64Milliseconds(90 * kDay));
  EXPECT_EQ(SimulatedTime(real, *back), real - 90 * kDay);

  const int64_t current = absl::ToInt64Milliseconds(10 * kDay);  // simulated = real + 10 days
  auto forward = OffsetToReach(real + 12 * kDay, real, current);
  ASSERT_TRUE(forward.ok());
  EXPECT_EQ(SimulatedTime(real, *forward), real + 12 * kDay);
  EXPECT_TRUE(OffsetToReach(real + 10 * kDay, real, current).ok());  // where it is: fine

  auto refused = OffsetToReach(real + 9 * kDay, real, current);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find(FormatInstant(real + 10 * kDay)), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("never moves back"), std::string::npos);
}

TEST(Format, InstantsInUtcAndOffsetsInDays) {
  EXPECT_EQ(
      FormatInstant(absl::FromCivil(absl::CivilSecond(2027, 1, 4, 8, 0, 0), absl::UTCTimeZone()) +
                    absl::Milliseconds(250)),
      "2027-01-04T08:00:00.250Z");
  EXPECT_EQ(FormatOffset(0), "0s");
  EXPECT_EQ(FormatOffset(absl::ToInt64Milliseconds(70 * kDay + absl::Hours(2) + absl::Minutes(3) +
                                                   absl::Seconds(4))),
            "+70d2h3m4s");
  EXPECT_EQ(FormatOffset(-absl::ToInt64Milliseconds(30 * kDay)), "-30d");
  EXPECT_EQ(FormatOffset(1500), "+1s");
}

TEST(MonotonicTime, NeverHandsOutAnEarlierTime) {
  MonotonicTime m;
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  EXPECT_EQ(m.Next(t0), t0);
  EXPECT_EQ(m.Next(t0 + absl::Seconds(5)), t0 + absl::Seconds(5));
  // The offset was lowered by hand, or the machine's clock stepped back: time stands still.
  EXPECT_EQ(m.Next(t0 - kDay), t0 + absl::Seconds(5));
  EXPECT_EQ(m.Next(t0 + absl::Seconds(4)), t0 + absl::Seconds(5));
  EXPECT_EQ(m.Next(t0 + absl::Seconds(6)), t0 + absl::Seconds(6));
}

TEST(MonotonicTime, EachThreadSeesItsReadsInOrder) {
  MonotonicTime m;
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  std::vector<std::thread> threads;
  std::vector<int> ordered(4, 1);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      absl::Time last = absl::InfinitePast();
      for (int i = 0; i < 20000; ++i) {
        // Readers racing with inputs that jump back and forth.
        absl::Time got = m.Next(t0 + absl::Milliseconds((i * 7919 + k * 31) % 5000));
        if (got < last) ordered[k] = 0;
        last = got;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int k = 0; k < 4; ++k) EXPECT_TRUE(ordered[k]) << "thread " << k;
  EXPECT_EQ(m.Next(t0), t0 + absl::Milliseconds(4999));
}

}  // namespace
}  // namespace kpr::clock
