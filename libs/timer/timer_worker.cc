#include "libs/timer/timer_worker.h"

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "libs/store/script.h"
#include "libs/timer/timer_scripts.h"

namespace kpr::timer {
namespace lua {

// KEYS[1] zset, KEYS[2] data; ARGV[1] now ms, ARGV[2] lease deadline ms, ARGV[3] limit,
// ARGV[4] claim token, ARGV[5] real now ms, ARGV[6] real lease deadline ms. Returns a flat
// array: id, due ms, payload, attempt, id, ...
// A claim also records its lease in real time ("l:<id>"): a domain clock that jumps ahead (the
// simulated clock) must not hand a timer that a live worker is still handling to another one.
// Such a timer is set aside until its real lease would end.
const store::Script& Claim() {
  static const store::Script* s = new store::Script("timer_claim", R"lua(
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local now, real_now = tonumber(ARGV[1]), tonumber(ARGV[5])
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HMGET', KEYS[2], 'd:' .. id, 'p:' .. id, 'a:' .. id, 't:' .. id, 'l:' .. id)
  if not v[1] then
    -- A member without data was not written by timer_schedule: drop it, it cannot fire.
    redis.call('ZREM', KEYS[1], id)
  elseif v[4] and v[5] and tonumber(v[5]) > real_now then
    redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(v[5]) - real_now), id)
  else
    local attempt = tonumber(v[3]) or 0
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    redis.call('HSET', KEYS[2], 'a:' .. id, attempt + 1, 't:' .. id, ARGV[4], 'l:' .. id, ARGV[6])
    out[#out + 1] = id
    out[#out + 1] = v[1]
    out[#out + 1] = v[2] or ''
    out[#out + 1] = tostring(attempt)
  end
end
return out
)lua");
  return *s;
}

// KEYS[1] zset, KEYS[2] data; ARGV[1] claim token, ARGV[2] number of completed ids n,
// ARGV[3 .. 2+n] completed ids, then pairs (id, new due ms) to re-queue. Only timers still
// holding the token are touched. Returns the number completed.
const store::Script& Settle() {
  static const store::Script* s = new store::Script("timer_settle", R"lua(
local token = ARGV[1]
local n = tonumber(ARGV[2])
local completed = 0
for i = 3, 2 + n do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[2], 't:' .. id) == token then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], 'd:' .. id, 'p:' .. id, 'a:' .. id, 't:' .. id, 'l:' .. id)
    completed = completed + 1
  end
end
for i = 3 + n, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[2], 't:' .. id) == token then
    redis.call('ZADD', KEYS[1], ARGV[i + 1], id)
    redis.call('HSET', KEYS[2], 'd:' .. id, ARGV[i + 1])
    redis.call('HDEL', KEYS[2], 't:' .. id, 'l:' .. id)
  end
end
return completed
)lua");
  return *s;
}

}  // namespace lua

namespace {

std::string RandomHex64() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return absl::StrCat(absl::Hex(v, absl::kZeroPad16));
}

constexpr absl::Duration kMaxErrorBackoff = absl::Seconds(2);

}  // namespace

TimerWorker::TimerWorker(store::RedisPool& pool, std::string service, Handler handler,
                         Options options)
    : pool_(pool),
      service_(std::move(service)),
      handler_(std::move(handler)),
      options_(std::move(options)),
      token_prefix_(RandomHex64()),
      fired_(observe::MetricsRegistry::Global().GetCounter(
          "kpr_timer_fired_total", "Timers handed to the handler.", {{"service", service_}})),
      retried_(observe::MetricsRegistry::Global().GetCounter(
          "kpr_timer_retried_total", "Timers re-queued after a handler error.",
          {{"service", service_}})),
      poll_errors_(observe::MetricsRegistry::Global().GetCounter(
          "kpr_timer_poll_errors_total", "Timer passes that failed (e.g. Redis down).",
          {{"service", service_}})),
      due_(observe::MetricsRegistry::Global().GetGauge(
          "kpr_timer_due",
          "Timers due and not yet claimed, over every municipality (each replica reports the "
          "same: take max)",
          {{"service", service_}})),
      lag_(observe::MetricsRegistry::Global().GetGauge(
          "kpr_timer_lag_seconds",
          "How late the most overdue unclaimed timer is, in domain time (take max)",
          {{"service", service_}})),
      loop_(
          [this] { return LoopPass(); },
          {.idle_wait = options_.poll_interval,
           .min_backoff = options_.poll_interval,
           .max_backoff = std::max(kMaxErrorBackoff, options_.poll_interval),
           .on_failing =
               [this](const absl::Status& error) {
                 observe::Warn("timer pass failed; retrying with backoff")
                     .With("timer_service", service_)
                     .With("error", error.ToString());
               },
           .on_recovered =
               [this] { observe::Info("timer pass recovered").With("timer_service", service_); }}) {
}

