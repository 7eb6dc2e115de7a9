#ifndef KPR_LIBS_STORE_LEASE_PLAN_H_
#define KPR_LIBS_STORE_LEASE_PLAN_H_

// How replicas share per-municipality leases (municipality_leases.h), as pure functions.
//
// Every live replica knows the same set of live replica tokens (a heartbeat set in Redis). Sorted,
// they give each replica a rank r among L replicas and a quota of n / L municipalities, plus one
// for the first n % L ranks: the quotas add up to n exactly. A replica gives back what it holds
// beyond its quota and takes free leases up to it. While the live set is stable, a replica below
// its quota always finds a free lease (the others hold at most their quotas, which leave at least
// one over), so the holdings converge to the quotas: 10 municipalities over 3 replicas end as
// 4, 3 and 3, and none is left out. Each replica prefers municipalities in its own pseudo-random
// order (a rendezvous hash of its token and the municipality), so replicas starting together do
// not all race for the same leases, and a replica tends to take back what it held before.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kpr::store {

// The quota of the replica `me` among `live_tokens` (which should contain it; if it does not, it
// is counted as one more live replica) for `total` municipalities.
size_t LeaseQuota(size_t total, std::vector<std::string> live_tokens, absl::string_view me);

// Rendezvous weight of (token, municipality): FNV-1a 64, stable across processes.
uint64_t LeasePreference(absl::string_view token, absl::string_view municipality);

struct LeasePlan {
  std::vector<std::string> release;  // held beyond the quota: the least preferred
  std::vector<std::string> acquire;  // free ones to try (SET NX), most preferred first
};
// `held`: the leases `me` holds now; `free`: those nobody holds.
LeasePlan PlanLeases(const std::vector<std::string>& held, const std::vector<std::string>& free,
                     size_t quota, absl::string_view me);

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_LEASE_PLAN_H_
