// SchedulingStore against a real Redis when what a call read before its script changes before
// the script runs. The scripts declare every key they touch, so the store first reads which
// keys those are (a program's OPEN cohorts, where a cohort's sessions are booked, the cohort a
// referral is enrolled in); a test hook changes them in between, and the call must still end
// as if it had run alone, after it.

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/store/retry_on_conflict.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_store_script_io.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::scheduling {
namespace {

constexpr char kM[] = "0165";

OutboxEvent Ev(const std::string& id) {
  return OutboxEvent{id, absl::StrCat("kpr.scheduling.v1.test.", kM), absl::StrCat("data:", id)};
}

class SchedulingRereadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    pool_ = kpr::testing::HarnessRedisPool();
    store_ = std::make_unique<SchedulingStore>(*pool_);
  }
  void TearDown() override { script_io::SetBetweenReadAndWriteForTesting(nullptr); }

  // Runs `change` once, between the reads and the script of the next store call; counts every
  // attempt of every call (the change's own calls too).
  void ChangeInBetween(std::function<void()> change) {
    script_io::SetBetweenReadAndWriteForTesting([this, change] {
      ++attempts_;
      if (changed_) return;
      changed_ = true;
      change();
    });
  }

  v1::Cohort Commit(const std::string& id, const std::string& program,
                    std::vector<std::tuple<std::string, std::string, std::string>> slots,
                    v1::CohortStatus status, int capacity = 5) {
    CohortCommit c;
    c.cohort.set_municipality(kM);
    c.cohort.set_cohort_id(id);
    c.cohort.set_program_id(program);
    c.cohort.set_status(status);
    c.cohort.set_capacity(capacity);
    c.request_id = absl::StrCat("req-", id);
    for (size_t i = 0; i < slots.size(); ++i) {
      v1::Session s;
      s.set_session_id(absl::StrCat(id, "-s", i));
      s.set_index(static_cast<int>(i));
      s.set_day(std::get<0>(slots[i]));
      s.set_start_minute(600);
      s.set_end_minute(690);
      s.set_institution_id("inst");
      s.set_venue_id(std::get<1>(slots[i]));
      s.set_instructor_id(std::get<2>(slots[i]));
      s.set_status(v1::SESSION_STATUS_SCHEDULED);
      c.sessions.push_back(s);
    }
    c.events = {Ev(absl::StrCat(id, ":planned"))};
    auto r = store_->CommitCohort(c);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(!r.ok() || r->outcome == CommitResult::Outcome::kCreated);
    return r.ok() ? r->cohort : v1::Cohort();
  }

  std::vector<std::string> OutboxIds() {
    auto entries = store_->outbox().Read(kM, 1000);
    EXPECT_TRUE(entries.ok());
    std::vector<std::string> ids;
    for (const auto& e : *entries) ids.push_back(e.event_id);
    return ids;
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<SchedulingStore> store_;
  int attempts_ = 0;
  bool changed_ = false;
};

TEST_F(SchedulingRereadTest, PlacementSeesACohortOpenedAfterItReadTheOpenCohorts) {
  v1::Cohort late = Commit("late", "p6", {{"2026-10-05", "v1", "i1"}}, v1::COHORT_STATUS_OPEN);
  v1::Cohort early = Commit("early", "p6", {{"2026-09-07", "v1", "i1"}}, v1::COHORT_STATUS_PLANNED);
  ChangeInBetween([&] {
    CohortTransition t;
    t.municipality = kM;
    t.cohort_id = "early";
    t.to = v1::COHORT_STATUS_OPEN;
    t.allowed_from = {v1::COHORT_STATUS_PLANNED};
    t.events = {Ev("early:opened")};
    auto r = store_->TransitionCohort(t);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->outcome, TransitionResult::Outcome::kChanged);
  });
  Placement p;
  p.municipality = kM;
  p.program_id = "p6";
  p.referral_id = "r1";
  p.citizen_id = "cit-r1";
  p.candidates = {{"early", early.first_day(), Ev("r1:enrolled:early")},
                  {"late", late.first_day(), Ev("r1:enrolled:late")}};
  p.waitlisted_event = Ev("r1:waitlisted");
  auto r = store_->Place(p);
  ASSERT_TRUE(r.ok()) << r.status();
  // The earliest OPEN cohort, which opened after the placement read the OPEN cohorts.
  EXPECT_EQ(r->outcome, EnrollResult::Outcome::kEnrolled);
  EXPECT_EQ(r->enrollment->cohort_id(), "early");
  EXPECT_EQ(attempts_, 3) << "the placement, the opening, the placement again";
  EXPECT_EQ(store_->GetCohort(kM, "early")->enrolled_count(), 1);
  EXPECT_EQ(store_->GetCohort(kM, "late")->enrolled_count(), 0);
  EXPECT_EQ(OutboxIds(), (std::vector<std::string>{"late:planned", "early:planned", "early:opened",
                                                   "r1:enrolled:early"}));
}

