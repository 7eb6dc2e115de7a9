// SchedulingStore under concurrency against a real Redis: cohorts committed in parallel for the
// same venues, instructors and days never double-book (checked independently from the stored
// sessions), refused commits leave nothing behind, and parallel enrolments respect capacity and
// first-come-first-served on the waitlist.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <latch>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/scheduling_store.h"
#include "tests/harness/servers.h"

namespace kpr::scheduling {
namespace {

constexpr char kM[] = "0165";
using Clock = std::chrono::steady_clock;

OutboxEvent Ev(const std::string& id) {
  return OutboxEvent{id, absl::StrCat("kpr.scheduling.v1.test.", kM), absl::StrCat("data:", id)};
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

class SchedulingConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    store::RedisOptions options;
    options.port = testing::Servers::Redis().port();
    options.pool_size = 24;
    pool_ = std::make_unique<store::RedisPool>(options);
    store_ = std::make_unique<SchedulingStore>(*pool_);
  }

  std::vector<std::string> OutboxIds() {
    auto entries = store_->outbox().Read(kM, 100000);
    EXPECT_TRUE(entries.ok());
    std::vector<std::string> ids;
    if (entries.ok()) {
      for (const auto& e : *entries) ids.push_back(e.event_id);
    }
    return ids;
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<SchedulingStore> store_;
};

struct Attempt {
  std::string cohort_id;
  std::vector<std::string> session_ids;
  bool committed = false;
};

TEST_F(SchedulingConcurrencyTest, CompetingCommitsNeverDoubleBook) {
  constexpr int kThreads = 20;
  constexpr int kMaxAttempts = 40;
  const std::vector<std::string> days = {"2026-09-07", "2026-09-08", "2026-09-09", "2026-09-10",
                                         "2026-09-11", "2026-09-14", "2026-09-15", "2026-09-16",
                                         "2026-09-17", "2026-09-18"};
  const std::vector<int> starts = {540, 570, 600, 630, 660, 690, 720};
  const std::vector<std::string> venues = {"hall", "studio", "garden"};
  const std::vector<std::string> instructors = {"i0", "i1", "i2", "i3"};

  std::vector<std::vector<Attempt>> attempts(kThreads);
  std::vector<absl::Status> errors(kThreads);
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1000 + t);
      go.arrive_and_wait();
      for (int a = 0; a < kMaxAttempts; ++a) {
        CohortCommit c;
        std::string id = absl::StrCat("t", t, "-a", a);
        c.cohort.set_municipality(kM);
        c.cohort.set_cohort_id(id);
        c.cohort.set_program_id("p6");
        c.cohort.set_status(v1::COHORT_STATUS_PLANNED);
        c.cohort.set_capacity(10);
        c.request_id = absl::StrCat("req-t", t);  // one request per thread, re-planned
        c.events = {Ev(absl::StrCat(id, ":planned"))};
        c.timers = {timer::Timer{kM, OpenTimerId(id), absl::FromUnixMillis(1000), ""}};
        // Three distinct days (at most one session a day per cohort).
        std::vector<std::string> shuffled = days;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        if (a == 0) {
          // Every thread's first attempt wants the same slot: at most one can have it.
          shuffled.erase(std::find(shuffled.begin(), shuffled.end(), days[0]));
          shuffled.insert(shuffled.begin(), days[0]);
        }
        // After a refusal, re-plan like the service does: against the bookings as read now
        // (which other threads may change before the commit runs).
        std::vector<v1::Session> booked;
        if (a > 0) {
          auto b =
              store_->LoadBookings(kM, absl::CivilDay(2026, 9, 1), absl::CivilDay(2026, 9, 30));
          if (!b.ok()) {
            errors[t] = b.status();
            return;
          }
          booked = *std::move(b);
        }
        auto is_free = [&](const v1::Session& s) {
          for (const auto& o : booked) {
            if (o.day() == s.day() && o.start_minute() < s.end_minute() &&
                s.start_minute() < o.end_minute() &&
                (o.venue_id() == s.venue_id() || o.instructor_id() == s.instructor_id())) {
              return false;
            }
          }
          return true;
        };
        // Every (start, venue, instructor), in a random order.
        std::vector<std::tuple<int, std::string, std::string>> combos;
        for (int st : starts) {
          for (const auto& v : venues) {
            for (const auto& in : instructors) combos.emplace_back(st, v, in);
          }
        }
        std::shuffle(combos.begin(), combos.end(), rng);
        Attempt attempt{id, {}, false};
        size_t next_day = 0;
        for (int i = 0; i < 3; ++i) {
          v1::Session s;
          s.set_session_id(absl::StrCat(id, "-s", i));
          s.set_index(i);
          s.set_institution_id("inst");
          s.set_status(v1::SESSION_STATUS_SCHEDULED);
          bool found = false;
          // The first day (from next_day on) with a free combination; else anything.
          for (; next_day < shuffled.size() && !found; ++next_day) {
            s.set_day(shuffled[next_day]);
            for (const auto& [st, v, in] : combos) {
              s.set_start_minute(st);
              s.set_end_minute(st + 90);
              s.set_venue_id(v);
              s.set_instructor_id(in);
              if (is_free(s)) {
                found = true;
                break;
              }
            }
          }
          if (a == 0 && i == 0) {
            s.set_start_minute(600);
            s.set_end_minute(690);
            s.set_venue_id("hall");
            s.set_instructor_id("i0");
          }
          attempt.session_ids.push_back(s.session_id());
          c.sessions.push_back(s);
        }
        auto r = store_->CommitCohort(c);
        if (!r.ok()) {
          errors[t] = r.status();
          return;
        }
        if (r->outcome == CommitResult::Outcome::kConflict) {
          EXPECT_FALSE(r->conflicts.empty());
          attempts[t].push_back(std::move(attempt));
          continue;
        }
        EXPECT_EQ(r->outcome, CommitResult::Outcome::kCreated);
        attempt.committed = true;
        attempts[t].push_back(std::move(attempt));
        return;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) ASSERT_TRUE(e.ok()) << e;

