#ifndef KPR_LIBS_OBSERVE_TRACE_H_
#define KPR_LIBS_OBSERVE_TRACE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace kpr::observe {

// W3C Trace Context (https://www.w3.org/TR/trace-context/).
struct TraceContext {
  std::string trace_id;    // 32 lowercase hex, not all zero
  std::string span_id;     // 16 lowercase hex, not all zero
  bool sampled = true;     // trace-flags bit 0
  std::string tracestate;  // passed through as is

  bool valid() const;
};

// Parses "00-<32 hex>-<16 hex>-<2 hex flags>". Lowercase hex only; rejects all-zero ids,
// version "ff", wrong lengths and, for version 00, anything after the flags. Surrounding
// spaces/tabs are ignored. Higher versions are accepted if they start with the version-00
// layout (as the spec asks). tracestate is left empty.
std::optional<TraceContext> ParseTraceparent(absl::string_view traceparent);

// "00-<trace_id>-<span_id>-01" (or "-00" when not sampled).
std::string FormatTraceparent(const TraceContext& context);

// A new trace with random ids, sampled.
TraceContext NewRootTrace();
// Same trace id, flags and tracestate; a new random span id. A parent without a valid
// trace id gives NewRootTrace().
TraceContext ChildSpan(const TraceContext& parent);

// The calling thread's current trace (set by ScopedTrace), or nullptr.
const TraceContext* CurrentTrace();

// Makes `context` the calling thread's current trace for its lifetime, then restores the
// previous one. Nests. Must be destroyed on the thread that created it.
class ScopedTrace {
 public:
  explicit ScopedTrace(TraceContext context);
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;
  ~ScopedTrace();

  const TraceContext& context() const { return context_; }

 private:
  TraceContext context_;
  const TraceContext* previous_;
};

// 32 random lowercase hex characters.
std::string NewCorrelationId();

}  // namespace kpr::observe

#endif  // KPR_LIBS_OBSERVE_TRACE_H_
