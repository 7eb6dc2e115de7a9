// "Restarts and redeliveries never count an attendance or an answer twice" (issue 4).
//
// The same course is run twice on a fresh Redis and NATS: once plainly, once with every kind of
// repeat the service can meet in production — scheduling and referral events published again
// (same Nats-Msg-Id, which JetStream drops, and the same envelope under a new Nats-Msg-Id, which
// the handler does see), every RecordAttendance and SubmitQuestionnaire sent twice, events
// published while the service is down, restarts in the middle (one while timers fall due), and
// timers fired again after they completed. Both runs must end with identical reports,
// attendance and schedules, equal to what the test computes from its raw data, and with one
// outcome_recorded / questionnaire_due event per participant and time point on KPR_OUTCOMES.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/store/redis_pool.h"
#include "libs/timer/timer_store.h"
#include "tests/support/outcomes_fixture.h"

namespace kpr::testing {
namespace {

namespace ov1 = ::kpr::outcomes::v1;
namespace rv1 = ::kpr::referral::v1;
using google::protobuf::util::MessageDifferencer;
using identity::Role;

constexpr char kProgram[] = "e2e-rd";
constexpr int kSessions = 6;

struct Person {
  const char* id;
  const char* marks;            // P present, A absent, E excused
  int who5_baseline, who5_end;  // raw
};
const std::vector<Person> kPeople = {
    {"e2e-rd01", "PPPPPP", 8, 14},  {"e2e-rd02", "PPPPPA", 12, 15}, {"e2e-rd03", "PAPPPP", 10, 10},
    {"e2e-rd04", "PPAAPP", 15, 19}, {"e2e-rd05", "PEPPAP", 9, 16},  {"e2e-rd06", "PAAAAA", 11, 7},
};

CohortPlan Plan() {
  CohortPlan plan;
  plan.cohort_id = "e2e-rd-c1";
  plan.program_id = kProgram;
  plan.instructor_id = "e2e-rd-instructor";
  for (int week = 0; week < 3; ++week) {
    plan.days.push_back(absl::CivilDay(2027, 3, 1) + 7 * week);      // Mondays
    plan.days.push_back(absl::CivilDay(2027, 3, 1) + 7 * week + 3);  // Thursdays
  }
  for (const Person& p : kPeople) plan.referral_ids.push_back(p.id);
  return plan;
}

// WAI: one answer set per raw WHO-5 parity, so the totals differ between participants.
ov1::WaiAnswers Wai(int ability) {
  ov1::WaiAnswers a;
  a.set_current_work_ability(ability);
  a.set_work_demands(ov1::WORK_DEMANDS_BOTH);
  a.set_physical_demands_ability(3);
  a.set_mental_demands_ability(3);
  a.set_diagnosed_diseases(1);
  a.set_work_impairment(4);
  a.set_sick_leave(3);
  a.set_prognosis(4);
  a.set_enjoy_daily_activities(2);
  a.set_active_and_alert(2);
  a.set_hopeful(2);
  return a;  // total = ability + 6 + 5 + 4 + 3 + 4 + 2 = ability + 24
}

struct RunResult {
  ov1::OutcomeReport cohort_report;
  ov1::OutcomeReport program_report;
  ov1::GetAttendanceResponse attendance;
  ov1::ListQuestionnaireScheduleResponse schedule;
  std::map<std::string, int>
      events_by_key;  // "<event>|<referral or session>|<time point>" -> count
  std::map<std::string, int> events_by_name;
  // Messages the outcomes consumers were handed (stored on the streams, all acknowledged).
  uint64_t scheduling_messages = 0, referral_messages = 0;
};

class OutcomesRedeliveryTest : public OutcomesTest {
 protected:
  // Publishes a scheduling or referral event as its service would; with repeats, also again
  // with the same Nats-Msg-Id (dropped by JetStream) and under a new one (seen by the handler).
  void Send(const std::string& context, const std::string& name, const std::string& id,
            const google::protobuf::Message& payload) {
    common::v1::Event e = Envelope(id, payload);
    ASSERT_TRUE(Publish(context, name, e).ok());
    if (repeats_) {
      ASSERT_TRUE(Publish(context, name, e).ok());
      ASSERT_TRUE(Publish(context, name, e, id + "#redelivered").ok());
    }
  }

