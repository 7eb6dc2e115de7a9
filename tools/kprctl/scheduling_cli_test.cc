// Runs the kprctl binary against an in-process fake SchedulingService: checks what the commands
// send (token, deadline, fields, order of calls), what they print and their exit codes. The
// fake answers from fixed data; no Redis, NATS or real service is involved.
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
#include "kpr/scheduling/v1/scheduling_service.grpc.pb.h"

namespace kpr::kprctl {
namespace {

namespace sv1 = ::kpr::scheduling::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Call {
  std::string method;
  std::string authorization;
  bool has_deadline = false;
  std::string request;  // text format
};

class FakeScheduling final : public sv1::SchedulingService::Service {
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

  grpc::Status PutInstitution(grpc::ServerContext* ctx, const sv1::PutInstitutionRequest* req,
                              sv1::Institution* resp) override {
    Record("PutInstitution", ctx, *req);
    *resp = req->institution();
    resp->set_version(1);
    return grpc::Status::OK;
  }
  grpc::Status PutInstructor(grpc::ServerContext* ctx, const sv1::PutInstructorRequest* req,
                             sv1::Instructor* resp) override {
    Record("PutInstructor", ctx, *req);
    if (req->instructor().instructor_id() == "refused") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "availability: weekday 9");
    }
    *resp = req->instructor();
    resp->set_version(2);
    return grpc::Status::OK;
  }
  grpc::Status PutCalendar(grpc::ServerContext* ctx, const sv1::PutCalendarRequest* req,
                           sv1::MunicipalityCalendar* resp) override {
    Record("PutCalendar", ctx, *req);
    *resp = req->calendar();
    resp->set_version(1);
    return grpc::Status::OK;
  }
  grpc::Status PutProgram(grpc::ServerContext* ctx, const sv1::PutProgramRequest* req,
                          sv1::ProgramTemplate* resp) override {
    Record("PutProgram", ctx, *req);
    *resp = req->program();
    resp->set_version(1);
    return grpc::Status::OK;
  }
  grpc::Status PlanCohort(grpc::ServerContext* ctx, const sv1::PlanCohortRequest* req,
                          sv1::PlanCohortResponse* resp) override {
    Record("PlanCohort", ctx, *req);
    if (req->program_id() == "blocked") {
      resp->set_feasible(false);
      auto* o = resp->add_obstacles();
      o->set_constraint("venue_booked");
      o->set_institution_id("musik");
      o->add_weeks("2027-W03");
      o->add_weeks("2027-W04");
      o->set_message("Both rooms at musik are booked on Tuesday mornings.");
      return grpc::Status::OK;
    }
    resp->set_feasible(true);
    resp->set_score(0.5);
    *resp->add_sessions() = Session("", 0, "2027-01-18");
    return grpc::Status::OK;
  }
  grpc::Status CreateCohort(grpc::ServerContext* ctx, const sv1::CreateCohortRequest* req,
                            sv1::CreateCohortResponse* resp) override {
    Record("CreateCohort", ctx, *req);
    if (req->program_id() == "blocked") {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "no timetable: venue_booked at musik in 2027-W03");
    }
    resp->set_created(true);
    resp->mutable_cohort()->set_cohort_id("0165-C9");
    resp->mutable_cohort()->set_name(req->name());
    *resp->add_sessions() = Session("0165-S1", 0, "2027-01-18");
    return grpc::Status::OK;
  }
  grpc::Status GetCohort(grpc::ServerContext* ctx, const sv1::GetCohortRequest* req,
                         sv1::Cohort* resp) override {
    Record("GetCohort", ctx, *req);
    resp->set_cohort_id(req->cohort_id());
    resp->set_version(5);
    return grpc::Status::OK;
  }
  grpc::Status ListCohorts(grpc::ServerContext* ctx, const sv1::ListCohortsRequest* req,
                           sv1::ListCohortsResponse* resp) override {
    Record("ListCohorts", ctx, *req);
    if (req->page_token().empty()) {
      resp->add_cohorts()->set_cohort_id("0165-C1");
      resp->set_next_page_token("page-2");
    } else {
      resp->add_cohorts()->set_cohort_id("0165-C2");
    }
    return grpc::Status::OK;
  }
  grpc::Status CancelCohort(grpc::ServerContext* ctx, const sv1::CancelCohortRequest* req,
                            sv1::Cohort* resp) override {
    Record("CancelCohort", ctx, *req);
    resp->set_cohort_id(req->cohort_id());
    resp->set_status(sv1::COHORT_STATUS_CANCELLED);
    resp->set_version(req->expected_version() + 1);
    return grpc::Status::OK;
  }
  grpc::Status ListSessions(grpc::ServerContext* ctx, const sv1::ListSessionsRequest* req,
                            sv1::ListSessionsResponse* resp) override {
    Record("ListSessions", ctx, *req);
    *resp->add_sessions() = Session("0165-S2", 1, "2027-01-20");
    *resp->add_sessions() = Session("0165-S1", 0, "2027-01-18");
    return grpc::Status::OK;
  }
  grpc::Status ExportCalendar(grpc::ServerContext* ctx, const sv1::ExportCalendarRequest* req,
                              sv1::ExportCalendarResponse* resp) override {
    Record("ExportCalendar", ctx, *req);
    resp->set_ics(kIcs);
    return grpc::Status::OK;
  }

  static constexpr char kIcs[] =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

 private:
  static sv1::Session Session(const std::string& id, int index, const std::string& day) {
    sv1::Session s;
    s.set_session_id(id);
    s.set_cohort_id("0165-C9");
    s.set_index(index);
    s.set_activity_id("music");
    s.set_day(day);
    s.set_start_minute(540);
    s.set_end_minute(660);
    s.set_institution_id("musik");
    s.set_venue_id("sal-1");
    s.set_instructor_id("ins-a");
    s.set_version(1);
    return s;
  }

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

class SchedulingCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fake_ = new FakeScheduling;
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

  // Runs kprctl with `args` (shell words) and a clean environment: the fake's address, and
  // `env` (e.g. "KPR_TOKEN=t") added.
  Outcome Kprctl(const std::string& args, const std::string& env = "",
                 const std::string& stdin_file = "") {
    const char* bin_dir = std::getenv("KPR_BIN_DIR");
    std::string bin = absl::StrCat(bin_dir ? bin_dir : ".", "/tools/kprctl/kprctl");
    std::string dir = ::testing::TempDir();
    std::string out = dir + "/kprctl_cli.out", err = dir + "/kprctl_cli.err";
    std::string cmd = absl::StrCat(
        "env -u KPR_TOKEN -u KPR_MUNICIPALITY -u KPR_SCHEDULING_ADDR "
        "KPR_SCHEDULING_ADDR=127.0.0.1:",
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

  static FakeScheduling* fake_;
  static grpc::Server* server_;
  static int port_;
};

FakeScheduling* SchedulingCli::fake_ = nullptr;
grpc::Server* SchedulingCli::server_ = nullptr;
int SchedulingCli::port_ = 0;

constexpr char kBundle[] = R"json({
  "programs": [{"municipality": "0165", "programId": "kultur-6", "name": "Kultur", "weeks": 6,
                "version": "7"}],
  "calendars": [{"municipality": "0165"}],
  "instructors": [{"municipality": "0165", "instructorId": "ins-a", "institutionId": "musik",
                   "displayName": "Anna Testesen"}],
  "institutions": [{"municipality": "0165", "institutionId": "musik", "name": "Musikskolen"}]
})json";

