#ifndef KPR_LIBS_OBSERVE_LOG_H_
#define KPR_LIBS_OBSERVE_LOG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace kpr::observe {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// "debug", "info", "warning", "error".
absl::string_view LogLevelName(LogLevel level);

// The "service" field of every line. Set once at start-up.
void SetServiceName(std::string name);
// Lines below this level are dropped (default kInfo).
void SetMinLogLevel(LogLevel level);
LogLevel MinLogLevel();

// Receives each finished line (one JSON object, without the trailing newline). Called under
// the logger's mutex, so lines never interleave; a sink must not log itself. nullptr restores
// the default, which writes the line and "\n" to stdout in one write and flushes.
void SetLogSink(std::function<void(absl::string_view line)> sink);

// Appends `value` to `out` as a JSON string literal (with the quotes): escapes quotes,
// backslashes and control characters; UTF-8 passes through unchanged.
void AppendJsonString(std::string& out, absl::string_view value);

// One log line, emitted as one JSON object when destroyed:
//   {"ts":"2024-05-01T12:00:00.123Z","level":"info","service":"referral","msg":"...",
//    <With() fields in call order>,"trace_id":"...","span_id":"..."}
// trace_id/span_id come from the calling thread's CurrentTrace() when set. A With() key that
// collides with one of these reserved names is written with an "x_" prefix.
// Never pass personal data (CPR, names, contact details) to a log line.
//
//   kpr::observe::Info("referral stored").With("referral_id", id).With("count", 3);
class LogLine {
 public:
  LogLine(LogLevel level, absl::string_view message);
  LogLine(LogLine&& other) noexcept;
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  LogLine& operator=(LogLine&&) = delete;
  ~LogLine();

  LogLine& With(absl::string_view key, absl::string_view value);
  LogLine& With(absl::string_view key, const char* value);
  LogLine& With(absl::string_view key, const std::string& value);
  LogLine& With(absl::string_view key, int64_t value);
  LogLine& With(absl::string_view key, int value);
  LogLine& With(absl::string_view key, uint64_t value);
  LogLine& With(absl::string_view key, unsigned value);
  LogLine& With(absl::string_view key, long long value);           // NOLINT(runtime/int)
  LogLine& With(absl::string_view key, unsigned long long value);  // NOLINT(runtime/int)
  LogLine& With(absl::string_view key, double value);              // NaN/Inf are written as null
  LogLine& With(absl::string_view key, bool value);

 private:
  void AddRaw(absl::string_view key, std::string json_value);

  bool enabled_;  // false when below the minimum level or moved from
  LogLevel level_;
  std::string message_;
  std::vector<std::pair<std::string, std::string>> fields_;  // key, encoded JSON value
};

LogLine Debug(absl::string_view message);
LogLine Info(absl::string_view message);
LogLine Warn(absl::string_view message);
LogLine Error(absl::string_view message);

}  // namespace kpr::observe

#endif  // KPR_LIBS_OBSERVE_LOG_H_
