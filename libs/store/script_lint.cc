#include "libs/store/script_lint.h"

#include <cctype>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace kpr::store {
namespace {

// Commands that take no key: their first argument is not checked.
const absl::flat_hash_set<std::string>& KeylessCommands() {
  static const auto* s = new absl::flat_hash_set<std::string>{"TIME", "PING", "ECHO", "INFO"};
  return *s;
}

// Commands a cluster-safe script must never run.
const absl::flat_hash_set<std::string>& ForbiddenCommands() {
  static const auto* s =
      new absl::flat_hash_set<std::string>{"KEYS", "SCAN", "FLUSHALL", "FLUSHDB", "RANDOMKEY"};
  return *s;
}

// Skips a string literal starting at lua[i] ('...', "..." or [[...]]); returns the index after it.
size_t SkipString(const std::string& lua, size_t i) {
  if (lua.compare(i, 2, "[[") == 0) {
    size_t end = lua.find("]]", i + 2);
    return end == std::string::npos ? lua.size() : end + 2;
  }
  const char quote = lua[i];
  for (++i; i < lua.size(); ++i) {
    if (lua[i] == '\\') {
      ++i;
    } else if (lua[i] == quote) {
      return i + 1;
    }
  }
  return lua.size();
}

// The source with comments blanked out (strings kept), so offsets stay meaningful.
std::string WithoutComments(const std::string& lua) {
  std::string out = lua;
  for (size_t i = 0; i < out.size();) {
    const char c = out[i];
    if (c == '\'' || c == '"' || out.compare(i, 2, "[[") == 0) {
      i = SkipString(out, i);
    } else if (out.compare(i, 2, "--") == 0) {
      size_t end = out.compare(i, 4, "--[[") == 0 ? out.find("]]", i) : out.find('\n', i);
      if (end == std::string::npos) end = out.size();
      for (size_t j = i; j < end; ++j) out[j] = ' ';
      i = end;
    } else {
      ++i;
    }
  }
  return out;
}

// The top-level, comma-separated arguments of the call whose '(' is at lua[open].
std::vector<std::string> CallArguments(const std::string& lua, size_t open) {
  std::vector<std::string> args;
  std::string current;
  int depth = 0;
  for (size_t i = open + 1; i < lua.size(); ++i) {
    const char c = lua[i];
    if (c == '\'' || c == '"' || lua.compare(i, 2, "[[") == 0) {
      const size_t end = SkipString(lua, i);
      current.append(lua, i, end - i);
      i = end - 1;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) break;
      --depth;
    }
    if (c == ',' && depth == 0) {
      args.emplace_back(absl::StripAsciiWhitespace(current));
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  args.emplace_back(absl::StripAsciiWhitespace(current));
  return args;
}

// True when an expression builds a key in the script instead of taking it from KEYS.
bool BuildsKey(absl::string_view expr) {
  return absl::StrContains(expr, "..") || absl::StrContains(expr, "'") ||
         absl::StrContains(expr, "\"") || absl::StrContains(expr, "ARGV") ||
         absl::StrContains(expr, "redis.call") || absl::StrContains(expr, "redis.pcall");
}

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Every expression assigned to `name` in the script: `[local] a, name = x, y` on one line, and
// the iterated expression of `for ..., name, ... in <expr> do`.
std::vector<std::string> AssignmentsTo(const std::string& lua, absl::string_view name) {
  std::vector<std::string> found;
  for (absl::string_view line : absl::StrSplit(lua, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::ConsumePrefix(&line, "for ")) {
      const size_t in = line.find(" in ");
      if (in == absl::string_view::npos) continue;
      for (absl::string_view v : absl::StrSplit(line.substr(0, in), ',')) {
        if (absl::StripAsciiWhitespace(v) == name) found.emplace_back(line.substr(in + 4));
      }
      continue;
    }
    absl::ConsumePrefix(&line, "local ");
    // `=` not part of ==, ~=, <=, >=.
    size_t eq = absl::string_view::npos;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '=') continue;
      const bool compare = (i + 1 < line.size() && line[i + 1] == '=') ||
                           (i > 0 && (line[i - 1] == '=' || line[i - 1] == '~' ||
                                      line[i - 1] == '<' || line[i - 1] == '>'));
      if (!compare) eq = i;
      break;
    }
    if (eq == absl::string_view::npos) continue;
    std::vector<absl::string_view> lhs = absl::StrSplit(line.substr(0, eq), ',');
    if (lhs.empty() || !IsIdentifier(absl::StripAsciiWhitespace(lhs[0]))) continue;
    std::vector<absl::string_view> rhs = absl::StrSplit(line.substr(eq + 1), ',');
    for (size_t i = 0; i < lhs.size(); ++i) {
      if (absl::StripAsciiWhitespace(lhs[i]) != name) continue;
      // With fewer values than names, the last value (a call) supplies the rest.
      found.emplace_back(i < rhs.size() ? rhs[i] : line.substr(eq + 1));
    }
  }
  return found;
}

std::string Unquote(absl::string_view s) {
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) {
    return absl::AsciiStrToUpper(s.substr(1, s.size() - 2));
  }
  return "";
}

}  // namespace

absl::Status LintScript(const Script& script) {
  const std::string& raw = script.lua();
  std::vector<std::string> problems;
  if (!absl::StartsWith(raw, "#!lua")) problems.push_back("does not start with a #!lua shebang");
  const std::string lua = WithoutComments(raw);
  for (const std::string call : {"redis.call(", "redis.pcall("}) {
    for (size_t at = lua.find(call); at != std::string::npos; at = lua.find(call, at + 1)) {
      if (at > 0 && (IsWordChar(lua[at - 1]) || lua[at - 1] == '.')) continue;
      const std::vector<std::string> args = CallArguments(lua, at + call.size() - 1);
      const std::string command = Unquote(args[0]);
      if (ForbiddenCommands().contains(command)) {
        problems.push_back(absl::StrCat("runs ", command));
        continue;
      }
      if (KeylessCommands().contains(command) || args.size() < 2) continue;
      const std::string& key = args[1];
      const std::string what = absl::StrCat(command.empty() ? args[0] : command, " ", key);
      if (BuildsKey(key)) {
        problems.push_back(absl::StrCat(what, ": key built in the script, not taken from KEYS"));
      } else if (IsIdentifier(key) && key != "KEYS") {
        for (const std::string& value : AssignmentsTo(lua, key)) {
          if (BuildsKey(value)) {
            problems.push_back(
                absl::StrCat(what, ": ", key, " is assigned from ", value, ", not from KEYS"));
            break;
          }
        }
      }
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("script ", script.name(), ": ", absl::StrJoin(problems, "; ")));
}

absl::Status LintScripts(const std::vector<const Script*>& scripts) {
  std::vector<std::string> errors;
  for (const Script* s : scripts) {
    absl::Status st = LintScript(*s);
    if (!st.ok()) errors.emplace_back(st.message());
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
}

}  // namespace kpr::store
