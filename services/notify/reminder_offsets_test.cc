#include "services/notify/reminder_offsets.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::ReminderOffsets Offsets(std::initializer_list<int64_t> seconds) {
  v1::ReminderOffsets r;
  r.set_municipality("0165");
  r.set_program_id("sund-med-kultur");
  for (int64_t s : seconds) r.add_offsets()->set_seconds(s);
  return r;
}

TEST(ReminderOffsets, TheDefaultIsADayAndTwoHoursBefore) {
  EXPECT_THAT(DefaultReminderOffsets(), ElementsAre(absl::Hours(24), absl::Hours(2)));
}

TEST(ReminderOffsets, ValidOffsetsComeBackLongestFirst) {
  auto offsets = CheckReminderOffsets(Offsets({2 * 3600, 48 * 3600, 30 * 60}));
  ASSERT_TRUE(offsets.ok()) << offsets.status();
  EXPECT_THAT(*offsets, ElementsAre(absl::Hours(48), absl::Hours(2), absl::Minutes(30)));
  // No reminders at all is a choice a municipality may make.
  EXPECT_TRUE(CheckReminderOffsets(Offsets({})).ok());
  // The municipality's default has no program.
  v1::ReminderOffsets municipality_default = Offsets({3600});
  municipality_default.clear_program_id();
  EXPECT_TRUE(CheckReminderOffsets(municipality_default).ok());
}

TEST(ReminderOffsets, EveryBadFieldIsNamed) {
  v1::ReminderOffsets r = Offsets({0, 90, -60, 15 * 24 * 3600, 3600, 3600});
  r.mutable_offsets(4)->set_nanos(5);
  r.set_municipality("165");
  r.set_program_id("sund med kultur");
  auto offsets = CheckReminderOffsets(r, "reminder_offsets.");
  ASSERT_EQ(offsets.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(offsets.status().message());
  EXPECT_THAT(message, HasSubstr("reminder_offsets.municipality: must be a four-digit"));
  EXPECT_THAT(message, HasSubstr("reminder_offsets.program_id: must be empty"));
  EXPECT_THAT(message, HasSubstr("reminder_offsets.offsets: at most 5"));
  EXPECT_THAT(message, HasSubstr("offsets[0]: must be above zero"));
  EXPECT_THAT(message, HasSubstr("offsets[1]: must be whole minutes"));
  EXPECT_THAT(message, HasSubstr("offsets[2]: must be above zero"));
  EXPECT_THAT(message, HasSubstr("offsets[3]: must be above zero and at most 14 days"));
  EXPECT_THAT(message, HasSubstr("offsets[4]: must be whole minutes"));
  EXPECT_THAT(ReminderOffsetsViolations(Offsets({3600, 3600})),
              ElementsAre(testing::Property(&common::v1::FieldViolation::field, "offsets[1]")));
}

}  // namespace
}  // namespace kpr::notify
