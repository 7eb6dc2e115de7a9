#include "services/outcomes/funnel_facts.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/outcomes/decision_testing.h"
#include "services/outcomes/versioned_records.h"

namespace kpr::outcomes {
namespace {

namespace rv1 = ::kpr::referral::v1;
using namespace decision_testing;  // NOLINT: test vocabulary

const absl::TimeZone kTz = calendar::DanishTimeZone();
const std::string kMarch = FunnelTallyKey(kM, "2027-03");

rv1::ReferralReceived Received(absl::Time at) {
  rv1::ReferralReceived r;
  r.set_referral_id("0165-r-1");
  r.set_source(intake::v1::REFERRAL_SOURCE_JOBCENTER);
  *r.mutable_received_at() = ToProto(at);
  r.set_version(1);
  return r;
}

rv1::ReferralStatusChanged Changed(rv1::ReferralStatus to, int version) {
  rv1::ReferralStatusChanged c;
  c.set_referral_id("0165-r-1");
  c.set_to(to);
  c.set_version(version);
  return c;
}

// The funnel record as the draft writes it, read back as stored.
Funnel Stored(const Draft& d) {
  const RecordWrite* w = WriteOf(d, FunnelReferralKey(kM, "0165-r-1"));
  return Funnel{*Written<v1::FunnelRecord>(*w), w->expected_version + 1};
}

TEST(RecordReferralReceived, CountsTheReferralInItsMonthOfReceipt) {
  const Draft d =
      RecordReferralReceived(kM, Funnel(), Received(Local(absl::CivilMinute(2027, 3, 2, 9, 0))),
                             google::protobuf::Timestamp(), kTz);
  const Funnel f = Stored(d);
  EXPECT_EQ(f.version, 1);
  EXPECT_TRUE(f.record.received());
  EXPECT_EQ(f.record.municipality(), kM);
  EXPECT_EQ(f.record.referral_version(), 1);
  EXPECT_EQ(TallyChange(d, kMarch, "referred"), 1);
  EXPECT_EQ(TallyChange(d, kMarch, "referred_by_source.1"), 1);
  EXPECT_EQ(d.sealed, 0u);
}

TEST(RecordReferralReceived, TheMonthIsLocal) {
  // 00:30 on 1 April in Copenhagen is still 31 March in UTC.
  const Draft d =
      RecordReferralReceived(kM, Funnel(), Received(Local(absl::CivilMinute(2027, 4, 1, 0, 30))),
                             google::protobuf::Timestamp(), kTz);
  EXPECT_EQ(TallyChange(d, FunnelTallyKey(kM, "2027-04"), "referred"), 1);
  EXPECT_EQ(TallyChange(d, kMarch, "referred"), 0);
}

TEST(RecordReferralReceived, WithoutATimeOfReceiptTheEventsTimeCounts) {
  rv1::ReferralReceived r = Received(absl::UnixEpoch());
  r.clear_received_at();
  const Draft d = RecordReferralReceived(kM, Funnel(), r,
                                         ToProto(Local(absl::CivilMinute(2027, 3, 5, 9, 0))), kTz);
  EXPECT_EQ(Stored(d).record.received_at().seconds(),
            absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 3, 5, 9, 0))));
  EXPECT_EQ(TallyChange(d, kMarch, "referred"), 1);
}

TEST(RecordReferralStatus, BeforeTheReceiptNothingIsCounted) {
  const Draft d =
      RecordReferralStatus(kM, Funnel(), Changed(rv1::REFERRAL_STATUS_ACCEPTED, 3), kTz);
  const Funnel f = Stored(d);
  EXPECT_TRUE(f.record.accepted());
  EXPECT_EQ(f.record.referral_version(), 3);
  EXPECT_TRUE(d.change.tallies.empty()) << "month and source unknown: nowhere to count it";

  // The receipt comes later and counts the stage reached meanwhile.
  const Draft later =
      RecordReferralReceived(kM, f, Received(Local(absl::CivilMinute(2027, 3, 2, 9, 0))), {}, kTz);
  EXPECT_EQ(TallyChange(later, kMarch, "referred"), 1);
  EXPECT_EQ(TallyChange(later, kMarch, "accepted"), 1);
  EXPECT_EQ(Stored(later).record.referral_version(), 3) << "the highest version seen stays";
}

TEST(RecordReferralStatus, StagesCountOnceAndCumulatively) {
  Funnel f = Stored(RecordReferralReceived(
      kM, Funnel(), Received(Local(absl::CivilMinute(2027, 3, 2, 9, 0))), {}, kTz));
  const Draft enrolled =
      RecordReferralStatus(kM, f, Changed(rv1::REFERRAL_STATUS_ENROLLED, 4), kTz);
  EXPECT_EQ(TallyChange(enrolled, kMarch, "contacted"), 1);
  EXPECT_EQ(TallyChange(enrolled, kMarch, "accepted"), 1);
  EXPECT_EQ(TallyChange(enrolled, kMarch, "enrolled"), 1);
  EXPECT_EQ(TallyChange(enrolled, kMarch, "referred"), 0);
  f = Stored(enrolled);
  EXPECT_EQ(f.version, 2);

  const Draft again = RecordReferralStatus(kM, f, Changed(rv1::REFERRAL_STATUS_ENROLLED, 4), kTz);
  EXPECT_TRUE(again.change.tallies.empty());
  EXPECT_EQ(again.change.writes.size(), 1u) << "the record is still written (its version moves)";

  // A status that is no stage changes nothing counted.
  const Draft waitlisted =
      RecordReferralStatus(kM, f, Changed(rv1::REFERRAL_STATUS_WAITLISTED, 5), kTz);
  EXPECT_TRUE(waitlisted.change.tallies.empty());
  EXPECT_EQ(Stored(waitlisted).record.referral_version(), 5);
}

TEST(RecordReferralStatus, EveryStageHasItsFlag) {
  struct Case {
    rv1::ReferralStatus to;
    bool (v1::FunnelRecord::*flag)() const;
  };
  for (const Case& c : {Case{rv1::REFERRAL_STATUS_UNDER_REVIEW, &v1::FunnelRecord::contacted},
                        Case{rv1::REFERRAL_STATUS_COMPLETED, &v1::FunnelRecord::completed},
                        Case{rv1::REFERRAL_STATUS_DROPPED_OUT, &v1::FunnelRecord::dropped_out},
                        Case{rv1::REFERRAL_STATUS_DECLINED, &v1::FunnelRecord::declined},
                        Case{rv1::REFERRAL_STATUS_WITHDRAWN, &v1::FunnelRecord::withdrawn}}) {
    const Funnel f = Stored(RecordReferralStatus(kM, Funnel(), Changed(c.to, 2), kTz));
    EXPECT_TRUE((f.record.*c.flag)()) << rv1::ReferralStatus_Name(c.to);
  }
}

}  // namespace
}  // namespace kpr::outcomes
