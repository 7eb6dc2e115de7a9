#ifndef KPR_SERVICES_OUTCOMES_OUTCOMES_STORE_LUA_H_
#define KPR_SERVICES_OUTCOMES_OUTCOMES_STORE_LUA_H_

// The Lua script of OutcomesStore::Commit (internal), the outcomes service's only script. Layout
// (every key in KEYS, consumed in order; every count and value in ARGV, consumed in order; all
// binary-safe):
//   KEYS: outbox, timers, timers:data, [processed:<id> if ARGV[1] == "1"],
//         one key per record write, per tally, per index entry, per hash set (in that order).
//   ARGV: has_processed ("0"/"1"),
//         n_writes,  n x (expected_version, new_version, data),
//         n_tallies, n x (n_fields, n_fields x (field, delta)),
//         n_index,   n x (score, member),
//         n_hash,    n x (field, value),
//         n_events,  n x (event id, subject, serialized event),
//         n_timers,  n x (timer id, due Unix ms, payload),
//         processed TTL seconds.
// Reply: {"ok"}; {"dup"} (the event was applied before, nothing written); or
// {"conflict", <1-based write index>, <version found>} (nothing written).

#include <vector>

#include "libs/store/script.h"

namespace kpr::outcomes {

namespace lua {
const store::Script& Commit();
}  // namespace lua

// Every outcomes script, for the cluster lint (outcomes_scripts_test.cc).
std::vector<const store::Script*> AllScripts();

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOMES_STORE_LUA_H_
