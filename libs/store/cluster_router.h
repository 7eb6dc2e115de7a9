#ifndef KPR_LIBS_STORE_CLUSTER_ROUTER_H_
#define KPR_LIBS_STORE_CLUSTER_ROUTER_H_

// Where RedisPool's commands go, and what happens when a server says "not here". One server
// (redis://) is the degenerate case: one node, no slot map, no redirections; only NOSCRIPT is
// handled (load the script, run the call again).
//
// In cluster mode (redis+cluster://) the router keeps the slot map (CLUSTER SHARDS, falling back
// to CLUSTER SLOTS; re-read when older than cluster_refresh_interval, on MOVED and when a node
// cannot be reached) and one RedisNode pool per node. A batch of commands is split by the node of
// each command's routing key (cluster_command.h) and sent to each node as one pipeline; results
// go back in the caller's order. Per command:
//   MOVED        -> re-read the map, retry on the named node;
//   ASK          -> retry on the named node with ASKING in front, without touching the map; every
//                   later retry of that command (after TRYAGAIN, or after NOSCRIPT and a SCRIPT
//                   LOAD) is preceded by ASKING again, since it covers the next command only;
//   TRYAGAIN / CLUSTERDOWN, a node that refuses connections, a slot without a primary
//                -> back off (20 ms doubling to 500 ms) and retry until cluster_retry_window;
//   NOSCRIPT     -> SCRIPT LOAD on that node, retry.
// At most cluster_max_redirects MOVED/ASK per command. A failure after the command may have
// reached a server (a broken connection, a timeout) is not retried: it may have run.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/cluster_topology.h"
#include "libs/store/redis_node.h"
#include "libs/store/redis_options.h"
#include "libs/store/redis_reply.h"
#include "libs/store/script.h"

namespace kpr::store {

// Counters since the pool was made (for tests and metrics).
struct RedisClusterStats {
  uint64_t moved = 0;
  uint64_t ask = 0;
  uint64_t tryagain = 0;     // TRYAGAIN and CLUSTERDOWN replies retried
  uint64_t noscript = 0;     // NOSCRIPT replies answered with a SCRIPT LOAD
  uint64_t unreachable = 0;  // node connections refused, retried after a map refresh
  uint64_t map_refreshes = 0;
};

class ClusterRouter {
 public:
  // `options` must outlive the router.
  explicit ClusterRouter(const RedisOptions& options);
  ~ClusterRouter();

  struct Op {
    const std::vector<std::string>* argv;  // non-empty
    const Script* script = nullptr;        // set for EVALSHA calls: what to load on NOSCRIPT
  };
  // One result per op, in order: the reply (Redis error replies in place), or a status: the
  // script's load error, INVALID_ARGUMENT for a script call without keys in cluster mode,
  // UNAVAILABLE when redirections ran out. The whole call fails on a transport failure
  // (UNAVAILABLE; some ops may have run) or a failed AUTH (UNAUTHENTICATED).
  absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> Run(const std::vector<Op>& ops);

  RedisClusterStats stats() const;

 private:
  struct OpState;
  struct Round;

  RedisNode* NodeFor(const NodeAddress& address) ABSL_LOCKS_EXCLUDED(mu_);
  // The node an op goes to now, or nullptr (no primary for its slot: wait for the map).
  RedisNode* Resolve(const Op& op, OpState& state, const SlotMap* map,
                     absl::StatusOr<RedisReply>& result);
  absl::Status RunOnNode(RedisNode* node, const std::vector<Op>& ops,
                         const std::vector<size_t>& indices, std::vector<OpState>& states,
                         std::vector<absl::StatusOr<RedisReply>>& results, Round& round);
  // Re-reads the slot map unless someone did since `seen_generation`.
  absl::Status Refresh(uint64_t seen_generation) ABSL_LOCKS_EXCLUDED(refresh_mu_, mu_);
  // Nodes to ask for the map or to send keyless commands to: the primaries, then the seeds.
  std::vector<NodeAddress> Candidates() ABSL_LOCKS_EXCLUDED(mu_);

  const RedisOptions& options_;
  std::unique_ptr<RedisNode> single_;  // not in cluster mode

  absl::Mutex refresh_mu_;  // one map refresh at a time
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<RedisNode>> nodes_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const SlotMap> map_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time refreshed_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  std::atomic<uint64_t> moved_{0}, ask_{0}, tryagain_{0}, noscript_{0}, unreachable_{0},
      refreshes_{0};
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_CLUSTER_ROUTER_H_
