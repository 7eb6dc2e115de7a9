#include "tools/kprctl/cli_args.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kpr::kprctl {

std::string ParsedArgs::Get(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

std::vector<std::string> ParsedArgs::GetAll(const std::string& name) const {
  if (auto it = repeated.find(name); it != repeated.end()) return it->second;
  if (auto it = options.find(name); it != options.end()) return {it->second};
  return {};
}

absl::StatusOr<std::string> Need(const ParsedArgs& a, const std::string& command,
                                 const std::string& flag) {
  std::string v = a.Get(flag);
  if (v.empty()) return absl::InvalidArgumentError(absl::StrCat(command, " needs --", flag));
  return v;
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::set<std::string>& known_options,
                                     const std::set<std::string>& flags) {
  ParsedArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (absl::StartsWith(a, "--") && a.size() > 2) {
      std::string name = a.substr(2);
      std::string value;
      bool has_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      if (!known_options.count(name) && !flags.count(name)) {
        return absl::InvalidArgumentError(absl::StrCat("unknown option --", name));
      }
      if (flags.count(name)) {
        out.options[name] = has_value ? value : "true";
        continue;
      }
      if (!has_value) {
        if (i + 1 >= args.size()) {
          return absl::InvalidArgumentError(absl::StrCat("option --", name, " needs a value"));
        }
        value = args[++i];
      }
      if (auto it = out.options.find(name); it != out.options.end()) {
        auto& all = out.repeated[name];
        if (all.empty()) all.push_back(it->second);
        all.push_back(value);
      }
      out.options[name] = value;
    } else if (out.command.empty()) {
      out.command = a;
    } else {
      out.positional.push_back(a);
    }
  }
  return out;
}

}  // namespace kpr::kprctl
