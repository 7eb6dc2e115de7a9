// SchedulingStore against a real Redis: catalog versions, atomic cohort commits with overlap
// checks, session moves and cancellations, the cohort lifecycle, enrolment, placement and the
// waitlist; every change's events in the outbox exactly once and its timers scheduled.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/scheduling_store.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::scheduling {
namespace {

constexpr char kM[] = "0165";

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

OutboxEvent Ev(const std::string& id) {
  return OutboxEvent{id, absl::StrCat("kpr.scheduling.v1.test.", kM), absl::StrCat("data:", id)};
}

v1::Session MakeSession(const std::string& id, const std::string& cohort, int index,
                        const std::string& day, int start, int end, const std::string& venue,
                        const std::string& instructor, const std::string& institution = "inst-a") {
  v1::Session s;
  s.set_session_id(id);
  s.set_cohort_id(cohort);
  s.set_municipality(kM);
  s.set_index(index);
  s.set_activity_id("act");
  s.set_day(day);
  s.set_start_minute(start);
  s.set_end_minute(end);
  s.set_institution_id(institution);
  s.set_venue_id(venue);
  s.set_instructor_id(instructor);
  s.set_status(v1::SESSION_STATUS_SCHEDULED);
  return s;
}

v1::Cohort MakeCohort(const std::string& id, const std::string& program, int capacity,
                      v1::CohortStatus status = v1::COHORT_STATUS_PLANNED) {
  v1::Cohort c;
  c.set_municipality(kM);
  c.set_cohort_id(id);
  c.set_program_id(program);
  c.set_name(absl::StrCat("Hold ", id));
  c.set_status(status);
  c.set_capacity(capacity);
  c.set_min_size(1);
  c.set_score(1.5);
  return c;
}

class SchedulingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    pool_ = kpr::testing::HarnessRedisPool();
    store_ = std::make_unique<SchedulingStore>(*pool_);
    timers_ = std::make_unique<timer::TimerStore>(*pool_, kSchedulingService);
  }

  // Event ids in the outbox, oldest first.
  std::vector<std::string> OutboxIds() {
    auto entries = store_->outbox().Read(kM, 10000);
    EXPECT_TRUE(entries.ok());
    std::vector<std::string> ids;
    if (entries.ok()) {
      for (const auto& e : *entries) ids.push_back(e.event_id);
    }
    return ids;
  }

  bool HasTimer(const std::string& id) {
    auto t = timers_->Get(kM, id);
    EXPECT_TRUE(t.ok());
    return t.ok() && t->has_value();
  }

  timer::Timer MakeTimer(const std::string& id, int64_t due_ms) {
    return timer::Timer{kM, id, absl::FromUnixMillis(due_ms), "payload"};
  }

  // A committed cohort: sessions (day, start, end, venue, instructor).
  struct Slot {
    std::string day;
    int start, end;
    std::string venue, instructor;
  };
  CohortCommit MakeCommit(const std::string& cohort_id, const std::string& program,
                          const std::vector<Slot>& slots, int capacity = 10,
                          v1::CohortStatus status = v1::COHORT_STATUS_PLANNED) {
    CohortCommit c;
    c.cohort = MakeCohort(cohort_id, program, capacity, status);
    c.request_id = absl::StrCat("req-", cohort_id);
    for (size_t i = 0; i < slots.size(); ++i) {
      const Slot& s = slots[i];
      c.sessions.push_back(MakeSession(absl::StrCat(cohort_id, "-s", i), cohort_id,
                                       static_cast<int>(i), s.day, s.start, s.end, s.venue,
                                       s.instructor));
    }
    c.events.push_back(Ev(absl::StrCat(cohort_id, ":planned")));
    return c;
  }

  v1::Cohort Commit(const CohortCommit& c) {
    auto r = store_->CommitCohort(c);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    EXPECT_EQ(r->outcome, CommitResult::Outcome::kCreated);
    return r->cohort;
  }

  PlacementCandidate Candidate(const v1::Cohort& c, const std::string& referral) {
    return PlacementCandidate{c.cohort_id(), c.first_day(),
                              Ev(absl::StrCat(referral, ":enrolled:", c.cohort_id()))};
  }

  absl::StatusOr<EnrollResult> PlaceIn(const std::string& program, const std::string& referral,
                                       const std::vector<v1::Cohort>& candidates,
                                       const std::string& trigger = "") {
    Placement p;
    p.municipality = kM;
    p.program_id = program;
    p.referral_id = referral;
    p.citizen_id = absl::StrCat("cit-", referral);
    for (const auto& c : candidates) p.candidates.push_back(Candidate(c, referral));
    p.waitlisted_event = Ev(absl::StrCat(referral, ":waitlisted"));
    p.trigger_id = trigger;
    return store_->Place(p);
  }

  WaitlistSeat Seat(const std::string& referral, const std::string& cohort) {
    return WaitlistSeat{referral, absl::StrCat("cit-", referral),
                        Ev(absl::StrCat(referral, ":enrolled:", cohort, ":wl"))};
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<timer::TimerStore> timers_;
};

// ---- Catalog ----

