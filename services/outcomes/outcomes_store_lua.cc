#include "services/outcomes/outcomes_store_lua.h"

#include "absl/strings/str_cat.h"
#include "libs/store/outbox.h"
#include "libs/timer/timer_store.h"

namespace kpr::outcomes {
namespace lua {

// Every check runs before the first write: Redis does not undo a script's earlier writes when it
// fails half-way, so the C++ side also validates every number before calling.
constexpr char kCommitLua[] = R"lua(
local ai, ki = 0, 0
local function arg() ai = ai + 1; return ARGV[ai] end
local function argn() ai = ai + 1; return tonumber(ARGV[ai]) end
local function key() ki = ki + 1; return KEYS[ki] end

local OUTBOX, TIMERS, TDATA = key(), key(), key()
local processed = false
if arg() == '1' then processed = key() end
if processed and redis.call('EXISTS', processed) == 1 then return {'dup'} end

local nw = argn()
local writes = {}
for i = 1, nw do
  local k, expected, newv, data = key(), arg(), arg(), arg()
  local found = redis.call('HGET', k, 'v') or '0'
  if tonumber(found) ~= tonumber(expected) then return {'conflict', tostring(i), found} end
  writes[i] = {k, newv, data}
end
for i = 1, nw do
  local w = writes[i]
  redis.call('HSET', w[1], 'v', w[2], 'd', w[3])
end

for _ = 1, argn() do
  local k = key()
  for _ = 1, argn() do
    local field, delta = arg(), arg()
    redis.call('HINCRBYFLOAT', k, field, delta)
  end
end
for _ = 1, argn() do
  local k, score, member = key(), arg(), arg()
  redis.call('ZADD', k, score, member)
end
for _ = 1, argn() do
  local k, field, value = key(), arg(), arg()
  redis.call('HSET', k, field, value)
end
for _ = 1, argn() do
  local id, subject, data = arg(), arg(), arg()
  outbox_append(OUTBOX, id, subject, data)
end
for _ = 1, argn() do
  local id, due, payload = arg(), arg(), arg()
  timer_schedule(TIMERS, TDATA, id, due, payload)
end
local ttl = arg()
if processed then redis.call('SET', processed, '1', 'EX', ttl) end
return {'ok'}
)lua";

const store::Script& Commit() {
  static const store::Script* s = new store::Script(
      "outcomes_commit",
      absl::StrCat(store::kOutboxAppendLua, timer::kTimerScheduleLua, kCommitLua));
  return *s;
}

}  // namespace lua

std::vector<const store::Script*> AllScripts() { return {&lua::Commit()}; }

}  // namespace kpr::outcomes