TimerWorker::~TimerWorker() { Stop(); }

void TimerWorker::Start() { loop_.Start(); }

void TimerWorker::Notify() {
  full_pass_requested_ = true;
  loop_.Notify();
}

void TimerWorker::Stop() { loop_.Stop(); }

absl::Duration TimerWorker::Backoff(int attempt) const {
  absl::Duration d = options_.min_backoff;
  for (int i = 0; i < attempt && d < options_.max_backoff; ++i) d *= 2;
  return std::min(d, options_.max_backoff);
}

absl::StatusOr<int> TimerWorker::PollOnce(absl::Time now) {
  absl::MutexLock poll_lock(&poll_mu_);
  return Poll(now, /*full=*/true);
}

void TimerWorker::SampleDue(const std::vector<std::string>& municipalities, absl::Time now) {
  if (absl::Now() - last_due_sample_ < options_.due_sample_interval) return;
  last_due_sample_ = absl::Now();
  const std::string now_ms = absl::StrCat(absl::ToUnixMillis(now));
  std::vector<std::vector<std::string>> commands;
  for (const std::string& m : municipalities) {
    commands.push_back({"ZCOUNT", TimersKey(m, service_), "-inf", now_ms});
    commands.push_back({"ZRANGE", TimersKey(m, service_), "0", "0", "WITHSCORES"});
  }
  if (commands.empty()) {
    due_.Set(0);
    lag_.Set(0);
    return;
  }
  auto replies = pool_.Pipeline(commands);
  if (!replies.ok()) return;  // Redis down: the figures stay as last seen; health says why
  const DueSummary due = SummarizeDue(*replies, now);
  due_.Set(static_cast<double>(due.count));
  lag_.Set(absl::ToDoubleSeconds(due.lag));
}

DueSummary SummarizeDue(const std::vector<store::RedisReply>& replies, absl::Time now) {
  DueSummary out;
  for (size_t i = 0; i + 1 < replies.size(); i += 2) {
    if (!replies[i].is_error()) out.count += replies[i].integer();
    const store::RedisReply& first = replies[i + 1];
    if (first.is_error() || first.size() < 2) continue;
    double ms = 0;
    if (!absl::SimpleAtod(first.element(1).string(), &ms)) continue;
    const absl::Time at = absl::FromUnixMillis(static_cast<int64_t>(ms));
    if (at < now) out.lag = std::max(out.lag, now - at);
  }
  return out;
}

absl::StatusOr<int> TimerWorker::LoopPass() {
  absl::MutexLock poll_lock(&poll_mu_);
  const bool full = full_pass_requested_.exchange(false) || busy_.empty() ||
                    absl::Now() - last_full_pass_ >= options_.poll_interval;
  return Poll(options_.clock(), full);
}

