// Notify's callback rules against the real simulator's reports and replies: a receiver built
// from callback_signature, delivery_report and inbound_reply (the HTTP layer's future body) takes
// what the simulator sends after the GatewayAPI client's messages, signed by the simulator's own
// HMAC code. Forged reports are refused, disorder and repeats end in the right final state, a
// report that outruns our own record is retried by the gateway, and STOP suppresses the number.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/notify/callback_signature.h"
#include "services/notify/delivery_key.h"
#include "services/notify/delivery_report.h"
#include "services/notify/gatewayapi_client.h"
#include "services/notify/inbound_reply.h"
#include "tests/harness/servers.h"
#include "tests/harness/sms_gateway_sim.h"

namespace kpr::notify {
namespace {

using ::kpr::testing::ReportPlan;
using ::kpr::testing::Servers;
using ::kpr::testing::Signature;

// Deliveries in memory, as the store would hold them, and the callback endpoints over them.
class Receiver {
 public:
  Receiver() : port_(testing::FreePort()) {
    server_.Post("/callbacks/sms/report",
                 [this](const httplib::Request& req, httplib::Response& res) { Report(req, res); });
    server_.Post("/callbacks/sms/reply",
                 [this](const httplib::Request& req, httplib::Response& res) { Reply(req, res); });
    server_.bind_to_port("127.0.0.1", port_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

  void Put(v1::Delivery d) {
    absl::MutexLock lock(&mu_);
    deliveries_[d.delivery_id()] = std::move(d);
  }
  v1::Delivery Get(const std::string& id) {
    absl::MutexLock lock(&mu_);
    return deliveries_[id];
  }
  int applied() {
    absl::MutexLock lock(&mu_);
    return applied_;
  }
  int answered(int status) {
    absl::MutexLock lock(&mu_);
    return answers_[status];
  }
  bool suppressed(const std::string& digits) {
    absl::MutexLock lock(&mu_);
    return suppressed_.contains(digits);
  }

 private:
  void Answer(httplib::Response& res, int status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++answers_[status];
    res.status = status;
  }
  static bool Signed(const httplib::Request& req) {
    return VerifyCallbackSignature(testing::kTestCallbackSecret, req.body,
                                   req.get_header_value(kCallbackSignatureHeader))
        .ok();
  }
  void Report(const httplib::Request& req, httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    if (!Signed(req)) return Answer(res, 401);
    absl::StatusOr<DeliveryReport> report = ParseDeliveryReport(req.body);
    if (!report.ok()) return Answer(res, 400);
    auto it = deliveries_.find(report->delivery_id);
    if (it == deliveries_.end()) return Answer(res, 200);  // not ours: stop the retries
    ReportEffect effect = NextDeliveryState(it->second, *report, absl::Now());
    if (effect.change == ReportEffect::Change::kRetryLater) return Answer(res, 409);
    if (effect.change != ReportEffect::Change::kNone) {
      it->second = effect.delivery;
      ++applied_;
    }
    Answer(res, 204);
  }
  void Reply(const httplib::Request& req, httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    if (!Signed(req)) return Answer(res, 401);
    absl::StatusOr<InboundReply> reply = ParseInboundReply(req.body);
    if (!reply.ok()) return Answer(res, 400);
    if (IsStopRequest(reply->text)) suppressed_.insert(reply->msisdn);
    Answer(res, 204);
  }

  int port_;
  httplib::Server server_;
  std::thread thread_;
  absl::Mutex mu_;
  std::map<std::string, v1::Delivery> deliveries_ ABSL_GUARDED_BY(mu_);
  std::map<int, int> answers_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> suppressed_ ABSL_GUARDED_BY(mu_);
  int applied_ ABSL_GUARDED_BY(mu_) = 0;
};

class SmsCallbacksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim().Reset();
    sim().SetDelay(absl::ZeroDuration());
    sim().SetRateLimit(0);
    sim().SetMoUrl(receiver_.url("/callbacks/sms/reply"));
    client_ = *GatewayApiClient::Create(
        {.base_url = sim().url(), .token_file = testing::TestGatewayTokenFile()});
  }
  testing::SmsGatewaySim& sim() { return Servers::SmsGateway(); }

