#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/bus/outbox_relay.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"
#include "tests/harness/redis_stats.h"
#include "tests/harness/servers.h"

namespace kpr::bus {
namespace {

using kpr::testing::Servers;

constexpr char kService[] = "relaytest";

class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::DeleteAllStreams().ok());
    ASSERT_TRUE(kpr::testing::FlushRedis().ok());
    auto opts = store::RedisOptionsFromUrl(Servers::Redis().url());
    ASSERT_TRUE(opts.ok());
    pool_ = std::make_unique<store::RedisPool>(*opts);
    outbox_ = std::make_unique<store::Outbox>(*pool_, kService);
    auto js = JetStream::Connect({Servers::Nats().url(), "relay-test", false});
    ASSERT_TRUE(js.ok());
    js_ = std::move(js).value();
    ASSERT_TRUE(js_->EnsureStreams(KprStreams(1)).ok());
  }

  // What a service script does: XADD to the municipality's outbox.
  void Append(const std::string& m, const std::string& id) {
    ASSERT_TRUE(outbox_->Register(m).ok());
    auto r = pool_->Command({"XADD", store::OutboxKey(m, kService), "*", "id", id, "subject",
                             absl::StrCat("kpr.referral.v1.accepted.", m), "data",
                             absl::StrCat("event ", id, std::string("\0\x01", 2))});
    ASSERT_TRUE(r.ok()) << r.status();
  }

  int64_t OutboxLength(const std::string& m) {
    auto n = outbox_->Length(m);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  // Every message of KPR_REFERRAL by Nats-Msg-Id; fails on a repeated id.
  absl::flat_hash_set<std::string> StreamIds() {
    absl::flat_hash_set<std::string> ids;
    for (std::string& id : StreamOrder()) {
      EXPECT_TRUE(ids.insert(id).second) << "published twice: " << id;
    }
    return ids;
  }

  // The Nats-Msg-Ids of KPR_REFERRAL in stream order.
  std::vector<std::string> StreamOrder() {
    std::vector<std::string> ids;
    jsStreamInfo* si = nullptr;
    EXPECT_EQ(js_GetStreamInfo(&si, js_->context(), "KPR_REFERRAL", nullptr, nullptr), NATS_OK);
    if (si == nullptr) return ids;
    const uint64_t last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    for (uint64_t seq = 1; seq <= last; ++seq) {
      natsMsg* m = nullptr;
      if (js_GetMsg(&m, js_->context(), "KPR_REFERRAL", seq, nullptr, nullptr) != NATS_OK) {
        continue;
      }
      const char* id = nullptr;
      EXPECT_EQ(natsMsgHeader_Get(m, "Nats-Msg-Id", &id), NATS_OK);
      if (id != nullptr) ids.push_back(id);
      natsMsg_Destroy(m);
    }
    return ids;
  }

  bool WaitEmpty(const std::vector<std::string>& ms, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      bool empty = true;
      for (const auto& m : ms) empty = empty && OutboxLength(m) == 0;
      if (empty) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<store::Outbox> outbox_;
  std::unique_ptr<JetStream> js_;
};

TEST_F(OutboxRelayTest, PublishesEverythingExactlyOnceAndEmptiesTheOutbox) {
  for (int i = 0; i < 700; ++i) Append("0165", absl::StrCat("a-", i));
  for (int i = 0; i < 500; ++i) Append("0101", absl::StrCat("b-", i));
  // A previous relay crashed after publishing these but before removing them.
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(js_->Publish({"kpr.referral.v1.accepted.0165", "x", absl::StrCat("a-", i)}).ok());
  }
  OutboxRelay relay(*outbox_, *js_, {.batch = 256});
  relay.Start();
  relay.Notify();
  ASSERT_TRUE(WaitEmpty({"0165", "0101"}, absl::Seconds(20)));
  EXPECT_EQ(relay.published(), 1200u);
  auto ids = StreamIds();
  EXPECT_EQ(ids.size(), 1200u);
  for (int i = 0; i < 700; ++i) EXPECT_TRUE(ids.contains(absl::StrCat("a-", i)));
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(ids.contains(absl::StrCat("b-", i)));

  // Later writes go out promptly after Notify().
  Append("0101", "late-1");
  relay.Notify();
  ASSERT_TRUE(WaitEmpty({"0101"}, absl::Seconds(5)));
  relay.Stop();
  EXPECT_EQ(StreamIds().size(), 1201u);
}

