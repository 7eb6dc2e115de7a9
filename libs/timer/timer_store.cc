#include "libs/timer/timer_store.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/identity/municipality.h"
#include "libs/store/keys.h"
#include "libs/store/script.h"
#include "libs/timer/timer_scripts.h"

namespace kpr::timer {

const char kTimerScheduleLua[] = R"lua(
local function timer_schedule(zset_key, data_key, id, due_ms, payload)
  local due = tonumber(due_ms)
  if not due then error('timer_schedule: due_ms is not a number') end
  due = string.format('%d', due)
  redis.call('ZADD', zset_key, due, id)
  redis.call('HSET', data_key, 'd:' .. id, due, 'p:' .. id, payload, 'a:' .. id, 0)
  -- A worker holding the old version must not complete or re-queue the new one.
  redis.call('HDEL', data_key, 't:' .. id)
end
)lua";

std::string TimersKey(absl::string_view municipality, absl::string_view service) {
  return store::Key(municipality, service, "timers");
}

std::string TimerDataKey(absl::string_view municipality, absl::string_view service) {
  return store::Key(municipality, service, "timers:data");
}

std::string TimerIndexKey(absl::string_view service) {
  return absl::StrCat("kpr:timers:", service);
}

namespace lua {

// KEYS[1] zset, KEYS[2] data; ARGV id, due ms, payload.
const store::Script& Schedule() {
  static const store::Script* s =
      new store::Script("timer_schedule", absl::StrCat(kTimerScheduleLua, R"lua(
timer_schedule(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return 1
)lua"));
  return *s;
}

// KEYS[1] zset, KEYS[2] data; ARGV[1] id. Returns 1 if the timer existed.
const store::Script& Cancel() {
  static const store::Script* s = new store::Script("timer_cancel", R"lua(
local id = ARGV[1]
redis.call('ZREM', KEYS[1], id)
return math.min(1, redis.call('HDEL', KEYS[2], 'd:' .. id, 'p:' .. id, 'a:' .. id, 't:' .. id,
                              'l:' .. id))
)lua");
  return *s;
}

}  // namespace lua

namespace {

constexpr absl::Duration kRegistrationRefresh = absl::Seconds(10);

absl::Status CheckTimerRef(absl::string_view m, absl::string_view id) {
  if (!identity::IsMunicipalityCode(m)) {
    return absl::InvalidArgumentError("timer: municipality must be a 4-digit code");
  }
  if (id.empty()) return absl::InvalidArgumentError("timer: empty id");
  return absl::OkStatus();
}

absl::Status CheckTimer(const Timer& t) {
  if (auto s = CheckTimerRef(t.municipality, t.id); !s.ok()) return s;
  if (t.due == absl::InfinitePast() || t.due == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("timer: due time must be finite");
  }
  return absl::OkStatus();
}

}  // namespace

TimerStore::TimerStore(store::RedisPool& pool, std::string service)
    : pool_(pool), service_(std::move(service)) {}

absl::Status TimerStore::Register(absl::string_view municipality) {
  if (!identity::IsMunicipalityCode(municipality)) {
    return absl::InvalidArgumentError("timer: municipality must be a 4-digit code");
  }
  {
    absl::MutexLock lock(&mu_);
    auto it = registered_.find(municipality);
    if (it != registered_.end() && absl::Now() - it->second < kRegistrationRefresh) {
      return absl::OkStatus();
    }
  }
  auto reply = pool_.Command({"SADD", TimerIndexKey(service_), std::string(municipality)});
  if (!reply.ok()) return reply.status();
  absl::MutexLock lock(&mu_);
  registered_[std::string(municipality)] = absl::Now();
  return absl::OkStatus();
}

absl::Status TimerStore::Schedule(const Timer& t) { return ScheduleMany({t}); }

absl::Status TimerStore::ScheduleMany(const std::vector<Timer>& timers) {
  std::vector<store::RedisPool::ScriptCall> calls;
  calls.reserve(timers.size());
  for (const Timer& t : timers) {
    if (auto s = CheckTimer(t); !s.ok()) return s;
  }
  // Register first: a timer must never exist where workers cannot find it.
  for (const Timer& t : timers) {
    if (auto s = Register(t.municipality); !s.ok()) return s;
    calls.push_back({&lua::Schedule(),
                     {TimersKey(t.municipality, service_), TimerDataKey(t.municipality, service_)},
                     {t.id, absl::StrCat(absl::ToUnixMillis(t.due)), t.payload}});
  }
  if (calls.empty()) return absl::OkStatus();
  auto results = pool_.EvalPipeline(calls);
  if (!results.ok()) return results.status();
  for (const auto& r : *results) {
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}

absl::Status TimerStore::Cancel(absl::string_view municipality, absl::string_view id) {
  if (auto s = CheckTimerRef(municipality, id); !s.ok()) return s;
  return pool_
      .Eval(lua::Cancel(),
            {TimersKey(municipality, service_), TimerDataKey(municipality, service_)},
            {std::string(id)})
      .status();
}

absl::StatusOr<std::optional<Timer>> TimerStore::Get(absl::string_view municipality,
                                                     absl::string_view id) {
  if (auto s = CheckTimerRef(municipality, id); !s.ok()) return s;
  auto reply = pool_.Command({"HMGET", TimerDataKey(municipality, service_), absl::StrCat("d:", id),
                              absl::StrCat("p:", id), absl::StrCat("a:", id)});
  if (!reply.ok()) return reply.status();
  if (reply->size() != 3) return absl::InternalError("timer: malformed HMGET reply");
  if (reply->element(0).is_nil()) return std::optional<Timer>();
  int64_t due_ms = 0;
  int attempt = 0;
  if (!absl::SimpleAtoi(reply->element(0).str(), &due_ms) ||
      !absl::SimpleAtoi(reply->element(2).str(), &attempt)) {
    return absl::InternalError("timer: malformed timer record");
  }
  Timer t;
  t.municipality = std::string(municipality);
  t.id = std::string(id);
  t.due = absl::FromUnixMillis(due_ms);
  t.payload = reply->element(1).string();
  t.attempt = attempt;
  return std::optional<Timer>(std::move(t));
}

}  // namespace kpr::timer
