// The SMS gateway simulator as a peer: GatewayAPI's request shape, kpr's userref contract, the
// faults it injects, and its delivery reports and inbound replies, checked over real sockets
// against a callback receiver that verifies signatures the way notify must.
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/harness/servers.h"
#include "tests/harness/sms_gateway_sim.h"

namespace kpr::testing {
namespace {

using nlohmann::json;

// HMAC-SHA256, computed here independently of the simulator's signing code.
std::string ExpectedSignature(const std::string& body) {
  unsigned char mac[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kTestCallbackSecret, sizeof(kTestCallbackSecret) - 1,
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  return "sha256=" +
         absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), length));
}

// A stand-in for notify's callback endpoint: refuses a missing or wrong signature with 401, can
// fail the next requests with 500, and keeps what it accepted.
class CallbackReceiver {
 public:
  CallbackReceiver() : port_(FreePort()) {
    server_.Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      if (req.get_header_value(kSignatureHeader) != ExpectedSignature(req.body)) {
        ++refused_;
        res.status = 401;
        return;
      }
      if (fail_next_ > 0) {
        --fail_next_;
        res.status = 500;
        return;
      }
      received_.push_back({req.path, json::parse(req.body)});
      res.status = 204;
    });
    server_.bind_to_port("127.0.0.1", port_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
  }
  ~CallbackReceiver() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void FailNext(int n) {
    absl::MutexLock lock(&mu_);
    fail_next_ = n;
  }
  // The accepted bodies, once at least `n` arrived.
  std::vector<json> WaitFor(size_t n, absl::Duration timeout = absl::Seconds(10)) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return received_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
    std::vector<json> bodies;
    for (const auto& [path, body] : received_) bodies.push_back(body);
    return bodies;
  }
  int refused() {
    absl::MutexLock lock(&mu_);
    return refused_;
  }

 private:
  int port_;
  httplib::Server server_;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<std::pair<std::string, json>> received_ ABSL_GUARDED_BY(mu_);
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  int refused_ ABSL_GUARDED_BY(mu_) = 0;
};

json Sms(const std::string& userref, const std::string& msisdn = "+4520000001",
         const std::string& callback_url = "") {
  json sms = {{"sender", "kpr"},
              {"message", "Velkommen til Kultur på recept"},
              {"encoding", "UTF8"},
              {"recipients", json::array({{{"msisdn", msisdn}}})},
              {"userref", userref}};
  if (!callback_url.empty()) sms["callback_url"] = callback_url;
  return sms;
}

class SmsGatewaySimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim().Reset();
    client_.set_read_timeout(5, 0);
  }
  SmsGatewaySim& sim() { return Servers::SmsGateway(); }
  httplib::Result Post(const json& body, std::string auth = "") {
    if (auth.empty()) auth = std::string("Token ") + kTestGatewayToken;
    return client_.Post("/rest/mtsms", {{"Authorization", auth}}, body.dump(), "application/json");
  }
  // The ids of a 200 answer.
  std::vector<int64_t> Ids(const httplib::Result& result) {
    EXPECT_TRUE(result) << "no answer";
    if (!result) return {};
    EXPECT_EQ(result->status, 200) << result->body;
    return json::parse(result->body).at("ids").get<std::vector<int64_t>>();
  }

  httplib::Client client_{Servers::SmsGateway().url()};
};

TEST_F(SmsGatewaySimTest, ARepeatedUserrefGetsTheFirstIdAndIsNotSentAgain) {
  std::vector<int64_t> first = Ids(Post(Sms("delivery-1")));
  std::vector<int64_t> again = Ids(Post(Sms("delivery-1")));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(again, first);
  std::vector<int64_t> other = Ids(Post(Sms("delivery-2")));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_NE(other[0], first[0]);

  std::vector<SimSms> sent = sim().Messages();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].id, first[0]);
  EXPECT_EQ(sent[0].userref, "delivery-1");
  EXPECT_EQ(sent[0].msisdn, "4520000001");
  EXPECT_EQ(sent[0].message, "Velkommen til Kultur på recept");
  EXPECT_EQ(sent[0].encoding, "UTF8");
  EXPECT_EQ(sent[0].sender, "kpr");
  EXPECT_EQ(sim().stats().duplicates, 1);
}

TEST_F(SmsGatewaySimTest, TakesAListAndGatewayApiTokenSchemes) {
  json list = json::array({Sms("a"), Sms("b", "4520000002"), Sms("a")});
  EXPECT_EQ(Ids(Post(list)).size(), 3u);
  EXPECT_EQ(sim().MessageCount(), 2u);  // "a" twice in one request is one message

  auto no_token = Post(Sms("c"), "Token wrong");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  std::string basic = "Basic " + absl::Base64Escape(std::string(kTestGatewayToken) + ":");
  EXPECT_EQ(Ids(Post(Sms("c"), basic)).size(), 1u);
  auto query = client_.Post(std::string("/rest/mtsms?token=") + kTestGatewayToken, Sms("d").dump(),
                            "application/json");
  EXPECT_EQ(Ids(query).size(), 1u);
  EXPECT_EQ(sim().stats().unauthorized, 1);
}

