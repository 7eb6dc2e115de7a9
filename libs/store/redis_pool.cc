#include "libs/store/redis_pool.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kpr::store {
namespace {

// Commands per pipelined round trip: bounds the memory of huge pipelines at no real cost in
// speed (a round trip per thousand commands).
constexpr size_t kPipelineChunk = 1024;

absl::Status TransportError(const redisContext* c, absl::string_view what) {
  return absl::UnavailableError(
      absl::StrCat("redis: ", what, ": ", c->err != 0 ? c->errstr : "connection failed"));
}

// An idle connection should have nothing to read: readable means the server closed it (EOF) or
// it is in error, e.g. after a Redis restart. Checking costs one poll() and saves a failed call.
bool LooksDead(const redisContext* c) {
  if (c->err != 0 || c->fd < 0) return true;
  pollfd p{c->fd, POLLIN, 0};
  return poll(&p, 1, 0) != 0;
}

absl::Status CheckCommand(const std::vector<std::string>& argv) {
  // An empty command would be sent as "*0" and get no reply, desynchronising a pipeline.
  if (argv.empty()) return absl::InvalidArgumentError("redis: empty command");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RedisOptions> RedisOptionsFromUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError("redis url must start with redis://");
  }
  absl::ConsumeSuffix(&rest, "/");
  if (absl::StrContains(rest, '/') || absl::StrContains(rest, '@')) {
    return absl::InvalidArgumentError("redis url: only redis://host[:port] is supported");
  }
  RedisOptions options;
  absl::string_view host = rest;
  absl::string_view port;
  if (absl::ConsumePrefix(&host, "[")) {  // [ipv6]:port
    size_t close = host.find(']');
    if (close == absl::string_view::npos) return absl::InvalidArgumentError("redis url: bad host");
    port = host.substr(close + 1);
    host = host.substr(0, close);
    if (!port.empty() && !absl::ConsumePrefix(&port, ":")) {
      return absl::InvalidArgumentError("redis url: bad port");
    }
  } else if (size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return absl::InvalidArgumentError("redis url: missing host");
  options.host = std::string(host);
  if (!port.empty()) {
    int p = 0;
    if (!absl::SimpleAtoi(port, &p) || p <= 0 || p > 65535) {
      return absl::InvalidArgumentError("redis url: bad port");
    }
    options.port = p;
  }
  return options;
}

absl::Status RedisErrorStatus(absl::string_view error_reply) {
  absl::string_view code = error_reply.substr(0, error_reply.find(' '));
  // Transient server states: the caller should retry later, like a transport failure.
  // READONLY and CLUSTERDOWN are the same kind (failover in progress).
  if (code == "LOADING" || code == "BUSY" || code == "MASTERDOWN" || code == "TRYAGAIN" ||
      code == "READONLY" || code == "CLUSTERDOWN") {
    return absl::UnavailableError(absl::StrCat("redis: ", error_reply));
  }
  return absl::InternalError(error_reply);
}

RedisPool::RedisPool(RedisOptions options) : options_(std::move(options)) {}

RedisPool::~RedisPool() {
  absl::MutexLock lock(&mu_);
  for (redisContext* c : idle_) redisFree(c);
  idle_.clear();
}

absl::StatusOr<redisContext*> RedisPool::Connect() {
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                            absl::ToTimeval(options_.connect_timeout));
  if (c == nullptr) return absl::UnavailableError("redis: cannot allocate a context");
  if (c->err != 0) {
    absl::Status s = TransportError(c, absl::StrCat("connect ", options_.host, ":", options_.port));
    redisFree(c);
    return s;
  }
  // The connect timeout does not cover commands; the command timeout is per socket, so it is
  // set on every new connection.
  if (redisSetTimeout(c, absl::ToTimeval(options_.command_timeout)) != REDIS_OK) {
    absl::Status s = TransportError(c, "set timeout");
    redisFree(c);
    return s;
  }
  redisEnableKeepAlive(c);
  absl::MutexLock lock(&mu_);
  // A new connection may mean the server restarted and lost its script cache.
  loaded_scripts_.clear();
  return c;
}

