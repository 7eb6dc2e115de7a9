#ifndef KPR_LIBS_STORE_MUNICIPALITY_LEASES_H_
#define KPR_LIBS_STORE_MUNICIPALITY_LEASES_H_

// Spreads per-municipality work (the outbox relay) over a service's replicas: each municipality
// is worked by one replica at a time, the one holding its lease in Redis.
//
// Keys:
//   LeaseKey(m, service, kind)  = "kpr:{<m>}:<service>:<kind>:lease" (the municipality's slot):
//                                 the holder's token, with a TTL (SET NX PX); renewed and
//                                 released only by the token's owner (compare-and-set scripts).
//   HoldersKey(service, kind)   = "kpr:lease-holders:<service>:<kind>": ZSET of the tokens of
//                                 live replicas, scored by their last heartbeat (Unix ms). A
//                                 cross-municipality key, as its name says.
// Each Refresh() beats the heartbeat, renews what this replica holds and takes free leases up to
// its quota (lease_plan.h: the quotas of the live replicas add up to the number of
// municipalities). A replica that dies stops renewing: its leases expire after `ttl` and its
// heartbeat is dropped after `ttl`, and the others take its municipalities at their next
// Refresh, so a takeover takes at most ttl + refresh period (ttl / 3).
//
// Leases here are for sharing the work, not for correctness: the relay stays correct with two
// holders at once (see outbox_relay.h). Holds() answers from memory: a lease counts as held until
// shortly (ttl / 5) before it would expire in Redis if the last renewal was the last.
// Replicas' clocks must agree to well under `ttl` (heartbeats are scored by the local clock).
// Thread-safe; Refresh and ReleaseAll calls should not overlap (one upkeep thread).

#include <atomic>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/redis_pool.h"

namespace kpr::store {

class MunicipalityLeases {
 public:
  struct Options {
    absl::Duration ttl = absl::Seconds(5);
  };

  // `kind` names the work, e.g. "outbox". `pool` must outlive this.
  MunicipalityLeases(RedisPool& pool, std::string service, std::string kind, Options options);

  static std::string LeaseKey(absl::string_view municipality, absl::string_view service,
                              absl::string_view kind);
  static std::string HoldersKey(absl::string_view service, absl::string_view kind);

  // The upkeep over `municipalities` (the whole registry): heartbeat, renew, give back above the
  // quota, take free ones up to it. Three round trips (four when giving back). On error the
  // leases held stay held until their local validity runs out.
  absl::Status Refresh(const std::vector<std::string>& municipalities);
  // True when a Refresh is due (none yet, or the last began ttl / 3 ago).
  bool RefreshDue() const;
  // Whether this replica holds `municipality`'s lease (from memory; see above).
  bool Holds(absl::string_view municipality) const;
  // The municipalities held, sorted.
  std::vector<std::string> Held() const;
  // Gives back every lease held and leaves the live set (on a clean stop).
  absl::Status ReleaseAll();

  int held_count() const { return held_count_.load(); }
  const std::string& token() const { return token_; }

 private:
  RedisPool& pool_;
  const std::string service_;
  const std::string kind_;
  const Options options_;
  const std::string token_;
  const std::string holders_key_;
  mutable absl::Mutex mu_;
  absl::Time last_refresh_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Municipality -> until when this replica may count on its lease.
  absl::flat_hash_map<std::string, absl::Time> held_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> held_count_{0};
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_MUNICIPALITY_LEASES_H_
