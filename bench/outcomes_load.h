#ifndef KPR_BENCH_OUTCOMES_LOAD_H_
#define KPR_BENCH_OUTCOMES_LOAD_H_

// National-scale outcomes data for bench/outcomes_report_bench.cc.
//
// GenerateWorld invents the data (synthetic ids only): municipalities of skewed size, cohorts of
// a 10-week x 3-session course, participants with a mark for every session, WHO-5 at BASELINE
// and END, employment status at FOLLOWUP_1M and FOLLOWUP_12M, and (for the funnel) their
// referrals plus referrals that never enrol.
//
// Loader feeds it through the outcomes service's real write paths — the facts desk's handler
// for each payload with its kpr.common.v1.Event envelope (bus::MakeEvent), as the consumers'
// routers call them, RecordAttendance per session with every participant's mark,
// SubmitQuestionnaire, and the questionnaire and settle timers fired by libs/timer's TimerWorker
// into OnTimer — on a simulated calendar: day by day, each thread taking its own
// municipalities, with the desks' clock at the end of the simulated day. So the tallies are
// maintained exactly as in production.
//
// Expect() computes what a program report should show straight from the generated world,
// without the service's code, to check the loaded reports against.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/store/redis_pool.h"
#include "services/outcomes/outcomes_desks.h"

namespace kpr::bench {

struct WorldOptions {
  int participants = 100000;
  int municipalities = 98;
  int max_cohort_size = 15;
  int weeks = 10;  // sessions_per_week sessions a week (Mon/Wed/Fri or Tue/Thu/Fri)
  int sessions_per_week = 3;
  int first_year = 2026;  // cohorts start in [first_year, first_year + years)
  int years = 2;
  std::vector<std::string> programs = {"kultur-paa-recept", "natur-paa-recept"};
  double extra_referrals = 0.25;  // referrals that never enrol, per participant (funnel only)
  uint64_t seed = 1;
};

struct SimSession {
  std::string session_id;
  absl::CivilDay day;
  int start_minute = 0;
  int end_minute = 0;
  std::string instructor_id;
};

struct SimCohort {
  int municipality = 0;  // index into SimWorld::municipalities
  int program = 0;       // index into WorldOptions::programs
  std::string cohort_id;
  int year = 0;  // of the first session
  std::vector<SimSession> sessions;
  std::vector<int> participants;  // indices into SimWorld::participants
};

struct SimParticipant {
  int municipality = 0;
  int cohort = 0;
  std::string referral_id;
  std::string citizen_id;
  int source = 0;              // kpr.intake.v1.ReferralSource
  absl::Time received_at;      // of the referral
  std::vector<uint8_t> marks;  // kpr.outcomes.v1.AttendanceMark per session
  int present = 0, absent = 0, excused = 0;
  bool completed = false;     // by the completion rule (present >= half the sessions)
  int who5_baseline_raw = 0;  // 0..25 (percentage = raw x 4)
  int who5_end_raw = 0;
  int employment_1m = 0;  // kpr.outcomes.v1.EmploymentStatus
  int employment_12m = 0;
};

// A referral received and then declined or withdrawn: only the funnel sees it.
struct SimReferral {
  int municipality = 0;
  std::string referral_id;
  std::string citizen_id;
  int source = 0;
  absl::Time received_at;
  absl::Time closed_at;
  int final_status = 0;  // kpr.referral.v1.ReferralStatus: DECLINED or WITHDRAWN
};

struct SimWorld {
  WorldOptions options;
  std::vector<std::string> municipalities;  // 4-digit codes, largest first
  std::vector<SimCohort> cohorts;
  std::vector<SimParticipant> participants;
  std::vector<SimReferral> extra_referrals;
  int64_t attendance_records() const;  // marks over all sessions
  int sessions() const;
};

SimWorld GenerateWorld(const WorldOptions& options);

// What a municipality-year program report must show, from the world alone.
struct ExpectedReport {
  int cohorts = 0;
  int participants = 0, completed = 0, dropped_out = 0;
  int attendance_n = 0;
  double attendance_rate_sum = 0;  // rates 0..1
  int who5_baseline_n = 0, who5_end_n = 0, who5_paired_n = 0;
  double who5_baseline_sum = 0, who5_end_sum = 0, who5_change_sum = 0;  // percentages
  int employment_1m_n = 0, employment_1m_oriented = 0;
  int employment_12m_n = 0, employment_12m_ordinary_or_education = 0;
  int funnel_referred = 0,
      funnel_enrolled = 0;  // the municipality's referrals received in the year
};
// `loaded_funnel`: whether the referral events were loaded (else the funnel is empty).
ExpectedReport Expect(const SimWorld& world, int municipality, int program, int year,
                      bool loaded_funnel);

// Desk calls by kind, for the time each takes.
enum CallKind {
  kCallPlanned,        // FactsDesk::OnCohortPlanned (with 30 sessions)
  kCallEnrolled,       // FactsDesk::OnEnrolled
  kCallStarted,        // FactsDesk::OnCohortStarted
  kCallAttendance,     // RecordAttendance (a whole session)
  kCallCompleted,      // FactsDesk::OnCohortCompleted
  kCallQuestionnaire,  // SubmitQuestionnaire
  kCallReferral,       // FactsDesk::OnReferralReceived / OnReferralStatusChanged
  kCallTimer,          // OnTimer (questionnaire time points, settle)
  kCallKinds,
};
inline constexpr const char* kCallKindNames[kCallKinds] = {
    "cohort_planned",   "enrolled",         "cohort_started",
    "RecordAttendance", "cohort_completed", "SubmitQuestionnaire",
    "referral event",   "OnTimer"};

struct CallTime {
  int64_t calls = 0;
  absl::Duration total;  // wall time inside the desk, summed over threads
};

struct LoadStats {
  absl::Duration wall;
  int days = 0;  // simulated days
  int64_t scheduling_events = 0;
  int64_t referral_events = 0;
  int64_t sessions = 0;            // RecordAttendance calls
  int64_t attendance_records = 0;  // marks in them
  int64_t questionnaires = 0;
  int64_t timers_fired = 0;
  int64_t errors = 0;
  CallTime calls[kCallKinds];
  std::string first_errors;  // up to a few, one per line
  int64_t desk_calls() const {
    return scheduling_events + referral_events + sessions + questionnaires + timers_fired;
  }
};

struct LoaderOptions {
  int threads = 4;
  bool funnel = true;   // also load the referral events (the report's funnel)
  int timer_batch = 8;  // per municipality per TimerWorker pass, so the threads share them
  // Called about every `progress_days` simulated days from one thread, with the day reached.
  int progress_days = 60;
  std::function<void(absl::CivilDay, const LoadStats&)> progress;
};

// Runs the world through `desks` (whose clock must read `sim_ms`, Unix milliseconds; the loader
// sets it). `pool` is the Redis pool the desks' store uses (for the timer workers).
LoadStats Load(const SimWorld& world, outcomes::OutcomesDesks& desks, store::RedisPool& pool,
               std::atomic<int64_t>& sim_ms, const LoaderOptions& options);

}  // namespace kpr::bench

#endif  // KPR_BENCH_OUTCOMES_LOAD_H_
