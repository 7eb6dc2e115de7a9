#include "libs/store/redis_node.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

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

// Sends `commands` on `c` and reads exactly one reply per command. On a transport error the
// context must be discarded.
absl::Status RunPipeline(redisContext* c,
                         const std::vector<const std::vector<std::string>*>& commands,
                         std::vector<RedisReply>& replies) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (size_t start = 0; start < commands.size(); start += kPipelineChunk) {
    const size_t end = std::min(commands.size(), start + kPipelineChunk);
    for (size_t i = start; i < end; ++i) {
      args.clear();
      lens.clear();
      for (const std::string& a : *commands[i]) {
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
        return TransportError(c, commands[i]->empty() ? "pipeline" : (*commands[i])[0]);
      }
      replies.push_back(RedisReply::Own(static_cast<redisReply*>(r)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

RedisNode::RedisNode(NodeAddress address, const RedisOptions& options)
    : address_(std::move(address)), name_(NodeName(address_)), options_(options) {}

RedisNode::~RedisNode() {
  absl::MutexLock lock(&mu_);
  for (redisContext* c : idle_) redisFree(c);
  idle_.clear();
}

absl::Status RedisNode::Authenticate(redisContext* c) {
  if (options_.password.empty()) return absl::OkStatus();
  std::vector<const char*> args = {"AUTH"};
  std::vector<size_t> lens = {4};
  if (!options_.user.empty()) {
    args.push_back(options_.user.data());
    lens.push_back(options_.user.size());
  }
  args.push_back(options_.password.data());
  lens.push_back(options_.password.size());
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data()));
  if (r == nullptr) return TransportError(c, "AUTH");
  RedisReply reply = RedisReply::Own(r);
  if (reply.is_error()) {
    // The server's text ("WRONGPASS invalid username-password pair ...") never holds the password.
    return absl::UnauthenticatedError(absl::StrCat(
        "redis: AUTH at ", name_, options_.user.empty() ? "" : " as user ", options_.user,
        " failed (check KPR_REDIS_USER / KPR_REDIS_PASSWORD_FILE): ", reply.str()));
  }
  return absl::OkStatus();
}

absl::StatusOr<redisContext*> RedisNode::Connect() {
  redisContext* c = redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                            absl::ToTimeval(options_.connect_timeout));
  if (c == nullptr) return absl::UnavailableError("redis: cannot allocate a context");
  if (c->err != 0) {
    absl::Status s = TransportError(c, absl::StrCat("connect ", name_));
    redisFree(c);
    return s;
  }
  // The connect timeout does not cover commands; the command timeout is per socket, so it is
  // set on every new connection.
  absl::Status s = redisSetTimeout(c, absl::ToTimeval(options_.command_timeout)) == REDIS_OK
                       ? Authenticate(c)
                       : TransportError(c, "set timeout");
  if (!s.ok()) {
    redisFree(c);
    return s;
  }
  redisEnableKeepAlive(c);
  absl::MutexLock lock(&mu_);
  loaded_scripts_.clear();
  return c;
}

absl::StatusOr<redisContext*> RedisNode::Acquire() {
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

void RedisNode::Release(redisContext* c, bool healthy) {
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

absl::StatusOr<std::vector<RedisReply>> RedisNode::Run(
    const std::vector<std::vector<std::string>>& commands, bool* sent) {
  std::vector<const std::vector<std::string>*> pointers;
  pointers.reserve(commands.size());
  for (const auto& argv : commands) pointers.push_back(&argv);
  return Run(pointers, sent);
}

absl::StatusOr<std::vector<RedisReply>> RedisNode::Run(
    const std::vector<const std::vector<std::string>*>& commands, bool* sent) {
  if (sent != nullptr) *sent = false;
  std::vector<RedisReply> replies;
  if (commands.empty()) return replies;
  replies.reserve(commands.size());
  auto c = Acquire();
  if (!c.ok()) return c.status();
  if (sent != nullptr) *sent = true;
  absl::Status s = RunPipeline(*c, commands, replies);
  Release(*c, /*healthy=*/s.ok());
  if (!s.ok()) return s;
  return replies;
}

bool RedisNode::ScriptLoaded(const std::string& sha1) {
  absl::MutexLock lock(&mu_);
  return loaded_scripts_.contains(sha1);
}

void RedisNode::SetScriptLoaded(const std::string& sha1, bool loaded) {
  absl::MutexLock lock(&mu_);
  if (loaded) {
    loaded_scripts_.insert(sha1);
  } else {
    loaded_scripts_.erase(sha1);
  }
}

}  // namespace kpr::store
