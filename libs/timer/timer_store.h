#ifndef KPR_LIBS_TIMER_TIMER_STORE_H_
#define KPR_LIBS_TIMER_TIMER_STORE_H_

// Durable timers in Redis: a service schedules (municipality, id, due time, payload) and a
// TimerWorker (timer_worker.h) on any replica fires it once it is due. Timers survive restarts
// (they are Redis data; AOF is on) and scheduling is idempotent by id: scheduling an existing id
// replaces its due time and payload and resets its attempt count (that is "reschedule").
//
// Storage, per service and municipality, in the municipality's hash slot (so every script names
// all its keys and stays valid on Redis Cluster):
//   TimersKey(m, s)    = "kpr:{<m>}:<s>:timers"       ZSET id -> due ms (Unix), or, while a
//                        worker holds the timer, its lease deadline ms.
//   TimerDataKey(m, s) = "kpr:{<m>}:<s>:timers:data"  HASH with, per timer id:
//                        "d:<id>" due ms, "p:<id>" payload bytes, "a:<id>" deliveries so far,
//                        "t:<id>" claim token while a worker holds it (absent otherwise),
//                        "l:<id>" the end of that hold in real time (Unix ms).
// One ZSET serves both pending and claimed timers: claiming re-scores a timer to its lease
// deadline, so a timer whose holder died is simply due again when the lease runs out.
//   TimerIndexKey(s)   = "kpr:timers:<s>"             SET of municipalities that may have
//                        timers. A hint outside the slot, written by Register() (never from a
//                        script) and refreshed periodically so a lost index comes back.

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/redis_pool.h"

namespace kpr::timer {

struct Timer {
  std::string municipality;  // 4-digit municipality code
  std::string id;            // unique per service and municipality; any bytes, non-empty
  absl::Time due;            // millisecond precision; in the past = fire at once
  std::string payload;       // opaque bytes for the handler (no personal data in clear)
  // Set by the store: how many times the timer was handed to a handler before (0 on the first
  // firing). Ignored by Schedule.
  int attempt = 0;
};

// "kpr:{<m>}:<service>:timers"
std::string TimersKey(absl::string_view municipality, absl::string_view service);
// "kpr:{<m>}:<service>:timers:data"
std::string TimerDataKey(absl::string_view municipality, absl::string_view service);
// "kpr:timers:<service>"
std::string TimerIndexKey(absl::string_view service);

// Lua source defining `local function timer_schedule(zset_key, data_key, id, due_ms, payload)`
// (due_ms: integer Unix milliseconds, as a string or number). Prepend it to a service script
// to schedule a timer atomically with a state change, like kOutboxAppendLua:
//   Script s("open", absl::StrCat(timer::kTimerScheduleLua, R"(
//     redis.call('SET', KEYS[1], ARGV[1])
//     timer_schedule(KEYS[2], KEYS[3], ARGV[2], ARGV[3], ARGV[4])
//     return 1)"));
// with KEYS[2] = TimersKey(m, service), KEYS[3] = TimerDataKey(m, service). Call
// TimerStore::Register(m) before the first such script for a municipality, so workers find it.
// Scheduling a timer a worker currently holds replaces it: the holder's completion is ignored.
// A non-numeric due_ms raises a script error; Redis does not undo writes made earlier in the
// script, so validate arguments before writing (or call timer_schedule first).
extern const char kTimerScheduleLua[];

// Thread-safe. Errors are those of RedisPool (UNAVAILABLE when Redis is down); INVALID_ARGUMENT
// for a municipality that is not a 4-digit code, an empty id or an infinite due time.
class TimerStore {
 public:
  // `pool` must outlive the store.
  TimerStore(store::RedisPool& pool, std::string service);

  // Creates or replaces timer t.id (due, payload; attempt reset to 0). Registers t.municipality.
  absl::Status Schedule(const Timer& t);
  // Schedule for many timers in one pipelined round trip. On error some may have been stored.
  absl::Status ScheduleMany(const std::vector<Timer>& timers);
  // Removes the timer; OK if it does not exist. A handler already running for it still runs,
  // but its completion is ignored.
  absl::Status Cancel(absl::string_view municipality, absl::string_view id);
  // The timer as scheduled (due is the scheduled or backed-off due time, also while a worker
  // holds it), or nullopt once it completed or was cancelled.
  absl::StatusOr<std::optional<Timer>> Get(absl::string_view municipality, absl::string_view id);

  // SADD the municipality to the index. Cached in memory: repeated calls cost no round trip
  // until the cached entry is 10 s old (then it is written again).
  absl::Status Register(absl::string_view municipality);

  const std::string& service() const { return service_; }

 private:
  store::RedisPool& pool_;
  const std::string service_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> registered_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::timer

#endif  // KPR_LIBS_TIMER_TIMER_STORE_H_
