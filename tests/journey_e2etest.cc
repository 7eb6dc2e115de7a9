// The whole journey, end to end, through all four service binaries under the shared simulated
// clock (kpr-<service>-sim; one time source in Redis, moved with `kprctl clock`), with the SMS
// gateway simulator and the SMTP sink as the outside world. A jobcenter integration refers 24
// synthetic citizens over NATS; a coordinator accepts them with kprctl; scheduling places them
// in two cohorts; the clock walks the six weeks, the settling and the 1- and 12-month follow-ups
// (tests/support/semester.h). Then the test checks, against its own arithmetic on what it sent:
//   - the semester's ledger (semester_audit.h): every referral's end and the status changes the
//     jobcenter saw, enrolments, attendance marks, answers and the messages notify sent, each
//     once; and the sinks hold what notify says it sent;
//   - the program report shows the funnel, attendance, the WHO-5 change, employment at 1 and 12
//     months and each target met or not, every figure equal to the test's own.

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "libs/calendar/danish_time.h"
#include "libs/calendar/proto_time.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/harness/smtp_sink.h"
#include "tests/support/referral_testing.h"
#include "tests/support/semester.h"
#include "tests/support/semester_audit.h"
#include "tests/support/sim_clock_testing.h"
#include "tests/support/suite_processes.h"

namespace kpr::testing {
namespace {

namespace ov1 = ::kpr::outcomes::v1;
namespace rv1 = ::kpr::referral::v1;
using identity::Role;

constexpr char kM[] = "0165";
constexpr char kProgram[] = "sund-med-kultur";

// A figure the report must show with `value` (counts exactly, means and shares to 1e-6).
void ExpectShown(const ov1::Figure& f, double value, const std::string& what) {
  ASSERT_EQ(f.state(), ov1::FIGURE_STATE_SHOWN) << what << " is not shown";
  EXPECT_NEAR(f.value(), value, 1e-6) << what;
}

class Journey : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FlushRedis().ok());
    ASSERT_TRUE(DeleteAllStreams().ok());
    Servers::SmsGateway().Reset();
    ASSERT_TRUE(Servers::Smtp().Reset().ok());
    secrets_ = WriteSecrets(Servers::Dir());
    // The shared clock starts where the semester does, before the services read it.
    ASSERT_TRUE(SetSimClock(calendar::LocalToAbsolute(absl::CivilMinute(kStart) + 9 * 60)).ok());
    suite_ = std::make_unique<SuiteProcesses>(secrets_, SuiteOptions{});
    absl::Status st = suite_->Start();
    ASSERT_TRUE(st.ok()) << st;
  }

  void TearDown() override {
    if (suite_) suite_->TerminateAll();
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& service) {
    return grpc::CreateChannel(suite_->Target(service), grpc::InsecureChannelCredentials());
  }

  static constexpr absl::CivilDay kStart = absl::CivilDay(2027, 3, 1);
  Secrets secrets_;
  std::unique_ptr<SuiteProcesses> suite_;
};

// Attendance rate of one participant as outcomes defines it: present / (recorded - excused).
std::optional<double> Rate(const Citizen& c) {
  int present = 0, counted = 0;
  for (ov1::AttendanceMark m : c.marks) {
    if (m == ov1::ATTENDANCE_MARK_EXCUSED) continue;
    ++counted;
    present += m == ov1::ATTENDANCE_MARK_PRESENT;
  }
  if (counted == 0) return std::nullopt;
  return static_cast<double>(present) / counted;
}

bool Oriented(ov1::EmploymentStatus s) {
  return s == ov1::EMPLOYMENT_STATUS_ORDINARY_WORK || s == ov1::EMPLOYMENT_STATUS_SUBSIDISED_WORK ||
         s == ov1::EMPLOYMENT_STATUS_EDUCATION ||
         s == ov1::EMPLOYMENT_STATUS_EMPLOYMENT_ORIENTED_MEASURE;
}

