#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "libs/bus/consumer.h"
#include "libs/bus/nats_testing.h"
#include "tests/harness/servers.h"

namespace kpr::bus {
namespace {

using kpr::bus::testing::Messages;
using kpr::bus::testing::MustConnect;
using kpr::testing::Servers;

constexpr char kStream[] = "KPR_REFERRAL";

// What the handlers saw, by msg id.
class Seen {
 public:
  void Add(const std::string& id) {
    absl::MutexLock lock(&mu_);
    ++counts_[id];
  }
  size_t distinct() {
    absl::MutexLock lock(&mu_);
    return counts_.size();
  }
  int max_count() {
    absl::MutexLock lock(&mu_);
    int m = 0;
    for (const auto& [id, c] : counts_) m = std::max(m, c);
    return m;
  }
  bool WaitFor(size_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto done = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return counts_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> counts_ ABSL_GUARDED_BY(mu_);
};

jsConsumerInfo* Info(JetStream& js, const std::string& durable) {
  jsConsumerInfo* ci = nullptr;
  EXPECT_EQ(js_GetConsumerInfo(&ci, js.context(), kStream, durable.c_str(), nullptr, nullptr),
            NATS_OK);
  return ci;
}

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::DeleteAllStreams().ok());
    js_ = MustConnect("consumer-test");
    ASSERT_TRUE(js_->EnsureStreams(KprStreams(1)).ok());
  }
  std::unique_ptr<JetStream> js_;
};

TEST_F(ConsumerTest, TwoReplicasShareTheWorkExactlyOnce) {
  auto js2 = MustConnect("consumer-test-2");
  Seen seen;
  std::atomic<int> a{0}, b{0};
  auto handler = [&seen](std::atomic<int>& count) {
    return [&seen, &count](const std::vector<Delivery>& batch) {
      for (const auto& d : batch) {
        EXPECT_EQ(d.delivery_count, 1u);
        EXPECT_GT(d.stream_sequence, 0u);
        seen.Add(d.msg_id);
      }
      count += static_cast<int>(batch.size());
      return std::vector<Outcome>(batch.size(), Ack());
    };
  };
  ConsumerSpec spec{.stream = kStream, .durable = "share"};
  auto c1 = Consumer::Start(*js_, spec, handler(a));
  ASSERT_TRUE(c1.ok()) << c1.status();
  auto c2 = Consumer::Start(*js2, spec, handler(b));
  ASSERT_TRUE(c2.ok()) << c2.status();
  EXPECT_TRUE((*c1)->subscribed());
  EXPECT_TRUE((*c2)->subscribed());
  // Both replicas are in the deliver group before anything is published, so neither can drain
  // the stream before the other has joined.
  ASSERT_TRUE(js_->PublishBatch(Messages(5000, "m-")).ok());
  ASSERT_TRUE(seen.WaitFor(5000, absl::Seconds(30)));
  absl::SleepFor(absl::Seconds(1));  // anything delivered twice would show up now
  EXPECT_EQ(seen.distinct(), 5000u);
  EXPECT_EQ(seen.max_count(), 1);
  EXPECT_EQ(a + b, 5000);
  EXPECT_GT(a.load(), 0);
  EXPECT_GT(b.load(), 0);
  (*c1)->Stop();
  (*c2)->Stop();
  jsConsumerInfo* ci = Info(*js_, "share");
  ASSERT_NE(ci, nullptr);
  EXPECT_EQ(ci->Delivered.Consumer, 5000u);  // no redelivery
  EXPECT_EQ(ci->AckFloor.Stream, 5000u);     // all acked
  EXPECT_EQ(ci->NumAckPending, 0);
  EXPECT_STREQ(ci->Config->DeliverGroup, "share");
  jsConsumerInfo_Destroy(ci);
}

TEST_F(ConsumerTest, RetryRedeliversAfterTheDelay) {
  ASSERT_TRUE(js_->Publish({"kpr.referral.v1.accepted.0165", "x", "r-1"}).ok());
  absl::Mutex mu;
  std::vector<std::pair<uint64_t, absl::Time>> calls;
  auto c = Consumer::Start(
      *js_, {.stream = kStream, .durable = "retry"}, [&](const std::vector<Delivery>& batch) {
        absl::MutexLock lock(&mu);
        std::vector<Outcome> out;
        for (const auto& d : batch) {
          EXPECT_EQ(d.msg_id, "r-1");
          calls.emplace_back(d.delivery_count, absl::Now());
          out.push_back(d.delivery_count == 1 ? Retry(absl::Milliseconds(700), "dependency")
                                              : Ack());
        }
        return out;
      });
  ASSERT_TRUE(c.ok()) << c.status();
  {
    absl::MutexLock lock(&mu);
    auto two = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return calls.size() >= 2; };
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&two), absl::Seconds(10)));
    EXPECT_EQ(calls[0].first, 1u);
    EXPECT_EQ(calls[1].first, 2u);
    EXPECT_GE(calls[1].second - calls[0].second, absl::Milliseconds(600));
  }
  absl::SleepFor(absl::Seconds(1));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(calls.size(), 2u);
}