TEST_F(OutboxRelayTest, FlushOnceReportsCount) {
  OutboxRelay relay(*outbox_, *js_, {.batch = 10});
  auto none = relay.FlushOnce();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  for (int i = 0; i < 15; ++i) Append("0165", absl::StrCat("f-", i));
  auto n = relay.FlushOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 10);
  EXPECT_EQ(OutboxLength("0165"), 5);
  n = relay.FlushOnce();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);
  EXPECT_EQ(OutboxLength("0165"), 0);
  EXPECT_EQ(StreamIds().size(), 15u);
}

// Entries holding several events (outbox_append_many): a pass publishes about `batch` events,
// cut at an entry's end, not `batch` entries' worth of events.
TEST_F(OutboxRelayTest, PackedEntriesDrainInPassesOfAboutBatchEvents) {
  ASSERT_TRUE(outbox_->Register("0165").ok());
  for (int entry = 0; entry < 4; ++entry) {
    std::vector<std::string> xadd = {"XADD", store::OutboxKey("0165", kService), "*"};
    for (int k = 0; k < 8; ++k) {
      const std::string id = absl::StrCat("p-", entry, "-", k);
      for (const std::string& field : {std::string("id"), id, std::string("subject"),
                                       std::string("kpr.referral.v1.received.0165"),
                                       std::string("data"), absl::StrCat("event ", id)}) {
        xadd.push_back(field);
      }
    }
    ASSERT_TRUE(pool_->Command(xadd).ok());
  }
  OutboxRelay relay(*outbox_, *js_, {.batch = 10});
  auto n = relay.FlushOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 16);  // 10 events reach into the second entry, which goes out whole
  EXPECT_EQ(OutboxLength("0165"), 2);
  n = relay.FlushOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 16);
  EXPECT_EQ(OutboxLength("0165"), 0);
  auto ids = StreamIds();
  EXPECT_EQ(ids.size(), 32u);
  for (int entry = 0; entry < 4; ++entry) {
    for (int k = 0; k < 8; ++k) EXPECT_TRUE(ids.contains(absl::StrCat("p-", entry, "-", k)));
  }
}

TEST_F(OutboxRelayTest, KeepsEntriesWhileNatsIsDownAndSendsThemAfter) {
  OutboxRelay relay(*outbox_, *js_, {});
  relay.Start();
  Servers::Nats().Stop();
  for (int i = 0; i < 50; ++i) Append("0165", absl::StrCat("d-", i));
  relay.Notify();
  EXPECT_EQ(relay.FlushOnce().status().code(), absl::StatusCode::kUnavailable);
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(OutboxLength("0165"), 50);
  EXPECT_EQ(relay.published(), 0u);
  ASSERT_TRUE(Servers::Nats().Start().ok());
  ASSERT_TRUE(WaitEmpty({"0165"}, absl::Seconds(20)));
  relay.Stop();
  EXPECT_EQ(StreamIds().size(), 50u);
  EXPECT_EQ(relay.published(), 50u);
}

TEST_F(OutboxRelayTest, KeepsEntriesWhileRedisIsDown) {
  OutboxRelay relay(*outbox_, *js_, {});
  for (int i = 0; i < 20; ++i) Append("0165", absl::StrCat("r-", i));
  Servers::Redis().Stop();
  EXPECT_FALSE(relay.FlushOnce().ok());
  relay.Start();
  absl::SleepFor(absl::Milliseconds(500));
  ASSERT_TRUE(Servers::Redis().Start().ok());
  ASSERT_TRUE(WaitEmpty({"0165"}, absl::Seconds(20)));
  relay.Stop();
  EXPECT_EQ(StreamIds().size(), 20u);
}

