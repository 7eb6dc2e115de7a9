#include "services/notify/reminder_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/danish_time.h"

namespace kpr::notify {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::vector<absl::Duration> kOffsets = {absl::Hours(24), absl::Hours(2)};

SessionSlot Slot(absl::CivilMinute local_start) {
  return SessionSlot{"0165", "0165-C1", "0165-C1-S03", calendar::LocalToAbsolute(local_start)};
}

std::vector<std::string> Ids(const std::vector<timer::Timer>& timers) {
  std::vector<std::string> ids;
  for (const auto& t : timers) ids.push_back(t.id);
  return ids;
}

TEST(RemindersForSession, OneTimerPerParticipantAndOffsetBeforeTheStart) {
  SessionSlot slot = Slot(absl::CivilMinute(2027, 3, 10, 17, 0));
  auto changes =
      RemindersForSession(slot, {"0165-A", "0165-B"}, kOffsets,
                          calendar::LocalToAbsolute(absl::CivilMinute(2027, 3, 1, 9, 0)));
  EXPECT_THAT(Ids(changes.schedule),
              ElementsAre("rem:0165-C1-S03:0165-A:1440", "rem:0165-C1-S03:0165-A:120",
                          "rem:0165-C1-S03:0165-B:1440", "rem:0165-C1-S03:0165-B:120"));
  EXPECT_THAT(changes.cancel, IsEmpty());
  EXPECT_EQ(changes.schedule[0].due, slot.start - absl::Hours(24));
  EXPECT_EQ(changes.schedule[1].due, slot.start - absl::Hours(2));
  EXPECT_EQ(changes.schedule[0].municipality, "0165");
  auto payload = ParseReminderPayload(changes.schedule[1].payload);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(payload->referral_id(), "0165-A");
  EXPECT_EQ(payload->cohort_id(), "0165-C1");
  EXPECT_EQ(payload->offset_minutes(), 120);
  EXPECT_EQ(payload->session_start().seconds(), absl::ToUnixSeconds(slot.start));
}

TEST(RemindersForSession, AMovedSessionReplacesTheSameTimersAndDropsPassedOnes) {
  const absl::Time now = calendar::LocalToAbsolute(absl::CivilMinute(2027, 3, 9, 12, 0));
  auto before =
      RemindersForSession(Slot(absl::CivilMinute(2027, 3, 12, 17, 0)), {"0165-A"}, kOffsets, now);
  // Moved to tomorrow 10:00: the 24 h reminder's time (today 10:00) has passed.
  auto after =
      RemindersForSession(Slot(absl::CivilMinute(2027, 3, 10, 10, 0)), {"0165-A"}, kOffsets, now);
  EXPECT_THAT(Ids(after.schedule), ElementsAre("rem:0165-C1-S03:0165-A:120"));
  EXPECT_THAT(after.cancel, ElementsAre("rem:0165-C1-S03:0165-A:1440"));
  EXPECT_EQ(after.schedule[0].id, before.schedule[1].id);  // replaced, not added
  EXPECT_NE(after.schedule[0].due, before.schedule[1].due);
}

TEST(RemindersForSession, AcrossTheAutumnClockChangeTheOffsetIsRealTime) {
  // 31 October 2027 03:00 summer time becomes 02:00 winter time: the night has 25 hours.
  SessionSlot slot = Slot(absl::CivilMinute(2027, 11, 1, 10, 0));
  auto changes =
      RemindersForSession(slot, {"0165-A"}, {absl::Hours(24)},
                          calendar::LocalToAbsolute(absl::CivilMinute(2027, 10, 25, 9, 0)));
  ASSERT_EQ(changes.schedule.size(), 1u);
  EXPECT_EQ(calendar::AbsoluteToLocal(changes.schedule[0].due),
            absl::CivilMinute(2027, 10, 31, 10, 0));
}

TEST(CancelReminders, EveryReminderOfTheSessionsAndParticipants) {
  auto changes = CancelReminders({"S1", "S2"}, {"0165-A"}, kOffsets);
  EXPECT_THAT(changes.schedule, IsEmpty());
  EXPECT_THAT(changes.cancel, ElementsAre("rem:S1:0165-A:1440", "rem:S1:0165-A:120",
                                          "rem:S2:0165-A:1440", "rem:S2:0165-A:120"));
}

TEST(ParseReminderPayload, RefusesWhatIsNotAReminder) {
  EXPECT_FALSE(ParseReminderPayload("garbage").ok());
  EXPECT_FALSE(ParseReminderPayload("").ok());
}

}  // namespace
}  // namespace kpr::notify
