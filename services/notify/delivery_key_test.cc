#include "services/notify/delivery_key.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

constexpr absl::string_view kReferral = "0165-3M5V0Q6Y2ZK4E1N8W9XRTB01JD";
const absl::Time kSessionStart = absl::FromUnixSeconds(1804579200);

std::string Welcome(absl::string_view event_id, v1::Channel channel = v1::CHANNEL_SMS) {
  return DeliveryIdFor("0165", TriggeringFact::Event(event_id), kReferral, channel);
}

TEST(DeliveryKey, TheSameFactRecipientAndChannelAlwaysGiveTheSameId) {
  const std::string id = Welcome("evt-1");
  EXPECT_EQ(id, Welcome("evt-1"));
  EXPECT_TRUE(IsDeliveryId(id)) << id;
  EXPECT_EQ(id.substr(0, 5), "0165-");
  EXPECT_EQ(id.size(), 31u);
  // A known value, so that a change of the derivation (which would re-send everything in
  // flight during an upgrade) cannot go unnoticed.
  EXPECT_EQ(id, "0165-ZM0W05BJVYF7VA9Q3560W883X4");
}

TEST(DeliveryKey, EachInputChangesTheId) {
  const std::string id = Welcome("evt-1");
  EXPECT_NE(id, Welcome("evt-2"));
  EXPECT_NE(id, Welcome("evt-1", v1::CHANNEL_EMAIL));
  EXPECT_NE(id, DeliveryIdFor("0165", TriggeringFact::Event("evt-1"),
                              "0165-3M5V0Q6Y2ZK4E1N8W9XRTB01JE", v1::CHANNEL_SMS));
  EXPECT_NE(id, DeliveryIdFor("0165", TriggeringFact::Event("evt-1"), kCoordinatorRecipient,
                              v1::CHANNEL_SMS));
  EXPECT_NE(
      id.substr(5),
      DeliveryIdFor("0183", TriggeringFact::Event("evt-1"), kReferral, v1::CHANNEL_SMS).substr(5));
  // The kinds of fact are apart: an event and a request with the same id are two facts.
  EXPECT_NE(id,
            DeliveryIdFor("0165", TriggeringFact::Request("evt-1"), kReferral, v1::CHANNEL_SMS));
}

TEST(DeliveryKey, RemindersAreOnePerSessionStartAndOffset) {
  auto reminder = [](absl::string_view session, absl::Time start, absl::Duration offset) {
    return DeliveryIdFor("0165", TriggeringFact::Reminder(session, start, offset), kReferral,
                         v1::CHANNEL_SMS);
  };
  const std::string day_before = reminder("s-1", kSessionStart, absl::Hours(24));
  EXPECT_EQ(day_before, reminder("s-1", kSessionStart, absl::Hours(24)));
  EXPECT_NE(day_before, reminder("s-1", kSessionStart, absl::Hours(2)));
  EXPECT_NE(day_before, reminder("s-2", kSessionStart, absl::Hours(24)));
  // The session moved: its reminders are new messages.
  EXPECT_NE(day_before, reminder("s-1", kSessionStart + absl::Hours(48), absl::Hours(24)));
  EXPECT_EQ(TriggeringFact::Reminder("s-1", kSessionStart, absl::Minutes(90)).canonical(),
            "reminder:s-1:1804579200:90");
}

TEST(DeliveryKey, IdsDoNotCollide) {
  std::set<std::string> ids;
  for (int i = 0; i < 20000; ++i) ids.insert(Welcome(absl::StrCat("evt-", i)));
  EXPECT_EQ(ids.size(), 20000u);
  for (const auto& id : ids) ASSERT_TRUE(IsDeliveryId(id)) << id;
}

TEST(DeliveryKey, MessageIdRoundTrips) {
  const std::string id = Welcome("evt-1");
  const std::string message_id = MessageIdFor(id);
  EXPECT_EQ(message_id, absl::StrCat("<", id, "@kpr.notify>"));
  EXPECT_EQ(DeliveryIdFromMessageId(message_id), id);
  EXPECT_EQ(DeliveryIdFromMessageId(absl::StrCat(id, "@kpr.notify")), id);
  for (absl::string_view bad : {"", "<>", "<0165-x@kpr.notify>", "<abc@example.invalid>",
                                "<0165-ZM0W05BJVYF7VA9Q3560W883XW@kpr.notify",
                                "0165-ZM0W05BJVYF7VA9Q3560W883XW@other.domain"}) {
    EXPECT_EQ(DeliveryIdFromMessageId(bad), "") << bad;
  }
}

TEST(DeliveryKey, UserrefIsShortAlphanumericAndRoundTrips) {
  const std::string id = Welcome("evt-1");
  const std::string userref = UserrefFor(id);
  EXPECT_EQ(userref.size(), kUserrefLength);
  EXPECT_LE(userref.size(), 32u);
  for (char c : userref) EXPECT_TRUE(absl::ascii_isalnum(c)) << userref;
  EXPECT_EQ(DeliveryIdFromUserref(userref), id);
  for (absl::string_view bad :
       {"", "0165", "0165-ZM0W05BJVYF7VA9Q3560W883X", "0165ZM0W05BJVYF7VA9Q3560W883XU",
        "X165ZM0W05BJVYF7VA9Q3560W883XW"}) {
    EXPECT_EQ(DeliveryIdFromUserref(bad), "") << bad;
  }
}

TEST(DeliveryKey, RejectsMalformedIds) {
  EXPECT_FALSE(IsDeliveryId(""));
  EXPECT_FALSE(IsDeliveryId("0165-ZM0W05BJVYF7VA9Q3560W883X"));    // short
  EXPECT_FALSE(IsDeliveryId("0165-ZM0W05BJVYF7VA9Q3560W883XWC"));  // long
  EXPECT_FALSE(IsDeliveryId("0165-zM0W05BJVYF7VA9Q3560W883X4"));   // lower case
  EXPECT_FALSE(IsDeliveryId("0165-OM0W05BJVYF7VA9Q3560W883X4"));   // O is not Crockford
  EXPECT_FALSE(IsDeliveryId("016a-ZM0W05BJVYF7VA9Q3560W883XW"));
}

}  // namespace
}  // namespace kpr::notify
