// IntakeDesk::SubmitBatch against a real Redis: what each submission of a batch becomes (stored,
// duplicate, rejected, retry), and that a rejection is recorded for NATS senders only.

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/referral/intake_desk.h"
#include "tests/support/referral_fixture.h"

namespace kpr::referral {
namespace {

using Kind = IntakeResult::Kind;

class IntakeDeskTest : public testing::ReferralDeskTest {
 protected:
  // A submission as the NATS intake hands it over (event id and payload set).
  static IntakeItem FromNats(int n, const std::string& subject_municipality,
                             const std::string& named_municipality) {
    IntakeItem item;
    item.submission = testing::SyntheticSubmission(n, named_municipality);
    item.municipality = subject_municipality;
    item.event_id = absl::StrCat("in-", n);
    item.payload = "payload";
    item.caller.claims.subject = "intake";
    item.caller.claims.role = identity::Role::kService;
    item.caller.claims.municipalities = {subject_municipality};
    return item;
  }
};

TEST_F(IntakeDeskTest, EachSubmissionOfABatchIsStoredDuplicateOrRejected) {
  std::vector<IntakeItem> items;
  items.push_back(FromNats(1, "0165", "0165"));
  items.push_back(FromNats(2, "0183", "0183"));
  items.push_back(FromNats(1, "0165", "0165"));  // the same external id again
  items.push_back(FromNats(3, "0183", "0165"));  // names another municipality than its subject
  IntakeItem invalid = FromNats(4, "0165", "0165");
  invalid.submission.mutable_citizen()->set_cpr("123");
  items.push_back(std::move(invalid));

  auto results = desks_->intake.SubmitBatch(std::move(items));
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].kind, Kind::kStored);
  EXPECT_EQ(results[1].kind, Kind::kStored);
  EXPECT_EQ(results[2].kind, Kind::kDuplicate);
  EXPECT_EQ(results[2].referral_id, results[0].referral_id);
  EXPECT_NE(results[0].referral_id, results[1].referral_id);
  EXPECT_TRUE(absl::StartsWith(results[1].referral_id, "0183-"));
  ASSERT_EQ(results[3].kind, Kind::kRejected);
  EXPECT_EQ(results[3].violations.back().field(), "municipality");
  ASSERT_EQ(results[4].kind, Kind::kRejected);
  EXPECT_EQ(results[4].violations.front().field(), "citizen.cpr");
  EXPECT_TRUE(context_->Load(results[0].referral_id).ok());
  // 0165: one received event and one rejection; 0183: one received and one rejection.
  EXPECT_EQ(OutboxLength("0165"), 2);
  EXPECT_EQ(OutboxLength("0183"), 2);
  EXPECT_GT(outbox_notified_, 0);  // no relay in this process: it reads the outbox back

  // Delivered again: the same answers, nothing new.
  std::vector<IntakeItem> again;
  again.push_back(FromNats(1, "0165", "0165"));
  again.push_back(FromNats(3, "0183", "0165"));
  auto repeated = desks_->intake.SubmitBatch(std::move(again));
  EXPECT_EQ(repeated[0].kind, Kind::kDuplicate);
  EXPECT_EQ(repeated[0].referral_id, results[0].referral_id);
  EXPECT_EQ(repeated[1].kind, Kind::kRejected);
  EXPECT_EQ(OutboxLength("0165"), 2);
  EXPECT_EQ(OutboxLength("0183"), 2);
}

TEST_F(IntakeDeskTest, AStaffSubmissionIsToldItsViolationsAndNothingIsRecorded) {
  IntakeItem item;
  item.submission = testing::SyntheticSubmission(5, "0165");
  item.submission.clear_external_id();
  item.municipality = "0165";
  std::vector<IntakeItem> items;
  items.push_back(std::move(item));
  auto results = desks_->intake.SubmitBatch(std::move(items));
  ASSERT_EQ(results[0].kind, Kind::kRejected);
  EXPECT_EQ(results[0].violations.front().field(), "external_id");
  EXPECT_EQ(OutboxLength("0165"), 0);
}

TEST_F(IntakeDeskTest, AnOutageIsARetryForEverySubmission) {
  testing::Servers::Redis().Stop();
  std::vector<IntakeItem> items;
  items.push_back(FromNats(6, "0165", "0165"));
  items.push_back(FromNats(7, "0183", "0183"));
  auto results = desks_->intake.SubmitBatch(std::move(items));
  ASSERT_TRUE(testing::Servers::Redis().Start().ok());
  for (const IntakeResult& r : results) {
    EXPECT_EQ(r.kind, Kind::kRetry);
    EXPECT_EQ(r.error.code(), absl::StatusCode::kUnavailable) << r.error;
  }
}

}  // namespace
}  // namespace kpr::referral