TEST_F(SchedulingStoreTest, CatalogPutChecksVersionsAndLists) {
  v1::Institution inst;
  inst.set_municipality(kM);
  inst.set_institution_id("music");
  inst.set_name("Musikskolen");
  inst.add_venues()->set_venue_id("hall");
  auto v1r = store_->PutInstitution(inst, 0);
  ASSERT_TRUE(v1r.ok()) << v1r.status();
  EXPECT_EQ(v1r->version(), 1);
  auto v2r = store_->PutInstitution(inst, 1);
  ASSERT_TRUE(v2r.ok());
  EXPECT_EQ(v2r->version(), 2);
  EXPECT_EQ(store_->PutInstitution(inst, 1).status().code(), absl::StatusCode::kAborted);
  v1::Institution missing = inst;
  missing.set_institution_id("nope");
  EXPECT_EQ(store_->PutInstitution(missing, 3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->PutInstitution(inst, 0)->version(), 3) << "0 overwrites";
  v1::Institution art = inst;
  art.set_institution_id("art");
  ASSERT_TRUE(store_->PutInstitution(art, 0).ok());

  auto list = store_->ListInstitutions(kM);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].institution_id(), "art");
  EXPECT_EQ((*list)[1].institution_id(), "music");
  EXPECT_EQ((*list)[1].version(), 3);
  EXPECT_EQ((*list)[1].venues(0).venue_id(), "hall");
  EXPECT_EQ(store_->GetInstitution(kM, "music")->version(), 3);
  EXPECT_EQ(store_->GetInstitution(kM, "x").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListInstitutions("0183")->empty()) << "municipalities are separate";

  for (const auto& [id, in] : std::vector<std::pair<std::string, std::string>>{
           {"i1", "music"}, {"i2", "art"}, {"i3", "music"}}) {
    v1::Instructor i;
    i.set_municipality(kM);
    i.set_instructor_id(id);
    i.set_institution_id(in);
    ASSERT_TRUE(store_->PutInstructor(i, 0).ok());
  }
  EXPECT_EQ(store_->ListInstructors(kM, "")->size(), 3u);
  auto music = store_->ListInstructors(kM, "music");
  ASSERT_TRUE(music.ok());
  ASSERT_EQ(music->size(), 2u);
  EXPECT_EQ((*music)[0].instructor_id(), "i1");
  EXPECT_EQ((*music)[1].instructor_id(), "i3");

  auto empty = store_->GetCalendar(kM);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->version(), 0);
  EXPECT_EQ(empty->municipality(), kM);
  v1::MunicipalityCalendar cal;
  cal.set_municipality(kM);
  auto* closed = cal.add_closed_periods();
  closed->set_first_day("2026-10-12");
  closed->set_last_day("2026-10-16");
  EXPECT_EQ(store_->PutCalendar(cal, 0)->version(), 1);
  EXPECT_EQ(store_->PutCalendar(cal, 2).status().code(), absl::StatusCode::kAborted);
  auto got = store_->GetCalendar(kM);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version(), 1);
  EXPECT_EQ(got->closed_periods(0).first_day(), "2026-10-12");

  v1::ProgramTemplate p;
  p.set_municipality(kM);
  p.set_program_id("p6");
  p.set_weeks(6);
  ASSERT_TRUE(store_->PutProgram(p, 0).ok());
  p.set_weeks(7);
  EXPECT_EQ(store_->PutProgram(p, 1)->version(), 2);
  EXPECT_EQ(store_->GetProgram(kM, "p6")->weeks(), 7);
  EXPECT_EQ(store_->ListPrograms(kM)->size(), 1u);
  EXPECT_EQ(store_->GetProgram(kM, "zz").status().code(), absl::StatusCode::kNotFound);

  auto snap = store_->LoadCatalog(kM);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->institutions.size(), 2u);
  EXPECT_EQ(snap->instructors.size(), 3u);
  EXPECT_EQ(snap->calendar.version(), 1);
  ASSERT_EQ(snap->programs.size(), 1u);
  EXPECT_EQ(snap->programs[0].version(), 2);

  v1::Institution bad = inst;
  bad.set_municipality("165");
  EXPECT_EQ(store_->PutInstitution(bad, 0).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---- Cohorts and sessions ----

TEST_F(SchedulingStoreTest, CommitWritesCohortSessionsIndexesEventsAndTimers) {
  CohortCommit c = MakeCommit("c1", "p6",
                              {{"2026-09-07", 600, 690, "hall", "i1"},
                               {"2026-09-09", 600, 690, "studio", "i2"},
                               {"2026-09-14", 540, 630, "hall", "i1"}});
  c.sessions[1].set_institution_id("inst-b");
  c.events.push_back(Ev("c1-s0:scheduled"));
  c.timers = {MakeTimer(OpenTimerId("c1"), 1000), MakeTimer(StartTimerId("c1"), 2000)};
  auto r = store_->CommitCohort(c);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->outcome, CommitResult::Outcome::kCreated);
  EXPECT_EQ(r->cohort.version(), 1);
  EXPECT_EQ(r->cohort.status(), v1::COHORT_STATUS_PLANNED);
  EXPECT_EQ(r->cohort.first_day(), "2026-09-07");
  EXPECT_EQ(r->cohort.last_day(), "2026-09-14");
  EXPECT_EQ(r->cohort.session_count(), 3);
  EXPECT_EQ(r->cohort.capacity(), 10);
  EXPECT_EQ(r->cohort.enrolled_count(), 0);
  EXPECT_EQ(r->cohort.name(), "Hold c1");
  ASSERT_EQ(r->sessions.size(), 3u);
  EXPECT_EQ(r->sessions[2].session_id(), "c1-s2");
  EXPECT_EQ(r->sessions[2].version(), 1);
  EXPECT_EQ(r->sessions[2].status(), v1::SESSION_STATUS_SCHEDULED);

  auto got = store_->GetCohort(kM, "c1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->first_day(), "2026-09-07");
  EXPECT_EQ(store_->GetCohort(kM, "zz").status().code(), absl::StatusCode::kNotFound);
  auto s1 = store_->GetSession(kM, "c1-s1");
  ASSERT_TRUE(s1.ok());
  EXPECT_EQ(s1->venue_id(), "studio");
  EXPECT_EQ(s1->municipality(), kM);

  SessionQuery q;
  q.municipality = kM;
  q.by = SessionQuery::By::kCohort;
  q.id = "c1";
  auto by_cohort = store_->ListSessions(q);
  ASSERT_TRUE(by_cohort.ok());
  ASSERT_EQ(by_cohort->size(), 3u);
  EXPECT_EQ((*by_cohort)[0].index(), 0);
  EXPECT_EQ((*by_cohort)[2].index(), 2);
  q.id = "nope";
  EXPECT_EQ(store_->ListSessions(q).status().code(), absl::StatusCode::kNotFound);

  q.by = SessionQuery::By::kVenue;
  q.id = "hall";
  q.from = absl::CivilDay(2026, 9, 7);
  q.to = absl::CivilDay(2026, 9, 13);
  auto hall_week = store_->ListSessions(q);
  ASSERT_TRUE(hall_week.ok());
  ASSERT_EQ(hall_week->size(), 1u);
  EXPECT_EQ((*hall_week)[0].session_id(), "c1-s0");
  q.to = absl::CivilDay(2026, 9, 14);
  EXPECT_EQ(store_->ListSessions(q)->size(), 2u) << "the range is inclusive";
  q.by = SessionQuery::By::kInstructor;
  q.id = "i2";
  EXPECT_EQ(store_->ListSessions(q)->size(), 1u);
  q.by = SessionQuery::By::kInstitution;
  q.id = "inst-a";
  EXPECT_EQ(store_->ListSessions(q)->size(), 2u);
  q.id = "inst-b";
  EXPECT_EQ(store_->ListSessions(q)->size(), 1u);

  auto bookings = store_->LoadBookings(kM, absl::CivilDay(2026, 9, 8), absl::CivilDay(2026, 9, 30));
  ASSERT_TRUE(bookings.ok());
  ASSERT_EQ(bookings->size(), 2u);
  EXPECT_EQ((*bookings)[0].session_id(), "c1-s1");
  EXPECT_EQ((*bookings)[1].session_id(), "c1-s2");

  EXPECT_EQ(OutboxIds(), (std::vector<std::string>{"c1:planned", "c1-s0:scheduled"}));
  EXPECT_TRUE(HasTimer("open:c1"));
  EXPECT_TRUE(HasTimer("start:c1"));
  EXPECT_EQ((*timers_->Get(kM, "start:c1"))->due, absl::FromUnixMillis(2000));
}

TEST_F(SchedulingStoreTest, CommitIsIdempotentByRequestId) {
  CohortCommit c = MakeCommit("c1", "p6", {{"2026-09-07", 600, 690, "hall", "i1"}});
  Commit(c);
  CohortCommit retry = c;
  retry.cohort.set_cohort_id("c1-other");  // a retry may carry a fresh id: the first one wins
  for (auto& s : retry.sessions) {
    s.set_cohort_id("c1-other");
    s.set_session_id(s.session_id() + "-other");
  }
  auto again = store_->CommitCohort(retry);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->outcome, CommitResult::Outcome::kAlreadyCommitted);
  EXPECT_EQ(again->cohort.cohort_id(), "c1");
  ASSERT_EQ(again->sessions.size(), 1u);
  EXPECT_EQ(again->sessions[0].session_id(), "c1-s0");
  EXPECT_EQ(OutboxIds().size(), 1u) << "a repeat appends no events";
  EXPECT_EQ(store_->GetCohort(kM, "c1-other").status().code(), absl::StatusCode::kNotFound);

  // Another request with a taken cohort id.
  CohortCommit clash = c;
  clash.request_id = "another";
  clash.sessions[0].set_day("2027-01-04");
  EXPECT_EQ(store_->CommitCohort(clash).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(SchedulingStoreTest, CommitRefusesAnyOverlapAndWritesNothing) {
  Commit(MakeCommit("a", "p6", {{"2026-09-07", 600, 690, "hall", "i1"}}));

  // Venue taken (another instructor), instructor taken (another venue): both reported.
  CohortCommit b = MakeCommit("b", "p6",
                              {{"2026-09-07", 630, 720, "hall", "i2"},
                               {"2026-09-08", 600, 690, "hall", "i2"},
                               {"2026-09-07", 540, 601, "studio", "i1"}});
  b.timers = {MakeTimer(OpenTimerId("b"), 1000)};
  auto r = store_->CommitCohort(b);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->outcome, CommitResult::Outcome::kConflict);
  ASSERT_EQ(r->conflicts.size(), 2u);
  EXPECT_EQ(r->conflicts[0].session_id, "b-s0");
  EXPECT_EQ(r->conflicts[0].booked_session_id, "a-s0");
  EXPECT_EQ(r->conflicts[0].booked_cohort_id, "a");
  EXPECT_EQ(r->conflicts[0].resource, BookingConflict::Resource::kVenue);
  EXPECT_EQ(r->conflicts[0].resource_id, "hall");
  EXPECT_EQ(r->conflicts[0].day, "2026-09-07");
  EXPECT_EQ(r->conflicts[0].start_minute, 600);
  EXPECT_EQ(r->conflicts[0].end_minute, 690);
  EXPECT_EQ(r->conflicts[1].session_id, "b-s2");
  EXPECT_EQ(r->conflicts[1].resource, BookingConflict::Resource::kInstructor);
  EXPECT_EQ(r->conflicts[1].resource_id, "i1");

  // Nothing of b exists.
  EXPECT_EQ(store_->GetCohort(kM, "b").status().code(), absl::StatusCode::kNotFound);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(store_->GetSession(kM, absl::StrCat("b-s", i)).status().code(),
              absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(
      store_->LoadBookings(kM, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31))->size(),
      1u);
  EXPECT_EQ(OutboxIds(), std::vector<std::string>{"a:planned"});
  EXPECT_FALSE(HasTimer("open:b"));

  // Touching intervals do not overlap; the same request id works after the refusal.
  b.sessions[0].set_start_minute(690);
  b.sessions[0].set_end_minute(780);
  b.sessions[2].set_start_minute(510);
  b.sessions[2].set_end_minute(600);
  auto ok = store_->CommitCohort(b);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->outcome, CommitResult::Outcome::kCreated);
  EXPECT_TRUE(HasTimer("open:b"));

  // Two sessions of one commit on the same instructor at overlapping times.
  CohortCommit self = MakeCommit(
      "c", "p6", {{"2026-10-05", 600, 690, "v1", "i9"}, {"2026-10-05", 660, 750, "v2", "i9"}});
  auto rs = store_->CommitCohort(self);
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->outcome, CommitResult::Outcome::kConflict);
  ASSERT_EQ(rs->conflicts.size(), 1u);
  EXPECT_EQ(rs->conflicts[0].session_id, "c-s1");
  EXPECT_EQ(rs->conflicts[0].booked_session_id, "c-s0");
  EXPECT_EQ(rs->conflicts[0].booked_cohort_id, "");
  EXPECT_EQ(rs->conflicts[0].resource, BookingConflict::Resource::kInstructor);
}