TEST_F(ConsumerTest, HandlerExceptionAndWrongSizeAreRetries) {
  ASSERT_TRUE(js_->PublishBatch(Messages(3, "e-")).ok());
  std::atomic<int> calls{0};
  Seen acked;
  auto c = Consumer::Start(*js_, {.stream = kStream, .durable = "exc"},
                           [&](const std::vector<Delivery>& batch) -> std::vector<Outcome> {
                             int n = calls++;
                             if (n == 0) throw std::runtime_error("boom");
                             if (n == 1) return {};  // wrong size
                             for (const auto& d : batch) acked.Add(d.msg_id);
                             return std::vector<Outcome>(batch.size(), Ack());
                           });
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(acked.WaitFor(3, absl::Seconds(15)));
  EXPECT_GE(calls.load(), 3);
}

TEST_F(ConsumerTest, DeadLetterGoesToDlqAndIsNotRedelivered) {
  ASSERT_TRUE(js_->Publish({"kpr.referral.v1.accepted.0165", "hello", "orig-1"}).ok());
  std::atomic<int> calls{0};
  ConsumerSpec spec{.stream = kStream, .durable = "dl", .ack_wait = absl::Seconds(1)};
  spec.seal_dead_letter = [](absl::string_view data) { return absl::StrCat("sealed(", data, ")"); };
  auto c = Consumer::Start(*js_, spec, [&](const std::vector<Delivery>& batch) {
    calls += static_cast<int>(batch.size());
    return std::vector<Outcome>(batch.size(), DeadLetter("undecodable payload"));
  });
  ASSERT_TRUE(c.ok());
  natsMsg* m = nullptr;
  for (int i = 0; i < 100 && m == nullptr; ++i) {
    if (js_GetLastMsg(&m, js_->context(), "KPR_DLQ", "kpr.dlq.KPR_REFERRAL.dl", nullptr, nullptr) !=
        NATS_OK) {
      m = nullptr;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  ASSERT_NE(m, nullptr);
  kpr::common::v1::DeadLetter dl;
  ASSERT_TRUE(dl.ParseFromArray(natsMsg_GetData(m), natsMsg_GetDataLength(m)));
  const char* id = nullptr;
  ASSERT_EQ(natsMsgHeader_Get(m, "Nats-Msg-Id", &id), NATS_OK);
  EXPECT_STREQ(id, "KPR_REFERRAL-dl-1");
  natsMsg_Destroy(m);
  EXPECT_EQ(dl.reason(), "undecodable payload");
  EXPECT_EQ(dl.original_subject(), "kpr.referral.v1.accepted.0165");
  EXPECT_EQ(dl.original_stream(), "KPR_REFERRAL");
  EXPECT_EQ(dl.original_sequence(), 1u);
  EXPECT_EQ(dl.consumer(), "dl");
  EXPECT_EQ(dl.sealed_data(), "sealed(hello)");
  EXPECT_EQ(dl.data_sha256(), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(dl.original_msg_id(), "orig-1");
  EXPECT_GT(dl.dead_at().seconds(), 0);
  absl::SleepFor(absl::Milliseconds(2500));  // > ack_wait: an unacked message would be back
  EXPECT_EQ(calls.load(), 1);
  jsConsumerInfo* ci = Info(*js_, "dl");
  ASSERT_NE(ci, nullptr);
  EXPECT_EQ(ci->NumAckPending, 0);
  EXPECT_EQ(ci->AckFloor.Stream, 1u);
  jsConsumerInfo_Destroy(ci);
}

TEST_F(ConsumerTest, SurvivesNatsRestart) {
  const int kN = 3000;
  ASSERT_TRUE(js_->PublishBatch(Messages(kN, "n-")).ok());
  Seen seen;
  auto c = Consumer::Start(*js_,
                           // Few unacked at a time, so the server must deliver most of the
                           // stream after the restart.
                           {.stream = kStream,
                            .durable = "restart",
                            .max_ack_pending = 100,
                            .ack_wait = absl::Seconds(2),
                            .max_batch = 50},
                           [&](const std::vector<Delivery>& batch) {
                             absl::SleepFor(absl::Milliseconds(10));  // keep it mid-stream
                             for (const auto& d : batch) seen.Add(d.msg_id);
                             return std::vector<Outcome>(batch.size(), Ack());
                           });
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(seen.WaitFor(300, absl::Seconds(10)));
  Servers::Nats().Stop();
  const size_t before_restart = seen.distinct();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_LT(seen.distinct(), static_cast<size_t>(kN) / 2);  // nothing new while it is down
  ASSERT_TRUE(Servers::Nats().Start().ok());
  EXPECT_LT(before_restart, static_cast<size_t>(kN) / 2);
  EXPECT_TRUE(seen.WaitFor(kN, absl::Seconds(60))) << seen.distinct();
  EXPECT_EQ(seen.distinct(), static_cast<size_t>(kN));
}

TEST_F(ConsumerTest, StopWithMessagesInFlightLosesNothing) {
  const int kN = 1000;
  ASSERT_TRUE(js_->PublishBatch(Messages(kN, "s-")).ok());
  Seen seen;
  // ack_wait long: only naks (not redelivery timers) can hand the rest over in time.
  ConsumerSpec spec{
      .stream = kStream, .durable = "stop", .ack_wait = absl::Seconds(60), .max_batch = 20};
  std::atomic<int> first{0};
  auto a = Consumer::Start(*js_, spec, [&](const std::vector<Delivery>& batch) {
    absl::SleepFor(absl::Milliseconds(20));
    for (const auto& d : batch) seen.Add(d.msg_id);
    first += static_cast<int>(batch.size());
    return std::vector<Outcome>(batch.size(), Ack());
  });
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(seen.WaitFor(100, absl::Seconds(10)));
  (*a)->Stop();
  (*a)->Stop();  // idempotent
  const int handled_by_a = first.load();
  EXPECT_LT(handled_by_a, kN);
  auto b = Consumer::Start(*js_, spec, [&](const std::vector<Delivery>& batch) {
    for (const auto& d : batch) seen.Add(d.msg_id);
    return std::vector<Outcome>(batch.size(), Ack());
  });
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(seen.WaitFor(kN, absl::Seconds(15))) << seen.distinct();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(seen.max_count(), 1);  // what A acked was not delivered again
}

// A replica told to stop while NATS is down (a pod evicted during an outage) must still exit
// within its drain deadline (15 s for all its consumers): its unacked messages come again after
// the ack wait whatever it does, and nothing can be flushed to a server that is not there.
TEST_F(ConsumerTest, StopsPromptlyWhileNatsIsDown) {
  ASSERT_TRUE(js_->PublishBatch(Messages(200, "d-")).ok());
  Seen seen;
  auto c = Consumer::Start(*js_, {.stream = kStream, .durable = "down", .max_batch = 20},
                           [&](const std::vector<Delivery>& batch) {
                             for (const auto& d : batch) seen.Add(d.msg_id);
                             return std::vector<Outcome>(batch.size(), Ack());
                           });
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(seen.WaitFor(200, absl::Seconds(10)));
  Servers::Nats().Stop();
  for (absl::Time end = absl::Now() + absl::Seconds(10); js_->connected() && absl::Now() < end;) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_FALSE(js_->connected());
  const absl::Time start = absl::Now();
  (*c)->Stop();
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(Servers::Nats().Start().ok());
  EXPECT_LT(took, absl::Seconds(2)) << "Stop() took " << took;
}

TEST(ConsumerLateNatsTest, StartsBeforeNats) {
  ASSERT_TRUE(kpr::testing::DeleteAllStreams().ok());
  Servers::Nats().Stop();
  auto js = MustConnect("late");
  Seen seen;
  auto c = Consumer::Start(*js, {.stream = kStream, .durable = "late"},
                           [&](const std::vector<Delivery>& batch) {
                             for (const auto& d : batch) seen.Add(d.msg_id);
                             return std::vector<Outcome>(batch.size(), Ack());
                           });
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE((*c)->subscribed());
  ASSERT_TRUE(Servers::Nats().Start().ok());
  absl::Status st;
  for (int i = 0; i < 100; ++i) {
    st = js->EnsureStreams(KprStreams(1));
    if (st.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_TRUE(js->PublishBatch(Messages(10, "late-")).ok());
  EXPECT_TRUE(seen.WaitFor(10, absl::Seconds(15)));
  EXPECT_TRUE((*c)->subscribed());
}

TEST(ConsumerSpecTest, RejectsMissingFields) {
  auto js = MustConnect("spec");
  EXPECT_EQ(
      Consumer::Start(*js, {.stream = kStream},
                      [](const std::vector<Delivery>& b) { return std::vector<Outcome>(b.size()); })
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kpr::bus
