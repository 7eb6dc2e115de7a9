#ifndef KPR_TESTS_HARNESS_REDIS_CLUSTER_H_
#define KPR_TESTS_HARNESS_REDIS_CLUSTER_H_

// A real Redis Cluster for tests: 3 primaries + 3 replicas of Debian's redis-server on free
// loopback ports, formed with `redis-cli --cluster create ... --cluster-replicas 1` (package
// redis-tools), each node with its own directory and AOF. Tests can kill and restart nodes,
// fail a primary over to its replica, and move a slot step by step (so clients see MOVED, ASK
// and TRYAGAIN). Every node is stopped when the object goes.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/harness/servers.h"

struct redisContext;  // hiredis

namespace kpr::testing {

class RedisCluster {
 public:
  struct Options {
    int primaries = 3;
    int replicas_per_primary = 1;
    // How long a primary may be unreachable before it is failed over. Redis's default is 15 s;
    // 2000 ms makes an unplanned primary loss recover in about 3-5 s (detection, then the
    // replica's election), which is what the failover tests and the client's retry window
    // (RedisOptions::cluster_retry_window, 6 s) assume.
    int node_timeout_ms = 2000;
    // cluster-announce-hostname localhost + cluster-preferred-endpoint-type hostname: the slot
    // map, MOVED and ASK then name "localhost", as nodes in Kubernetes name their pod DNS names.
    bool announce_localhost = false;
    // With a password: an ACL user `user` (all commands and keys) if `user` is set, and the
    // default user disabled; else `requirepass` for the default user. Replicas authenticate to
    // their primaries with the same credentials.
    std::string user;
    std::string password;
  };

  RedisCluster(std::string dir, Options options);
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  // Starts the nodes, forms the cluster and waits until every node says cluster_state:ok and
  // all agree on the slot owners.
  absl::Status Start();
  void Stop();

  // "redis+cluster://h:p1,h:p2,h:p3": the primaries at formation as seeds (h is localhost when
  // announce_localhost, else 127.0.0.1).
  std::string url() const;
  int size() const { return static_cast<int>(nodes_.size()); }
  int port(int node) const;
  const std::string& id(int node) const;
  bool running(int node);

  // Indices of the nodes that are primaries now (live ones only).
  std::vector<int> Primaries();
  // The node that owns `slot` (from a live node's CLUSTER SLOTS).
  absl::StatusOr<int> PrimaryOfSlot(int slot);
  // A live replica of `primary`, from the cluster's view.
  absl::StatusOr<int> ReplicaOf(int primary);

  // SIGKILL (an unplanned loss) / start again on the same port and directory (it rejoins).
  void Kill(int node);
  absl::Status Restart(int node);
  // CLUSTER FAILOVER on one of the primary's replicas, then waits until that replica is primary
  // and every live node agrees. Returns the new primary.
  absl::StatusOr<int> Failover(int primary);

  // Slot migration, step by step (what `redis-cli --cluster reshard` does):
  // BeginMigration: CLUSTER SETSLOT IMPORTING on the target, MIGRATING on the owner.
  absl::Status BeginMigration(int slot, int to);
  // MIGRATE the given keys (all keys of the slot if empty) from the owner to the target.
  absl::Status MigrateKeys(int slot, const std::vector<std::string>& keys = {});
  // CLUSTER SETSLOT NODE on every primary (target first), then waits until all agree.
  absl::Status FinishMigration(int slot);
  // All three.
  absl::Status MoveSlot(int slot, int to);

  // Runs one command on one node (authenticated). The reply as text: a status, bulk string or
  // integer as is; an array's elements joined by '\n'; an error reply as INTERNAL.
  absl::StatusOr<std::string> Command(int node, const std::vector<std::string>& argv);
  // Waits until every live node says cluster_state:ok and they agree on the slot owners.
  absl::Status WaitStable(absl::Duration timeout = absl::Seconds(20));

 private:
  struct Node {
    int port = 0;
    std::string dir;
    std::string id;
    std::unique_ptr<ChildProcess> process;
  };
  absl::Status StartNode(int node);
  // Connected and authenticated (redisFree it).
  absl::StatusOr<redisContext*> Connect(int node);
  int NodeByPort(int port) const;
  // "start-end:port ..." of every range, as `node` sees it ("" if it does not answer).
  std::string SlotOwners(int node);

  std::string dir_;
  Options options_;
  std::vector<Node> nodes_;
  std::vector<int> seeds_;  // the primaries at formation
  struct Migration {
    int from;
    int to;
  };
  std::map<int, Migration> migrations_;
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_REDIS_CLUSTER_H_
