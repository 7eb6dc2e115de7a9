// The scripts of cohorts and sessions: booking a cohort, moving and cancelling sessions, and
// the cohort's lifecycle. Layouts: after the write prelude's ARGV (now, trigger) and KEYS
// (keys::WriteKeys), each script's own, read in order with arg() and key().

#include <string>

#include "absl/strings/str_cat.h"
#include "services/scheduling/scheduling_lua_parts.h"
#include "services/scheduling/scheduling_store_lua.h"

namespace kpr::scheduling::lua {
namespace {

// Sessions and bookings. A session record r: sid, idx, pb, st, cr, day, dn, s, e, inst, ven,
// ins (ARGV); its keys: k (s:<sid>) and `at`, the keys of its new place (keys::PlaceKeys: sv,
// si, sn, bv, bi). Read with `update`: also ev (the caller's expected version) before idx; and
// read_stored adds pv (the version the store read, "" none) and `was`, the keys of the place it
// read (none: the s: key five times).
constexpr char kSessionsLua[] = R"lua(
local function read_place() return named_keys({}, {'v', 'i', 'n', 'bv', 'bi'}) end
local function read_session(update)
  local r = {sid = arg()}
  if update then r.ev = argn() end
  r.idx, r.pb, r.st, r.cr, r.day, r.dn = arg(), arg(), arg(), arg(), arg(), argn()
  r.s, r.e, r.inst, r.ven, r.ins = argn(), argn(), arg(), arg(), arg()
  r.k = key()
  r.at = read_place()
  return r
end
-- After the rest of an update's arguments: per session the version read (ARGV) and `was`.
local function read_stored(S)
  for _, r in ipairs(S) do
    r.pv = arg()
    r.was = read_place()
  end
end
-- The cohort's timetable as the store read it: n, then per session its id (ARGV) and s: key
-- (KEYS); with `booked` also the version read (ARGV) and the bv, bi keys of the day, venue and
-- instructor read (KEYS).
local function read_timetable(booked)
  local n, t = argn(), {}
  for i = 1, n do
    t[i] = {sid = arg()}
    t[i].k = key()
    if booked then
      t[i].pv = arg()
      t[i].bv = key()
      t[i].bi = key()
    end
  end
  return t
end
-- True while the cohort's timetable (and each session's version, where read) is the one read.
local function same_timetable(C, T)
  local live = redis.call('ZRANGE', C.cs, 0, -1)
  if #live ~= #T then return false end
  for i, id in ipairs(live) do
    if T[i].sid ~= id then return false end
    if T[i].pv and (redis.call('HGET', T[i].k, 'v') or '') ~= T[i].pv then return false end
  end
  return true
end

local function booking(s, e, sid) return string.format('%d:%d:%s', s, e, sid) end
local function write_session(cid, r, v)
  redis.call('HSET', r.k, 'pb', r.pb, 'v', v, 'st', r.st, 'cr', r.cr, 'c', cid, 'day', r.day,
             'dn', r.dn, 's', r.s, 'e', r.e, 'inst', r.inst, 'ven', r.ven, 'ins', r.ins)
  local score = fmt(r.dn * 1440 + r.s)
  redis.call('ZADD', r.at.v, score, r.sid)
  redis.call('ZADD', r.at.i, score, r.sid)
  redis.call('ZADD', r.at.n, score, r.sid)
  redis.call('ZADD', SD, score, r.sid)
  if r.st == '1' then
    redis.call('ZADD', r.at.bv, r.s, booking(r.s, r.e, r.sid))
    redis.call('ZADD', r.at.bi, r.s, booking(r.s, r.e, r.sid))
  end
end
-- o: HMGET of v, c, st, day, s, e, inst, ven, ins (the place r.was was declared from).
local function unindex_session(r, o)
  redis.call('ZREM', r.was.v, r.sid)
  redis.call('ZREM', r.was.i, r.sid)
  redis.call('ZREM', r.was.n, r.sid)
  redis.call('ZREM', SD, r.sid)
  if o[3] == '1' then
    local b = booking(tonumber(o[5]), tonumber(o[6]), r.sid)
    redis.call('ZREM', r.was.bv, b)
    redis.call('ZREM', r.was.bi, b)
  end
end
local OLD_FIELDS = {'v', 'c', 'st', 'day', 's', 'e', 'inst', 'ven', 'ins'}

-- Overlap check of the SCHEDULED records in S against the bookings (minus the sessions in
-- `skip`) and against each other. Returns the conflicts, 8 fields each. A booked session's
-- cohort sits in a key nobody declared: its cohort field is '*' and the store looks it up
-- (nothing was written then); '' for one of the call's own sessions.
local function check_bookings(S, skip)
  local pending, out = {}, {}
  local function check(r, kind, res, bk)
    local bid, bs, be, bc
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', bk, '-inf', '(' .. r.e)) do
      local ms, me, mid = string.match(m, '^(%d+):(%d+):(.*)$')
      if tonumber(me) > r.s and not skip[mid] then
        bid, bs, be, bc = mid, ms, me, '*'
        break
      end
    end
    if not bid then
      for _, p in ipairs(pending[bk] or {}) do
        if p[1] < r.e and p[2] > r.s then
          bid, bs, be, bc = p[3], tostring(p[1]), tostring(p[2]), ''
          break
        end
      end
    end
    if bid then
      for _, f in ipairs({r.sid, bid, bc, kind, res, r.day, bs, be}) do out[#out + 1] = f end
    end
    pending[bk] = pending[bk] or {}
    table.insert(pending[bk], {r.s, r.e, r.sid})
  end
  for _, r in ipairs(S) do
    if r.st == '1' then
      check(r, 'v', r.ven, r.at.bv)
      check(r, 'i', r.ins, r.at.bi)
    end
  end
  return out
end

-- First / last day and count of the cohort's SCHEDULED sessions (T: all of them, each with
-- its key k), and the cohort's place in the by-first-day indexes.
local function recompute(C, PK, T)
  local fd, ld, fdn, ldn, sc = false, false, false, false, 0
  for _, x in ipairs(T) do
    local h = redis.call('HMGET', x.k, 'st', 'day', 'dn')
    if h[1] == '1' then
      local dn = tonumber(h[3])
      sc = sc + 1
      if not fdn or dn < fdn then fd, fdn = h[2], dn end
      if not ldn or dn > ldn then ld, ldn = h[2], dn end
    end
  end
  redis.call('HSET', C.c, 'sc', sc)
  if fd then
    redis.call('HSET', C.c, 'fd', fd, 'ld', ld, 'fdn', fdn)
    local st = redis.call('HGET', C.c, 'st')
    redis.call('ZADD', COHORTS, fdn, C.id)
    redis.call('ZADD', PK.byprog, fdn, C.id)
    if st == '2' then redis.call('ZADD', PK.open, fdn, C.id) end
  end
end
)lua";

// ARGV: request id, cohort id, cohort pb, status, capacity, program, n, n session records (no
// version), events, timers, heads (status OPEN).  KEYS: req, cohort keys, program keys, each
// session's keys.
// Reply: {'ok', cohort row, n, n session rows, filled enrolment pbs...} | {'dupreq', cohort id}
// | {'conflict', conflicts...} | error
constexpr char kCommitLua[] = R"lua(
local req, cid = arg(), arg()
local cpb, cst, cap, prog = arg(), arg(), arg(), arg()
local REQ = key()
local C = cohort_keys(cid)
local PK = program_keys(prog)
local n = argn()
local S = {}
for i = 1, n do S[i] = read_session(false) end
local events, timers = read_triples(), read_triples()
local heads = read_heads()

-- The earlier cohort's keys were not declared: the store reads it.
local prev = redis.call('HGET', REQ, req)
if prev then return {'dupreq', prev} end
if redis.call('EXISTS', C.c) == 1 then return {'exists', 'cohort ' .. cid} end
-- A new cohort has no timetable yet, so the reply below lists only the sessions declared here.
if redis.call('EXISTS', C.cs) == 1 then return {'exists', 'timetable of cohort ' .. cid} end
for _, r in ipairs(S) do
  if redis.call('EXISTS', r.k) == 1 then return {'exists', 'session ' .. r.sid} end
end
local conflicts = check_bookings(S, {})
if #conflicts > 0 then
  table.insert(conflicts, 1, 'conflict')
  return conflicts
end
local k = 0
if cst == '2' then
  k = check_heads(C, PK, tonumber(cap), heads)
  if not k then return {'aborted', 'the waitlist heads changed'} end
end
redis.call('HSET', C.c, 'pb', cpb, 'v', 1, 'st', cst, 'cr', '', 'cap', cap, 'prog', prog)
local SK = {}
for _, r in ipairs(S) do
  write_session(cid, r, 1)
  redis.call('ZADD', C.cs, r.idx, r.sid)
  SK[r.sid] = r.k
end
recompute(C, PK, S)
redis.call('HSET', REQ, req, cid)
append_events(events)
apply_timers(timers, {})
local filled = {}
give_seats(C, PK, heads, k, filled)
if k > 0 then redis.call('HINCRBY', C.c, 'v', 1) end
local out = cohort_reply('ok', C)
local ids = redis.call('ZRANGE', C.cs, 0, -1)
out[#out + 1] = tostring(#ids)
for _, sid in ipairs(ids) do session_row(SK[sid], out) end
for _, pb in ipairs(filled) do out[#out + 1] = pb end
return out
)lua";

// ARGV: cohort id, has cohort pb ('1'/'0'), cohort pb, n, n session records (with expected
// version), events, timers, timer ids to cancel, the cohort's program as read, its timetable as
// read (read_timetable(false)), each session's version read (read_stored).  KEYS: each session's
// keys, cohort keys, program keys, the timetable's s: keys, each session's place read.
// Reply: {'ok'} | {'dup'} | {'conflict', ...} | {'stale', what} | error
constexpr char kUpdateSessionsLua[] = R"lua(
local cid = arg()
local has_c, cpb = arg() == '1', arg()
local n = argn()
local S = {}
for i = 1, n do S[i] = read_session(true) end
local events, timers, cancels = read_triples(), read_triples(), read_list()
local C = cohort_keys(cid)
local PK = program_keys(arg())
local T = read_timetable(false)
read_stored(S)
if trig_seen() then return {'dup'} end
local cst = redis.call('HGET', C.c, 'st')
if not cst then return {'not_found', 'cohort ' .. cid} end
if cst == '4' or cst == '5' then return {'precondition', 'cohort ' .. cid .. ' is over'} end
local skip, old = {}, {}
for i, r in ipairs(S) do
  local o = redis.call('HMGET', r.k, unpack(OLD_FIELDS))
  if not o[1] then return {'not_found', 'session ' .. r.sid} end
  if o[2] ~= cid then return {'invalid', 'session ' .. r.sid .. ' is not of cohort ' .. cid} end
  if tonumber(o[1]) ~= r.ev then return {'aborted', 'session ' .. r.sid .. ' version is ' .. o[1]} end
  if o[1] ~= r.pv then return stale('session ' .. r.sid) end
  old[i] = o
  skip[r.sid] = true
end
if redis.call('HGET', C.c, 'prog') ~= PK.id or not same_timetable(C, T) then
  return stale('timetable of cohort ' .. cid)
end
local conflicts = check_bookings(S, skip)
if #conflicts > 0 then
  table.insert(conflicts, 1, 'conflict')
  return conflicts
end
for i, r in ipairs(S) do
  unindex_session(r, old[i])
  write_session(cid, r, r.ev + 1)
end
recompute(C, PK, T)
if has_c then redis.call('HSET', C.c, 'pb', cpb) end
redis.call('HINCRBY', C.c, 'v', 1)
append_events(events)
apply_timers(timers, cancels)
trig_mark()
return {'ok'}
)lua";

// ARGV: cohort id, to status, expected version (0 none), allowed list, events, timers, cancel
// ids, heads, the cohort's program as read.  KEYS: cohort keys, program keys.
// Reply: {'ok'|'same'|'dup', cohort row, filled enrolment pbs...} | {'stale', what} | error
constexpr char kTransitionLua[] = R"lua(
local cid, to, ev = arg(), arg(), argn()
local allowed = read_list()
local events, timers, cancels = read_triples(), read_triples(), read_list()
local heads = read_heads()
local C = cohort_keys(cid)
local PK = program_keys(arg())
if trig_seen() then return cohort_reply('dup', C) end
local h = redis.call('HMGET', C.c, 'st', 'v', 'prog', 'cap', 'fdn')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
if h[1] == to then
  trig_mark()
  return cohort_reply('same', C)
end
if ev ~= 0 and tonumber(h[2]) ~= ev then return {'aborted', 'cohort version is ' .. h[2]} end
local ok = false
for _, a in ipairs(allowed) do if a == h[1] then ok = true end end
if not ok then return {'precondition', 'cohort ' .. cid .. ' is in status ' .. h[1]} end
if h[3] ~= PK.id then return stale('program of cohort ' .. cid) end
local k = 0
if to == '2' then
  k = check_heads(C, PK, tonumber(h[4]), heads)
  if not k then return {'aborted', 'the waitlist heads changed'} end
end
redis.call('HSET', C.c, 'st', to)
redis.call('HINCRBY', C.c, 'v', 1)
if h[1] == '2' then redis.call('ZREM', PK.open, cid) end
if to == '2' then redis.call('ZADD', PK.open, h[5], cid) end
append_events(events)
local filled = {}
give_seats(C, PK, heads, k, filled)
apply_timers(timers, cancels)
trig_mark()
return cohort_reply('ok', C, filled)
)lua";