absl::StatusOr<redisContext*> RedisPool::Acquire() {
  const absl::Time deadline = absl::Now() + options_.connect_timeout + options_.command_timeout;
  while (true) {
    redisContext* c = nullptr;
    {
      absl::MutexLock lock(&mu_);
      while (idle_.empty() && open_ >= options_.pool_size) {
        if (cv_.WaitWithDeadline(&mu_, deadline) && idle_.empty() && open_ >= options_.pool_size) {
          return absl::UnavailableError("redis: no free connection in the pool");
        }
      }
      if (!idle_.empty()) {
        c = idle_.back();
        idle_.pop_back();
      } else {
        ++open_;  // reserve the slot while connecting outside the lock
      }
    }
    if (c == nullptr) {
      auto connected = Connect();
      if (!connected.ok()) {
        absl::MutexLock lock(&mu_);
        --open_;
        cv_.Signal();
      }
      return connected;
    }
    if (!LooksDead(c)) return c;
    Release(c, /*healthy=*/false);
  }
}

void RedisPool::Release(redisContext* c, bool healthy) {
  if (!healthy || c->err != 0) {
    redisFree(c);
    c = nullptr;
  }
  absl::MutexLock lock(&mu_);
  if (c != nullptr) {
    idle_.push_back(c);
  } else {
    --open_;
  }
  cv_.Signal();
}

absl::StatusOr<RedisReply> RedisPool::Command(const std::vector<std::string>& argv) {
  if (auto s = CheckCommand(argv); !s.ok()) return s;
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto c = Acquire();
  if (!c.ok()) return c.status();
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(*c, static_cast<int>(args.size()), args.data(), lens.data()));
  if (r == nullptr) {
    absl::Status s = TransportError(*c, argv[0]);
    Release(*c, /*healthy=*/false);
    return s;
  }
  Release(*c, /*healthy=*/true);
  RedisReply reply = RedisReply::Own(r);
  if (reply.is_error()) return RedisErrorStatus(reply.str());
  return reply;
}

