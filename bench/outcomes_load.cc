#include "bench/outcomes_load.h"

#include <algorithm>
#include <barrier>
#include <cmath>
#include <memory>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/referral/v1/referral.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/calendar/danish_time.h"
#include "libs/timer/timer_worker.h"
#include "services/outcomes/outcomes_store.h"
#include "services/outcomes/questionnaire_schedule.h"

namespace kpr::bench {
namespace {

namespace ov1 = ::kpr::outcomes::v1;
namespace sv1 = ::kpr::scheduling::v1;
namespace rv1 = ::kpr::referral::v1;

absl::Time LocalMinute(absl::CivilDay day, int minute, absl::TimeZone tz) {
  return absl::FromCivil(absl::CivilMinute(day) + minute, tz);
}

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

google::protobuf::Timestamp Proto(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

// Index drawn from unnormalised weights.
template <typename Rng>
int Pick(Rng& rng, const std::vector<double>& weights) {
  return std::discrete_distribution<int>(weights.begin(), weights.end())(rng);
}

// 0..25 split into five WHO-5 items of 0..5.
ov1::Who5Answers Who5Items(int raw, std::mt19937_64& rng) {
  int items[5];
  for (int& v : items) v = raw / 5;
  std::vector<int> order = {0, 1, 2, 3, 4};
  std::shuffle(order.begin(), order.end(), rng);
  for (int i = 0; i < raw % 5; ++i) ++items[order[i]];
  // Some spread between the items, keeping the sum.
  std::uniform_int_distribution<int> item(0, 4);
  for (int k = 0; k < 3; ++k) {
    int a = item(rng), b = item(rng);
    if (a != b && items[a] > 0 && items[b] < 5) --items[a], ++items[b];
  }
  ov1::Who5Answers w;
  w.set_cheerful(items[0]);
  w.set_calm(items[1]);
  w.set_active(items[2]);
  w.set_rested(items[3]);
  w.set_interested(items[4]);
  return w;
}

// Statuses 1..8 (ORDINARY_WORK .. OTHER_STATUS).
const std::vector<double> kEmployment1mCompleted = {0.08, 0.08, 0.05, 0.19, 0.25, 0.20, 0.05, 0.10};
const std::vector<double> kEmployment1mDropped = {0.04, 0.05, 0.03, 0.12, 0.32, 0.26, 0.08, 0.10};
const std::vector<double> kEmployment12mCompleted = {0.12, 0.10, 0.05, 0.12,
                                                     0.22, 0.22, 0.07, 0.10};
const std::vector<double> kEmployment12mDropped = {0.06, 0.07, 0.03, 0.09, 0.28, 0.28, 0.10, 0.09};
// ReferralSource 1..7.
const std::vector<double> kSources = {0.45, 0.20, 0.10, 0.05, 0.05, 0.10, 0.05};

bool Oriented(int s) {
  return s == ov1::EMPLOYMENT_STATUS_ORDINARY_WORK || s == ov1::EMPLOYMENT_STATUS_SUBSIDISED_WORK ||
         s == ov1::EMPLOYMENT_STATUS_EDUCATION ||
         s == ov1::EMPLOYMENT_STATUS_EMPLOYMENT_ORIENTED_MEASURE;
}
bool OrdinaryOrEducation(int s) {
  return s == ov1::EMPLOYMENT_STATUS_ORDINARY_WORK || s == ov1::EMPLOYMENT_STATUS_EDUCATION;
}

// ---- Actions ------------------------------------------------------------------------------

enum Kind : uint8_t {
  kReceived,        // a: participant
  kExtraReceived,   // a: extra referral
  kPlan,            // a: cohort
  kEnrol,           // a: participant
  kEnrolledStatus,  // a: participant
  kStart,           // a: cohort
  kAttendance,      // a: cohort, b: session index
  kComplete,        // a: cohort
  kQuestionnaire,   // a: participant, b: time point
  kFinalStatus,     // a: participant
  kExtraClosed,     // a: extra referral
};

struct Action {
  int64_t t_ms;
  Kind kind;
  int32_t a;
  int32_t b;
  bool operator<(const Action& o) const {
    if (t_ms != o.t_ms) return t_ms < o.t_ms;
    if (kind != o.kind) return kind < o.kind;
    if (a != o.a) return a < o.a;
    return b < o.b;
  }
};

absl::Time EndOfDay(absl::CivilDay d, absl::TimeZone tz) {
  return absl::FromCivil(absl::CivilSecond(d + 1), tz) - absl::Seconds(1);
}

// Per municipality, in time order.
std::vector<std::vector<Action>> BuildActions(const SimWorld& w, bool funnel, absl::CivilDay* first,
                                              absl::CivilDay* last) {
  const absl::TimeZone tz = calendar::DanishTimeZone();
  std::mt19937_64 rng(w.options.seed * 7919 + 17);
  auto between = [&](absl::Duration lo, absl::Duration hi) {
    std::uniform_int_distribution<int64_t> d(absl::ToInt64Seconds(lo), absl::ToInt64Seconds(hi));
    return absl::Seconds(d(rng));
  };
  std::vector<std::vector<Action>> out(w.municipalities.size());
  auto add = [&](int m, absl::Time t, Kind k, int a, int b = 0) {
    out[m].push_back({absl::ToUnixMillis(t), k, a, b});
  };
  for (size_t c = 0; c < w.cohorts.size(); ++c) {
    const SimCohort& co = w.cohorts[c];
    const SimSession& s0 = co.sessions.front();
    const SimSession& sn = co.sessions.back();
    const absl::Time first_start = LocalMinute(s0.day, s0.start_minute, tz);
    const absl::Time last_end = LocalMinute(sn.day, sn.end_minute, tz);
    const absl::Time planned = first_start - absl::Hours(24 * 56);
    const int m = co.municipality;
    add(m, planned, kPlan, c);
    add(m, first_start, kStart, c);
    for (size_t s = 0; s < co.sessions.size(); ++s) {
      add(m, LocalMinute(co.sessions[s].day, co.sessions[s].end_minute, tz), kAttendance, c, s);
    }
    add(m, last_end + absl::Hours(1), kComplete, c);
    // Follow-ups open at 00:00 on the last day + 1 / 12 months (day of month clamped by the
    // service); CivilDay normalises an overflowing day forwards instead, which is never earlier.
    const absl::Time open_1m =
        absl::FromCivil(absl::CivilDay(sn.day.year(), sn.day.month() + 1, sn.day.day()), tz);
    const absl::Time open_12m =
        absl::FromCivil(absl::CivilDay(sn.day.year() + 1, sn.day.month(), sn.day.day()), tz);
    for (int i : co.participants) {
      const SimParticipant& p = w.participants[i];
      const absl::Time enrol = planned + between(absl::Hours(1), absl::Hours(24 * 48));
      add(m, enrol, kEnrol, i);
      add(m, first_start + between(absl::Hours(1), absl::Hours(72)), kQuestionnaire, i,
          ov1::TIME_POINT_BASELINE);
      add(m, last_end + between(absl::Hours(2), absl::Hours(120)), kQuestionnaire, i,
          ov1::TIME_POINT_END);
      add(m, open_1m + between(absl::ZeroDuration(), absl::Hours(24 * 6)), kQuestionnaire, i,
          ov1::TIME_POINT_FOLLOWUP_1M);
      add(m, open_12m + between(absl::ZeroDuration(), absl::Hours(24 * 6)), kQuestionnaire, i,
          ov1::TIME_POINT_FOLLOWUP_12M);
      if (funnel) {
        add(m, p.received_at, kReceived, i);
        add(m, enrol + absl::Minutes(1), kEnrolledStatus, i);
        add(m, last_end + absl::Hours(96) + between(absl::ZeroDuration(), absl::Hours(48)),
            kFinalStatus, i);
      }
    }
  }
  if (funnel) {
    for (size_t r = 0; r < w.extra_referrals.size(); ++r) {
      const SimReferral& x = w.extra_referrals[r];
      add(x.municipality, x.received_at, kExtraReceived, r);
      add(x.municipality, x.closed_at, kExtraClosed, r);
    }
  }
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (auto& list : out) {
    std::sort(list.begin(), list.end());
    if (!list.empty()) {
      lo = std::min(lo, list.front().t_ms);
      hi = std::max(hi, list.back().t_ms);
    }
  }
  *first = absl::ToCivilDay(absl::FromUnixMillis(lo), tz);
  *last = absl::ToCivilDay(absl::FromUnixMillis(hi), tz);
  return out;
}

identity::Caller MakeCaller(identity::Role role, const std::string& m, std::string subject) {
  identity::Caller c;
  c.claims.subject = std::move(subject);
  c.claims.role = role;
  c.claims.municipalities = {m};
  return c;
}

struct Counters {
  std::atomic<int64_t> kind_calls[kCallKinds] = {};
  std::atomic<int64_t> kind_ns[kCallKinds] = {};
  std::atomic<int64_t> scheduling_events{0}, referral_events{0}, sessions{0}, attendance_records{0},
      questionnaires{0}, timers_fired{0}, errors{0};
  absl::Mutex mu;
  std::string first_errors ABSL_GUARDED_BY(mu);
  int error_lines ABSL_GUARDED_BY(mu) = 0;

  void Error(absl::string_view what, const absl::Status& st) {
    errors.fetch_add(1);
    absl::MutexLock lock(&mu);
    if (error_lines++ < 8) absl::StrAppend(&first_errors, what, ": ", st.ToString(), "\n");
  }
  LoadStats Snapshot() {
    LoadStats s;
    s.scheduling_events = scheduling_events.load();
    s.referral_events = referral_events.load();
    s.sessions = sessions.load();
    s.attendance_records = attendance_records.load();
    s.questionnaires = questionnaires.load();
    s.timers_fired = timers_fired.load();
    s.errors = errors.load();
    for (int k = 0; k < kCallKinds; ++k) {
      s.calls[k].calls = kind_calls[k].load();
      s.calls[k].total = absl::Nanoseconds(kind_ns[k].load());
    }
    absl::MutexLock lock(&mu);
    s.first_errors = first_errors;
    return s;
  }
};

// Executes actions against the desks.
class Runner {
 public:
  Runner(const SimWorld& w, outcomes::OutcomesDesks& desks, Counters& counters)
      : w_(w), desks_(desks), n_(counters) {
    for (const std::string& m : w.municipalities) {
      coordinators_.push_back(MakeCaller(identity::Role::kCoordinator, m, "bench-coordinator"));
      forms_.push_back(MakeCaller(identity::Role::kService, m, "bench-citizen-forms"));
    }
  }

  void Do(const Action& a, absl::Time now) {
    const absl::Time t0 = absl::Now();
    DoUntimed(a, now);
    const int k = CallKindOf(a.kind);
    n_.kind_calls[k].fetch_add(1);
    n_.kind_ns[k].fetch_add(absl::ToInt64Nanoseconds(absl::Now() - t0));
  }

 private:
  static int CallKindOf(Kind k) {
    switch (k) {
      case kPlan:
        return kCallPlanned;
      case kEnrol:
        return kCallEnrolled;
      case kStart:
        return kCallStarted;
      case kAttendance:
        return kCallAttendance;
      case kComplete:
        return kCallCompleted;
      case kQuestionnaire:
        return kCallQuestionnaire;
      default:
        return kCallReferral;
    }
  }

  void DoUntimed(const Action& a, absl::Time now) {
    switch (a.kind) {
      case kPlan:
        return Plan(w_.cohorts[a.a], now);
      case kEnrol:
        return Enrol(w_.participants[a.a], now);
      case kStart:
        return Start(w_.cohorts[a.a], now);
      case kAttendance:
        return Attendance(w_.cohorts[a.a], a.b);
      case kComplete:
        return Complete(w_.cohorts[a.a], now);
      case kQuestionnaire:
        return Questionnaire(w_.participants[a.a], static_cast<ov1::TimePoint>(a.b));
      case kReceived: {
        const SimParticipant& p = w_.participants[a.a];
        return Received(p.municipality, p.referral_id, p.citizen_id, p.source, p.received_at, now);
      }
      case kExtraReceived: {
        const SimReferral& r = w_.extra_referrals[a.a];
        return Received(r.municipality, r.referral_id, r.citizen_id, r.source, r.received_at, now);
      }
      case kEnrolledStatus: {
        const SimParticipant& p = w_.participants[a.a];
        return StatusChanged(p.municipality, p.referral_id, p.citizen_id,
                             rv1::REFERRAL_STATUS_ACCEPTED, rv1::REFERRAL_STATUS_ENROLLED, 4, now);
      }
      case kFinalStatus: {
        const SimParticipant& p = w_.participants[a.a];
        return StatusChanged(
            p.municipality, p.referral_id, p.citizen_id, rv1::REFERRAL_STATUS_ENROLLED,
            p.completed ? rv1::REFERRAL_STATUS_COMPLETED : rv1::REFERRAL_STATUS_DROPPED_OUT, 5,
            now);
      }
      case kExtraClosed: {
        const SimReferral& r = w_.extra_referrals[a.a];
        return StatusChanged(r.municipality, r.referral_id, r.citizen_id,
                             rv1::REFERRAL_STATUS_UNDER_REVIEW,
                             static_cast<rv1::ReferralStatus>(r.final_status), 3, now);
      }
    }
  }

  const std::string& M(int m) const { return w_.municipalities[m]; }

  // A fact for the facts desk's handler of its payload type, as the consumer's router calls it.
  template <typename T>
  using Handler = absl::Status (outcomes::FactsDesk::*)(const common::v1::Event&, const T&);

  template <typename T>
  void Scheduling(const SimCohort& c, absl::string_view what, std::string id, const T& payload,
                  absl::Time now, Handler<T> handler) {
    common::v1::Event e =
        bus::MakeEvent(std::move(id), M(c.municipality), payload, now, c.cohort_id, "");
    absl::Status st = (desks_.facts.*handler)(e, payload);
    if (st.ok()) {
      n_.scheduling_events.fetch_add(1);
    } else {
      n_.Error(what, st);
    }
  }

  void Plan(const SimCohort& c, absl::Time now) {
    sv1::CohortPlanned planned;
    sv1::Cohort* co = planned.mutable_cohort();
    co->set_municipality(M(c.municipality));
    co->set_cohort_id(c.cohort_id);
    co->set_program_id(w_.options.programs[c.program]);
    co->set_name(c.cohort_id);
    co->set_status(sv1::COHORT_STATUS_PLANNED);
    co->set_first_day(Day(c.sessions.front().day));
    co->set_last_day(Day(c.sessions.back().day));
    co->set_capacity(w_.options.max_cohort_size);
    co->set_min_size(1);
    co->set_session_count(static_cast<int>(c.sessions.size()));
    *co->mutable_created_at() = Proto(now);
    co->set_version(1);
    for (size_t i = 0; i < c.sessions.size(); ++i) {
      const SimSession& s = c.sessions[i];
      sv1::Session* out = planned.add_sessions();
      out->set_session_id(s.session_id);
      out->set_cohort_id(c.cohort_id);
      out->set_municipality(M(c.municipality));
      out->set_index(static_cast<int>(i));
      out->set_week_index(static_cast<int>(i) / w_.options.sessions_per_week);
      out->set_activity_id(absl::StrCat("a", i % 5));
      out->set_day(Day(s.day));
      out->set_start_minute(s.start_minute);
      out->set_end_minute(s.end_minute);
      out->set_institution_id(absl::StrCat(M(c.municipality), "-inst"));
      out->set_venue_id("v1");
      out->set_instructor_id(s.instructor_id);
      out->set_status(sv1::SESSION_STATUS_SCHEDULED);
      out->set_version(1);
    }
    Scheduling(c, "cohort_planned", absl::StrCat("bench:", c.cohort_id, ":planned"), planned, now,
               &outcomes::FactsDesk::OnCohortPlanned);
  }

  void Enrol(const SimParticipant& p, absl::Time now) {
    const SimCohort& c = w_.cohorts[p.cohort];
    sv1::Enrolled e;
    e.set_cohort_id(c.cohort_id);
    e.set_program_id(w_.options.programs[c.program]);
    e.set_referral_id(p.referral_id);
    e.set_citizen_id(p.citizen_id);
    e.set_first_day(Day(c.sessions.front().day));
    Scheduling(c, "enrolled", absl::StrCat("bench:", c.cohort_id, ":enrolled:", p.referral_id), e,
               now, &outcomes::FactsDesk::OnEnrolled);
  }

  template <typename T>
  void AddEnrollments(const SimCohort& c, T& msg, absl::Time now) {
    for (int i : c.participants) {
      sv1::Enrollment* en = msg.add_participants();
      en->set_cohort_id(c.cohort_id);
      en->set_referral_id(w_.participants[i].referral_id);
      en->set_citizen_id(w_.participants[i].citizen_id);
      *en->mutable_enrolled_at() = Proto(now);
    }
  }

  void Start(const SimCohort& c, absl::Time now) {
    sv1::CohortStarted started;
    started.set_cohort_id(c.cohort_id);
    started.set_program_id(w_.options.programs[c.program]);
    started.set_first_day(Day(c.sessions.front().day));
    AddEnrollments(c, started, now);
    Scheduling(c, "cohort_started", absl::StrCat("bench:", c.cohort_id, ":started"), started, now,
               &outcomes::FactsDesk::OnCohortStarted);
  }

  void Complete(const SimCohort& c, absl::Time now) {
    sv1::CohortCompleted completed;
    completed.set_cohort_id(c.cohort_id);
    completed.set_program_id(w_.options.programs[c.program]);
    completed.set_last_day(Day(c.sessions.back().day));
    AddEnrollments(c, completed, now);
    completed.set_sessions_held(static_cast<int>(c.sessions.size()));
    Scheduling(c, "cohort_completed", absl::StrCat("bench:", c.cohort_id, ":completed"), completed,
               now, &outcomes::FactsDesk::OnCohortCompleted);
  }

  void Attendance(const SimCohort& c, int session) {
    ov1::RecordAttendanceRequest req;
    req.set_municipality(M(c.municipality));
    req.set_session_id(c.sessions[session].session_id);
    req.set_expected_version(0);
    for (int i : c.participants) {
      ov1::AttendanceEntry* e = req.add_entries();
      e->set_referral_id(w_.participants[i].referral_id);
      e->set_mark(static_cast<ov1::AttendanceMark>(w_.participants[i].marks[session]));
    }
    auto r = desks_.attendance.RecordAttendance(req, coordinators_[c.municipality]);
    if (r.ok()) {
      n_.sessions.fetch_add(1);
      n_.attendance_records.fetch_add(req.entries_size());
    } else {
      n_.Error("RecordAttendance", r.status());
    }
  }

  void Questionnaire(const SimParticipant& p, ov1::TimePoint tp) {
    ov1::SubmitQuestionnaireRequest req;
    req.set_municipality(M(p.municipality));
    req.set_referral_id(p.referral_id);
    req.set_time_point(tp);
    // The items are drawn per call from a generator seeded by the participant and time point,
    // so they are the same whichever thread submits them.
    std::mt19937_64 rng(std::hash<std::string>()(p.referral_id) ^
                        (static_cast<uint64_t>(tp) << 56));
    switch (tp) {
      case ov1::TIME_POINT_BASELINE:
        *req.mutable_who5() = Who5Items(p.who5_baseline_raw, rng);
        break;
      case ov1::TIME_POINT_END:
        *req.mutable_who5() = Who5Items(p.who5_end_raw, rng);
        break;
      default: {
        int status = tp == ov1::TIME_POINT_FOLLOWUP_1M ? p.employment_1m : p.employment_12m;
        ov1::EmploymentAnswers* e = req.mutable_employment();
        e->set_status(static_cast<ov1::EmploymentStatus>(status));
        if (status == ov1::EMPLOYMENT_STATUS_ORDINARY_WORK ||
            status == ov1::EMPLOYMENT_STATUS_SUBSIDISED_WORK) {
          e->set_weekly_hours(std::uniform_int_distribution<int>(12, 37)(rng));
        }
      }
    }
    auto r = desks_.questionnaires.SubmitQuestionnaire(req, forms_[p.municipality]);
    if (r.ok()) {
      n_.questionnaires.fetch_add(1);
    } else {
      n_.Error(absl::StrCat("SubmitQuestionnaire ", ov1::TimePoint_Name(tp)), r.status());
    }
  }

  template <typename T>
  void Referral(int m, const T& payload, std::string id, absl::Time now, Handler<T> handler) {
    common::v1::Event e = bus::MakeEvent(std::move(id), M(m), payload, now, "", "");
    absl::Status st = (desks_.facts.*handler)(e, payload);
    if (st.ok()) {
      n_.referral_events.fetch_add(1);
    } else {
      n_.Error("referral event", st);
    }
  }

  void Received(int m, const std::string& referral_id, const std::string& citizen_id, int source,
                absl::Time received_at, absl::Time now) {
    rv1::ReferralReceived r;
    r.set_referral_id(referral_id);
    r.set_citizen_id(citizen_id);
    r.set_source_system("bench");
    r.set_external_id(referral_id);
    r.set_source(static_cast<intake::v1::ReferralSource>(source));
    *r.mutable_received_at() = Proto(received_at);
    r.set_version(1);
    Referral(m, r, absl::StrCat("bench:", referral_id, ":received"), now,
             &outcomes::FactsDesk::OnReferralReceived);
  }

  void StatusChanged(int m, const std::string& referral_id, const std::string& citizen_id,
                     rv1::ReferralStatus from, rv1::ReferralStatus to, int version,
                     absl::Time now) {
    rv1::ReferralStatusChanged c;
    c.set_referral_id(referral_id);
    c.set_citizen_id(citizen_id);
    c.set_source_system("bench");
    c.set_external_id(referral_id);
    c.set_from(from);
    c.set_to(to);
    c.set_version(version);
    *c.mutable_changed_at() = Proto(now);
    Referral(m, c, absl::StrCat("bench:", referral_id, ":status:", version), now,
             &outcomes::FactsDesk::OnReferralStatusChanged);
  }

  const SimWorld& w_;
  outcomes::OutcomesDesks& desks_;
  Counters& n_;
  std::vector<identity::Caller> coordinators_;
  std::vector<identity::Caller> forms_;
};

}  // namespace

int64_t SimWorld::attendance_records() const {
  int64_t n = 0;
  for (const SimCohort& c : cohorts)
    n += static_cast<int64_t>(c.sessions.size()) * c.participants.size();
  return n;
}

int SimWorld::sessions() const {
  int n = 0;
  for (const SimCohort& c : cohorts) n += static_cast<int>(c.sessions.size());
  return n;
}

SimWorld GenerateWorld(const WorldOptions& o) {
  SimWorld w;
  w.options = o;
  const absl::TimeZone tz = calendar::DanishTimeZone();
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0, 1);

