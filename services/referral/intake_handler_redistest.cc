// The intake handler against a real Redis, fed deliveries directly (NATS is exercised by the
// end-to-end tests): what it acks, rejects, dead-letters and retries, and that one referral that
// cannot be stored does not hold back the rest of its batch.

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/referral/intake_handler.h"
#include "tests/support/referral_fixture.h"

namespace kpr::referral {
namespace {

class IntakeHandlerTest : public testing::ReferralDeskTest {
 protected:
  void SetUp() override {
    ReferralDeskTest::SetUp();
    handler_ = std::make_unique<IntakeHandler>(desks_->intake);
  }

  static bus::Delivery Submission(int n, const std::string& m, uint64_t delivery_count = 1) {
    bus::Delivery d;
    d.subject = "kpr.intake.v1.referral_submitted." + m;
    d.msg_id = absl::StrCat("in-", n);
    d.data = testing::IntakeEnvelope(testing::SyntheticSubmission(n, m), d.msg_id, m);
    d.delivery_count = delivery_count;
    return d;
  }

  int64_t Count(const std::string& cmd, const std::string& key) {
    auto r = pool_->Command({cmd, key});
    return r.ok() ? r->integer() : -1;
  }

  std::unique_ptr<IntakeHandler> handler_;
};

TEST_F(IntakeHandlerTest, StoresRejectsAndDeadLettersInOneBatch) {
  std::vector<bus::Delivery> batch = {Submission(1, "0165"), Submission(2, "0183"),
                                      Submission(1, "0165")};
  // The envelope and subject say 0183, the submission inside says 0165: rejected, naming the
  // field, so the integration learns what to fix.
  bus::Delivery invalid;
  invalid.subject = "kpr.intake.v1.referral_submitted.0183";
  invalid.msg_id = "in-3";
  invalid.data =
      testing::IntakeEnvelope(testing::SyntheticSubmission(3, "0165"), invalid.msg_id, "0183");
  invalid.delivery_count = 1;
  batch.push_back(invalid);
  bus::Delivery garbage;
  garbage.subject = "kpr.intake.v1.referral_submitted.0165";
  garbage.data = "not an event";
  batch.push_back(garbage);
  // An envelope claiming another municipality than its subject is not believed: a dead letter.
  bus::Delivery forged = Submission(4, "0183");
  forged.subject = "kpr.intake.v1.referral_submitted.0165";
  batch.push_back(forged);

  auto outcomes = handler_->Handle(batch);
  ASSERT_EQ(outcomes.size(), batch.size());
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(outcomes[i].kind, bus::Outcome::kAck) << i;
  EXPECT_EQ(outcomes[4].kind, bus::Outcome::kDeadLetter);
  EXPECT_NE(outcomes[4].reason.find("undecodable"), std::string::npos);
  EXPECT_EQ(outcomes[5].kind, bus::Outcome::kDeadLetter);
  EXPECT_NE(outcomes[5].reason.find("envelope municipality 0183 differs from the subject's 0165"),
            std::string::npos)
      << outcomes[5].reason;
  EXPECT_EQ(Count("HLEN", "kpr:{0165}:referral:ext"),
            1);  // the repeat in the batch is one referral
  EXPECT_EQ(Count("HLEN", "kpr:{0183}:referral:ext"), 1);
  EXPECT_EQ(Count("XLEN", "kpr:{0165}:referral:outbox"), 1);
  EXPECT_EQ(Count("XLEN", "kpr:{0183}:referral:outbox"), 2);  // received + the rejection
  EXPECT_GT(outbox_notified_, 0);

  // Redelivered, nothing changes.
  outcomes = handler_->Handle(batch);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(outcomes[i].kind, bus::Outcome::kAck) << i;
  EXPECT_EQ(Count("XLEN", "kpr:{0165}:referral:outbox"), 1);
  EXPECT_EQ(Count("XLEN", "kpr:{0183}:referral:outbox"), 2);
}

TEST_F(IntakeHandlerTest, OneUnstorableReferralDoesNotHoldBackItsBatch) {
  // Corrupt the caseworker index of one caseworker: storing a referral of theirs fails in Redis.
  auto bad = testing::SyntheticSubmission(11, "0165");
  ASSERT_TRUE(
      pool_
          ->Command({"SET",
                     absl::StrCat("kpr:{0165}:referral:referrer:", bad.referrer().caseworker_id()),
                     "x"})
          .ok());
  std::vector<bus::Delivery> batch;
  int bad_index = -1;
  for (int n = 10; n < 17; ++n) {
    batch.push_back(Submission(n, "0165"));
    if (n == 11) bad_index = static_cast<int>(batch.size()) - 1;
  }
  auto outcomes = handler_->Handle(batch);
  int acked = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    auto s = testing::SyntheticSubmission(static_cast<int>(10 + i), "0165");
    bool same_caseworker = s.referrer().caseworker_id() == bad.referrer().caseworker_id();
    if (same_caseworker) {
      EXPECT_EQ(outcomes[i].kind, bus::Outcome::kRetry) << i;
    } else {
      EXPECT_EQ(outcomes[i].kind, bus::Outcome::kAck) << i;
      ++acked;
    }
  }
  EXPECT_GE(acked, 5);
  EXPECT_EQ(outcomes[bad_index].kind, bus::Outcome::kRetry);
  // Once the index is repaired the retry completes the same referral: no second, orphaned one.
  ASSERT_TRUE(pool_
                  ->Command({"DEL", absl::StrCat("kpr:{0165}:referral:referrer:",
                                                 bad.referrer().caseworker_id())})
                  .ok());
  auto retried = handler_->Handle({Submission(11, "0165", 2)});
  EXPECT_EQ(retried[0].kind, bus::Outcome::kAck);
  EXPECT_EQ(Count("ZCARD", "kpr:{0165}:referral:received"), 7);
  EXPECT_EQ(Count("HLEN", "kpr:{0165}:referral:ext"), 7);
  ASSERT_TRUE(
      pool_
          ->Command({"SET",
                     absl::StrCat("kpr:{0165}:referral:referrer:", bad.referrer().caseworker_id()),
                     "x"})
          .ok());
  // While it cannot be stored, after enough deliveries it is a dead letter, not a blocked stream.
  auto last = handler_->Handle({Submission(18, "0165", kMaxDeliveriesOnError)});
  EXPECT_EQ(last[0].kind, bus::Outcome::kDeadLetter);
  EXPECT_NE(last[0].reason.find("storing failed"), std::string::npos);
}

TEST_F(IntakeHandlerTest, ACprNumberAsExternalIdIsRejectedAndNeverKeptInClear) {
  auto submission = testing::SyntheticSubmission(30, "0165");
  const std::string cpr_as_id = testing::SyntheticCpr(31);
  submission.set_external_id(cpr_as_id);
  bus::Delivery d;
  d.subject = "kpr.intake.v1.referral_submitted.0165";
  d.msg_id = "in-30";
  d.data = testing::IntakeEnvelope(submission, d.msg_id, "0165");
  d.delivery_count = 1;
  auto outcomes = handler_->Handle({d, d});  // twice: still one rejection
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kAck);
  EXPECT_EQ(outcomes[1].kind, bus::Outcome::kAck);
  EXPECT_EQ(Count("XLEN", "kpr:{0165}:referral:outbox"), 1);
  EXPECT_EQ(Count("HLEN", "kpr:{0165}:referral:ext"), 0);
  auto dump = testing::DumpRedis(testing::Servers::Redis().port());
  ASSERT_TRUE(dump.ok());
  EXPECT_NE(dump->find("rejected-"), std::string::npos);    // the rejection is in the outbox
  EXPECT_NE(dump->find("external_id"), std::string::npos);  // naming the field...
  EXPECT_EQ(dump->find(cpr_as_id), std::string::npos);      // ...but not its value
}

TEST_F(IntakeHandlerTest, AnOutageIsARetryNeverADeadLetter) {
  testing::Servers::Redis().Stop();
  auto outcomes = handler_->Handle({Submission(20, "0165", 50)});
  ASSERT_TRUE(testing::Servers::Redis().Start().ok());
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kRetry);
  EXPECT_GT(outcomes[0].retry_after, absl::ZeroDuration());
  EXPECT_LE(outcomes[0].retry_after, absl::Seconds(30));
}

}  // namespace
}  // namespace kpr::referral
