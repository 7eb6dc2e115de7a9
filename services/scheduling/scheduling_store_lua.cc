#include "services/scheduling/scheduling_store_lua.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/store/outbox.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling::lua {
namespace {

// Statuses as stored (the proto enum numbers): cohort 1 PLANNED, 2 OPEN, 3 RUNNING,
// 4 COMPLETED, 5 CANCELLED; session 1 SCHEDULED, 2 SESSION_CANCELLED.
//
// Lua's string comparison follows the server's LC_COLLATE, so nothing here orders strings:
// ordering comes from sorted-set scores (numbers) and Redis's own byte-wise member order.

// Rows shared by read and write scripts.
//   cohort row (9): pb, v, st, cr, cap, fd, ld, sc, enrolments
//   session row (4): pb, v, st, cr
constexpr char kRowsLua[] = R"lua(
local function fmt(n) return string.format('%.0f', n) end
local function cohort_row(P, cid, out)
  local h = redis.call('HMGET', P .. 'c:' .. cid, 'pb', 'v', 'st', 'cr', 'cap', 'fd', 'ld', 'sc')
  if not h[1] then return false end
  for i = 1, 8 do out[#out + 1] = h[i] or '' end
  out[#out + 1] = tostring(redis.call('HLEN', P .. 'enr:' .. cid))
  return true
end
local function session_row(P, sid, out)
  local h = redis.call('HMGET', P .. 's:' .. sid, 'pb', 'v', 'st', 'cr')
  if not h[1] then return false end
  for i = 1, 4 do out[#out + 1] = h[i] or '' end
  return true
end
local function waitlist_row(P, prog, ref, out)
  local wl = P .. 'wl:' .. prog
  local at = redis.call('ZSCORE', wl, ref)
  if not at then return false end
  out[#out + 1] = redis.call('HGET', P .. 'wld:' .. prog, ref) or ''
  out[#out + 1] = tostring(redis.call('ZRANK', wl, ref) + 1)
  out[#out + 1] = fmt(tonumber(at))
  return true
end
)lua";

// Prelude of every write script: argument reader, trigger markers, events, timers, and the
// shared pieces of bookings and enrolments.
constexpr char kWriteLua[] = R"lua(
local ai = 0
local function arg() ai = ai + 1; return ARGV[ai] end
local function argn() ai = ai + 1; return tonumber(ARGV[ai]) end
local P = arg()
local NOW = argn()
local TRIG = arg()
local OUTBOX, TIMERS, TDATA = KEYS[1], KEYS[2], KEYS[3]

local function trig_seen()
  return TRIG ~= '' and redis.call('ZSCORE', P .. 'trig', TRIG) ~= false
end
local function trig_mark()
  if TRIG == '' then return end
  redis.call('ZADD', P .. 'trig', fmt(NOW), TRIG)
  redis.call('ZREMRANGEBYSCORE', P .. 'trig', '-inf', '(' .. fmt(NOW - RETENTION_MS))
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

-- Sessions and bookings. A session record r: sid, idx, pb, st, cr, day, dn, s, e, inst, ven, ins.
local function read_session(with_version)
  local r = {sid = arg()}
  if with_version then r.ev = argn() end
  r.idx, r.pb, r.st, r.cr, r.day, r.dn = arg(), arg(), arg(), arg(), arg(), argn()
  r.s, r.e, r.inst, r.ven, r.ins = argn(), argn(), arg(), arg(), arg()
  return r
end
local function booking(s, e, sid) return string.format('%d:%d:%s', s, e, sid) end
local function write_session(cid, r, v)
  local k = P .. 's:' .. r.sid
  redis.call('HSET', k, 'pb', r.pb, 'v', v, 'st', r.st, 'cr', r.cr, 'c', cid, 'day', r.day,
             'dn', r.dn, 's', r.s, 'e', r.e, 'inst', r.inst, 'ven', r.ven, 'ins', r.ins)
  local score = fmt(r.dn * 1440 + r.s)
  redis.call('ZADD', P .. 'sv:' .. r.ven, score, r.sid)
  redis.call('ZADD', P .. 'si:' .. r.ins, score, r.sid)
  redis.call('ZADD', P .. 'sn:' .. r.inst, score, r.sid)
  redis.call('ZADD', P .. 'sd', score, r.sid)
  if r.st == '1' then
    redis.call('ZADD', P .. 'bv:' .. r.ven .. ':' .. r.day, r.s, booking(r.s, r.e, r.sid))
    redis.call('ZADD', P .. 'bi:' .. r.ins .. ':' .. r.day, r.s, booking(r.s, r.e, r.sid))
  end
end
-- o: HMGET of v, c, st, day, s, e, inst, ven, ins
local function unindex_session(sid, o)
  redis.call('ZREM', P .. 'sv:' .. o[8], sid)
  redis.call('ZREM', P .. 'si:' .. o[9], sid)
  redis.call('ZREM', P .. 'sn:' .. o[7], sid)
  redis.call('ZREM', P .. 'sd', sid)
  if o[3] == '1' then
    local b = booking(tonumber(o[5]), tonumber(o[6]), sid)
    redis.call('ZREM', P .. 'bv:' .. o[8] .. ':' .. o[4], b)
    redis.call('ZREM', P .. 'bi:' .. o[9] .. ':' .. o[4], b)
  end
end
local OLD_FIELDS = {'v', 'c', 'st', 'day', 's', 'e', 'inst', 'ven', 'ins'}

-- Overlap check of the SCHEDULED records in S against the bookings (minus the sessions in
-- `skip`) and against each other. Returns the conflicts, 8 fields each.
local function check_bookings(S, skip)
  local pending, out = {}, {}
  local function check(r, kind, res, key)
    local bid, bs, be, bc
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. r.e)) do
      local ms, me, mid = string.match(m, '^(%d+):(%d+):(.*)$')
      if tonumber(me) > r.s and not skip[mid] then
        bid, bs, be = mid, ms, me
        bc = redis.call('HGET', P .. 's:' .. mid, 'c') or ''
        break
      end
    end
    if not bid then
      for _, p in ipairs(pending[key] or {}) do
        if p[1] < r.e and p[2] > r.s then
          bid, bs, be, bc = p[3], tostring(p[1]), tostring(p[2]), ''
          break
        end
      end
    end
    if bid then
      for _, f in ipairs({r.sid, bid, bc, kind, res, r.day, bs, be}) do out[#out + 1] = f end
    end
    pending[key] = pending[key] or {}
    table.insert(pending[key], {r.s, r.e, r.sid})
  end
  for _, r in ipairs(S) do
    if r.st == '1' then
      check(r, 'v', r.ven, P .. 'bv:' .. r.ven .. ':' .. r.day)
      check(r, 'i', r.ins, P .. 'bi:' .. r.ins .. ':' .. r.day)
    end
  end
  return out
end

-- First / last day and count of the cohort's SCHEDULED sessions, and the cohort's place in the
-- by-first-day indexes.
local function recompute(cid)
  local key = P .. 'c:' .. cid
  local fd, ld, fdn, ldn, sc = false, false, false, false, 0
  for _, id in ipairs(redis.call('ZRANGE', P .. 'cs:' .. cid, 0, -1)) do
    local h = redis.call('HMGET', P .. 's:' .. id, 'st', 'day', 'dn')
    if h[1] == '1' then
      local dn = tonumber(h[3])
      sc = sc + 1
      if not fdn or dn < fdn then fd, fdn = h[2], dn end
      if not ldn or dn > ldn then ld, ldn = h[2], dn end
    end
  end
  redis.call('HSET', key, 'sc', sc)
  if fd then
    redis.call('HSET', key, 'fd', fd, 'ld', ld, 'fdn', fdn)
    local h = redis.call('HMGET', key, 'prog', 'st')
    redis.call('ZADD', P .. 'cohorts', fdn, cid)
    redis.call('ZADD', P .. 'cohorts:p:' .. h[1], fdn, cid)
    if h[2] == '2' then redis.call('ZADD', P .. 'open:' .. h[1], fdn, cid) end
  end
end

-- Enrolment.
local function enroll(cid, prog, ref, pb)
  redis.call('HSET', P .. 'enr:' .. cid, ref, pb)
  redis.call('HSET', P .. 'pe:' .. prog, ref, cid)
  redis.call('HSET', P .. 'refp', ref, prog)
end
local function unwaitlist(prog, ref)
  redis.call('ZREM', P .. 'wl:' .. prog, ref)
  redis.call('HDEL', P .. 'wld:' .. prog, ref)
end
-- A referral is placed in at most one program at a time: the other program it is enrolled or
-- waitlisted in, or nil.
local function placed_elsewhere(prog, ref)
  local other = redis.call('HGET', P .. 'refp', ref)
  if other and other ~= prog then return other end
  return nil
end
local function read_heads()
  local n, t = argn(), {}
  for i = 1, n do t[i] = {ref = arg(), pb = arg(), ev = {arg(), arg(), arg()}} end
  return t
end
-- How many heads get a seat, or nil if `heads` does not start with the actual waitlist heads.
local function check_heads(cid, prog, cap, heads)
  local free = cap - redis.call('HLEN', P .. 'enr:' .. cid)
  if free <= 0 then return 0 end
  local actual = redis.call('ZRANGE', P .. 'wl:' .. prog, 0, free - 1)
  if #heads < #actual then return nil end
  for i, ref in ipairs(actual) do
    if heads[i].ref ~= ref then return nil end
  end
  return #actual
end
local function give_seats(cid, prog, heads, k, out)
  for i = 1, k do
    unwaitlist(prog, heads[i].ref)
    enroll(cid, prog, heads[i].ref, heads[i].pb)
    append_events({heads[i].ev})
    out[#out + 1] = heads[i].pb
  end
end
local function cohort_reply(code, cid, extra)
  local out = {code}
  cohort_row(P, cid, out)
  for _, x in ipairs(extra or {}) do out[#out + 1] = x end
  return out
end
local function next_clock()
  local t = redis.call('TIME')
  local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('GET', P .. 'wlclock') or '0')
  if us <= last then us = last + 1 end
  redis.call('SET', P .. 'wlclock', fmt(us))
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

// ARGV after the prelude: request id, cohort id, cohort pb, status, capacity, program,
// n, n session records (no version), events, timers, heads (status OPEN).
// Reply: {'ok'|'dupreq', cohort row, n, n session rows, filled enrolment pbs...} |
// {'conflict', conflicts...} | error
constexpr char kCommitLua[] = R"lua(
local req, cid = arg(), arg()
local cpb, cst, cap, prog = arg(), arg(), arg(), arg()
local n = argn()
local S = {}
for i = 1, n do S[i] = read_session(false) end
local events, timers = read_triples(), read_triples()
local heads = read_heads()

local function with_sessions(code, id)
  local out = cohort_reply(code, id)
  local ids = redis.call('ZRANGE', P .. 'cs:' .. id, 0, -1)
  out[#out + 1] = tostring(#ids)
  for _, sid in ipairs(ids) do session_row(P, sid, out) end
  return out
end

local prev = redis.call('HGET', P .. 'req', req)
if prev then return with_sessions('dupreq', prev) end
if redis.call('EXISTS', P .. 'c:' .. cid) == 1 then return {'exists', 'cohort ' .. cid} end
for _, r in ipairs(S) do
  if redis.call('EXISTS', P .. 's:' .. r.sid) == 1 then return {'exists', 'session ' .. r.sid} end
end
local conflicts = check_bookings(S, {})
if #conflicts > 0 then
  table.insert(conflicts, 1, 'conflict')
  return conflicts
end
local k = 0
if cst == '2' then
  k = check_heads(cid, prog, tonumber(cap), heads)
  if not k then return {'aborted', 'the waitlist heads changed'} end
end
redis.call('HSET', P .. 'c:' .. cid, 'pb', cpb, 'v', 1, 'st', cst, 'cr', '', 'cap', cap,
           'prog', prog)
for _, r in ipairs(S) do
  write_session(cid, r, 1)
  redis.call('ZADD', P .. 'cs:' .. cid, r.idx, r.sid)
end
recompute(cid)
redis.call('HSET', P .. 'req', req, cid)
append_events(events)
apply_timers(timers, {})
local filled = {}
give_seats(cid, prog, heads, k, filled)
if k > 0 then redis.call('HINCRBY', P .. 'c:' .. cid, 'v', 1) end
local out = with_sessions('ok', cid)
for _, pb in ipairs(filled) do out[#out + 1] = pb end
return out
)lua";

// ARGV after the prelude: cohort id, has cohort pb ('1'/'0'), cohort pb, n, n session records
// (with expected version), events, timers, timer ids to cancel.
// Reply: {'ok'} | {'dup'} | {'conflict', ...} | error
constexpr char kUpdateSessionsLua[] = R"lua(
local cid = arg()
local has_c, cpb = arg() == '1', arg()
local n = argn()
local S = {}
for i = 1, n do S[i] = read_session(true) end
local events, timers, cancels = read_triples(), read_triples(), read_list()
if trig_seen() then return {'dup'} end
local key = P .. 'c:' .. cid
local cst = redis.call('HGET', key, 'st')
if not cst then return {'not_found', 'cohort ' .. cid} end
if cst == '4' or cst == '5' then return {'precondition', 'cohort ' .. cid .. ' is over'} end
local skip, old = {}, {}
for i, r in ipairs(S) do
  local o = redis.call('HMGET', P .. 's:' .. r.sid, unpack(OLD_FIELDS))
  if not o[1] then return {'not_found', 'session ' .. r.sid} end
  if o[2] ~= cid then return {'invalid', 'session ' .. r.sid .. ' is not of cohort ' .. cid} end
  if tonumber(o[1]) ~= r.ev then return {'aborted', 'session ' .. r.sid .. ' version is ' .. o[1]} end
  old[i] = o
  skip[r.sid] = true
end
local conflicts = check_bookings(S, skip)
if #conflicts > 0 then
  table.insert(conflicts, 1, 'conflict')
  return conflicts
end
for i, r in ipairs(S) do
  unindex_session(r.sid, old[i])
  write_session(cid, r, r.ev + 1)
end
recompute(cid)
if has_c then redis.call('HSET', key, 'pb', cpb) end
redis.call('HINCRBY', key, 'v', 1)
append_events(events)
apply_timers(timers, cancels)
trig_mark()
return {'ok'}
)lua";

// ARGV after the prelude: cohort id, to status, expected version (0 none), allowed list,
// events, timers, cancel ids, heads.
// Reply: {'ok'|'same'|'dup', cohort row, filled enrolment pbs...} | error
constexpr char kTransitionLua[] = R"lua(
local cid, to, ev = arg(), arg(), argn()
local allowed = read_list()
local events, timers, cancels = read_triples(), read_triples(), read_list()
local heads = read_heads()
if trig_seen() then return cohort_reply('dup', cid) end
local key = P .. 'c:' .. cid
local h = redis.call('HMGET', key, 'st', 'v', 'prog', 'cap', 'fdn')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
if h[1] == to then
  trig_mark()
  return cohort_reply('same', cid)
end
if ev ~= 0 and tonumber(h[2]) ~= ev then return {'aborted', 'cohort version is ' .. h[2]} end
local ok = false
for _, a in ipairs(allowed) do if a == h[1] then ok = true end end
if not ok then return {'precondition', 'cohort ' .. cid .. ' is in status ' .. h[1]} end
local k = 0
if to == '2' then
  k = check_heads(cid, h[3], tonumber(h[4]), heads)
  if not k then return {'aborted', 'the waitlist heads changed'} end
end
redis.call('HSET', key, 'st', to)
redis.call('HINCRBY', key, 'v', 1)
if h[1] == '2' then redis.call('ZREM', P .. 'open:' .. h[3], cid) end
if to == '2' then redis.call('ZADD', P .. 'open:' .. h[3], h[5], cid) end
append_events(events)
local filled = {}
give_seats(cid, h[3], heads, k, filled)
apply_timers(timers, cancels)
trig_mark()
return cohort_reply('ok', cid, filled)
)lua";

// ARGV after the prelude: cohort id, reason, expected version (0 none), events.
// Reply: {'ok'|'same'|'dup', cohort row} | error
constexpr char kCancelLua[] = R"lua(
local cid, reason, ev = arg(), arg(), argn()
local events = read_triples()
if trig_seen() then return cohort_reply('dup', cid) end
local key = P .. 'c:' .. cid
local h = redis.call('HMGET', key, 'st', 'v', 'prog')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
if h[1] == '5' then
  trig_mark()
  return cohort_reply('same', cid)
end
if ev ~= 0 and tonumber(h[2]) ~= ev then return {'aborted', 'cohort version is ' .. h[2]} end
if h[1] == '4' then return {'precondition', 'cohort ' .. cid .. ' is completed'} end
local prog = h[3]
for _, sid in ipairs(redis.call('ZRANGE', P .. 'cs:' .. cid, 0, -1)) do
  local sk = P .. 's:' .. sid
  local o = redis.call('HMGET', sk, 'st', 'day', 's', 'e', 'ven', 'ins')
  if o[1] == '1' then
    local b = booking(tonumber(o[3]), tonumber(o[4]), sid)
    redis.call('ZREM', P .. 'bv:' .. o[5] .. ':' .. o[2], b)
    redis.call('ZREM', P .. 'bi:' .. o[6] .. ':' .. o[2], b)
    redis.call('HSET', sk, 'st', '2', 'cr', reason)
    redis.call('HINCRBY', sk, 'v', 1)
  end
end
redis.call('HSET', key, 'st', '5', 'cr', reason, 'sc', 0)
redis.call('HINCRBY', key, 'v', 1)
redis.call('ZREM', P .. 'open:' .. prog, cid)
for _, ref in ipairs(redis.call('HKEYS', P .. 'enr:' .. cid)) do
  if redis.call('HGET', P .. 'pe:' .. prog, ref) == cid then
    redis.call('HDEL', P .. 'pe:' .. prog, ref)
    if redis.call('HGET', P .. 'refp', ref) == prog then redis.call('HDEL', P .. 'refp', ref) end
  end
end
apply_timers({}, {'open:' .. cid, 'start:' .. cid, 'complete:' .. cid})
append_events(events)
trig_mark()
return cohort_reply('ok', cid)
)lua";

// ARGV after the prelude: cohort id, referral id, enrolment pb, event.
// Reply: {'enrolled', cid, pb} | {'already_enrolled', cid, pb} | {'dup'} | error
constexpr char kEnrollLua[] = R"lua(
local cid, ref, pb = arg(), arg(), arg()
local ev = {arg(), arg(), arg()}
if trig_seen() then return {'dup'} end
local key = P .. 'c:' .. cid
local h = redis.call('HMGET', key, 'st', 'cap', 'prog')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
local prog = h[3]
local cur = redis.call('HGET', P .. 'pe:' .. prog, ref)
if cur then
  trig_mark()
  return {'already_enrolled', cur, redis.call('HGET', P .. 'enr:' .. cur, ref) or ''}
end
if h[1] ~= '1' and h[1] ~= '2' then
  return {'precondition', 'cohort ' .. cid .. ' takes no enrolments in status ' .. h[1]}
end
local other = placed_elsewhere(prog, ref)
if other then
  return {'precondition', 'the referral is placed in program ' .. other .. ': unenrol it there first'}
end
if redis.call('HLEN', P .. 'enr:' .. cid) >= tonumber(h[2]) then
  return {'precondition', 'cohort ' .. cid .. ' is full'}
end
unwaitlist(prog, ref)
enroll(cid, prog, ref, pb)
redis.call('HINCRBY', key, 'v', 1)
append_events({ev})
trig_mark()
return {'enrolled', cid, pb}
)lua";

// ARGV after the prelude: program, referral, waitlist entry pb, waitlisted event, n,
// n candidates (cohort id, first day, enrolment pb, event).
// Reply: {'enrolled'|'already_enrolled', cid, pb} | {'waitlisted'|'already_waitlisted',
// entry pb, position, waitlisted_at us} | {'dup'} | error
constexpr char kPlaceLua[] = R"lua(
local prog, ref, wpb = arg(), arg(), arg()
local wev = {arg(), arg(), arg()}
local n = argn()
local C = {}
for i = 1, n do C[i] = {cid = arg(), fd = arg(), pb = arg(), ev = {arg(), arg(), arg()}} end
if trig_seen() then return {'dup'} end
local cur = redis.call('HGET', P .. 'pe:' .. prog, ref)
if cur then
  trig_mark()
  return {'already_enrolled', cur, redis.call('HGET', P .. 'enr:' .. cur, ref) or ''}
end
local wl = P .. 'wl:' .. prog
local out = {'already_waitlisted'}
if waitlist_row(P, prog, ref, out) then
  trig_mark()
  return out
end
local other = placed_elsewhere(prog, ref)
if other then
  return {'precondition', 'the referral is placed in program ' .. other .. ': unenrol it there first'}
end
if redis.call('ZCARD', wl) == 0 then
  for _, cid in ipairs(redis.call('ZRANGE', P .. 'open:' .. prog, 0, -1)) do
    local h = redis.call('HMGET', P .. 'c:' .. cid, 'st', 'cap', 'fd')
    if h[1] == '2' and redis.call('HLEN', P .. 'enr:' .. cid) < tonumber(h[2]) then
      for _, c in ipairs(C) do
        if c.cid == cid then
          if c.fd ~= h[3] then return {'aborted', 'first day of cohort ' .. cid .. ' changed'} end
          enroll(cid, prog, ref, c.pb)
          redis.call('HINCRBY', P .. 'c:' .. cid, 'v', 1)
          append_events({c.ev})
          trig_mark()
          return {'enrolled', cid, c.pb}
        end
      end
      return {'aborted', 'cohort ' .. cid .. ' has a seat but is not a candidate'}
    end
  end
end
redis.call('ZADD', wl, fmt(next_clock()), ref)
redis.call('HSET', P .. 'wld:' .. prog, ref, wpb)
redis.call('HSET', P .. 'refp', ref, prog)
append_events({wev})
trig_mark()
out = {'waitlisted'}
waitlist_row(P, prog, ref, out)
return out
)lua";

// ARGV after the prelude: cohort id, referral id, events, has head ('1'/'0'), head (referral,
// enrolment pb, event).
// Reply: {'ok', pb of the enrolment given from the waitlist or ''} | {'dup'} | error
constexpr char kUnenrollLua[] = R"lua(
local cid, ref = arg(), arg()
local events = read_triples()
local head = nil
if arg() == '1' then head = {ref = arg(), pb = arg(), ev = {arg(), arg(), arg()}} end
if trig_seen() then return {'dup'} end
local key = P .. 'c:' .. cid
local h = redis.call('HMGET', key, 'st', 'prog')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
local prog = h[2]
if redis.call('HEXISTS', P .. 'enr:' .. cid, ref) == 0 then
  return {'not_found', 'referral not enrolled in cohort ' .. cid}
end
local not_started = h[1] == '1' or h[1] == '2'
if not_started then
  local actual = redis.call('ZRANGE', P .. 'wl:' .. prog, 0, 0)[1] or ''
  local given = head and head.ref or ''
  if actual ~= given then return {'aborted', 'the waitlist head changed'} end
end
redis.call('HDEL', P .. 'enr:' .. cid, ref)
if redis.call('HGET', P .. 'pe:' .. prog, ref) == cid then redis.call('HDEL', P .. 'pe:' .. prog, ref) end
if redis.call('HGET', P .. 'refp', ref) == prog then redis.call('HDEL', P .. 'refp', ref) end
append_events(events)
local given_to = {}
if not_started and head then give_seats(cid, prog, {head}, 1, given_to) end
redis.call('HINCRBY', key, 'v', 1)
trig_mark()
return {'ok', given_to[1] or ''}
)lua";

// ARGV after the prelude: cohort id, heads.
// Reply: {'ok', enrolment pbs...} | {'dup'} | error
constexpr char kFillLua[] = R"lua(
local cid = arg()
local heads = read_heads()
if trig_seen() then return {'dup'} end
local key = P .. 'c:' .. cid
local h = redis.call('HMGET', key, 'st', 'cap', 'prog')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
if h[1] ~= '1' and h[1] ~= '2' then
  return {'precondition', 'cohort ' .. cid .. ' takes no enrolments in status ' .. h[1]}
end
local k = check_heads(cid, h[3], tonumber(h[2]), heads)
if not k then return {'aborted', 'the waitlist heads changed'} end
local out = {'ok'}
give_seats(cid, h[3], heads, k, out)
if k > 0 then redis.call('HINCRBY', key, 'v', 1) end
trig_mark()
return out
)lua";

