// OutcomesStore against a real Redis (the harness's redis-server): a Commit writes records,
// tallies, indexes, hashes, outbox entries, timers and the processed marker all or nothing; the
// version check refuses stale writers without writing anything; a redelivered event is applied
// once; concurrent read-modify-write writers lose no update; Redis down is UNAVAILABLE.

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/store/keys.h"
#include "services/outcomes/outcomes_store.h"
#include "tests/harness/servers.h"

namespace kpr::outcomes {
namespace {

constexpr char kM[] = "0165";

// An outbox subject, as the desk makes them (bus::EventSubject).
std::string Subject(absl::string_view event) {
  return absl::StrCat("kpr.outcomes.v1.", event, ".", kM);
}
// Binary bytes (NUL, high bytes) like sealed records.
const std::string kBinary("\x00\x01\xff\xfe sealed\x00tail", 16);

common::v1::Event Ev(const std::string& id) {
  common::v1::Event e;
  e.set_id(id);
  e.set_type("kpr.outcomes.v1.AttendanceRecorded");
  e.set_municipality(kM);
  return e;
}

class OutcomesStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    store::RedisOptions options;
    options.port = testing::Servers::Redis().port();
    options.pool_size = 8;
    pool_ = std::make_unique<store::RedisPool>(options);
    store_ = std::make_unique<OutcomesStore>(*pool_);
  }