  // Municipality sizes ~ rank^-0.8 (largest ~12 % of all, smallest ~0.3 %), largest
  // remainder so they add up exactly.
  const int mcount = o.municipalities;
  std::vector<double> weight(mcount);
  double total = 0;
  for (int i = 0; i < mcount; ++i) total += weight[i] = std::pow(i + 1, -0.8);
  std::vector<int> size(mcount);
  std::vector<std::pair<double, int>> remainders;
  int assigned = 0;
  for (int i = 0; i < mcount; ++i) {
    double exact = o.participants * weight[i] / total;
    size[i] = static_cast<int>(exact);
    assigned += size[i];
    remainders.push_back({exact - size[i], i});
  }
  std::sort(remainders.rbegin(), remainders.rend());
  for (int k = 0; assigned < o.participants; ++k, ++assigned) ++size[remainders[k % mcount].second];
  for (int i = 0; i < mcount; ++i) w.municipalities.push_back(absl::StrFormat("9%03d", i + 1));

  absl::CivilDay monday0(o.first_year, 1, 1);
  while (absl::GetWeekday(monday0) != absl::Weekday::monday) ++monday0;
  const int span_weeks = 52 * o.years;
  const int sessions = o.weeks * o.sessions_per_week;
  const int completion_required = (sessions + 1) / 2;  // ceil(0.5 x sessions held)
  const int per_cohort = std::max(1, o.max_cohort_size - 1);
  const int programs = static_cast<int>(o.programs.size());
  std::gamma_distribution<double> g_a(6.0, 1.0), g_b(1.5, 1.0);  // attendance ~ Beta(6, 1.5)
  std::normal_distribution<double> baseline(38, 15), gain_completed(20, 14), gain_dropped(4, 12);

