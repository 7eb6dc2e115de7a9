#include "services/scheduling/enrolment_changes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "services/scheduling/outbox_event_testing.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;
using testing::Envelope;
using testing::Ids;
using testing::Payload;
using testing::TestStamp;

v1::Cohort Cohort(const std::string& id, int enrolled = 0, int capacity = 12,
                  v1::CohortStatus status = v1::COHORT_STATUS_OPEN) {
  v1::Cohort c;
  c.set_municipality("0165");
  c.set_cohort_id(id);
  c.set_program_id("smk");
  c.set_first_day("2027-03-02");
  c.set_enrolled_count(enrolled);
  c.set_capacity(capacity);
  c.set_status(status);
  return c;
}

v1::WaitlistEntry Waiting(const std::string& referral, int64_t accepted = 0) {
  v1::WaitlistEntry w;
  w.set_referral_id(referral);
  w.set_citizen_id(absl::StrCat("cit-", referral));
  if (accepted > 0) w.mutable_accepted_at()->set_seconds(accepted);
  return w;
}

TEST(EnrolledEventTest, IdsCarryTheNonceSoARepeatedFactIsANewEvent) {
  OutboxEvent e = EnrolledEvent(Cohort("c1"), "0165-A", "cit-A", false, TestStamp());
  EXPECT_EQ(e.id, "c1:enrolled:0165-A:00000000000000aa");
  EXPECT_EQ(e.subject, "kpr.scheduling.v1.enrolled.0165");
  auto p = Payload<v1::Enrolled>(e);
  EXPECT_EQ(p.program_id(), "smk");
  EXPECT_EQ(p.citizen_id(), "cit-A");
  EXPECT_EQ(p.first_day(), "2027-03-02");
  EXPECT_FALSE(p.from_waitlist());
  EXPECT_EQ(Envelope(e).correlation_id(), "corr-1");
  // Without a caller's correlation id, the event correlates to itself.
  EventStamp bare = TestStamp();
  bare.correlation_id.clear();
  EXPECT_EQ(Envelope(EnrolledEvent(Cohort("c1"), "0165-A", "cit-A", false, bare)).correlation_id(),
            "c1:enrolled:0165-A:00000000000000aa");
}

TEST(WaitlistSeatsTest, TheFirstOnTheWaitlistGetTheSeatsInOrder) {
  std::vector<v1::WaitlistEntry> waitlist = {Waiting("0165-W1", 100), Waiting("0165-W2"),
                                             Waiting("0165-W3")};
  auto seats = WaitlistSeats(Cohort("c1"), waitlist, 2, TestStamp());
  ASSERT_EQ(seats.size(), 2u);
  EXPECT_EQ(seats[0].referral_id, "0165-W1");
  EXPECT_EQ(seats[0].citizen_id, "cit-0165-W1");
  EXPECT_EQ(seats[0].accepted_at, absl::FromUnixSeconds(100));
  EXPECT_EQ(seats[1].referral_id, "0165-W2");
  EXPECT_EQ(seats[1].accepted_at, absl::InfinitePast());
  EXPECT_TRUE(Payload<v1::Enrolled>(seats[1].enrolled_event).from_waitlist());
  EXPECT_TRUE(WaitlistSeats(Cohort("c1"), waitlist, 0, TestStamp()).empty());
  EXPECT_TRUE(WaitlistSeats(Cohort("c1"), waitlist, -3, TestStamp()).empty());
  EXPECT_EQ(WaitlistSeats(Cohort("c1"), waitlist, 9, TestStamp()).size(), 3u);
}

TEST(PlacementOfTest, OpenCohortsWithASeatAreCandidatesInTheOrderRead) {
  ReferralToPlace r{"smk", "0165-A", "cit-A", "evt-1", absl::FromUnixSeconds(500)};
  Placement p = PlacementOf(r, {Cohort("c1", 12, 12), Cohort("c2", 3), Cohort("c3")}, TestStamp());
  EXPECT_EQ(p.municipality, "0165");
  EXPECT_EQ(p.program_id, "smk");
  EXPECT_EQ(p.referral_id, "0165-A");
  EXPECT_EQ(p.trigger_id, "evt-1");
  EXPECT_EQ(p.accepted_at, absl::FromUnixSeconds(500));
  ASSERT_EQ(p.candidates.size(), 2u);  // c1 is full
  EXPECT_EQ(p.candidates[0].cohort_id, "c2");
  EXPECT_EQ(p.candidates[0].first_day, "2027-03-02");
  EXPECT_EQ(p.candidates[0].enrolled_event.id, "c2:enrolled:0165-A:00000000000000aa");
  EXPECT_EQ(p.candidates[1].cohort_id, "c3");
  EXPECT_EQ(p.waitlisted_event.id, "smk:waitlisted:0165-A:00000000000000aa");
  EXPECT_EQ(p.waitlisted_event.subject, "kpr.scheduling.v1.waitlisted.0165");
  EXPECT_EQ(Payload<v1::Waitlisted>(p.waitlisted_event).citizen_id(), "cit-A");
}