  std::optional<StoredRecord> ReadOne(const std::string& key) {
    auto r = store_->Read(kM, {key});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->size() != 1) return std::nullopt;
    return (*r)[0];
  }
  absl::flat_hash_map<std::string, double> Tally(const std::string& key) {
    auto r = store_->ReadTallies(kM, {key});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->size() != 1) return {};
    return (*r)[0];
  }
  int64_t OutboxLength() {
    auto n = store_->outbox().Length(kM);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }
  bool Exists(const std::string& key) {
    auto r = pool_->Command({"EXISTS", key});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->integer() == 1;
  }
  // Writes `key` with `data` `times` times, so its version becomes `times`.
  void Bump(const std::string& key, int times) {
    for (int i = 0; i < times; ++i) {
      Change c;
      c.writes.push_back({key, i, absl::StrCat("v", i + 1)});
      auto r = store_->Commit(kM, c);
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<OutcomesStore> store_;
};

TEST(OutcomesKeysTest, KeysAndSubject) {
  EXPECT_EQ(CohortKey(kM, "c1"), "kpr:{0165}:outcomes:cohort:c1");
  EXPECT_EQ(ParticipantKey(kM, "r1"), "kpr:{0165}:outcomes:participant:r1");
  EXPECT_EQ(AttendanceKey(kM, "s1"), "kpr:{0165}:outcomes:attendance:s1");
  EXPECT_EQ(FunnelReferralKey(kM, "r1"), "kpr:{0165}:outcomes:funnel:referral:r1");
  EXPECT_EQ(CohortTallyKey(kM, "c1"), "kpr:{0165}:outcomes:tally:cohort:c1");
  EXPECT_EQ(FunnelTallyKey(kM, "2027-03"), "kpr:{0165}:outcomes:tally:funnel:2027-03");
  EXPECT_EQ(ProgramCohortsKey(kM, "p1"), "kpr:{0165}:outcomes:cohorts:p1");
  EXPECT_EQ(SessionsKey(kM), "kpr:{0165}:outcomes:sessions");
}

TEST_F(OutcomesStoreTest, CommitWritesEverythingVisibleThroughReads) {
  const absl::Time due = absl::FromUnixMillis(1900000000123);
  Change c;
  c.writes.push_back({CohortKey(kM, "c1"), 0, "cohort-bytes"});
  c.writes.push_back({ParticipantKey(kM, "r1"), 0, kBinary});
  c.tallies.push_back({CohortTallyKey(kM, "c1"),
                       {{"participants", 1}, {"attendance_rate_sum", 0.75}, {"completed", 0}}});
  c.tallies.push_back({FunnelTallyKey(kM, "2027-03"), {{"received", 2}}});
  c.index.push_back({ProgramCohortsKey(kM, "p1"), "c1", 20500});
  c.index.push_back({ProgramCohortsKey(kM, "p1"), "c0", 20400});
  c.index.push_back({ProgramCohortsKey(kM, "p1"), "c9", 21000});
  c.hash_sets.push_back({SessionsKey(kM), "s1", "c1"});
  c.events.push_back(bus::OutboxEvent::From(Ev("e1"), Subject("a")));
  c.events.push_back(bus::OutboxEvent::From(Ev("e2"), Subject("b")));
  c.timers.push_back({kM, "due:r1:BASELINE", due, kBinary});
  c.applied_event_id = "in-1";

  auto r = store_->Commit(kM, c);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, CommitResult::kApplied);

  auto recs =
      store_->Read(kM, {CohortKey(kM, "c1"), ParticipantKey(kM, "r1"), CohortKey(kM, "missing")});
  ASSERT_TRUE(recs.ok()) << recs.status();
  ASSERT_EQ(recs->size(), 3u);
  ASSERT_TRUE((*recs)[0].has_value());
  EXPECT_EQ((*recs)[0]->version, 1);
  EXPECT_EQ((*recs)[0]->data, "cohort-bytes");
  ASSERT_TRUE((*recs)[1].has_value());
  EXPECT_EQ((*recs)[1]->version, 1);
  EXPECT_EQ((*recs)[1]->data, kBinary);
  EXPECT_FALSE((*recs)[2].has_value());

  auto tallies = store_->ReadTallies(kM, {CohortTallyKey(kM, "c1"), CohortTallyKey(kM, "none")});
  ASSERT_TRUE(tallies.ok()) << tallies.status();
  ASSERT_EQ(tallies->size(), 2u);
  EXPECT_EQ((*tallies)[0].size(), 2u);  // the zero delta is not written
  EXPECT_EQ((*tallies)[0].at("participants"), 1);
  EXPECT_EQ((*tallies)[0].at("attendance_rate_sum"), 0.75);
  EXPECT_TRUE((*tallies)[1].empty());

  auto months = store_->ReadFunnelMonths(kM, {"2027-02", "2027-03"});
  ASSERT_TRUE(months.ok()) << months.status();
  ASSERT_EQ(months->size(), 2u);
  EXPECT_TRUE((*months)[0].empty());
  EXPECT_EQ((*months)[1].at("received"), 2);

  auto range = store_->IndexRange(kM, ProgramCohortsKey(kM, "p1"), 20400, 20500);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(*range, (std::vector<std::string>{"c0", "c1"}));
  auto all = store_->IndexRange(kM, ProgramCohortsKey(kM, "p1"), -INFINITY, INFINITY);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, (std::vector<std::string>{"c0", "c1", "c9"}));

  auto h = store_->HashGet(kM, SessionsKey(kM), "s1");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, std::optional<std::string>("c1"));
  auto h2 = store_->HashGet(kM, SessionsKey(kM), "s2");
  ASSERT_TRUE(h2.ok()) << h2.status();
  EXPECT_FALSE(h2->has_value());

  auto entries = store_->outbox().Read(kM, 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].event_id, "e1");
  EXPECT_EQ((*entries)[0].subject, "kpr.outcomes.v1.a.0165");
  EXPECT_EQ((*entries)[1].event_id, "e2");
  common::v1::Event decoded;
  ASSERT_TRUE(decoded.ParseFromString((*entries)[1].data));
  EXPECT_EQ(decoded.id(), "e2");
  EXPECT_EQ(decoded.type(), "kpr.outcomes.v1.AttendanceRecorded");

  auto timer = store_->timers().Get(kM, "due:r1:BASELINE");
  ASSERT_TRUE(timer.ok()) << timer.status();
  ASSERT_TRUE(timer->has_value());
  EXPECT_EQ((*timer)->due, due);
  EXPECT_EQ((*timer)->payload, kBinary);

  // Relay and timer workers can find the municipality.
  auto ms = store_->outbox().Municipalities();
  ASSERT_TRUE(ms.ok()) << ms.status();
  EXPECT_EQ(*ms, std::vector<std::string>{kM});
  auto tm = pool_->Command({"SISMEMBER", timer::TimerIndexKey(kOutcomesService), kM});
  ASSERT_TRUE(tm.ok());
  EXPECT_EQ(tm->integer(), 1);

  // The processed marker expires after 14 days.
  const std::string processed = store::Key(kM, kOutcomesService, "processed:in-1");
  auto ttl = pool_->Command({"TTL", processed});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GT(ttl->integer(), 14 * 86400 - 60);
  EXPECT_LE(ttl->integer(), 14 * 86400);

  // A follow-up write with the version read succeeds and bumps it.
  Change next;
  next.writes.push_back({CohortKey(kM, "c1"), 1, "cohort-2"});
  ASSERT_TRUE(store_->Commit(kM, next).ok());
  auto c1 = ReadOne(CohortKey(kM, "c1"));
  ASSERT_TRUE(c1.has_value());
  EXPECT_EQ(c1->version, 2);
  EXPECT_EQ(c1->data, "cohort-2");
}

