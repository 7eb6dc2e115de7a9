#include "libs/observe/trace.h"

#include <cstdint>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"

namespace kpr::observe {
namespace {

thread_local const TraceContext* g_current = nullptr;

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsAllZero(absl::string_view s) { return s.find_first_not_of('0') == absl::string_view::npos; }

bool IsValidId(absl::string_view id, size_t length) {
  return id.size() == length && IsLowerHex(id) && !IsAllZero(id);
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// `hex_chars` random lowercase hex characters, never all zero.
std::string RandomHex(size_t hex_chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local absl::BitGen gen;  // absl::BitGen is seeded from the OS and not thread-safe
  std::string out(hex_chars, '0');
  do {
    for (size_t i = 0; i < hex_chars; i += 16) {
      uint64_t bits = absl::Uniform<uint64_t>(gen);
      for (size_t j = i; j < hex_chars && j < i + 16; ++j) {
        out[j] = kHex[bits & 0xf];
        bits >>= 4;
      }
    }
  } while (IsAllZero(out));
  return out;
}

}  // namespace

bool TraceContext::valid() const { return IsValidId(trace_id, 32) && IsValidId(span_id, 16); }

std::optional<TraceContext> ParseTraceparent(absl::string_view traceparent) {
  absl::string_view s = absl::StripAsciiWhitespace(traceparent);
  // version(2) - trace-id(32) - parent-id(16) - flags(2) = 55 characters.
  constexpr size_t kLength = 55;
  if (s.size() < kLength) return std::nullopt;
  absl::string_view version = s.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  if (version == "00" ? s.size() != kLength : (s.size() > kLength && s[kLength] != '-')) {
    return std::nullopt;
  }
  if (s[2] != '-' || s[35] != '-' || s[52] != '-') return std::nullopt;
  absl::string_view flags = s.substr(53, 2);
  if (!IsLowerHex(flags)) return std::nullopt;
  TraceContext context;
  context.trace_id = std::string(s.substr(3, 32));
  context.span_id = std::string(s.substr(36, 16));
  if (!context.valid()) return std::nullopt;
  context.sampled = (HexValue(flags[1]) & 1) != 0;
  return context;
}

std::string FormatTraceparent(const TraceContext& context) {
  std::string out;
  out.reserve(55);
  out.append("00-");
  out.append(context.trace_id);
  out.push_back('-');
  out.append(context.span_id);
  out.append(context.sampled ? "-01" : "-00");
  return out;
}

TraceContext NewRootTrace() {
  TraceContext context;
  context.trace_id = RandomHex(32);
  context.span_id = RandomHex(16);
  context.sampled = true;
  return context;
}

TraceContext ChildSpan(const TraceContext& parent) {
  if (!IsValidId(parent.trace_id, 32)) return NewRootTrace();
  TraceContext child = parent;
  child.span_id = RandomHex(16);
  return child;
}

const TraceContext* CurrentTrace() { return g_current; }

ScopedTrace::ScopedTrace(TraceContext context)
    : context_(std::move(context)), previous_(g_current) {
  g_current = &context_;
}

ScopedTrace::~ScopedTrace() { g_current = previous_; }

std::string NewCorrelationId() { return RandomHex(32); }

}  // namespace kpr::observe
