#include "libs/clock/sim_clock_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/clock/sim_time.h"
#include "libs/store/script.h"

namespace kpr::clock {
namespace {

// KEYS[1] the clock; ARGV[1] the new offset ms. Writes it unless the stored offset is larger
// (the clock would move back). Returns {'ok'} or {'back', stored offset}.
const store::Script& SetScript() {
  static const store::Script* s = new store::Script("sim_clock_set", R"lua(#!lua
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) > tonumber(ARGV[1]) then return {'back', current} end
redis.call('SET', KEYS[1], ARGV[1])
return {'ok'}
)lua");
  return *s;
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> ReadSimOffset(store::RedisPool& pool) {
  auto reply = pool.Command({"GET", kSimClockKey});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::optional<int64_t>();
  auto offset = ParseStoredOffset(reply->str());
  if (!offset.ok()) return offset.status();
  return std::optional<int64_t>(*offset);
}

absl::StatusOr<int64_t> SetSimTime(store::RedisPool& pool, absl::Time target, absl::Time real_now) {
  // Checked here for the message, and again in the script against a concurrent writer.
  auto current = ReadSimOffset(pool);
  if (!current.ok()) return current.status();
  auto offset = OffsetToReach(target, real_now, *current);
  if (!offset.ok()) return offset.status();
  auto reply = pool.Eval(SetScript(), {kSimClockKey}, {absl::StrCat(*offset)});
  if (!reply.ok()) return reply.status();
  if (reply->size() >= 2 && reply->element(0).str() == "back") {
    auto stored = ParseStoredOffset(reply->element(1).str());
    if (!stored.ok()) return stored.status();
    auto refused = OffsetToReach(target, real_now, *stored);
    if (!refused.ok()) return refused.status();
    return absl::AbortedError("the simulated clock moved meanwhile: try again");
  }
  return *offset;
}

absl::StatusOr<int64_t> AdvanceSimTime(store::RedisPool& pool, absl::Duration step) {
  if (step <= absl::ZeroDuration() || step != absl::Trunc(step, absl::Milliseconds(1))) {
    return absl::InvalidArgumentError(
        absl::StrCat("advance by ", absl::FormatDuration(step),
                     ": the clock only moves forward, in whole milliseconds"));
  }
  auto reply =
      pool.Command({"INCRBY", kSimClockKey, absl::StrCat(absl::ToInt64Milliseconds(step))});
  if (!reply.ok()) return reply.status();
  return reply->integer();
}

}  // namespace kpr::clock