// ARGV: cohort id, reason, expected version (0 none), events, the cohort's program as read,
// its timetable as read (read_timetable(true): the bv / bi keys of each session SCHEDULED when
// read, else its s: key again).  KEYS: cohort keys, program keys, the timetable's keys.
// Reply: {'ok'|'same'|'dup', cohort row} | {'stale', what} | error
constexpr char kCancelLua[] = R"lua(
local cid, reason, ev = arg(), arg(), argn()
local events = read_triples()
local C = cohort_keys(cid)
local PK = program_keys(arg())
local T = read_timetable(true)
if trig_seen() then return cohort_reply('dup', C) end
local h = redis.call('HMGET', C.c, 'st', 'v', 'prog')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
if h[1] == '5' then
  trig_mark()
  return cohort_reply('same', C)
end
if ev ~= 0 and tonumber(h[2]) ~= ev then return {'aborted', 'cohort version is ' .. h[2]} end
if h[1] == '4' then return {'precondition', 'cohort ' .. cid .. ' is completed'} end
if h[3] ~= PK.id or not same_timetable(C, T) then
  return stale('timetable of cohort ' .. cid)
end
local prog = PK.id
for _, x in ipairs(T) do
  local o = redis.call('HMGET', x.k, 'st', 'day', 's', 'e', 'ven', 'ins')
  if o[1] == '1' then
    local b = booking(tonumber(o[3]), tonumber(o[4]), x.sid)
    redis.call('ZREM', x.bv, b)
    redis.call('ZREM', x.bi, b)
    redis.call('HSET', x.k, 'st', '2', 'cr', reason)
    redis.call('HINCRBY', x.k, 'v', 1)
  end