  std::set<std::string> committed, refused;
  for (const auto& list : attempts) {
    for (const auto& a : list) (a.committed ? committed : refused).insert(a.cohort_id);
  }
  std::printf("commits: %zu cohorts booked, %zu attempts refused\n", committed.size(),
              refused.size());
  EXPECT_EQ(committed.size(), static_cast<size_t>(kThreads)) << "re-planning finds room";
  EXPECT_GE(refused.size(), 19u) << "the shared first slot refuses all but one first attempt";

  // Independent check: every stored session, found by its key, pairwise.
  auto keys = pool_->Command({"KEYS", absl::StrCat("kpr:{", kM, "}:scheduling:s:*")});
  ASSERT_TRUE(keys.ok());
  std::vector<v1::Session> sessions;
  for (size_t i = 0; i < keys->size(); ++i) {
    std::string key = keys->element(i).string();
    std::string sid = key.substr(key.rfind(":s:") + 3);
    auto s = store_->GetSession(kM, sid);
    ASSERT_TRUE(s.ok()) << s.status();
    sessions.push_back(*s);
  }
  EXPECT_EQ(sessions.size(), committed.size() * 3);
  for (size_t i = 0; i < sessions.size(); ++i) {
    const auto& a = sessions[i];
    EXPECT_EQ(a.status(), v1::SESSION_STATUS_SCHEDULED);
    EXPECT_TRUE(committed.count(a.cohort_id())) << a.session_id();
    for (size_t j = i + 1; j < sessions.size(); ++j) {
      const auto& b = sessions[j];
      if (a.day() != b.day()) continue;
      bool overlap = a.start_minute() < b.end_minute() && b.start_minute() < a.end_minute();
      if (!overlap) continue;
      EXPECT_NE(a.venue_id(), b.venue_id())
          << "venue double-booked: " << a.session_id() << " " << b.session_id();
      EXPECT_NE(a.instructor_id(), b.instructor_id())
          << "instructor double-booked: " << a.session_id() << " " << b.session_id();
    }
  }
  auto bookings = store_->LoadBookings(kM, absl::CivilDay(2026, 9, 1), absl::CivilDay(2026, 9, 30));
  ASSERT_TRUE(bookings.ok());
  EXPECT_EQ(bookings->size(), sessions.size());

