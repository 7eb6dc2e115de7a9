#include "services/notify/channel_choice.h"

#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

using intake::v1::ContactChannel;

ChannelFacts Both(ContactChannel preferred) {
  ChannelFacts f;
  f.preferred = preferred;
  f.has_phone = true;
  f.has_email = true;
  return f;
}

void ExpectSent(const ChannelFacts& f, v1::Channel channel, bool fallback) {
  ChannelDecision d = ChooseChannel(f);
  EXPECT_FALSE(d.skipped());
  EXPECT_EQ(d.channel, channel);
  EXPECT_EQ(d.skip_reason, v1::DELIVERY_REASON_UNSPECIFIED);
  EXPECT_EQ(d.fallback, fallback);
}

void ExpectSkipped(const ChannelFacts& f, v1::DeliveryReason reason) {
  ChannelDecision d = ChooseChannel(f);
  EXPECT_TRUE(d.skipped());
  EXPECT_EQ(d.channel, v1::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(d.skip_reason, reason) << v1::DeliveryReason_Name(d.skip_reason);
}

TEST(ChannelChoice, ThePreferredChannelDecides) {
  ExpectSent(Both(intake::v1::CONTACT_CHANNEL_SMS), v1::CHANNEL_SMS, false);
  ExpectSent(Both(intake::v1::CONTACT_CHANNEL_EMAIL), v1::CHANNEL_EMAIL, false);
  // No preference: SMS first.
  ExpectSent(Both(intake::v1::CONTACT_CHANNEL_UNSPECIFIED), v1::CHANNEL_SMS, false);
}

TEST(ChannelChoice, AMissingContactPointFallsBackToTheOther) {
  ChannelFacts sms = Both(intake::v1::CONTACT_CHANNEL_SMS);
  sms.has_phone = false;
  ExpectSent(sms, v1::CHANNEL_EMAIL, true);
  ChannelFacts email = Both(intake::v1::CONTACT_CHANNEL_EMAIL);
  email.has_email = false;
  ExpectSent(email, v1::CHANNEL_SMS, true);
  ChannelFacts none = Both(intake::v1::CONTACT_CHANNEL_UNSPECIFIED);
  none.has_phone = false;
  ExpectSent(none, v1::CHANNEL_EMAIL, true);
}

TEST(ChannelChoice, PhoneCallAndLetterAreSkippedWhateverContactPointsExist) {
  ExpectSkipped(Both(intake::v1::CONTACT_CHANNEL_PHONE_CALL),
                v1::DELIVERY_REASON_PREFERS_PHONE_CALL);
  ExpectSkipped(Both(intake::v1::CONTACT_CHANNEL_LETTER), v1::DELIVERY_REASON_PREFERS_LETTER);
}

TEST(ChannelChoice, NoContactPointIsSkipped) {
  for (ContactChannel p : {intake::v1::CONTACT_CHANNEL_SMS, intake::v1::CONTACT_CHANNEL_EMAIL,
                           intake::v1::CONTACT_CHANNEL_UNSPECIFIED}) {
    ChannelFacts f;
    f.preferred = p;
    ExpectSkipped(f, v1::DELIVERY_REASON_NO_CONTACT_POINT);
  }
}

TEST(ChannelChoice, AnOptOutOrStopMovesToTheOtherChannel) {
  ChannelFacts opted_out = Both(intake::v1::CONTACT_CHANNEL_SMS);
  opted_out.sms_opted_out = true;
  ExpectSent(opted_out, v1::CHANNEL_EMAIL, true);
  ChannelFacts stop = Both(intake::v1::CONTACT_CHANNEL_SMS);
  stop.phone_suppressed = true;
  ExpectSent(stop, v1::CHANNEL_EMAIL, true);
  ChannelFacts email_out = Both(intake::v1::CONTACT_CHANNEL_EMAIL);
  email_out.email_opted_out = true;
  ExpectSent(email_out, v1::CHANNEL_SMS, true);
}

TEST(ChannelChoice, WhenNothingIsLeftTheCitizensOwnChoiceIsTheReason) {
  ChannelFacts stop_only = Both(intake::v1::CONTACT_CHANNEL_SMS);
  stop_only.has_email = false;
  stop_only.phone_suppressed = true;
  ExpectSkipped(stop_only, v1::DELIVERY_REASON_SUPPRESSED);
  // STOP outranks an opt-out of the same number: it holds in every municipality.
  stop_only.sms_opted_out = true;
  ExpectSkipped(stop_only, v1::DELIVERY_REASON_SUPPRESSED);
  // Prefers SMS but has no phone; opted out of e-mail.
  ChannelFacts email_out = Both(intake::v1::CONTACT_CHANNEL_SMS);
  email_out.has_phone = false;
  email_out.email_opted_out = true;
  ExpectSkipped(email_out, v1::DELIVERY_REASON_OPTED_OUT);
  // Both opted out: the preferred channel's reason.
  ChannelFacts all_out = Both(intake::v1::CONTACT_CHANNEL_EMAIL);
  all_out.email_opted_out = true;
  all_out.phone_suppressed = true;
  ExpectSkipped(all_out, v1::DELIVERY_REASON_OPTED_OUT);
  // An opt-out of a channel the citizen has no contact point for changes nothing.
  ChannelFacts irrelevant = Both(intake::v1::CONTACT_CHANNEL_SMS);
  irrelevant.has_email = false;
  irrelevant.email_opted_out = true;
  ExpectSent(irrelevant, v1::CHANNEL_SMS, false);
}

}  // namespace
}  // namespace kpr::notify
