#include <vector>

#include "gtest/gtest.h"
#include "libs/store/resp_for_test.h"
#include "libs/timer/timer_worker.h"

namespace kpr::timer {
namespace {

using store::ParseResp;

TEST(SummarizeDue, CountsDueTimersAndTakesTheMostOverdue) {
  const absl::Time now = absl::FromUnixMillis(1'800'000'000'000);
  std::vector<store::RedisReply> replies;
  // 0165: 2 due, the earliest 90 s ago.
  replies.push_back(ParseResp(":2\r\n"));
  replies.push_back(ParseResp("*2\r\n$4\r\nsend\r\n$13\r\n1799999910000\r\n"));
  // 0183: none due; its earliest timer is in the future (no lag).
  replies.push_back(ParseResp(":0\r\n"));
  replies.push_back(ParseResp("*2\r\n$3\r\nrem\r\n$13\r\n1800000060000\r\n"));
  // 0101: no timers at all.
  replies.push_back(ParseResp(":0\r\n"));
  replies.push_back(ParseResp("*0\r\n"));
  const DueSummary due = SummarizeDue(replies, now);
  EXPECT_EQ(due.count, 2);
  EXPECT_EQ(due.lag, absl::Seconds(90));
}

TEST(SummarizeDue, NothingDueIsZero) {
  const DueSummary due = SummarizeDue({}, absl::Now());
  EXPECT_EQ(due.count, 0);
  EXPECT_EQ(due.lag, absl::ZeroDuration());
}

TEST(SummarizeDue, SkipsErrorReplies) {
  std::vector<store::RedisReply> replies;
  replies.push_back(ParseResp("-MOVED 1 h:1\r\n"));
  replies.push_back(ParseResp("-MOVED 1 h:1\r\n"));
  const DueSummary due = SummarizeDue(replies, absl::Now());
  EXPECT_EQ(due.count, 0);
}

}  // namespace
}  // namespace kpr::timer