TEST_F(SmsGatewaySimTest, PermanentErrorsForInvalidOrRefusedNumbers) {
  auto invalid = Post(Sms("bad", "12"));
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 422);
  sim().RejectMsisdn("+4520000009");
  auto refused = Post(Sms("refused", "4520000009"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422);
  auto malformed = client_.Post("/rest/mtsms", {{"Authorization", "Token kpr-test-gateway-token"}},
                                "{not json", "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_EQ(sim().MessageCount(), 0u);
  EXPECT_EQ(sim().stats().rejected, 3);
}

TEST_F(SmsGatewaySimTest, FailsTheNextRequestsBeforeOrAfterAccepting) {
  sim().FailNext(2, 503);
  for (int i = 0; i < 2; ++i) {
    auto r = Post(Sms("retry"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
  }
  EXPECT_EQ(sim().MessageCount(), 0u);
  std::vector<int64_t> ids = Ids(Post(Sms("retry")));

  // Accepted, but the client hears 500: a retry with the same userref is not a second SMS.
  sim().FailNext(1, 500, /*after_accept=*/true);
  auto unknown = Post(Sms("unknown-outcome"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 500);
  EXPECT_EQ(sim().MessageCount(), 2u);
  std::vector<int64_t> retried = Ids(Post(Sms("unknown-outcome")));
  EXPECT_EQ(sim().MessageCount(), 2u);
  EXPECT_EQ(sim().Messages()[1].id, retried.at(0));
  EXPECT_EQ(sim().stats().failed, 3);
}

TEST_F(SmsGatewaySimTest, FailsAFractionOfRequests) {
  sim().FailFraction(0.3, 502);
  int failed = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = Post(Sms("f" + std::to_string(i)));
    ASSERT_TRUE(r);
    if (r->status == 502) ++failed;
  }
  EXPECT_GT(failed, 30);
  EXPECT_LT(failed, 90);
  EXPECT_EQ(sim().MessageCount(), static_cast<size_t>(200 - failed));
}

TEST_F(SmsGatewaySimTest, ADelayedAnswerIsAnUnknownOutcomeThatARetryResolves) {
  sim().SetDelay(absl::Milliseconds(600));
  httplib::Client impatient(sim().url());
  impatient.set_read_timeout(0, 200000);  // 200 ms
  auto timed_out =
      impatient.Post("/rest/mtsms", {{"Authorization", std::string("Token ") + kTestGatewayToken}},
                     Sms("slow").dump(), "application/json");
  EXPECT_FALSE(timed_out);
  EXPECT_TRUE(sim().WaitForMessages(1, absl::Seconds(2)));  // it was accepted all the same
  sim().SetDelay(absl::ZeroDuration());
  EXPECT_EQ(Ids(Post(Sms("slow"))).at(0), sim().Messages().at(0).id);
  EXPECT_EQ(sim().MessageCount(), 1u);
}

TEST_F(SmsGatewaySimTest, ThrottlesAboveTheRate) {
  sim().SetRateLimit(20, 20);
  int accepted = 0, throttled = 0;
  absl::Time start = absl::Now();
  for (int i = 0; i < 40; ++i) {
    auto r = Post(Sms("t" + std::to_string(i)));
    ASSERT_TRUE(r);
    if (r->status == 200) ++accepted;
    if (r->status == 429) {
      ++throttled;
      EXPECT_EQ(r->get_header_value("Retry-After"), "1");
    }
  }
  // The full bucket, and what it refilled while the loop ran (slower on a loaded machine).
  double refilled = 20 * absl::ToDoubleSeconds(absl::Now() - start);
  EXPECT_GE(accepted, 20);
  EXPECT_LE(accepted, 20 + static_cast<int>(refilled) + 1);
  EXPECT_GT(throttled, 0);
  EXPECT_EQ(accepted + throttled, 40);
  EXPECT_EQ(sim().stats().throttled, throttled);
  EXPECT_EQ(Ids(Post(Sms("t0"))).size(), 1u);  // a repeat sends nothing, so costs nothing
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Ids(Post(Sms("later"))).size(), 1u);
}

TEST_F(SmsGatewaySimTest, SendsSignedDeliveryReportsInOrder) {
  CallbackReceiver receiver;
  std::vector<int64_t> ids = Ids(Post(Sms("report-1", "+4520000001", receiver.url("/dlr"))));
  std::vector<json> reports = receiver.WaitFor(2);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0]["status"], "ENROUTE");
  EXPECT_EQ(reports[1]["status"], "DELIVERED");
  for (const json& r : reports) {
    EXPECT_EQ(r["id"], ids.at(0));
    EXPECT_EQ(r["msisdn"], 4520000001);
    EXPECT_EQ(r["userref"], "report-1");
    EXPECT_TRUE(r["time"].is_number_integer());
    EXPECT_TRUE(r["error"].is_null());
    EXPECT_TRUE(r["code"].is_null());
  }
  EXPECT_EQ(receiver.refused(), 0);
}

