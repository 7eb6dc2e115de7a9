// The GatewayAPI client against the real simulator over loopback: the request shape, kpr's
// userref contract, and how every kind of failure is classified, above all that an unknown
// outcome retried with the same userref ends as exactly one message.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/notify/gatewayapi_client.h"
#include "tests/harness/servers.h"
#include "tests/harness/sms_gateway_sim.h"

namespace kpr::notify {
namespace {

using ::kpr::testing::Servers;
using ::kpr::testing::SimSms;
using ::kpr::testing::SmsGatewaySim;

std::string WriteTokenFile(const std::string& name, const std::string& token) {
  std::string path = Servers::Dir() + "/" + name;
  std::ofstream(path) << token << "\n";
  return path;
}

std::unique_ptr<GatewayApiClient> Client(std::string base_url, std::string token) {
  GatewayApiOptions options;
  options.base_url = std::move(base_url);
  options.token_file = WriteTokenFile("token-" + token, token);
  absl::StatusOr<std::unique_ptr<GatewayApiClient>> client = GatewayApiClient::Create(options);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(*client) : nullptr;
}

SmsRequest Sms(std::string userref, std::string msisdn = "+45 20 00 00 01") {
  SmsRequest r;
  r.sender = "Kultur";
  r.text = "Husk holdet i morgen kl. 10 på biblioteket";
  r.msisdn = std::move(msisdn);
  r.userref = std::move(userref);
  return r;
}

absl::Time In(absl::Duration d) { return absl::Now() + d; }

class GatewayApiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim().Reset();
    sim().SetRateLimit(0);
    sim().SetDelay(absl::ZeroDuration());
    sim().SetReportPlan(testing::ReportPlan{.statuses = {}});
    client_ = Client(sim().url(), testing::kTestGatewayToken);
    ASSERT_NE(client_, nullptr);
  }
  SmsGatewaySim& sim() { return Servers::SmsGateway(); }

  std::unique_ptr<GatewayApiClient> client_;
};

TEST_F(GatewayApiClientTest, AcceptedWithTheGatewaysIdAndTheRequestShape) {
  SmsRequest request = Sms("0165AAAA");
  request.text = "Vi ses \xE2\x80\x93 snart";  // an en dash: UCS-2
  request.encoding = v1::SMS_ENCODING_UCS2;
  request.callback_url = "http://127.0.0.1:1/callbacks/sms";
  SmsSendResult r = client_->Send(request, In(absl::Seconds(5)));
  ASSERT_EQ(r.result.outcome, SendOutcome::kAccepted) << r.detail;
  EXPECT_EQ(r.http_status, 200);

  std::vector<SimSms> sent = sim().Messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(r.result.provider_message_id, std::to_string(sent[0].id));
  EXPECT_EQ(sent[0].msisdn, "4520000001");
  EXPECT_EQ(sent[0].userref, "0165AAAA");
  EXPECT_EQ(sent[0].encoding, "UCS2");
  EXPECT_EQ(sent[0].sender, "Kultur");
  EXPECT_EQ(sent[0].message, "Vi ses \xE2\x80\x93 snart");
  EXPECT_EQ(sent[0].callback_url, "http://127.0.0.1:1/callbacks/sms");
}

TEST_F(GatewayApiClientTest, TheSameUserrefTwiceIsOneMessageWithOneId) {
  SmsSendResult first = client_->Send(Sms("0165SAME"), In(absl::Seconds(5)));
  SmsSendResult again = client_->Send(Sms("0165SAME"), In(absl::Seconds(5)));
  ASSERT_EQ(first.result.outcome, SendOutcome::kAccepted) << first.detail;
  ASSERT_EQ(again.result.outcome, SendOutcome::kAccepted) << again.detail;
  EXPECT_EQ(again.result.provider_message_id, first.result.provider_message_id);
  EXPECT_EQ(sim().MessageCount(), 1u);
  EXPECT_EQ(sim().stats().duplicates, 1);
}

TEST_F(GatewayApiClientTest, UnavailableIsTransient) {
  sim().FailNext(1, 503);
  SmsSendResult r = client_->Send(Sms("0165T1"), In(absl::Seconds(5)));
  EXPECT_EQ(r.result.outcome, SendOutcome::kTransient) << r.detail;
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(sim().MessageCount(), 0u);
  EXPECT_EQ(client_->Send(Sms("0165T1"), In(absl::Seconds(5))).result.outcome,
            SendOutcome::kAccepted);
}

TEST_F(GatewayApiClientTest, ServerErrorAfterAcceptingIsUnknownAndTheRetryIsOneMessage) {
  sim().FailNext(1, 500, /*after_accept=*/true);
  SmsSendResult r = client_->Send(Sms("0165U1"), In(absl::Seconds(5)));
  EXPECT_EQ(r.result.outcome, SendOutcome::kUnknown) << r.detail;
  SmsSendResult retry = client_->Send(Sms("0165U1"), In(absl::Seconds(5)));
  ASSERT_EQ(retry.result.outcome, SendOutcome::kAccepted) << retry.detail;
  std::vector<SimSms> sent = sim().Messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(retry.result.provider_message_id, std::to_string(sent[0].id));
}