TEST_F(OutcomesStoreTest, VersionConflictWritesNothing) {
  const std::string a = CohortKey(kM, "a"), b = ParticipantKey(kM, "b");
  Bump(a, 1);
  Bump(b, 4);
  Change seed;
  seed.tallies.push_back({CohortTallyKey(kM, "a"), {{"participants", 5}}});
  seed.events.push_back(bus::OutboxEvent::From(Ev("seed"), Subject("seed")));
  ASSERT_TRUE(store_->Commit(kM, seed).ok());

  Change c;
  c.writes.push_back({a, 1, "a-new"});  // would be fine on its own
  c.writes.push_back({b, 3, "b-new"});  // stale: b is at 4
  c.tallies.push_back({CohortTallyKey(kM, "a"), {{"participants", 1}, {"completed", 1}}});
  c.index.push_back({ProgramCohortsKey(kM, "p"), "a", 1});
  c.hash_sets.push_back({SessionsKey(kM), "s", "a"});
  c.events.push_back(bus::OutboxEvent::From(Ev("x1"), Subject("x")));
  c.timers.push_back({kM, "t1", absl::Now() + absl::Hours(1), "p"});
  c.applied_event_id = "in-conflict";

  auto r = store_->Commit(kM, c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(), absl::StrCat("version conflict on ", b, ": expected 3, found 4"));

  auto ra = ReadOne(a);
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(ra->version, 1);
  EXPECT_EQ(ra->data, "v1");
  auto rb = ReadOne(b);
  ASSERT_TRUE(rb.has_value());
  EXPECT_EQ(rb->version, 4);
  EXPECT_EQ(rb->data, "v4");
  auto t = Tally(CohortTallyKey(kM, "a"));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t["participants"], 5);
  EXPECT_EQ(OutboxLength(), 1);
  EXPECT_FALSE(Exists(ProgramCohortsKey(kM, "p")));
  EXPECT_FALSE(Exists(SessionsKey(kM)));
  EXPECT_FALSE(Exists(timer::TimersKey(kM, kOutcomesService)));
  EXPECT_FALSE(Exists(store::Key(kM, kOutcomesService, "processed:in-conflict")));

  // With the right version the same change (same event id) applies: nothing was marked.
  c.writes[1].expected_version = 4;
  auto again = store_->Commit(kM, c);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, CommitResult::kApplied);
  EXPECT_EQ(ReadOne(b)->version, 5);
  EXPECT_EQ(Tally(CohortTallyKey(kM, "a"))["participants"], 6);
  EXPECT_EQ(OutboxLength(), 2);
}