TEST_F(SchedulingStoreTest, UpdateSessionsMovesAndCancelsAtomically) {
  Commit(MakeCommit("a", "p6",
                    {{"2026-09-07", 600, 690, "hall", "i1"},
                     {"2026-09-09", 600, 690, "hall", "i1"},
                     {"2026-09-11", 600, 690, "hall", "i1"}}));
  Commit(MakeCommit("b", "p6", {{"2026-09-08", 600, 690, "studio", "i2"}}));

  auto s0 = *store_->GetSession(kM, "a-s0");
  // Shifting by 30 minutes overlaps only its own old booking: fine.
  SessionsUpdate u;
  u.municipality = kM;
  u.cohort_id = "a";
  v1::Session moved = s0;
  moved.set_start_minute(630);
  moved.set_end_minute(720);
  moved.set_change_reason("later");
  u.sessions = {moved};
  u.events = {Ev("a-s0:rescheduled:1")};
  u.timers = {MakeTimer(StartTimerId("a"), 5000)};
  auto r = store_->UpdateSessions(u);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->outcome, SessionsUpdateResult::Outcome::kUpdated);
  ASSERT_EQ(r->sessions.size(), 1u);
  EXPECT_EQ(r->sessions[0].version(), 2);
  auto stored = *store_->GetSession(kM, "a-s0");
  EXPECT_EQ(stored.version(), 2);
  EXPECT_EQ(stored.start_minute(), 630);
  EXPECT_EQ(stored.change_reason(), "later");
  EXPECT_TRUE(HasTimer("start:a"));

  // Stale version -> ABORTED, nothing written.
  EXPECT_EQ(store_->UpdateSessions(u).status().code(), absl::StatusCode::kAborted);

  // Moving onto b's booking -> conflict, nothing written.
  v1::Session onto_b = stored;
  onto_b.set_day("2026-09-08");
  onto_b.set_venue_id("studio");
  u.sessions = {onto_b};
  u.events = {Ev("a-s0:rescheduled:2")};
  auto c = store_->UpdateSessions(u);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->outcome, SessionsUpdateResult::Outcome::kConflict);
  ASSERT_EQ(c->conflicts.size(), 1u);
  EXPECT_EQ(c->conflicts[0].booked_session_id, "b-s0");
  EXPECT_EQ(store_->GetSession(kM, "a-s0")->day(), "2026-09-07");

  // Move the first session after the last: first/last day follow; the old slot is free again.
  v1::Session later = stored;
  later.set_day("2026-09-14");
  v1::Session cancelled = *store_->GetSession(kM, "a-s2");
  cancelled.set_status(v1::SESSION_STATUS_CANCELLED);
  cancelled.set_change_reason("illness");
  u.sessions = {later, cancelled};
  u.events = {Ev("a-s0:rescheduled:3"), Ev("a-s2:cancelled")};
  u.timers.clear();
  u.cancel_timer_ids = {StartTimerId("a")};
  u.trigger_id = "trigger-1";
  auto ok = store_->UpdateSessions(u);
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->outcome, SessionsUpdateResult::Outcome::kUpdated);
  EXPECT_FALSE(HasTimer("start:a"));
  auto cohort = *store_->GetCohort(kM, "a");
  EXPECT_EQ(cohort.first_day(), "2026-09-09");
  EXPECT_EQ(cohort.last_day(), "2026-09-14");
  EXPECT_EQ(cohort.session_count(), 2);
  EXPECT_EQ(cohort.version(), 3);
  auto s2 = *store_->GetSession(kM, "a-s2");
  EXPECT_EQ(s2.status(), v1::SESSION_STATUS_CANCELLED);
  EXPECT_EQ(s2.change_reason(), "illness");

  // Repeat of the trigger: no-op.
  auto dup = store_->UpdateSessions(u);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->outcome, SessionsUpdateResult::Outcome::kDuplicateTrigger);

  // Both freed slots (moved away, cancelled) can be booked by another cohort.
  auto free_again = store_->CommitCohort(MakeCommit(
      "d", "p6", {{"2026-09-07", 600, 690, "hall", "i1"}, {"2026-09-11", 600, 690, "hall", "i1"}}));
  ASSERT_TRUE(free_again.ok());
  EXPECT_EQ(free_again->outcome, CommitResult::Outcome::kCreated);

  // Bookings and week views.
  auto bookings =
      *store_->LoadBookings(kM, absl::CivilDay(2026, 9, 1), absl::CivilDay(2026, 9, 30));
  std::vector<std::string> ids;
  for (const auto& s : bookings) ids.push_back(s.session_id());
  EXPECT_EQ(ids, (std::vector<std::string>{"d-s0", "b-s0", "a-s1", "d-s1", "a-s0"}));
  SessionQuery q;
  q.municipality = kM;
  q.by = SessionQuery::By::kVenue;
  q.id = "hall";
  q.from = absl::CivilDay(2026, 9, 11);
  q.to = absl::CivilDay(2026, 9, 11);
  EXPECT_EQ(store_->ListSessions(q)->size(), 1u);
  q.include_cancelled = true;
  EXPECT_EQ(store_->ListSessions(q)->size(), 2u);

  // A session of another cohort, a cohort that is over.
  u.trigger_id.clear();
  u.sessions = {*store_->GetSession(kM, "b-s0")};
  EXPECT_EQ(store_->UpdateSessions(u).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OutboxIds(),
            (std::vector<std::string>{"a:planned", "b:planned", "a-s0:rescheduled:1",
                                      "a-s0:rescheduled:3", "a-s2:cancelled", "d:planned"}));
}

