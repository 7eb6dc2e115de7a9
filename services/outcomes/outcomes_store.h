#ifndef KPR_SERVICES_OUTCOMES_OUTCOMES_STORE_H_
#define KPR_SERVICES_OUTCOMES_OUTCOMES_STORE_H_

// The outcomes service's Redis state. The desk reads records, decides in plain C++ (sealing
// what holds health data), and writes everything a fact changes with one Commit: the records
// (each checked against the version it read — optimistic concurrency), the differences to the
// report tallies, index entries, the resulting events (to the outbox), timers, and the id of the
// triggering event (so a redelivery is recognised) — one Lua script, all or nothing.
//
// Keys, all in the municipality's hash slot (kpr:{<m>}:outcomes:...):
//   cohort:<cohort_id>            HASH v (version), d (serialized CohortRecord)
//   participant:<referral_id>     HASH v, d (SEALED ParticipantRecord: health answers)
//   attendance:<session_id>       HASH v, d (SEALED SessionAttendance)
//   funnel:referral:<referral_id> HASH v, d (serialized FunnelRecord)
//   tally:cohort:<cohort_id>      HASH OutcomeTally fields (HINCRBYFLOAT)
//   tally:funnel:<YYYY-MM>        HASH FunnelTally fields (month of receipt)
//   cohorts:<program_id>          ZSET cohort_id -> first day (days since 1970-01-01)
//   sessions                      HASH session_id -> cohort_id
//   processed:<event_id>          STRING, expires after 14 days: the event was applied
//   outbox                        STREAM (libs/store/outbox.h)
//   timers, timers:data           libs/timer (service "outcomes")

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/bus/outbox_event.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"
#include "libs/timer/timer_store.h"

namespace kpr::outcomes {

inline constexpr char kOutcomesService[] = "outcomes";

std::string CohortKey(absl::string_view m, absl::string_view cohort_id);
std::string ParticipantKey(absl::string_view m, absl::string_view referral_id);
std::string AttendanceKey(absl::string_view m, absl::string_view session_id);
std::string FunnelReferralKey(absl::string_view m, absl::string_view referral_id);
std::string CohortTallyKey(absl::string_view m, absl::string_view cohort_id);
std::string FunnelTallyKey(absl::string_view m, absl::string_view month);  // "2027-03"
std::string ProgramCohortsKey(absl::string_view m, absl::string_view program_id);
std::string SessionsKey(absl::string_view m);

struct StoredRecord {
  int64_t version = 0;
  std::string data;
};

// Writes `data` with version expected_version + 1. expected_version 0: the key must not exist.
struct RecordWrite {
  std::string key;
  int64_t expected_version = 0;
  std::string data;
};

// HINCRBYFLOAT key field delta for every field (zero deltas may be skipped).
struct TallyDelta {
  std::string key;
  std::vector<std::pair<std::string, double>> fields;
};

struct IndexAdd {  // ZADD key score member
  std::string key;
  std::string member;
  double score = 0;
};

struct HashSet {  // HSET key field value
  std::string key;
  std::string field;
  std::string value;
};

struct Change {
  std::vector<RecordWrite> writes;
  std::vector<TallyDelta> tallies;
  std::vector<IndexAdd> index;
  std::vector<HashSet> hash_sets;
  // Appended to the outbox (subject kpr.outcomes.v1.<event>.<m>, bus::EventSubject) in this
  // order.
  std::vector<bus::OutboxEvent> events;
  // Scheduled (created or replaced) atomically with the rest (timer::kTimerScheduleLua).
  // Timer::municipality must be the commit's municipality or empty.
  std::vector<timer::Timer> timers;
  // Id of the event (or request) this change applies; "" = none. If it was applied before,
  // nothing is written and Commit returns kAlreadyApplied.
  std::string applied_event_id;
};

enum class CommitResult { kApplied, kAlreadyApplied };

// Thread-safe. Errors: UNAVAILABLE when Redis is down (from RedisPool); ABORTED when a record's
// version is not the expected one ("version conflict on <key>: expected 3, found 4"; nothing is
// written); INVALID_ARGUMENT for a bad municipality code, a key not under
// kpr:{<municipality>}:outcomes:, a record key written twice in one Change, a negative expected
// version, a non-finite tally delta, a NaN index score, an event without id or subject, or a
// timer without id or finite due time. Each call is one round trip (Commit: one EVALSHA, plus an
// index registration at most every 10 s per municipality when it has events or timers).
class OutcomesStore {
 public:
  // `pool` must outlive the store.
  explicit OutcomesStore(store::RedisPool& pool);

  absl::StatusOr<CommitResult> Commit(absl::string_view municipality, const Change& change);

  // One round trip (pipelined HMGET v d); nullopt for a missing key.
  absl::StatusOr<std::vector<std::optional<StoredRecord>>> Read(
      absl::string_view municipality, const std::vector<std::string>& keys);
  // HGETALL of each key, parsed as doubles (missing key = empty map). One round trip.
  absl::StatusOr<std::vector<absl::flat_hash_map<std::string, double>>> ReadTallies(
      absl::string_view municipality, const std::vector<std::string>& keys);
  // ZRANGEBYSCORE key min max (inclusive), members in score order.
  absl::StatusOr<std::vector<std::string>> IndexRange(absl::string_view municipality,
                                                      const std::string& key, double min,
                                                      double max);
  // HGET key field; nullopt when absent.
  absl::StatusOr<std::optional<std::string>> HashGet(absl::string_view municipality,
                                                     const std::string& key,
                                                     const std::string& field);
  // Every field of the funnel tally of each month in `months` ("YYYY-MM"; the caller lists the
  // months of its range), in the same order; one round trip. INVALID_ARGUMENT for a bad month.
  absl::StatusOr<std::vector<absl::flat_hash_map<std::string, double>>> ReadFunnelMonths(
      absl::string_view municipality, const std::vector<std::string>& months);

  store::Outbox& outbox() { return outbox_; }
  timer::TimerStore& timers() { return timers_; }

 private:
  store::RedisPool& pool_;
  store::Outbox outbox_;
  timer::TimerStore timers_;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOMES_STORE_H_