  // Committed cohorts are whole; refused attempts left nothing behind.
  timer::TimerStore timers(*pool_, kSchedulingService);
  for (const auto& list : attempts) {
    for (const auto& a : list) {
      auto cohort = store_->GetCohort(kM, a.cohort_id);
      auto timer = timers.Get(kM, OpenTimerId(a.cohort_id));
      ASSERT_TRUE(timer.ok());
      if (a.committed) {
        ASSERT_TRUE(cohort.ok()) << a.cohort_id;
        EXPECT_EQ(cohort->session_count(), 3);
        EXPECT_TRUE(timer->has_value());
      } else {
        EXPECT_EQ(cohort.status().code(), absl::StatusCode::kNotFound) << a.cohort_id;
        EXPECT_FALSE(timer->has_value()) << a.cohort_id;
        for (const auto& sid : a.session_ids) {
          EXPECT_EQ(store_->GetSession(kM, sid).status().code(), absl::StatusCode::kNotFound);
        }
      }
    }
  }
  std::vector<std::string> events = OutboxIds();
  std::multiset<std::string> expected;
  for (const auto& c : committed) expected.insert(absl::StrCat(c, ":planned"));
  EXPECT_EQ(std::multiset<std::string>(events.begin(), events.end()), expected)
      << "one event per committed cohort, none for a refused one";
}

TEST_F(SchedulingConcurrencyTest, FiftyPlacementsIntoFifteenSeats) {
  constexpr int kThreads = 50;
  CohortCommit c;
  c.cohort.set_municipality(kM);
  c.cohort.set_cohort_id("c15");
  c.cohort.set_program_id("p6");
  c.cohort.set_status(v1::COHORT_STATUS_OPEN);
  c.cohort.set_capacity(15);
  c.request_id = "req-c15";
  v1::Session s;
  s.set_session_id("c15-s0");
  s.set_day("2026-09-07");
  s.set_start_minute(600);
  s.set_end_minute(690);
  s.set_institution_id("inst");
  s.set_venue_id("hall");
  s.set_instructor_id("i0");
  s.set_status(v1::SESSION_STATUS_SCHEDULED);
  c.sessions = {s};
  auto committed = store_->CommitCohort(c);
  ASSERT_TRUE(committed.ok()) << committed.status();
  const v1::Cohort cohort = committed->cohort;
  ASSERT_EQ(cohort.first_day(), "2026-09-07");

  struct Outcome {
    EnrollResult result;
    Clock::time_point start, end;
    absl::Status status;
  };
  constexpr int kLate = 10;
  std::vector<Outcome> out(kThreads);
  std::latch go(kThreads);
  std::latch first_wave_done(kThreads - kLate);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string ref = absl::StrCat("r", t);
      Placement p;
      p.municipality = kM;
      p.program_id = "p6";
      p.referral_id = ref;
      p.citizen_id = absl::StrCat("cit-", t);
      p.candidates = {PlacementCandidate{cohort.cohort_id(), cohort.first_day(),
                                         Ev(absl::StrCat(ref, ":enrolled"))}};
      p.waitlisted_event = Ev(absl::StrCat(ref, ":waitlisted"));
      p.trigger_id = absl::StrCat("accepted-", ref);
      go.arrive_and_wait();
      // The last kLate threads start together once the others have all returned, so that calls
      // ordered in real time exist whatever the machine's speed.
      if (t >= kThreads - kLate) first_wave_done.wait();
      out[t].start = Clock::now();
      auto r = store_->Place(p);
      out[t].end = Clock::now();
      if (t < kThreads - kLate) first_wave_done.count_down();
      if (!r.ok()) {
        out[t].status = r.status();
        return;
      }
      out[t].result = *r;
    });
  }
  for (auto& th : threads) th.join();

  std::vector<int> enrolled, waitlisted;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(out[t].status.ok()) << out[t].status;
    if (out[t].result.outcome == EnrollResult::Outcome::kEnrolled) {
      enrolled.push_back(t);
    } else {
      ASSERT_EQ(out[t].result.outcome, EnrollResult::Outcome::kWaitlisted);
      waitlisted.push_back(t);
    }
  }
  ASSERT_EQ(enrolled.size(), 15u);
  ASSERT_EQ(waitlisted.size(), 35u);
  EXPECT_EQ(store_->GetCohort(kM, "c15")->enrolled_count(), 15);
  auto list = store_->ListEnrollments(kM, "c15");
  ASSERT_TRUE(list.ok());
  std::set<std::string> listed, expected_enrolled;
  for (const auto& e : *list) listed.insert(e.referral_id());
  for (int t : enrolled) expected_enrolled.insert(absl::StrCat("r", t));
  EXPECT_EQ(listed, expected_enrolled);

  // The waitlist: positions 1..35 in the order the placements ran. Each call's returned position
  // is where it joined (nobody left meanwhile), so the stored order must match those, the
  // waitlisted_at times must increase with the position, and a call that returned before
  // another started must be ahead of it (real-time order).
  auto wl = store_->GetWaitlist(kM, "p6");
  ASSERT_TRUE(wl.ok());
  ASSERT_EQ(wl->size(), 35u);
  std::map<std::string, int> position_of;
  for (size_t i = 0; i < wl->size(); ++i) {
    const auto& e = (*wl)[i];
    EXPECT_EQ(e.position(), static_cast<int>(i + 1));
    if (i > 0) EXPECT_LT(Micros((*wl)[i - 1].waitlisted_at()), Micros(e.waitlisted_at()));
    position_of[e.referral_id()] = e.position();
  }
  std::set<int> returned_positions;
  for (int t : waitlisted) {
    const auto& w = *out[t].result.waitlisted;
    EXPECT_EQ(position_of[absl::StrCat("r", t)], w.position()) << "r" << t;
    EXPECT_EQ(Micros(w.waitlisted_at()), Micros((*wl)[w.position() - 1].waitlisted_at()));
    returned_positions.insert(w.position());
  }
  EXPECT_EQ(returned_positions.size(), 35u);
  int ordered_pairs = 0;
  for (int a : waitlisted) {
    for (int b : waitlisted) {
      if (out[a].end < out[b].start) {
        ++ordered_pairs;
        EXPECT_LT(out[a].result.waitlisted->position(), out[b].result.waitlisted->position());
      }
    }
    for (int e : enrolled) {
      EXPECT_FALSE(out[a].end < out[e].start)
          << "r" << e << " got a seat after r" << a << " had been waitlisted";
    }
  }
  std::printf("waitlist: %d pairs of calls ordered in real time\n", ordered_pairs);
  EXPECT_GE(ordered_pairs, 25 * kLate) << "every late call follows every waitlisted early one";

  // Every placement appended exactly its one event.
  std::vector<std::string> events = OutboxIds();
  std::multiset<std::string> expected;
  for (int t : enrolled) expected.insert(absl::StrCat("r", t, ":enrolled"));
  for (int t : waitlisted) expected.insert(absl::StrCat("r", t, ":waitlisted"));
  EXPECT_EQ(std::multiset<std::string>(events.begin(), events.end()), expected);

  // A freed seat goes to position 1.
  const v1::WaitlistEntry head = (*wl)[0];
  const std::string second = (*wl)[1].referral_id();
  Unenrolment u;
  u.municipality = kM;
  u.cohort_id = "c15";
  u.referral_id = absl::StrCat("r", enrolled[0]);
  u.events = {Ev(absl::StrCat(u.referral_id, ":unenrolled"))};
  u.waitlist_head = WaitlistSeat{head.referral_id(), head.citizen_id(),
                                 Ev(absl::StrCat(head.referral_id(), ":enrolled:wl"))};
  auto r = store_->Unenroll(u);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->seat_given_to.has_value());
  EXPECT_EQ(r->seat_given_to->referral_id(), head.referral_id());
  EXPECT_EQ(store_->GetCohort(kM, "c15")->enrolled_count(), 15);
  auto after = store_->GetWaitlist(kM, "p6");
  ASSERT_EQ(after->size(), 34u);
  EXPECT_EQ((*after)[0].referral_id(), second);
  EXPECT_EQ((*after)[0].position(), 1);
}

