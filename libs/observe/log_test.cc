#include "libs/observe/log.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/observe/trace.h"

namespace kpr::observe {
namespace {

using ::testing::HasSubstr;

// A deliberately small parser for one flat JSON object: string values are decoded, other
// values are kept as raw text. Returns nullopt on any syntax error.
class FlatJson {
 public:
  static std::optional<std::map<std::string, std::string>> Parse(absl::string_view s) {
    FlatJson p(s);
    std::map<std::string, std::string> out;
    if (!p.Eat('{')) return std::nullopt;
    if (p.Eat('}')) return p.AtEnd() ? std::optional(out) : std::nullopt;
    do {
      std::string key, value;
      if (!p.String(key) || !p.Eat(':')) return std::nullopt;
      if (p.Peek() == '"') {
        if (!p.String(value)) return std::nullopt;
      } else {
        while (!p.AtEnd() && p.Peek() != ',' && p.Peek() != '}') value.push_back(p.Next());
        if (value.empty()) return std::nullopt;
      }
      if (!out.emplace(key, value).second) return std::nullopt;  // duplicate key
    } while (p.Eat(','));
    if (!p.Eat('}') || !p.AtEnd()) return std::nullopt;
    return out;
  }

 private:
  explicit FlatJson(absl::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
  char Next() { return s_[i_++]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  bool String(std::string& out) {
    if (!Eat('"')) return false;
    while (!AtEnd()) {
      char c = Next();
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;  // raw control char: invalid
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (AtEnd()) return false;
      char e = Next();
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          if (i_ + 4 > s_.size()) return false;
          uint32_t code;
          if (!absl::SimpleHexAtoi(s_.substr(i_, 4), &code) || code > 0x7f) return false;
          i_ += 4;
          out.push_back(static_cast<char>(code));
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  absl::string_view s_;
  size_t i_ = 0;
};

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetServiceName("testsvc");
    SetMinLogLevel(LogLevel::kDebug);
    SetLogSink([this](absl::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetMinLogLevel(LogLevel::kInfo);
  }
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  std::map<std::string, std::string> OnlyLine() {
    std::vector<std::string> lines = Lines();
    EXPECT_EQ(lines.size(), 1u);
    if (lines.size() != 1) return {};
    auto parsed = FlatJson::Parse(lines[0]);
    EXPECT_TRUE(parsed.has_value()) << lines[0];
    return parsed.value_or(std::map<std::string, std::string>{});
  }

  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(LogTest, WritesStandardFieldsAndTypedValues) {
  Info("referral stored")
      .With("referral_id", "r-1")
      .With("count", 3)
      .With("big", static_cast<uint64_t>(18446744073709551615ull))
      .With("neg", static_cast<int64_t>(-42))
      .With("ratio", 0.25)
      .With("million", 1e6)
      .With("tiny", 0.0005)
      .With("ok", true)
      .With("name", std::string("x"));
  auto f = OnlyLine();
  EXPECT_EQ(f["level"], "info");
  EXPECT_EQ(f["service"], "testsvc");
  EXPECT_EQ(f["msg"], "referral stored");
  EXPECT_EQ(f["referral_id"], "r-1");
  EXPECT_EQ(f["count"], "3");
  EXPECT_EQ(f["big"], "18446744073709551615");
  EXPECT_EQ(f["neg"], "-42");
  EXPECT_EQ(f["ratio"], "0.25");
  EXPECT_EQ(f["million"], "1000000");
  EXPECT_EQ(f["tiny"], "0.0005");
  EXPECT_EQ(f["ok"], "true");
  EXPECT_EQ(f["name"], "x");
  EXPECT_EQ(f.count("trace_id"), 0u);
  EXPECT_EQ(f.count("span_id"), 0u);

  // RFC 3339 UTC with milliseconds, close to now.
  absl::Time ts;
  std::string err;
  ASSERT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%E3SZ", f["ts"], absl::UTCTimeZone(), &ts, &err))
      << f["ts"] << " " << err;
  EXPECT_EQ(f["ts"].size(), std::string("2024-01-02T03:04:05.678Z").size());
  EXPECT_LT(absl::AbsDuration(absl::Now() - ts), absl::Seconds(5));
}

TEST_F(LogTest, FieldOrderIsFixed) {
  Warn("m").With("a", 1).With("b", 2);
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0],
              ::testing::MatchesRegex(R"(\{"ts":"[^"]+","level":"warning","service":"testsvc",)"
                                      R"("msg":"m","a":1,"b":2\})"));
}

TEST_F(LogTest, EscapesJsonAndKeepsUtf8) {
  const std::string nasty = "quote\" backslash\\ nl\n cr\r tab\t bell\x07 nul" +
                            std::string(1, '\0') + " del\x7f æøå Ærø 🎭";
  Error(nasty).With("k\"ey", nasty);
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  EXPECT_THAT(line, HasSubstr(R"(quote\" backslash\\ nl\n cr\r tab\t bell\u0007 nul\u0000)"));
  EXPECT_THAT(line, HasSubstr("del\\u007f æøå Ærø 🎭"));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\0'), std::string::npos);
  auto f = FlatJson::Parse(line);
  ASSERT_TRUE(f.has_value()) << line;
  EXPECT_EQ((*f)["msg"], nasty);
  EXPECT_EQ((*f)["k\"ey"], nasty);
  EXPECT_EQ((*f)["level"], "error");
}

TEST_F(LogTest, NonFiniteDoublesAreNull) {
  Info("m").With("nan", std::nan("")).With("inf", 1.0 / 0.0);
  auto f = OnlyLine();
  EXPECT_EQ(f["nan"], "null");
  EXPECT_EQ(f["inf"], "null");
}

TEST_F(LogTest, ReservedKeysArePrefixedNotDuplicated) {
  Info("real").With("msg", "fake").With("level", "x");
  auto f = OnlyLine();  // parser rejects duplicate keys
  EXPECT_EQ(f["msg"], "real");
  EXPECT_EQ(f["x_msg"], "fake");
  EXPECT_EQ(f["x_level"], "x");
}

TEST_F(LogTest, TraceIdsAppearFromCurrentTrace) {
  TraceContext trace = NewRootTrace();
  {
    ScopedTrace scoped(trace);
    Info("inside").With("a", 1);
  }
  Info("outside");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  auto inside = FlatJson::Parse(lines[0]);
  auto outside = FlatJson::Parse(lines[1]);
  ASSERT_TRUE(inside && outside);
  EXPECT_EQ((*inside)["trace_id"], trace.trace_id);
  EXPECT_EQ((*inside)["span_id"], trace.span_id);
  EXPECT_EQ(outside->count("trace_id"), 0u);
  EXPECT_THAT(lines[0], ::testing::EndsWith(",\"trace_id\":\"" + trace.trace_id +
                                            "\",\"span_id\":\"" + trace.span_id + "\"}"));
}

TEST_F(LogTest, MinLevelFilters) {
  SetMinLogLevel(LogLevel::kWarning);
  Debug("d");
  Info("i");
  Warn("w");
  Error("e");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("\"level\":\"warning\""));
  EXPECT_THAT(lines[1], HasSubstr("\"level\":\"error\""));
}

TEST_F(LogTest, MovedFromLineEmitsOnce) {
  {
    LogLine a = Info("once");
    LogLine b(std::move(a));
    b.With("k", 1);
  }
  auto f = OnlyLine();
  EXPECT_EQ(f["msg"], "once");
  EXPECT_EQ(f["k"], "1");
}

TEST_F(LogTest, ConcurrentLinesNeverInterleave) {
  constexpr int kThreads = 4, kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kPerThread; ++i) Info("concurrent").With("t", t).With("i", i);
    });
  }
  for (auto& th : threads) th.join();
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kPerThread));
  for (const auto& line : lines) ASSERT_TRUE(FlatJson::Parse(line).has_value()) << line;
}

TEST(LogDefaultSinkTest, WritesOneLineToStdout) {
  SetLogSink(nullptr);
  ::testing::internal::CaptureStdout();
  Info("to stdout").With("k", "v");
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  EXPECT_TRUE(FlatJson::Parse(absl::string_view(out).substr(0, out.size() - 1)).has_value()) << out;
  EXPECT_THAT(out, HasSubstr("\"msg\":\"to stdout\""));
}

}  // namespace
}  // namespace kpr::observe
