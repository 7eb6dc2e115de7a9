#ifndef KPR_SERVICES_REFERRAL_REFERRAL_STORE_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_STORE_H_

// Referrals in Redis. Every change is one Lua script that checks the version, writes the entity
// and its indexes and appends the resulting events to the outbox, all or nothing.
//
// Keys (m = municipality), all in m's hash slot:
//   kpr:{m}:referral:r:<id>            string  the referral record (referral_record.h): version,
//                                            what list and funnel filter on without decoding
//                                            (status, source, reach, source system), then the
//                                            StoredReferral (personal data sealed)
//   kpr:{m}:referral:ext               hash  "<source_system>\n<external_id>" -> id
//   (de-duplication) kpr:{m}:referral:updated           zset  id by last update (ms), for
//   ListReferrals kpr:{m}:referral:received          zset  id by reception (ms), for GetFunnel
//   kpr:{m}:referral:referrer:<cw>     zset  a caseworker's referrals by last update
//   kpr:{m}:referral:rejected          hash  rejection key -> event id (one rejection per
//   submission) kpr:{m}:referral:outbox            stream  events waiting for the outbox relay

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/referral/v1/referral.pb.h"
#include "libs/bus/outbox_event.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"
#include "libs/store/script.h"
#include "services/referral/funnel.h"

namespace kpr::referral {

inline constexpr char kServiceName[] = "referral";

using bus::OutboxEvent;

struct NewReferral {
  v1::StoredReferral stored;  // stored.referral().id() and municipality() are set
  std::vector<OutboxEvent> events;
};

// An intake submission that failed validation, recorded once per `key` (a keyed digest of the
// submission): its rejected event goes to the outbox only the first time.
struct IntakeRejection {
  std::string municipality;
  std::string key;
  OutboxEvent event;
};

// One write of an intake batch: a new referral, or a rejection.
using IntakeWrite = std::variant<const NewReferral*, const IntakeRejection*>;

// What the store did with one intake write.
struct IntakeStored {
  // The referral was created, or the rejection recorded for the first time: its events are in the
  // outbox. Otherwise the same (source_system, external_id) or rejection was stored before.
  bool is_new = false;
  std::string id;  // referrals: the new id, or the one already stored for the same external id
  // A new referral: the outbox stream id of each of NewReferral::events, in order (for
  // bus::OutboxRelay::HandOver).
  std::vector<std::string> outbox_ids;
};

struct LoadedReferral {
  v1::StoredReferral stored;
  int64_t version = 0;
};

enum class UpdateOutcome { kUpdated, kVersionConflict, kNotFound };
struct UpdateResult {
  UpdateOutcome outcome;
  int64_t version;  // the new version, or the current one on conflict
};

struct ListQuery {
  std::string municipality;
  std::string only_referrer;  // caseworker id; "" for all
  v1::ReferralStatus status = v1::REFERRAL_STATUS_UNSPECIFIED;
  intake::v1::ReferralSource source = intake::v1::REFERRAL_SOURCE_UNSPECIFIED;
  std::string source_system;
  int64_t updated_since_ms = 0;
  int page_size = 50;
  std::string page_token;
};

struct ListPage {
  std::vector<v1::StoredReferral> referrals;
  std::string next_page_token;
};

class ReferralStore {
 public:
  explicit ReferralStore(store::RedisPool& pool);

  // The outbox relay finds municipalities through this registration; call before writing to a
  // municipality's outbox (cached: one round trip per municipality per process).
  absl::Status RegisterOutbox(const std::string& municipality) {
    return outbox_.Register(municipality);
  }
  store::Outbox& outbox() { return outbox_; }

  // Stores an intake batch: each new referral unless its (source_system, external_id) is known,
  // each rejection once. One pipeline (a script per municipality for the referrals, one per
  // rejection), the outboxes registered first. A municipality's referrals that fail together in
  // Redis are retried one by one, so only a referral that really cannot be stored fails.
  // One result per write, in order; UNAVAILABLE while Redis is out.
  std::vector<absl::StatusOr<IntakeStored>> StoreIntake(const std::vector<IntakeWrite>& writes);
  absl::StatusOr<IntakeStored> Submit(const NewReferral& referral);

  absl::StatusOr<std::optional<LoadedReferral>> Get(const std::string& municipality,
                                                    const std::string& id);
  // Several of one municipality in one round trip; nullopt for an unknown id. The ids must be
  // well-formed referral ids of `municipality`.
  absl::StatusOr<std::vector<std::optional<LoadedReferral>>> GetMany(
      const std::string& municipality, const std::vector<std::string>& ids);

  // Replaces the referral if its version is still `expected_version`.
  absl::StatusOr<UpdateResult> Update(const v1::StoredReferral& updated, int64_t expected_version,
                                      int reach, const std::vector<OutboxEvent>& events);

  // Newest first. Reads the index, then the records it names (referral_query_store.cc); a page
  // may stop short after scanning 5000 entries, with a token to go on. INVALID_ARGUMENT for a
  // malformed page token or a page size below 1.
  absl::StatusOr<ListPage> List(const ListQuery& query);

  // Referrals received in [from, to): the index, then the records' headers (two round trips).
  absl::StatusOr<std::vector<FunnelRow>> FunnelRows(const std::string& municipality,
                                                    absl::Time from, absl::Time to);

 private:
  // The scripts behind StoreIntake (referral_intake_store.cc).
  store::RedisPool::ScriptCall SubmitCall(const std::vector<const NewReferral*>& batch) const;
  static absl::StatusOr<std::vector<IntakeStored>> ParseSubmitReply(
      const store::RedisReply& reply, const std::vector<const NewReferral*>& batch);
  store::RedisPool::ScriptCall RejectCall(const IntakeRejection& rejection) const;

  store::RedisPool& pool_;
  store::Outbox outbox_;
};

// The de-duplication field of (source_system, external_id).
std::string ExternalKey(absl::string_view source_system, absl::string_view external_id);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_STORE_H_
