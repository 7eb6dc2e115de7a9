#ifndef KPR_SERVICES_NOTIFY_NOTIFY_SCRIPTS_H_
#define KPR_SERVICES_NOTIFY_NOTIFY_SCRIPTS_H_

// The notify service's Lua scripts, each defined (with its KEYS and ARGV) beside the store that
// runs it.

#include <vector>

#include "libs/store/script.h"

namespace kpr::notify {

namespace lua {
const store::Script& DeliveryRecord();  // delivery_store.cc
const store::Script& DeliveryUpdate();  // delivery_store.cc
const store::Script& SettingsPut();     // settings_store.cc
const store::Script& RateLimitTake();   // rate_limit.cc
const store::Script& RosterSessions();  // roster_store.cc
}  // namespace lua

// Every script above, for the cluster lint (notify_scripts_test.cc). The timer scripts notify's
// workers run are libs/timer's.
std::vector<const store::Script*> AllScripts();

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_NOTIFY_SCRIPTS_H_
