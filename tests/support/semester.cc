#include "tests/support/semester.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/grpcpp.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "kpr/scheduling/v1/scheduling_service.grpc.pb.h"
#include "libs/calendar/danish_time.h"
#include "libs/calendar/iso_week.h"
#include "libs/calendar/proto_time.h"
#include "tests/support/command.h"
#include "tests/support/grpc_calls.h"
#include "tests/support/referral_testing.h"
#include "tests/support/suite_clock.h"
#include "tests/support/suite_probe.h"
#include "tests/support/who5_testing.h"

namespace kpr::testing {
namespace {

namespace ov1 = ::kpr::outcomes::v1;
namespace rv1 = ::kpr::referral::v1;
namespace sv1 = ::kpr::scheduling::v1;
using identity::Role;

absl::Time SessionStart(const sv1::Session& s) {
  absl::CivilDay day;
  absl::ParseCivilTime(s.day(), &day);
  return calendar::LocalToAbsolute(absl::CivilMinute(day) + s.start_minute());
}
absl::Time SessionEnd(const sv1::Session& s) {
  absl::CivilDay day;
  absl::ParseCivilTime(s.day(), &day);
  return calendar::LocalToAbsolute(absl::CivilMinute(day) + s.end_minute());
}

// What happens at a moment of the walk.
struct Moment {
  absl::Time at;
  enum Kind { kReminders, kAttendance } kind;
  size_t cohort = 0;   // index into run.cohorts
  size_t session = 0;  // index into its sessions
};

class Semester {
 public:
  Semester(const SuiteEndpoints& suite, const SemesterPlan& plan, std::ostream* log)
      : suite_(suite), plan_(plan), log_(log) {}

  absl::StatusOr<SemesterRun> Run() {
    auto probe = SuiteProbe::Connect(suite_.redis_url, suite_.nats_url);
    if (!probe.ok()) return probe.status();
    probe_ = *std::move(probe);
    auto channel = [](const std::string& target) {
      return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    };
    referrals_ = rv1::ReferralService::NewStub(channel(suite_.referral));
    scheduling_ = sv1::SchedulingService::NewStub(channel(suite_.scheduling));
    outcomes_ = ov1::OutcomesService::NewStub(channel(suite_.outcomes));
    coordinator_ = MakeToken(suite_.jwt_secret, Role::kCoordinator, plan_.municipalities,
                             "semester-coordinator");

    run_.started_at = calendar::LocalToAbsolute(absl::CivilMinute(plan_.referrals_arrive) + 9 * 60);
    clock_ = std::make_unique<SuiteClock>(
        *probe_, plan_.municipalities,
        [this](std::vector<std::string> args) {
          return Kprctl(std::move(args), Role::kAdmin).status();
        },
        plan_.idle_timeout);
    // The clock is set before the -sim services start (they never go back): start from where
    // it is now, if that is already the semester's start.
    if (absl::Status st = clock_->Resume(); !st.ok()) return st;
    if (absl::Status st = Step(run_.started_at); !st.ok()) return st;
    for (auto step : {&Semester::LoadCatalog, &Semester::CreateCohorts, &Semester::Refer,
                      &Semester::Screen, &Semester::AwaitPlacements, &Semester::Walk}) {
      if (absl::Status st = (this->*step)(); !st.ok()) return st;
    }
    run_.ended_at = clock_->now();
    return run_;
  }

 private:
  void Log(absl::string_view line) {
    if (log_ != nullptr)
      *log_ << absl::FormatTime("[%Y-%m-%d %H:%M] ", clock_->now(), absl::LocalTimeZone()) << line
            << std::endl;
  }

