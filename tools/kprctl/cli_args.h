#ifndef KPR_TOOLS_KPRCTL_CLI_ARGS_H_
#define KPR_TOOLS_KPRCTL_CLI_ARGS_H_

// A small command-line parser for kprctl: global options, a command, positional arguments and
// --name value / --name=value options. Unknown options are an error, so a typo never silently
// does something else.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kpr::kprctl {

struct ParsedArgs {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // name without dashes -> value ("true" for flags)
  // Every value of an option that takes one and was given more than once, in order; `options`
  // holds the last (a later option overrides an earlier one, as in an alias).
  std::map<std::string, std::vector<std::string>> repeated;

  bool Has(const std::string& name) const { return options.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // Every value given for `name`, in order (for options that may be repeated, such as
  // --referral r1 --referral r2); empty when it is not given.
  std::vector<std::string> GetAll(const std::string& name) const;
};

// The value of the option `flag`, which `command` requires: INVALID_ARGUMENT
// "<command> needs --<flag>" when it is missing or empty.
absl::StatusOr<std::string> Need(const ParsedArgs& args, const std::string& command,
                                 const std::string& flag);

// `flags` are options that take no value; every other known option takes one.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::set<std::string>& known_options,
                                     const std::set<std::string>& flags);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_CLI_ARGS_H_