  for (int m = 0; m < mcount; ++m) {
    // Programs get shares P, P-1, ... + 0.5 (two programs: 62.5 % / 37.5 %).
    double share_total = 0;
    for (int p = 0; p < programs; ++p) share_total += programs - p + 0.5;
    int left = size[m];
    int seq = 0;
    for (int p = 0; p < programs; ++p) {
      int n = p + 1 == programs
                  ? left
                  : static_cast<int>(std::lround(size[m] * (programs - p + 0.5) / share_total));
      n = std::min(n, left);
      left -= n;
      if (n == 0) continue;
      const int k = (n + per_cohort - 1) / per_cohort;  // cohorts, at most max_cohort_size each
      for (int j = 0; j < k; ++j) {
        SimCohort c;
        c.municipality = m;
        c.program = p;
        c.cohort_id = absl::StrFormat("%s-p%d-c%03d", w.municipalities[m], p + 1, j + 1);
        int week = static_cast<int>((j + 0.1 + 0.8 * unit(rng)) * span_weeks / k);
        week = std::clamp(week, 0, span_weeks - 1);
        absl::CivilDay first = monday0 + 7 * week;
        while (first.year() >= o.first_year + o.years) first -= 7;
        c.year = static_cast<int>(first.year());
        // Mon/Wed/Fri or Tue/Thu/Fri, 09:00, 10:00 or 13:00, two hours.
        static const int kPatterns[2][5] = {{0, 2, 4, 1, 3}, {1, 3, 4, 0, 2}};
        const int* pattern = kPatterns[rng() % 2];
        const int start = std::vector<int>{540, 600, 780}[rng() % 3];
        for (int wk = 0; wk < o.weeks; ++wk) {
          for (int s = 0; s < o.sessions_per_week; ++s) {
            SimSession session;
            session.session_id =
                absl::StrFormat("%s-s%02d", c.cohort_id, wk * o.sessions_per_week + s + 1);
            session.day = first + 7 * wk + pattern[s % 5];
            session.start_minute = start;
            session.end_minute = start + 120;
            session.instructor_id = absl::StrFormat("%s-i%d", w.municipalities[m], 1 + (j + s) % 4);
            c.sessions.push_back(std::move(session));
          }
        }
        const int members = n / k + (j < n % k ? 1 : 0);
        const absl::Time planned =
            LocalMinute(c.sessions.front().day, c.sessions.front().start_minute, tz) -
            absl::Hours(24 * 56);
        for (int q = 0; q < members; ++q) {
          SimParticipant sp;
          sp.municipality = m;
          sp.cohort = static_cast<int>(w.cohorts.size());
          sp.referral_id = absl::StrFormat("ref-%s-%06d", w.municipalities[m], ++seq);
          sp.citizen_id = absl::StrFormat("cit-%016x", rng());
          sp.source = 1 + Pick(rng, kSources);
          sp.received_at =
              planned - absl::Seconds(static_cast<int64_t>(unit(rng) * 42 * 86400) + 3600);
          // Attendance: a propensity per participant; some stop coming part-way.
          double x = g_a(rng), y = g_b(rng);
          const double propensity = x / (x + y);
          const int quits_at = unit(rng) < 0.07 ? 2 + static_cast<int>(unit(rng) * 18) : sessions;
          for (int s = 0; s < sessions; ++s) {
            ov1::AttendanceMark mark;
            if (s >= quits_at) {
              mark = unit(rng) < 0.1 ? ov1::ATTENDANCE_MARK_EXCUSED : ov1::ATTENDANCE_MARK_ABSENT;
            } else if (unit(rng) < propensity) {
              mark = ov1::ATTENDANCE_MARK_PRESENT;
            } else {
              mark = unit(rng) < 0.3 ? ov1::ATTENDANCE_MARK_EXCUSED : ov1::ATTENDANCE_MARK_ABSENT;
            }
            sp.marks.push_back(static_cast<uint8_t>(mark));
            if (mark == ov1::ATTENDANCE_MARK_PRESENT) ++sp.present;
            if (mark == ov1::ATTENDANCE_MARK_ABSENT) ++sp.absent;
            if (mark == ov1::ATTENDANCE_MARK_EXCUSED) ++sp.excused;
          }
          sp.completed = sp.present >= completion_required;
          const double base = std::clamp(baseline(rng), 0.0, 100.0);
          const double end = std::clamp(
              base + (sp.completed ? gain_completed(rng) : gain_dropped(rng)), 0.0, 100.0);
          sp.who5_baseline_raw = std::clamp(static_cast<int>(std::lround(base / 4)), 0, 25);
          sp.who5_end_raw = std::clamp(static_cast<int>(std::lround(end / 4)), 0, 25);
          sp.employment_1m =
              1 + Pick(rng, sp.completed ? kEmployment1mCompleted : kEmployment1mDropped);
          sp.employment_12m =
              1 + Pick(rng, sp.completed ? kEmployment12mCompleted : kEmployment12mDropped);
          c.participants.push_back(static_cast<int>(w.participants.size()));
          w.participants.push_back(std::move(sp));
        }
        w.cohorts.push_back(std::move(c));
      }
    }
    // Referrals that never enrol, received over the whole period.
    const absl::Time from = absl::FromCivil(absl::CivilDay(o.first_year - 1, 10, 1), tz);
    const absl::Time to = absl::FromCivil(absl::CivilDay(o.first_year + o.years, 1, 1), tz);
    const int extras = static_cast<int>(std::lround(size[m] * o.extra_referrals));
    for (int q = 0; q < extras; ++q) {
      SimReferral r;
      r.municipality = m;
      r.referral_id = absl::StrFormat("ref-%s-%06d", w.municipalities[m], ++seq);
      r.citizen_id = absl::StrFormat("cit-%016x", rng());
      r.source = 1 + Pick(rng, kSources);
      r.received_at = from + (to - from) * unit(rng);
      r.closed_at = r.received_at + absl::Hours(24 * (7 + static_cast<int>(unit(rng) * 53)));
      r.final_status =
          unit(rng) < 0.6 ? rv1::REFERRAL_STATUS_DECLINED : rv1::REFERRAL_STATUS_WITHDRAWN;
      w.extra_referrals.push_back(std::move(r));
    }
  }
  return w;
}

ExpectedReport Expect(const SimWorld& w, int municipality, int program, int year,
                      bool loaded_funnel) {
  ExpectedReport e;
  for (const SimCohort& c : w.cohorts) {
    if (c.municipality != municipality || c.program != program || c.year != year) continue;
    if (!c.participants.empty()) ++e.cohorts;
    for (int i : c.participants) {
      const SimParticipant& p = w.participants[i];
      ++e.participants;
      ++(p.completed ? e.completed : e.dropped_out);
      if (p.present + p.absent > 0) {
        ++e.attendance_n;
        e.attendance_rate_sum += static_cast<double>(p.present) / (p.present + p.absent);
      }
      ++e.who5_baseline_n;
      ++e.who5_end_n;
      ++e.who5_paired_n;
      e.who5_baseline_sum += 4 * p.who5_baseline_raw;
      e.who5_end_sum += 4 * p.who5_end_raw;
      e.who5_change_sum += 4 * (p.who5_end_raw - p.who5_baseline_raw);
      ++e.employment_1m_n;
      if (Oriented(p.employment_1m)) ++e.employment_1m_oriented;
      ++e.employment_12m_n;
      if (OrdinaryOrEducation(p.employment_12m)) ++e.employment_12m_ordinary_or_education;
    }
  }
  if (loaded_funnel) {
    const absl::TimeZone tz = calendar::DanishTimeZone();
    const absl::Time from = absl::FromCivil(absl::CivilDay(year, 1, 1), tz);
    const absl::Time to = absl::FromCivil(absl::CivilDay(year + 1, 1, 1), tz);
    for (const SimParticipant& p : w.participants) {
      if (p.municipality == municipality && p.received_at >= from && p.received_at < to) {
        ++e.funnel_referred;
        ++e.funnel_enrolled;
      }
    }
    for (const SimReferral& r : w.extra_referrals) {
      if (r.municipality == municipality && r.received_at >= from && r.received_at < to)
        ++e.funnel_referred;
    }
  }
  return e;
}

LoadStats Load(const SimWorld& world, outcomes::OutcomesDesks& desks, store::RedisPool& pool,
               std::atomic<int64_t>& sim_ms, const LoaderOptions& options) {
  const absl::TimeZone tz = calendar::DanishTimeZone();
  absl::CivilDay first, last;
  const std::vector<std::vector<Action>> actions =
      BuildActions(world, options.funnel, &first, &last);
  // Every timer has fired by then: the last follow-up closes 42 days after it opens.
  const absl::CivilDay end = last + 45;
  const int days = static_cast<int>(end - first) + 1;

  // Municipalities to threads, largest first onto the least loaded thread.
  const int threads = std::max(1, options.threads);
  std::vector<std::vector<int>> owned(threads);
  {
    std::vector<int> order(world.municipalities.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return actions[a].size() > actions[b].size(); });
    std::vector<size_t> load(threads, 0);
    for (int m : order) {
      int t = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
      owned[t].push_back(m);
      load[t] += actions[m].size();
    }
  }