  // Records the delivery SENDING, sends it, and (unless `record_late`) records SENT at once.
  std::string SendOne(const std::string& msisdn, absl::Duration record_late = {}) {
    std::string id = DeliveryIdFor("0165", TriggeringFact::Event("evt-" + msisdn), "ref-" + msisdn,
                                   v1::CHANNEL_SMS);
    v1::Delivery d;
    d.set_delivery_id(id);
    d.set_status(v1::DELIVERY_STATUS_SENDING);
    d.set_attempts(1);
    receiver_.Put(d);
    SmsSendResult r = client_->Send({.sender = "Kultur",
                                     .text = "Husk holdet i morgen",
                                     .msisdn = msisdn,
                                     .userref = UserrefFor(id),
                                     .callback_url = receiver_.url("/callbacks/sms/report")},
                                    absl::Now() + absl::Seconds(5));
    EXPECT_EQ(r.result.outcome, SendOutcome::kAccepted) << r.detail;
    absl::SleepFor(record_late);
    d.set_status(v1::DELIVERY_STATUS_SENT);
    d.set_provider_message_id(r.result.provider_message_id);
    receiver_.Put(d);
    return id;
  }

  Receiver receiver_;
  std::unique_ptr<GatewayApiClient> client_;
};

TEST_F(SmsCallbacksTest, OutOfOrderAndRepeatedReportsEndDeliveredOnce) {
  sim().SetReportPlan({.statuses = {"ENROUTE", "DELIVERED", "ENROUTE", "BUFFERED"}, .repeat = 2});
  std::string id = SendOne("+4520000001");
  ASSERT_TRUE(sim().WaitForReportsIdle(absl::Seconds(10)));
  EXPECT_EQ(receiver_.Get(id).status(), v1::DELIVERY_STATUS_DELIVERED);
  EXPECT_EQ(receiver_.applied(), 1) << "one change, whatever repeats";
  EXPECT_EQ(receiver_.answered(204), 8);
}

TEST_F(SmsCallbacksTest, AFinalFailureIsRecordedWithItsReason) {
  sim().SetReportPlan({.statuses = {"UNDELIVERABLE", "DELIVERED"}});
  std::string id = SendOne("+4520000002");
  ASSERT_TRUE(sim().WaitForReportsIdle(absl::Seconds(10)));
  EXPECT_EQ(receiver_.Get(id).status(), v1::DELIVERY_STATUS_FAILED);
  EXPECT_EQ(receiver_.Get(id).reason(), v1::DELIVERY_REASON_UNDELIVERABLE);
}

TEST_F(SmsCallbacksTest, UnsignedAndWronglySignedReportsAreRefused) {
  for (Signature signature : {Signature::kNone, Signature::kWrong}) {
    sim().Reset();
    sim().SetReportPlan({.statuses = {"DELIVERED"}, .signature = signature});
    std::string id = SendOne(signature == Signature::kNone ? "+4520000003" : "+4520000004");
    ASSERT_TRUE(sim().WaitForReportsIdle(absl::Seconds(10)));
    EXPECT_EQ(receiver_.Get(id).status(), v1::DELIVERY_STATUS_SENT);
  }
  EXPECT_EQ(receiver_.applied(), 0);
  EXPECT_EQ(receiver_.answered(401), 2 * sim().options().report_max_attempts);
}

TEST_F(SmsCallbacksTest, AReportBeforeOurRecordIsRetriedByTheGateway) {
  sim().SetReportPlan({.statuses = {"DELIVERED"}, .delay = absl::Milliseconds(10)});
  std::string id = SendOne("+4520000005", /*record_late=*/absl::Milliseconds(150));
  ASSERT_TRUE(sim().WaitForReportsIdle(absl::Seconds(10)));
  EXPECT_GE(receiver_.answered(409), 1);
  EXPECT_EQ(receiver_.Get(id).status(), v1::DELIVERY_STATUS_DELIVERED);
}

TEST_F(SmsCallbacksTest, StopReplySuppressesTheNumber) {
  ASSERT_EQ(*sim().SendMo("+4520000006", "Hej, jeg kommer"), 204);
  ASSERT_EQ(*sim().SendMo("+4520000007", "Stop tak"), 204);
  ASSERT_EQ(*sim().SendMo("+4520000008", "AFMELD"), 204);
  ASSERT_EQ(*sim().SendMo("+4520000009", "STOP", Signature::kWrong), 401);
  EXPECT_FALSE(receiver_.suppressed("4520000006"));
  EXPECT_TRUE(receiver_.suppressed("4520000007"));
  EXPECT_TRUE(receiver_.suppressed("4520000008"));
  EXPECT_FALSE(receiver_.suppressed("4520000009"));
}

}  // namespace
}  // namespace kpr::notify
