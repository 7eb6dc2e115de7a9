#ifndef KPR_SERVICES_NOTIFY_DELIVERY_STORE_H_
#define KPR_SERVICES_NOTIFY_DELIVERY_STORE_H_

// Deliveries in Redis. Recording one is idempotent by its deterministic id, so a redelivered
// fact, a second replica or a restart finds it and sends nothing new; every change checks the
// version and, in the same script, moves the status index, appends the events to the outbox and
// schedules or cancels the delivery's timer. Personal data is never in clear: the record holds
// the masked contact point only and the rendered message sealed.
//
// Keys (m = municipality), all in m's hash slot:
//   kpr:{m}:notify:d:<id>             string  "<version>:" + StoredDelivery
//   kpr:{m}:notify:referral:<id>      zset    delivery ids of a referral, by creation (ms)
//   kpr:{m}:notify:cohort:<id>        zset    delivery ids of a cohort, by creation
//   kpr:{m}:notify:status:<n>         zset    delivery ids in status n, by last change
//   kpr:{m}:notify:outbox, timers     the outbox (libs/store) and the timers (libs/timer)

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/records.pb.h"
#include "libs/bus/outbox_event.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"
#include "libs/timer/timer_store.h"

namespace kpr::notify {

inline constexpr char kNotifyService[] = "notify";

// What a change does to the delivery's timer (its next attempt, or its reminder).
struct TimerChange {
  enum class Kind { kNone, kSchedule, kCancel };
  Kind kind = Kind::kNone;
  timer::Timer timer;  // kSchedule: all of it; kCancel: municipality and id
};

struct LoadedDelivery {
  v1::StoredDelivery stored;
  int64_t version = 0;
};

enum class RecordOutcome { kRecorded, kAlreadyRecorded };

struct DeliveryPage {
  std::vector<v1::Delivery> deliveries;  // newest first
  std::string next_page_token;
};

class DeliveryStore {
 public:
  explicit DeliveryStore(store::RedisPool& pool);

  // Records a new delivery (version 1) with its events and timer, unless its id is recorded
  // already: then nothing is written and kAlreadyRecorded is returned.
  absl::StatusOr<RecordOutcome> Record(const v1::StoredDelivery& stored,
                                       const std::vector<bus::OutboxEvent>& events,
                                       const TimerChange& timer);

  // Replaces the delivery if its version is still `expected_version` (the stored version
  // becomes expected_version + 1). ABORTED on a version conflict, NOT_FOUND if unknown.
  absl::Status Update(const v1::StoredDelivery& stored, v1::DeliveryStatus previous_status,
                      int64_t expected_version, const std::vector<bus::OutboxEvent>& events,
                      const TimerChange& timer);

  absl::StatusOr<std::optional<LoadedDelivery>> Get(const std::string& municipality,
                                                    const std::string& delivery_id);
  // Get for several, in one round trip; in the order of `delivery_ids`.
  absl::StatusOr<std::vector<std::optional<LoadedDelivery>>> GetMany(
      const std::string& municipality, const std::vector<std::string>& delivery_ids);

  // A page of the deliveries of a referral, a cohort or in a status (exactly one given).
  struct ListQuery {
    std::string municipality;
    std::string referral_id;
    std::string cohort_id;
    v1::DeliveryStatus status = v1::DELIVERY_STATUS_UNSPECIFIED;
    int page_size = 50;
    std::string page_token;  // the offset, as returned
  };
  absl::StatusOr<DeliveryPage> List(const ListQuery& query);

  store::Outbox& outbox() { return outbox_; }

 private:
  absl::Status Register(const std::string& municipality,
                        const std::vector<bus::OutboxEvent>& events, const TimerChange& timer);

  store::RedisPool& pool_;
  store::Outbox outbox_;
  timer::TimerStore timers_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_DELIVERY_STORE_H_