  Counters counters;
  Runner runner(world, desks, counters);
  // The timer workers (one per thread, like replicas: claiming is atomic, so they share the
  // due timers) fire into the same facts desk, at the simulated day's end.
  std::vector<std::unique_ptr<timer::TimerWorker>> workers;
  for (int t = 0; t < threads; ++t) {
    timer::TimerWorker::Options wo;
    wo.batch = options.timer_batch;
    wo.clock = [&sim_ms] { return absl::FromUnixMillis(sim_ms.load()); };
    workers.push_back(std::make_unique<timer::TimerWorker>(
        pool, outcomes::kOutcomesService,
        [&desks, &counters](const timer::Timer& timer) {
          const absl::Time t0 = absl::Now();
          absl::Status st = desks.facts.OnTimer(timer);
          counters.kind_calls[kCallTimer].fetch_add(1);
          counters.kind_ns[kCallTimer].fetch_add(absl::ToInt64Nanoseconds(absl::Now() - t0));
          if (st.ok()) {
            counters.timers_fired.fetch_add(1);
          } else {
            counters.Error("OnTimer", st);
          }
          return st;
        },
        wo));
  }

  int day_index = 0;
  int phase = 0;
  auto day_end = [&](int d) { return EndOfDay(first + d, tz); };
  sim_ms.store(absl::ToUnixMillis(day_end(0)));
  auto on_phase = [&]() noexcept {
    // Two phases a day (facts, then timers); after the second, move the clock to the next day.
    if (++phase % 2 != 0) return;
    ++day_index;
    if (day_index < days) sim_ms.store(absl::ToUnixMillis(day_end(day_index)));
    if (options.progress && options.progress_days > 0 && day_index % options.progress_days == 0) {
      options.progress(first + day_index, counters.Snapshot());
    }
  };
  std::barrier sync(threads, on_phase);

  const absl::Time started = absl::Now();
  std::vector<std::thread> pool_threads;
  for (int t = 0; t < threads; ++t) {
    pool_threads.emplace_back([&, t] {
      std::vector<size_t> cursor(owned[t].size(), 0);
      for (int d = 0; d < days; ++d) {
        const absl::Time now = day_end(d);
        const int64_t now_ms = absl::ToUnixMillis(now);
        for (size_t k = 0; k < owned[t].size(); ++k) {
          const std::vector<Action>& list = actions[owned[t][k]];
          size_t& i = cursor[k];
          for (; i < list.size() && list[i].t_ms <= now_ms; ++i) runner.Do(list[i], now);
        }
        sync.arrive_and_wait();
        while (true) {
          auto fired = workers[t]->PollOnce(now);
          if (!fired.ok()) {
            counters.Error("timer pass", fired.status());
            break;
          }
          if (*fired == 0) break;
        }
        sync.arrive_and_wait();
      }
    });
  }
  for (std::thread& th : pool_threads) th.join();

  LoadStats stats = counters.Snapshot();
  stats.wall = absl::Now() - started;
  stats.days = days;
  return stats;
}

}  // namespace kpr::bench