  void Referral(const std::string& id, int version, rv1::ReferralStatus from,
                rv1::ReferralStatus to) {
    rv1::ReferralStatusChanged c;
    c.set_referral_id(id);
    c.set_citizen_id(CohortPlan::CitizenId(id));
    c.set_from(from);
    c.set_to(to);
    c.set_version(version);
    Send("referral", "status_changed", absl::StrCat(id, ".v", version, ".status_changed"), c);
  }

  // Calls `call` once, or twice with repeats; both must succeed with the same answer.
  template <typename Response>
  void Twice(const std::function<grpc::Status(Response*)>& call, const std::string& what) {
    Response first;
    grpc::Status st = call(&first);
    ASSERT_TRUE(st.ok()) << what << ": " << st.error_message();
    if (!repeats_) return;
    Response second;
    st = call(&second);
    ASSERT_TRUE(st.ok()) << what << " again: " << st.error_message();
    EXPECT_TRUE(MessageDifferencer::Equals(first, second))
        << what << ": a repeat changed the answer\n"
        << first.DebugString() << "\n"
        << second.DebugString();
  }

  void Submit(const std::string& id, ov1::TimePoint tp, int raw) {
    ov1::SubmitQuestionnaireRequest who5;
    who5.set_municipality(kM);
    who5.set_referral_id(id);
    who5.set_time_point(tp);
    *who5.mutable_who5() = Who5(raw);
    ov1::SubmitQuestionnaireRequest wai = who5;
    *wai.mutable_wai() = Wai(raw / 3);
    for (const auto* req : {&who5, &wai}) {
      Twice<ov1::Questionnaire>(
          [&](ov1::Questionnaire* out) {
            Ctx c(Token(Role::kService, "e2e-forms"));
            grpc::Status st = stub().SubmitQuestionnaire(&c.ctx, *req, out);
            if (st.ok())
              EXPECT_EQ(out->revision(), 1) << "the same answer again is no new revision";
            return st;
          },
          absl::StrCat("submit ", id, " ", ov1::TimePoint_Name(tp)));
    }
  }

  // Fires a timer again, as a lost lease or a second replica would, and waits until it has run.
  void Refire(const std::string& timer_id) {
    auto options = store::RedisOptionsFromUrl(Servers::Redis().url());
    ASSERT_TRUE(options.ok());
    store::RedisPool pool(*options);
    timer::TimerStore timers(pool, outcomes::kOutcomesService);
    ASSERT_TRUE(timers.Schedule({kM, timer_id, Now(), ""}).ok());
    server_->PokeTimers();
    ASSERT_TRUE(Eventually(
        [&] {
          auto t = timers.Get(kM, timer_id);
          // Done when it is gone, or re-armed for a later step (due in the future).
          return t.ok() && (!t->has_value() || (*t)->due > Now());
        },
        absl::Seconds(20)))
        << timer_id << " never ran again";
  }

  void WaitEvents(const std::string& name, size_t n) {
    ASSERT_TRUE(WaitOutcomesEvents(name, n)) << "waiting for " << n << " " << name;
  }

  RunResult Run(bool repeats) {
    repeats_ = repeats;
    RunResult out;
    const CohortPlan plan = Plan();
    const std::string coordinator = Token(Role::kCoordinator);

    // The funnel: received, under review, accepted, enrolled.
    for (const Person& p : kPeople) {
      rv1::ReferralReceived r;
      r.set_referral_id(p.id);
      r.set_citizen_id(CohortPlan::CitizenId(p.id));
      r.set_source(intake::v1::REFERRAL_SOURCE_JOBCENTER);
      r.mutable_received_at()->set_seconds(
          absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 1, 10, 9, 0))));
      r.set_version(1);
      Send("referral", "received", absl::StrCat(p.id, ".v1.received"), r);
      Referral(p.id, 2, rv1::REFERRAL_STATUS_RECEIVED, rv1::REFERRAL_STATUS_UNDER_REVIEW);
      Referral(p.id, 3, rv1::REFERRAL_STATUS_UNDER_REVIEW, rv1::REFERRAL_STATUS_ACCEPTED);
      Referral(p.id, 4, rv1::REFERRAL_STATUS_ACCEPTED, rv1::REFERRAL_STATUS_ENROLLED);
    }