// ARGV after the prelude: program, referral, events.  Reply: {'ok'} | {'dup'} | error
constexpr char kLeaveLua[] = R"lua(
local prog, ref = arg(), arg()
local events = read_triples()
if trig_seen() then return {'dup'} end
if not redis.call('ZSCORE', P .. 'wl:' .. prog, ref) then
  return {'not_found', 'referral not on the waitlist'}
end
unwaitlist(prog, ref)
if redis.call('HGET', P .. 'refp', ref) == prog then redis.call('HDEL', P .. 'refp', ref) end
append_events(events)
trig_mark()
return {'ok'}
)lua";

// ---- Reads (ARGV[1] = key prefix) ----

// ARGV: prefix, ids...  Reply per id: '1' + cohort row, or '0'.
constexpr char kGetCohortsLua[] = R"lua(
local out = {}
for i = 2, #ARGV do
  local at = #out + 1
  out[at] = '1'
  if not cohort_row(ARGV[1], ARGV[i], out) then out[at] = '0' end
end
return out
)lua";

// ARGV: prefix, index suffix, status ('0' any), page size, cursor score ('' none), cursor id,
// descending ('1'/'0'), scan limit.  Reply: {cohort rows, next token}
constexpr char kListCohortsLua[] = R"lua(
local P, idx, st, size = ARGV[1], ARGV[1] .. ARGV[2], ARGV[3], tonumber(ARGV[4])
local cs, cid, desc, limit = ARGV[5], ARGV[6], ARGV[7] == '1', tonumber(ARGV[8])
local lo, hi = '-inf', '+inf'
if cs ~= '' then
  if desc then hi = cs else lo = cs end