TEST_F(OutcomesStoreTest, ExpectedZeroOnExistingKeyIsAborted) {
  const std::string k = CohortKey(kM, "c1");
  Bump(k, 1);
  Change c;
  c.writes.push_back({k, 0, "again"});
  c.tallies.push_back({CohortTallyKey(kM, "c1"), {{"participants", 1}}});
  auto r = store_->Commit(kM, c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(), absl::StrCat("version conflict on ", k, ": expected 0, found 1"));
  EXPECT_EQ(ReadOne(k)->data, "v1");
  EXPECT_TRUE(Tally(CohortTallyKey(kM, "c1")).empty());
}

TEST_F(OutcomesStoreTest, ExpectedVersionOnMissingKeyIsAborted) {
  const std::string k = CohortKey(kM, "nobody");
  Change c;
  c.writes.push_back({k, 2, "x"});
  auto r = store_->Commit(kM, c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(), absl::StrCat("version conflict on ", k, ": expected 2, found 0"));
  EXPECT_FALSE(Exists(k));
}

TEST_F(OutcomesStoreTest, AppliedEventIsAppliedOnce) {
  Change c;
  c.writes.push_back({AttendanceKey(kM, "s1"), 0, kBinary});
  c.tallies.push_back({CohortTallyKey(kM, "c1"), {{"participants", 1}}});
  c.events.push_back(bus::OutboxEvent::From(Ev("out-1"), Subject("attendance_recorded")));
  c.applied_event_id = "in-1";
  auto first = store_->Commit(kM, c);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, CommitResult::kApplied);
  // The redelivery carries the same (now stale) expected version: the marker wins, no ABORTED.
  auto second = store_->Commit(kM, c);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, CommitResult::kAlreadyApplied);

  EXPECT_EQ(Tally(CohortTallyKey(kM, "c1"))["participants"], 1);
  EXPECT_EQ(OutboxLength(), 1);
  EXPECT_EQ(ReadOne(AttendanceKey(kM, "s1"))->version, 1);

  // Another event id applies.
  c.writes.clear();
  c.applied_event_id = "in-2";
  auto third = store_->Commit(kM, c);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(*third, CommitResult::kApplied);
  EXPECT_EQ(Tally(CohortTallyKey(kM, "c1"))["participants"], 2);
}

TEST_F(OutcomesStoreTest, FractionalTallyDeltasAddUp) {
  const std::string k = CohortTallyKey(kM, "c1");
  for (int i = 0; i < 10; ++i) {
    Change c;
    c.tallies.push_back({k, {{"attendance_rate_sum", 0.1}, {"exact", 0.25}}});
    ASSERT_TRUE(store_->Commit(kM, c).ok());
  }
  Change c;
  c.tallies.push_back({k, {{"exact", -0.125}, {"who5_change_sumsq", 1.0 / 3}}});
  ASSERT_TRUE(store_->Commit(kM, c).ok());
  auto t = Tally(k);
  EXPECT_NEAR(t["attendance_rate_sum"], 1.0, 1e-12);
  EXPECT_EQ(t["exact"], 2.375);
  EXPECT_NEAR(t["who5_change_sumsq"], 1.0 / 3, 1e-15);
}

