#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_LUA_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_LUA_H_

// The Lua scripts of SchedulingStore (internal). Argument layouts are documented in the .cc.
//
// Write scripts take KEYS = {outbox, timers, timers:data} and start their ARGV with
// (key prefix "kpr:{m}:scheduling:", now ms, trigger id or ""); the other keys they touch are
// built from the prefix, so they stay in the municipality's hash slot. They answer
// {code, ...} with code one of "ok", "same", "dup", "dupreq", "conflict", "waitlisted",
// "enrolled", "already_enrolled", "already_waitlisted" or an error code "not_found", "aborted",
// "precondition", "exists", "invalid" followed by a message.

#include "libs/store/script.h"

namespace kpr::scheduling::lua {

const store::Script& CatalogPut();
const store::Script& Commit();
const store::Script& UpdateSessions();
const store::Script& Transition();
const store::Script& Cancel();
const store::Script& Enroll();
const store::Script& Place();
const store::Script& Unenroll();
const store::Script& Fill();
const store::Script& Leave();

const store::Script& GetCohorts();
const store::Script& ListCohorts();
const store::Script& GetSessions();
const store::Script& CohortSessions();
const store::Script& RangeSessions();
const store::Script& Enrollments();
const store::Script& Waitlist();
const store::Script& Placement();

}  // namespace kpr::scheduling::lua

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_LUA_H_
