#include "services/notify/channel_choice.h"

namespace kpr::notify {
namespace {

// Why `channel` cannot be used, or UNSPECIFIED when it can.
v1::DeliveryReason Blocked(const ChannelFacts& f, v1::Channel channel) {
  const bool sms = channel == v1::CHANNEL_SMS;
  if (!(sms ? f.has_phone : f.has_email)) return v1::DELIVERY_REASON_NO_CONTACT_POINT;
  if (sms && f.phone_suppressed) return v1::DELIVERY_REASON_SUPPRESSED;
  if (sms ? f.sms_opted_out : f.email_opted_out) return v1::DELIVERY_REASON_OPTED_OUT;
  return v1::DELIVERY_REASON_UNSPECIFIED;
}

ChannelDecision Skip(v1::DeliveryReason reason) {
  ChannelDecision d;
  d.skip_reason = reason;
  return d;
}

}  // namespace

ChannelDecision ChooseChannel(const ChannelFacts& facts) {
  v1::Channel first = v1::CHANNEL_SMS;
  switch (facts.preferred) {
    case intake::v1::CONTACT_CHANNEL_PHONE_CALL:
      return Skip(v1::DELIVERY_REASON_PREFERS_PHONE_CALL);
    case intake::v1::CONTACT_CHANNEL_LETTER:
      return Skip(v1::DELIVERY_REASON_PREFERS_LETTER);
    case intake::v1::CONTACT_CHANNEL_EMAIL:
      first = v1::CHANNEL_EMAIL;
      break;
    default:  // SMS, unspecified, or a value newer than this code
      break;
  }
  const v1::Channel second = first == v1::CHANNEL_SMS ? v1::CHANNEL_EMAIL : v1::CHANNEL_SMS;
  const v1::DeliveryReason first_blocked = Blocked(facts, first);
  if (first_blocked == v1::DELIVERY_REASON_UNSPECIFIED) return {first, first_blocked, false};
  const v1::DeliveryReason second_blocked = Blocked(facts, second);
  if (second_blocked == v1::DELIVERY_REASON_UNSPECIFIED) return {second, second_blocked, true};
  // Neither works. Say what the citizen did (opted out, STOP) over a missing contact point.
  if (first_blocked != v1::DELIVERY_REASON_NO_CONTACT_POINT) return Skip(first_blocked);
  return Skip(second_blocked);
}

}  // namespace kpr::notify
