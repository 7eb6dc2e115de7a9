#ifndef KPR_TESTS_SUPPORT_OUTCOMES_FIXTURE_H_
#define KPR_TESTS_SUPPORT_OUTCOMES_FIXTURE_H_

// An outcomes server in this process on the harness's Redis and NATS, on a clock the test moves
// (the desk and the timer worker share it, so moving it walks the questionnaire time points and
// the settle timer), with helpers that publish scheduling and referral events to JetStream
// exactly as kpr-scheduling and kpr-referral do, and read what the service put on KPR_OUTCOMES.
// The NATS client is the tests' own plain nats.c one (TestNats), not kpr's bus library.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/rpc/jwt.h"
#include "services/outcomes/outcomes_server.h"
#include "tests/support/referral_testing.h"
#include "tests/support/who5_testing.h"

namespace kpr::testing {

// The test's clock. Thread-safe: the timer worker and the desk read it on their threads.
class FakeClock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_;
};

// Danish local time (sessions' days and minutes are local), loaded by the test itself.
absl::TimeZone Copenhagen();
absl::Time Local(absl::CivilMinute minute);

// A cohort as kpr-scheduling would announce it: one session per day, all at the same hours.
struct CohortPlan {
  std::string municipality = "0165";
  std::string cohort_id;
  std::string program_id;
  std::vector<absl::CivilDay> days;
  int start_minute = 10 * 60;  // 10:00 local
  int end_minute = 12 * 60;
  std::string instructor_id;
  std::vector<std::string> referral_ids;

  std::string SessionId(int index) const;
  static std::string CitizenId(const std::string& referral_id) { return "cit-" + referral_id; }
  absl::Time SessionStart(int index) const;
  scheduling::v1::CohortPlanned Planned() const;
  scheduling::v1::Enrolled Enrolled(const std::string& referral_id) const;
  scheduling::v1::Unenrolled Unenrolled(const std::string& referral_id) const;
  scheduling::v1::CohortStarted Started() const;
  scheduling::v1::CohortCompleted Completed() const;
};

// An event the service published on KPR_OUTCOMES.
struct OutcomesEvent {
  std::string name;    // subject token: "questionnaire_due", "outcome_recorded", ...
  std::string msg_id;  // Nats-Msg-Id
  common::v1::Event event;
};

class OutcomesTest : public ::testing::Test {
 protected:
  static constexpr char kM[] = "0165";

  void SetUp() override;
  void TearDown() override;

  // Starts an OutcomesServer on the fixture's clock; waits until it serves and its consumers run.
  void StartServer();
  // Shuts the running server down (its SIGTERM drain) and forgets it.
  void StopServer();
  void RestartServer() {
    StopServer();
    StartServer();
  }
  // A fresh world: server stopped, Redis flushed, streams deleted, the clock back at the start
  // (15 February 2027), and a new server.
  void ResetWorld();

  absl::Time Now() const { return clock_->Now(); }
  // Moves the clock and wakes the timer worker.
  void SetClock(absl::Time t);

  std::string Token(identity::Role role, const std::string& subject = "e2e-coordinator",
                    std::vector<std::string> municipalities = {"0165"}) const;

  // A call context with a token and a deadline.
  struct Ctx {
    grpc::ClientContext ctx;
    explicit Ctx(const std::string& token);
  };
  outcomes::v1::OutcomesService::Stub& stub() { return *stub_; }

  // The envelope kpr-scheduling / kpr-referral build (id, type, municipality, occurred_at = the
  // fake clock, payload).
  common::v1::Event Envelope(const std::string& id, const google::protobuf::Message& payload,
                             const std::string& municipality = kM) const;
  // Publishes `e` on kpr.<context>.v1.<name>.<m> with Nats-Msg-Id = msg_id (default: e.id()),
  // and waits for the ack.
  absl::Status Publish(const std::string& context, const std::string& name,
                       const common::v1::Event& e, const std::string& msg_id = "");
  absl::Status PublishScheduling(const std::string& name, const std::string& id,
                                 const google::protobuf::Message& payload);
  // cohort_planned, enrolled per participant, cohort_started (ids as kpr-scheduling makes them).
  absl::Status PublishPlannedEnrolledStarted(const CohortPlan& plan);

  // True once the outcomes consumers have handled everything on their streams (nothing pending,
  // nothing unacknowledged).
  bool WaitConsumersDrained(absl::Duration timeout = absl::Seconds(60));
  // Everything on KPR_OUTCOMES, optionally only events named `name`.
  std::vector<OutcomesEvent> OutcomesEvents(const std::string& name = "");
  // Waits until at least `n` events named `name` are on KPR_OUTCOMES.
  bool WaitOutcomesEvents(const std::string& name, size_t n,
                          absl::Duration timeout = absl::Seconds(60));
  // Messages on KPR_DLQ.
  uint64_t DeadLetters();

  Secrets secrets_;
  std::shared_ptr<FakeClock> clock_;
  absl::Duration settle_delay_ = absl::Hours(1);
  std::unique_ptr<outcomes::OutcomesServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<outcomes::v1::OutcomesService::Stub> stub_;
  std::unique_ptr<TestNats> nats_;
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_OUTCOMES_FIXTURE_H_
