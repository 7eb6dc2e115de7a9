// The scripts of enrolment and waitlists. Layouts: after the write prelude's ARGV (now,
// trigger) and KEYS (keys::WriteKeys), each script's own, read in order with arg() and key().

#include "services/scheduling/scheduling_lua_parts.h"
#include "services/scheduling/scheduling_store_lua.h"

namespace kpr::scheduling::lua {
namespace {

// ARGV: cohort id, referral id, enrolment pb, event, the cohort's program as read, the cohort
// the referral was read enrolled in for that program ("" none).  KEYS: cohort keys, program
// keys, enr of that cohort (none: any declared key).
// Reply: {'enrolled', cid, pb} | {'already_enrolled', cid, pb} | {'dup'} | {'stale', what} |
// error
constexpr char kEnrollLua[] = R"lua(
local cid, ref, pb = arg(), arg(), arg()
local ev = {arg(), arg(), arg()}
local C = cohort_keys(cid)
local PK = program_keys(arg())
local CUR = arg()
local CURK = key()
if trig_seen() then return {'dup'} end
local h = redis.call('HMGET', C.c, 'st', 'cap', 'prog')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
if h[3] ~= PK.id then return stale('program of cohort ' .. cid) end
local prog = h[3]
local already = already_enrolled(PK, ref, CUR, CURK)
if already then return already end
if h[1] ~= '1' and h[1] ~= '2' then
  return {'precondition', 'cohort ' .. cid .. ' takes no enrolments in status ' .. h[1]}
end
local other = placed_elsewhere(prog, ref)
if other then
  return {'precondition', 'the referral is placed in program ' .. other .. ': unenrol it there first'}
end
if redis.call('HLEN', C.enr) >= tonumber(h[2]) then
  return {'precondition', 'cohort ' .. cid .. ' is full'}
end
unwaitlist(PK, ref)
enroll(C, PK, ref, pb)
redis.call('HINCRBY', C.c, 'v', 1)
append_events({ev})
trig_mark()
return {'enrolled', cid, pb}
)lua";

// ARGV: program, referral, waitlist entry pb, waitlisted event, n, n candidates (cohort id,
// first day, enrolment pb, event), the cohort the referral was read enrolled in ("" none), m,
// the program's OPEN cohorts as read (m ids, in order).  KEYS: program keys, enr of that cohort
// (none: any declared key), c and enr of each OPEN cohort read.
// Reply: {'enrolled'|'already_enrolled', cid, pb} | {'waitlisted'|'already_waitlisted',
// entry pb, position, waitlisted_at us} | {'dup'} | {'stale', what} | error
constexpr char kPlaceLua[] = R"lua(
local prog, ref, wpb = arg(), arg(), arg()
local wev = {arg(), arg(), arg()}
local n = argn()
local CAND = {}
for i = 1, n do CAND[i] = {cid = arg(), fd = arg(), pb = arg(), ev = {arg(), arg(), arg()}} end
local PK = program_keys(prog)
local CUR = arg()
local CURK = key()
local OPEN = {}
for i = 1, argn() do
  OPEN[i] = {id = arg()}
  OPEN[i].c = key()
  OPEN[i].enr = key()
end
if trig_seen() then return {'dup'} end
local already = already_enrolled(PK, ref, CUR, CURK)
if already then return already end
local out = {'already_waitlisted'}
if waitlist_row(PK.wl, PK.wld, ref, out) then
  trig_mark()
  return out
end
local other = placed_elsewhere(prog, ref)
if other then
  return {'precondition', 'the referral is placed in program ' .. other .. ': unenrol it there first'}
end
if redis.call('ZCARD', PK.wl) == 0 then
  local live = redis.call('ZRANGE', PK.open, 0, -1)
  if #live ~= #OPEN then return stale('open cohorts') end
  for i, id in ipairs(live) do
    if OPEN[i].id ~= id then return stale('open cohorts') end
  end
  for _, C in ipairs(OPEN) do
    local h = redis.call('HMGET', C.c, 'st', 'cap', 'fd')
    if h[1] == '2' and redis.call('HLEN', C.enr) < tonumber(h[2]) then
      for _, c in ipairs(CAND) do
        if c.cid == C.id then
          if c.fd ~= h[3] then return {'aborted', 'first day of cohort ' .. C.id .. ' changed'} end
          enroll(C, PK, ref, c.pb)
          redis.call('HINCRBY', C.c, 'v', 1)
          append_events({c.ev})
          trig_mark()
          return {'enrolled', C.id, c.pb}
        end
      end
      return {'aborted', 'cohort ' .. C.id .. ' has a seat but is not a candidate'}
    end
  end
end
redis.call('ZADD', PK.wl, fmt(next_clock()), ref)
redis.call('HSET', PK.wld, ref, wpb)
redis.call('HSET', REFP, ref, prog)
append_events({wev})
trig_mark()
out = {'waitlisted'}
waitlist_row(PK.wl, PK.wld, ref, out)
return out
)lua";