  // kprctl as `role` of `municipalities` (default: the plan's).
  absl::StatusOr<CommandResult> Kprctl(std::vector<std::string> args, Role role,
                                       std::vector<std::string> municipalities = {}) {
    if (municipalities.empty()) municipalities = plan_.municipalities;
    args.insert(args.begin(), suite_.kprctl);
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    absl::StatusOr<CommandResult> r;
    while (true) {
      r = RunCommand(args, {{"KPR_TOKEN", MakeToken(suite_.jwt_secret, role, municipalities,
                                                    role == Role::kAdmin ? "semester-admin"
                                                                         : "semester-coordinator")},
                            {"KPR_REFERRAL_ADDR", suite_.referral},
                            {"KPR_SCHEDULING_ADDR", suite_.scheduling},
                            {"KPR_OUTCOMES_ADDR", suite_.outcomes},
                            {"KPR_NOTIFY_ADDR", suite_.notify},
                            {"KPR_REDIS_URL", suite_.redis_url}});
      if (!r.ok()) return r.status();
      // As Retrying: a replica or a Redis primary gone under the call; kprctl says UNAVAILABLE.
      if (r->exit_code == 0 || !absl::StrContains(r->err, "UNAVAILABLE") ||
          absl::Now() > deadline) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(250));
    }
    if (r->exit_code != 0) {
      return absl::InternalError(
          absl::StrCat("kprctl ", absl::StrJoin(args.begin() + 1, args.end(), " "), ": ", r->err));
    }
    return r;
  }

  // Moves the shared clock to `t` (never back, never past stop_at) and waits until the suite
  // has done what the move set off.
  absl::Status Step(absl::Time t) {
    if (t > plan_.stop_at || t <= clock_->now()) return absl::OkStatus();
    if (absl::Status st = clock_->MoveTo(t); !st.ok()) return st;
    ++run_.clock_steps;
    // While the services work on what the move set off: the scale-out test's failures.
    if (plan_.during_step) {
      if (absl::Status st = plan_.during_step(run_.clock_steps); !st.ok()) return st;
    }
    return WaitIdle();
  }

  absl::Status WaitIdle() { return clock_->WaitIdle(); }

  absl::Status LoadCatalog() {
    Log("admin loads the catalog");
    // The admin of every municipality the catalog names.
    std::ifstream in(suite_.catalog_file);
    const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::set<std::string> named(plan_.municipalities.begin(), plan_.municipalities.end());
    static const std::regex kMunicipality("\"municipality\"\\s*:\\s*\"([0-9]{4})\"");
    for (auto it = std::sregex_iterator(json.begin(), json.end(), kMunicipality);
         it != std::sregex_iterator(); ++it) {
      named.insert((*it)[1]);
    }
    return Kprctl({"catalog", "load", "--file", suite_.catalog_file}, Role::kAdmin,
                  {named.begin(), named.end()})
        .status();
  }

  absl::Status CreateCohorts() {
    const absl::CivilDay first = plan_.referrals_arrive + 7 * plan_.lead_weeks;
    for (const std::string& m : plan_.municipalities) {
      for (int c = 0; c < plan_.cohorts; ++c) {
        const absl::CivilDay week = first + 7 * c;
        sv1::CreateCohortRequest req;
        req.set_municipality(m);
        req.set_program_id(plan_.program_id);
        req.set_start_iso_year(calendar::IsoWeekYear(week));
        req.set_start_iso_week(calendar::IsoWeek(week));
        req.set_name(absl::StrCat("Hold ", calendar::IsoWeekLabel(week)));
        req.set_request_id(absl::StrCat("semester-", m, "-", c));
        sv1::CreateCohortResponse resp;
        if (auto st = Retrying("CreateCohort",
                               [&] {
                                 CallAs call(coordinator_);
                                 return scheduling_->CreateCohort(&call.ctx, req, &resp);
                               });
            !st.ok()) {
          return st;
        }
        CohortRun cohort{m, resp.cohort().cohort_id(), {}};
        Log(absl::StrCat("coordinator plans cohort ", cohort.cohort_id, " in ", m, " from ",
                         resp.cohort().first_day()));
        run_.cohorts.push_back(std::move(cohort));
      }
    }
    return WaitIdle();
  }

