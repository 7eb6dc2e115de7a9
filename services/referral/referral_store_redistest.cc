// ReferralStore's scripts against a real Redis: de-duplication, versions, rejections recorded
// once, and list pages that neither skip nor repeat referrals updated in the same millisecond.

#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/referral/referral_id.h"
#include "services/referral/referral_store.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::referral {
namespace {

using ::google::protobuf::util::TimeUtil;

class ReferralStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    pool_ = kpr::testing::HarnessRedisPool();
    store_ = std::make_unique<ReferralStore>(*pool_);
  }

  NewReferral Make(const std::string& m, const std::string& ext, int64_t ms, std::string id = "") {
    NewReferral n;
    auto* r = n.stored.mutable_referral();
    r->set_id(id.empty() ? ReferralIdFor(keys_, m, "fasit", ext) : id);
    r->set_municipality(m);
    r->set_source_system("fasit");
    r->set_external_id(ext);
    r->set_citizen_id("c0ffee");
    r->set_status(v1::REFERRAL_STATUS_RECEIVED);
    r->set_version(1);
    *r->mutable_received_at() = TimeUtil::MillisecondsToTimestamp(ms);
    *r->mutable_updated_at() = TimeUtil::MillisecondsToTimestamp(ms);
    n.events.push_back(
        OutboxEvent{r->id() + ".v1.received", "kpr.referral.v1.received." + m, "data"});
    return n;
  }

  privacy::Pseudonymizer keys_{std::string(32, 'k')};
  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<ReferralStore> store_;
};

TEST_F(ReferralStoreTest, SameExternalIdStoresOnceAndAppendsOneEvent) {
  auto first = store_->Submit(Make("0165", "case-1", 1000));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->is_new);
  auto again = store_->Submit(Make(
      "0165", "case-1", 2000, "0165-0000000000000000000000ABCD"));  // another id, same external id
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->is_new);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(*store_->outbox().Length("0165"), 1);
  // The same external id in another municipality is another referral.
  auto other = store_->Submit(Make("0183", "case-1", 1000));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->is_new);
}

TEST_F(ReferralStoreTest, UpdateChecksTheVersion) {
  auto n = Make("0165", "case-2", 1000);
  ASSERT_TRUE(store_->Submit(n).ok());
  v1::StoredReferral updated = n.stored;
  updated.mutable_referral()->set_status(v1::REFERRAL_STATUS_UNDER_REVIEW);
  auto ok = store_->Update(updated, 1, 2, {});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->outcome, UpdateOutcome::kUpdated);
  EXPECT_EQ(ok->version, 2);
  auto stale = store_->Update(updated, 1, 2, {OutboxEvent{"x", "s", "d"}});
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->outcome, UpdateOutcome::kVersionConflict);
  EXPECT_EQ(stale->version, 2);
  EXPECT_EQ(*store_->outbox().Length("0165"), 1) << "a rejected update must not emit its events";
  auto loaded = store_->Get("0165", n.stored.referral().id());
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->version, 2);
  EXPECT_EQ((*loaded)->stored.referral().status(), v1::REFERRAL_STATUS_UNDER_REVIEW);
  v1::StoredReferral ghost = updated;
  ghost.mutable_referral()->set_id("0165-0000000000000000000000GHST");
  EXPECT_EQ(store_->Update(ghost, 1, 1, {})->outcome, UpdateOutcome::kNotFound);
}

TEST_F(ReferralStoreTest, AnIntakeBatchStoresEachReferralAndRejectionOnce) {
  IntakeRejection rejection{"0165", "fasit\ncase-9\nabc",
                            OutboxEvent{"rejected-1", "kpr.referral.v1.rejected.0165", "data"}};
  NewReferral a = Make("0165", "batch-a", 1000);
  NewReferral b = Make("0183", "batch-b", 1000);
  for (int i = 0; i < 3; ++i) {
    auto results = store_->StoreIntake({&a, &rejection, &b});
    ASSERT_EQ(results.size(), 3u);
    for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(results[0]->is_new, i == 0);
    EXPECT_EQ(results[0]->id, a.stored.referral().id());
    EXPECT_EQ(results[0]->outbox_ids.size(), i == 0 ? a.events.size() : 0u);
    EXPECT_EQ(results[1]->is_new, i == 0);
    EXPECT_EQ(results[2]->is_new, i == 0);
    EXPECT_EQ(results[2]->id, b.stored.referral().id());
  }
  EXPECT_EQ(*store_->outbox().Length("0165"), 1 + a.events.size());
  EXPECT_EQ(*store_->outbox().Length("0183"), b.events.size());
}

