#ifndef KPR_LIBS_TIMER_TIMER_SCRIPTS_H_
#define KPR_LIBS_TIMER_TIMER_SCRIPTS_H_

// The timer library's Lua scripts (KEYS and ARGV documented where they are defined).

#include <vector>

#include "libs/store/script.h"

namespace kpr::timer {

namespace lua {
const store::Script& Schedule();  // timer_store.cc
const store::Script& Cancel();    // timer_store.cc
const store::Script& Claim();     // timer_worker.cc
const store::Script& Settle();    // timer_worker.cc
}  // namespace lua

// Every script above, for the cluster lint (timer_scripts_test.cc). kTimerScheduleLua is linted
// inside Schedule and inside every service script that includes it.
std::vector<const store::Script*> AllScripts();

}  // namespace kpr::timer

#endif  // KPR_LIBS_TIMER_TIMER_SCRIPTS_H_
