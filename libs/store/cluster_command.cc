#include "libs/store/cluster_command.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"

namespace kpr::store {
namespace {

using Kind = CommandRoute::Kind;

CommandRoute Key(size_t index, const std::vector<std::string>& argv) {
  if (index >= argv.size()) return {Kind::kAnyNode, 0};
  return {Kind::kKey, index};
}

bool IsKeyless(absl::string_view name) {
  static const auto* const kKeyless = new absl::flat_hash_set<absl::string_view>{
      "PING",     "ECHO",         "AUTH",     "HELLO",    "SELECT",    "QUIT",      "SCRIPT",
      "FUNCTION", "TIME",         "INFO",     "CLUSTER",  "CONFIG",    "CLIENT",    "COMMAND",
      "DBSIZE",   "FLUSHALL",     "FLUSHDB",  "KEYS",     "SCAN",      "RANDOMKEY", "SAVE",
      "BGSAVE",   "BGREWRITEAOF", "LASTSAVE", "ROLE",     "READONLY",  "READWRITE", "ASKING",
      "WAIT",     "DEBUG",        "SLOWLOG",  "LATENCY",  "ACL",       "MULTI",     "EXEC",
      "DISCARD",  "PUBLISH",      "MONITOR",  "SHUTDOWN", "REPLICAOF", "SLAVEOF",   "LOLWUT"};
  return kKeyless->contains(name);
}

}  // namespace

CommandRoute RouteOf(const std::vector<std::string>& argv) {
  if (argv.empty()) return {Kind::kAnyNode, 0};
  const std::string name = absl::AsciiStrToUpper(argv[0]);
  if (name == "EVAL" || name == "EVALSHA" || name == "EVAL_RO" || name == "EVALSHA_RO" ||
      name == "FCALL" || name == "FCALL_RO") {
    int numkeys = 0;
    if (argv.size() < 3 || !absl::SimpleAtoi(argv[2], &numkeys) || numkeys <= 0) {
      return {Kind::kNoKey, 0};
    }
    return Key(3, argv);
  }
  if (name == "XREAD" || name == "XREADGROUP") {
    for (size_t i = 1; i < argv.size(); ++i) {
      if (absl::AsciiStrToUpper(argv[i]) == "STREAMS") return Key(i + 1, argv);
    }
    return {Kind::kAnyNode, 0};
  }
  if (name == "MEMORY" || name == "OBJECT") {
    // MEMORY USAGE <key>, OBJECT ENCODING <key>; MEMORY STATS and OBJECT HELP have no key.
    if (name == "MEMORY" && (argv.size() < 2 || absl::AsciiStrToUpper(argv[1]) != "USAGE")) {
      return {Kind::kAnyNode, 0};
    }
    return Key(2, argv);
  }
  if (IsKeyless(name)) return {Kind::kAnyNode, 0};
  return Key(1, argv);
}

}  // namespace kpr::store
