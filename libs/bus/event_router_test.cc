#include "libs/bus/event_router.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/observe/metrics.h"

namespace kpr::bus {
namespace {

using referral::v1::ReferralAccepted;
using scheduling::v1::Enrolled;
using ::testing::HasSubstr;

Delivery DeliveryOf(const std::string& subject, const kpr::common::v1::Event& event,
                    uint64_t delivery_count = 1) {
  Delivery d;
  d.subject = subject;
  d.data = event.SerializeAsString();
  d.delivery_count = delivery_count;
  return d;
}

kpr::common::v1::Event Accepted(const std::string& municipality, const std::string& referral_id) {
  ReferralAccepted a;
  a.set_referral_id(referral_id);
  return MakeEvent("e-1", municipality, a, absl::FromUnixSeconds(1'800'000'000), "corr", "");
}

class EventRouterTest : public ::testing::Test {
 protected:
  EventRouterTest() {
    router_.On<ReferralAccepted>(
        [this](const kpr::common::v1::Event& e, const ReferralAccepted& a) {
          handled_.push_back(a.referral_id());
          return next_status_;
        });
  }
  EventRouter router_{"test"};
  std::vector<std::string> handled_;
  absl::Status next_status_;
};

TEST_F(EventRouterTest, RoutesByPayloadType) {
  Outcome o =
      router_.RouteOne(DeliveryOf("kpr.referral.v1.accepted.0165", Accepted("0165", "0165-A")));
  EXPECT_EQ(o.kind, Outcome::kAck);
  EXPECT_THAT(handled_, ::testing::ElementsAre("0165-A"));
}

TEST_F(EventRouterTest, EnvelopeMunicipalityOtherThanTheSubjectsIsADeadLetter) {
  // Someone who may publish on *.0165 tries to change 0183's referral.
  Outcome o =
      router_.RouteOne(DeliveryOf("kpr.referral.v1.accepted.0165", Accepted("0183", "0183-A")));
  EXPECT_EQ(o.kind, Outcome::kDeadLetter);
  EXPECT_THAT(o.reason, HasSubstr("envelope municipality 0183 differs from the subject's 0165"));
  EXPECT_TRUE(handled_.empty());
  // A subject without a municipality is no better.
  o = router_.RouteOne(DeliveryOf("kpr.referral.v1.accepted", Accepted("0165", "0165-A")));
  EXPECT_EQ(o.kind, Outcome::kDeadLetter);
  EXPECT_TRUE(handled_.empty());
}

TEST_F(EventRouterTest, ReferralIdOfAnotherMunicipalityIsADeadLetter) {
  Outcome o =
      router_.RouteOne(DeliveryOf("kpr.referral.v1.accepted.0165", Accepted("0165", "0183-A")));
  EXPECT_EQ(o.kind, Outcome::kDeadLetter);
  EXPECT_THAT(o.reason, HasSubstr("referral_id"));
  EXPECT_TRUE(handled_.empty());
}

TEST_F(EventRouterTest, TypeThatDisagreesWithThePayloadIsADeadLetter) {
  kpr::common::v1::Event e = Accepted("0165", "0165-A");
  e.set_type(Enrolled::descriptor()->full_name());
  Outcome o = router_.RouteOne(DeliveryOf("kpr.referral.v1.accepted.0165", e));
  EXPECT_EQ(o.kind, Outcome::kDeadLetter);
  EXPECT_THAT(o.reason, HasSubstr("differs from its payload's"));
  // Claiming a handled type over another payload is refused the same way.
  Enrolled enrolled;
  enrolled.set_referral_id("0165-A");
  e = MakeEvent("e-2", "0165", enrolled, absl::Now(), "", "");
  e.set_type(ReferralAccepted::descriptor()->full_name());
  EXPECT_EQ(router_.RouteOne(DeliveryOf("kpr.referral.v1.accepted.0165", e)).kind,
            Outcome::kDeadLetter);
  EXPECT_TRUE(handled_.empty());
}

TEST_F(EventRouterTest, UndecodableIsADeadLetter) {
  Delivery d;
  d.subject = "kpr.referral.v1.accepted.0165";
  d.data = "not protobuf \xff\xff";
  EXPECT_EQ(router_.RouteOne(d).kind, Outcome::kDeadLetter);
  kpr::common::v1::Event e = Accepted("0165", "0165-A");
  e.mutable_payload()->set_value("\xff\xff\xff");
  Outcome o = router_.RouteOne(DeliveryOf("kpr.referral.v1.accepted.0165", e));
  EXPECT_EQ(o.kind, Outcome::kDeadLetter);
  EXPECT_THAT(o.reason, HasSubstr("does not decode"));
  EXPECT_TRUE(handled_.empty());
}

TEST_F(EventRouterTest, UnknownTypeIsAckedAndCounted) {
  Enrolled enrolled;
  enrolled.set_referral_id("0165-A");
  Outcome o = router_.RouteOne(DeliveryOf("kpr.scheduling.v1.enrolled.0165",
                                          MakeEvent("e-3", "0165", enrolled, absl::Now(), "", "")));
  EXPECT_EQ(o.kind, Outcome::kAck);
  EXPECT_TRUE(handled_.empty());
  EXPECT_THAT(observe::MetricsRegistry::Global().RenderPrometheus(),
              HasSubstr("kpr_events_unrouted_total{consumer=\"test\","
                        "type=\"kpr.scheduling.v1.Enrolled\"} 1"));
}

TEST_F(EventRouterTest, HandlerStatusMapsToAckRetryOrDeadLetter) {
  const Delivery d = DeliveryOf("kpr.referral.v1.accepted.0165", Accepted("0165", "0165-A"), 3);
  next_status_ = absl::UnavailableError("redis down");
  Outcome o = router_.RouteOne(d);
  EXPECT_EQ(o.kind, Outcome::kRetry);
  EXPECT_EQ(o.retry_after, RetryBackoff(3));
  next_status_ = absl::AbortedError("concurrent change");
  EXPECT_EQ(router_.RouteOne(d).kind, Outcome::kRetry);
  next_status_ = absl::NotFoundError("no such referral");
  EXPECT_EQ(router_.RouteOne(d).kind, Outcome::kDeadLetter);
  next_status_ = absl::OkStatus();
  EXPECT_EQ(router_.RouteOne(d).kind, Outcome::kAck);
}

}  // namespace
}  // namespace kpr::bus
