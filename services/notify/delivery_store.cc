#include "services/notify/delivery_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/store/keys.h"
#include "libs/store/script.h"
#include "services/notify/notify_scripts.h"

namespace kpr::notify {
namespace {

using google::protobuf::util::TimeUtil;

// Shared by both scripts: the delivery's timer, scheduled or cancelled with the change.
// ARGV from `at`: kind ('' | 's' | 'c'), id, due ms, payload.
constexpr char kTimerChangeLua[] = R"lua(
local function timer_change(zset_key, data_key, at)
  local kind, id = ARGV[at], ARGV[at + 1]
  if kind == 's' then
    timer_schedule(zset_key, data_key, id, ARGV[at + 2], ARGV[at + 3])
  elseif kind == 'c' then
    redis.call('ZREM', zset_key, id)
    redis.call('HDEL', data_key, 'd:' .. id, 'p:' .. id, 'a:' .. id, 't:' .. id)
  end
end
local function events_from(at)
  local events = {}
  for k = at + 1, at + 3 * tonumber(ARGV[at]) do events[#events + 1] = ARGV[k] end
  return events
end
)lua";

// KEYS: 1 record, 2 referral zset, 3 cohort zset, 4 status zset, 5 outbox, 6 timers, 7 data
// ARGV: 1 value, 2 id, 3 created ms, 4 has cohort, 5-8 timer change, 9 event count, events
// Returns 1 recorded, 0 already recorded.
constexpr char kRecordLua[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2]) end
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
timer_change(KEYS[6], KEYS[7], 5)
local events = events_from(9)
if #events > 0 then outbox_append_many(KEYS[5], events) end
return 1
)lua";

// KEYS: 1 record, 2 old status zset, 3 new status zset, 4 outbox, 5 timers, 6 timer data
// ARGV: 1 expected version, 2 value, 3 id, 4 changed ms, 5-8 timer change, 9 event count, events
// Returns 1 updated, 0 version conflict, -1 not found.
constexpr char kUpdateLua[] = R"lua(
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
if string.match(cur, '^(%d+):') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
timer_change(KEYS[5], KEYS[6], 5)
local events = events_from(9)
if #events > 0 then outbox_append_many(KEYS[4], events) end
return 1
)lua";

}  // namespace

namespace lua {

const store::Script& DeliveryRecord() {
  static const store::Script s(
      "notify_record",
      absl::StrCat(store::kOutboxAppendLua, timer::kTimerScheduleLua, kTimerChangeLua, kRecordLua));
  return s;
}
const store::Script& DeliveryUpdate() {
  static const store::Script s(
      "notify_update",
      absl::StrCat(store::kOutboxAppendLua, timer::kTimerScheduleLua, kTimerChangeLua, kUpdateLua));
  return s;
}

}  // namespace lua

namespace {

std::string K(absl::string_view m, absl::string_view suffix) {
  return store::Key(m, kNotifyService, suffix);
}
std::string StatusKey(absl::string_view m, v1::DeliveryStatus status) {
  return K(m, absl::StrCat("status:", static_cast<int>(status)));
}
std::string Encode(int64_t version, const v1::StoredDelivery& stored) {
  return absl::StrCat(version, ":", stored.SerializeAsString());
}

void AppendTimerAndEvents(const TimerChange& change, const std::vector<bus::OutboxEvent>& events,
                          std::vector<std::string>& args) {
  switch (change.kind) {
    case TimerChange::Kind::kNone:
      args.insert(args.end(), {"", "", "0", ""});
      break;
    case TimerChange::Kind::kSchedule:
      args.insert(args.end(),
                  {"s", change.timer.id, absl::StrCat(absl::ToUnixMillis(change.timer.due)),
                   change.timer.payload});
      break;
    case TimerChange::Kind::kCancel:
      args.insert(args.end(), {"c", change.timer.id, "0", ""});
      break;
  }
  args.push_back(absl::StrCat(events.size()));
  for (const bus::OutboxEvent& e : events) args.insert(args.end(), {e.id, e.subject, e.data});
}

}  // namespace

DeliveryStore::DeliveryStore(store::RedisPool& pool)
    : pool_(pool), outbox_(pool, kNotifyService), timers_(pool, kNotifyService) {}

absl::Status DeliveryStore::Register(const std::string& m,
                                     const std::vector<bus::OutboxEvent>& events,
                                     const TimerChange& timer) {
  // The relay and the timer workers find municipalities through these indexes: register before
  // the first entry can exist (cached, so normally no round trip).
  if (!events.empty()) {
    if (auto s = outbox_.Register(m); !s.ok()) return s;
  }
  if (timer.kind != TimerChange::Kind::kNone) return timers_.Register(m);
  return absl::OkStatus();
}

absl::StatusOr<RecordOutcome> DeliveryStore::Record(const v1::StoredDelivery& stored,
                                                    const std::vector<bus::OutboxEvent>& events,
                                                    const TimerChange& timer) {
  const v1::Delivery& d = stored.delivery();
  const std::string& m = d.municipality();
  if (d.delivery_id().empty() || d.referral_id().empty()) {
    return absl::InvalidArgumentError("a delivery needs its id and referral id");
  }
  if (auto s = Register(m, events, timer); !s.ok()) return s;
  std::vector<std::string> keys = {K(m, absl::StrCat("d:", d.delivery_id())),
                                   K(m, absl::StrCat("referral:", d.referral_id())),
                                   K(m, absl::StrCat("cohort:", d.cohort_id())),
                                   StatusKey(m, d.status()),
                                   store::OutboxKey(m, kNotifyService),
                                   timer::TimersKey(m, kNotifyService),
                                   timer::TimerDataKey(m, kNotifyService)};
  std::vector<std::string> args = {Encode(1, stored), d.delivery_id(),
                                   absl::StrCat(TimeUtil::TimestampToMilliseconds(d.created_at())),
                                   d.cohort_id().empty() ? "0" : "1"};
  AppendTimerAndEvents(timer, events, args);
  auto reply = pool_.Eval(lua::DeliveryRecord(), keys, args);
  if (!reply.ok()) return reply.status();
  return reply->integer() == 1 ? RecordOutcome::kRecorded : RecordOutcome::kAlreadyRecorded;
}