TEST_F(GatewayApiClientTest, ThrottledIsTransientWithRetryAfter) {
  sim().SetRateLimit(1, 1);
  ASSERT_EQ(client_->Send(Sms("0165R1"), In(absl::Seconds(5))).result.outcome,
            SendOutcome::kAccepted);
  SmsSendResult r = client_->Send(Sms("0165R2"), In(absl::Seconds(5)));
  EXPECT_EQ(r.result.outcome, SendOutcome::kTransient) << r.detail;
  EXPECT_EQ(r.http_status, 429);
  EXPECT_EQ(r.result.retry_after, absl::Seconds(1));
  EXPECT_EQ(sim().MessageCount(), 1u);
}

TEST_F(GatewayApiClientTest, RefusedNumberIsPermanent) {
  sim().RejectMsisdn("4520000009");
  SmsSendResult r = client_->Send(Sms("0165P1", "+4520000009"), In(absl::Seconds(5)));
  EXPECT_EQ(r.result.outcome, SendOutcome::kPermanent) << r.detail;
  EXPECT_EQ(r.http_status, 422);
  EXPECT_EQ(r.result.reason, v1::DELIVERY_REASON_INVALID_RECIPIENT);
}

TEST_F(GatewayApiClientTest, ImplausibleNumberIsPermanentWithoutARequest) {
  SmsSendResult r = client_->Send(Sms("0165P2", "12345"), In(absl::Seconds(5)));
  EXPECT_EQ(r.result.outcome, SendOutcome::kPermanent);
  EXPECT_EQ(r.result.reason, v1::DELIVERY_REASON_INVALID_RECIPIENT);
  EXPECT_EQ(sim().stats().requests, 0);
}

TEST_F(GatewayApiClientTest, TimeoutAfterSendingIsUnknownAndTheRetryIsOneMessage) {
  sim().SetDelay(absl::Seconds(2));
  absl::Time start = absl::Now();
  SmsSendResult r = client_->Send(Sms("0165SLOW"), start + absl::Milliseconds(300));
  EXPECT_EQ(r.result.outcome, SendOutcome::kUnknown) << r.detail;
  EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << "the deadline was not honoured";
  ASSERT_TRUE(sim().WaitForMessages(1, absl::Seconds(5)));

  sim().SetDelay(absl::ZeroDuration());
  SmsSendResult retry = client_->Send(Sms("0165SLOW"), In(absl::Seconds(5)));
  ASSERT_EQ(retry.result.outcome, SendOutcome::kAccepted) << retry.detail;
  std::vector<SimSms> sent = sim().Messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].userref, "0165SLOW");
  EXPECT_EQ(retry.result.provider_message_id, std::to_string(sent[0].id));
}

TEST_F(GatewayApiClientTest, WrongTokenIsATransientConfigError) {
  std::unique_ptr<GatewayApiClient> wrong = Client(sim().url(), "not-the-token");
  SmsSendResult r = wrong->Send(Sms("0165W1"), In(absl::Seconds(5)));
  EXPECT_EQ(r.result.outcome, SendOutcome::kTransient) << r.detail;
  EXPECT_TRUE(r.config_error);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_EQ(sim().MessageCount(), 0u);
}

TEST(GatewayApiClientCreateTest, MissingOrEmptyTokenFileIsAStartUpError) {
  GatewayApiOptions options;
  options.base_url = "http://127.0.0.1:1";
  options.token_file = Servers::Dir() + "/no-such-token";
  EXPECT_EQ(GatewayApiClient::Create(options).status().code(),
            absl::StatusCode::kFailedPrecondition);
  options.token_file = WriteTokenFile("empty-token", "  ");
  EXPECT_EQ(GatewayApiClient::Create(options).status().code(),
            absl::StatusCode::kFailedPrecondition);
  options.base_url = "";
  EXPECT_EQ(GatewayApiClient::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GatewayApiClientCreateTest, NobodyListeningIsTransient) {
  std::unique_ptr<GatewayApiClient> client =
      Client(absl::StrCat("http://127.0.0.1:", testing::FreePort()), "t");
  SmsSendResult r = client->Send(Sms("0165C1"), In(absl::Seconds(2)));
  EXPECT_EQ(r.result.outcome, SendOutcome::kTransient) << r.detail;
  EXPECT_EQ(r.http_status, 0);
}

TEST_F(GatewayApiClientTest, ConcurrentCallersShareTheClient) {
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> accepted = 0;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        SmsSendResult r =
            client_->Send(Sms(absl::StrCat("0165C", t, "X", i)), In(absl::Seconds(5)));
        if (r.result.outcome == SendOutcome::kAccepted) ++accepted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(accepted, kThreads * kEach);
  EXPECT_EQ(sim().MessageCount(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace kpr::notify
