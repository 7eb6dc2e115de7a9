// Runs the kprctl binary against an in-process fake OutcomesService: checks what the outcomes
// commands send (token, deadline, fields), what they print (and do not print: answers) and
// their exit codes. The fake answers from fixed data; no Redis, NATS or real service is involved.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"

namespace kpr::kprctl {
namespace {

namespace ov1 = ::kpr::outcomes::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

struct Call {
  std::string method;
  std::string authorization;
  bool has_deadline = false;
  std::string request;  // text format
};

constexpr char kCsv[] = "figure,value\r\nparticipants,12\r\ncompleted,suppressed\r\n";
constexpr char kText[] = "Outcome report 0165 sund-med-kultur\nparticipants  12\n";

class FakeOutcomes final : public ov1::OutcomesService::Service {
 public:
  std::vector<Call> calls() {
    absl::MutexLock l(&mu_);
    return calls_;
  }
  std::vector<std::string> methods() {
    std::vector<std::string> out;
    for (const auto& c : calls()) out.push_back(c.method);
    return out;
  }
  void Clear() {
    absl::MutexLock l(&mu_);
    calls_.clear();
  }

  grpc::Status RecordAttendance(grpc::ServerContext* ctx, const ov1::RecordAttendanceRequest* req,
                                ov1::SessionAttendance* resp) override {
    Record("RecordAttendance", ctx, *req);
    if (req->expected_version() == 9) {
      return grpc::Status(grpc::StatusCode::ABORTED, "session 0165-S1 is at version 2, not 9");
    }
    resp->set_municipality(req->municipality());
    resp->set_cohort_id("0165-C1");
    resp->set_session_id(req->session_id());
    resp->set_day("2027-01-18");
    *resp->mutable_entries() = req->entries();
    resp->set_version(req->expected_version() + 1);
    return grpc::Status::OK;
  }
  grpc::Status GetAttendance(grpc::ServerContext* ctx, const ov1::GetAttendanceRequest* req,
                             ov1::GetAttendanceResponse* resp) override {
    Record("GetAttendance", ctx, *req);
    resp->set_cohort_id(req->cohort_id());
    auto* s = resp->add_sessions();
    s->set_session_id("0165-S1");
    s->set_day("2027-01-18");
    s->set_version(1);
    auto* e = s->add_entries();
    e->set_referral_id("r1");
    e->set_mark(ov1::ATTENDANCE_MARK_ABSENT);
    auto* p = resp->add_participants();
    p->set_referral_id("r1");
    p->set_absent(1);
    return grpc::Status::OK;
  }
  grpc::Status SubmitQuestionnaire(grpc::ServerContext* ctx,
                                   const ov1::SubmitQuestionnaireRequest* req,
                                   ov1::Questionnaire* resp) override {
    Record("SubmitQuestionnaire", ctx, *req);
    if (req->time_point() == ov1::TIME_POINT_FOLLOWUP_12M) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "FOLLOWUP_12M of 0165-R1 opens 2028-03-01");
    }
    resp->set_municipality(req->municipality());
    resp->set_referral_id(req->referral_id());
    resp->set_instrument(ov1::INSTRUMENT_WHO5);
    resp->set_time_point(req->time_point());
    *resp->mutable_who5() = req->who5();
    resp->mutable_score()->set_who5_raw(13);
    resp->mutable_score()->set_who5_percentage(52);
    resp->set_submitted_by("coord-1");
    resp->set_revision(1);
    return grpc::Status::OK;
  }
  grpc::Status GetQuestionnaires(grpc::ServerContext* ctx, const ov1::GetQuestionnairesRequest* req,
                                 ov1::GetQuestionnairesResponse* resp) override {
    Record("GetQuestionnaires", ctx, *req);
    auto* q = resp->add_questionnaires();
    q->set_referral_id(req->referral_id());
    q->set_instrument(ov1::INSTRUMENT_WHO5);
    q->set_time_point(ov1::TIME_POINT_BASELINE);
    auto* w = q->mutable_who5();
    w->set_cheerful(4);
    w->set_calm(1);
    w->set_active(2);
    w->set_rested(0);
    w->set_interested(3);
    q->mutable_score()->set_who5_raw(10);
    q->mutable_score()->set_who5_percentage(40);
    q->set_revision(1);
    return grpc::Status::OK;
  }
  grpc::Status ListQuestionnaireSchedule(grpc::ServerContext* ctx,
                                         const ov1::ListQuestionnaireScheduleRequest* req,
                                         ov1::ListQuestionnaireScheduleResponse* resp) override {
    Record("ListQuestionnaireSchedule", ctx, *req);
    auto* s = resp->add_schedule();
    s->set_referral_id("r1");
    s->set_cohort_id(req->cohort_id());
    s->set_time_point(ov1::TIME_POINT_END);
    s->set_state(ov1::TIME_POINT_STATE_DUE);
    s->add_instruments(ov1::INSTRUMENT_WHO5);
    return grpc::Status::OK;
  }
  grpc::Status ExportReport(grpc::ServerContext* ctx, const ov1::ExportReportRequest* req,
                            ov1::ExportReportResponse* resp) override {
    Record("ExportReport", ctx, *req);
    if (req->format() == ov1::EXPORT_FORMAT_CSV) {
      resp->set_content_type("text/csv");
      resp->set_filename("kpr-0165-sund-med-kultur-2027.csv");
      resp->set_content(kCsv);
    } else {
      resp->set_content_type("text/plain");
      resp->set_content(kText);
    }
    return grpc::Status::OK;
  }