TEST_F(SchedulingStoreTest, ListCohortsByFirstDayWithPagesAndFilters) {
  auto Ids = [&](const CohortQuery& q) {
    std::vector<std::string> ids;
    auto page = store_->ListCohorts(q);
    EXPECT_TRUE(page.ok()) << page.status();
    if (page.ok()) {
      for (const auto& c : page->cohorts) ids.push_back(c.cohort_id());
    }
    return ids;
  };
  // first days: c3 < c1 < c4 = c5 < c2
  Commit(MakeCommit("c1", "p6", {{"2026-09-14", 600, 690, "v1", "i1"}}));
  Commit(MakeCommit("c2", "p10", {{"2026-11-02", 600, 690, "v1", "i1"}}));
  Commit(
      MakeCommit("c3", "p6", {{"2026-08-31", 600, 690, "v1", "i1"}}, 10, v1::COHORT_STATUS_OPEN));
  Commit(
      MakeCommit("c4", "p10", {{"2026-10-05", 600, 690, "v1", "i1"}}, 10, v1::COHORT_STATUS_OPEN));
  Commit(MakeCommit("c5", "p6", {{"2026-10-05", 700, 790, "v1", "i1"}}));

  CohortQuery q;
  q.municipality = kM;
  q.page_size = 2;
  std::vector<std::string> seen;
  int pages = 0;
  do {
    auto page = store_->ListCohorts(q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& c : page->cohorts) seen.push_back(c.cohort_id());
    q.page_token = page->next_page_token;
    ++pages;
  } while (!q.page_token.empty() && pages < 10);
  EXPECT_EQ(seen, (std::vector<std::string>{"c3", "c1", "c4", "c5", "c2"}));
  EXPECT_EQ(pages, 3);

  q = CohortQuery{};
  q.municipality = kM;
  q.descending = true;
  seen = Ids(q);
  EXPECT_EQ(seen, (std::vector<std::string>{"c2", "c5", "c4", "c1", "c3"}));
  q.page_size = 2;
  auto first = *store_->ListCohorts(q);
  q.page_token = first.next_page_token;
  auto second = *store_->ListCohorts(q);
  ASSERT_EQ(second.cohorts.size(), 2u);
  EXPECT_EQ(second.cohorts[0].cohort_id(), "c4");
  EXPECT_EQ(second.cohorts[1].cohort_id(), "c1");

  q = CohortQuery{};
  q.municipality = kM;
  q.program_id = "p6";
  seen = Ids(q);
  EXPECT_EQ(seen, (std::vector<std::string>{"c3", "c1", "c5"}));
  q.status = v1::COHORT_STATUS_OPEN;
  seen = Ids(q);
  EXPECT_EQ(seen, (std::vector<std::string>{"c3"}));
  q.program_id.clear();
  seen = Ids(q);
  EXPECT_EQ(seen, (std::vector<std::string>{"c3", "c4"}));
  q.page_token = "garbage";
  EXPECT_EQ(store_->ListCohorts(q).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SchedulingStoreTest, TransitionsAreCheckedAndIdempotent) {
  Commit(MakeCommit("c1", "p6", {{"2026-09-07", 600, 690, "v1", "i1"}}));
  CohortTransition t;
  t.municipality = kM;
  t.cohort_id = "c1";
  t.to = v1::COHORT_STATUS_RUNNING;
  t.allowed_from = {v1::COHORT_STATUS_OPEN};
  EXPECT_EQ(store_->TransitionCohort(t).status().code(), absl::StatusCode::kFailedPrecondition);

  t.to = v1::COHORT_STATUS_OPEN;
  t.allowed_from = {v1::COHORT_STATUS_PLANNED};
  t.expected_version = 7;
  EXPECT_EQ(store_->TransitionCohort(t).status().code(), absl::StatusCode::kAborted);
  t.expected_version = 1;
  t.events = {Ev("c1:opened")};
  t.timers = {MakeTimer(StartTimerId("c1"), 9000)};
  t.cancel_timer_ids = {OpenTimerId("c1")};
  t.trigger_id = "timer-open-c1";
  auto r = store_->TransitionCohort(t);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, TransitionResult::Outcome::kChanged);
  EXPECT_EQ(r->cohort.status(), v1::COHORT_STATUS_OPEN);
  EXPECT_EQ(r->cohort.version(), 2);
  EXPECT_TRUE(HasTimer("start:c1"));

  auto dup = store_->TransitionCohort(t);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->outcome, TransitionResult::Outcome::kDuplicateTrigger);
  t.trigger_id.clear();
  t.expected_version = 0;
  t.events = {Ev("c1:opened-again")};
  auto same = store_->TransitionCohort(t);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->outcome, TransitionResult::Outcome::kAlreadyThere);
  EXPECT_EQ(same->cohort.version(), 2);

  t.to = v1::COHORT_STATUS_RUNNING;
  t.allowed_from = {v1::COHORT_STATUS_OPEN};
  t.events = {Ev("c1:started")};
  t.timers.clear();
  t.cancel_timer_ids = {StartTimerId("c1")};
  ASSERT_EQ(store_->TransitionCohort(t)->cohort.status(), v1::COHORT_STATUS_RUNNING);
  EXPECT_FALSE(HasTimer("start:c1"));
  t.to = v1::COHORT_STATUS_COMPLETED;
  t.allowed_from = {v1::COHORT_STATUS_RUNNING};
  t.events = {Ev("c1:completed")};
  ASSERT_EQ(store_->TransitionCohort(t)->cohort.status(), v1::COHORT_STATUS_COMPLETED);
  t.to = v1::COHORT_STATUS_CANCELLED;
  EXPECT_EQ(store_->TransitionCohort(t).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OutboxIds(),
            (std::vector<std::string>{"c1:planned", "c1:opened", "c1:started", "c1:completed"}));
  // A completed cohort is not cancelled.
  CohortCancel cancel;
  cancel.municipality = kM;
  cancel.cohort_id = "c1";
  EXPECT_EQ(store_->CancelCohort(cancel).status().code(), absl::StatusCode::kFailedPrecondition);
  t.cohort_id = "missing";
  t.to = v1::COHORT_STATUS_OPEN;
  EXPECT_EQ(store_->TransitionCohort(t).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SchedulingStoreTest, CancelCohortFreesBookingsTimersAndParticipants) {
  CohortCommit c = MakeCommit(
      "c1", "p6", {{"2026-09-07", 600, 690, "v1", "i1"}, {"2026-09-09", 600, 690, "v1", "i1"}}, 2,
      v1::COHORT_STATUS_OPEN);
  c.timers = {MakeTimer(StartTimerId("c1"), 1000), MakeTimer(CompleteTimerId("c1"), 2000)};
  v1::Cohort cohort = Commit(c);
  ASSERT_EQ(PlaceIn("p6", "r1", {cohort})->outcome, EnrollResult::Outcome::kEnrolled);

  CohortCancel cancel;
  cancel.municipality = kM;
  cancel.cohort_id = "c1";
  cancel.reason = "too few";
  cancel.expected_version = 1;
  EXPECT_EQ(store_->CancelCohort(cancel).status().code(), absl::StatusCode::kAborted)
      << "the enrolment changed the version";
  cancel.expected_version = 2;
  cancel.events = {Ev("c1:cancelled")};
  auto r = store_->CancelCohort(cancel);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, TransitionResult::Outcome::kChanged);
  EXPECT_EQ(r->cohort.status(), v1::COHORT_STATUS_CANCELLED);
  EXPECT_EQ(r->cohort.cancel_reason(), "too few");
  EXPECT_EQ(r->cohort.session_count(), 0);
  EXPECT_FALSE(HasTimer("start:c1"));
  EXPECT_FALSE(HasTimer("complete:c1"));
  auto s = *store_->GetSession(kM, "c1-s1");
  EXPECT_EQ(s.status(), v1::SESSION_STATUS_CANCELLED);
  EXPECT_EQ(s.change_reason(), "too few");
  EXPECT_EQ(s.version(), 2);
  EXPECT_TRUE(
      store_->LoadBookings(kM, absl::CivilDay(2026, 9, 1), absl::CivilDay(2026, 9, 30))->empty());
  // The participant stays listed but may be placed again.
  EXPECT_EQ(store_->ListEnrollments(kM, "c1")->size(), 1u);
  EXPECT_FALSE(store_->FindPlacement(kM, "r1")->has_value());
  // The slots are free.
  EXPECT_EQ(
      store_->CommitCohort(MakeCommit("c2", "p6", {{"2026-09-07", 600, 690, "v1", "i1"}}))->outcome,
      CommitResult::Outcome::kCreated);
  // Not open any more: placement goes to the waitlist.
  EXPECT_EQ(PlaceIn("p6", "r1", {})->outcome, EnrollResult::Outcome::kWaitlisted);

  auto again = store_->CancelCohort(cancel);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, TransitionResult::Outcome::kAlreadyThere);
  EXPECT_EQ(OutboxIds(), (std::vector<std::string>{"c1:planned", "r1:enrolled:c1", "c1:cancelled",
                                                   "c2:planned", "r1:waitlisted"}));
}

