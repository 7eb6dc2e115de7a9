#include "services/notify/message_triggers.h"

#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

TEST(IntentsFor, AnAcceptedReferralIsWelcomed) {
  referral::v1::ReferralAccepted accepted;
  accepted.set_referral_id("0165-A");
  auto intents = IntentsFor(accepted);
  ASSERT_EQ(intents.size(), 1u);
  EXPECT_EQ(intents[0].trigger, v1::TRIGGER_WELCOME);
  EXPECT_EQ(intents[0].referral_id, "0165-A");
  EXPECT_FALSE(intents[0].to_coordinator);
}

TEST(IntentsFor, EnrolledGetsTheCohortOrTheWaitlistNotice) {
  scheduling::v1::Enrolled enrolled;
  enrolled.set_referral_id("0165-A");
  enrolled.set_cohort_id("0165-C1");
  EXPECT_EQ(IntentsFor(enrolled)[0].trigger, v1::TRIGGER_COHORT_INFORMATION);
  EXPECT_EQ(IntentsFor(enrolled)[0].cohort_id, "0165-C1");
  enrolled.set_from_waitlist(true);
  EXPECT_EQ(IntentsFor(enrolled)[0].trigger, v1::TRIGGER_MOVED_FROM_WAITLIST);
  scheduling::v1::Waitlisted waitlisted;
  waitlisted.set_referral_id("0165-B");
  EXPECT_EQ(IntentsFor(waitlisted)[0].trigger, v1::TRIGGER_WAITLISTED);
}

TEST(IntentsFor, SessionChangesGoToEveryParticipant) {
  scheduling::v1::SessionRescheduled moved;
  moved.mutable_session()->set_session_id("S3");
  moved.mutable_session()->set_cohort_id("0165-C1");
  auto intents = IntentsFor(moved, {"0165-A", "0165-B"});
  ASSERT_EQ(intents.size(), 2u);
  EXPECT_EQ(intents[1].trigger, v1::TRIGGER_SESSION_RESCHEDULED);
  EXPECT_EQ(intents[1].referral_id, "0165-B");
  EXPECT_EQ(intents[1].session_id, "S3");
  EXPECT_EQ(intents[1].cohort_id, "0165-C1");
  scheduling::v1::SessionCancelled cancelled;
  *cancelled.mutable_session() = moved.session();
  EXPECT_EQ(IntentsFor(cancelled, {"0165-A"})[0].trigger, v1::TRIGGER_SESSION_CANCELLED);
  EXPECT_TRUE(IntentsFor(cancelled, {}).empty());
}

TEST(IntentsFor, ACancelledCohortTellsTheParticipantsItLists) {
  scheduling::v1::CohortCancelled cancelled;
  cancelled.set_cohort_id("0165-C1");
  cancelled.add_participants()->set_referral_id("0165-A");
  cancelled.add_participants()->set_referral_id("0165-B");
  auto intents = IntentsFor(cancelled);
  ASSERT_EQ(intents.size(), 2u);
  EXPECT_EQ(intents[0].trigger, v1::TRIGGER_COHORT_CANCELLED);
  EXPECT_EQ(intents[1].referral_id, "0165-B");
}

TEST(IntentsFor, QuestionnairesToTheCitizenDropOutRiskToTheCoordinator) {
  outcomes::v1::QuestionnaireDue due;
  due.set_referral_id("0165-A");
  EXPECT_EQ(IntentsFor(due)[0].trigger, v1::TRIGGER_QUESTIONNAIRE_DUE);
  outcomes::v1::QuestionnaireOverdue overdue;
  overdue.set_referral_id("0165-A");
  EXPECT_EQ(IntentsFor(overdue)[0].trigger, v1::TRIGGER_QUESTIONNAIRE_OVERDUE);
  outcomes::v1::DropOutRiskFlagged flagged;
  flagged.set_referral_id("0165-A");
  flagged.set_cohort_id("0165-C1");
  auto intents = IntentsFor(flagged);
  ASSERT_EQ(intents.size(), 1u);
  EXPECT_EQ(intents[0].trigger, v1::TRIGGER_DROP_OUT_RISK);
  EXPECT_TRUE(intents[0].to_coordinator);
  EXPECT_EQ(intents[0].referral_id, "0165-A");  // whom it is about
}

}  // namespace
}  // namespace kpr::notify
