#include "services/referral/funnel.h"

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

}  // namespace
}  // namespace kpr::referral