// ---- Enrolment ----

TEST_F(SchedulingStoreTest, ExplicitEnrollChecksStatusAndSeats) {
  v1::Cohort c1 = Commit(MakeCommit("c1", "p6", {{"2026-09-07", 600, 690, "v1", "i1"}}, 2));
  auto enroll = [&](const std::string& ref, const std::string& cohort = "c1",
                    const std::string& trigger = "") {
    EnrollInCohort e;
    e.municipality = kM;
    e.cohort_id = cohort;
    e.referral_id = ref;
    e.citizen_id = absl::StrCat("cit-", ref);
    e.enrolled_event = Ev(absl::StrCat(ref, ":enrolled:", cohort));
    e.trigger_id = trigger;
    return store_->Enroll(e);
  };
  auto r1 = enroll("r1", "c1", "accepted-r1");
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(r1->outcome, EnrollResult::Outcome::kEnrolled) << "PLANNED takes explicit enrolments";
  ASSERT_TRUE(r1->enrollment.has_value());
  EXPECT_EQ(r1->enrollment->cohort_id(), "c1");
  EXPECT_EQ(r1->enrollment->citizen_id(), "cit-r1");
  EXPECT_GT(r1->enrollment->enrolled_at().seconds(), 0);
  EXPECT_EQ(enroll("r1")->outcome, EnrollResult::Outcome::kAlreadyEnrolled);
  auto dup = enroll("r1", "c1", "accepted-r1");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->outcome, EnrollResult::Outcome::kDuplicateTrigger);
  ASSERT_TRUE(dup->enrollment.has_value());

  // r3 waits on the waitlist, then a coordinator enrols it explicitly.
  ASSERT_EQ(PlaceIn("p6", "r3", {})->outcome, EnrollResult::Outcome::kWaitlisted);
  EXPECT_EQ(enroll("r3")->outcome, EnrollResult::Outcome::kEnrolled);
  EXPECT_TRUE(store_->GetWaitlist(kM, "p6")->empty());
  EXPECT_EQ(enroll("r4").status().code(), absl::StatusCode::kFailedPrecondition) << "full";
  EXPECT_EQ(enroll("r4", "nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetCohort(kM, "c1")->enrolled_count(), 2);

  // Enrolled in c1 of p6: enrolling it in another p6 cohort returns the existing enrolment.
  Commit(MakeCommit("c2", "p6", {{"2026-09-08", 600, 690, "v1", "i1"}}, 2));
  auto other = enroll("r1", "c2");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->outcome, EnrollResult::Outcome::kAlreadyEnrolled);
  EXPECT_EQ(other->enrollment->cohort_id(), "c1");

  CohortTransition t;
  t.municipality = kM;
  t.cohort_id = "c2";
  t.to = v1::COHORT_STATUS_OPEN;
  t.allowed_from = {v1::COHORT_STATUS_PLANNED};
  ASSERT_TRUE(store_->TransitionCohort(t).ok());
  t.to = v1::COHORT_STATUS_RUNNING;
  t.allowed_from = {v1::COHORT_STATUS_OPEN};
  ASSERT_TRUE(store_->TransitionCohort(t).ok());
  EXPECT_EQ(enroll("r5", "c2").status().code(), absl::StatusCode::kFailedPrecondition)
      << "a running cohort takes nobody";

  auto list = store_->ListEnrollments(kM, "c1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].referral_id(), "r1");
  EXPECT_EQ((*list)[1].referral_id(), "r3");
  EXPECT_EQ(store_->ListEnrollments(kM, "nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(OutboxIds(), (std::vector<std::string>{"c1:planned", "r1:enrolled:c1", "r3:waitlisted",
                                                   "r3:enrolled:c1", "c2:planned"}));
  (void)c1;
}

