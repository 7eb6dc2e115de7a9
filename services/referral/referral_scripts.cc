#include "services/referral/referral_scripts.h"

#include "absl/strings/str_cat.h"
#include "libs/store/outbox.h"

namespace kpr::referral {
namespace {

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
  for _, referrer_key in ipairs(referrer_keys) do
    bulk('ZADD', referrer_key, by_referrer[referrer_key])
  end
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

}  // namespace

namespace lua {

const store::Script& Submit() {
  static const store::Script s("referral_submit",
                               absl::StrCat(store::kOutboxAppendLua, kSubmitLua));
  return s;
}
const store::Script& Update() {
  static const store::Script s("referral_update",
                               absl::StrCat(store::kOutboxAppendLua, kUpdateLua));
  return s;
}
const store::Script& Reject() {
  static const store::Script s("referral_reject",
                               absl::StrCat(store::kOutboxAppendLua, kRejectLua));
  return s;
}

}  // namespace lua

std::vector<const store::Script*> AllScripts() {
  return {&lua::Submit(), &lua::Update(), &lua::Reject()};
}

}  // namespace kpr::referral