TEST_F(SchedulingConcurrencyTest, ExplicitEnrolmentsNeverExceedCapacity) {
  CohortCommit c;
  c.cohort.set_municipality(kM);
  c.cohort.set_cohort_id("c10");
  c.cohort.set_program_id("p6");
  c.cohort.set_status(v1::COHORT_STATUS_PLANNED);
  c.cohort.set_capacity(10);
  c.request_id = "req-c10";
  v1::Session s;
  s.set_session_id("c10-s0");
  s.set_day("2026-09-07");
  s.set_start_minute(600);
  s.set_end_minute(690);
  s.set_institution_id("inst");
  s.set_venue_id("hall");
  s.set_instructor_id("i0");
  s.set_status(v1::SESSION_STATUS_SCHEDULED);
  c.sessions = {s};
  ASSERT_TRUE(store_->CommitCohort(c).ok());

  constexpr int kThreads = 30;
  std::vector<absl::StatusCode> codes(kThreads);
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      EnrollInCohort e;
      e.municipality = kM;
      e.cohort_id = "c10";
      e.referral_id = absl::StrCat("r", t);
      e.citizen_id = absl::StrCat("cit-", t);
      e.enrolled_event = Ev(absl::StrCat("r", t, ":enrolled"));
      go.arrive_and_wait();
      codes[t] = store_->Enroll(e).status().code();
    });
  }
  for (auto& th : threads) th.join();
  int ok = 0, full = 0;
  for (auto code : codes) {
    if (code == absl::StatusCode::kOk) ++ok;
    if (code == absl::StatusCode::kFailedPrecondition) ++full;
  }
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(full, 20);
  EXPECT_EQ(store_->ListEnrollments(kM, "c10")->size(), 10u);
  EXPECT_EQ(OutboxIds().size(), 10u);
}

}  // namespace
}  // namespace kpr::scheduling
