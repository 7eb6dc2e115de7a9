#include "libs/timer/timer_scripts.h"

namespace kpr::timer {

std::vector<const store::Script*> AllScripts() {
  return {&lua::Schedule(), &lua::Cancel(), &lua::Claim(), &lua::Settle()};
}

}  // namespace kpr::timer
