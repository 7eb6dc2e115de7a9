#include "tests/harness/redis_cluster.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace kpr::testing {
namespace {

constexpr int kBusOffset = 10000;  // every cluster node also listens on port + 10000

// A free port whose cluster bus twin (port + 10000) is free too.
int FreeClusterPort(const std::vector<int>& taken) {
  while (true) {
    int port = FreePort();
    if (port < 65535 - kBusOffset && PortBindable(port + kBusOffset) &&
        std::find(taken.begin(), taken.end(), port) == taken.end()) {
      return port;
    }
  }
}

using ReplyPtr = std::unique_ptr<redisReply, void (*)(void*)>;

std::string ReplyText(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      return absl::StrCat(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<std::string> parts;
      for (size_t i = 0; i < r->elements; ++i) parts.push_back(ReplyText(r->element[i]));
      return absl::StrJoin(parts, "\n");
    }
    case REDIS_REPLY_NIL:
      return "";
    default:
      return std::string(r->str, r->len);
  }
}

}  // namespace

RedisCluster::RedisCluster(std::string dir, Options options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  const int n = options_.primaries * (1 + options_.replicas_per_primary);
  std::vector<int> ports;
  for (int i = 0; i < n; ++i) {
    Node node;
    node.port = FreeClusterPort(ports);
    ports.push_back(node.port);
    node.dir = absl::StrCat(dir_, "/node", i);
    std::filesystem::create_directories(node.dir);
    nodes_.push_back(std::move(node));
  }
}

RedisCluster::~RedisCluster() { Stop(); }

void RedisCluster::Stop() {
  for (Node& n : nodes_) {
    if (n.process) n.process->Signal(SIGTERM);
  }
}

int RedisCluster::port(int node) const { return nodes_[node].port; }
const std::string& RedisCluster::id(int node) const { return nodes_[node].id; }
bool RedisCluster::running(int node) {
  return nodes_[node].process && nodes_[node].process->Running();
}

std::string RedisCluster::url() const {
  std::vector<std::string> seeds;
  const char* host = options_.announce_localhost ? "localhost" : "127.0.0.1";
  for (int s : seeds_) seeds.push_back(absl::StrCat(host, ":", nodes_[s].port));
  return absl::StrCat("redis+cluster://", absl::StrJoin(seeds, ","));
}

int RedisCluster::NodeByPort(int port) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].port == port) return static_cast<int>(i);
  }
  return -1;
}

absl::Status RedisCluster::StartNode(int i) {
  Node& n = nodes_[i];
  std::vector<std::string> argv = {"/usr/bin/redis-server",
                                   "--port",
                                   std::to_string(n.port),
                                   "--bind",
                                   "127.0.0.1",
                                   "--dir",
                                   n.dir,
                                   "--cluster-enabled",
                                   "yes",
                                   "--cluster-config-file",
                                   "nodes.conf",
                                   "--cluster-node-timeout",
                                   std::to_string(options_.node_timeout_ms),
                                   "--appendonly",
                                   "yes",
                                   "--appendfsync",
                                   "everysec",
                                   "--save",
                                   "",
                                   "--protected-mode",
                                   "no",
                                   "--daemonize",
                                   "no",
                                   "--logfile",
                                   ""};
  if (options_.announce_localhost) {
    argv.insert(argv.end(), {"--cluster-announce-hostname", "localhost",
                             "--cluster-preferred-endpoint-type", "hostname"});
  }
  if (!options_.password.empty()) {
    if (!options_.user.empty()) {
      // Options after --user are its ACL rules, up to the next --option.
      argv.insert(argv.end(), {"--user", options_.user, "on", ">" + options_.password, "~*", "&*",
                               "+@all", "--user", "default", "off", "--masteruser", options_.user});
    } else {
      argv.insert(argv.end(), {"--requirepass", options_.password});
    }
    argv.insert(argv.end(), {"--masterauth", options_.password});
  }
  n.process = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{},
                                             n.dir + "/redis.log");
  if (auto s = n.process->Start(); !s.ok()) return s;
  if (auto s = WaitForPort(n.port, absl::Seconds(10)); !s.ok()) return s;
  // The port opens before the AOF is loaded (LOADING until then).
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    auto pong = Command(i, {"PING"});
    if (pong.ok()) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat("redis node ", n.port, " did not come up"));
}

