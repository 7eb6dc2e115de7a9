#ifndef KPR_LIBS_STORE_CLUSTER_TOPOLOGY_H_
#define KPR_LIBS_STORE_CLUSTER_TOPOLOGY_H_

// The slot map of a Redis Cluster, parsed from a CLUSTER SHARDS (7.0+) or CLUSTER SLOTS reply.
// Pure: the replies come from cluster_router.cc, or from RESP bytes in the tests.

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/store/cluster_slot.h"
#include "libs/store/redis_reply.h"

namespace kpr::store {

struct ClusterShard {
  NodeAddress primary;
  std::vector<NodeAddress> replicas;
};

struct SlotMap {
  std::vector<ClusterShard> shards;
  // kClusterSlots entries: the index in `shards` of the slot's primary, -1 if no healthy
  // primary owns it (unassigned, or its primary failed and no replica took over yet).
  std::vector<int16_t> owner = std::vector<int16_t>(kClusterSlots, -1);

  // The primary of `slot`, or nullptr.
  const NodeAddress* PrimaryOf(int slot) const;
  // Slots with a primary.
  int covered() const;
};

// Node host choice, for both parsers: the announced hostname if any (cluster-announce-hostname,
// as in Kubernetes), else the endpoint, else the IP. Slot numbers are accepted as integers or as
// strings (7.0.x releases differ). Only primaries whose health is "online" own slots.
absl::StatusOr<SlotMap> ParseClusterShards(const RedisReply& reply);
absl::StatusOr<SlotMap> ParseClusterSlots(const RedisReply& reply);

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_CLUSTER_TOPOLOGY_H_