    // Planned, enrolled, started.
    Send("scheduling", "cohort_planned", plan.cohort_id + ":planned", plan.Planned());
    for (const Person& p : kPeople) {
      Send("scheduling", "enrolled", absl::StrCat(plan.cohort_id, ":enrolled:", p.id, ":1"),
           plan.Enrolled(p.id));
    }
    Send("scheduling", "cohort_started", plan.cohort_id + ":started", plan.Started());
    EXPECT_TRUE(WaitConsumersDrained());

    // BASELINE opens with the first session.
    SetClock(plan.SessionStart(0) + absl::Hours(2));
    WaitEvents("questionnaire_due", kPeople.size());
    if (repeats_) {
      // The due timers fire again: the time point is already DUE, nothing more is said.
      Refire(absl::StrCat("tp:", kPeople[0].id, ":", static_cast<int>(ov1::TIME_POINT_BASELINE)));
      Refire(absl::StrCat("tp:", kPeople[1].id, ":", static_cast<int>(ov1::TIME_POINT_BASELINE)));
    }
    for (const Person& p : kPeople) Submit(p.id, ov1::TIME_POINT_BASELINE, p.who5_baseline);

    if (repeats_) {
      RestartServer();
      // A late redelivery of the enrolments and the start, after the restart.
      for (const Person& p : kPeople) {
        common::v1::Event e =
            Envelope(absl::StrCat(plan.cohort_id, ":enrolled:", p.id, ":1"), plan.Enrolled(p.id));
        EXPECT_TRUE(Publish("scheduling", "enrolled", e, e.id() + "#after-restart").ok());
      }
      common::v1::Event started = Envelope(plan.cohort_id + ":started", plan.Started());
      EXPECT_TRUE(
          Publish("scheduling", "cohort_started", started, started.id() + "#after-restart").ok());
      EXPECT_TRUE(WaitConsumersDrained());
    }

    // After the last session: attendance for all six sessions, each sent twice with repeats.
    SetClock(plan.SessionStart(kSessions - 1) + absl::Hours(3));
    for (int i = 0; i < kSessions; ++i) {
      ov1::RecordAttendanceRequest req;
      req.set_municipality(kM);
      req.set_session_id(plan.SessionId(i));
      for (const Person& p : kPeople) {
        ov1::AttendanceEntry* e = req.add_entries();
        e->set_referral_id(p.id);
        e->set_mark(p.marks[i] == 'P'   ? ov1::ATTENDANCE_MARK_PRESENT
                    : p.marks[i] == 'A' ? ov1::ATTENDANCE_MARK_ABSENT
                                        : ov1::ATTENDANCE_MARK_EXCUSED);
      }
      Twice<ov1::SessionAttendance>(
          [&](ov1::SessionAttendance* out) {
            Ctx c(coordinator);
            return stub().RecordAttendance(&c.ctx, req, out);
          },
          req.session_id());
      if (repeats_ && i == 2) RestartServer();
    }

    // Completed; with repeats it is published while the service is down, and the clock passes
    // the settle time before the service is back.
    if (repeats_) StopServer();
    Send("scheduling", "cohort_completed", plan.cohort_id + ":completed", plan.Completed());
    if (repeats_) StartServer();
    EXPECT_TRUE(WaitConsumersDrained());
    WaitEvents("questionnaire_due", 2 * kPeople.size());  // END (its start has passed)
    for (const Person& p : kPeople) Submit(p.id, ov1::TIME_POINT_END, p.who5_end);

    if (repeats_) {
      StopServer();
      SetClock(Now() + absl::Hours(2));  // the settle timer falls due while nobody runs
      StartServer();
    } else {
      SetClock(Now() + absl::Hours(2));
    }
    WaitEvents("outcome_recorded", kPeople.size());
    if (repeats_) {
      Refire("settle:" + plan.cohort_id);
      Refire(absl::StrCat("tp:", kPeople[2].id, ":", static_cast<int>(ov1::TIME_POINT_END)));
      SetClock(Now() + absl::Minutes(1));  // and the worker passes again
    }
    // The referral service hears the outcomes.
    for (const Person& p : kPeople) {
      const bool completed = p.id != std::string("e2e-rd06");
      Referral(p.id, 5, rv1::REFERRAL_STATUS_ENROLLED,
               completed ? rv1::REFERRAL_STATUS_COMPLETED : rv1::REFERRAL_STATUS_DROPPED_OUT);
    }
    EXPECT_TRUE(WaitConsumersDrained());
    absl::SleepFor(absl::Milliseconds(500));  // let any extra timer pass or outbox write show

