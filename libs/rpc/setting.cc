#include "libs/rpc/setting.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kpr::rpc {
namespace {

// The environment variable if set and non-empty, else null.
const char* FromEnv(absl::string_view env) {
  const char* value = std::getenv(std::string(env).c_str());
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

}  // namespace

std::string SettingName::Describe() const { return absl::StrCat(env, " (--", flag, ")"); }

absl::StatusOr<int> IntSetting(SettingName name, int flag, int fallback, int min) {
  int value = fallback;
  if (flag != -1) {
    value = flag;
  } else if (const char* text = FromEnv(name.env); text != nullptr) {
    if (!absl::SimpleAtoi(text, &value)) {
      return absl::InvalidArgumentError(absl::StrCat(name.Describe(), ": not a whole number"));
    }
  }
  if (value < min) {
    return absl::InvalidArgumentError(absl::StrCat(name.Describe(), ": must be at least ", min));
  }
  return value;
}

absl::StatusOr<absl::Duration> DurationSetting(SettingName name, const std::string& flag,
                                               absl::Duration fallback, absl::Duration min,
                                               absl::Duration max) {
  absl::Duration value = fallback;
  const char* text = !flag.empty() ? flag.c_str() : FromEnv(name.env);
  if (text != nullptr && !absl::ParseDuration(text, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name.Describe(), ": expected a duration like 30s or 12h"));
  }
  if (value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(name.Describe(), ": must be between ", absl::FormatDuration(min), " and ",
                     max == absl::InfiniteDuration() ? "any length" : absl::FormatDuration(max)));
  }
  return value;
}

std::string TextSetting(SettingName name, const std::string& flag, std::string fallback) {
  if (!flag.empty()) return flag;
  if (const char* text = FromEnv(name.env); text != nullptr) return text;
  return fallback;
}

}  // namespace kpr::rpc
