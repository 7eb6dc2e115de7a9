#include "services/outcomes/statistics.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "gtest/gtest.h"

namespace kpr::outcomes {
namespace {

TEST(StudentTQuantileTest, MatchesTabulatedCriticalValues) {
  // Two-sided 95 % critical values (p = 0.975) as printed in t tables (4 decimals) ...
  const struct {
    double df, table, precise;
  } kCases[] = {
      // ... and to 9-10 significant digits (R: qt(0.975, df)).
      {1, 12.7062, 12.70620474},  {2, 4.3027, 4.302652730},  {5, 2.5706, 2.570581836},
      {7, 2.3646, 2.364624252},   {10, 2.2281, 2.228138852}, {30, 2.0423, 2.042272456},
      {120, 1.9799, 1.979930405},
  };
  for (const auto& c : kCases) {
    const double t = StudentTQuantile(0.975, c.df);
    EXPECT_NEAR(t, c.table, 5e-5) << "df " << c.df;
    EXPECT_NEAR(t, c.precise, 1e-6) << "df " << c.df;
    EXPECT_NEAR(StudentTQuantile(0.025, c.df), -c.precise, 1e-6) << "df " << c.df;
  }
}

TEST(StudentTQuantileTest, MatchesClosedFormsForOneAndTwoDegreesOfFreedom) {
  for (double p : {0.001, 0.01, 0.1, 0.3, 0.5, 0.6, 0.9, 0.95, 0.99, 0.999, 0.99999}) {
    // df 1 is the Cauchy distribution; df 2 has t = (2p - 1) / sqrt(2 p (1 - p)).
    const double cauchy = std::tan(std::numbers::pi * (p - 0.5));
    EXPECT_NEAR(StudentTQuantile(p, 1), cauchy, 1e-6 * std::max(1.0, std::fabs(cauchy))) << p;
    EXPECT_NEAR(StudentTQuantile(p, 2), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-7) << p;
  }
}

TEST(StudentTQuantileTest, ApproachesTheNormalForLargeDf) {
  EXPECT_NEAR(StudentTQuantile(0.975, 1e7), 1.959964, 1e-5);
  EXPECT_NEAR(StudentTQuantile(0.95, 1e7), 1.644854, 1e-5);
}

TEST(StudentTQuantileTest, RejectsArgumentsOutOfRange) {
  EXPECT_TRUE(std::isnan(StudentTQuantile(0, 5)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(1, 5)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(0.5, 0)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(0.5, -1)));
}

TEST(MeanConfidenceIntervalTest, WorkedPairedWho5Example) {
  // Eight participants' WHO-5 percentage scores (baseline, end); change = end - baseline.
  const int kPairs[][2] = {{36, 56}, {40, 48}, {28, 52}, {44, 44},
                           {32, 60}, {48, 64}, {24, 40}, {52, 56}};
  std::vector<double> changes;
  double sum = 0, sumsq = 0;
  for (const auto& pair : kPairs) {
    const double change = pair[1] - pair[0];
    changes.push_back(change);
    sum += change;
    sumsq += change * change;
  }
  // Reference: two-pass mean and sample sd, tabulated t(0.975, 7).
  const double n = changes.size();
  double mean = 0;
  for (double c : changes) mean += c;
  mean /= n;
  double squares = 0;
  for (double c : changes) squares += (c - mean) * (c - mean);
  const double sd = std::sqrt(squares / (n - 1));
  const double half = 2.364624252 * sd / std::sqrt(n);
  ASSERT_DOUBLE_EQ(mean, 14.5);

  const auto ci = MeanConfidenceInterval(n, sum, sumsq);
  ASSERT_TRUE(ci.has_value());
  EXPECT_NEAR(ci->mean, mean, 1e-9);
  EXPECT_NEAR(ci->low, mean - half, 1e-6);
  EXPECT_NEAR(ci->high, mean + half, 1e-6);
  // By hand: sd = 9.783368; half width = 2.364624 x 9.783368 / sqrt(8) = 8.179100.
  EXPECT_NEAR(ci->low, 6.320900, 1e-5);
  EXPECT_NEAR(ci->high, 22.679100, 1e-5);

  const auto ci90 = MeanConfidenceInterval(n, sum, sumsq, 0.90);
  ASSERT_TRUE(ci90.has_value());
  EXPECT_NEAR(ci90->high - ci90->mean, 1.894578605 * sd / std::sqrt(n), 1e-6);
}

TEST(MeanConfidenceIntervalTest, NeedsTwoValues) {
  EXPECT_FALSE(MeanConfidenceInterval(0, 0, 0).has_value());
  EXPECT_FALSE(MeanConfidenceInterval(1, 12, 144).has_value());
  EXPECT_FALSE(MeanConfidenceInterval(5, 10, 30, 1.0).has_value());
}

TEST(MeanConfidenceIntervalTest, EqualValuesGiveAZeroWidthIntervalEvenWithRounding) {
  // 0.1 three times: sumsq - sum^2/n rounds to a tiny negative number.
  const double v = 0.1;
  const auto ci = MeanConfidenceInterval(3, v + v + v, v * v + v * v + v * v);
  ASSERT_TRUE(ci.has_value());
  EXPECT_FALSE(std::isnan(ci->low));
  EXPECT_NEAR(ci->low, 0.1, 1e-7);
  EXPECT_NEAR(ci->high, 0.1, 1e-7);
}

}  // namespace
}  // namespace kpr::outcomes