    {
      ov1::GetCohortReportRequest req;
      req.set_municipality(kM);
      req.set_cohort_id(plan.cohort_id);
      Ctx c(coordinator);
      grpc::Status st = stub().GetCohortReport(&c.ctx, req, &out.cohort_report);
      EXPECT_TRUE(st.ok()) << st.error_message();
      out.cohort_report.clear_generated_at();
    }
    {
      ov1::GetProgramReportRequest req;
      req.set_municipality(kM);
      req.set_program_id(kProgram);
      req.mutable_from()->set_seconds(
          absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 1, 1, 0, 0))));
      req.mutable_to()->set_seconds(
          absl::ToUnixSeconds(Local(absl::CivilMinute(2028, 1, 1, 0, 0))));
      Ctx c(coordinator);
      grpc::Status st = stub().GetProgramReport(&c.ctx, req, &out.program_report);
      EXPECT_TRUE(st.ok()) << st.error_message();
      out.program_report.clear_generated_at();
    }
    {
      ov1::GetAttendanceRequest req;
      req.set_municipality(kM);
      req.set_cohort_id(plan.cohort_id);
      Ctx c(coordinator);
      EXPECT_TRUE(stub().GetAttendance(&c.ctx, req, &out.attendance).ok());
    }
    {
      ov1::ListQuestionnaireScheduleRequest req;
      req.set_municipality(kM);
      req.set_cohort_id(plan.cohort_id);
      Ctx c(coordinator);
      EXPECT_TRUE(stub().ListQuestionnaireSchedule(&c.ctx, req, &out.schedule).ok());
    }
    std::set<std::string> ids;
    for (const OutcomesEvent& e : OutcomesEvents()) {
      EXPECT_TRUE(ids.insert(e.event.id()).second)
          << "event id twice on KPR_OUTCOMES: " << e.event.id();
      out.events_by_name[e.name]++;
      std::string key;
      if (auto d = bus::UnpackEvent<ov1::QuestionnaireDue>(e.event); d.ok()) {
        key = absl::StrCat(d->referral_id(), "|", ov1::TimePoint_Name(d->time_point()));
      } else if (auto o = bus::UnpackEvent<ov1::OutcomeRecorded>(e.event); o.ok()) {
        key = o->referral_id();
      } else if (auto a = bus::UnpackEvent<ov1::AttendanceRecorded>(e.event); a.ok()) {
        key = a->session_id();
      } else if (auto q = bus::UnpackEvent<ov1::QuestionnaireAnswered>(e.event); q.ok()) {
        key = absl::StrCat(q->referral_id(), "|", ov1::TimePoint_Name(q->time_point()), "|",
                           ov1::Instrument_Name(q->instrument()));
      } else {
        continue;
      }
      out.events_by_key[e.name + "|" + key]++;
    }
    EXPECT_EQ(DeadLetters(), 0u);
    out.scheduling_messages = nats_->StreamCount("KPR_SCHEDULING").value_or(0);
    out.referral_messages = nats_->StreamCount("KPR_REFERRAL").value_or(0);
    return out;
  }

  bool repeats_ = false;
};

