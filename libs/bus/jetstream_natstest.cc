#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/bus/jetstream.h"
#include "tests/harness/servers.h"

namespace kpr::bus {
namespace {

using kpr::testing::Servers;

std::unique_ptr<JetStream> MustConnect() {
  auto js = JetStream::Connect({Servers::Nats().url(), "bus-test", false});
  EXPECT_TRUE(js.ok()) << js.status();
  return std::move(js).value();
}

uint64_t StreamMsgs(JetStream& js, const std::string& stream) {
  jsStreamInfo* si = nullptr;
  natsStatus s = js_GetStreamInfo(&si, js.context(), stream.c_str(), nullptr, nullptr);
  EXPECT_EQ(s, NATS_OK);
  if (s != NATS_OK) return 0;
  uint64_t n = si->State.Msgs;
  jsStreamInfo_Destroy(si);
  return n;
}

class JetStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::DeleteAllStreams().ok());
    js_ = MustConnect();
  }
  std::unique_ptr<JetStream> js_;
};

TEST_F(JetStreamTest, EnsureStreamsTwiceIsFine) {
  ASSERT_TRUE(js_->connected());
  ASSERT_TRUE(js_->EnsureStreams(KprStreams(1)).ok());
  ASSERT_TRUE(js_->EnsureStreams(KprStreams(1)).ok());
  // A changed configuration is applied as an update.
  StreamSpec spec = KprStreams(1)[1];
  spec.max_age = absl::Hours(24 * 30);
  ASSERT_TRUE(js_->EnsureStream(spec).ok());
  jsStreamInfo* si = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&si, js_->context(), "KPR_REFERRAL", nullptr, nullptr), NATS_OK);
  EXPECT_EQ(si->Config->MaxAge, absl::ToInt64Nanoseconds(absl::Hours(24 * 30)));
  EXPECT_EQ(si->Config->Duplicates, absl::ToInt64Nanoseconds(absl::Hours(1)));
  EXPECT_EQ(si->Config->Storage, js_FileStorage);
  jsStreamInfo_Destroy(si);
  ASSERT_EQ(js_GetStreamInfo(&si, js_->context(), "KPR_INTAKE", nullptr, nullptr), NATS_OK);
  EXPECT_EQ(si->Config->Retention, js_WorkQueuePolicy);
  jsStreamInfo_Destroy(si);
}

TEST_F(JetStreamTest, SameMsgIdTwiceIsStoredOnce) {
  ASSERT_TRUE(js_->EnsureStreams(KprStreams(1)).ok());
  OutgoingMessage m{"kpr.referral.v1.accepted.0165", "payload", "ev-1"};
  ASSERT_TRUE(js_->Publish(m).ok());
  ASSERT_TRUE(js_->Publish(m).ok());
  EXPECT_EQ(StreamMsgs(*js_, "KPR_REFERRAL"), 1u);
  m.msg_id = "ev-2";
  ASSERT_TRUE(js_->Publish(m).ok());
  EXPECT_EQ(StreamMsgs(*js_, "KPR_REFERRAL"), 2u);
}

TEST_F(JetStreamTest, PublishWithoutStreamFails) {
  absl::Status st = js_->Publish({"kpr.nostream.v1.x.0165", "x", "id"}, absl::Seconds(1));
  EXPECT_FALSE(st.ok());
  st = js_->PublishBatch({{"kpr.nostream.v1.x.0165", "x", "id"}}, absl::Seconds(1));
  EXPECT_FALSE(st.ok());
}

TEST_F(JetStreamTest, PublishBatchTenThousand) {
  ASSERT_TRUE(js_->EnsureStreams(KprStreams(1)).ok());
  std::vector<OutgoingMessage> msgs;
  for (int i = 0; i < 10000; ++i) {
    msgs.push_back({absl::StrCat("kpr.outcomes.v1.recorded.0", 100 + i % 10),
                    absl::StrCat("data-", i), absl::StrCat("ev-", i)});
  }
  absl::Time start = absl::Now();
  ASSERT_TRUE(js_->PublishBatch(msgs).ok());
  fprintf(stderr, "PublishBatch 10000: %s\n", absl::FormatDuration(absl::Now() - start).c_str());
  EXPECT_EQ(StreamMsgs(*js_, "KPR_OUTCOMES"), 10000u);
  // Re-sending the same ids is absorbed by the duplicate window.
  ASSERT_TRUE(js_->PublishBatch(msgs).ok());
  EXPECT_EQ(StreamMsgs(*js_, "KPR_OUTCOMES"), 10000u);
}

TEST_F(JetStreamTest, UnavailableWhileNatsIsDownThenRecovers) {
  ASSERT_TRUE(js_->EnsureStreams(KprStreams(1)).ok());
  Servers::Nats().Stop();
  EXPECT_EQ(js_->Publish({"kpr.notify.v1.sent.0165", "x", "a"}, absl::Milliseconds(500)).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(
      js_->PublishBatch({{"kpr.notify.v1.sent.0165", "x", "b"}}, absl::Milliseconds(500)).code(),
      absl::StatusCode::kUnavailable);
  EXPECT_EQ(js_->EnsureStreams(KprStreams(1)).code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(Servers::Nats().Start().ok());
  absl::Status st;
  for (int i = 0; i < 100; ++i) {
    st = js_->PublishBatch(
        {{"kpr.notify.v1.sent.0165", "x", "a"}, {"kpr.notify.v1.sent.0165", "x", "b"}},
        absl::Seconds(1));
    if (st.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(st.ok()) << st;
  // Whatever got through before the failure reports, ids keep it at two.
  EXPECT_EQ(StreamMsgs(*js_, "KPR_NOTIFY"), 2u);
}

TEST(JetStreamConnectTest, ConnectBeforeServerIsUp) {
  ASSERT_TRUE(kpr::testing::DeleteAllStreams().ok());
  Servers::Nats().Stop();
  auto js = JetStream::Connect({Servers::Nats().url(), "late", true});
  ASSERT_TRUE(js.ok()) << js.status();
  EXPECT_FALSE((*js)->connected());
  ASSERT_TRUE(Servers::Nats().Start().ok());
  for (int i = 0; i < 100 && !(*js)->connected(); ++i) absl::SleepFor(absl::Milliseconds(50));
  ASSERT_TRUE((*js)->connected());
  EXPECT_TRUE((*js)->EnsureStreams(KprStreams(1)).ok());
  EXPECT_TRUE((*js)->Publish({"kpr.intake.v1.referral_submitted.0165", "x", "i1"}).ok());
}

}  // namespace
}  // namespace kpr::bus
