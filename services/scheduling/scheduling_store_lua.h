#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_LUA_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_LUA_H_

// The Lua scripts of SchedulingStore (internal). Argument layouts are documented where each is
// defined: scheduling_store_lua.cc (prelude, catalog, reads), scheduling_cohort_lua.cc
// (cohorts and sessions), scheduling_enrolment_lua.cc (enrolment and waitlists).
//
// Every script names every key it touches in KEYS (scheduling_keys.h builds them), so Redis
// Cluster checks each one for a moving slot before the script runs; LintScripts(AllScripts())
// checks that no script builds a key. Where a script used to find keys while it ran (a cohort's
// sessions, a program's OPEN cohorts, the cohort a referral is enrolled in), the store reads
// them first and the script checks, before its first write, that what was read still holds;
// if not it answers {'stale', what} and the store reads again and retries.
//
// Write scripts take KEYS = keys::WriteKeys(m) followed by their own, read in order with key(),
// and ARGV = (now ms, trigger id or "") followed by their own, read in order with arg(). They
// answer {code, ...} with code one of "ok", "same", "dup", "dupreq", "conflict", "waitlisted",
// "enrolled", "already_enrolled", "already_waitlisted", "stale" or an error code "not_found",
// "aborted", "precondition", "exists", "invalid" followed by a message.

#include <vector>

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
const store::Script& GetSessions();
const store::Script& Enrollments();
const store::Script& Waitlist();
const store::Script& Placement();

// Every script above (the lint test checks them all).
std::vector<const store::Script*> AllScripts();

}  // namespace kpr::scheduling::lua

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_LUA_H_
