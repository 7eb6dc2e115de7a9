#ifndef KPR_LIBS_STORE_OUTBOX_H_
#define KPR_LIBS_STORE_OUTBOX_H_

// The transactional outbox. A service appends the events a change produces to a Redis stream of
// its own, per municipality, INSIDE the Lua script that makes the change, so state and events
// are written all or nothing. The outbox relay (libs/bus) reads the streams oldest first,
// publishes each entry to JetStream with the event id as Nats-Msg-Id, and removes entries only
// after the server's ack.
//
// Stream key:  OutboxKey(m, service) = "kpr:{<m>}:<service>:outbox" (same hash slot as the
//              service's other keys of that municipality, so the script stays cluster-valid).
// Entry shape: fields "id" (event id = Nats-Msg-Id), "subject", "data" (serialized
//              kpr.common.v1.Event bytes); an entry written by outbox_append_many holds several
//              events, the three fields repeated in that order. Read() returns one OutboxEntry
//              per event; the events of one entry share its stream id.
// Index:       OutboxIndexKey(service) = "kpr:outboxes:<service>", a set of municipality codes
//              that may have an outbox. Outside the slot, so it is only a hint written by
//              Register() before the first append; it is never written from a script.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/redis_pool.h"

namespace kpr::store {

// Lua source defining `local function outbox_append(key, id, subject, data)`, which runs
// XADD key * id <id> subject <subject> data <data> and returns the new stream id. Prepend it to
// a service script (it is a `local` function: Redis forbids globals in scripts), e.g.
//   Script s("accept", std::string(kOutboxAppendLua) + R"(
//     redis.call('SET', KEYS[1], ARGV[1])
//     outbox_append(KEYS[2], ARGV[2], ARGV[3], ARGV[4])
//     return 1)");
// Pass the outbox key in KEYS (OutboxKey) so the script declares every key it touches.
// It also defines `local function outbox_append_many(key, events)`: `events` is a flat array
// {id, subject, data, id, subject, data, ...}; they go into entries of up to
// kOutboxEventsPerEntry events (one XADD each) and it returns the stream id of each event, in
// order. For a script that emits many events at once (the intake stores a batch of referrals):
// Redis's cost is per XADD far more than per field.
extern const char kOutboxAppendLua[];
// Events per entry written by outbox_append_many. Small, because readers count entries (XRANGE
// COUNT) while what they hold and publish is events: a read of n entries holds at most 8n events.
inline constexpr int kOutboxEventsPerEntry = 8;

// "kpr:{<municipality>}:<service>:outbox"
std::string OutboxKey(absl::string_view municipality, absl::string_view service);
// "kpr:outboxes:<service>"
std::string OutboxIndexKey(absl::string_view service);

struct OutboxEntry {
  std::string stream_id;  // Redis stream id, e.g. "1700000000000-0"; what Remove() takes
  std::string event_id;   // field "id": the event id, used as Nats-Msg-Id
  std::string subject;    // field "subject"
  std::string data;       // field "data": serialized kpr.common.v1.Event (binary)
};

// The outbox entries not yet published, and how long the oldest has waited (from its stream id,
// Redis's clock). An entry may hold several events of one script.
struct OutboxBacklog {
  int64_t entries = 0;
  absl::Duration oldest_age = absl::ZeroDuration();
};

// The millisecond part of a stream id "<ms>-<seq>" (Redis's clock); 0 if malformed.
int64_t StreamIdMillis(absl::string_view stream_id);

// Thread-safe. Errors are those of RedisPool (UNAVAILABLE when Redis is down), INVALID_ARGUMENT
// for a municipality that is not a 4-digit code. An entry lacking a field (written by something
// other than outbox_append) is returned with that field empty, so it cannot block the outbox.
class Outbox {
 public:
  Outbox(RedisPool& pool, std::string service);

  // SADD the municipality to the index. Call before the first append for a municipality;
  // registered ones are cached in memory, so repeated calls cost no round trip.
  absl::Status Register(absl::string_view municipality);
  // SMEMBERS of the index (sorted).
  absl::StatusOr<std::vector<std::string>> Municipalities();
  // Up to max_count entries, oldest first (XRANGE key - + COUNT max_count).
  absl::StatusOr<std::vector<OutboxEntry>> Read(absl::string_view municipality, int max_count);
  // Read for many municipalities in one pipelined round trip (the relay's hot path). The result
  // has one vector per municipality, in the same order.
  absl::StatusOr<std::vector<std::vector<OutboxEntry>>> ReadMany(
      const std::vector<std::string>& municipalities, int max_count_each);
  // XDEL the given stream ids (no-op for an empty list; unknown ids are ignored).
  absl::Status Remove(absl::string_view municipality, const std::vector<std::string>& stream_ids);
  // Remove for many municipalities in one pipelined round trip: `entries` as ReadMany returned
  // them (one vector per municipality, same order).
  absl::Status RemoveMany(const std::vector<std::string>& municipalities,
                          const std::vector<std::vector<OutboxEntry>>& entries);
  // XLEN.
  absl::StatusOr<int64_t> Length(absl::string_view municipality);
  // What waits in every registered municipality's outbox (one XINFO STREAM each, pipelined):
  // what an operator alerts on when the relay stops draining.
  absl::StatusOr<OutboxBacklog> Backlog(absl::Time now);

  const std::string& service() const { return service_; }
  RedisPool& pool() const { return pool_; }

 private:
  RedisPool& pool_;
  const std::string service_;
  const std::string index_key_;
  absl::Mutex mu_;
  // Municipality -> when it was last registered. Re-registered after kRegistrationRefresh so an
  // index lost with Redis data (a flush, a failover without persistence) comes back by itself.
  absl::flat_hash_map<std::string, absl::Time> registered_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_OUTBOX_H_