TEST_F(Journey, ASemesterThroughAllFourServicesEndsInAProgramReport) {
  SemesterPlan plan;
  plan.municipalities = {kM};
  plan.program_id = kProgram;
  plan.referrals_arrive = kStart;
  auto run = RunSemester(suite_->Endpoints(), plan, &std::cerr);
  ASSERT_TRUE(run.ok()) << run.status() << "\n" << suite_->Logs();
  ASSERT_EQ(run->citizens.size(), 24u);
  ASSERT_EQ(run->cohorts.size(), 2u);
  std::cerr << "semester: " << run->clock_steps << " clock steps, simulated "
            << absl::FormatTime(run->started_at) << " to " << absl::FormatTime(run->ended_at)
            << "\n";

  // Every referral, enrolment, attendance mark, answer and message, read back.
  auto ledger = AuditSemester(suite_->Endpoints(), plan.municipalities, *run);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  for (const std::string& p : ledger->problems) ADD_FAILURE() << p;
  int completed = 0, dropped_out = 0;
  for (const Citizen& c : run->citizens) (c.leaves ? dropped_out : completed)++;
  EXPECT_EQ(ledger->referrals, 24);
  EXPECT_EQ(Servers::SmsGateway().stats().accepted, ledger->sms_sent);
  EXPECT_EQ(static_cast<int>(Servers::Smtp().CountByMessageId().size()), ledger->email_sent);
  EXPECT_EQ(Servers::SmsGateway().stats().duplicates, 0);

  // The program report, as an analyst reads it.
  auto outcomes = ov1::OutcomesService::NewStub(Channel("outcomes"));
  ov1::GetProgramReportRequest req;
  req.set_municipality(kM);
  req.set_program_id(kProgram);
  *req.mutable_from() =
      calendar::ToTimestamp(calendar::LocalToAbsolute(absl::CivilMinute(2027, 3, 1)));
  *req.mutable_to() =
      calendar::ToTimestamp(calendar::LocalToAbsolute(absl::CivilMinute(2027, 7, 1)));
  ov1::OutcomeReport report;
  {
    CallAs call(MakeToken(secrets_.jwt_secret, Role::kAnalyst, {kM}, "journey-analyst"));
    grpc::Status st = outcomes->GetProgramReport(&call.ctx, req, &report);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  std::cerr << report.DebugString();
  EXPECT_EQ(report.cohorts(), 2);
  ExpectShown(report.participants(), 24, "participants");
  ExpectShown(report.completed(), completed, "completed");
  ExpectShown(report.dropped_out(), dropped_out, "dropped_out");

  double rate_sum = 0;
  int rated = 0, at_least_80 = 0;
  double baseline_sum = 0, end_sum = 0, change_sum = 0;
  int baseline_n = 0, end_n = 0, paired = 0, improved = 0;
  int responders_1m = 0, oriented_1m = 0, responders_12m = 0, ordinary_12m = 0;
  for (const Citizen& c : run->citizens) {
    if (auto r = Rate(c)) {
      rate_sum += *r;
      ++rated;
      at_least_80 += *r >= 0.8;
    }
    if (c.who5_baseline >= 0) baseline_sum += 4 * c.who5_baseline, ++baseline_n;
    if (c.who5_end >= 0) end_sum += 4 * c.who5_end, ++end_n;
    if (c.who5_baseline >= 0 && c.who5_end >= 0) {
      ++paired;
      change_sum += 4 * (c.who5_end - c.who5_baseline);
      improved += 4 * (c.who5_end - c.who5_baseline) >= 10;
    }
    if (c.employment_1m != ov1::EMPLOYMENT_STATUS_UNSPECIFIED) {
      ++responders_1m;
      oriented_1m += Oriented(c.employment_1m);
    }
    if (c.employment_12m != ov1::EMPLOYMENT_STATUS_UNSPECIFIED) {
      ++responders_12m;
      ordinary_12m += c.employment_12m == ov1::EMPLOYMENT_STATUS_ORDINARY_WORK ||
                      c.employment_12m == ov1::EMPLOYMENT_STATUS_EDUCATION;
    }
  }
  ASSERT_EQ(baseline_n, 24);
  ASSERT_EQ(paired, completed);
  ASSERT_EQ(responders_12m, completed) << "the clock reached the 12-month follow-up";
  const double attendance_mean = 100 * rate_sum / rated;
  ExpectShown(report.attendance_mean(), attendance_mean, "attendance_mean");
  ExpectShown(report.attendance_at_least_80(), at_least_80, "attendance_at_least_80");
  ExpectShown(report.who5().baseline_mean(), baseline_sum / baseline_n, "who5 baseline_mean");
  ExpectShown(report.who5().end_mean(), end_sum / end_n, "who5 end_mean");
  ExpectShown(report.who5().paired_n(), paired, "who5 paired_n");
  const double mean_change = change_sum / paired;
  ExpectShown(report.who5().mean_change(), mean_change, "who5 mean_change");
  ExpectShown(report.who5().improved(), improved, "who5 improved");
  ExpectShown(report.employment_1m().responders(), responders_1m, "employment_1m responders");
  ExpectShown(report.employment_1m().oriented(), oriented_1m, "employment_1m oriented");
  ExpectShown(report.employment_12m().ordinary_or_education(), ordinary_12m,
              "employment_12m ordinary_or_education");
  ExpectShown(report.funnel().referred(), 24, "funnel referred");
  ExpectShown(report.funnel().accepted(), 24, "funnel accepted");
  ExpectShown(report.funnel().enrolled(), 24, "funnel enrolled");
  ExpectShown(report.funnel().completed(), completed, "funnel completed");
  ExpectShown(report.funnel().dropped_out(), dropped_out, "funnel dropped_out");

  std::map<std::string, ov1::TargetState> targets;
  for (const ov1::TargetResult& t : report.targets()) targets[t.target()] = t.state();
  auto met = [](bool yes) { return yes ? ov1::TARGET_STATE_MET : ov1::TARGET_STATE_NOT_MET; };
  EXPECT_EQ(targets["attendance"], met(attendance_mean >= 80));
  EXPECT_EQ(targets["who5_change"], met(mean_change >= 10));
  EXPECT_EQ(targets["employment_1m"], met(100.0 * oriented_1m / responders_1m >= 100.0 / 3));
  EXPECT_EQ(targets["employment_12m"], met(100.0 * ordinary_12m / responders_12m >= 10));
}

}  // namespace
}  // namespace kpr::testing