TEST_F(OutboxRelayTest, StopFlushesWhatIsLeft) {
  OutboxRelay relay(*outbox_, *js_, {.poll_interval = absl::Hours(1)});
  relay.Start();
  absl::SleepFor(absl::Milliseconds(100));  // the thread is now asleep for an hour
  for (int i = 0; i < 30; ++i) Append("0101", absl::StrCat("s-", i));
  relay.Stop(absl::Seconds(5));
  EXPECT_EQ(OutboxLength("0101"), 0);
  EXPECT_EQ(StreamIds().size(), 30u);
}

// XRANGE calls the Redis server has answered so far.
int64_t XRangeCalls() {
  auto calls = kpr::testing::RedisCommandCalls("xrange");
  EXPECT_TRUE(calls.ok()) << calls.status();
  return calls.ok() ? *calls : -1;
}

std::vector<std::string> TenMunicipalities() {
  std::vector<std::string> ms;
  for (int i = 0; i < 10; ++i) ms.push_back(absl::StrCat("0", 101 + i));
  return ms;
}

// Idle municipalities are read after a backoff that doubles up to max_idle_backoff (1 s), not on
// every 100 ms pass: ten idle ones cost about 60 XRANGE in 3 s instead of 300. A write is still
// published promptly when notified, and within the backoff when not.
TEST_F(OutboxRelayTest, DoesNotReadIdleMunicipalitiesOnEveryPass) {
  const auto ms = TenMunicipalities();
  for (const auto& m : ms) ASSERT_TRUE(outbox_->Register(m).ok());
  OutboxRelay relay(*outbox_, *js_, {});
  const int64_t before = XRangeCalls();
  relay.Start();
  absl::SleepFor(absl::Seconds(3));
  const int64_t idle_reads = XRangeCalls() - before;
  EXPECT_EQ(static_cast<int64_t>(relay.reads()), idle_reads);
  EXPECT_GE(idle_reads, 10 * 5);  // 0, .1, .3, .7, 1.5 and 2.5 s (give or take a pass)
  EXPECT_LE(idle_reads, 10 * 8);  // one per pass would be 10 * 30
  EXPECT_EQ(relay.leases_held(), 10);

  // Every municipality now waits 1 s between reads. Notified: out in well under that.
  Append("0105", "notified-1");
  absl::Time written = absl::Now();
  relay.Notify("0105");
  ASSERT_TRUE(WaitEmpty({"0105"}, absl::Seconds(5)));
  EXPECT_LT(absl::Now() - written, absl::Milliseconds(500));
  // Not notified: found within max_idle_backoff.
  absl::SleepFor(absl::Seconds(2));  // back to the longest backoff
  Append("0107", "unnotified-1");
  written = absl::Now();
  ASSERT_TRUE(WaitEmpty({"0107"}, absl::Seconds(5)));
  EXPECT_LT(absl::Now() - written, absl::Milliseconds(1300));
  relay.Stop();
  EXPECT_EQ(StreamIds().size(), 2u);
}