TEST_F(SchedulingCli, CatalogLoadPutsInstitutionsFirstWithTokenDeadlineAndOverwrite) {
  std::string file = WriteTemp("bundle.json", kBundle);
  Outcome r = Kprctl(absl::StrCat("catalog load --file ", file, " --token tok-1"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(fake_->methods(),
              ElementsAre("PutInstitution", "PutInstructor", "PutCalendar", "PutProgram"));
  for (const auto& c : fake_->calls()) {
    EXPECT_EQ(c.authorization, "Bearer tok-1") << c.method;
    EXPECT_TRUE(c.has_deadline) << c.method;
    EXPECT_THAT(c.request, Not(HasSubstr("version")))
        << c.request;  // 0 = overwrite; no stale version
  }
  EXPECT_THAT(r.out,
              HasSubstr("loaded institution 0165/musik \"Musikskolen\", 0 venues (version 1)\n"));
  EXPECT_THAT(r.out,
              HasSubstr("loaded instructor  0165/ins-a \"Anna Testesen\" at musik (version 2)\n"));
  EXPECT_THAT(r.out, HasSubstr("Loaded 4 entries.\n"));
}

TEST_F(SchedulingCli, CatalogLoadReadsStandardInputAndStopsAtTheFirstRefusal) {
  std::string file = WriteTemp("bundle-refused.json", R"({
    "institutions": [{"municipality": "0165", "institutionId": "musik"}],
    "instructors": [{"municipality": "0165", "instructorId": "refused"}],
    "programs": [{"municipality": "0165", "programId": "p"}]})");
  Outcome r = Kprctl("catalog load --file -", "KPR_TOKEN=tok-env", file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(fake_->methods(), ElementsAre("PutInstitution", "PutInstructor"));
  EXPECT_EQ(fake_->calls()[0].authorization, "Bearer tok-env");
  EXPECT_THAT(r.err, HasSubstr("loading instructor  0165/refused"));
  EXPECT_THAT(r.err,
              HasSubstr("INVALID_ARGUMENT: availability: weekday 9; 1 entry loaded before it"));
}

TEST_F(SchedulingCli, CatalogDryRunCallsNothing) {
  std::string file = WriteTemp("bundle-dry.json", kBundle);
  Outcome r = Kprctl(absl::StrCat("catalog load --dry-run --file ", file));  // no token needed
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fake_->calls().empty());
  EXPECT_THAT(r.out, HasSubstr("Would load:\n  institution 0165/musik"));
}

TEST_F(SchedulingCli, PlanPrintsTheTimetableOrTheObstaclesWithExitCode3) {
  Outcome ok =
      Kprctl("plan --municipality 0165 --program kultur-6 --start-week 2027-W03 --capacity 10",
             "KPR_TOKEN=t");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out,
              HasSubstr("Proposed timetable: 1 session, 2027-01-18 to 2027-01-18, score 0.50"));
  EXPECT_THAT(ok.out, HasSubstr("2027-W03  2027-01-18  Mon  09:00-11:00  music"));
  EXPECT_THAT(
      fake_->calls()[0].request,
      HasSubstr("program_id: \"kultur-6\" start_iso_year: 2027 start_iso_week: 3 capacity: 10"));

  Outcome blocked =
      Kprctl("plan --municipality 0165 --program blocked --start-week 2027-W03", "KPR_TOKEN=t");
  EXPECT_EQ(blocked.exit_code, 3);
  EXPECT_THAT(blocked.out, HasSubstr("No timetable exists"));
  EXPECT_THAT(blocked.out, HasSubstr("venue_booked  musik        2027-W03..W04  Both rooms"));

  Outcome json = Kprctl("--json plan --municipality 0165 --program blocked --start-week 2027-W03",
                        "KPR_TOKEN=t");
  EXPECT_EQ(json.exit_code, 3);
  EXPECT_THAT(json.out, HasSubstr("\"constraint\": \"venue_booked\""));
}