TEST(EnrolmentInTest, ACoordinatorsEnrolmentIntoOneCohort) {
  EnrollInCohort in = EnrolmentIn(Cohort("c2"), "0165-A", "cit-A", TestStamp());
  EXPECT_EQ(in.municipality, "0165");
  EXPECT_EQ(in.cohort_id, "c2");
  EXPECT_EQ(in.referral_id, "0165-A");
  EXPECT_EQ(in.citizen_id, "cit-A");
  EXPECT_TRUE(in.trigger_id.empty());
  EXPECT_FALSE(Payload<v1::Enrolled>(in.enrolled_event).from_waitlist());
}

TEST(UnenrolmentOfTest, TheCitizenAsEnrolledTheReasonCodeAndTheSeatForTheWaitlistHead) {
  v1::Enrollment a, b;
  a.set_referral_id("0165-A");
  a.set_citizen_id("cit-A");
  b.set_referral_id("0165-B");
  b.set_citizen_id("cit-B");
  auto head = WaitlistSeats(Cohort("c1"), {Waiting("0165-W1")}, 1, TestStamp());
  Unenrolment u =
      UnenrolmentOf(Cohort("c1"), {a, b}, "0165-B", v1::CHANGE_REASON_REFERRAL_WITHDRAWN, "evt-9",
                    head.front(), TestStamp());
  EXPECT_EQ(u.municipality, "0165");
  EXPECT_EQ(u.cohort_id, "c1");
  EXPECT_EQ(u.referral_id, "0165-B");
  EXPECT_EQ(u.trigger_id, "evt-9");
  ASSERT_TRUE(u.waitlist_head.has_value());
  EXPECT_EQ(u.waitlist_head->referral_id, "0165-W1");
  EXPECT_THAT(Ids(u.events), ElementsAre("c1:unenrolled:0165-B:00000000000000aa"));
  auto e = Payload<v1::Unenrolled>(u.events[0]);
  EXPECT_EQ(e.citizen_id(), "cit-B");
  EXPECT_EQ(e.reason_code(), v1::CHANGE_REASON_REFERRAL_WITHDRAWN);
  EXPECT_FALSE(e.cohort_started());

  Unenrolment late =
      UnenrolmentOf(Cohort("c1", 1, 12, v1::COHORT_STATUS_RUNNING), {a}, "0165-A",
                    v1::CHANGE_REASON_COORDINATOR_DECISION, "", std::nullopt, TestStamp());
  EXPECT_FALSE(late.waitlist_head.has_value());
  EXPECT_TRUE(Payload<v1::Unenrolled>(late.events[0]).cohort_started());
}

TEST(ProgramForReferralTest, ThePreferredByIdOrNameElseTheDefault) {
  std::vector<v1::ProgramTemplate> programs(3);
  programs[0].set_program_id("kpr");
  programs[0].set_name("Kultur på Recept");
  programs[1].set_program_id("smk");
  programs[1].set_name("Sund med Kultur");
  programs[1].set_is_default(true);
  programs[2].set_program_id("sang");
  programs[2].set_name("Fællessang");
  EXPECT_EQ(ProgramForReferral(programs, "sang"), "sang");
  EXPECT_EQ(ProgramForReferral(programs, "Kultur på Recept"), "kpr");
  EXPECT_EQ(ProgramForReferral(programs, "Unknown"), "smk");
  EXPECT_EQ(ProgramForReferral(programs, ""), "smk");
  programs[1].set_is_default(false);
  EXPECT_EQ(ProgramForReferral(programs, "Unknown"), "");
}

}  // namespace
}  // namespace kpr::scheduling