 private:
  void Record(const std::string& method, grpc::ServerContext* ctx,
              const google::protobuf::Message& req) {
    Call c;
    c.method = method;
    auto auth = ctx->client_metadata().find("authorization");
    if (auth != ctx->client_metadata().end()) {
      c.authorization = std::string(auth->second.data(), auth->second.size());
    }
    // No deadline arrives as "infinitely far": a kprctl call always sets one.
    c.has_deadline = ctx->deadline() < std::chrono::system_clock::now() + std::chrono::hours(1);
    c.request = req.ShortDebugString();
    absl::MutexLock l(&mu_);
    calls_.push_back(std::move(c));
  }

  absl::Mutex mu_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
};

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class OutcomesCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fake_ = new FakeOutcomes;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(fake_);
    server_ = builder.BuildAndStart().release();
    ASSERT_NE(server_, nullptr);
  }
  static void TearDownTestSuite() {
    server_->Shutdown();
    delete server_;
    delete fake_;
  }
  void SetUp() override { fake_->Clear(); }

  // Runs kprctl with `args` (shell words) and a clean environment in New York's time zone (days
  // and times must stay Danish): the fake's address in $KPR_OUTCOMES_ADDR, and `env` (e.g.
  // "KPR_TOKEN=t") added.
  Outcome Kprctl(const std::string& args, const std::string& env = "",
                 const std::string& stdin_file = "") {
    const char* bin_dir = std::getenv("KPR_BIN_DIR");
    std::string bin = absl::StrCat(bin_dir ? bin_dir : ".", "/tools/kprctl/kprctl");
    std::string dir = ::testing::TempDir();
    std::string out = dir + "/kprctl_outcomes_cli.out", err = dir + "/kprctl_outcomes_cli.err";
    std::string cmd = absl::StrCat(
        "env -u KPR_TOKEN -u KPR_MUNICIPALITY -u KPR_OUTCOMES_ADDR TZ=America/New_York "
        "KPR_OUTCOMES_ADDR=127.0.0.1:",
        port_, " ", env, " ", bin, " --timeout 5 ", args, " >", out, " 2>", err,
        stdin_file.empty() ? " </dev/null" : " <" + stdin_file);
    int status = std::system(cmd.c_str());
    Outcome r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  std::string WriteTemp(const std::string& name, const std::string& content) {
    std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static FakeOutcomes* fake_;
  static grpc::Server* server_;
  static int port_;
};

FakeOutcomes* OutcomesCli::fake_ = nullptr;
grpc::Server* OutcomesCli::server_ = nullptr;
int OutcomesCli::port_ = 0;

TEST_F(OutcomesCli, AttendanceRecordSendsTheWholeSessionWithTokenAndDeadline) {
  Outcome r = Kprctl(
      "outcomes attendance record --municipality 0165 --session 0165-S1 "
      "--present r1,r2 --absent r3 --excused r4 --token tok-1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(fake_->methods(), ElementsAre("RecordAttendance"));
  const Call c = fake_->calls()[0];
  EXPECT_EQ(c.authorization, "Bearer tok-1");
  EXPECT_TRUE(c.has_deadline);
  EXPECT_EQ(c.request,
            "municipality: \"0165\" session_id: \"0165-S1\" "
            "entries { referral_id: \"r1\" mark: ATTENDANCE_MARK_PRESENT } "
            "entries { referral_id: \"r2\" mark: ATTENDANCE_MARK_PRESENT } "
            "entries { referral_id: \"r3\" mark: ATTENDANCE_MARK_ABSENT } "
            "entries { referral_id: \"r4\" mark: ATTENDANCE_MARK_EXCUSED }");  // expected_version
                                                                               // 0: first time
  EXPECT_EQ(r.out,
            "Recorded session 0165-S1 of cohort 0165-C1 (2027-01-18): 2 present, 1 absent, "
            "1 excused (version 1).\n");
}

TEST_F(OutcomesCli, AttendanceCorrectionWithAStaleVersionExplainsItself) {
  Outcome ok = Kprctl(
      "outcomes attendance record --session 0165-S1 --absent r1 "
      "--expected-version 1",
      "KPR_TOKEN=t KPR_MUNICIPALITY=0165");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  ASSERT_THAT(fake_->methods(), ElementsAre("RecordAttendance"));
  EXPECT_THAT(fake_->calls()[0].request, HasSubstr("municipality: \"0165\""));  // from the env
  EXPECT_THAT(fake_->calls()[0].request, HasSubstr("expected_version: 1"));
  EXPECT_THAT(ok.out, HasSubstr("(version 2)"));

  Outcome stale = Kprctl(
      "outcomes attendance record --municipality 0165 --session 0165-S1 "
      "--absent r1 --expected-version 9",
      "KPR_TOKEN=t");
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, HasSubstr("ABORTED: session 0165-S1 is at version 2, not 9"));
  EXPECT_THAT(stale.err, HasSubstr("--expected-version"));
}

TEST_F(OutcomesCli, AttendanceGetPrintsTheGrid) {
  Outcome r = Kprctl("outcomes attendance get --municipality 0165 --cohort 0165-C1", "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(fake_->methods(), ElementsAre("GetAttendance"));
  EXPECT_EQ(fake_->calls()[0].request, "municipality: \"0165\" cohort_id: \"0165-C1\"");
  EXPECT_THAT(r.out, HasSubstr("Attendance of cohort 0165-C1: 1 session recorded, 1 participant"));
  EXPECT_THAT(r.out, HasSubstr("  REFERRAL  1  PRESENT  ABSENT  EXCUSED  RATE"));
  EXPECT_THAT(r.out, HasSubstr("  r1        A        0       1        0   0 %"));
  Outcome json =
      Kprctl("--json outcomes attendance get --municipality 0165 --cohort 0165-C1", "KPR_TOKEN=t");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"mark\": \"ATTENDANCE_MARK_ABSENT\""));
}

