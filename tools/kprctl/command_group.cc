#include "tools/kprctl/command_group.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kpr::kprctl {
namespace {

bool IsGlobal(const CommandGroup& g, const std::string& option) {
  return option == g.addr_flag || option == "token" || option == "token-file" ||
         option == "timeout" || option == "json" || option == "help";
}

// The address options of kprctl's services -> the service each names.
const std::map<std::string, std::string>& AddressOptions() {
  static const auto* addrs = new std::map<std::string, std::string>{
      {"addr", "referral"},
      {"scheduling-addr", "scheduling"},
      {"outcomes-addr", "outcomes"},
      {"notify-addr", "notify"},
  };
  return *addrs;
}

}  // namespace

std::set<std::string> GroupOptions(const CommandGroup& g) {
  std::set<std::string> s = {g.addr_flag, "token", "token-file", "timeout"};
  for (const auto& [name, opts] : g.specs) s.insert(opts.begin(), opts.end());
  for (const auto& f : g.flags) s.erase(f);
  return s;
}

absl::StatusOr<std::string> ResolveGroupCommand(const CommandGroup& g, const ParsedArgs& args) {
  std::string commands;
  for (const auto& [c, subs] : g.commands)
    absl::StrAppend(&commands, commands.empty() ? "" : " ", c);
  if (args.positional.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(g.word, " needs a command: ", commands));
  }
  const std::string& command = args.positional[0];
  auto it = g.commands.find(command);
  if (it == g.commands.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command '", g.word, " ", command, "' (one of: ", commands, ")"));
  }
  std::string name = command;
  size_t used = 1;
  if (!it->second.empty()) {
    std::string choices = absl::StrJoin(it->second, " ");
    if (args.positional.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(g.word, " ", command, " needs a subcommand: ", choices));
    }
    name = absl::StrCat(command, " ", args.positional[1]);
    if (g.specs.count(name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown subcommand '", g.word, " ", name, "' (one of: ", choices, ")"));
    }
    used = 2;
  }
  // "--present --absent r2" gives --present the value "--absent": name the real mistake.
  for (const auto& [option, value] : args.options) {
    if (!g.flags.count(option) && absl::StartsWith(value, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", option, " needs a value (got '", value, "')"));
    }
  }
  if (args.positional.size() > used) {
    return absl::InvalidArgumentError(
        absl::StrCat(g.word, " ", name, ": unexpected argument '", args.positional[used],
                     "' (ids are given with options such as --cohort)"));
  }
  const auto& allowed = g.specs.at(name);
  for (const auto& [option, value] : args.options) {
    if (allowed.count(option) || IsGlobal(g, option)) continue;
    if (auto addr = AddressOptions().find(option); addr != AddressOptions().end()) {
      return absl::InvalidArgumentError(absl::StrCat("--", option, " is the ", addr->second,
                                                     " service's address; use --", g.addr_flag,
                                                     " (or $", g.addr_env, ")"));
    }
    return absl::InvalidArgumentError(absl::StrCat(g.word, " ", name, " does not take --", option));
  }
  return name;
}

}  // namespace kpr::kprctl
