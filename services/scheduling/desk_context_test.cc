#include "services/scheduling/desk_context.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/store/retry_on_conflict.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;

TEST(RetryRacesTest, ALostRaceIsTriedAgainUpToTheSharedBoundThenTheCallerIsTold) {
  int attempts = 0;
  absl::Status st = RetryRaces("the cohort kept changing: try again", [&] {
    ++attempts;
    return absl::AbortedError("cohort version is 7");
  });
  EXPECT_EQ(attempts, store::kMaxConflictAttempts);
  EXPECT_EQ(st, absl::AbortedError("the cohort kept changing: try again"));

  attempts = 0;
  st = RetryRaces("", [&] {
    ++attempts;
    return absl::AbortedError("cohort version is 7");
  });
  EXPECT_EQ(st, absl::AbortedError("cohort version is 7"));  // "" keeps the conflict's message
}

TEST(RetryRacesTest, AWonRaceOrAnotherErrorEndsAtOnce) {
  int attempts = 0;
  absl::StatusOr<int> won = RetryRaces<int>("x", [&]() -> absl::StatusOr<int> {
    if (++attempts < 3) return absl::AbortedError("lost");
    return 42;
  });
  ASSERT_TRUE(won.ok());
  EXPECT_EQ(*won, 42);
  EXPECT_EQ(attempts, 3);

  attempts = 0;
  absl::Status st = RetryRaces("x", [&] {
    ++attempts;
    return absl::NotFoundError("cohort c1 not found");
  });
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(st, absl::NotFoundError("cohort c1 not found"));
}

TEST(RetryRacesTest, ACallersStaleVersionIsFinal) {
  int attempts = 0;
  absl::StatusOr<int> st =
      RetryRaces<int>("the slot kept being booked", [&]() -> absl::StatusOr<int> {
        ++attempts;
        return StaleVersion("session", 3, 5);
      });
  EXPECT_EQ(attempts, 1);  // reading again cannot make version 3 current
  EXPECT_EQ(st.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(st.status().message(), "session changed since version 3 (now 5): read it again");
}

TEST(InstitutionsOfTest, EachHostOnceSorted) {
  std::vector<v1::Session> sessions(3);
  sessions[0].set_institution_id("musik");
  sessions[1].set_institution_id("bibliotek");
  sessions[2].set_institution_id("musik");
  EXPECT_THAT(InstitutionsOf(sessions), ElementsAre("bibliotek", "musik"));
}

TEST(RequireIdTest, NamesTheField) {
  EXPECT_TRUE(RequireId("cohort_id", "0165-smk-2027w09-1a2b3c4d").ok());
  EXPECT_EQ(RequireId("cohort_id", ""),
            absl::InvalidArgumentError("cohort_id: required: 1-64 of A-Z a-z 0-9 _ -"));
}

}  // namespace
}  // namespace kpr::scheduling