absl::StatusOr<int> TimerWorker::Poll(absl::Time now, bool full) {
  std::vector<std::string> municipalities;
  if (full) {
    last_full_pass_ = absl::Now();
    auto index = pool_.Command({"SMEMBERS", TimerIndexKey(service_)});
    if (!index.ok()) {
      poll_errors_.Increment();
      return index.status();
    }
    for (size_t i = 0; i < index->size(); ++i) municipalities.push_back(index->element(i).string());
    SampleDue(municipalities, now);
  } else {
    municipalities = busy_;
  }
  busy_.clear();
  if (municipalities.empty()) return 0;

  const int64_t now_ms = absl::ToUnixMillis(now);
  const int64_t lease_until_ms = now_ms + absl::ToInt64Milliseconds(options_.lease);
  // Leases are infrastructure time (see lua::Claim).
  const int64_t real_now_ms = absl::ToUnixMillis(absl::Now());
  const int64_t real_lease_until_ms = real_now_ms + absl::ToInt64Milliseconds(options_.lease);
  const std::string token = absl::StrCat(token_prefix_, "-", passes_.fetch_add(1));
  std::vector<store::RedisPool::ScriptCall> claims;
  claims.reserve(municipalities.size());
  for (const std::string& m : municipalities) {
    claims.push_back({&lua::Claim(),
                      {TimersKey(m, service_), TimerDataKey(m, service_)},
                      {absl::StrCat(now_ms), absl::StrCat(lease_until_ms),
                       absl::StrCat(std::max(options_.batch, 1)), token, absl::StrCat(real_now_ms),
                       absl::StrCat(real_lease_until_ms)}});
  }
  auto claimed = pool_.EvalPipeline(claims);
  if (!claimed.ok()) {
    poll_errors_.Increment();
    return claimed.status();
  }

  absl::Status error;  // first per-municipality error; the others still run
  int delivered = 0;
  std::vector<store::RedisPool::ScriptCall> settles;
  for (size_t mi = 0; mi < municipalities.size(); ++mi) {
    const absl::StatusOr<store::RedisReply>& reply = (*claimed)[mi];
    if (!reply.ok()) {
      error.Update(reply.status());
      continue;
    }
    // A full claim may have left more due behind it.
    if (reply->size() / 4 >= static_cast<size_t>(std::max(options_.batch, 1))) {
      busy_.push_back(municipalities[mi]);
    }
    std::vector<Timer> batch;
    batch.reserve(reply->size() / 4);
    for (size_t i = 0; i + 4 <= reply->size(); i += 4) {
      Timer t;
      t.municipality = municipalities[mi];
      t.id = reply->element(i).string();
      int64_t due_ms = 0;
      if (!absl::SimpleAtoi(reply->element(i + 1).str(), &due_ms) ||
          !absl::SimpleAtoi(reply->element(i + 3).str(), &t.attempt)) {
        // Left claimed: it comes back after the lease instead of being lost.
        error.Update(absl::InternalError("timer: malformed claimed timer"));
        continue;
      }
      t.due = absl::FromUnixMillis(due_ms);
      t.payload = reply->element(i + 2).string();
      batch.push_back(std::move(t));
    }
    if (options_.prefetch && !batch.empty()) options_.prefetch(batch);
    std::vector<std::string> done;
    std::vector<std::string> retry;  // id, due ms, ...
    for (Timer& t : batch) {
      ++delivered;
      fired_.Increment();
      absl::Status s = handler_(t);
      if (s.ok()) {
        done.push_back(std::move(t.id));
      } else {
        retried_.Increment();
        retry.push_back(std::move(t.id));
        retry.push_back(absl::StrCat(now_ms + absl::ToInt64Milliseconds(Backoff(t.attempt))));
      }
    }
    if (done.empty() && retry.empty()) continue;
    std::vector<std::string> args;
    args.reserve(2 + done.size() + retry.size());
    args.push_back(token);
    args.push_back(absl::StrCat(done.size()));
    for (auto& id : done) args.push_back(std::move(id));
    for (auto& a : retry) args.push_back(std::move(a));
    settles.push_back(
        {&lua::Settle(),
         {TimersKey(municipalities[mi], service_), TimerDataKey(municipalities[mi], service_)},
         std::move(args)});
  }
  if (!settles.empty()) {
    // If this fails the timers stay claimed and fire again after the lease (at least once).
    auto settled = pool_.EvalPipeline(settles);
    if (!settled.ok()) {
      error.Update(settled.status());
    } else {
      for (const auto& r : *settled) {
        if (!r.ok()) error.Update(r.status());
      }
    }
  }
  if (!error.ok()) {
    poll_errors_.Increment();
    return error;
  }
  return delivered;
}

}  // namespace kpr::timer