// ARGV: cohort id, referral id, events, has head ('1'/'0'), head (referral, enrolment pb,
// event), the cohort's program as read.  KEYS: cohort keys, program keys.
// Reply: {'ok', pb of the enrolment given from the waitlist or ''} | {'dup'} | {'stale', what} |
// error
constexpr char kUnenrollLua[] = R"lua(
local cid, ref = arg(), arg()
local events = read_triples()
local head = nil
if arg() == '1' then head = {ref = arg(), pb = arg(), ev = {arg(), arg(), arg()}} end
local C = cohort_keys(cid)
local PK = program_keys(arg())
if trig_seen() then return {'dup'} end
local h = redis.call('HMGET', C.c, 'st', 'prog')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
if h[2] ~= PK.id then return stale('program of cohort ' .. cid) end
local prog = h[2]
if redis.call('HEXISTS', C.enr, ref) == 0 then
  return {'not_found', 'referral not enrolled in cohort ' .. cid}
end
local not_started = h[1] == '1' or h[1] == '2'
if not_started then
  local actual = redis.call('ZRANGE', PK.wl, 0, 0)[1] or ''
  local given = head and head.ref or ''
  if actual ~= given then return {'aborted', 'the waitlist head changed'} end
end
redis.call('HDEL', C.enr, ref)
if redis.call('HGET', PK.pe, ref) == cid then redis.call('HDEL', PK.pe, ref) end
if redis.call('HGET', REFP, ref) == prog then redis.call('HDEL', REFP, ref) end
append_events(events)
local given_to = {}
if not_started and head then give_seats(C, PK, {head}, 1, given_to) end
redis.call('HINCRBY', C.c, 'v', 1)
trig_mark()
return {'ok', given_to[1] or ''}
)lua";

// ARGV: cohort id, heads, the cohort's program as read.  KEYS: cohort keys, program keys.
// Reply: {'ok', enrolment pbs...} | {'dup'} | {'stale', what} | error
constexpr char kFillLua[] = R"lua(
local cid = arg()
local heads = read_heads()
local C = cohort_keys(cid)
local PK = program_keys(arg())
if trig_seen() then return {'dup'} end
local h = redis.call('HMGET', C.c, 'st', 'cap', 'prog')
if not h[1] then return {'not_found', 'cohort ' .. cid} end
if h[1] ~= '1' and h[1] ~= '2' then
  return {'precondition', 'cohort ' .. cid .. ' takes no enrolments in status ' .. h[1]}
end
if h[3] ~= PK.id then return stale('program of cohort ' .. cid) end
local k = check_heads(C, PK, tonumber(h[2]), heads)
if not k then return {'aborted', 'the waitlist heads changed'} end
local out = {'ok'}
give_seats(C, PK, heads, k, out)
if k > 0 then redis.call('HINCRBY', C.c, 'v', 1) end
trig_mark()
return out
)lua";

// ARGV: program, referral, events.  KEYS: program keys.  Reply: {'ok'} | {'dup'} | error
constexpr char kLeaveLua[] = R"lua(
local prog, ref = arg(), arg()
local events = read_triples()
local PK = program_keys(prog)
if trig_seen() then return {'dup'} end
if not redis.call('ZSCORE', PK.wl, ref) then
  return {'not_found', 'referral not on the waitlist'}
end
unwaitlist(PK, ref)
if redis.call('HGET', REFP, ref) == prog then redis.call('HDEL', REFP, ref) end
append_events(events)
trig_mark()
return {'ok'}
)lua";

}  // namespace

#define KPR_SCRIPT(fn, name, body)                           \
  const store::Script& fn() {                                \
    static const store::Script* s = WriteScript(name, body); \
    return *s;                                               \
  }

KPR_SCRIPT(Enroll, "scheduling_enroll", kEnrollLua)
KPR_SCRIPT(Place, "scheduling_place", kPlaceLua)
KPR_SCRIPT(Unenroll, "scheduling_unenroll", kUnenrollLua)
KPR_SCRIPT(Fill, "scheduling_fill", kFillLua)
KPR_SCRIPT(Leave, "scheduling_leave", kLeaveLua)

#undef KPR_SCRIPT

}  // namespace kpr::scheduling::lua
