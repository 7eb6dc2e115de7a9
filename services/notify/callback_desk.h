#ifndef KPR_SERVICES_NOTIFY_CALLBACK_DESK_H_
#define KPR_SERVICES_NOTIFY_CALLBACK_DESK_H_
// The SMS gateway's callbacks: delivery reports (POST /callbacks/sms/report) and inbound replies
// (POST /callbacks/sms/reply). Both are authenticated by the body's HMAC signature before they
// are read (401 without a valid one). The answer tells the gateway whether to send again:
//   2xx  handled, or nothing to do (a repeat, a transient status, a userref that is not ours);
//   400  not a report / reply at all (sending it again will not help);
//   409  the report came before our record of the acceptance, or raced another change: retry;
//   503  Redis is down: retry.
#include <string>

#include "absl/strings/string_view.h"
#include "libs/observe/http_server.h"
#include "services/notify/notify_context.h"

namespace kpr::notify {

inline constexpr char kReportPath[] = "/callbacks/sms/report";
inline constexpr char kReplyPath[] = "/callbacks/sms/reply";

class CallbackDesk {
 public:
  // `secret`: KPR_NOTIFY_CALLBACK_SECRET_FILE's content; empty refuses every callback.
  CallbackDesk(const NotifyContext& context, std::string secret)
      : ctx_(context), secret_(std::move(secret)) {}

  observe::HttpResponse OnDeliveryReport(const observe::HttpRequest& request);
  observe::HttpResponse OnInboundReply(const observe::HttpRequest& request);

 private:
  const NotifyContext& ctx_;
  const std::string secret_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_CALLBACK_DESK_H_
