#include "libs/host/run_service.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace kpr::host {
namespace {

TEST(DrainWithDeadlineTest, ReturnsWhenTheDrainFinishesInTime) {
  bool drained = false;
  DrainWithDeadline([&] { drained = true; }, absl::Seconds(5));
  EXPECT_TRUE(drained);
}

// A call that never looks at its cancellation must not keep the process from stopping.
TEST(DrainWithDeadlineDeathTest, EndsTheProcessWhenTheDrainHangs) {
  EXPECT_EXIT(DrainWithDeadline(
                  [] {
                    absl::Notification never;
                    never.WaitForNotification();
                  },
                  absl::Milliseconds(200)),
              ::testing::ExitedWithCode(1), "");
}

}  // namespace
}  // namespace kpr::host
