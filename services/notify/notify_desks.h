#ifndef KPR_SERVICES_NOTIFY_NOTIFY_DESKS_H_
#define KPR_SERVICES_NOTIFY_NOTIFY_DESKS_H_
// The notify desks over their one shared context.
#include <string>

#include "services/notify/callback_desk.h"
#include "services/notify/delivery_desk.h"
#include "services/notify/dispatch_desk.h"
#include "services/notify/facts_desk.h"
#include "services/notify/notify_context.h"
#include "services/notify/settings_desk.h"

namespace kpr::notify {

struct NotifyDesks {
  NotifyDesks(NotifyContext ctx, std::string callback_secret)
      : context(std::move(ctx)),
        facts(context),
        dispatch(context),
        deliveries(context, facts),
        settings(context.settings, context.options.clock),
        callbacks(context, std::move(callback_secret)) {}
  NotifyDesks(const NotifyDesks&) = delete;
  NotifyDesks& operator=(const NotifyDesks&) = delete;

  // Timers: "send:<id>" sends a delivery (and, once it is final, purges its body); "rem:..."
  // records a reminder and sends it.
  absl::Status OnTimer(const timer::Timer& t);

  const NotifyContext context;  // first: the desks below refer to it
  FactsDesk facts;
  DispatchDesk dispatch;
  DeliveryDesk deliveries;
  SettingsDesk settings;
  CallbackDesk callbacks;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_NOTIFY_DESKS_H_