TEST_F(SmsGatewaySimTest, SendsOutOfOrderAndRepeatedReports) {
  CallbackReceiver receiver;
  sim().SetReportPlanFor("+4520000002", {.statuses = {"DELIVERED", "ENROUTE"}, .repeat = 2});
  sim().SetReportPlanFor("+4520000003", {.statuses = {"UNDELIVERABLE"}});
  Ids(Post(Sms("late-transient", "+4520000002", receiver.url("/dlr"))));
  std::vector<json> reports = receiver.WaitFor(4);
  ASSERT_EQ(reports.size(), 4u);
  std::vector<std::string> statuses;
  for (const json& r : reports) statuses.push_back(r["status"]);
  EXPECT_EQ(statuses, (std::vector<std::string>{"DELIVERED", "DELIVERED", "ENROUTE", "ENROUTE"}));

  Ids(Post(Sms("undeliverable", "+4520000003", receiver.url("/dlr"))));
  reports = receiver.WaitFor(5);
  ASSERT_EQ(reports.size(), 5u);
  EXPECT_EQ(reports[4]["status"], "UNDELIVERABLE");
  EXPECT_TRUE(reports[4]["error"].is_string());
  EXPECT_TRUE(reports[4]["code"].is_string());
}

TEST_F(SmsGatewaySimTest, RetriesAReportTheReceiverFailed) {
  CallbackReceiver receiver;
  receiver.FailNext(2);
  sim().SetReportPlan({.statuses = {"DELIVERED"}});
  Ids(Post(Sms("retried-report", "+4520000001", receiver.url("/dlr"))));
  ASSERT_EQ(receiver.WaitFor(1).size(), 1u);
  ASSERT_TRUE(sim().WaitForReportsIdle(absl::Seconds(5)));
  std::vector<ReportAttempt> attempts = sim().ReportAttempts();
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].http_status, 500);
  EXPECT_EQ(attempts[1].http_status, 500);
  EXPECT_EQ(attempts[2].http_status, 204);
  EXPECT_EQ(attempts[2].attempt, 3);
}

TEST_F(SmsGatewaySimTest, AnUnsignedOrWronglySignedReportIsRefusedByTheReceiver) {
  CallbackReceiver receiver;
  SimDeliveryReport report{.id = 1,
                           .msisdn = "4520000001",
                           .time = absl::Now(),
                           .status = "DELIVERED",
                           .userref = "manual"};
  EXPECT_EQ(*sim().SendReport(receiver.url("/dlr"), report, Signature::kNone), 401);
  EXPECT_EQ(*sim().SendReport(receiver.url("/dlr"), report, Signature::kWrong), 401);
  EXPECT_EQ(*sim().SendReport(receiver.url("/dlr"), report), 204);
  EXPECT_EQ(receiver.refused(), 2);
  EXPECT_EQ(receiver.WaitFor(1).at(0)["userref"], "manual");
}

TEST_F(SmsGatewaySimTest, SendsAnInboundReply) {
  CallbackReceiver receiver;
  sim().SetMoUrl(receiver.url("/mo"));
  ASSERT_EQ(*sim().SendMo("+4520000004", "STOP"), 204);
  json mo = receiver.WaitFor(1).at(0);
  EXPECT_EQ(mo["msisdn"], 4520000004);
  EXPECT_EQ(mo["message"], "STOP");
  sim().SetMoUrl("");
}

TEST_F(SmsGatewaySimTest, RestartKeepsThePortAndWhatItSaw) {
  std::vector<int64_t> ids = Ids(Post(Sms("kept")));
  int port = sim().port();
  sim().Stop();
  EXPECT_FALSE(WaitForPort(port, absl::Milliseconds(100)).ok());
  ASSERT_TRUE(sim().Start().ok());
  EXPECT_EQ(sim().port(), port);
  httplib::Client fresh(sim().url());
  auto again =
      fresh.Post("/rest/mtsms", {{"Authorization", std::string("Token ") + kTestGatewayToken}},
                 Sms("kept").dump(), "application/json");
  EXPECT_EQ(Ids(again), ids);
  EXPECT_EQ(sim().MessageCount(), 1u);
}

}  // namespace
}  // namespace kpr::testing