absl::Status RedisPool::RunPipeline(redisContext* c,
                                    const std::vector<std::vector<std::string>>& commands,
                                    std::vector<RedisReply>& replies) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (size_t start = 0; start < commands.size(); start += kPipelineChunk) {
    const size_t end = std::min(commands.size(), start + kPipelineChunk);
    for (size_t i = start; i < end; ++i) {
      args.clear();
      lens.clear();
      for (const std::string& a : commands[i]) {
        args.push_back(a.data());
        lens.push_back(a.size());
      }
      // Only buffers the command; it cannot fail half-way on the wire.
      if (redisAppendCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data()) !=
          REDIS_OK) {
        return TransportError(c, "pipeline append");
      }
    }
    // Exactly one reply per appended command; the first read flushes the buffer.
    for (size_t i = start; i < end; ++i) {
      void* r = nullptr;
      if (redisGetReply(c, &r) != REDIS_OK || r == nullptr) {
        if (r != nullptr) freeReplyObject(r);
        return TransportError(c, "pipeline");
      }
      replies.push_back(RedisReply::Own(static_cast<redisReply*>(r)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RedisReply>> RedisPool::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  for (const auto& argv : commands) {
    if (auto s = CheckCommand(argv); !s.ok()) return s;
  }
  std::vector<RedisReply> replies;
  if (commands.empty()) return replies;
  replies.reserve(commands.size());
  auto c = Acquire();
  if (!c.ok()) return c.status();
  absl::Status s = RunPipeline(*c, commands, replies);
  Release(*c, /*healthy=*/s.ok());
  if (!s.ok()) return s;
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

namespace {

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

bool IsNoScript(const RedisReply& reply) {
  return reply.is_error() && absl::StartsWith(reply.str(), "NOSCRIPT");
}

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

absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> RedisPool::EvalPipeline(
    const std::vector<ScriptCall>& calls) {
  std::vector<absl::StatusOr<RedisReply>> results;
  if (calls.empty()) return results;
  for (const ScriptCall& call : calls) {
    if (call.script == nullptr) return absl::InvalidArgumentError("redis: null script");
  }
  auto c = Acquire();
  if (!c.ok()) return c.status();

  // Load scripts not known to be in the server's cache ahead of the calls, in the same round
  // trip, so the calls run in their order (a NOSCRIPT retry would run them out of order).
  std::vector<const Script*> preload;
  {
    absl::flat_hash_set<absl::string_view> seen;
    absl::MutexLock lock(&mu_);
    for (const ScriptCall& call : calls) {
      const std::string& sha = call.script->sha1();
      if (!loaded_scripts_.contains(sha) && seen.insert(sha).second) {
        preload.push_back(call.script);
      }
    }
  }
  std::vector<std::vector<std::string>> commands;
  commands.reserve(preload.size() + calls.size());
  for (const Script* s : preload) commands.push_back({"SCRIPT", "LOAD", s->lua()});
  for (const ScriptCall& call : calls) commands.push_back(EvalShaCommand(call));

  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  if (absl::Status s = RunPipeline(*c, commands, replies); !s.ok()) {
    Release(*c, /*healthy=*/false);
    return s;
  }

  // A script that does not compile: its calls fail with the load error, not NOSCRIPT.
  absl::flat_hash_map<std::string, absl::Status> load_errors;
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < preload.size(); ++i) {
      absl::Status s = LoadError(*preload[i], replies[i]);
      if (s.ok()) {
        loaded_scripts_.insert(preload[i]->sha1());
      } else {
        load_errors.emplace(preload[i]->sha1(), std::move(s));
      }
    }
  }

  results.reserve(calls.size());
  std::vector<size_t> retry;
  for (size_t i = 0; i < calls.size(); ++i) {
    RedisReply& reply = replies[preload.size() + i];
    if (IsNoScript(reply)) {
      if (auto it = load_errors.find(calls[i].script->sha1()); it != load_errors.end()) {
        results.push_back(it->second);
      } else {
        retry.push_back(i);
        results.push_back(absl::InternalError("redis: NOSCRIPT"));  // replaced below
      }
    } else if (reply.is_error()) {
      results.push_back(RedisErrorStatus(reply.str()));
    } else {
      results.push_back(std::move(reply));
    }
  }

  if (!retry.empty()) {
    // The cache was lost since we loaded these (SCRIPT FLUSH, failover): load and run again.
    std::vector<const Script*> reload;
    absl::flat_hash_set<absl::string_view> seen;
    commands.clear();
    for (size_t i : retry) {
      if (seen.insert(calls[i].script->sha1()).second) reload.push_back(calls[i].script);
    }
    for (const Script* s : reload) commands.push_back({"SCRIPT", "LOAD", s->lua()});
    for (size_t i : retry) commands.push_back(EvalShaCommand(calls[i]));
    replies.clear();
    if (absl::Status s = RunPipeline(*c, commands, replies); !s.ok()) {
      Release(*c, /*healthy=*/false);
      return s;
    }
    {
      absl::MutexLock lock(&mu_);
      for (size_t i = 0; i < reload.size(); ++i) {
        if (LoadError(*reload[i], replies[i]).ok()) loaded_scripts_.insert(reload[i]->sha1());
      }
    }
    for (size_t k = 0; k < retry.size(); ++k) {
      RedisReply& reply = replies[reload.size() + k];
      absl::StatusOr<RedisReply>& result = results[retry[k]];
      if (reply.is_error()) {
        result = RedisErrorStatus(reply.str());
      } else {
        result = std::move(reply);
      }
    }
  }
  Release(*c, /*healthy=*/true);
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
