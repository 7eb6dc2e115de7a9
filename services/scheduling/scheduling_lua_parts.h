#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_LUA_PARTS_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_LUA_PARTS_H_

// How the scheduling scripts are put together (internal to scheduling_*_lua.cc).

#include "libs/store/script.h"

namespace kpr::scheduling::lua {

// A write script: the outbox and timer helpers, the rows, the write prelude, then `body`.
const store::Script* WriteScript(const char* name, const char* body);
// A read script: the rows, then `body`.
const store::Script* ReadScript(const char* name, const char* body);

}  // namespace kpr::scheduling::lua

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_LUA_PARTS_H_
