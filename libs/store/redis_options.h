#ifndef KPR_LIBS_STORE_REDIS_OPTIONS_H_
#define KPR_LIBS_STORE_REDIS_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/store/cluster_slot.h"

namespace kpr::store {

struct RedisOptions {
  // One server (redis://host:port).
  std::string host = "127.0.0.1";
  int port = 6379;
  // A Redis Cluster (redis+cluster://h1:p1,h2:p2,...): the seed nodes the slot map is first read
  // from; host and port are then unused.
  bool cluster = false;
  std::vector<NodeAddress> seeds;
  // Sent as AUTH <user> <password> (AUTH <password> without a user) after every connect; no
  // AUTH when the password is empty.
  std::string user;
  std::string password;
  int pool_size = 8;  // most connections open at once, per node
  absl::Duration connect_timeout = absl::Seconds(1);
  absl::Duration command_timeout = absl::Seconds(2);  // per socket read/write
  // Cluster only. How long a call keeps retrying through a failover (connection refused,
  // CLUSTERDOWN, TRYAGAIN) before it is UNAVAILABLE: above the cluster's failure detection
  // (cluster-node-timeout plus an election; the test harness uses 2 s).
  absl::Duration cluster_retry_window = absl::Seconds(6);
  // How old the slot map may get before a call re-reads it (it is also re-read on MOVED).
  absl::Duration cluster_refresh_interval = absl::Seconds(15);
  // MOVED/ASK redirections per command, so a flapping map cannot loop forever.
  int cluster_max_redirects = 5;
};

// Parses "redis://host[:port][/]" (IPv6 as "[::1]:6379") or "redis+cluster://h1:p1,h2:p2,..."
// (the scheme once, then seed nodes; hosts may be names). Port defaults to 6379. Other fields
// keep their defaults.
absl::StatusOr<RedisOptions> RedisOptionsFromUrl(absl::string_view url);

// Maps a Redis error reply text to a status (INTERNAL, or UNAVAILABLE for LOADING / BUSY /
// MASTERDOWN / TRYAGAIN / READONLY / CLUSTERDOWN).
absl::Status RedisErrorStatus(absl::string_view error_reply);

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_REDIS_OPTIONS_H_