TEST_F(ReferralStoreTest, PagesNeitherSkipNorRepeatWithinOneMillisecond) {
  std::set<std::string> ids;
  for (int i = 0; i < 9; ++i) {
    auto n = Make("0165", absl::StrCat("tie-", i), 5000);  // all updated in the same millisecond
    ids.insert(n.stored.referral().id());
    ASSERT_TRUE(store_->Submit(n).ok());
  }
  ASSERT_TRUE(store_->Submit(Make("0165", "older", 4000)).ok());
  std::vector<std::string> seen;
  ListQuery q;
  q.municipality = "0165";
  q.page_size = 2;
  for (int pages = 0; pages < 20; ++pages) {
    auto page = store_->List(q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& s : page->referrals) seen.push_back(s.referral().id());
    if (page->next_page_token.empty()) break;
    q.page_token = page->next_page_token;
  }
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.begin() + 9), ids);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.begin() + 9, std::greater<>()));
  q.page_token = "garbage";
  EXPECT_EQ(store_->List(q).status().code(), absl::StatusCode::kInvalidArgument);
}

// The filters apply to the records an index names; pages of a filtered listing go on across the
// index's read chunks, and stop short (with a token) after scanning a bounded number of entries.
TEST_F(ReferralStoreTest, FilteredPagesFindEveryMatchAndStopAfterTheScanLimit) {
  std::vector<NewReferral> made;
  std::set<std::string> other_ids;
  for (int i = 0; i < 5300; ++i) {
    NewReferral n = Make("0165", absl::StrCat("f-", i), 10000 + i);
    if (i % 97 == 0 && i < 600) {
      n.stored.mutable_referral()->set_source_system("other");
      other_ids.insert(n.stored.referral().id());
    }
    made.push_back(std::move(n));
  }
  std::vector<IntakeWrite> writes;
  for (const NewReferral& n : made) writes.push_back(&n);
  for (const auto& r : store_->StoreIntake(writes)) ASSERT_TRUE(r.ok()) << r.status();

  ListQuery q;
  q.municipality = "0165";
  q.source_system = "other";
  q.page_size = 2;
  std::vector<std::string> seen;
  int pages = 0;
  for (; pages < 20; ++pages) {
    auto page = store_->List(q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& s : page->referrals) {
      EXPECT_EQ(s.referral().source_system(), "other");
      seen.push_back(s.referral().id());
    }
    if (page->next_page_token.empty()) break;
    q.page_token = page->next_page_token;
  }
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), other_ids);
  EXPECT_EQ(seen.size(), other_ids.size()) << "no referral on two pages";

  // Nothing matches: the first call stops after scanning 5000 entries, empty-handed but with a
  // token to go on from; the next scans the rest and ends.
  ListQuery none;
  none.municipality = "0165";
  none.status = v1::REFERRAL_STATUS_ACCEPTED;
  auto first = store_->List(none);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->referrals.empty());
  EXPECT_FALSE(first->next_page_token.empty());
  none.page_token = first->next_page_token;
  auto rest = store_->List(none);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_TRUE(rest->referrals.empty());
  EXPECT_TRUE(rest->next_page_token.empty());
}

TEST_F(ReferralStoreTest, FunnelRowsCoverTheHalfOpenPeriod) {
  ASSERT_TRUE(store_->Submit(Make("0165", "a", 1000)).ok());
  ASSERT_TRUE(store_->Submit(Make("0165", "b", 2000)).ok());
  ASSERT_TRUE(store_->Submit(Make("0165", "c", 3000)).ok());
  auto rows = store_->FunnelRows("0165", absl::FromUnixMillis(1000), absl::FromUnixMillis(3000));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].status, v1::REFERRAL_STATUS_RECEIVED);
  EXPECT_EQ((*rows)[0].reach, 1);
  auto none = store_->FunnelRows("0165", absl::FromUnixMillis(5000), absl::FromUnixMillis(6000));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace kpr::referral