absl::Status DeliveryStore::Update(const v1::StoredDelivery& stored,
                                   v1::DeliveryStatus previous_status, int64_t expected_version,
                                   const std::vector<bus::OutboxEvent>& events,
                                   const TimerChange& timer) {
  const v1::Delivery& d = stored.delivery();
  const std::string& m = d.municipality();
  if (auto s = Register(m, events, timer); !s.ok()) return s;
  std::vector<std::string> keys = {K(m, absl::StrCat("d:", d.delivery_id())),
                                   StatusKey(m, previous_status),
                                   StatusKey(m, d.status()),
                                   store::OutboxKey(m, kNotifyService),
                                   timer::TimersKey(m, kNotifyService),
                                   timer::TimerDataKey(m, kNotifyService)};
  std::vector<std::string> args = {absl::StrCat(expected_version),
                                   Encode(expected_version + 1, stored), d.delivery_id(),
                                   absl::StrCat(TimeUtil::TimestampToMilliseconds(d.updated_at()))};
  AppendTimerAndEvents(timer, events, args);
  auto reply = pool_.Eval(lua::DeliveryUpdate(), keys, args);
  if (!reply.ok()) return reply.status();
  switch (reply->integer()) {
    case 1:
      return absl::OkStatus();
    case 0:
      return absl::AbortedError(
          absl::StrCat("delivery ", d.delivery_id(), " changed meanwhile; load it again"));
    default:
      return absl::NotFoundError(absl::StrCat("delivery ", d.delivery_id(), " is not recorded"));
  }
}

namespace {

absl::StatusOr<std::optional<LoadedDelivery>> Decode(const store::RedisReply& reply,
                                                     absl::string_view id) {
  if (reply.is_nil()) return std::optional<LoadedDelivery>();
  const absl::string_view value = reply.str();
  const size_t colon = value.find(':');
  LoadedDelivery loaded;
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(value.substr(0, colon), &loaded.version) ||
      !loaded.stored.ParseFromArray(value.data() + colon + 1,
                                    static_cast<int>(value.size() - colon - 1))) {
    return absl::DataLossError(absl::StrCat("delivery ", id, " is not a record"));
  }
  loaded.stored.mutable_delivery()->set_version(loaded.version);
  return std::optional<LoadedDelivery>(std::move(loaded));
}

}  // namespace

absl::StatusOr<std::optional<LoadedDelivery>> DeliveryStore::Get(const std::string& m,
                                                                 const std::string& id) {
  auto reply = pool_.Command({"GET", K(m, absl::StrCat("d:", id))});
  if (!reply.ok()) return reply.status();
  return Decode(*reply, id);
}

absl::StatusOr<std::vector<std::optional<LoadedDelivery>>> DeliveryStore::GetMany(
    const std::string& m, const std::vector<std::string>& ids) {
  std::vector<std::optional<LoadedDelivery>> out;
  if (ids.empty()) return out;
  std::vector<std::string> mget = {"MGET"};
  for (const std::string& id : ids) mget.push_back(K(m, absl::StrCat("d:", id)));
  auto records = pool_.Command(mget);
  if (!records.ok()) return records.status();
  for (size_t i = 0; i < ids.size() && i < records->size(); ++i) {
    auto loaded = Decode(records->element(i), ids[i]);
    if (!loaded.ok()) return loaded.status();
    out.push_back(*std::move(loaded));
  }
  return out;
}

absl::StatusOr<DeliveryPage> DeliveryStore::List(const ListQuery& q) {
  const int given =
      !q.referral_id.empty() + !q.cohort_id.empty() + (q.status != v1::DELIVERY_STATUS_UNSPECIFIED);
  if (given != 1) {
    return absl::InvalidArgumentError("give exactly one of referral_id, cohort_id and status");
  }
  int64_t offset = 0;
  if (!q.page_token.empty() && (!absl::SimpleAtoi(q.page_token, &offset) || offset < 0)) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  const int size = q.page_size > 0 && q.page_size <= 500 ? q.page_size : 50;
  const std::string index = !q.referral_id.empty() ? K(q.municipality, "referral:" + q.referral_id)
                            : !q.cohort_id.empty() ? K(q.municipality, "cohort:" + q.cohort_id)
                                                   : StatusKey(q.municipality, q.status);
  auto ids = pool_.Command(
      {"ZREVRANGE", index, absl::StrCat(offset), absl::StrCat(offset + size)});  // one extra
  if (!ids.ok()) return ids.status();
  DeliveryPage page;
  const size_t n = ids->size();
  const size_t shown = std::min(n, static_cast<size_t>(size));
  if (shown == 0) return page;
  // The page's records in one round trip.
  std::vector<std::string> shown_ids;
  for (size_t i = 0; i < shown; ++i) shown_ids.emplace_back(ids->element(i).str());
  auto records = GetMany(q.municipality, shown_ids);
  if (!records.ok()) return records.status();
  for (auto& loaded : *records) {
    if (loaded) page.deliveries.push_back(std::move(*loaded->stored.mutable_delivery()));
  }
  if (n > static_cast<size_t>(size)) page.next_page_token = absl::StrCat(offset + size);
  return page;
}

}  // namespace kpr::notify
