#ifndef KPR_TOOLS_KPRCTL_NOTIFY_FORMAT_H_
#define KPR_TOOLS_KPRCTL_NOTIFY_FORMAT_H_

// Plain-text output of kprctl's notify commands (--json prints the messages instead). Pure:
// each function returns the text, every line ending in "\n". Times are Danish
// (Europe/Copenhagen). Recipients are only ever shown masked, as the service sends them.

#include <string>

#include "kpr/notify/v1/notify.pb.h"
#include "kpr/notify/v1/notify_service.pb.h"

namespace kpr::kprctl {

namespace nv1 = ::kpr::notify::v1;

// ---- Pieces -------------------------------------------------------------------------------

// Short names, as the parsers take them: "session_reminder", "sms", "failed", "da",
// "opted_out", "gsm7".
std::string TriggerName(nv1::Trigger trigger);
std::string ChannelName(nv1::Channel channel);
std::string DeliveryStatusName(nv1::DeliveryStatus status);
std::string LanguageName(nv1::Language language);
std::string DeliveryReasonName(nv1::DeliveryReason reason);
std::string SmsEncodingName(nv1::SmsEncoding encoding);
// A reminder offset as --offsets takes it: "24h", "1h30m".
std::string FormatOffset(const google::protobuf::Duration& offset);

// ---- Responses ----------------------------------------------------------------------------

// A summary line, then one row a delivery: DELIVERY, REFERRAL, TRIGGER, CHANNEL, STATUS,
// REASON, RECIPIENT (masked), ATTEMPTS, SEGMENTS (SMS only), SENT, FINISHED and NOTE
// ("possibly duplicated", "outcome unknown"); then the next page's token when there is one.
std::string FormatDeliveries(const nv1::ListDeliveriesResponse& response);
std::string FormatPreferences(const nv1::Preferences& preferences);
// Per template: trigger, language, version (or kpr's default), who saved it when, then its
// texts, indented.
std::string FormatTemplates(const nv1::ListTemplatesResponse& response);
// After `templates upsert`: "Saved template welcome/da of 0165: version 4.".
std::string FormatTemplateSaved(const nv1::Template& saved);
// The rendered SMS with its encoding, segments and units, the e-mail parts and the warnings.
std::string FormatPreview(const nv1::PreviewMessageResponse& response);
// Queued and skipped, then the delivery ids (beside their referral ids when the request named
// them and the counts agree).
std::string FormatSendResult(const nv1::SendMessageRequest& request,
                             const nv1::SendMessageResponse& response);
std::string FormatReminderOffsets(const nv1::ReminderOffsets& offsets);
std::string FormatCoordinatorContact(const nv1::CoordinatorContact& contact);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_NOTIFY_FORMAT_H_
