#ifndef KPR_LIBS_STORE_REDIS_POOL_H_
#define KPR_LIBS_STORE_REDIS_POOL_H_

// Redis for every service: one server (redis://host:port) or a Redis Cluster
// (redis+cluster://h1:p1,h2:p2,...), with the same calls. Per server, a pool of hiredis 0.14
// connections with exclusive checkout (redis_node.h); connecting is lazy, so a service can start
// before Redis and recovers by itself when Redis comes back. In a cluster each command goes to
// the primary of its key's slot, pipelines are split per node, and MOVED / ASK / TRYAGAIN /
// CLUSTERDOWN / NOSCRIPT and failovers are handled inside (cluster_router.h). Every kpr key
// carries the {municipality} hash tag, so every call is single-slot.
//
// Status mapping: connection refused / transport failure / timeout -> UNAVAILABLE. A Redis
// error reply -> INTERNAL with the message, except LOADING, BUSY, MASTERDOWN, TRYAGAIN, READONLY
// and CLUSTERDOWN (transient server states) -> UNAVAILABLE. A failed AUTH -> UNAUTHENTICATED.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/store/cluster_router.h"
#include "libs/store/redis_options.h"
#include "libs/store/redis_reply.h"
#include "libs/store/script.h"

namespace kpr::store {

class RedisPool {
 public:
  // Never fails: connects lazily.
  explicit RedisPool(RedisOptions options);
  ~RedisPool();
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // One command, binary-safe (argv with lengths). An error reply is returned as a status.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& argv);

  // Pipelined (one pipeline per node in a cluster); replies in command order. Per-command Redis
  // error replies are returned in the vector as error replies (not a failed status). A transport
  // failure is UNAVAILABLE for the whole call (some commands may have run).
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // EVALSHA; on NOSCRIPT loads the script and retries. A script error reply -> INTERNAL
  // with its message (UNAVAILABLE for the transient ones, see above). In a cluster a script
  // without keys cannot be routed: INVALID_ARGUMENT naming it.
  absl::StatusOr<RedisReply> Eval(const Script& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

  struct ScriptCall {
    const Script* script;
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  // Many script calls pipelined (per node in a cluster). One StatusOr per call, in order; a
  // script error reply fails that call only. Scripts not yet known to be loaded on a node are
  // SCRIPT LOADed in the same pipeline, ahead of the calls, so calls run in order. If Redis still
  // answers NOSCRIPT (e.g. after SCRIPT FLUSH or a failover), those scripts are loaded and the
  // calls that got NOSCRIPT (and did not run) are re-run in a second round trip, after the
  // others. Transport failure -> UNAVAILABLE for the whole call.
  absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> EvalPipeline(
      const std::vector<ScriptCall>& calls);

  // PING (any primary in a cluster) with the command timeout; records the result for
  // last_ping_ok().
  absl::Status Ping();
  bool last_ping_ok() const { return last_ping_ok_.load(std::memory_order_relaxed); }

  const RedisOptions& options() const { return options_; }
  // Redirections, retries and map refreshes so far (all zero for one server but NOSCRIPT).
  RedisClusterStats cluster_stats() const { return router_->stats(); }

 private:
  const RedisOptions options_;
  std::unique_ptr<ClusterRouter> router_;
  std::atomic<bool> last_ping_ok_{false};
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_REDIS_POOL_H_