  absl::Status Refer() {
    int mi = 0;
    for (const std::string& m : plan_.municipalities) {
      ++mi;
      for (int i = 1; i <= plan_.citizens; ++i) {
        Citizen c;
        c.n = mi * 1000 + i;
        c.municipality = m;
        c.leaves = Leaves(c.n);
        const intake::v1::ReferralSubmitted s =
            SemesterSubmission(c.n, m, plan_.program_id, clock_->now());
        c.external_id = s.external_id();
        const std::string id = absl::StrCat("semester-intake-", m, "-", c.n);
        const std::string data = IntakeEnvelope(s, id, m);
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MsgId = id.c_str();
        jsPubAck* ack = nullptr;
        jsErrCode code;
        natsStatus st = js_Publish(&ack, probe_->js(),
                                   absl::StrCat("kpr.intake.v1.referral_submitted.", m).c_str(),
                                   data.data(), static_cast<int>(data.size()), &po, &code);
        if (ack != nullptr) jsPubAck_Destroy(ack);
        if (st != NATS_OK) {
          return absl::UnavailableError(absl::StrCat("publish referral: ", natsStatus_GetText(st)));
        }
        run_.citizens.push_back(std::move(c));
      }
      Log(absl::StrCat("the jobcenter refers ", plan_.citizens, " citizens in ", m));
    }
    if (absl::Status st = WaitIdle(); !st.ok()) return st;
    // kpr-referral assigned the ids; find them by the jobcenter's case id.
    std::map<std::string, std::string> ids;
    for (const std::string& m : plan_.municipalities) {
      rv1::ListReferralsRequest req;
      req.set_municipality(m);
      req.set_page_size(500);
      rv1::ListReferralsResponse resp;
      if (auto st = Retrying("ListReferrals",
                             [&] {
                               CallAs call(coordinator_);
                               return referrals_->ListReferrals(&call.ctx, req, &resp);
                             });
          !st.ok()) {
        return st;
      }
      for (const rv1::Referral& r : resp.referrals())
        ids[r.municipality() + r.external_id()] = r.id();
    }
    for (Citizen& c : run_.citizens) {
      auto it = ids.find(c.municipality + c.external_id);
      if (it == ids.end()) {
        return absl::NotFoundError(absl::StrCat("referral ", c.external_id, " was not received"));
      }
      c.referral_id = it->second;
    }
    return absl::OkStatus();
  }

  // The coordinator holds the intake talk and accepts, with kprctl.
  absl::Status Screen() {
    for (const Citizen& c : run_.citizens) {
      for (std::vector<std::string> args :
           {std::vector<std::string>{"under_review", "--note", "intake booked"},
            std::vector<std::string>{"accepted"}}) {
        args.insert(args.begin(), {"--addr", suite_.referral, "status", c.referral_id});
        if (auto r = Kprctl(args, Role::kCoordinator); !r.ok()) return r.status();
      }
    }
    Log(absl::StrCat("coordinator screens and accepts ", run_.citizens.size(), " referrals"));
    return WaitIdle();
  }

  absl::Status AwaitPlacements() {
    for (Citizen& c : run_.citizens) {
      rv1::GetReferralRequest req;
      req.set_id(c.referral_id);
      rv1::Referral r;
      if (auto st = Retrying("GetReferral",
                             [&] {
                               CallAs call(coordinator_);
                               return referrals_->GetReferral(&call.ctx, req, &r);
                             });
          !st.ok()) {
        return st;
      }
      if (r.status() != rv1::REFERRAL_STATUS_ENROLLED) {
        return absl::FailedPreconditionError(absl::StrCat("referral ", c.referral_id, " is ",
                                                          rv1::ReferralStatus_Name(r.status()),
                                                          ", not ENROLLED"));
      }
      c.cohort_id = r.placement().cohort_id();
    }
    for (CohortRun& cohort : run_.cohorts) {
      int seen = 0;
      for (const Citizen& c : run_.citizens) seen += c.cohort_id == cohort.cohort_id;
      sv1::ListSessionsRequest req;
      req.set_municipality(cohort.municipality);
      req.set_cohort_id(cohort.cohort_id);
      sv1::ListSessionsResponse resp;
      if (auto st = Retrying("ListSessions",
                             [&] {
                               CallAs call(coordinator_);
                               return scheduling_->ListSessions(&call.ctx, req, &resp);
                             });
          !st.ok()) {
        return st;
      }
      cohort.sessions.assign(resp.sessions().begin(), resp.sessions().end());
      std::sort(cohort.sessions.begin(), cohort.sessions.end(),
                [](const sv1::Session& a, const sv1::Session& b) { return a.index() < b.index(); });
      Log(absl::StrCat("cohort ", cohort.cohort_id, ": ", seen, " enrolled, ",
                       cohort.sessions.size(), " sessions"));
    }
    return absl::OkStatus();
  }

  absl::Status Walk();
  absl::Status RecordAttendance(size_t cohort, size_t session);
  absl::Status Leave(Citizen& c);
  absl::Status AnswerOpenQuestionnaires();
  absl::Status Answer(Citizen& c, ov1::TimePoint tp);