absl::StatusOr<redisContext*> RedisCluster::Connect(int node) {
  timeval tv{5, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", nodes_[node].port, tv);
  if (c == nullptr || c->err != 0) {
    std::string err = c != nullptr ? c->errstr : "no context";
    if (c != nullptr) redisFree(c);
    return absl::UnavailableError(absl::StrCat("node ", nodes_[node].port, ": ", err));
  }
  redisSetTimeout(c, tv);
  if (!options_.password.empty()) {
    ReplyPtr r(static_cast<redisReply*>(options_.user.empty()
                                            ? redisCommand(c, "AUTH %s", options_.password.c_str())
                                            : redisCommand(c, "AUTH %s %s", options_.user.c_str(),
                                                           options_.password.c_str())),
               freeReplyObject);
    if (r == nullptr || r->type == REDIS_REPLY_ERROR) {
      redisFree(c);
      return absl::UnauthenticatedError("harness AUTH failed");
    }
  }
  return c;
}

absl::StatusOr<std::string> RedisCluster::Command(int node, const std::vector<std::string>& argv) {
  auto c = Connect(node);
  if (!c.ok()) return c.status();
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  ReplyPtr r(static_cast<redisReply*>(
                 redisCommandArgv(*c, static_cast<int>(ptrs.size()), ptrs.data(), lens.data())),
             freeReplyObject);
  absl::StatusOr<std::string> out;
  if (r == nullptr) {
    out = absl::UnavailableError(absl::StrCat("node ", nodes_[node].port, ": ", (*c)->errstr));
  } else if (r->type == REDIS_REPLY_ERROR) {
    out = absl::InternalError(std::string(r->str, r->len));
  } else {
    out = ReplyText(r.get());
  }
  redisFree(*c);
  return out;
}

absl::Status RedisCluster::Start() {
  for (int i = 0; i < size(); ++i) {
    if (auto s = StartNode(i); !s.ok()) return s;
  }
  std::vector<std::string> argv = {"/usr/bin/redis-cli", "--cluster", "create"};
  for (const Node& n : nodes_) argv.push_back(absl::StrCat("127.0.0.1:", n.port));
  argv.insert(argv.end(), {"--cluster-replicas", std::to_string(options_.replicas_per_primary),
                           "--cluster-yes"});
  if (!options_.password.empty()) {
    if (!options_.user.empty()) argv.insert(argv.end(), {"--user", options_.user});
    argv.insert(argv.end(), {"--pass", options_.password, "--no-auth-warning"});
  }
  ChildProcess create(argv, {}, dir_ + "/cluster-create.log");
  if (auto s = create.Start(); !s.ok()) return s;
  // redis-cli waits for the nodes to join; Signal(0) just waits for it to exit.
  int status = create.Signal(0, absl::Seconds(60));
  if (status != 0) {
    return absl::InternalError(
        absl::StrCat("redis-cli --cluster create failed (", status, "): ", create.ReadLog()));
  }
  for (int i = 0; i < size(); ++i) {
    auto id = Command(i, {"CLUSTER", "MYID"});
    if (!id.ok()) return id.status();
    nodes_[i].id = *id;
  }
  seeds_ = Primaries();
  return WaitStable();
}

std::string RedisCluster::SlotOwners(int node) {
  // Command() flattens the nesting: read start/end/port with hiredis here.
  auto c = Connect(node);
  if (!c.ok()) return "";
  ReplyPtr r(static_cast<redisReply*>(redisCommand(*c, "CLUSTER SLOTS")), freeReplyObject);
  redisFree(*c);
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return "";
  std::vector<std::string> ranges;
  for (size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    if (e->elements < 3) continue;
    ranges.push_back(absl::StrCat(e->element[0]->integer, "-", e->element[1]->integer, ":",
                                  e->element[2]->element[1]->integer));
  }
  std::sort(ranges.begin(), ranges.end());
  return absl::StrJoin(ranges, " ");
}

absl::Status RedisCluster::WaitStable(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (absl::Now() < deadline) {
    bool ok = true;
    std::string owners;
    for (int i = 0; i < size() && ok; ++i) {
      if (!running(i)) continue;
      auto info = Command(i, {"CLUSTER", "INFO"});
      ok = info.ok() && absl::StrContains(*info, "cluster_state:ok") &&
           absl::StrContains(*info, "cluster_slots_assigned:16384");
      // A replica that has not finished its first sync cannot take over (it counts as
      // disconnected from its primary for too long): wait for the link.
      if (ok) {
        auto replication = Command(i, {"INFO", "replication"});
        ok = replication.ok() && (absl::StrContains(*replication, "role:master") ||
                                  absl::StrContains(*replication, "master_link_status:up"));
      }
      std::string mine = SlotOwners(i);
      if (owners.empty()) owners = mine;
      ok = ok && !mine.empty() && mine == owners;
      last = absl::StrCat("node ", nodes_[i].port, ": ", info.ok() ? "" : info.status().ToString(),
                          " ", mine, " vs ", owners);
    }
    if (ok) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat("redis cluster not stable: ", last));
}

std::vector<int> RedisCluster::Primaries() {
  std::vector<int> out;
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    auto role = Command(i, {"ROLE"});
    if (role.ok() && absl::StartsWith(*role, "master")) out.push_back(i);
  }
  return out;
}

absl::StatusOr<int> RedisCluster::PrimaryOfSlot(int slot) {
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    std::string owners = SlotOwners(i);
    if (owners.empty()) continue;
    for (absl::string_view range : absl::StrSplit(owners, ' ')) {
      int first = 0, last = 0, port = 0;
      std::vector<absl::string_view> parts = absl::StrSplit(range, absl::ByAnyChar("-:"));
      if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &first) &&
          absl::SimpleAtoi(parts[1], &last) && absl::SimpleAtoi(parts[2], &port) && first <= slot &&
          slot <= last) {
        return NodeByPort(port);
      }
    }
    return absl::NotFoundError(absl::StrCat("no owner of slot ", slot));
  }
  return absl::UnavailableError("no live node");
}