TEST_F(SchedulingRereadTest, CancelFreesTheBookingOfASessionMovedAfterItWasRead) {
  Commit("c1", "p6", {{"2026-09-07", "v1", "i1"}, {"2026-09-09", "v1", "i1"}},
         v1::COHORT_STATUS_OPEN);
  ChangeInBetween([&] {
    v1::Session s = *store_->GetSession(kM, "c1-s0");
    s.set_day("2026-09-08");
    s.set_venue_id("v2");
    SessionsUpdate u;
    u.municipality = kM;
    u.cohort_id = "c1";
    u.sessions = {s};
    u.events = {Ev("c1-s0:moved")};
    auto r = store_->UpdateSessions(u);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->outcome, SessionsUpdateResult::Outcome::kUpdated);
  });
  CohortCancel cancel;
  cancel.municipality = kM;
  cancel.cohort_id = "c1";
  cancel.reason = "too few";
  cancel.events = {Ev("c1:cancelled")};
  auto r = store_->CancelCohort(cancel);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, TransitionResult::Outcome::kChanged);
  EXPECT_EQ(attempts_, 3) << "the cancel, the move, the cancel again";
  auto moved = *store_->GetSession(kM, "c1-s0");
  EXPECT_EQ(moved.venue_id(), "v2");
  EXPECT_EQ(moved.status(), v1::SESSION_STATUS_CANCELLED);
  EXPECT_EQ(moved.version(), 3);
  // The booking the session held after it moved is free: another cohort may take it.
  script_io::SetBetweenReadAndWriteForTesting(nullptr);
  Commit("c2", "p6", {{"2026-09-08", "v2", "i1"}, {"2026-09-09", "v1", "i1"}},
         v1::COHORT_STATUS_PLANNED);
  EXPECT_EQ(OutboxIds(),
            (std::vector<std::string>{"c1:planned", "c1-s0:moved", "c1:cancelled", "c2:planned"}));
}

TEST_F(SchedulingRereadTest, EnrolSeesAnEnrolmentMadeAfterItRead) {
  Commit("c1", "p6", {{"2026-09-07", "v1", "i1"}}, v1::COHORT_STATUS_OPEN);
  Commit("c2", "p6", {{"2026-09-14", "v1", "i1"}}, v1::COHORT_STATUS_OPEN);
  auto enrol = [&](const std::string& cohort) {
    EnrollInCohort e;
    e.municipality = kM;
    e.cohort_id = cohort;
    e.referral_id = "r1";
    e.citizen_id = "cit-r1";
    e.enrolled_event = Ev(absl::StrCat("r1:enrolled:", cohort));
    return store_->Enroll(e);
  };
  ChangeInBetween([&] {
    auto r = enrol("c2");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->outcome, EnrollResult::Outcome::kEnrolled);
  });
  auto r = enrol("c1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, EnrollResult::Outcome::kAlreadyEnrolled);
  ASSERT_TRUE(r->enrollment.has_value());
  EXPECT_EQ(r->enrollment->cohort_id(), "c2");
  EXPECT_EQ(r->enrollment->citizen_id(), "cit-r1");
  EXPECT_EQ(store_->GetCohort(kM, "c1")->enrolled_count(), 0);
  EXPECT_EQ(OutboxIds(), (std::vector<std::string>{"c1:planned", "c2:planned", "r1:enrolled:c2"}));
}

TEST_F(SchedulingRereadTest, AChangeThatNeverStopsEndsInAborted) {
  Commit("c1", "p6", {{"2026-09-07", "v1", "i1"}}, v1::COHORT_STATUS_OPEN);
  Commit("c2", "p6", {{"2026-09-14", "v1", "i1"}}, v1::COHORT_STATUS_OPEN);
  // Every attempt finds the OPEN cohorts changed since it read them.
  int flips = 0;
  script_io::SetBetweenReadAndWriteForTesting([&] {
    ++flips;
    ASSERT_TRUE(pool_
                    ->Command({"ZADD", absl::StrCat("kpr:{", kM, "}:scheduling:open:p6"), "1",
                               absl::StrCat("ghost-", flips)})
                    .ok());
  });
  Placement p;
  p.municipality = kM;
  p.program_id = "p6";
  p.referral_id = "r1";
  p.waitlisted_event = Ev("r1:waitlisted");
  auto r = store_->Place(p);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();
  EXPECT_EQ(flips, store::kMaxConflictAttempts);
  EXPECT_EQ(OutboxIds(), (std::vector<std::string>{"c1:planned", "c2:planned"}));
}

}  // namespace
}  // namespace kpr::scheduling
