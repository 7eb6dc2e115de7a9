#include "libs/store/cluster_topology.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kpr::store {
namespace {

// An integer reply, or a string holding one.
bool AsInt(const RedisReply& r, long long* out) {
  if (r.is_integer()) {
    *out = r.integer();
    return true;
  }
  return r.is_string() && absl::SimpleAtoi(r.str(), out);
}

bool UsableHost(absl::string_view host) { return !host.empty() && host != "?"; }

absl::Status Malformed(absl::string_view what) {
  return absl::InternalError(absl::StrCat("redis cluster: malformed ", what, " reply"));
}

absl::Status AssignSlots(SlotMap& map, long long first, long long last, int16_t shard) {
  if (first < 0 || last >= kClusterSlots || first > last) return Malformed("slot range in");
  for (long long s = first; s <= last; ++s) map.owner[s] = shard;
  return absl::OkStatus();
}

// Reads a RESP2 key/value array (CLUSTER SHARDS node entries and CLUSTER SLOTS metadata):
// calls `field(name, value)` per pair.
template <typename F>
void ForEachField(const RedisReply& kv, F field) {
  for (size_t i = 0; i + 1 < kv.size(); i += 2) field(kv.element(i).str(), kv.element(i + 1));
}

}  // namespace

const NodeAddress* SlotMap::PrimaryOf(int slot) const {
  if (slot < 0 || slot >= kClusterSlots || owner[slot] < 0) return nullptr;
  return &shards[owner[slot]].primary;
}

int SlotMap::covered() const {
  int n = 0;
  for (int16_t o : owner) n += o >= 0 ? 1 : 0;
  return n;
}

absl::StatusOr<SlotMap> ParseClusterShards(const RedisReply& reply) {
  if (!reply.is_array()) return Malformed("CLUSTER SHARDS");
  SlotMap map;
  for (size_t s = 0; s < reply.size(); ++s) {
    RedisReply shard = reply.element(s);
    RedisReply slots, nodes;
    ForEachField(shard, [&](absl::string_view name, RedisReply value) {
      if (name == "slots") slots = std::move(value);
      if (name == "nodes") nodes = std::move(value);
    });
    ClusterShard out;
    bool healthy_primary = false;
    for (size_t n = 0; n < nodes.size(); ++n) {
      NodeAddress addr;
      std::string ip, endpoint, hostname, role, health;
      long long port = 0;
      ForEachField(nodes.element(n), [&](absl::string_view name, const RedisReply& value) {
        if (name == "port") AsInt(value, &port);
        if (name == "ip") ip = value.string();
        if (name == "endpoint") endpoint = value.string();
        if (name == "hostname") hostname = value.string();
        if (name == "role") role = value.string();
        if (name == "health") health = value.string();
      });
      addr.host = UsableHost(hostname) ? hostname : UsableHost(endpoint) ? endpoint : ip;
      addr.port = static_cast<int>(port);
      if (!UsableHost(addr.host) || addr.port <= 0 || addr.port > 65535) continue;
      if (role == "master" || role == "primary") {
        out.primary = addr;
        healthy_primary = health == "online";
      } else if (health == "online") {
        out.replicas.push_back(addr);
      }
    }
    if (!healthy_primary || slots.size() % 2 != 0) continue;
    const auto index = static_cast<int16_t>(map.shards.size());
    map.shards.push_back(std::move(out));
    for (size_t i = 0; i + 1 < slots.size(); i += 2) {
      long long first = 0, last = 0;
      if (!AsInt(slots.element(i), &first) || !AsInt(slots.element(i + 1), &last)) {
        return Malformed("CLUSTER SHARDS");
      }
      if (auto st = AssignSlots(map, first, last, index); !st.ok()) return st;
    }
  }
  return map;
}

absl::StatusOr<SlotMap> ParseClusterSlots(const RedisReply& reply) {
  if (!reply.is_array()) return Malformed("CLUSTER SLOTS");
  SlotMap map;
  for (size_t r = 0; r < reply.size(); ++r) {
    RedisReply range = reply.element(r);
    long long first = 0, last = 0;
    if (range.size() < 3 || !AsInt(range.element(0), &first) || !AsInt(range.element(1), &last)) {
      return Malformed("CLUSTER SLOTS");
    }
    std::vector<NodeAddress> nodes;  // primary first
    for (size_t n = 2; n < range.size(); ++n) {
      RedisReply node = range.element(n);
      long long port = 0;
      std::string host = node.element(0).string();
      AsInt(node.element(1), &port);
      ForEachField(node.element(3), [&](absl::string_view name, const RedisReply& value) {
        if (name == "hostname" && UsableHost(value.str())) host = value.string();
      });
      if (!UsableHost(host) || port <= 0 || port > 65535) continue;
      nodes.push_back(NodeAddress{host, static_cast<int>(port)});
    }
    if (nodes.empty()) continue;
    // One shard can own several ranges: one entry per primary.
    int16_t index = -1;
    for (size_t i = 0; i < map.shards.size(); ++i) {
      if (map.shards[i].primary == nodes[0]) index = static_cast<int16_t>(i);
    }
    if (index < 0) {
      index = static_cast<int16_t>(map.shards.size());
      map.shards.push_back(ClusterShard{nodes[0], {nodes.begin() + 1, nodes.end()}});
    }
    if (auto st = AssignSlots(map, first, last, index); !st.ok()) return st;
  }
  return map;
}

}  // namespace kpr::store
