#ifndef KPR_LIBS_RPC_SETTING_H_
#define KPR_LIBS_RPC_SETTING_H_

// A service's own settings (beyond ServiceConfig), resolved the same way: the flag if given, else
// the environment variable if set and non-empty, else the default. A flag is "not given" when it
// holds its sentinel: -1 for numbers, "" for text. Errors name the setting as "KPR_X (--x)" and
// never echo a value that failed to parse.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::rpc {

struct SettingName {
  absl::string_view env;         // "KPR_SUPPRESSION_THRESHOLD"
  absl::string_view flag;        // "suppression_threshold"
  std::string Describe() const;  // "KPR_SUPPRESSION_THRESHOLD (--suppression_threshold)"
};

// A whole number, at least `min`.
absl::StatusOr<int> IntSetting(SettingName name, int flag, int fallback, int min);

// A duration as absl::ParseDuration reads it ("30s", "12h", "1h30m"), in [min, max].
absl::StatusOr<absl::Duration> DurationSetting(SettingName name, const std::string& flag,
                                               absl::Duration fallback, absl::Duration min,
                                               absl::Duration max = absl::InfiniteDuration());

// Text: the flag if not "", else the environment variable if set and non-empty, else `fallback`.
std::string TextSetting(SettingName name, const std::string& flag, std::string fallback = "");

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_SETTING_H_