TEST_F(SchedulingStoreTest, PlacementTakesTheEarliestOpenCohortThenTheWaitlist) {
  v1::Cohort late = Commit(
      MakeCommit("late", "p6", {{"2026-10-05", 600, 690, "v1", "i1"}}, 1, v1::COHORT_STATUS_OPEN));
  v1::Cohort early = Commit(
      MakeCommit("early", "p6", {{"2026-09-07", 600, 690, "v1", "i1"}}, 1, v1::COHORT_STATUS_OPEN));
  Commit(MakeCommit("planned", "p6", {{"2026-08-03", 600, 690, "v1", "i1"}}, 5));

  // A stale view that misses the cohort with the seat: retry.
  EXPECT_EQ(PlaceIn("p6", "r1", {late}).status().code(), absl::StatusCode::kAborted);
  v1::Cohort stale_day = early;
  stale_day.set_first_day("2026-09-01");
  EXPECT_EQ(PlaceIn("p6", "r1", {stale_day, late}).status().code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(OutboxIds().size() == 3u) << "a retry status writes nothing";

  auto r1 = PlaceIn("p6", "r1", {early, late}, "accepted-r1");
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(r1->outcome, EnrollResult::Outcome::kEnrolled);
  EXPECT_EQ(r1->enrollment->cohort_id(), "early");
  auto r2 = PlaceIn("p6", "r2", {late});
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r2->enrollment->cohort_id(), "late");
  auto r3 = PlaceIn("p6", "r3", {});
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->outcome, EnrollResult::Outcome::kWaitlisted) << "PLANNED is not for placement";
  EXPECT_EQ(r3->waitlisted->position(), 1);
  EXPECT_EQ(r3->waitlisted->citizen_id(), "cit-r3");
  auto r4 = PlaceIn("p6", "r4", {});
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(r4->waitlisted->position(), 2);

  // Idempotent per referral and per trigger.
  auto again = PlaceIn("p6", "r3", {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, EnrollResult::Outcome::kAlreadyWaitlisted);
  EXPECT_EQ(again->waitlisted->position(), 1);
  EXPECT_EQ(PlaceIn("p6", "r1", {})->outcome, EnrollResult::Outcome::kAlreadyEnrolled);
  auto dup = PlaceIn("p6", "r1", {}, "accepted-r1");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->outcome, EnrollResult::Outcome::kDuplicateTrigger);

  auto wl = store_->GetWaitlist(kM, "p6");
  ASSERT_TRUE(wl.ok());
  ASSERT_EQ(wl->size(), 2u);
  EXPECT_EQ((*wl)[0].referral_id(), "r3");
  EXPECT_EQ((*wl)[0].position(), 1);
  EXPECT_EQ((*wl)[1].referral_id(), "r4");
  EXPECT_EQ((*wl)[1].position(), 2);
  EXPECT_LT(Micros((*wl)[0].waitlisted_at()), Micros((*wl)[1].waitlisted_at()));

  auto p3 = store_->FindPlacement(kM, "r3");
  ASSERT_TRUE(p3.ok() && p3->has_value());
  EXPECT_EQ((*p3)->program_id, "p6");
  ASSERT_TRUE((*p3)->waitlisted.has_value());
  EXPECT_EQ((*p3)->waitlisted->position(), 1);
  auto p1 = *store_->FindPlacement(kM, "r1");
  ASSERT_TRUE(p1.has_value() && p1->enrollment.has_value());
  EXPECT_EQ(p1->enrollment->cohort_id(), "early");
  EXPECT_FALSE(store_->FindPlacement(kM, "r99")->has_value());

  // Leaving the waitlist.
  WaitlistLeave leave;
  leave.municipality = kM;
  leave.program_id = "p6";
  leave.referral_id = "r3";
  leave.trigger_id = "withdrawn-r3";
  ASSERT_TRUE(store_->LeaveWaitlist(leave).ok());
  EXPECT_TRUE(store_->LeaveWaitlist(leave).ok()) << "repeat of the trigger";
  leave.trigger_id.clear();
  EXPECT_EQ(store_->LeaveWaitlist(leave).code(), absl::StatusCode::kNotFound);
  wl = store_->GetWaitlist(kM, "p6");
  ASSERT_EQ(wl->size(), 1u);
  EXPECT_EQ((*wl)[0].referral_id(), "r4");
  EXPECT_EQ((*wl)[0].position(), 1);

  EXPECT_EQ(OutboxIds(),
            (std::vector<std::string>{"late:planned", "early:planned", "planned:planned",
                                      "r1:enrolled:early", "r2:enrolled:late", "r3:waitlisted",
                                      "r4:waitlisted"}));
}