  const SuiteEndpoints& suite_;
  const SemesterPlan& plan_;
  std::ostream* log_;
  std::unique_ptr<SuiteProbe> probe_;
  std::unique_ptr<rv1::ReferralService::Stub> referrals_;
  std::unique_ptr<sv1::SchedulingService::Stub> scheduling_;
  std::unique_ptr<ov1::OutcomesService::Stub> outcomes_;
  std::string coordinator_;
  std::unique_ptr<SuiteClock> clock_;
  SemesterRun run_;
  std::set<std::pair<std::string, int>> answered_;  // (referral, time point)
  std::set<absl::Time> later_;                      // moments the questionnaires open
};

absl::Status Semester::Walk() {
  std::vector<Moment> moments;
  for (size_t c = 0; c < run_.cohorts.size(); ++c) {
    for (size_t s = 0; s < run_.cohorts[c].sessions.size(); ++s) {
      const sv1::Session& session = run_.cohorts[c].sessions[s];
      const absl::Time start = SessionStart(session);
      moments.push_back({start - absl::Hours(24) + absl::Minutes(1), Moment::kReminders, c, s});
      moments.push_back({start - absl::Hours(2) + absl::Minutes(1), Moment::kReminders, c, s});
      moments.push_back({SessionEnd(session) + absl::Minutes(30), Moment::kAttendance, c, s});
    }
  }
  std::stable_sort(moments.begin(), moments.end(),
                   [](const Moment& a, const Moment& b) { return a.at < b.at; });
  for (const Moment& m : moments) {
    if (m.at > plan_.stop_at) break;
    if (absl::Status st = Step(m.at); !st.ok()) return st;
    if (m.kind == Moment::kAttendance) {
      if (absl::Status st = RecordAttendance(m.cohort, m.session); !st.ok()) return st;
    }
    if (absl::Status st = AnswerOpenQuestionnaires(); !st.ok()) return st;
  }
  // After the last session: the cohorts settle, the follow-ups open. Visit every moment a
  // questionnaire opens (learnt from outcomes' schedule) until none is left before stop_at.
  while (!later_.empty()) {
    const absl::Time next = *later_.begin();
    later_.erase(later_.begin());
    if (next > plan_.stop_at) break;
    if (absl::Status st = Step(next); !st.ok()) return st;
    if (absl::Status st = AnswerOpenQuestionnaires(); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status Semester::RecordAttendance(size_t cohort_index, size_t session_index) {
  CohortRun& cohort = run_.cohorts[cohort_index];
  const sv1::Session& session = cohort.sessions[session_index];
  const size_t leave_after = cohort.sessions.size() / 2;
  ov1::RecordAttendanceRequest req;
  req.set_municipality(cohort.municipality);
  req.set_session_id(session.session_id());
  std::vector<Citizen*> leaving;
  for (Citizen& c : run_.citizens) {
    if (c.cohort_id != cohort.cohort_id) continue;
    if (c.leaves && session_index >= leave_after) continue;
    const ov1::AttendanceMark mark = Mark(c.n, session.index());
    c.marks.push_back(mark);
    ov1::AttendanceEntry* e = req.add_entries();
    e->set_referral_id(c.referral_id);
    e->set_mark(mark);
    if (c.leaves && session_index + 1 == leave_after) leaving.push_back(&c);
  }
  // The session's instructor records it.
  const std::string instructor = MakeToken(suite_.jwt_secret, Role::kInstructor,
                                           {cohort.municipality}, session.instructor_id());
  ov1::SessionAttendance resp;
  if (auto st = Retrying("RecordAttendance",
                         [&] {
                           CallAs call(instructor);
                           return outcomes_->RecordAttendance(&call.ctx, req, &resp);
                         });
      !st.ok()) {
    return st;
  }
  for (Citizen* c : leaving) {
    if (absl::Status st = Leave(*c); !st.ok()) return st;
  }
  return WaitIdle();
}

absl::Status Semester::Leave(Citizen& c) {
  sv1::UnenrollRequest req;
  req.set_municipality(c.municipality);
  req.set_cohort_id(c.cohort_id);
  req.set_referral_id(c.referral_id);
  req.set_reason_code(sv1::CHANGE_REASON_CITIZEN_LEFT);
  sv1::UnenrollResponse resp;
  Log(absl::StrCat("a participant leaves cohort ", c.cohort_id));
  int attempts = 0;
  absl::Status st = Retrying("Unenroll", [&] {
    ++attempts;
    CallAs call(coordinator_);
    return scheduling_->Unenroll(&call.ctx, req, &resp);
  });
  // A repeat whose first attempt went through (its answer lost) finds the citizen gone.
  if (attempts > 1 && (absl::IsFailedPrecondition(st) || absl::IsNotFound(st))) {
    return absl::OkStatus();
  }
  return st;
}

absl::Status Semester::AnswerOpenQuestionnaires() {
  std::map<std::string, Citizen*> by_referral;
  for (Citizen& c : run_.citizens) by_referral[c.referral_id] = &c;
  for (const CohortRun& cohort : run_.cohorts) {
    ov1::ListQuestionnaireScheduleRequest req;
    req.set_municipality(cohort.municipality);
    req.set_cohort_id(cohort.cohort_id);
    ov1::ListQuestionnaireScheduleResponse resp;
    if (auto st = Retrying("ListQuestionnaireSchedule",
                           [&] {
                             CallAs call(coordinator_);
                             return outcomes_->ListQuestionnaireSchedule(&call.ctx, req, &resp);
                           });
        !st.ok()) {
      return st;
    }
    for (const ov1::TimePointSchedule& s : resp.schedule()) {
      auto it = by_referral.find(s.referral_id());
      if (it == by_referral.end()) continue;
      if (s.state() == ov1::TIME_POINT_STATE_SCHEDULED) {
        later_.insert(calendar::FromTimestamp(s.opens_at()) + absl::Hours(1));
      } else if (s.state() == ov1::TIME_POINT_STATE_DUE ||
                 s.state() == ov1::TIME_POINT_STATE_OVERDUE) {
        if (absl::Status st = Answer(*it->second, s.time_point()); !st.ok()) return st;
      }
    }
  }
  return WaitIdle();
}

// The participant answers through the questionnaire form (a service identity).
absl::Status Semester::Answer(Citizen& c, ov1::TimePoint tp) {
  if (!answered_.insert({c.referral_id, tp}).second) return absl::OkStatus();
  std::vector<ov1::SubmitQuestionnaireRequest> forms;
  auto form = [&] {
    ov1::SubmitQuestionnaireRequest req;
    req.set_municipality(c.municipality);
    req.set_referral_id(c.referral_id);
    req.set_time_point(tp);
    return req;
  };
  switch (tp) {
    case ov1::TIME_POINT_BASELINE:
      c.who5_baseline = Who5Baseline(c.n);
      forms.push_back(form());
      *forms.back().mutable_who5() = Who5(c.who5_baseline);
      break;
    case ov1::TIME_POINT_END:
      c.who5_end = Who5End(c.n);
      forms.push_back(form());
      *forms.back().mutable_who5() = Who5(c.who5_end);
      break;
    case ov1::TIME_POINT_FOLLOWUP_1M:
      c.employment_1m = EmploymentAfter1Month(c.n);
      forms.push_back(form());
      forms.back().mutable_employment()->set_status(c.employment_1m);
      break;
    case ov1::TIME_POINT_FOLLOWUP_12M:
      c.employment_12m = EmploymentAfter12Months(c.n);
      forms.push_back(form());
      forms.back().mutable_employment()->set_status(c.employment_12m);
      break;
    default:
      return absl::OkStatus();
  }
  const std::string service =
      MakeToken(suite_.jwt_secret, Role::kService, {c.municipality}, "questionnaire-form");
  for (const ov1::SubmitQuestionnaireRequest& req : forms) {
    ov1::Questionnaire resp;
    if (auto st = Retrying(absl::StrCat("SubmitQuestionnaire ", ov1::TimePoint_Name(tp)),
                           [&] {
                             CallAs call(service);
                             return outcomes_->SubmitQuestionnaire(&call.ctx, req, &resp);
                           });
        !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SemesterRun> RunSemester(const SuiteEndpoints& suite, const SemesterPlan& plan,
                                        std::ostream* log) {
  Semester semester(suite, plan, log);
  return semester.Run();
}

}  // namespace kpr::testing
