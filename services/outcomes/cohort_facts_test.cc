#include "services/outcomes/cohort_facts.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/outcomes/decision_testing.h"

namespace kpr::outcomes {
namespace {

namespace sv1 = ::kpr::scheduling::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using namespace decision_testing;  // NOLINT: test vocabulary

sv1::Session ScheduledSession(const std::string& id, int index, const std::string& day) {
  sv1::Session s;
  s.set_session_id(id);
  s.set_cohort_id("c-1");
  s.set_municipality(kM);
  s.set_index(index);
  s.set_day(day);
  s.set_start_minute(10 * 60);
  s.set_end_minute(12 * 60);
  s.set_instructor_id("i-1");
  s.set_status(sv1::SESSION_STATUS_SCHEDULED);
  return s;
}

std::vector<std::string> SessionIds(const v1::CohortRecord& c) {
  std::vector<std::string> ids;
  for (const v1::SessionRef& s : c.sessions()) ids.push_back(s.session_id());
  return ids;
}

template <typename T>
void AddEnrollment(T& event, const std::string& referral_id) {
  sv1::Enrollment* en = event.add_participants();
  en->set_cohort_id("c-1");
  en->set_referral_id(referral_id);
  en->set_citizen_id("z-" + referral_id);
}

const OutcomePolicy kPolicy;
const ScheduleOptions kSchedule = DefaultScheduleOptions();
const absl::Time kNow = Local(absl::CivilMinute(2027, 2, 20, 9, 0));

TEST(PlanCohort, NewCohortWithSessionsInTimetableOrder) {
  sv1::CohortPlanned planned;
  planned.mutable_cohort()->set_cohort_id("c-1");
  planned.mutable_cohort()->set_program_id("p-1");
  *planned.add_sessions() = ScheduledSession("s-2", 1, "2027-03-08");
  *planned.add_sessions() = ScheduledSession("s-1", 0, "2027-03-01");
  const Draft d = PlanCohort(kM, Cohort(), planned);

  const RecordWrite* w = WriteOf(d, CohortKey(kM, "c-1"));
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->expected_version, 0);
  const v1::CohortRecord c = *Written<v1::CohortRecord>(*w);
  EXPECT_EQ(c.municipality(), kM);
  EXPECT_EQ(c.program_id(), "p-1");
  EXPECT_THAT(SessionIds(c), ElementsAre("s-1", "s-2"));
  EXPECT_EQ(c.first_day(), "2027-03-01");
  EXPECT_EQ(c.last_day(), "2027-03-08");
  ASSERT_EQ(d.change.hash_sets.size(), 2u);
  EXPECT_EQ(d.change.hash_sets[0].key, SessionsKey(kM));
  EXPECT_EQ(d.change.hash_sets[0].field, "s-2");
  EXPECT_EQ(d.change.hash_sets[0].value, "c-1");
  ASSERT_EQ(d.change.index.size(), 1u);
  EXPECT_EQ(d.change.index[0].key, ProgramCohortsKey(kM, "p-1"));
  EXPECT_EQ(d.change.index[0].score, absl::CivilDay(2027, 3, 1) - absl::CivilDay(1970, 1, 1));
  EXPECT_EQ(d.sealed, 0u);
}

TEST(PlanCohort, AgainKeepsTheSessionsItKnows) {
  sv1::CohortPlanned planned;
  planned.mutable_cohort()->set_cohort_id("c-1");
  planned.mutable_cohort()->set_program_id("p-1");
  *planned.add_sessions() = ScheduledSession("s-1", 0, "2027-03-02");  // known: not replaced
  const Draft d = PlanCohort(kM, PlannedCohort(), planned);
  const v1::CohortRecord c = *Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")));
  EXPECT_THAT(SessionIds(c), ElementsAre("s-1", "s-2"));
  EXPECT_EQ(c.sessions(0).day(), "2027-03-01");
  EXPECT_EQ(c.version(), 2);
}

TEST(ScheduleSession, TheSameSessionAgainChangesNothing) {
  sv1::Session s = ScheduledSession("s-2", 1, "2027-03-08");
  EXPECT_TRUE(ScheduleSession(kM, PlannedCohort(), s).empty());
}

TEST(ScheduleSession, MovedOrCancelledEndMovesTheLastDay) {
  sv1::Session moved = ScheduledSession("s-2", 1, "2027-03-10");
  Draft d = ScheduleSession(kM, PlannedCohort(), moved);
  v1::CohortRecord c = *Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")));
  EXPECT_EQ(c.last_day(), "2027-03-10");
  ASSERT_EQ(d.change.hash_sets.size(), 1u);
  EXPECT_EQ(d.change.hash_sets[0].field, "s-2");
  EXPECT_EQ(d.change.index.size(), 1u);

  sv1::Session cancelled = ScheduledSession("s-2", 1, "2027-03-08");
  cancelled.set_status(sv1::SESSION_STATUS_CANCELLED);
  d = ScheduleSession(kM, PlannedCohort(), cancelled);
  c = *Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")));
  EXPECT_TRUE(c.sessions(1).cancelled());
  EXPECT_EQ(c.last_day(), "2027-03-01");
}

TEST(ScheduleSession, NewSessionJoinsTheTimetable) {
  const Draft d = ScheduleSession(kM, PlannedCohort(), ScheduledSession("s-0", -1, "2027-02-26"));
  const v1::CohortRecord c = *Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")));
  EXPECT_THAT(SessionIds(c), ElementsAre("s-0", "s-1", "s-2"));
  EXPECT_EQ(c.first_day(), "2027-02-26");
}

sv1::Enrolled Enrolment(const std::string& referral_id) {
  sv1::Enrolled e;
  e.set_cohort_id("c-1");
  e.set_program_id("p-1");
  e.set_referral_id(referral_id);
  e.set_citizen_id("z-" + referral_id);
  return e;
}

TEST(Enrol, NewParticipantJoinsTheCohortList) {
  const Draft d = Enrol(kM, PlannedCohort(), Participant(), Enrolment("0165-r-1"), kPolicy);
  ASSERT_EQ(d.change.writes.size(), 2u);
  EXPECT_EQ(d.sealed, 1u);
  const auto p = *Written<v1::ParticipantRecord>(*WriteOf(d, ParticipantKey(kM, "0165-r-1")));
  EXPECT_EQ(p.citizen_id(), "z-0165-r-1");
  EXPECT_EQ(p.cohort_id(), "c-1");
  EXPECT_FALSE(p.started()) << "the cohort has not started";
  const auto c = *Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")));
  EXPECT_THAT(c.participants(), ElementsAre("0165-r-1"));
}

TEST(Enrol, IntoAStartedCohortStartsAtOnce) {
  Cohort started = PlannedCohort({"0165-r-1"});
  started.record.set_started(true);
  const Draft d = Enrol(kM, started, Participant(), Enrolment("0165-r-1"), kPolicy);
  EXPECT_EQ(d.change.writes.size(), 1u) << "already listed: the cohort is not rewritten";
  EXPECT_TRUE(Written<v1::ParticipantRecord>(d.change.writes[0])->started());
  EXPECT_EQ(TallyChange(d, CohortTallyKey(kM, "c-1"), "participants"), 1);
}

TEST(Enrol, HistoryInAnotherCohortStays) {
  Participant elsewhere = StoredParticipant("0165-r-1");
  elsewhere.record.set_cohort_id("c-0");
  EXPECT_TRUE(Enrol(kM, PlannedCohort(), elsewhere, Enrolment("0165-r-1"), kPolicy).empty());
}

TEST(Unenrol, BeforeTheStartTheSeatWasNeverTaken) {
  sv1::Unenrolled u;
  u.set_cohort_id("c-1");
  u.set_referral_id("0165-r-1");
  const Draft d = Unenrol(kM, PlannedCohort({"0165-r-1", "0165-r-2"}),
                          StoredParticipant("0165-r-1", false), u, kPolicy);
  EXPECT_TRUE(
      Written<v1::ParticipantRecord>(*WriteOf(d, ParticipantKey(kM, "0165-r-1")))->unenrolled());
  EXPECT_THAT(Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")))->participants(),
              ElementsAre("0165-r-2"));
}

TEST(Unenrol, AfterTheStartTheyStayListed) {
  Cohort started = PlannedCohort({"0165-r-1"});
  started.record.set_started(true);
  sv1::Unenrolled u;
  u.set_cohort_id("c-1");
  u.set_referral_id("0165-r-1");
  const Draft d = Unenrol(kM, started, StoredParticipant("0165-r-1"), u, kPolicy);
  EXPECT_EQ(WriteOf(d, CohortKey(kM, "c-1")), nullptr);
  EXPECT_NE(WriteOf(d, ParticipantKey(kM, "0165-r-1")), nullptr);
}

TEST(StartCohort, NothingToDoWhenStartedOrCancelled) {
  sv1::CohortStarted started;
  AddEnrollment(started, "0165-r-1");
  EXPECT_THAT(ReferralsToStart(PlannedCohort(), started), Optional(ElementsAre("0165-r-1")));
  Cohort again = PlannedCohort();
  again.record.set_started(true);
  EXPECT_EQ(ReferralsToStart(again, started), std::nullopt);
  Cohort cancelled = PlannedCohort();
  cancelled.record.set_cancelled(true);
  EXPECT_EQ(ReferralsToStart(cancelled, started), std::nullopt);
  EXPECT_TRUE(
      StartCohort(kM, cancelled, started, {Participant()}, kSchedule, kPolicy, kNow).empty());
}

TEST(StartCohort, EveryoneStartsWithABaselineAtTheFirstSession) {
  sv1::CohortStarted started;
  started.set_cohort_id("c-1");
  AddEnrollment(started, "0165-r-1");
  AddEnrollment(started, "0165-r-2");  // an enrolment we missed
  Participant known = StoredParticipant("0165-r-1", false);
  known.record.set_citizen_id("z-kept");
  const Draft d = StartCohort(kM, PlannedCohort({"0165-r-1"}), started, {known, Participant()},
                              kSchedule, kPolicy, kNow);
  const absl::Time first_session = Local(absl::CivilMinute(2027, 3, 1, 10, 0));
  EXPECT_THAT(TimerIds(d), ElementsAre("tp:0165-r-1:1", "tp:0165-r-2:1"));
  EXPECT_EQ(d.change.timers[0].due, first_session);
  const auto p1 = *Written<v1::ParticipantRecord>(*WriteOf(d, ParticipantKey(kM, "0165-r-1")));
  EXPECT_TRUE(p1.started());
  EXPECT_EQ(p1.citizen_id(), "z-kept");
  ASSERT_EQ(p1.schedule_size(), 1);
  EXPECT_EQ(p1.schedule(0).time_point(), v1::TIME_POINT_BASELINE);
  const auto p2 = *Written<v1::ParticipantRecord>(*WriteOf(d, ParticipantKey(kM, "0165-r-2")));
  EXPECT_EQ(p2.citizen_id(), "z-0165-r-2");
  const auto c = *Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")));
  EXPECT_TRUE(c.started());
  EXPECT_THAT(c.participants(), ElementsAre("0165-r-1", "0165-r-2"));
  EXPECT_EQ(TallyChange(d, CohortTallyKey(kM, "c-1"), "participants"), 2);
}

TEST(StartCohort, AScheduledBaselineIsNotScheduledAgain) {
  sv1::CohortStarted started;
  AddEnrollment(started, "0165-r-1");
  Participant p = StoredParticipant("0165-r-1", false);
  p.record.add_schedule()->set_time_point(v1::TIME_POINT_BASELINE);
  const Draft d = StartCohort(kM, PlannedCohort(), started, {p}, kSchedule, kPolicy, kNow);
  EXPECT_THAT(TimerIds(d), IsEmpty());
}

TEST(CompleteCohort, FollowUpsForWhoStayedAndASettleTimer) {
  Cohort c = PlannedCohort({"0165-r-1", "0165-r-2", "0165-r-3"});
  c.record.set_started(true);
  sv1::CohortCompleted completed;
  completed.set_cohort_id("c-1");
  completed.set_sessions_held(2);
  AddEnrollment(completed, "0165-r-4");
  EXPECT_THAT(ReferralsToComplete(c, completed),
              Optional(ElementsAre("0165-r-1", "0165-r-2", "0165-r-3", "0165-r-4")));
  Participant left = StoredParticipant("0165-r-2");
  left.record.set_unenrolled(true);
  const Draft d = CompleteCohort(
      kM, c, completed, {StoredParticipant("0165-r-1"), left, Participant(), Participant()},
      kSchedule, kPolicy, absl::Hours(48), kNow);
  EXPECT_THAT(TimerIds(d),
              ElementsAre("tp:0165-r-1:2", "tp:0165-r-1:3", "tp:0165-r-1:4", "settle:c-1"));
  EXPECT_EQ(d.change.timers[0].due, Local(absl::CivilMinute(2027, 3, 8, 10, 0)));
  EXPECT_EQ(d.change.timers[1].due, Local(absl::CivilMinute(2027, 4, 8, 0, 0)));
  EXPECT_EQ(d.change.timers[3].due, kNow + absl::Hours(48));
  EXPECT_EQ(
      Written<v1::ParticipantRecord>(*WriteOf(d, ParticipantKey(kM, "0165-r-2")))->schedule_size(),
      0);
  EXPECT_EQ(WriteOf(d, ParticipantKey(kM, "0165-r-3")), nullptr) << "listed but never seen";
  const auto cohort = *Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")));
  EXPECT_TRUE(cohort.completed());
  EXPECT_EQ(cohort.sessions_held(), 2);
  EXPECT_EQ(cohort.participants_size(), 4);

  c.record.set_completed(true);
  EXPECT_EQ(ReferralsToComplete(c, completed), std::nullopt);
}

TEST(CancelCohort, ItsParticipantsLeaveTheTallies) {
  const Cohort c = PlannedCohort({"0165-r-1", "0165-r-2"});
  EXPECT_THAT(ReferralsToCancel(c), Optional(ElementsAre("0165-r-1", "0165-r-2")));
  Participant moved_on = StoredParticipant("0165-r-2");
  moved_on.record.set_cohort_id("c-9");
  const Draft d = CancelCohort(kM, c, {StoredParticipant("0165-r-1"), moved_on}, kPolicy);
  EXPECT_FALSE(
      Written<v1::ParticipantRecord>(*WriteOf(d, ParticipantKey(kM, "0165-r-1")))->started());
  EXPECT_EQ(WriteOf(d, ParticipantKey(kM, "0165-r-2")), nullptr);
  EXPECT_EQ(TallyChange(d, CohortTallyKey(kM, "c-1"), "participants"), -1);
  EXPECT_TRUE(Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")))->cancelled());

  Cohort cancelled = c;
  cancelled.record.set_cancelled(true);
  EXPECT_EQ(ReferralsToCancel(cancelled), std::nullopt);
}

}  // namespace
}  // namespace kpr::outcomes
