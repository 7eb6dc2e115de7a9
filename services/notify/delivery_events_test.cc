#include "services/notify/delivery_events.h"

#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/notify/v1/events.pb.h"

namespace kpr::notify {
namespace {

v1::Delivery Sent() {
  v1::Delivery d;
  d.set_delivery_id("0165-ZM0W05BJVYF7VA9Q3560W883X4");
  d.set_municipality("0165");
  d.set_referral_id("0165-R-1");
  d.set_cohort_id("c1");
  d.set_session_id("s1");
  d.set_trigger(v1::TRIGGER_SESSION_REMINDER);
  d.set_channel(v1::CHANNEL_SMS);
  d.set_status(v1::DELIVERY_STATUS_SENT);
  d.set_masked_recipient("+45 ** ** 12 34");
  d.set_sms_segments(2);
  d.set_attempts(3);
  return d;
}

TEST(EventsForChange, SentOnceOnTheWayToSentWithIdsAndCountsOnly) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  auto events = EventsForChange(v1::DELIVERY_STATUS_SENDING, Sent(), now);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].subject, "kpr.notify.v1.message_sent.0165");
  EXPECT_EQ(events[0].id, "0165-ZM0W05BJVYF7VA9Q3560W883X4:message_sent");
  common::v1::Event envelope;
  ASSERT_TRUE(envelope.ParseFromString(events[0].data));
  v1::MessageSent sent;
  ASSERT_TRUE(envelope.payload().UnpackTo(&sent));
  EXPECT_EQ(sent.referral_id(), "0165-R-1");
  EXPECT_EQ(sent.sms_segments(), 2);
  EXPECT_EQ(sent.attempts(), 3);
  // The masked number is the delivery's, for ListDeliveries; it never travels in an event.
  EXPECT_EQ(events[0].data.find("12 34"), std::string::npos);
  EXPECT_TRUE(EventsForChange(v1::DELIVERY_STATUS_SENT, Sent(), now).empty());
}

TEST(EventsForChange, DeliveredAndFailedCarryTheirNamesAndNothingForPendingOrSkipped) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  v1::Delivery d = Sent();
  d.set_status(v1::DELIVERY_STATUS_DELIVERED);
  auto delivered = EventsForChange(v1::DELIVERY_STATUS_SENT, d, now);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].subject, "kpr.notify.v1.message_delivered.0165");
  d.set_status(v1::DELIVERY_STATUS_FAILED);
  d.set_reason(v1::DELIVERY_REASON_UNDELIVERABLE);
  auto failed = EventsForChange(v1::DELIVERY_STATUS_SENT, d, now);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].subject, "kpr.notify.v1.message_failed.0165");
  d.set_status(v1::DELIVERY_STATUS_PENDING);
  EXPECT_TRUE(EventsForChange(v1::DELIVERY_STATUS_SENDING, d, now).empty());
  d.set_status(v1::DELIVERY_STATUS_SKIPPED);
  EXPECT_TRUE(EventsForChange(v1::DELIVERY_STATUS_PENDING, d, now).empty());
}

}  // namespace
}  // namespace kpr::notify
