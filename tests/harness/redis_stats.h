#ifndef KPR_TESTS_HARNESS_REDIS_STATS_H_
#define KPR_TESTS_HARNESS_REDIS_STATS_H_

// How often the harness Redis has run a command (INFO commandstats), for tests that bound the
// commands a component issues (e.g. the outbox relay's XRANGE on idle municipalities).

#include <hiredis/hiredis.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "tests/harness/servers.h"

namespace kpr::testing {

// Calls of `command` (any case, e.g. "xrange") since the server started or CONFIG RESETSTAT;
// 0 if it never ran.
inline absl::StatusOr<int64_t> RedisCommandCalls(absl::string_view command) {
  redisContext* c = redisConnect(Servers::Redis().host().c_str(), Servers::Redis().port());
  if (c == nullptr || c->err) {
    if (c) redisFree(c);
    return absl::UnavailableError("redis connect failed");
  }
  auto* reply = static_cast<redisReply*>(redisCommand(c, "INFO commandstats"));
  std::string info;
  if (reply != nullptr && reply->type == REDIS_REPLY_STRING) info.assign(reply->str, reply->len);
  if (reply) freeReplyObject(reply);
  redisFree(c);
  if (info.empty()) return absl::InternalError("INFO commandstats failed");
  const std::string prefix = absl::StrCat("cmdstat_", absl::AsciiStrToLower(command), ":calls=");
  for (absl::string_view line : absl::StrSplit(info, "\r\n")) {
    if (!absl::ConsumePrefix(&line, prefix)) continue;
    int64_t calls = 0;
    if (!absl::SimpleAtoi(line.substr(0, line.find(',')), &calls)) {
      return absl::InternalError("malformed commandstats line");
    }
    return calls;
  }
  return 0;
}

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_REDIS_STATS_H_
