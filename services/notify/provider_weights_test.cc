#include "services/notify/provider_weights.h"

#include <gtest/gtest.h>

namespace kpr::notify {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
const WeightPolicy kPolicy;

SmsSendResult Answer(SendOutcome outcome) {
  SmsSendResult r;
  r.result.outcome = outcome;
  return r;
}

WindowStats Stats(int64_t calls, int64_t errors, int64_t slow = 0) {
  return WindowStats{calls, errors, slow};
}

TEST(CountsAsErrorTest, OnlyWhatSaysSomethingAboutTheProvider) {
  EXPECT_EQ(CountsAsError(Answer(SendOutcome::kAccepted)), false);
  EXPECT_EQ(CountsAsError(Answer(SendOutcome::kTransient)), true);
  EXPECT_EQ(CountsAsError(Answer(SendOutcome::kUnknown)), true);
  EXPECT_EQ(CountsAsError(Answer(SendOutcome::kPermanent)), std::nullopt);
}

TEST(SlidingWindowTest, CountsOnlyTheLastWindow) {
  SlidingWindow w(absl::Seconds(60), absl::Seconds(4));
  w.Add(kT0, true, absl::Seconds(1));
  w.Add(kT0 + absl::Seconds(30), false, absl::Seconds(5));
  w.Add(kT0 + absl::Seconds(50), false, absl::Seconds(1));
  WindowStats s = w.Stats(kT0 + absl::Seconds(59));
  EXPECT_EQ(s.calls, 3);
  EXPECT_EQ(s.errors, 1);
  EXPECT_EQ(s.slow, 1);
  s = w.Stats(kT0 + absl::Seconds(60));  // the first call ages out
  EXPECT_EQ(s.calls, 2);
  EXPECT_EQ(s.errors, 0);
  s = w.Stats(kT0 + absl::Seconds(200));
  EXPECT_EQ(s.calls, 0);
  EXPECT_EQ(s.slow, 0);
}

TEST(UnhealthyTest, ErrorRateAndSlowShareThresholds) {
  EXPECT_FALSE(Unhealthy(Stats(20, 5), kPolicy));  // 25 %: at the threshold, not over
  EXPECT_TRUE(Unhealthy(Stats(20, 6), kPolicy));
  EXPECT_FALSE(Unhealthy(Stats(20, 0, 2), kPolicy));  // 10 % slow
  EXPECT_TRUE(Unhealthy(Stats(20, 0, 3), kPolicy));
  EXPECT_FALSE(Unhealthy(Stats(9, 9), kPolicy)) << "too few calls for a verdict";
  EXPECT_FALSE(Unhealthy(Stats(0, 0), kPolicy));
}

TEST(NextWeightTest, CrossingDropsToTheDegradedWeight) {
  PrimaryWeight w = NextWeight(PrimaryWeight{}, Stats(20, 10), kT0, kPolicy);
  EXPECT_EQ(w.weight, 10);
  EXPECT_EQ(w.changed_at, kT0);
  // Staying unhealthy keeps it down and restarts the recovery clock.
  w = NextWeight(w, Stats(20, 10), kT0 + absl::Seconds(40), kPolicy);
  EXPECT_EQ(w.weight, 10);
  EXPECT_EQ(w.changed_at, kT0 + absl::Seconds(40));
}

TEST(NextWeightTest, SlownessAloneDropsIt) {
  EXPECT_EQ(NextWeight(PrimaryWeight{}, Stats(50, 0, 10), kT0, kPolicy).weight, 10);
}

TEST(NextWeightTest, HealthyAtFullStaysFull) {
  PrimaryWeight w = NextWeight(PrimaryWeight{}, Stats(100, 1), kT0, kPolicy);
  EXPECT_EQ(w.weight, 100);
}

TEST(NextWeightTest, RecoversOneStepPerIntervalOfHealth) {
  PrimaryWeight w{10, kT0};
  w = NextWeight(w, Stats(5, 0), kT0 + absl::Seconds(29), kPolicy);
  EXPECT_EQ(w.weight, 10);
  absl::Time t = kT0;
  for (int expected = 20; expected <= 100; expected += 10) {
    t += absl::Seconds(30);
    w = NextWeight(w, Stats(5, 0), t, kPolicy);
    EXPECT_EQ(w.weight, expected);
  }
  w = NextWeight(w, Stats(5, 0), t + absl::Minutes(5), kPolicy);
  EXPECT_EQ(w.weight, 100);
}

TEST(NextWeightTest, ARelapseDuringRecoveryDropsItAgainAtOnce) {
  PrimaryWeight w{60, kT0};
  w = NextWeight(w, Stats(20, 20), kT0 + absl::Seconds(1), kPolicy);
  EXPECT_EQ(w.weight, 10);
}

TEST(ChooseProviderTest, ByWeight) {
  v1::Delivery fresh;
  EXPECT_EQ(ChooseProvider(fresh, 100, true, 0.999, kPolicy), "primary");
  EXPECT_EQ(ChooseProvider(fresh, 10, true, 0.05, kPolicy), "primary");
  EXPECT_EQ(ChooseProvider(fresh, 10, true, 0.10, kPolicy), "secondary");
  EXPECT_EQ(ChooseProvider(fresh, 10, true, 0.95, kPolicy), "secondary");
  EXPECT_EQ(ChooseProvider(fresh, 10, false, 0.95, kPolicy), "primary") << "no secondary";
}

TEST(ChooseProviderTest, AnUnknownOutcomeNeverFailsOver) {
  v1::Delivery pinned;
  pinned.set_provider("primary");
  pinned.set_outcome_unknown(true);
  for (double sample : {0.0, 0.5, 0.99}) {
    EXPECT_EQ(ChooseProvider(pinned, 10, true, sample, kPolicy), "primary");
  }
  pinned.set_provider("secondary");
  EXPECT_EQ(ChooseProvider(pinned, 100, true, 0.0, kPolicy), "secondary");
  // A transient failure may move.
  v1::Delivery transient;
  transient.set_provider("primary");
  EXPECT_EQ(ChooseProvider(transient, 10, true, 0.5, kPolicy), "secondary");
}

TEST(ProviderWeightsTest, FailingPrimaryShiftsTrafficAndRecovers) {
  ProviderWeights weights(kPolicy, /*has_secondary=*/true);
  absl::Time t = kT0;
  for (int i = 0; i < 20; ++i) {
    weights.Record("primary", Answer(SendOutcome::kAccepted), absl::Milliseconds(80), t);
    t += absl::Milliseconds(100);
  }
  EXPECT_EQ(weights.PrimaryWeightAt(t), 100);
  // The secondary's calls and permanent refusals do not move the primary's weight.
  for (int i = 0; i < 20; ++i) {
    weights.Record("secondary", Answer(SendOutcome::kTransient), absl::Seconds(9), t);
    weights.Record("primary", Answer(SendOutcome::kPermanent), absl::Milliseconds(80), t);
  }
  EXPECT_EQ(weights.PrimaryWeightAt(t), 100);
  for (int i = 0; i < 10; ++i) {
    weights.Record("primary", Answer(SendOutcome::kTransient), absl::Milliseconds(80), t);
    t += absl::Milliseconds(100);
  }
  EXPECT_EQ(weights.PrimaryWeightAt(t), 10);
  v1::Delivery fresh;
  int to_secondary = 0;
  for (int i = 0; i < 100; ++i) {
    to_secondary += weights.Choose(fresh, t, (i + 0.5) / 100) == "secondary" ? 1 : 0;
  }
  EXPECT_EQ(to_secondary, 90);

  // Under traffic the weights are looked at all the time: while the errors are in the window
  // the weight stays down; once they have aged out, it climbs a step per interval of health.
  absl::Time last_error = t - absl::Milliseconds(100);
  for (; t < last_error + kPolicy.window - absl::Seconds(1); t += absl::Seconds(1)) {
    ASSERT_EQ(weights.PrimaryWeightAt(t), 10);
  }
  while (weights.PrimaryWeightAt(t) == 10) t += absl::Seconds(1);
  EXPECT_EQ(weights.PrimaryWeightAt(t), 20);
  EXPECT_GE(t, last_error + kPolicy.recovery_interval);
  EXPECT_LE(t, last_error + kPolicy.window + kPolicy.recovery_interval);
  for (int i = 0; i < 8; ++i) {
    t += kPolicy.recovery_interval;
    weights.PrimaryWeightAt(t);
  }
  EXPECT_EQ(weights.PrimaryWeightAt(t), 100);
}

}  // namespace
}  // namespace kpr::notify
