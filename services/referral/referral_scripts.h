#ifndef KPR_SERVICES_REFERRAL_REFERRAL_SCRIPTS_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_SCRIPTS_H_

// The referral service's Lua scripts (their KEYS and ARGV are documented beside them). Each
// declares every key it touches; reads that walk an index are done from C++ (referral_store.cc).

#include <vector>

#include "libs/store/script.h"

namespace kpr::referral {

namespace lua {
const store::Script& Submit();
const store::Script& Update();
const store::Script& Reject();
}  // namespace lua

// Every script above, for the cluster lint (referral_scripts_test.cc).
std::vector<const store::Script*> AllScripts();

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_SCRIPTS_H_
