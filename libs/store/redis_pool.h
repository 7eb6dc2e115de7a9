#ifndef KPR_LIBS_STORE_REDIS_POOL_H_
#define KPR_LIBS_STORE_REDIS_POOL_H_

// A pool of hiredis 0.14 connections with exclusive checkout: a redisContext is not
// thread-safe and is useless after any error, so each call takes one connection for itself and
// a connection that saw an error is dropped (a new one is made on demand). Connecting is lazy,
// so a service can start before Redis and recovers by itself when Redis comes back.
//
// Status mapping: connection refused / transport failure / timeout -> UNAVAILABLE. A Redis
// error reply -> INTERNAL with the message, except LOADING, BUSY, MASTERDOWN and TRYAGAIN
// (transient server states) -> UNAVAILABLE.

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/redis_reply.h"
#include "libs/store/script.h"

struct redisContext;  // hiredis

namespace kpr::store {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int pool_size = 8;  // most connections open at once
  absl::Duration connect_timeout = absl::Seconds(1);
  absl::Duration command_timeout = absl::Seconds(2);  // per socket read/write
};

// Parses "redis://host[:port][/]" (IPv6 as "[::1]:6379"); other fields keep their defaults.
absl::StatusOr<RedisOptions> RedisOptionsFromUrl(absl::string_view url);

// Maps a Redis error reply text to a status (INTERNAL, or UNAVAILABLE for LOADING / BUSY /
// MASTERDOWN / TRYAGAIN).
absl::Status RedisErrorStatus(absl::string_view error_reply);

class RedisPool {
 public:
  // Never fails: connects lazily.
  explicit RedisPool(RedisOptions options);
  ~RedisPool();
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // One command, binary-safe (argv with lengths). An error reply is returned as a status.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& argv);

  // Pipelined on one connection; replies in command order. Per-command Redis error replies are
  // returned in the vector as error replies (not a failed status). A transport failure is
  // UNAVAILABLE for the whole call (some commands may have run).
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // EVALSHA; on NOSCRIPT loads the script and retries once. A script error reply -> INTERNAL
  // with its message (UNAVAILABLE for the transient ones, see above).
  absl::StatusOr<RedisReply> Eval(const Script& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

  struct ScriptCall {
    const Script* script;
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  // Many script calls pipelined on one connection. One StatusOr per call, in order; a script
  // error reply fails that call only. Scripts not yet known to be loaded are SCRIPT LOADed in
  // the same pipeline, ahead of the calls, so calls run in order. If Redis still answers
  // NOSCRIPT (e.g. after SCRIPT FLUSH), those scripts are loaded and the calls that got NOSCRIPT
  // (and did not run) are re-run in a second round trip, after the others. Transport failure
  // -> UNAVAILABLE for the whole call.
  absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> EvalPipeline(
      const std::vector<ScriptCall>& calls);

  // PING with the command timeout; records the result for last_ping_ok().
  absl::Status Ping();
  bool last_ping_ok() const { return last_ping_ok_.load(std::memory_order_relaxed); }

  const RedisOptions& options() const { return options_; }

 private:
  // A checked-out connection: exclusive to the caller until Release().
  absl::StatusOr<redisContext*> Acquire();
  // healthy=false frees the context (after any error it cannot be reused).
  void Release(redisContext* c, bool healthy);
  absl::StatusOr<redisContext*> Connect();

  // Sends `commands` on `c` and reads exactly one reply per command. On a transport error the
  // context must be discarded.
  absl::Status RunPipeline(redisContext* c, const std::vector<std::vector<std::string>>& commands,
                           std::vector<RedisReply>& replies);

  const RedisOptions options_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<redisContext*> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + checked out + connecting
  // SHA-1s of scripts loaded since the last (re)connect. Cleared on every new connection, since
  // a reconnect may mean the server restarted and lost its script cache.
  absl::flat_hash_set<std::string> loaded_scripts_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> last_ping_ok_{false};
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_REDIS_POOL_H_
