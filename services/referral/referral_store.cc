#include "services/referral/referral_store.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "libs/store/keys.h"
#include "libs/store/outbox.h"
#include "services/referral/referral_lifecycle.h"
#include "services/referral/referral_record.h"

namespace kpr::referral {
namespace {

using ::google::protobuf::util::TimeUtil;
using store::Key;
using store::RedisReply;

// Stores a batch of new referrals of one municipality in one call. Each is skipped if its
// (source_system, external_id) is known, or was stored earlier in the same batch. Redis's cost is
// per redis.call inside the script far more than per key written, so every write is one command
// for the whole batch: one HMGET looks the batch up, one MSET writes the records (one string each,
// see referral_record.h), one XADD per 200 events appends them to the outbox
// (outbox_append_many), and one ZADD / HSET per key inserts into the indexes and writes the
// de-duplication markers. The markers are written last, so if the script fails half-way a retry
// does those referrals again (their ids are deterministic, so it overwrites its own keys) rather
// than taking them for duplicates.
// KEYS: 1 ext, 2 updated, 3 received, 4 outbox, then per referral: record, referrer zset
// ARGV: 1 count, then per referral: ext field, id, record, rcv ms, referrer, number of events,
//       then (id, subject, data) per event
// Returns per referral: when stored, the array of its events' outbox stream ids (so the caller
// can hand them to the outbox relay); else the id of the referral already known.
constexpr char kSubmitLua[] = R"lua(
-- One command with a long argument list, in chunks well below Lua's C stack limit.
local function bulk(cmd, key, items)
  for s = 1, #items, 1000 do
    if key then
      redis.call(cmd, key, unpack(items, s, math.min(s + 999, #items)))
    else
      redis.call(cmd, unpack(items, s, math.min(s + 999, #items)))
    end
  end
end
local n = tonumber(ARGV[1])
local at, fields = {}, {}
local a = 2
for i = 1, n do
  at[i] = a
  fields[i] = ARGV[a]
  a = a + 6 + 3 * tonumber(ARGV[a + 5])
end
local known = {}
for s = 1, n, 1000 do
  local part = redis.call('HMGET', KEYS[1], unpack(fields, s, math.min(s + 999, n)))
  for k = 1, #part do known[s + k - 1] = part[k] end
end
local out, seen = {}, {}
local records, events, first_event = {}, {}, {}
local by_time, markers = {}, {}
local referrer_keys, by_referrer = {}, {}
for i = 1, n do
  a = at[i]
  local ext_field = fields[i]
  local existing = known[i] or seen[ext_field]
  if existing then
    out[i] = existing
  else
    local id, rcv, ref = ARGV[a + 1], ARGV[a + 3], ARGV[a + 4]
    records[#records + 1] = KEYS[3 + 2 * i]
    records[#records + 1] = ARGV[a + 2]
    first_event[i] = #events / 3 + 1
    for k = a + 6, a + 5 + 3 * tonumber(ARGV[a + 5]) do events[#events + 1] = ARGV[k] end
    by_time[#by_time + 1] = rcv
    by_time[#by_time + 1] = id
    if ref ~= '' then
      local key = KEYS[4 + 2 * i]
      local t = by_referrer[key]
      if not t then
        t = {}
        by_referrer[key] = t
        referrer_keys[#referrer_keys + 1] = key
      end
      t[#t + 1] = rcv
      t[#t + 1] = id
    end
    markers[#markers + 1] = ext_field
    markers[#markers + 1] = id
    seen[ext_field] = id
  end
end
if #markers > 0 then
  bulk('MSET', nil, records)
  local stream_ids = outbox_append_many(KEYS[4], events)
  for i = 1, n do
    if first_event[i] then
      local appended = {}
      for e = 0, tonumber(ARGV[at[i] + 5]) - 1 do appended[e + 1] = stream_ids[first_event[i] + e] end
      out[i] = appended
    end
  end
  bulk('ZADD', KEYS[2], by_time)
  bulk('ZADD', KEYS[3], by_time)
  for _, key in ipairs(referrer_keys) do bulk('ZADD', key, by_referrer[key]) end
  bulk('HSET', KEYS[1], markers)
end
return out
)lua";

// KEYS: 1 record, 2 updated, 3 referrer (or ""), 4 outbox
// ARGV: 1 expected version, 2 the new record (at expected version + 1), 3 upd ms, 4 referrer,
//       5 number of events, then (id, subject, data) per event
// Returns {1, new version}; {0, current version} on a conflict; {-1, 0} if there is no such
// referral; {-2, 0} if the stored value is not a record.
constexpr char kUpdateLua[] = R"lua(
local record = redis.call('GET', KEYS[1])
if not record then return {-1, 0} end
local v = tonumber(string.match(record, '^(%d+):'))
if not v then return {-2, 0} end
if v ~= tonumber(ARGV[1]) then return {0, v} end
redis.call('SET', KEYS[1], ARGV[2])
local id = KEYS[1]:match(':r:(.*)$')
redis.call('ZADD', KEYS[2], ARGV[3], id)
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[3], id) end
for i = 0, tonumber(ARGV[5]) - 1 do
  outbox_append(KEYS[4], ARGV[6 + 3 * i], ARGV[7 + 3 * i], ARGV[8 + 3 * i])
end
return {1, v + 1}
)lua";

// KEYS: 1 rejected hash, 2 outbox.  ARGV: 1 rejection key, 2 event id, 3 subject, 4 data
constexpr char kRejectLua[] = R"lua(
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
outbox_append(KEYS[2], ARGV[2], ARGV[3], ARGV[4])
return 1
)lua";

// Newest first by (score desc, id desc); the page token is the last returned "score:id".
// Returns whole records (referral_record.h), filtered on their headers.
// KEYS: 1 index zset.  ARGV: 1 max score, 2 cursor id ("" none), 3 min score, 4 page size,
// 5 status ("0" any), 6 source ("0" any), 7 source system ("" any), 8 record key prefix,
// 9 scan limit
constexpr char kListLua[] = R"lua(
local cur_score = tonumber(ARGV[1])
local cur_id = ARGV[2]
local n = tonumber(ARGV[4])
local limit = tonumber(ARGV[9])
local out = {}
local offset, scanned = 0, 0
local last = ''
while scanned < limit do
  local page = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[3], 'WITHSCORES', 'LIMIT', offset, 200)
  if #page == 0 then return {out, ''} end
  for i = 1, #page, 2 do
    local id, score = page[i], page[i + 1]
    offset = offset + 1
    scanned = scanned + 1
    if not (cur_id ~= '' and tonumber(score) == cur_score and id >= cur_id) then
      local record = redis.call('GET', ARGV[8] .. id)
      if record then
        local st, src, len, at = string.match(record, '^%d+:(%d+):(%d+):%d+:(%d+):()')
        if st and (ARGV[5] == '0' or st == ARGV[5]) and (ARGV[6] == '0' or src == ARGV[6])
            and (ARGV[7] == '' or string.sub(record, at, at + tonumber(len) - 1) == ARGV[7]) then
          out[#out + 1] = record
          if #out == n then return {out, score .. ':' .. id} end
        end
      end
    end
    last = score .. ':' .. id
  end
end
return {out, last}
)lua";

// Status, source and reach of each referral received in the period, read from the records'
// headers, the records fetched a few hundred per MGET.
// KEYS: 1 received zset.  ARGV: 1 from ms, 2 to ms (exclusive), 3 record key prefix
constexpr char kFunnelLua[] = R"lua(
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '(' .. ARGV[2])
local out = {}
for s = 1, #ids, 500 do
  local keys = {}
  for i = s, math.min(s + 499, #ids) do keys[#keys + 1] = ARGV[3] .. ids[i] end
  local records = redis.call('MGET', unpack(keys))
  for _, record in ipairs(records) do
    local st, src, reach
    if record then st, src, reach = string.match(record, '^%d+:(%d+):(%d+):(%d+):') end
    out[#out + 1] = st or '0'
    out[#out + 1] = src or '0'
    out[#out + 1] = reach or '0'
  end
end
return out
)lua";

const store::Script& SubmitScript() {
  static const store::Script s("referral_submit",
                               absl::StrCat(store::kOutboxAppendLua, kSubmitLua));
  return s;
}
const store::Script& UpdateScript() {
  static const store::Script s("referral_update",
                               absl::StrCat(store::kOutboxAppendLua, kUpdateLua));
  return s;
}
const store::Script& RejectScript() {
  static const store::Script s("referral_reject",
                               absl::StrCat(store::kOutboxAppendLua, kRejectLua));
  return s;
}
const store::Script& ListScript() {
  static const store::Script s("referral_list", kListLua);
  return s;
}
const store::Script& FunnelScript() {
  static const store::Script s("referral_funnel", kFunnelLua);
  return s;
}

std::string K(absl::string_view m, absl::string_view suffix) {
  return Key(m, kServiceName, suffix);
}

int64_t Millis(const google::protobuf::Timestamp& ts) {
  return TimeUtil::TimestampToMilliseconds(ts);
}

void AppendEvents(const std::vector<OutboxEvent>& events, std::vector<std::string>& args) {
  args.push_back(std::to_string(events.size()));
  for (const auto& e : events) {
    args.push_back(e.id);
    args.push_back(e.subject);
    args.push_back(e.data);
  }
}

}  // namespace

std::string ExternalKey(absl::string_view source_system, absl::string_view external_id) {
  return absl::StrCat(source_system, "\n", external_id);
}

ReferralStore::ReferralStore(store::RedisPool& pool) : pool_(pool), outbox_(pool, kServiceName) {}

store::RedisPool::ScriptCall ReferralStore::SubmitCall(
    const std::vector<const NewReferral*>& batch) const {
  const std::string& m = batch.front()->stored.referral().municipality();
  std::vector<std::string> keys = {K(m, "ext"), K(m, "updated"), K(m, "received"), K(m, "outbox")};
  std::vector<std::string> args = {std::to_string(batch.size())};
  keys.reserve(4 + 2 * batch.size());
  args.reserve(1 + 9 * batch.size());
  for (const NewReferral* n : batch) {
    const v1::Referral& r = n->stored.referral();
    const std::string& cw = r.referrer().caseworker_id();
    keys.push_back(K(m, absl::StrCat("r:", r.id())));
    keys.push_back(K(m, absl::StrCat("referrer:", cw)));
    args.push_back(ExternalKey(r.source_system(), r.external_id()));
    args.push_back(r.id());
    args.push_back(EncodeReferralRecord(1, FunnelStage(v1::REFERRAL_STATUS_RECEIVED), n->stored));
    args.push_back(std::to_string(Millis(r.received_at())));
    args.push_back(cw);
    AppendEvents(n->events, args);
  }
  return store::RedisPool::ScriptCall{&SubmitScript(), std::move(keys), std::move(args)};
}

store::RedisPool::ScriptCall ReferralStore::RejectCall(const IntakeRejection& rejection) const {
  const std::string& m = rejection.municipality;
  return store::RedisPool::ScriptCall{
      &RejectScript(),
      {K(m, "rejected"), K(m, "outbox")},
      {rejection.key, rejection.event.id, rejection.event.subject, rejection.event.data}};
}

namespace {

absl::StatusOr<std::optional<LoadedReferral>> DecodeLoaded(const RedisReply& reply,
                                                           const std::string& id) {
  if (reply.is_nil()) return std::optional<LoadedReferral>();
  if (!reply.is_string()) {
    return absl::DataLossError(absl::StrCat("referral ", id, " is not a record"));
  }
  auto record = DecodeReferralRecord(reply.str());
  if (!record.ok()) {
    return absl::DataLossError(absl::StrCat("referral ", id, ": ", record.status().message()));
  }
  LoadedReferral loaded;
  loaded.stored = std::move(record->stored);
  loaded.version = record->version;
  return std::optional<LoadedReferral>(std::move(loaded));
}

}  // namespace

absl::StatusOr<std::optional<LoadedReferral>> ReferralStore::Get(const std::string& municipality,
                                                                 const std::string& id) {
  auto reply = pool_.Command({"GET", K(municipality, absl::StrCat("r:", id))});
  if (!reply.ok()) return reply.status();
  return DecodeLoaded(*reply, id);
}

absl::StatusOr<std::vector<std::optional<LoadedReferral>>> ReferralStore::GetMany(
    const std::string& municipality, const std::vector<std::string>& ids) {
  std::vector<std::optional<LoadedReferral>> out;
  if (ids.empty()) return out;
  std::vector<std::string> argv = {"MGET"};
  argv.reserve(1 + ids.size());
  for (const std::string& id : ids) argv.push_back(K(municipality, absl::StrCat("r:", id)));
  auto reply = pool_.Command(argv);
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != ids.size()) {
    return absl::InternalError("MGET: unexpected reply");
  }
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto loaded = DecodeLoaded(reply->element(i), ids[i]);
    if (!loaded.ok()) return loaded.status();
    out.push_back(*std::move(loaded));
  }
  return out;
}

absl::StatusOr<UpdateResult> ReferralStore::Update(const v1::StoredReferral& updated,
                                                   int64_t expected_version, int reach,
                                                   const std::vector<OutboxEvent>& events) {
  const v1::Referral& r = updated.referral();
  const std::string& m = r.municipality();
  const std::string& cw = r.referrer().caseworker_id();
  if (auto s = RegisterOutbox(m); !s.ok()) return s;
  std::vector<std::string> keys = {K(m, absl::StrCat("r:", r.id())), K(m, "updated"),
                                   K(m, absl::StrCat("referrer:", cw)), K(m, "outbox")};
  std::vector<std::string> args = {std::to_string(expected_version),
                                   EncodeReferralRecord(expected_version + 1, reach, updated),
                                   std::to_string(Millis(r.updated_at())), cw};
  AppendEvents(events, args);
  auto reply = pool_.Eval(UpdateScript(), keys, args);
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != 2) {
    return absl::InternalError("referral_update: unexpected reply");
  }
  int64_t code = reply->element(0).integer();
  if (code == -2) return absl::DataLossError(absl::StrCat("referral ", r.id(), " is not a record"));
  UpdateResult result{UpdateOutcome::kUpdated, reply->element(1).integer()};
  if (code == -1) result.outcome = UpdateOutcome::kNotFound;
  if (code == 0) result.outcome = UpdateOutcome::kVersionConflict;
  return result;
}

absl::StatusOr<ListPage> ReferralStore::List(const ListQuery& q) {
  std::string max_score = "+inf";
  std::string cursor_id;
  if (!q.page_token.empty()) {
    std::vector<std::string> parts = absl::StrSplit(q.page_token, absl::MaxSplits(':', 1));
    int64_t score;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &score) || parts[1].empty()) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    max_score = parts[0];
    cursor_id = parts[1];
  }
  std::string index = q.only_referrer.empty()
                          ? K(q.municipality, "updated")
                          : K(q.municipality, absl::StrCat("referrer:", q.only_referrer));
  auto reply =
      pool_.Eval(ListScript(), {index},
                 {max_score, cursor_id, std::to_string(q.updated_since_ms),
                  std::to_string(q.page_size), std::to_string(q.status), std::to_string(q.source),
                  q.source_system, K(q.municipality, "r:"), "5000"});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != 2) {
    return absl::InternalError("referral_list: unexpected reply");
  }
  ListPage page;
  RedisReply items = reply->element(0);
  for (size_t i = 0; i < items.size(); ++i) {
    auto record = DecodeReferralRecord(items.element(i).str());
    if (!record.ok()) return record.status();
    page.referrals.push_back(std::move(record->stored));
  }
  page.next_page_token = reply->element(1).string();
  return page;
}

absl::StatusOr<std::vector<FunnelRow>> ReferralStore::FunnelRows(const std::string& municipality,
                                                                 absl::Time from, absl::Time to) {
  auto reply = pool_.Eval(FunnelScript(), {K(municipality, "received")},
                          {std::to_string(absl::ToUnixMillis(from)),
                           std::to_string(absl::ToUnixMillis(to)), K(municipality, "r:")});
  if (!reply.ok()) return reply.status();
  std::vector<FunnelRow> rows;
  rows.reserve(reply->size() / 3);
  for (size_t i = 0; i + 2 < reply->size(); i += 3) {
    int st = 0, src = 0, reach = 0;
    (void)absl::SimpleAtoi(reply->element(i).str(), &st);
    (void)absl::SimpleAtoi(reply->element(i + 1).str(), &src);
    (void)absl::SimpleAtoi(reply->element(i + 2).str(), &reach);
    rows.push_back(FunnelRow{static_cast<v1::ReferralStatus>(st),
                             static_cast<intake::v1::ReferralSource>(src), reach});
  }
  return rows;
}

}  // namespace kpr::referral