TEST_F(SchedulingCli, CohortCreateSendsARandomRequestIdAndExits3WithoutATimetable) {
  Outcome ok = Kprctl(
      "cohort create --municipality 0165 --program kultur-6 --start-week 2027-W03 "
      "--name Hold-A",
      "KPR_TOKEN=t KPR_MUNICIPALITY=0183");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("Created cohort 0165-C9."));
  ASSERT_EQ(fake_->calls().size(), 1u);
  EXPECT_THAT(fake_->calls()[0].request, HasSubstr("request_id: \"kprctl-"));
  EXPECT_THAT(fake_->calls()[0].request, HasSubstr("municipality: \"0165\""));  // flag beats env

  Outcome blocked = Kprctl("cohort create --program blocked --start-week 2027-W03 --name B",
                           "KPR_TOKEN=t KPR_MUNICIPALITY=0183");
  EXPECT_EQ(blocked.exit_code, 3);
  EXPECT_THAT(blocked.err, HasSubstr("no cohort was booked: no timetable: venue_booked"));
  EXPECT_THAT(fake_->calls()[1].request, HasSubstr("municipality: \"0183\""));  // from the env
}

TEST_F(SchedulingCli, CohortCancelReadsTheVersionWhenNotGiven) {
  Outcome r = Kprctl("cohort cancel --municipality 0165 --cohort 0165-C1 --reason 'too few'",
                     "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(fake_->methods(), ElementsAre("GetCohort", "CancelCohort"));
  EXPECT_THAT(fake_->calls()[1].request, HasSubstr("reason: \"too few\" expected_version: 5"));
  EXPECT_EQ(r.out, "Cohort 0165-C1 is now cancelled (version 6).\n");
}

TEST_F(SchedulingCli, CohortListAllFollowsPages) {
  Outcome r = Kprctl("cohort list --municipality 0165 --all", "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(fake_->methods(), ElementsAre("ListCohorts", "ListCohorts"));
  EXPECT_THAT(r.out, HasSubstr("0165-C1"));
  EXPECT_THAT(r.out, HasSubstr("0165-C2"));
  EXPECT_THAT(r.out, Not(HasSubstr("more:")));
}

TEST_F(SchedulingCli, SessionsShowTheWeekViewByDay) {
  Outcome r =
      Kprctl("sessions --municipality 0165 --institution musik --week 2027-W03", "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(fake_->calls()[0].request,
              HasSubstr("from_day: \"2027-01-18\" to_day: \"2027-01-24\""));
  EXPECT_THAT(r.out, StartsWith("Sessions of institution musik, 2027-01-18 to 2027-01-24:\n"));
  EXPECT_LT(r.out.find("Mon 2027-01-18"), r.out.find("Wed 2027-01-20"));
}

TEST_F(SchedulingCli, IcsWritesTheFileOrStandardOutput) {
  std::string path = ::testing::TempDir() + "/kprctl_cli.ics";
  std::remove(path.c_str());
  Outcome r =
      Kprctl(absl::StrCat("ics --municipality 0165 --cohort 0165-C9 --out ", path), "KPR_TOKEN=t");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(path), FakeScheduling::kIcs);
  EXPECT_THAT(r.out, HasSubstr("(2 events)"));
  Outcome to_stdout = Kprctl("ics --municipality 0165 --institution musik", "KPR_TOKEN=t");
  EXPECT_EQ(to_stdout.out, FakeScheduling::kIcs);  // CRLF kept
}

TEST_F(SchedulingCli, NoTokenOrBadArgumentsCallNothing) {
  Outcome no_token = Kprctl("programs --municipality 0165");
  EXPECT_EQ(no_token.exit_code, 2);
  EXPECT_THAT(no_token.err, HasSubstr("no token"));
  Outcome bad = Kprctl("plan --municipality 0165 --program p --start-week 2027-W99", "KPR_TOKEN=t");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--start-week: \"2027-W99\" is not an ISO week like 2027-W33: "
                                 "2027 has weeks 1-52"));
  EXPECT_TRUE(fake_->calls().empty());
}

TEST_F(SchedulingCli, AnUnreachableServiceIsNamed) {
  Outcome r = Kprctl("--scheduling-addr 127.0.0.1:1 --timeout 2 programs --municipality 0165",
                     "KPR_TOKEN=t");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is kpr-scheduling running at 127.0.0.1:1?"));
}

}  // namespace
}  // namespace kpr::kprctl