TEST_F(SchedulingStoreTest, AReferralIsPlacedInOneProgramAtATime) {
  v1::Cohort a = Commit(
      MakeCommit("a", "pa", {{"2026-09-07", 600, 690, "v1", "i1"}}, 1, v1::COHORT_STATUS_OPEN));
  v1::Cohort open_b = Commit(
      MakeCommit("b", "pb", {{"2026-09-08", 600, 690, "v1", "i1"}}, 5, v1::COHORT_STATUS_OPEN));
  ASSERT_EQ(PlaceIn("pa", "r0", {a})->outcome, EnrollResult::Outcome::kEnrolled);  // pa is full now
  auto waiting = PlaceIn("pa", "r1", {});
  ASSERT_TRUE(waiting.ok()) << waiting.status();
  ASSERT_EQ(waiting->outcome, EnrollResult::Outcome::kWaitlisted);
  const size_t events = OutboxIds().size();

  // Waitlisted for program pa: neither placement nor an explicit enrolment puts it in pb too,
  // where a later seat in pa would then enrol it a second time.
  auto placed = PlaceIn("pb", "r1", {open_b});
  EXPECT_EQ(placed.status().code(), absl::StatusCode::kFailedPrecondition) << placed.status();
  EnrollInCohort explicit_b;
  explicit_b.municipality = kM;
  explicit_b.cohort_id = "b";
  explicit_b.referral_id = "r1";
  explicit_b.citizen_id = "cit-r1";
  explicit_b.enrolled_event = Ev("r1:enrolled:b");
  EXPECT_EQ(store_->Enroll(explicit_b).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(OutboxIds().size(), events);
  auto enrolled_b = store_->ListEnrollments(kM, "b");
  ASSERT_TRUE(enrolled_b.ok());
  EXPECT_TRUE(enrolled_b->empty());
}

TEST_F(SchedulingStoreTest, UnenrollGivesTheSeatToTheWaitlistHead) {
  v1::Cohort c = Commit(
      MakeCommit("c1", "p6", {{"2026-09-07", 600, 690, "v1", "i1"}}, 1, v1::COHORT_STATUS_OPEN));
  ASSERT_EQ(PlaceIn("p6", "r1", {c})->outcome, EnrollResult::Outcome::kEnrolled);
  ASSERT_EQ(PlaceIn("p6", "r2", {c})->outcome, EnrollResult::Outcome::kWaitlisted);
  ASSERT_EQ(PlaceIn("p6", "r3", {c})->outcome, EnrollResult::Outcome::kWaitlisted);
  size_t events_before = OutboxIds().size();

  Unenrolment u;
  u.municipality = kM;
  u.cohort_id = "c1";
  u.referral_id = "r1";
  u.events = {Ev("r1:unenrolled")};
  // Stale views of the head: none, or the wrong one.
  EXPECT_EQ(store_->Unenroll(u).status().code(), absl::StatusCode::kAborted);
  u.waitlist_head = Seat("r3", "c1");
  EXPECT_EQ(store_->Unenroll(u).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(OutboxIds().size(), events_before);

  u.waitlist_head = Seat("r2", "c1");
  u.trigger_id = "withdrawn-r1";
  auto r = store_->Unenroll(u);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, UnenrollResult::Outcome::kUnenrolled);
  ASSERT_TRUE(r->seat_given_to.has_value());
  EXPECT_EQ(r->seat_given_to->referral_id(), "r2");
  EXPECT_EQ(r->seat_given_to->cohort_id(), "c1");
  auto dup = store_->Unenroll(u);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->outcome, UnenrollResult::Outcome::kDuplicateTrigger);
  u.trigger_id.clear();
  EXPECT_EQ(store_->Unenroll(u).status().code(), absl::StatusCode::kNotFound);

  auto enrolled = *store_->ListEnrollments(kM, "c1");
  ASSERT_EQ(enrolled.size(), 1u);
  EXPECT_EQ(enrolled[0].referral_id(), "r2");
  auto wl = *store_->GetWaitlist(kM, "p6");
  ASSERT_EQ(wl.size(), 1u);
  EXPECT_EQ(wl[0].referral_id(), "r3");
  EXPECT_FALSE(store_->FindPlacement(kM, "r1")->has_value());
  EXPECT_EQ((*store_->FindPlacement(kM, "r2"))->enrollment->cohort_id(), "c1");

  // Once running, a freed seat stays free and the head is ignored.
  CohortTransition t;
  t.municipality = kM;
  t.cohort_id = "c1";
  t.to = v1::COHORT_STATUS_RUNNING;
  t.allowed_from = {v1::COHORT_STATUS_OPEN};
  ASSERT_TRUE(store_->TransitionCohort(t).ok());
  u.referral_id = "r2";
  u.events = {Ev("r2:unenrolled")};
  u.waitlist_head = Seat("r3", "c1");
  auto running = store_->Unenroll(u);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_FALSE(running->seat_given_to.has_value());
  EXPECT_EQ(store_->GetWaitlist(kM, "p6")->size(), 1u);

  std::vector<std::string> ids = OutboxIds();
  EXPECT_EQ(std::vector<std::string>(ids.begin() + events_before, ids.end()),
            (std::vector<std::string>{"r1:unenrolled", "r2:enrolled:c1:wl", "r2:unenrolled"}));
}