end
local rows, count, last, pos = {}, 0, '', ''
local skipping = cs ~= ''
local offset, scanned = 0, 0
while scanned < limit do
  local page
  if desc then
    page = redis.call('ZREVRANGEBYSCORE', idx, hi, lo, 'WITHSCORES', 'LIMIT', offset, 200)
  else
    page = redis.call('ZRANGEBYSCORE', idx, lo, hi, 'WITHSCORES', 'LIMIT', offset, 200)
  end
  if #page == 0 then return {rows, ''} end
  for i = 1, #page, 2 do
    local id, score = page[i], page[i + 1]
    offset = offset + 1
    scanned = scanned + 1
    pos = score .. ':' .. id
    local take = true
    if skipping then
      -- Skip up to and including the cursor (same score, Redis's member order).
      if tonumber(score) ~= tonumber(cs) then
        skipping = false
      else
        take = false
        if id == cid then skipping = false end
      end
    end
    if take then
      local s = redis.call('HGET', P .. 'c:' .. id, 'st')
      if s and (st == '0' or s == st) then
        if count == size then return {rows, last} end
        cohort_row(P, id, rows)
        count = count + 1
        last = pos
      end
    end
  end
end
return {rows, pos}
)lua";

// ARGV: prefix, ids...  Reply per id: '1' + session row, or '0'.
constexpr char kGetSessionsLua[] = R"lua(
local out = {}
for i = 2, #ARGV do
  local at = #out + 1
  out[at] = '1'
  if not session_row(ARGV[1], ARGV[i], out) then out[at] = '0' end