// Three replicas of a relay over ten municipalities written to all the time: each holds some
// leases and publishes its share; one dies and the others take its municipalities within the
// lease time; every event is published exactly once and in order per municipality.
TEST_F(OutboxRelayTest, ThreeReplicasShareTheMunicipalitiesAndTakeOverFromADeadOne) {
  const auto ms = TenMunicipalities();
  for (const auto& m : ms) ASSERT_TRUE(outbox_->Register(m).ok());
  const absl::Duration lease_ttl = absl::Milliseconds(1500);
  struct Replica {
    std::unique_ptr<store::RedisPool> pool;
    std::unique_ptr<store::Outbox> outbox;
    std::unique_ptr<JetStream> js;
    std::unique_ptr<OutboxRelay> relay;
  };
  std::vector<Replica> replicas(3);
  for (int i = 0; i < 3; ++i) {
    Replica& r = replicas[i];
    r.pool = std::make_unique<store::RedisPool>(pool_->options());
    r.outbox = std::make_unique<store::Outbox>(*r.pool, kService);
    auto js = JetStream::Connect({Servers::Nats().url(), absl::StrCat("relay-", i), false});
    ASSERT_TRUE(js.ok()) << js.status();
    r.js = std::move(js).value();
    r.relay = std::make_unique<OutboxRelay>(*r.outbox, *r.js,
                                            OutboxRelay::Options{.lease_ttl = lease_ttl});
  }
  for (Replica& r : replicas) r.relay->Start();

  // The writers: a round over all municipalities every 10 ms; each write notifies one of the
  // replicas in turn (as a service notifies its own process's relay), which mostly is not the
  // holder.
  std::atomic<bool> writing{true};
  std::atomic<int> rounds{0};
  std::thread writer([&] {
    store::RedisPool pool(pool_->options());
    while (writing.load()) {
      const int seq = rounds.load();
      for (const auto& m : ms) {
        auto r = pool.Command({"XADD", store::OutboxKey(m, kService), "*", "id",
                               absl::StrCat(m, "-", seq), "subject",
                               absl::StrCat("kpr.referral.v1.accepted.", m), "data", "x"});
        if (!r.ok()) ADD_FAILURE() << r.status();
        replicas[seq % 3].relay->Notify(m);
      }
      rounds.store(seq + 1);
      absl::SleepFor(absl::Milliseconds(10));
    }
  });

  // Shares settle within a few upkeeps (lease_ttl / 3 apart).
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  auto spread = [&] {
    int total = 0;
    for (Replica& r : replicas) {
      if (r.relay->leases_held() == 0) return false;
      total += r.relay->leases_held();
    }
    return total == 10;
  };
  while (!spread() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  ASSERT_TRUE(spread());
  absl::SleepFor(absl::Milliseconds(500));
  for (Replica& r : replicas) EXPECT_GT(r.relay->published(), 0u);

  // Replica 2 dies: the others hold all ten within the lease time (plus one upkeep).
  replicas[2].relay->Abandon();
  const absl::Time died = absl::Now();
  deadline = died + absl::Seconds(10);
  while (replicas[0].relay->leases_held() + replicas[1].relay->leases_held() < 10 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const absl::Duration takeover = absl::Now() - died;
  EXPECT_EQ(replicas[0].relay->leases_held() + replicas[1].relay->leases_held(), 10);
  EXPECT_LE(takeover, lease_ttl * 2) << takeover;
  absl::SleepFor(absl::Seconds(1));
  writing.store(false);
  writer.join();

  ASSERT_TRUE(WaitEmpty(ms, absl::Seconds(10)));
  const int written_rounds = rounds.load();
  const std::vector<std::string> order = StreamOrder();
  EXPECT_EQ(order.size(), static_cast<size_t>(written_rounds * 10));
  std::map<std::string, int> next;  // municipality -> next sequence number expected
  for (const std::string& id : order) {
    std::vector<std::string> parts = absl::StrSplit(id, '-');
    ASSERT_EQ(parts.size(), 2u) << id;
    int seq = -1;
    ASSERT_TRUE(absl::SimpleAtoi(parts[1], &seq)) << id;
    EXPECT_EQ(seq, next[parts[0]]) << "out of order or missing before " << id;
    next[parts[0]] = seq + 1;
  }
  for (const auto& m : ms) EXPECT_EQ(next[m], written_rounds) << m;
  for (Replica& r : replicas) r.relay->Stop();
}

}  // namespace
}  // namespace kpr::bus