absl::StatusOr<int> RedisCluster::ReplicaOf(int primary) {
  for (int i = 0; i < size(); ++i) {
    if (i == primary || !running(i)) continue;
    auto nodes = Command(i, {"CLUSTER", "NODES"});
    if (!nodes.ok()) continue;
    // "<id> <ip:port@bus[,host]> <flags> <primary id> ..."
    for (absl::string_view line : absl::StrSplit(*nodes, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
      if (f.size() < 4 || f[3] != nodes_[primary].id || absl::StrContains(f[2], "fail")) continue;
      for (int r = 0; r < size(); ++r) {
        if (nodes_[r].id == f[0] && running(r)) return r;
      }
    }
    break;
  }
  return absl::NotFoundError(absl::StrCat("no live replica of node ", nodes_[primary].port, " ",
                                          nodes_[primary].id, ": ",
                                          Command(primary, {"CLUSTER", "NODES"}).value_or("?")));
}

void RedisCluster::Kill(int node) {
  if (nodes_[node].process) nodes_[node].process->Signal(SIGKILL);
}

absl::Status RedisCluster::Restart(int node) { return StartNode(node); }

absl::StatusOr<int> RedisCluster::Failover(int primary) {
  auto replica = ReplicaOf(primary);
  if (!replica.ok()) return replica.status();
  if (auto r = Command(*replica, {"CLUSTER", "FAILOVER"}); !r.ok()) return r.status();
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    auto role = Command(*replica, {"ROLE"});
    if (role.ok() && absl::StartsWith(*role, "master")) {
      if (auto s = WaitStable(); !s.ok()) return s;
      return *replica;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("replica did not become primary");
}

absl::Status RedisCluster::BeginMigration(int slot, int to) {
  auto from = PrimaryOfSlot(slot);
  if (!from.ok()) return from.status();
  if (*from == to) return absl::InvalidArgumentError("slot is already there");
  const std::string s = std::to_string(slot);
  if (auto r = Command(to, {"CLUSTER", "SETSLOT", s, "IMPORTING", nodes_[*from].id}); !r.ok()) {
    return r.status();
  }
  if (auto r = Command(*from, {"CLUSTER", "SETSLOT", s, "MIGRATING", nodes_[to].id}); !r.ok()) {
    return r.status();
  }
  migrations_[slot] = Migration{*from, to};
  return absl::OkStatus();
}

absl::Status RedisCluster::MigrateKeys(int slot, const std::vector<std::string>& keys) {
  auto it = migrations_.find(slot);
  if (it == migrations_.end()) return absl::FailedPreconditionError("no migration of this slot");
  const Migration m = it->second;
  std::vector<std::string> batch = keys;
  while (true) {
    if (keys.empty()) {
      auto listed = Command(m.from, {"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), "100"});
      if (!listed.ok()) return listed.status();
      std::vector<std::string> in_slot = absl::StrSplit(*listed, '\n', absl::SkipEmpty());
      batch = std::move(in_slot);
      if (batch.empty()) return absl::OkStatus();
    }
    std::vector<std::string> argv = {"MIGRATE", "127.0.0.1", std::to_string(nodes_[m.to].port),
                                     "",        "0",         "5000"};
    if (!options_.password.empty()) {
      if (options_.user.empty()) {
        argv.insert(argv.end(), {"AUTH", options_.password});
      } else {
        argv.insert(argv.end(), {"AUTH2", options_.user, options_.password});
      }
    }
    argv.push_back("KEYS");
    argv.insert(argv.end(), batch.begin(), batch.end());
    if (auto r = Command(m.from, argv); !r.ok()) return r.status();
    if (!keys.empty()) return absl::OkStatus();
  }
}

absl::Status RedisCluster::FinishMigration(int slot) {
  auto it = migrations_.find(slot);
  if (it == migrations_.end()) return absl::FailedPreconditionError("no migration of this slot");
  const Migration m = it->second;
  migrations_.erase(it);
  const std::vector<std::string> argv = {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE",
                                         nodes_[m.to].id};
  // Target first, then the source, then the other primaries (as redis-cli does).
  std::vector<int> order = {m.to, m.from};
  for (int p : Primaries()) {
    if (p != m.to && p != m.from) order.push_back(p);
  }
  for (int node : order) {
    if (auto r = Command(node, argv); !r.ok()) return r.status();
  }
  return WaitStable();
}

absl::Status RedisCluster::MoveSlot(int slot, int to) {
  if (auto s = BeginMigration(slot, to); !s.ok()) return s;
  if (auto s = MigrateKeys(slot); !s.ok()) return s;
  return FinishMigration(slot);
}

}  // namespace kpr::testing
