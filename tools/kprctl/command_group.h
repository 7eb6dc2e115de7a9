#ifndef KPR_TOOLS_KPRCTL_COMMAND_GROUP_H_
#define KPR_TOOLS_KPRCTL_COMMAND_GROUP_H_

// A group of kprctl commands behind one word and one service ("kprctl outcomes attendance get",
// "kprctl notify deliveries"): which commands and subcommands exist, which options each takes,
// and the checks every group makes before a request is built, so that a typo or an option of
// another command is named instead of silently ignored. Pure.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/kprctl/cli_args.h"

namespace kpr::kprctl {

struct CommandGroup {
  // The word after kprctl ("outcomes").
  std::string word;
  // The group's address option and environment variable ("outcomes-addr", "KPR_OUTCOMES_ADDR").
  std::string addr_flag;
  std::string addr_env;
  // Command -> its subcommands; none: the command stands alone ("schedule").
  std::map<std::string, std::vector<std::string>> commands;
  // Full name ("attendance record", "schedule") -> the options it takes besides the global
  // ones (the address, --token, --token-file, --timeout, --json, --help).
  std::map<std::string, std::set<std::string>> specs;
  // Options that take no value ("json", "help" at least).
  std::set<std::string> flags;
};

// Every option some command of `group` takes a value for, globals included (for ParseArgs).
std::set<std::string> GroupOptions(const CommandGroup& group);

// The full command name without the group's word ("attendance record"), after checking the
// subcommand, that no stray positional arguments are given, that no option swallowed the next
// one as its value, and that every option given is one this command takes. INVALID_ARGUMENT
// naming the mistake otherwise; another service's address option points to the right one.
absl::StatusOr<std::string> ResolveGroupCommand(const CommandGroup& group, const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_COMMAND_GROUP_H_