TEST_F(OutcomesCli, SubmitWho5SendsTheAnswersButPrintsNone) {
  Outcome r = Kprctl(
      "outcomes questionnaire submit --municipality 0165 --referral 0165-R1 "
      "--time-point baseline --who5 4,1,2,0,3",
      "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(fake_->methods(), ElementsAre("SubmitQuestionnaire"));
  EXPECT_EQ(fake_->calls()[0].request,
            "municipality: \"0165\" referral_id: \"0165-R1\" time_point: TIME_POINT_BASELINE "
            "who5 { cheerful: 4 calm: 1 active: 2 rested: 0 interested: 3 }");
  EXPECT_EQ(r.out, "Saved WHO-5 at baseline for referral 0165-R1: revision 1 by coord-1.\n");

  // --json neither: the response's answers and score are dropped.
  Outcome json = Kprctl(
      "--json outcomes questionnaire submit --municipality 0165 --referral "
      "0165-R1 --time-point end --who5 4,1,2,0,3",
      "KPR_TOKEN=t");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"revision\": 1"));
  EXPECT_THAT(json.out, HasSubstr("\"time_point\": \"TIME_POINT_END\""));
  for (const char* hidden : {"who5\"", "cheerful", "score", "52", "13"}) {
    EXPECT_THAT(json.out, Not(HasSubstr(hidden))) << hidden;
  }
}

TEST_F(OutcomesCli, SubmitReadsAnswersFromStandardInput) {
  std::string answers = WriteTemp("who5-answers.txt", " 3,3,2,2,3\n");
  Outcome r = Kprctl(
      "outcomes questionnaire submit --municipality 0165 --referral 0165-R1 "
      "--time-point 1m --who5 -",
      "KPR_TOKEN=t", answers);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(fake_->methods(), ElementsAre("SubmitQuestionnaire"));
  EXPECT_THAT(
      fake_->calls()[0].request,
      HasSubstr("time_point: TIME_POINT_FOLLOWUP_1M who5 { cheerful: 3 calm: 3 active: 2 rested: 2 "
                "interested: 3 }"));
}

TEST_F(OutcomesCli, SubmitOutsideTheWindowFailsWithTheServicesReason) {
  Outcome r = Kprctl(
      "outcomes questionnaire submit --municipality 0165 --referral 0165-R1 "
      "--time-point 12m --who5 3,3,2,2,3",
      "KPR_TOKEN=t");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION: FOLLOWUP_12M of 0165-R1 opens 2028-03-01"));
}

TEST_F(OutcomesCli, QuestionnaireGetShowsTheAnswers) {
  Outcome r =
      Kprctl("outcomes questionnaire get --municipality 0165 --referral 0165-R1", "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Questionnaires of referral 0165-R1"));
  EXPECT_THAT(r.out, HasSubstr("baseline    who5"));
  EXPECT_THAT(r.out, HasSubstr("40 % (raw 10)  4,1,2,0,3\n"));
}