TEST_F(OutcomesStoreTest, ConcurrentReadModifyWriteLosesNothing) {
  const std::string k = CohortKey(kM, "hot");
  const std::string tally = CohortTallyKey(kM, "hot");
  Bump(k, 1);  // version 1, data "v1"
  constexpr int kThreads = 8, kCommits = 50;
  std::atomic<int> aborted{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        while (true) {
          auto read = store_->Read(kM, {k});
          if (!read.ok() || !(*read)[0].has_value()) {
            ++failed;
            return;
          }
          const StoredRecord& rec = *(*read)[0];
          Change c;
          c.writes.push_back({k, rec.version, absl::StrCat("by ", t, " after ", rec.data)});
          c.tallies.push_back({tally, {{"participants", 1}}});
          c.events.push_back(
              bus::OutboxEvent::From(Ev(absl::StrCat("e", t, "-", i)), Subject("x")));
          c.applied_event_id = absl::StrCat("in-", t, "-", i);
          auto r = store_->Commit(kM, c);
          if (r.ok() && *r == CommitResult::kApplied) break;
          if (!r.ok() && r.status().code() == absl::StatusCode::kAborted) {
            ++aborted;
            continue;
          }
          ++failed;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  auto rec = ReadOne(k);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->version, 1 + kThreads * kCommits);
  EXPECT_EQ(Tally(tally)["participants"], kThreads * kCommits);
  EXPECT_EQ(OutboxLength(), kThreads * kCommits);
  // Not an assertion on timing, only that the check was exercised.
  std::printf("concurrent commits: %d version conflicts retried\n", aborted.load());
}

TEST_F(OutcomesStoreTest, InvalidArguments) {
  auto code = [&](absl::string_view m, const Change& c) {
    auto r = store_->Commit(m, c);
    return r.ok() ? absl::StatusCode::kOk : r.status().code();
  };
  Change ok;
  ok.writes.push_back({CohortKey(kM, "c"), 0, "x"});
  EXPECT_EQ(code("165", ok), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code("01a5", ok), absl::StatusCode::kInvalidArgument);

  Change other_m;
  other_m.writes.push_back({CohortKey("0101", "c"), 0, "x"});
  EXPECT_EQ(code(kM, other_m), absl::StatusCode::kInvalidArgument);

  Change twice;
  twice.writes.push_back({CohortKey(kM, "c"), 0, "x"});
  twice.writes.push_back({CohortKey(kM, "c"), 1, "y"});
  EXPECT_EQ(code(kM, twice), absl::StatusCode::kInvalidArgument);

  Change nan_delta;
  nan_delta.tallies.push_back({CohortTallyKey(kM, "c"), {{"f", NAN}}});
  EXPECT_EQ(code(kM, nan_delta), absl::StatusCode::kInvalidArgument);

  Change bad_timer;
  bad_timer.timers.push_back({kM, "", absl::Now(), ""});
  EXPECT_EQ(code(kM, bad_timer), absl::StatusCode::kInvalidArgument);
  bad_timer.timers = {{kM, "t", absl::InfiniteFuture(), ""}};
  EXPECT_EQ(code(kM, bad_timer), absl::StatusCode::kInvalidArgument);
  bad_timer.timers = {{"0101", "t", absl::Now(), ""}};
  EXPECT_EQ(code(kM, bad_timer), absl::StatusCode::kInvalidArgument);

  Change no_id;
  no_id.events.push_back(bus::OutboxEvent::From(Ev(""), Subject("x")));
  EXPECT_EQ(code(kM, no_id), absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(store_->Read(kM, {CohortKey("0101", "c")}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ReadFunnelMonths(kM, {"2027-13"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Nothing of the refused changes reached Redis.
  auto keys = pool_->Command({"KEYS", "*"});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 0u);
}

TEST_F(OutcomesStoreTest, RedisDownIsUnavailable) {
  Bump(CohortKey(kM, "c"), 1);
  testing::Servers::Redis().Stop();
  Change c;
  c.writes.push_back({CohortKey(kM, "c"), 1, "x"});
  c.events.push_back(bus::OutboxEvent::From(Ev("e1"), Subject("x")));
  auto r = store_->Commit(kM, c);
  auto read = store_->Read(kM, {CohortKey(kM, "c")});
  auto tallies = store_->ReadTallies(kM, {CohortTallyKey(kM, "c")});
  auto hash = store_->HashGet(kM, SessionsKey(kM), "s");
  ASSERT_TRUE(testing::Servers::Redis().Start().ok());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(tallies.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(hash.status().code(), absl::StatusCode::kUnavailable);

  // Back up: the store recovers by itself (the script is reloaded on NOSCRIPT).
  auto after = store_->Commit(kM, c);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(ReadOne(CohortKey(kM, "c"))->version, 2);
}

}  // namespace
}  // namespace kpr::outcomes
