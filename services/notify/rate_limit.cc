#include "services/notify/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/store/script.h"
#include "services/notify/notify_scripts.h"

namespace kpr::notify {
namespace {

// KEYS[1] the bucket; ARGV: tokens per second, bucket size, idle expiry in ms.
// Returns {1, 0} when a token was taken, {0, microseconds until one is due} otherwise.
// Times are microseconds of Redis's TIME; written with %.0f / %.6f because Lua's tostring keeps
// only 14 digits.
constexpr char kTakeLua[] = R"lua(#!lua
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000000)
  at = now
end
local granted = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  granted = 1
else
  wait = math.ceil((1 - tokens) * 1000000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at',
           string.format('%.0f', at))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {granted, wait}
)lua";

}  // namespace

namespace lua {

const store::Script& RateLimitTake() {
  static const store::Script s("notify_ratelimit_take", kTakeLua);
  return s;
}

}  // namespace lua

namespace {

constexpr absl::Duration kMinWait = absl::Milliseconds(1);

}  // namespace

std::string RateLimitKey(const std::string& provider) {
  return absl::StrCat("kpr:notify:ratelimit:", provider);
}

SharedRateLimiter::SharedRateLimiter(store::RedisPool& pool, std::string provider,
                                     double per_second, double burst)
    : pool_(pool),
      key_(RateLimitKey(provider)),
      per_second_(per_second),
      burst_(std::max(1.0, burst > 0 ? burst : per_second)) {}

absl::StatusOr<absl::Duration> SharedRateLimiter::TryAcquire() {
  if (per_second_ <= 0) return absl::ZeroDuration();
  // Idle long enough to refill completely, plus a margin: an expired bucket starts full.
  int64_t expiry_ms = static_cast<int64_t>(std::ceil(burst_ / per_second_ * 1000)) + 60000;
  absl::StatusOr<store::RedisReply> reply =
      pool_.Eval(lua::RateLimitTake(), {key_},
                 {absl::StrFormat("%.6f", per_second_), absl::StrFormat("%.6f", burst_),
                  absl::StrCat(expiry_ms)});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != 2) {
    return absl::InternalError("rate limit script answered an unexpected reply");
  }
  if (reply->element(0).integer() == 1) return absl::ZeroDuration();
  return std::max(kMinWait, absl::Microseconds(reply->element(1).integer()));
}

absl::Status SharedRateLimiter::Acquire(absl::Time deadline) {
  while (true) {
    absl::StatusOr<absl::Duration> wait = TryAcquire();
    if (!wait.ok()) return wait.status();
    if (*wait == absl::ZeroDuration()) return absl::OkStatus();
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration() || *wait > left) {
      return absl::DeadlineExceededError(
          absl::StrCat("no SMS rate token before the deadline (", key_, ")"));
    }
    absl::SleepFor(*wait);
  }
}

}  // namespace kpr::notify
