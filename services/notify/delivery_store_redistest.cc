// The delivery store against a real Redis: a delivery is recorded once whatever repeats, a
// change checks the version and moves the status index, and the events and the timer change go
// with it.

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/notify/delivery_store.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::notify {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kM[] = "0165";

class DeliveryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    pool_ = kpr::testing::HarnessRedisPool();
    store_ = std::make_unique<DeliveryStore>(*pool_);
    timers_ = std::make_unique<timer::TimerStore>(*pool_, kNotifyService);
  }

  static v1::StoredDelivery Pending(const std::string& id, const std::string& referral,
                                    int64_t created_ms) {
    v1::StoredDelivery s;
    v1::Delivery& d = *s.mutable_delivery();
    d.set_delivery_id(id);
    d.set_municipality(kM);
    d.set_referral_id(referral);
    d.set_cohort_id("0165-C1");
    d.set_status(v1::DELIVERY_STATUS_PENDING);
    d.set_masked_recipient("+45 ** ** 00 01");
    *d.mutable_created_at() = TimeUtil::MillisecondsToTimestamp(created_ms);
    *d.mutable_updated_at() = d.created_at();
    s.set_sealed_body("sealed-bytes");
    return s;
  }

  static TimerChange SendTimer(const std::string& id, int64_t due_ms) {
    TimerChange t;
    t.kind = TimerChange::Kind::kSchedule;
    t.timer = timer::Timer{kM, "send:" + id, absl::FromUnixMillis(due_ms), id, 0};
    return t;
  }

  static bus::OutboxEvent Event(const std::string& id) {
    return bus::OutboxEvent{id, "kpr.notify.v1.message_sent.0165", "data"};
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<DeliveryStore> store_;
  std::unique_ptr<timer::TimerStore> timers_;
};

TEST_F(DeliveryStoreTest, ADeliveryIsRecordedOnceWhateverRepeats) {
  auto s = Pending("0165-AAAA", "0165-A", 1000);
  auto first = store_->Record(s, {}, SendTimer("0165-AAAA", 5000));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, RecordOutcome::kRecorded);
  // The same fact again (a redelivery, another replica): nothing new, the timer untouched.
  auto again = Pending("0165-AAAA", "0165-A", 2000);
  EXPECT_EQ(*store_->Record(again, {}, SendTimer("0165-AAAA", 9000)),
            RecordOutcome::kAlreadyRecorded);
  auto loaded = store_->Get(kM, "0165-AAAA");
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->version, 1);
  EXPECT_EQ((*loaded)->stored.delivery().created_at().seconds(), 1);
  EXPECT_EQ((*loaded)->stored.sealed_body(), "sealed-bytes");
  auto t = timers_->Get(kM, "send:0165-AAAA");
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->due, absl::FromUnixMillis(5000));
}

TEST_F(DeliveryStoreTest, AChangeChecksTheVersionMovesTheIndexAndCarriesItsEventsAndTimer) {
  auto s = Pending("0165-BBBB", "0165-B", 1000);
  ASSERT_TRUE(store_->Record(s, {}, SendTimer("0165-BBBB", 5000)).ok());
  v1::StoredDelivery sent = s;
  sent.mutable_delivery()->set_status(v1::DELIVERY_STATUS_SENT);
  *sent.mutable_delivery()->mutable_updated_at() = TimeUtil::MillisecondsToTimestamp(6000);
  TimerChange cancel;
  cancel.kind = TimerChange::Kind::kCancel;
  cancel.timer.id = "send:0165-BBBB";
  ASSERT_TRUE(store_->Update(sent, v1::DELIVERY_STATUS_PENDING, 1, {Event("sent-1")}, cancel).ok());
  // A second writer with the old version loses.
  EXPECT_EQ(store_->Update(sent, v1::DELIVERY_STATUS_PENDING, 1, {Event("sent-2")}, {}).code(),
            absl::StatusCode::kAborted);
  auto loaded = store_->Get(kM, "0165-BBBB");
  EXPECT_EQ((*loaded)->version, 2);
  EXPECT_EQ((*loaded)->stored.delivery().status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(*store_->outbox().Length(kM), 1);
  EXPECT_FALSE(timers_->Get(kM, "send:0165-BBBB")->has_value());

  DeliveryStore::ListQuery by_status;
  by_status.municipality = kM;
  by_status.status = v1::DELIVERY_STATUS_SENT;
  auto page = store_->List(by_status);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->deliveries.size(), 1u);
  EXPECT_EQ(page->deliveries[0].delivery_id(), "0165-BBBB");
  by_status.status = v1::DELIVERY_STATUS_PENDING;
  EXPECT_TRUE(store_->List(by_status)->deliveries.empty());

  v1::StoredDelivery ghost = Pending("0165-GHST", "0165-B", 1);
  EXPECT_EQ(store_->Update(ghost, v1::DELIVERY_STATUS_PENDING, 1, {}, {}).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DeliveryStoreTest, ListsPageNewestFirstByReferralOrCohort) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        store_->Record(Pending(absl::StrCat("0165-D", i), "0165-C", 1000 + i), {}, {}).ok());
  }
  DeliveryStore::ListQuery q;
  q.municipality = kM;
  q.referral_id = "0165-C";
  q.page_size = 3;
  auto first = store_->List(q);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->deliveries.size(), 3u);
  EXPECT_EQ(first->deliveries[0].delivery_id(), "0165-D4");
  ASSERT_FALSE(first->next_page_token.empty());
  q.page_token = first->next_page_token;
  auto second = store_->List(q);
  ASSERT_EQ(second->deliveries.size(), 2u);
  EXPECT_EQ(second->deliveries[1].delivery_id(), "0165-D0");
  EXPECT_TRUE(second->next_page_token.empty());
  DeliveryStore::ListQuery by_cohort;
  by_cohort.municipality = kM;
  by_cohort.cohort_id = "0165-C1";
  EXPECT_EQ(store_->List(by_cohort)->deliveries.size(), 5u);
  DeliveryStore::ListQuery both = by_cohort;
  both.referral_id = "0165-C";
  EXPECT_EQ(store_->List(both).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kpr::notify
