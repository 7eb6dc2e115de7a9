#ifndef KPR_SERVICES_NOTIFY_CHANNEL_CHOICE_H_
#define KPR_SERVICES_NOTIFY_CHANNEL_CHOICE_H_

// Which channel a message to a citizen goes by (issue 11, "Which channel"). The referral's
// preferred channel decides: SMS goes as SMS, EMAIL as e-mail; when that contact point is
// missing, or the citizen has opted out of that channel, or the number replied STOP, the other
// one is used when it can be. PHONE_CALL and LETTER get no automatic message: the coordinator
// calls or writes, and the delivery is recorded as skipped with the reason so they see it in
// ListDeliveries. A referral without a preference is treated as preferring SMS (reminders are
// read on the phone). Pure.

#include "kpr/intake/v1/referral_submitted.pb.h"
#include "kpr/notify/v1/notify.pb.h"

namespace kpr::notify {

struct ChannelFacts {
  intake::v1::ContactChannel preferred = intake::v1::CONTACT_CHANNEL_UNSPECIFIED;
  bool has_phone = false;
  bool has_email = false;
  bool sms_opted_out = false;
  bool email_opted_out = false;
  // The number is on the STOP list (for every municipality).
  bool phone_suppressed = false;
};

struct ChannelDecision {
  // CHANNEL_UNSPECIFIED when skipped.
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  // Set when skipped: PREFERS_PHONE_CALL, PREFERS_LETTER, NO_CONTACT_POINT, OPTED_OUT or
  // SUPPRESSED (the reason that blocked the preferred channel wins over the other's).
  v1::DeliveryReason skip_reason = v1::DELIVERY_REASON_UNSPECIFIED;
  // The message goes by the other channel than the preferred one.
  bool fallback = false;

  bool skipped() const { return channel == v1::CHANNEL_UNSPECIFIED; }
};

ChannelDecision ChooseChannel(const ChannelFacts& facts);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_CHANNEL_CHOICE_H_