TEST_F(SchedulingStoreTest, OpeningFillsSeatsFromTheWaitlistInOrder) {
  Commit(MakeCommit("c1", "p6", {{"2026-09-07", 600, 690, "v1", "i1"}}, 2));
  for (const char* r : {"w1", "w2", "w3"}) {
    ASSERT_EQ(PlaceIn("p6", r, {})->outcome, EnrollResult::Outcome::kWaitlisted);
  }
  CohortTransition t;
  t.municipality = kM;
  t.cohort_id = "c1";
  t.to = v1::COHORT_STATUS_OPEN;
  t.allowed_from = {v1::COHORT_STATUS_PLANNED};
  t.events = {Ev("c1:opened")};
  EXPECT_EQ(store_->TransitionCohort(t).status().code(), absl::StatusCode::kAborted)
      << "opening must fill from the waitlist";
  t.fill_from_waitlist = {Seat("w2", "c1"), Seat("w1", "c1")};
  EXPECT_EQ(store_->TransitionCohort(t).status().code(), absl::StatusCode::kAborted);
  t.fill_from_waitlist = {Seat("w1", "c1"), Seat("w2", "c1"), Seat("w3", "c1")};
  auto r = store_->TransitionCohort(t);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->filled.size(), 2u);
  EXPECT_EQ(r->filled[0].referral_id(), "w1");
  EXPECT_EQ(r->filled[1].referral_id(), "w2");
  EXPECT_EQ(r->cohort.enrolled_count(), 2);
  auto wl = *store_->GetWaitlist(kM, "p6");
  ASSERT_EQ(wl.size(), 1u);
  EXPECT_EQ(wl[0].referral_id(), "w3");

  // A cohort created OPEN takes the waitlist heads in the same step.
  CohortCommit open =
      MakeCommit("c2", "p6", {{"2026-09-08", 600, 690, "v1", "i1"}}, 3, v1::COHORT_STATUS_OPEN);
  auto refused = store_->CommitCohort(open);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->GetCohort(kM, "c2").status().code(), absl::StatusCode::kNotFound);
  open.fill_from_waitlist = {Seat("w3", "c2")};
  auto created = store_->CommitCohort(open);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_EQ(created->filled.size(), 1u);
  EXPECT_EQ(created->filled[0].referral_id(), "w3");
  EXPECT_EQ(created->cohort.enrolled_count(), 1);
  EXPECT_EQ(created->cohort.version(), 2);
  EXPECT_TRUE(store_->GetWaitlist(kM, "p6")->empty());
  v1::Cohort c2 = created->cohort;
  ASSERT_EQ(PlaceIn("p6", "w4", {c2})->outcome, EnrollResult::Outcome::kEnrolled);
  ASSERT_EQ(PlaceIn("p6", "w5", {c2})->outcome, EnrollResult::Outcome::kEnrolled);
  ASSERT_EQ(PlaceIn("p6", "w6", {c2})->outcome, EnrollResult::Outcome::kWaitlisted);

  // FillFromWaitlist on its own, here into a PLANNED cohort.
  Commit(MakeCommit("c3", "p6", {{"2026-09-09", 600, 690, "v1", "i1"}}, 2));
  WaitlistFill f;
  f.municipality = kM;
  f.cohort_id = "c3";
  EXPECT_EQ(store_->FillFromWaitlist(f).status().code(), absl::StatusCode::kAborted);
  f.heads = {Seat("w6", "c3")};
  f.trigger_id = "fill-c3";
  auto filled = store_->FillFromWaitlist(f);
  ASSERT_TRUE(filled.ok()) << filled.status();
  ASSERT_EQ(filled->size(), 1u);
  EXPECT_EQ((*filled)[0].referral_id(), "w6");
  EXPECT_TRUE(store_->FillFromWaitlist(f)->empty()) << "repeat of the trigger";
  EXPECT_TRUE(store_->GetWaitlist(kM, "p6")->empty());
  EXPECT_EQ(store_->GetCohort(kM, "c3")->enrolled_count(), 1);
  std::vector<std::string> ids = OutboxIds();
  EXPECT_EQ(
      std::vector<std::string>(ids.begin() + 4, ids.end()),
      (std::vector<std::string>{"c1:opened", "w1:enrolled:c1:wl", "w2:enrolled:c1:wl", "c2:planned",
                                "w3:enrolled:c2:wl", "w4:enrolled:c2", "w5:enrolled:c2",
                                "w6:waitlisted", "c3:planned", "w6:enrolled:c3:wl"}));
}

TEST_F(SchedulingStoreTest, ScriptsSurviveAScriptCacheFlush) {
  Commit(MakeCommit("c1", "p6", {{"2026-09-07", 600, 690, "v1", "i1"}}));
  ASSERT_TRUE(pool_->Command({"SCRIPT", "FLUSH"}).ok());
  EXPECT_TRUE(store_->GetCohort(kM, "c1").ok());
  EXPECT_EQ(
      store_->CommitCohort(MakeCommit("c2", "p6", {{"2026-09-07", 600, 690, "v1", "i2"}}))->outcome,
      CommitResult::Outcome::kConflict);
}

}  // namespace
}  // namespace kpr::scheduling