TEST_F(OutcomesCli, ScheduleListsTimePointsWithoutAnswers) {
  Outcome r = Kprctl("outcomes schedule --municipality 0165 --cohort 0165-C1", "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(fake_->methods(), ElementsAre("ListQuestionnaireSchedule"));
  EXPECT_THAT(r.out, HasSubstr("Questionnaires of cohort 0165-C1: 1 participant; 1 due.\n"));
  EXPECT_THAT(r.out, HasSubstr("  r1        end         due"));
}

TEST_F(OutcomesCli, ReportProgramPrintsTextAndWritesCsv) {
  Outcome text = Kprctl(
      "outcomes report program --municipality 0165 --program sund-med-kultur "
      "--from 2027-01-01 --to 2028-01-01",
      "KPR_TOKEN=t");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, kText);
  // Danish midnight (kprctl runs in New York here): 2026-12-31T23:00Z and 2027-12-31T23:00Z.
  ASSERT_THAT(fake_->methods(), ElementsAre("ExportReport"));
  EXPECT_EQ(fake_->calls()[0].request,
            "program { municipality: \"0165\" program_id: \"sund-med-kultur\" "
            "from { seconds: 1798758000 } to { seconds: 1830294000 } } format: EXPORT_FORMAT_TEXT");

  std::string path = ::testing::TempDir() + "/kprctl_outcomes_report.csv";
  std::remove(path.c_str());
  Outcome csv = Kprctl(absl::StrCat("outcomes report program --municipality 0165 --program "
                                    "sund-med-kultur --format csv --out ",
                                    path),
                       "KPR_TOKEN=t");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(ReadFile(path), kCsv);  // bytes as sent, CRLF kept
  EXPECT_EQ(csv.out, absl::StrCat("Wrote ", path, " (text/csv, ", sizeof(kCsv) - 1, " bytes).\n"));
  ASSERT_EQ(fake_->calls().size(), 2u);
  EXPECT_EQ(fake_->calls()[1].request,
            "program { municipality: \"0165\" program_id: \"sund-med-kultur\" } format: "
            "EXPORT_FORMAT_CSV");
  EXPECT_FALSE(std::ifstream(path + ".tmp").good());
}

TEST_F(OutcomesCli, ReportCohortAsJsonWithTheJsonFlag) {
  Outcome r =
      Kprctl("--json outcomes report cohort --municipality 0165 --cohort 0165-C1", "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(fake_->methods(), ElementsAre("ExportReport"));
  EXPECT_EQ(fake_->calls()[0].request,
            "cohort { municipality: \"0165\" cohort_id: \"0165-C1\" } format: EXPORT_FORMAT_JSON");
}

TEST_F(OutcomesCli, BadArgumentsOrNoTokenCallNothing) {
  Outcome who5 = Kprctl(
      "outcomes questionnaire submit --municipality 0165 --referral R "
      "--time-point baseline --who5 3,3,2",
      "KPR_TOKEN=t");
  EXPECT_EQ(who5.exit_code, 2);
  EXPECT_THAT(who5.err, HasSubstr("--who5: expected five answers 0..5"));
  Outcome option =
      Kprctl("outcomes schedule --municipality 0165 --cohort C --program P", "KPR_TOKEN=t");
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_THAT(option.err, HasSubstr("outcomes schedule does not take --program"));
  Outcome sub = Kprctl("outcomes attendance", "KPR_TOKEN=t");
  EXPECT_EQ(sub.exit_code, 2);
  EXPECT_THAT(sub.err, HasSubstr("outcomes attendance needs a subcommand: record get"));
  Outcome no_token = Kprctl("outcomes schedule --municipality 0165 --cohort C");
  EXPECT_EQ(no_token.exit_code, 2);
  EXPECT_THAT(no_token.err, HasSubstr("no token"));
  EXPECT_THAT(fake_->calls(), IsEmpty());
}

TEST_F(OutcomesCli, TheAddressFlagBeatsTheEnvironmentAndAnUnreachableServiceIsNamed) {
  Outcome r = Kprctl(
      "--outcomes-addr 127.0.0.1:1 --timeout 2 outcomes schedule --municipality "
      "0165 --cohort C",
      "KPR_TOKEN=t");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is kpr-outcomes running at 127.0.0.1:1?"));
  EXPECT_THAT(fake_->calls(), IsEmpty());
}

TEST_F(OutcomesCli, HelpListsTheOutcomesCommands) {
  Outcome r = Kprctl("help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("--outcomes-addr HOST:PORT"));
  EXPECT_THAT(r.out, HasSubstr("outcomes attendance record"));
  EXPECT_THAT(r.out, HasSubstr("outcomes report program"));
}

}  // namespace
}  // namespace kpr::kprctl
