#include "libs/store/cluster_router.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/store/cluster_command.h"

namespace kpr::store {
namespace {

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(20);
constexpr absl::Duration kMaxBackoff = absl::Milliseconds(500);
// NOSCRIPT answers per call: one is expected after a cache loss; a second can follow a
// redirection to a node whose cache was lost too.
constexpr int kMaxNoScript = 2;

absl::Status LoadError(const Script& script, const RedisReply& reply) {
  if (reply.is_error()) {
    return absl::InternalError(
        absl::StrCat("redis: SCRIPT LOAD ", script.name(), ": ", reply.str()));
  }
  if (reply.str() != script.sha1()) {
    return absl::InternalError(
        absl::StrCat("redis: SCRIPT LOAD ", script.name(), ": unexpected sha1 ", reply.str()));
  }
  return absl::OkStatus();
}

}  // namespace

struct ClusterRouter::OpState {
  std::optional<NodeAddress> target;  // set by MOVED/ASK; otherwise the slot map decides
  bool asking = false;                // ASKING goes in front of every retry on `target`
  int redirects = 0;
  int noscript = 0;
  int unreachable = 0;  // connection failures, to try the next node for keyless commands
};

// What one pass over the pending ops found.
struct ClusterRouter::Round {
  std::vector<size_t> retry;
  bool refresh = false;  // the map is stale
  bool wait = false;     // back off before retrying
};

ClusterRouter::ClusterRouter(const RedisOptions& options) : options_(options) {
  if (!options_.cluster) {
    single_ = std::make_unique<RedisNode>(NodeAddress{options_.host, options_.port}, options_);
  }
}

ClusterRouter::~ClusterRouter() = default;

RedisClusterStats ClusterRouter::stats() const {
  return {moved_.load(),    ask_.load(),         tryagain_.load(),
          noscript_.load(), unreachable_.load(), refreshes_.load()};
}

RedisNode* ClusterRouter::NodeFor(const NodeAddress& address) {
  std::string name = NodeName(address);
  absl::MutexLock lock(&mu_);
  auto& node = nodes_[name];
  if (node == nullptr) node = std::make_unique<RedisNode>(address, options_);
  return node.get();
}

std::vector<NodeAddress> ClusterRouter::Candidates() {
  std::vector<NodeAddress> out;
  {
    absl::MutexLock lock(&mu_);
    if (map_ != nullptr) {
      for (const ClusterShard& s : map_->shards) out.push_back(s.primary);
    }
  }
  out.insert(out.end(), options_.seeds.begin(), options_.seeds.end());
  return out;
}

absl::Status ClusterRouter::Refresh(uint64_t seen_generation) {
  absl::MutexLock refresh_lock(&refresh_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (generation_ != seen_generation) return absl::OkStatus();  // someone else just did
  }
  absl::Status last = absl::UnavailableError("redis cluster: no seed nodes");
  absl::flat_hash_set<std::string> tried;
  for (const NodeAddress& address : Candidates()) {
    if (!tried.insert(NodeName(address)).second) continue;
    RedisNode* node = NodeFor(address);
    auto shards = node->Run({{"CLUSTER", "SHARDS"}});
    if (!shards.ok()) {
      if (shards.status().code() == absl::StatusCode::kUnauthenticated) return shards.status();
      last = shards.status();
      continue;
    }
    absl::StatusOr<SlotMap> map;
    if ((*shards)[0].is_error()) {
      // Before 7.0 (or a server that hides it): the deprecated CLUSTER SLOTS.
      auto slots = node->Run({{"CLUSTER", "SLOTS"}});
      if (!slots.ok()) {
        last = slots.status();
        continue;
      }
      if ((*slots)[0].is_error()) {
        map = absl::FailedPreconditionError(
            absl::StrCat("redis cluster: ", node->name(), ": ", (*slots)[0].str()));
      } else {
        map = ParseClusterSlots((*slots)[0]);
      }
    } else {
      map = ParseClusterShards((*shards)[0]);
    }
    if (!map.ok()) {
      last = map.status();
      continue;
    }
    if (map->covered() == 0) {
      last = absl::UnavailableError(
          absl::StrCat("redis cluster: ", node->name(), " knows no primary for any slot"));
      continue;
    }
    absl::MutexLock lock(&mu_);
    map_ = std::make_shared<const SlotMap>(*std::move(map));
    ++generation_;
    refreshed_at_ = absl::Now();
    refreshes_.fetch_add(1, std::memory_order_relaxed);
    return absl::OkStatus();
  }
  return last;
}

RedisNode* ClusterRouter::Resolve(const Op& op, OpState& state, const SlotMap* map,
                                  absl::StatusOr<RedisReply>& result) {
  if (single_ != nullptr) return single_.get();
  if (state.target.has_value()) return NodeFor(*state.target);
  const CommandRoute route = RouteOf(*op.argv);
  switch (route.kind) {
    case CommandRoute::Kind::kNoKey:
      result = absl::InvalidArgumentError(absl::StrCat(
          "redis cluster: script ", op.script != nullptr ? op.script->name() : (*op.argv)[1],
          " is called without KEYS, so it cannot be routed to a node: declare its keys"));
      return nullptr;
    case CommandRoute::Kind::kKey: {
      const int slot = KeySlot((*op.argv)[route.key_index]);
      const NodeAddress* primary = map != nullptr ? map->PrimaryOf(slot) : nullptr;
      if (primary == nullptr) {
        result = absl::UnavailableError(
            absl::StrCat("redis cluster: no primary serves slot ", slot, " yet"));
        return nullptr;
      }
      return NodeFor(*primary);
    }
    case CommandRoute::Kind::kAnyNode:
      break;
  }
  std::vector<NodeAddress> candidates = Candidates();
  if (candidates.empty()) {
    result = absl::UnavailableError("redis cluster: no seed nodes");
    return nullptr;
  }
  return NodeFor(candidates[state.unreachable % candidates.size()]);
}

absl::Status ClusterRouter::RunOnNode(RedisNode* node, const std::vector<Op>& ops,
                                      const std::vector<size_t>& indices,
                                      std::vector<OpState>& states,
                                      std::vector<absl::StatusOr<RedisReply>>& results,
                                      Round& round) {
  // Scripts this node may not have are loaded ahead of the calls, in the same round trip, so
  // the calls run in their order (a NOSCRIPT retry would run them out of order).
  std::vector<const Script*> preload;
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i : indices) {
    const Script* s = ops[i].script;
    if (s != nullptr && !node->ScriptLoaded(s->sha1()) && seen.insert(s->sha1()).second) {
      preload.push_back(s);
    }
  }
  // The caller's commands are sent from where they are (no copy of big values).
  static const std::vector<std::string> kAsking = {"ASKING"};
  std::vector<std::vector<std::string>> loads;
  loads.reserve(preload.size());
  for (const Script* s : preload) loads.push_back({"SCRIPT", "LOAD", s->lua()});
  std::vector<const std::vector<std::string>*> commands;
  commands.reserve(preload.size() + 2 * indices.size());
  for (const auto& load : loads) commands.push_back(&load);
  std::vector<size_t> position;
  position.reserve(indices.size());
  for (size_t i : indices) {
    if (states[i].asking) commands.push_back(&kAsking);
    position.push_back(commands.size());
    commands.push_back(ops[i].argv);
  }