end
return out
)lua";

// ARGV: prefix, cohort id, include cancelled ('1'/'0').  Reply: {'ok', session rows} |
// {'not_found'}
constexpr char kCohortSessionsLua[] = R"lua(
local P = ARGV[1]
if redis.call('EXISTS', P .. 'c:' .. ARGV[2]) == 0 then return {'not_found'} end
local out = {'ok'}
for _, sid in ipairs(redis.call('ZRANGE', P .. 'cs:' .. ARGV[2], 0, -1)) do
  local at = #out
  if session_row(P, sid, out) and ARGV[3] ~= '1' and out[at + 3] ~= '1' then
    for j = #out, at + 1, -1 do out[j] = nil end
  end
end
return out
)lua";

// ARGV: prefix, index suffix, min score, max score (exclusive), include cancelled.
// Reply: session rows.
constexpr char kRangeSessionsLua[] = R"lua(
local P = ARGV[1]
local out = {}
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', P .. ARGV[2], ARGV[3], '(' .. ARGV[4])) do
  local at = #out
  if session_row(P, sid, out) and ARGV[5] ~= '1' and out[at + 3] ~= '1' then
    for j = #out, at + 1, -1 do out[j] = nil end
  end
end
return out
)lua";

// ARGV: prefix, cohort id.  Reply: {'ok', enrolment pbs...} | {'not_found'}
constexpr char kEnrollmentsLua[] = R"lua(
local P = ARGV[1]
if redis.call('EXISTS', P .. 'c:' .. ARGV[2]) == 0 then return {'not_found'} end
local out = redis.call('HVALS', P .. 'enr:' .. ARGV[2])
table.insert(out, 1, 'ok')
return out
)lua";

