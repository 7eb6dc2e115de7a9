#include "services/referral/funnel.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/referral/referral_lifecycle.h"

namespace kpr::referral {
namespace {

using namespace ::kpr::referral::v1;  // NOLINT
using intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER;
using intake::v1::REFERRAL_SOURCE_JOBCENTER;

FunnelRow Row(ReferralStatus status, intake::v1::ReferralSource source, int reach) {
  return FunnelRow{status, source, reach};
}

TEST(Funnel, CountsStagesCumulativelyAndPerSource) {
  std::vector<FunnelRow> rows = {
      Row(REFERRAL_STATUS_RECEIVED, REFERRAL_SOURCE_JOBCENTER, 1),
      Row(REFERRAL_STATUS_DECLINED, REFERRAL_SOURCE_JOBCENTER, 2),  // declined after contact
      Row(REFERRAL_STATUS_ENROLLED, REFERRAL_SOURCE_JOBCENTER, 4),
      Row(REFERRAL_STATUS_COMPLETED, REFERRAL_SOURCE_GENERAL_PRACTITIONER, 5),
      Row(REFERRAL_STATUS_DROPPED_OUT, REFERRAL_SOURCE_GENERAL_PRACTITIONER, 4),
      Row(REFERRAL_STATUS_WITHDRAWN, REFERRAL_SOURCE_GENERAL_PRACTITIONER, 1),
  };
  Funnel f;
  CountFunnel(rows, f);
  EXPECT_EQ(f.referred(), 6);
  EXPECT_EQ(f.contacted(), 4);
  EXPECT_EQ(f.accepted(), 3);
  EXPECT_EQ(f.enrolled(), 3);
  EXPECT_EQ(f.completed(), 1);
  ASSERT_EQ(f.by_source_size(), 2);
  EXPECT_EQ(f.by_source(0).source(), REFERRAL_SOURCE_JOBCENTER);
  EXPECT_EQ(f.by_source(0).referred(), 3);
  EXPECT_EQ(f.by_source(0).contacted(), 2);
  EXPECT_EQ(f.by_source(0).enrolled(), 1);
  EXPECT_EQ(f.by_source(1).completed(), 1);
  EXPECT_EQ(f.by_source(1).enrolled(), 2);
  int64_t total = 0;
  for (const auto& sc : f.by_status()) total += sc.count();
  EXPECT_EQ(total, 6);
  EXPECT_EQ(f.by_status_size(), 6);
}

TEST(Funnel, EmptyPeriodHasZeros) {
  Funnel f;
  CountFunnel({}, f);
  EXPECT_EQ(f.referred(), 0);
  EXPECT_EQ(f.by_status_size(), 0);
  EXPECT_EQ(f.by_source_size(), 0);
}

// Today an analyst saw a count of 1: one person's path through the program.
TEST(FunnelSuppression, SmallCountsAndWhatTheyFollowFromAreWithheld) {
  std::vector<FunnelRow> rows;
  for (int i = 0; i < 30; ++i)
    rows.push_back(Row(REFERRAL_STATUS_ENROLLED, REFERRAL_SOURCE_JOBCENTER, 4));
  for (int i = 0; i < 12; ++i)
    rows.push_back(Row(REFERRAL_STATUS_DECLINED, REFERRAL_SOURCE_JOBCENTER, 2));
  // One GP referral, completed: alone in its source and its status.
  rows.push_back(Row(REFERRAL_STATUS_COMPLETED, REFERRAL_SOURCE_GENERAL_PRACTITIONER, 5));
  Funnel f;
  CountFunnel(rows, f);
  SuppressSmallCounts(5, f);
  EXPECT_EQ(f.suppression_threshold(), 5);
  // No shown count is between 1 and 4.
  auto small = [](int64_t v) { return v > 0 && v < 5; };
  for (int64_t v : {f.referred(), f.contacted(), f.accepted(), f.enrolled(), f.completed()}) {
    EXPECT_FALSE(small(v)) << v;
  }
  for (const auto& sc : f.by_status()) EXPECT_FALSE(small(sc.count())) << sc.ShortDebugString();
  for (const auto& sc : f.by_source()) {
    for (int64_t v :
         {sc.referred(), sc.contacted(), sc.accepted(), sc.enrolled(), sc.completed()}) {
      EXPECT_FALSE(small(v)) << sc.ShortDebugString();
    }
  }
  // The completed stage (1) is withheld, and so is what it follows from: the enrolled stage
  // (31) minus "stopped after enrolled" (30) would give it back.
  EXPECT_EQ(f.completed(), 0);
  EXPECT_THAT(f.suppressed_stages(), ::testing::Contains(FUNNEL_STAGE_COMPLETED));
  // The status counts: COMPLETED (1) is withheld, and not derivable from referred minus the rest.
  int shown_statuses = 0;
  int withheld_statuses = 0;
  for (const auto& sc : f.by_status()) (sc.suppressed() ? withheld_statuses : shown_statuses)++;
  EXPECT_TRUE(withheld_statuses >= 2 || f.referred() == 0) << f.ShortDebugString();
  // The GP source is withheld in every stage it reached.
  for (const auto& sc : f.by_source()) {
    if (sc.source() != REFERRAL_SOURCE_GENERAL_PRACTITIONER) continue;
    EXPECT_EQ(sc.referred(), 0);
    EXPECT_THAT(sc.suppressed_stages(), ::testing::Contains(FUNNEL_STAGE_REFERRED));
  }
}

TEST(FunnelSuppression, LargeCountsAreAllShown) {
  std::vector<FunnelRow> rows;
  for (int i = 0; i < 20; ++i)
    rows.push_back(Row(REFERRAL_STATUS_COMPLETED, REFERRAL_SOURCE_JOBCENTER, 5));
  for (int i = 0; i < 10; ++i)
    rows.push_back(Row(REFERRAL_STATUS_RECEIVED, REFERRAL_SOURCE_JOBCENTER, 1));
  Funnel f;
  CountFunnel(rows, f);
  const Funnel before = f;
  SuppressSmallCounts(5, f);
  EXPECT_EQ(f.referred(), 30);
  EXPECT_EQ(f.completed(), 20);
  EXPECT_TRUE(f.suppressed_stages().empty());
  for (const auto& sc : f.by_status()) EXPECT_FALSE(sc.suppressed());
  EXPECT_EQ(f.by_source(0).completed(), before.by_source(0).completed());
}

}  // namespace
}  // namespace kpr::referral