  bool sent = false;
  auto replies = node->Run(commands, &sent);
  if (!replies.ok()) {
    if (single_ != nullptr || sent || replies.status().code() != absl::StatusCode::kUnavailable) {
      return replies.status();
    }
    // Nothing reached the node: a failover may be under way. Back to the map, which is re-read.
    unreachable_.fetch_add(1, std::memory_order_relaxed);
    for (size_t i : indices) {
      states[i].target.reset();
      states[i].asking = false;
      ++states[i].unreachable;
      results[i] = replies.status();
      round.retry.push_back(i);
    }
    round.refresh = round.wait = true;
    return absl::OkStatus();
  }

  // A script that does not compile: its calls fail with the load error, not NOSCRIPT.
  absl::flat_hash_map<std::string, absl::Status> load_errors;
  for (size_t k = 0; k < preload.size(); ++k) {
    absl::Status s = LoadError(*preload[k], (*replies)[k]);
    if (s.ok()) {
      node->SetScriptLoaded(preload[k]->sha1(), true);
    } else {
      load_errors.emplace(preload[k]->sha1(), std::move(s));
    }
  }

  for (size_t k = 0; k < indices.size(); ++k) {
    const size_t i = indices[k];
    OpState& state = states[i];
    RedisReply& reply = (*replies)[position[k]];
    if (!reply.is_error()) {
      results[i] = std::move(reply);
      continue;
    }
    const absl::string_view error = reply.str();
    const Script* script = ops[i].script;
    if (script != nullptr && absl::StartsWith(error, "NOSCRIPT")) {
      if (auto it = load_errors.find(script->sha1()); it != load_errors.end()) {
        results[i] = it->second;
        continue;
      }
      // The cache was lost since we loaded it (SCRIPT FLUSH, restart, failover): load and rerun
      // on the same node; ASKING stays in front if the node was named by ASK.
      node->SetScriptLoaded(script->sha1(), false);
      if (++state.noscript <= kMaxNoScript) {
        noscript_.fetch_add(1, std::memory_order_relaxed);
        round.retry.push_back(i);
      }
      results[i] = std::move(reply);
      continue;
    }
    if (single_ != nullptr) {
      results[i] = std::move(reply);
      continue;
    }
    if (auto redirect = ParseRedirect(error); redirect.has_value()) {
      if (++state.redirects > options_.cluster_max_redirects) {
        results[i] = absl::UnavailableError(absl::StrCat("redis cluster: more than ",
                                                         options_.cluster_max_redirects,
                                                         " redirections, the last: ", error));
        continue;
      }
      const bool ask = redirect->kind == Redirect::Kind::kAsk;
      (ask ? ask_ : moved_).fetch_add(1, std::memory_order_relaxed);
      state.target = redirect->node;
      state.asking = ask;
      round.refresh |= !ask;  // ASK is a migration in progress: the map has not changed
      results[i] = std::move(reply);
      round.retry.push_back(i);
      continue;
    }
    if (absl::StartsWith(error, "TRYAGAIN") || absl::StartsWith(error, "CLUSTERDOWN")) {
      tryagain_.fetch_add(1, std::memory_order_relaxed);
      round.wait = true;
      round.refresh |= absl::StartsWith(error, "CLUSTERDOWN");
      results[i] = std::move(reply);  // what the caller gets if the window runs out
      round.retry.push_back(i);
      continue;
    }
    results[i] = std::move(reply);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> ClusterRouter::Run(
    const std::vector<Op>& ops) {
  std::vector<absl::StatusOr<RedisReply>> results;
  results.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) results.emplace_back(absl::UnknownError("not run"));
  std::vector<OpState> states(ops.size());
  std::vector<size_t> pending(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) pending[i] = i;
  const absl::Time deadline = absl::Now() + options_.cluster_retry_window;
  absl::Duration backoff = kFirstBackoff;

  while (!pending.empty()) {
    std::shared_ptr<const SlotMap> map;
    uint64_t generation = 0;
    if (single_ == nullptr) {
      bool stale;
      {
        absl::MutexLock lock(&mu_);
        generation = generation_;
        stale = map_ == nullptr || absl::Now() - refreshed_at_ > options_.cluster_refresh_interval;
      }
      if (stale) {
        if (absl::Status s = Refresh(generation); s.code() == absl::StatusCode::kUnauthenticated) {
          return s;
        }
      }
      absl::MutexLock lock(&mu_);
      map = map_;
      generation = generation_;
    }

    // Split by node, keeping each node's ops in the caller's order.
    Round round;
    std::vector<RedisNode*> nodes;
    std::vector<std::vector<size_t>> groups;
    for (size_t i : pending) {
      RedisNode* node = Resolve(ops[i], states[i], map.get(), results[i]);
      if (node == nullptr) {
        if (results[i].status().code() == absl::StatusCode::kUnavailable) {
          round.retry.push_back(i);  // no primary for the slot: wait for the map to catch up
          round.refresh = round.wait = true;
        }
        continue;
      }
      auto it = std::find(nodes.begin(), nodes.end(), node);
      if (it == nodes.end()) {
        nodes.push_back(node);
        groups.emplace_back();
        it = nodes.end() - 1;
      }
      groups[it - nodes.begin()].push_back(i);
    }
    for (size_t g = 0; g < nodes.size(); ++g) {
      if (absl::Status s = RunOnNode(nodes[g], ops, groups[g], states, results, round); !s.ok()) {
        return s;
      }
    }
    if (round.retry.empty()) break;
    std::sort(round.retry.begin(), round.retry.end());  // keep the caller's order per node
    pending = std::move(round.retry);
    if (round.refresh) (void)Refresh(generation);
    if (round.wait) {
      if (absl::Now() + backoff > deadline) break;  // the last answers stand
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
  return results;
}

}  // namespace kpr::store