// ARGV: prefix, program.  Reply: (entry pb, waitlisted_at us) in order.
constexpr char kWaitlistLua[] = R"lua(
local P, prog = ARGV[1], ARGV[2]
local out = {}
local z = redis.call('ZRANGE', P .. 'wl:' .. prog, 0, -1, 'WITHSCORES')
for i = 1, #z, 2 do
  out[#out + 1] = redis.call('HGET', P .. 'wld:' .. prog, z[i]) or ''
  out[#out + 1] = fmt(tonumber(z[i + 1]))
end
return out
)lua";

// ARGV: prefix, referral.  Reply: {} | {prog, 'e', cid, pb} | {prog, 'w', pb, position, at} |
// {prog, 'n'}
constexpr char kPlacementLua[] = R"lua(
local P, ref = ARGV[1], ARGV[2]
local prog = redis.call('HGET', P .. 'refp', ref)
if not prog then return {} end
local cid = redis.call('HGET', P .. 'pe:' .. prog, ref)
if cid then return {prog, 'e', cid, redis.call('HGET', P .. 'enr:' .. cid, ref) or ''} end
local out = {prog, 'w'}
if waitlist_row(P, prog, ref, out) then return out end
return {prog, 'n'}
)lua";

std::string WritePrelude() {
  std::string w = kWriteLua;
  const std::string needle = "RETENTION_MS";
  w.replace(w.find(needle), needle.size(),
            std::to_string(absl::ToInt64Milliseconds(kTriggerRetention)));
  return absl::StrCat(store::kOutboxAppendLua, timer::kTimerScheduleLua, kRowsLua, w);
}

