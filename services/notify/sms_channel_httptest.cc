// Failover between two SMS gateways, both the harness's simulator (two instances): while the
// primary answers, it takes all traffic; when it fails, the secondary takes most of it; a
// delivery pinned by an unknown outcome stays on the primary whatever the weights say.

#include <cstdio>

#include "gtest/gtest.h"
#include "services/notify/delivery_key.h"
#include "services/notify/gatewayapi_client.h"
#include "services/notify/sms_channel.h"
#include "tests/harness/servers.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/support/redis_testing.h"

namespace kpr::notify {
namespace {

using kpr::testing::Servers;
using kpr::testing::SmsGatewaySim;

std::unique_ptr<SmsProvider> Client(const std::string& name, const std::string& url) {
  GatewayApiOptions o;
  o.name = name;
  o.base_url = url;
  o.token_file = kpr::testing::TestGatewayTokenFile();
  return *GatewayApiClient::Create(o);
}

SmsRequest Request(int n) {
  SmsRequest r;
  r.sender = "kpr";
  r.text = "Hej";
  r.msisdn = "+4520000001";
  r.userref = UserrefFor(absl::StrCat("0165-", std::string(25, '0'), n % 10));
  return r;
}

class SmsChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::FlushRedis().ok());
    Servers::SmsGateway().Reset();
    kpr::testing::SmsGatewaySimOptions o;
    o.token = kpr::testing::kTestGatewayToken;
    o.reports.statuses = {};
    secondary_sim_ = std::make_unique<SmsGatewaySim>(o);
    ASSERT_TRUE(secondary_sim_->Start().ok());
    pool_ = kpr::testing::HarnessRedisPool();
    WeightPolicy policy;
    policy.min_calls = 10;
    channel_ = std::make_unique<SmsChannel>(*pool_, Client("primary", Servers::SmsGateway().url()),
                                            Client("secondary", secondary_sim_->url()), 0, policy);
  }

  // Sends `n` messages through the channel's choice; how many went to the secondary.
  int SendThroughChoice(int n, int first) {
    int to_secondary = 0;
    for (int i = first; i < first + n; ++i) {
      v1::Delivery d;
      d.set_delivery_id(absl::StrCat("0165-", i));
      SmsProvider& p = channel_->Choose(d, absl::Now());
      if (p.name() == "secondary") ++to_secondary;
      SmsRequest r = Request(i);
      r.userref = absl::StrCat("ref", i);
      channel_->Send(p, r, absl::Now() + absl::Seconds(5));
    }
    return to_secondary;
  }

  std::unique_ptr<SmsGatewaySim> secondary_sim_;
  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<SmsChannel> channel_;
};

TEST_F(SmsChannelTest, AHealthyPrimaryTakesEverythingAFailingOneHandsMostToTheSecondary) {
  EXPECT_EQ(SendThroughChoice(30, 0), 0);
  EXPECT_EQ(Servers::SmsGateway().stats().accepted, 30);
  // The primary starts failing: its errors fill the window and its weight drops to 10 %.
  Servers::SmsGateway().FailFraction(1.0, 503);
  SendThroughChoice(20, 100);
  const int to_secondary = SendThroughChoice(200, 200);
  EXPECT_GT(to_secondary, 150) << "the secondary takes most of the traffic";
  EXPECT_LT(to_secondary, 200) << "the primary is still probed";
  EXPECT_GE(secondary_sim_->stats().accepted, 150);
}

TEST_F(SmsChannelTest, ADeliveryPinnedByAnUnknownOutcomeNeverFailsOver) {
  Servers::SmsGateway().FailFraction(1.0, 503);
  SendThroughChoice(50, 0);
  v1::Delivery pinned;
  pinned.set_delivery_id("0165-pinned");
  pinned.set_provider("primary");
  pinned.set_outcome_unknown(true);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(channel_->Choose(pinned, absl::Now()).name(), "primary");
  }
}

}  // namespace
}  // namespace kpr::notify
