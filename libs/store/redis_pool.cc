#include "libs/store/redis_pool.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace kpr::store {
namespace {

absl::Status CheckCommand(const std::vector<std::string>& argv) {
  // An empty command would be sent as "*0" and get no reply, desynchronising a pipeline.
  if (argv.empty()) return absl::InvalidArgumentError("redis: empty command");
  return absl::OkStatus();
}

std::vector<std::string> EvalShaCommand(const RedisPool::ScriptCall& call) {
  std::vector<std::string> argv;
  argv.reserve(3 + call.keys.size() + call.args.size());
  argv.push_back("EVALSHA");
  argv.push_back(call.script->sha1());
  argv.push_back(absl::StrCat(call.keys.size()));
  argv.insert(argv.end(), call.keys.begin(), call.keys.end());
  argv.insert(argv.end(), call.args.begin(), call.args.end());
  return argv;
}

}  // namespace

RedisPool::RedisPool(RedisOptions options)
    : options_(std::move(options)), router_(std::make_unique<ClusterRouter>(options_)) {}

RedisPool::~RedisPool() = default;

absl::StatusOr<RedisReply> RedisPool::Command(const std::vector<std::string>& argv) {
  if (auto s = CheckCommand(argv); !s.ok()) return s;
  auto results = router_->Run({ClusterRouter::Op{&argv}});
  if (!results.ok()) return results.status();
  absl::StatusOr<RedisReply>& result = (*results)[0];
  if (result.ok() && result->is_error()) return RedisErrorStatus(result->str());
  return std::move(result);
}

absl::StatusOr<std::vector<RedisReply>> RedisPool::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<ClusterRouter::Op> ops;
  ops.reserve(commands.size());
  for (const auto& argv : commands) {
    if (auto s = CheckCommand(argv); !s.ok()) return s;
    ops.push_back(ClusterRouter::Op{&argv});
  }
  std::vector<RedisReply> replies;
  if (ops.empty()) return replies;
  auto results = router_->Run(ops);
  if (!results.ok()) return results.status();
  replies.reserve(results->size());
  for (absl::StatusOr<RedisReply>& r : *results) {
    if (!r.ok()) return r.status();
    replies.push_back(*std::move(r));
  }
  return replies;
}

absl::StatusOr<RedisReply> RedisPool::Eval(const Script& script,
                                           const std::vector<std::string>& keys,
                                           const std::vector<std::string>& args) {
  std::vector<ScriptCall> calls;
  calls.push_back(ScriptCall{&script, keys, args});
  auto results = EvalPipeline(calls);
  if (!results.ok()) return results.status();
  return std::move((*results)[0]);
}

absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> RedisPool::EvalPipeline(
    const std::vector<ScriptCall>& calls) {
  std::vector<absl::StatusOr<RedisReply>> results;
  if (calls.empty()) return results;
  std::vector<std::vector<std::string>> commands;
  commands.reserve(calls.size());
  for (const ScriptCall& call : calls) {
    if (call.script == nullptr) return absl::InvalidArgumentError("redis: null script");
    commands.push_back(EvalShaCommand(call));
  }
  std::vector<ClusterRouter::Op> ops;
  ops.reserve(calls.size());
  for (size_t i = 0; i < calls.size(); ++i) ops.push_back({&commands[i], calls[i].script});
  auto replies = router_->Run(ops);
  if (!replies.ok()) return replies.status();
  results.reserve(calls.size());
  for (absl::StatusOr<RedisReply>& r : *replies) {
    if (r.ok() && r->is_error()) {
      results.push_back(RedisErrorStatus(r->str()));
    } else {
      results.push_back(std::move(r));
    }
  }
  return results;
}

absl::Status RedisPool::Ping() {
  auto reply = Command({"PING"});
  absl::Status s = reply.status();
  if (s.ok() && reply->str() != "PONG") {
    s = absl::InternalError(absl::StrCat("redis: unexpected PING reply ", reply->str()));
  }
  last_ping_ok_.store(s.ok(), std::memory_order_relaxed);
  return s;
}

}  // namespace kpr::store