const store::Script* Write(const char* name, const char* body) {
  return new store::Script(name, absl::StrCat(WritePrelude(), body));
}
const store::Script* Read(const char* name, const char* body) {
  return new store::Script(name, absl::StrCat(kRowsLua, body));
}

}  // namespace

#define KPR_SCRIPT(fn, maker, name, body)              \
  const store::Script& fn() {                          \
    static const store::Script* s = maker(name, body); \
    return *s;                                         \
  }

const store::Script& CatalogPut() {
  static const store::Script* s = new store::Script("scheduling_catalog_put", kCatalogPutLua);
  return *s;
}
KPR_SCRIPT(Commit, Write, "scheduling_commit", kCommitLua)
KPR_SCRIPT(UpdateSessions, Write, "scheduling_update_sessions", kUpdateSessionsLua)
KPR_SCRIPT(Transition, Write, "scheduling_transition", kTransitionLua)
KPR_SCRIPT(Cancel, Write, "scheduling_cancel", kCancelLua)
KPR_SCRIPT(Enroll, Write, "scheduling_enroll", kEnrollLua)
KPR_SCRIPT(Place, Write, "scheduling_place", kPlaceLua)
KPR_SCRIPT(Unenroll, Write, "scheduling_unenroll", kUnenrollLua)
KPR_SCRIPT(Fill, Write, "scheduling_fill", kFillLua)
KPR_SCRIPT(Leave, Write, "scheduling_leave", kLeaveLua)
KPR_SCRIPT(GetCohorts, Read, "scheduling_get_cohorts", kGetCohortsLua)
KPR_SCRIPT(ListCohorts, Read, "scheduling_list_cohorts", kListCohortsLua)
KPR_SCRIPT(GetSessions, Read, "scheduling_get_sessions", kGetSessionsLua)
KPR_SCRIPT(CohortSessions, Read, "scheduling_cohort_sessions", kCohortSessionsLua)
KPR_SCRIPT(RangeSessions, Read, "scheduling_range_sessions", kRangeSessionsLua)
KPR_SCRIPT(Enrollments, Read, "scheduling_enrollments", kEnrollmentsLua)
KPR_SCRIPT(Waitlist, Read, "scheduling_waitlist", kWaitlistLua)
KPR_SCRIPT(Placement, Read, "scheduling_placement", kPlacementLua)

#undef KPR_SCRIPT

}  // namespace kpr::scheduling::lua
