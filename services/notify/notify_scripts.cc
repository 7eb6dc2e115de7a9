#include "services/notify/notify_scripts.h"

namespace kpr::notify {

std::vector<const store::Script*> AllScripts() {
  return {&lua::DeliveryRecord(), &lua::DeliveryUpdate(), &lua::SettingsPut(),
          &lua::RateLimitTake(), &lua::RosterSessions()};
}

}  // namespace kpr::notify
