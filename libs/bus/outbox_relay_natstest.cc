#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/bus/outbox_relay.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"
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
      if (id != nullptr) EXPECT_TRUE(ids.insert(id).second) << "published twice: " << id;
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

}  // namespace
}  // namespace kpr::bus
