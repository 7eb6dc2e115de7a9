#include "libs/observe/log.h"

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <system_error>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/observe/trace.h"

namespace kpr::observe {
namespace {

struct LoggerState {
  // std::mutex rather than absl::Mutex: Debian's prebuilt Abseil is not instrumented, so
  // ThreadSanitizer would report false races in every service that logs.
  std::mutex mu;
  std::string service ABSL_GUARDED_BY(mu);
  std::function<void(absl::string_view)> sink ABSL_GUARDED_BY(mu);
};

LoggerState& State() {
  static LoggerState* state = new LoggerState();  // never destroyed: logging at exit is safe
  return *state;
}

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

void WriteToStdout(absl::string_view line) {
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line.data(), line.size());
  buffer.push_back('\n');
  std::fwrite(buffer.data(), 1, buffer.size(), stdout);
  std::fflush(stdout);
}

bool IsReserved(absl::string_view key) {
  return key == "ts" || key == "level" || key == "service" || key == "msg" || key == "trace_id" ||
         key == "span_id";
}

}  // namespace

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void SetServiceName(std::string name) {
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.service = std::move(name);
}

void SetMinLogLevel(LogLevel level) {
  g_min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel MinLogLevel() {
  return static_cast<LogLevel>(g_min_level.load(std::memory_order_relaxed));
}

void SetLogSink(std::function<void(absl::string_view line)> sink) {
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.sink = std::move(sink);
}

void AppendJsonString(std::string& out, absl::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out.append("\\u00");
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

LogLine::LogLine(LogLevel level, absl::string_view message)
    : enabled_(static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed)),
      level_(level) {
  if (enabled_) message_ = std::string(message);
}

LogLine::LogLine(LogLine&& other) noexcept
    : enabled_(other.enabled_),
      level_(other.level_),
      message_(std::move(other.message_)),
      fields_(std::move(other.fields_)) {
  other.enabled_ = false;
}

void LogLine::AddRaw(absl::string_view key, std::string json_value) {
  std::string k = IsReserved(key) ? absl::StrCat("x_", key) : std::string(key);
  fields_.emplace_back(std::move(k), std::move(json_value));
}

LogLine& LogLine::With(absl::string_view key, absl::string_view value) {
  if (!enabled_) return *this;
  std::string encoded;
  encoded.reserve(value.size() + 2);
  AppendJsonString(encoded, value);
  AddRaw(key, std::move(encoded));
  return *this;
}

LogLine& LogLine::With(absl::string_view key, const char* value) {
  if (value == nullptr) {
    if (enabled_) AddRaw(key, "null");
    return *this;
  }
  return With(key, absl::string_view(value));
}

LogLine& LogLine::With(absl::string_view key, const std::string& value) {
  return With(key, absl::string_view(value));
}

LogLine& LogLine::With(absl::string_view key, int64_t value) {
  if (enabled_) AddRaw(key, absl::StrCat(value));
  return *this;
}

LogLine& LogLine::With(absl::string_view key, int value) {
  return With(key, static_cast<int64_t>(value));
}

LogLine& LogLine::With(absl::string_view key, uint64_t value) {
  if (enabled_) AddRaw(key, absl::StrCat(value));
  return *this;
}

LogLine& LogLine::With(absl::string_view key, unsigned value) {
  return With(key, static_cast<uint64_t>(value));
}

LogLine& LogLine::With(absl::string_view key, long long value) {  // NOLINT(runtime/int)
  if (enabled_) AddRaw(key, absl::StrCat(value));
  return *this;
}

LogLine& LogLine::With(absl::string_view key, unsigned long long value) {  // NOLINT
  if (enabled_) AddRaw(key, absl::StrCat(value));
  return *this;
}

LogLine& LogLine::With(absl::string_view key, double value) {
  if (!enabled_) return *this;
  if (!std::isfinite(value)) {
    AddRaw(key, "null");  // JSON has no NaN/Infinity
    return *this;
  }
  // Whole numbers as integers, otherwise the shortest round-trip form in %g style.
  char buf[64];
  auto result = std::abs(value) < 9007199254740992.0 && value == std::trunc(value)
                    ? std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value))
                    : std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::general);
  AddRaw(key, std::string(buf, result.ptr));
  return *this;
}

LogLine& LogLine::With(absl::string_view key, bool value) {
  if (enabled_) AddRaw(key, value ? "true" : "false");
  return *this;
}

LogLine::~LogLine() {
  if (!enabled_) return;
  std::string line;
  line.reserve(128 + message_.size() + fields_.size() * 32);
  line.append("{\"ts\":\"");
  line.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()));
  line.append("\",\"level\":\"");
  line.append(LogLevelName(level_).data(), LogLevelName(level_).size());
  line.append("\",\"service\":");
  LoggerState& state = State();
  {
    std::lock_guard<std::mutex> lock(state.mu);
    AppendJsonString(line, state.service);
  }
  line.append(",\"msg\":");
  AppendJsonString(line, message_);
  for (const auto& [key, value] : fields_) {
    line.push_back(',');
    AppendJsonString(line, key);
    line.push_back(':');
    line.append(value);
  }
  if (const TraceContext* trace = CurrentTrace(); trace != nullptr) {
    line.append(",\"trace_id\":");
    AppendJsonString(line, trace->trace_id);
    line.append(",\"span_id\":");
    AppendJsonString(line, trace->span_id);
  }
  line.push_back('}');

  std::lock_guard<std::mutex> lock(state.mu);
  if (state.sink) {
    state.sink(line);
  } else {
    WriteToStdout(line);
  }
}

LogLine Debug(absl::string_view message) { return LogLine(LogLevel::kDebug, message); }
LogLine Info(absl::string_view message) { return LogLine(LogLevel::kInfo, message); }
LogLine Warn(absl::string_view message) { return LogLine(LogLevel::kWarning, message); }
LogLine Error(absl::string_view message) { return LogLine(LogLevel::kError, message); }

}  // namespace kpr::observe
