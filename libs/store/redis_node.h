#ifndef KPR_LIBS_STORE_REDIS_NODE_H_
#define KPR_LIBS_STORE_REDIS_NODE_H_

// The connections to one Redis server: a pool of hiredis 0.14 contexts with exclusive checkout (a
// redisContext is not thread-safe and is useless after any error, so a connection that saw an
// error is dropped and a new one made on demand). Connecting is lazy; every new connection is
// authenticated (AUTH [user] password) when a password is configured. Also remembers which
// scripts this server has loaded since our last new connection to it. Used by ClusterRouter, once
// per node (one node when not in cluster mode).

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/store/cluster_slot.h"
#include "libs/store/redis_options.h"
#include "libs/store/redis_reply.h"

struct redisContext;  // hiredis

namespace kpr::store {

class RedisNode {
 public:
  RedisNode(NodeAddress address, const RedisOptions& options);
  ~RedisNode();
  RedisNode(const RedisNode&) = delete;
  RedisNode& operator=(const RedisNode&) = delete;

  // Sends `commands` pipelined on one connection and reads exactly one reply per command, in
  // order (error replies in place). A transport failure is UNAVAILABLE and drops the connection;
  // then *sent (if given) says whether anything may have reached the server: false when no
  // connection could be made, so the call is safe to send elsewhere. A failed AUTH is
  // UNAUTHENTICATED (the password never appears in the message).
  absl::StatusOr<std::vector<RedisReply>> Run(const std::vector<std::vector<std::string>>& commands,
                                              bool* sent = nullptr);
  // The same without copying the commands (big pipelines, big values).
  absl::StatusOr<std::vector<RedisReply>> Run(
      const std::vector<const std::vector<std::string>*>& commands, bool* sent = nullptr);

  // Scripts known to be in this server's cache. Cleared on every new connection: a new
  // connection may mean the server restarted, or that a replica took over, with an empty cache.
  bool ScriptLoaded(const std::string& sha1);
  void SetScriptLoaded(const std::string& sha1, bool loaded);

  const NodeAddress& address() const { return address_; }
  const std::string& name() const { return name_; }

 private:
  absl::StatusOr<redisContext*> Acquire();
  // healthy=false frees the context (after any error it cannot be reused).
  void Release(redisContext* c, bool healthy);
  absl::StatusOr<redisContext*> Connect();
  absl::Status Authenticate(redisContext* c);

  const NodeAddress address_;
  const std::string name_;
  const RedisOptions& options_;  // owned by the RedisPool, which outlives its nodes
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<redisContext*> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + checked out + connecting
  absl::flat_hash_set<std::string> loaded_scripts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_REDIS_NODE_H_
