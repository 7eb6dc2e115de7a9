#include "services/scheduling/scheduling_store_lua.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/store/outbox.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/scheduling_lua_parts.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling::lua {
namespace {

// Statuses as stored (the proto enum numbers): cohort 1 PLANNED, 2 OPEN, 3 RUNNING,
// 4 COMPLETED, 5 CANCELLED; session 1 SCHEDULED, 2 SESSION_CANCELLED.
//
// Lua's string comparison follows the server's LC_COLLATE, so nothing here orders strings:
// ordering comes from sorted-set scores (numbers) and Redis's own byte-wise member order.

// Rows shared by read and write scripts. A cohort C is {id, c, cs, enr} (its keys).
//   cohort row (9): pb, v, st, cr, cap, fd, ld, sc, enrolments
//   session row (4): pb, v, st, cr
constexpr char kRowsLua[] = R"lua(
local function fmt(n) return string.format('%.0f', n) end
local function cohort_row(C, out)
  local h = redis.call('HMGET', C.c, 'pb', 'v', 'st', 'cr', 'cap', 'fd', 'ld', 'sc')
  if not h[1] then return false end
  for i = 1, 8 do out[#out + 1] = h[i] or '' end
  out[#out + 1] = tostring(redis.call('HLEN', C.enr))
  return true
end
local function session_row(sk, out)
  local h = redis.call('HMGET', sk, 'pb', 'v', 'st', 'cr')
  if not h[1] then return false end
  for i = 1, 4 do out[#out + 1] = h[i] or '' end
  return true
end
local function waitlist_row(wl, wld, ref, out)
  local at = redis.call('ZSCORE', wl, ref)
  if not at then return false end
  out[#out + 1] = redis.call('HGET', wld, ref) or ''
  out[#out + 1] = tostring(redis.call('ZRANK', wl, ref) + 1)
  out[#out + 1] = fmt(tonumber(at))
  return true
end
)lua";

// Prelude of every write script: argument and key readers, trigger markers, events, timers,
// and the shared pieces of enrolments.
constexpr char kWriteLua[] = R"lua(
local ai, ki = 0, 0
local function arg() ai = ai + 1; return ARGV[ai] end
local function argn() ai = ai + 1; return tonumber(ARGV[ai]) end
local function key() ki = ki + 1; return KEYS[ki] end
local NOW = argn()
local TRIG = arg()
local OUTBOX = key()
local TIMERS = key()
local TDATA = key()
local TRIGS = key()
local REFP = key()
local COHORTS = key()
local WLCLOCK = key()
local SD = key()

-- The keys of a cohort and of a program, as keys::CohortKeys / keys::ProgramKeys give them.
local function named_keys(t, names)
  for _, name in ipairs(names) do t[name] = key() end
  return t
end
local function cohort_keys(cid) return named_keys({id = cid}, {'c', 'cs', 'enr'}) end
local function program_keys(prog)
  return named_keys({id = prog}, {'wl', 'wld', 'pe', 'open', 'byprog'})
end
-- What the store read before the call no longer holds: it reads again and retries.
local function stale(what) return {'stale', what} end

local function trig_seen()
  return TRIG ~= '' and redis.call('ZSCORE', TRIGS, TRIG) ~= false
end
local function trig_mark()
  if TRIG == '' then return end
  redis.call('ZADD', TRIGS, fmt(NOW), TRIG)
  redis.call('ZREMRANGEBYSCORE', TRIGS, '-inf', '(' .. fmt(NOW - RETENTION_MS))
end
-- The reply when the referral is already enrolled in the program (nil: it is not); stale when
-- the cohort it is in is no longer CUR, the one the store read (CURK: that cohort's enr key).
local function already_enrolled(PK, ref, CUR, CURK)
  local cur = redis.call('HGET', PK.pe, ref)
  if (cur or '') ~= CUR then return stale('enrolment of the referral') end
  if not cur then return nil end
  trig_mark()
  return {'already_enrolled', cur, redis.call('HGET', CURK, ref) or ''}
end
local function read_list()
  local n, t = argn(), {}
  for i = 1, n do t[i] = arg() end
  return t
end
local function read_triples()
  local n, t = argn(), {}
  for i = 1, n do t[i] = {arg(), arg(), arg()} end
  return t
end
local function append_events(ev)
  for _, e in ipairs(ev) do outbox_append(OUTBOX, e[1], e[2], e[3]) end
end
local function apply_timers(sched, cancel)
  for _, t in ipairs(sched) do timer_schedule(TIMERS, TDATA, t[1], t[2], t[3]) end
  for _, id in ipairs(cancel) do
    redis.call('ZREM', TIMERS, id)
    redis.call('HDEL', TDATA, 'd:' .. id, 'p:' .. id, 'a:' .. id, 't:' .. id)
  end
end

-- Enrolment.
local function enroll(C, PK, ref, pb)
  redis.call('HSET', C.enr, ref, pb)
  redis.call('HSET', PK.pe, ref, C.id)
  redis.call('HSET', REFP, ref, PK.id)
end
local function unwaitlist(PK, ref)
  redis.call('ZREM', PK.wl, ref)
  redis.call('HDEL', PK.wld, ref)
end
-- A referral is placed in at most one program at a time: the other program it is enrolled or
-- waitlisted in, or nil.
local function placed_elsewhere(prog, ref)
  local other = redis.call('HGET', REFP, ref)
  if other and other ~= prog then return other end
  return nil
end
local function read_heads()
  local n, t = argn(), {}
  for i = 1, n do t[i] = {ref = arg(), pb = arg(), ev = {arg(), arg(), arg()}} end
  return t
end
-- How many heads get a seat, or nil if `heads` does not start with the actual waitlist heads.
local function check_heads(C, PK, cap, heads)
  local free = cap - redis.call('HLEN', C.enr)
  if free <= 0 then return 0 end
  local actual = redis.call('ZRANGE', PK.wl, 0, free - 1)
  if #heads < #actual then return nil end
  for i, ref in ipairs(actual) do
    if heads[i].ref ~= ref then return nil end
  end
  return #actual
end
local function give_seats(C, PK, heads, k, out)
  for i = 1, k do
    unwaitlist(PK, heads[i].ref)
    enroll(C, PK, heads[i].ref, heads[i].pb)
    append_events({heads[i].ev})
    out[#out + 1] = heads[i].pb
  end
end
local function cohort_reply(code, C, extra)
  local out = {code}
  cohort_row(C, out)
  for _, x in ipairs(extra or {}) do out[#out + 1] = x end
  return out
end
local function next_clock()
  local t = redis.call('TIME')
  local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('GET', WLCLOCK) or '0')
  if us <= last then us = last + 1 end
  redis.call('SET', WLCLOCK, fmt(us))
  return us
end
)lua";

// KEYS: 1 pb hash, 2 version hash.  ARGV: 1 id, 2 expected version, 3 pb.
constexpr char kCatalogPutLua[] = R"lua(
local v = redis.call('HGET', KEYS[2], ARGV[1])
local expected = tonumber(ARGV[2])
if expected ~= 0 then
  if not v then return {'not_found', ARGV[1] .. ' does not exist'} end
  if tonumber(v) ~= expected then return {'aborted', 'version is ' .. v} end
end
local nv = tonumber(v or '0') + 1
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], nv)
return {'ok', tostring(nv)}
)lua";

// ---- Reads. Where a read walks an index, the store reads the index itself and then the rows
// with these scripts (scheduling_store_reads.cc). ----

// KEYS: (c, enr) of each cohort.  Reply per cohort: '1' + cohort row, or '0'.
constexpr char kGetCohortsLua[] = R"lua(
local out = {}
for i = 1, #KEYS - 1, 2 do
  local at = #out + 1
  out[at] = '1'
  if not cohort_row({c = KEYS[i], enr = KEYS[i + 1]}, out) then out[at] = '0' end
end
return out
)lua";

// KEYS: s of each session.  Reply per session: '1' + session row, or '0'.
constexpr char kGetSessionsLua[] = R"lua(
local out = {}
for i = 1, #KEYS do
  local at = #out + 1
  out[at] = '1'
  if not session_row(KEYS[i], out) then out[at] = '0' end
end
return out
)lua";

// KEYS: c, enr of the cohort.  Reply: {'ok', enrolment pbs...} | {'not_found'}
constexpr char kEnrollmentsLua[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
local out = redis.call('HVALS', KEYS[2])
table.insert(out, 1, 'ok')
return out
)lua";

// KEYS: wl, wld of the program.  Reply: (entry pb, waitlisted_at us) in order.
constexpr char kWaitlistLua[] = R"lua(
local out = {}
local z = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #z, 2 do
  out[#out + 1] = redis.call('HGET', KEYS[2], z[i]) or ''
  out[#out + 1] = fmt(tonumber(z[i + 1]))
end
return out
)lua";

// KEYS: refp, pe, enr of the cohort read ("" cohort: any declared key), wl, wld of the program
// read.  ARGV: referral, program read, cohort read ("" none).
// Reply: {'ok', prog, 'e', cid, pb} | {'ok', prog, 'w', pb, position, at} | {'ok', prog, 'n'} |
// {'stale'} when the referral's program or cohort is no longer the one read.
constexpr char kPlacementLua[] = R"lua(
local ref, prog, cid = ARGV[1], ARGV[2], ARGV[3]
local REFP, PE, ENR, WL, WLD = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
if redis.call('HGET', REFP, ref) ~= prog then return {'stale'} end
local cur = redis.call('HGET', PE, ref)
if (cur or '') ~= cid then return {'stale'} end
if cur then return {'ok', prog, 'e', cid, redis.call('HGET', ENR, ref) or ''} end
local out = {'ok', prog, 'w'}
if waitlist_row(WL, WLD, ref, out) then return out end
return {'ok', prog, 'n'}
)lua";

std::string WritePrelude() {
  std::string w = kWriteLua;
  const std::string needle = "RETENTION_MS";
  w.replace(w.find(needle), needle.size(),
            std::to_string(absl::ToInt64Milliseconds(kTriggerRetention)));
  return absl::StrCat(store::kOutboxAppendLua, timer::kTimerScheduleLua, kRowsLua, w);
}

}  // namespace

const store::Script* WriteScript(const char* name, const char* body) {
  return new store::Script(name, absl::StrCat(WritePrelude(), body));
}
const store::Script* ReadScript(const char* name, const char* body) {
  return new store::Script(name, absl::StrCat(kRowsLua, body));
}

#define KPR_SCRIPT(fn, maker, name, body)              \
  const store::Script& fn() {                          \
    static const store::Script* s = maker(name, body); \
    return *s;                                         \
  }

const store::Script& CatalogPut() {
  static const store::Script* s = new store::Script("scheduling_catalog_put", kCatalogPutLua);
  return *s;
}
KPR_SCRIPT(GetCohorts, ReadScript, "scheduling_get_cohorts", kGetCohortsLua)
KPR_SCRIPT(GetSessions, ReadScript, "scheduling_get_sessions", kGetSessionsLua)
KPR_SCRIPT(Enrollments, ReadScript, "scheduling_enrollments", kEnrollmentsLua)
KPR_SCRIPT(Waitlist, ReadScript, "scheduling_waitlist", kWaitlistLua)
KPR_SCRIPT(Placement, ReadScript, "scheduling_placement", kPlacementLua)

#undef KPR_SCRIPT

std::vector<const store::Script*> AllScripts() {
  return {&CatalogPut(), &Commit(),      &UpdateSessions(), &Transition(), &Cancel(),
          &Enroll(),     &Place(),       &Unenroll(),       &Fill(),       &Leave(),
          &GetCohorts(), &GetSessions(), &Enrollments(),    &Waitlist(),   &Placement()};
}

}  // namespace kpr::scheduling::lua
