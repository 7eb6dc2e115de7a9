#ifndef KPR_TESTS_HARNESS_NATS_CLUSTER_H_
#define KPR_TESTS_HARNESS_NATS_CLUSTER_H_

// A 3-node NATS JetStream cluster on free loopback ports, for tests of what kpr does when a
// server (or a stream's leader) dies: each node has its own server_name ("kpr-n<i>"), client
// port, monitor port, cluster port (routes to the other two) and JetStream store directory.
// Nodes can be SIGKILLed and restarted on the same ports and store directory.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/harness/servers.h"

namespace kpr::testing {

class NatsCluster {
 public:
  static constexpr int kNodes = 3;

  // Picks the ports and writes each node's configuration under `dir`; Start() runs them.
  explicit NatsCluster(std::string dir);
  ~NatsCluster();  // SIGKILLs what still runs
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // Starts every node and waits until each sees a JetStream meta leader. If a node could not
  // bind its ports, starts all again on fresh ones: read url() and port() after Start().
  absl::Status Start(absl::Duration timeout = absl::Seconds(30));

  // "nats://127.0.0.1:p0,nats://127.0.0.1:p1,nats://127.0.0.1:p2" (what KPR_NATS_URL takes).
  std::string url() const;
  std::string url(int node) const;  // one node's "nats://127.0.0.1:p"
  int port(int node) const { return nodes_[node].port; }
  int monitor_port(int node) const { return nodes_[node].monitor_port; }
  std::string server_name(int node) const;
  bool running(int node);

  // SIGKILL: no lame duck, no goodbye to the cluster, as when a machine dies.
  void Kill(int node);
  // Starts the node again (same ports, same store directory) and waits until it accepts
  // clients and sees a meta leader.
  absl::Status Restart(int node, absl::Duration timeout = absl::Seconds(30));

  // The node leading `stream` now, from $JS.API.STREAM.INFO (asked of the running nodes);
  // retries until `timeout` while the stream has no leader (e.g. during an election).
  absl::StatusOr<int> StreamLeader(const std::string& stream,
                                   absl::Duration timeout = absl::Seconds(15));
  // Kills the stream's leader; returns which node it was.
  absl::StatusOr<int> KillStreamLeader(const std::string& stream);

 private:
  struct Node {
    int port = 0;
    int monitor_port = 0;
    int cluster_port = 0;
    std::string dir;
    std::unique_ptr<ChildProcess> process;
  };

  // Picks fresh ports for every node and writes their configurations.
  void AssignPorts();
  absl::Status StartOnce(absl::Time deadline);
  absl::Status StartNode(int node);
  std::string LogTail(int node) const;
  // Until the node's monitor (/jsz) names a JetStream meta leader.
  absl::Status WaitForMetaLeader(int node, absl::Time deadline);
  std::string ConfigPath(int node) const;

  std::string dir_;
  std::vector<Node> nodes_;
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_NATS_CLUSTER_H_