end
redis.call('HSET', C.c, 'st', '5', 'cr', reason, 'sc', 0)
redis.call('HINCRBY', C.c, 'v', 1)
redis.call('ZREM', PK.open, cid)
for _, ref in ipairs(redis.call('HKEYS', C.enr)) do
  if redis.call('HGET', PK.pe, ref) == cid then
    redis.call('HDEL', PK.pe, ref)
    if redis.call('HGET', REFP, ref) == prog then redis.call('HDEL', REFP, ref) end
  end
end
apply_timers({}, {'open:' .. cid, 'start:' .. cid, 'complete:' .. cid})
append_events(events)
trig_mark()
return cohort_reply('ok', C)
)lua";

const store::Script* Cohorts(const char* name, const char* body) {
  return WriteScript(name, absl::StrCat(kSessionsLua, body).c_str());
}

}  // namespace

const store::Script& Commit() {
  static const store::Script* s = Cohorts("scheduling_commit", kCommitLua);
  return *s;
}
const store::Script& UpdateSessions() {
  static const store::Script* s = Cohorts("scheduling_update_sessions", kUpdateSessionsLua);
  return *s;
}
const store::Script& Transition() {
  static const store::Script* s = Cohorts("scheduling_transition", kTransitionLua);
  return *s;
}
const store::Script& Cancel() {
  static const store::Script* s = Cohorts("scheduling_cancel", kCancelLua);
  return *s;
}

}  // namespace kpr::scheduling::lua
