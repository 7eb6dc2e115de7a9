#include "libs/observe/trace.h"

#include <set>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace kpr::observe {
namespace {

constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kSpanId[] = "00f067aa0ba902b7";

bool IsLowerHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(TraceTest, ParsesSpecExample) {
  auto ctx = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(ctx->trace_id, kTraceId);
  EXPECT_EQ(ctx->span_id, kSpanId);
  EXPECT_TRUE(ctx->sampled);
  EXPECT_TRUE(ctx->valid());
}

TEST(TraceTest, ParsesUnsampledAndOtherFlagBits) {
  auto unsampled = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled.has_value());
  EXPECT_FALSE(unsampled->sampled);
  auto other = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03");
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(other->sampled);
  auto unsampled_other =
      ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02");
  ASSERT_TRUE(unsampled_other.has_value());
  EXPECT_FALSE(unsampled_other->sampled);
}

TEST(TraceTest, FormatParseRoundTrip) {
  for (bool sampled : {true, false}) {
    TraceContext ctx = NewRootTrace();
    ctx.sampled = sampled;
    std::string header = FormatTraceparent(ctx);
    EXPECT_EQ(header, "00-" + ctx.trace_id + "-" + ctx.span_id + (sampled ? "-01" : "-00"));
    auto parsed = ParseTraceparent(header);
    ASSERT_TRUE(parsed.has_value()) << header;
    EXPECT_EQ(parsed->trace_id, ctx.trace_id);
    EXPECT_EQ(parsed->span_id, ctx.span_id);
    EXPECT_EQ(parsed->sampled, sampled);
  }
}

TEST(TraceTest, IgnoresSurroundingWhitespace) {
  EXPECT_TRUE(
      ParseTraceparent("  00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\t").has_value());
}

TEST(TraceTest, RejectsInvalidInputs) {
  const char* bad[] = {
      "",
      "00",
      // uppercase hex
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
      "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      // all-zero ids
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      // bad lengths
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
      // version 00 with trailing data
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      // forbidden version
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      // wrong separators / non-hex
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
      // higher version followed by garbage without a dash
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
  };
  for (const char* s : bad) EXPECT_FALSE(ParseTraceparent(s).has_value()) << s;
}

TEST(TraceTest, AcceptsHigherVersionWithExtraFields) {
  auto ctx = ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future");
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(ctx->trace_id, kTraceId);
}

TEST(TraceTest, NewRootTraceHasRandomValidIds) {
  std::set<std::string> traces, spans;
  for (int i = 0; i < 1000; ++i) {
    TraceContext ctx = NewRootTrace();
    ASSERT_TRUE(ctx.valid());
    ASSERT_EQ(ctx.trace_id.size(), 32u);
    ASSERT_EQ(ctx.span_id.size(), 16u);
    ASSERT_TRUE(IsLowerHex(ctx.trace_id) && IsLowerHex(ctx.span_id));
    EXPECT_TRUE(ctx.sampled);
    traces.insert(ctx.trace_id);
    spans.insert(ctx.span_id);
  }
  EXPECT_EQ(traces.size(), 1000u);
  EXPECT_EQ(spans.size(), 1000u);
}

TEST(TraceTest, ChildSpanKeepsTraceAndChangesSpan) {
  TraceContext parent = NewRootTrace();
  parent.sampled = false;
  parent.tracestate = "vendor=x";
  TraceContext child = ChildSpan(parent);
  EXPECT_EQ(child.trace_id, parent.trace_id);
  EXPECT_NE(child.span_id, parent.span_id);
  EXPECT_TRUE(child.valid());
  EXPECT_FALSE(child.sampled);
  EXPECT_EQ(child.tracestate, "vendor=x");

  TraceContext orphan = ChildSpan(TraceContext{});
  EXPECT_TRUE(orphan.valid());
}

TEST(TraceTest, ValidChecksIds) {
  TraceContext ctx;
  ctx.trace_id = kTraceId;
  ctx.span_id = kSpanId;
  EXPECT_TRUE(ctx.valid());
  ctx.span_id = "";
  EXPECT_FALSE(ctx.valid());
  EXPECT_FALSE(TraceContext{}.valid());
}

TEST(TraceTest, ScopedTraceNestsAndIsPerThread) {
  EXPECT_EQ(CurrentTrace(), nullptr);
  TraceContext outer = NewRootTrace();
  TraceContext inner = ChildSpan(outer);
  {
    ScopedTrace a(outer);
    ASSERT_NE(CurrentTrace(), nullptr);
    EXPECT_EQ(CurrentTrace()->span_id, outer.span_id);
    {
      ScopedTrace b(inner);
      EXPECT_EQ(CurrentTrace()->span_id, inner.span_id);
      const TraceContext* other_thread = reinterpret_cast<const TraceContext*>(1);
      std::thread([&] { other_thread = CurrentTrace(); }).join();
      EXPECT_EQ(other_thread, nullptr);
    }
    EXPECT_EQ(CurrentTrace()->span_id, outer.span_id);
  }
  EXPECT_EQ(CurrentTrace(), nullptr);
}

TEST(TraceTest, CorrelationIdsAreRandomHex) {
  std::string a = NewCorrelationId(), b = NewCorrelationId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_TRUE(IsLowerHex(a));
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace kpr::observe