TEST_F(OutcomesRedeliveryTest, RepeatsAndRestartsCountNothingTwice) {
  const RunResult plain = Run(false);
  if (HasFatalFailure()) return;
  ASSERT_NO_FATAL_FAILURE(ResetWorld());
  const RunResult repeated = Run(true);
  if (HasFatalFailure()) return;

  // What the plain run must say, from the raw data.
  const ov1::OutcomeReport& r = plain.cohort_report;
  EXPECT_EQ(r.participants().value(), 6);
  EXPECT_EQ(r.completed().state(),
            ov1::FIGURE_STATE_SUPPRESSED);  // 5 of 6, with 1 drop-out (rd06: 1 of 6 present)
  EXPECT_EQ(r.dropped_out().state(), ov1::FIGURE_STATE_SUPPRESSED);
  double rate_sum = 0;
  for (const Person& p : kPeople) {
    int present = 0, counted = 0;
    for (const char* m = p.marks; *m; ++m) {
      present += *m == 'P';
      counted += *m != 'E';
    }
    rate_sum += static_cast<double>(present) / counted;
  }
  EXPECT_EQ(r.attendance_mean().state(), ov1::FIGURE_STATE_SHOWN);
  EXPECT_NEAR(r.attendance_mean().value(), 100 * rate_sum / 6, 1e-9);
  double baseline = 0, end = 0;
  for (const Person& p : kPeople) baseline += 4 * p.who5_baseline, end += 4 * p.who5_end;
  EXPECT_EQ(r.who5().baseline_n().value(), 6);
  EXPECT_EQ(r.who5().paired_n().value(), 6);
  EXPECT_NEAR(r.who5().baseline_mean().value(), baseline / 6, 1e-9);
  EXPECT_NEAR(r.who5().end_mean().value(), end / 6, 1e-9);
  EXPECT_NEAR(r.who5().mean_change().value(), (end - baseline) / 6, 1e-9);
  double wai_change = 0;
  for (const Person& p : kPeople) wai_change += p.who5_end / 3 - p.who5_baseline / 3;
  EXPECT_NEAR(r.wai().mean_change().value(), wai_change / 6, 1e-9);
  EXPECT_EQ(plain.program_report.funnel().referred().value(), 6);
  EXPECT_EQ(plain.program_report.funnel().enrolled().value(), 6);
  for (const auto& a : plain.attendance.participants()) {
    int present = 0;
    for (const Person& p : kPeople) {
      if (p.id == a.referral_id()) {
        for (const char* m = p.marks; *m; ++m) present += *m == 'P';
      }
    }
    EXPECT_EQ(a.present(), present) << a.referral_id();
  }

  // The repeats did reach the service: the copies under new Nats-Msg-Ids are on the streams
  // (the same-id copies were dropped by JetStream), plus the redelivery after the restart.
  EXPECT_EQ(plain.scheduling_messages, 9u);
  EXPECT_EQ(repeated.scheduling_messages, 2 * 9u + kPeople.size() + 1);
  EXPECT_EQ(plain.referral_messages, 6u * 5);
  EXPECT_EQ(repeated.referral_messages, 2 * 6u * 5);

  // Every fact once: one due per participant and time point, one outcome each, one attendance
  // record per session, one answer per instrument and time point.
  for (const RunResult* run : {&plain, &repeated}) {
    for (const auto& [key, n] : run->events_by_key) EXPECT_EQ(n, 1) << key;
  }
  EXPECT_EQ(repeated.events_by_name.at("questionnaire_due"), 12);
  EXPECT_EQ(repeated.events_by_name.at("outcome_recorded"), 6);
  EXPECT_EQ(repeated.events_by_name.at("attendance_recorded"), kSessions);
  EXPECT_EQ(repeated.events_by_name.at("questionnaire_answered"), 24);

  // And the repeated run ends exactly where the plain one did.
  MessageDifferencer diff;
  std::string report;
  diff.ReportDifferencesToString(&report);
  EXPECT_TRUE(diff.Compare(plain.cohort_report, repeated.cohort_report))
      << "cohort report differs:\n"
      << report;
  report.clear();
  EXPECT_TRUE(diff.Compare(plain.program_report, repeated.program_report))
      << "program report differs:\n"
      << report;
  report.clear();
  EXPECT_TRUE(diff.Compare(plain.attendance, repeated.attendance)) << "attendance differs:\n"
                                                                   << report;
  report.clear();
  EXPECT_TRUE(diff.Compare(plain.schedule, repeated.schedule)) << "schedule differs:\n" << report;
  EXPECT_EQ(plain.events_by_key, repeated.events_by_key);
  EXPECT_EQ(plain.events_by_name, repeated.events_by_name);
}

}  // namespace
}  // namespace kpr::testing
