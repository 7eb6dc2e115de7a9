#ifndef KPR_TESTS_SUPPORT_REFERRAL_TESTING_H_
#define KPR_TESTS_SUPPORT_REFERRAL_TESTING_H_

// Test support for the referral integration tests and benchmarks: synthetic citizens (never real
// people), secrets, tokens, a raw NATS client that does not use kpr's own bus library (so the
// tests check it rather than trust it), and kpr-referral as a child process.

#include <nats/nats.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "kpr/intake/v1/referral_submitted.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/rpc/config.h"
#include "libs/rpc/jwt.h"
#include "tests/harness/servers.h"

namespace kpr::testing {

struct Secrets {
  std::string jwt_secret;
  std::string jwt_secret_file;
  std::string data_key_file;
};
// Random secrets written to files under `dir`.
Secrets WriteSecrets(const std::string& dir);
// Replaces the file at `path` with `content`.
void WriteFile(const std::string& path, const std::string& content);

// A service configuration pointing at the harness servers, with ports picked by the OS.
rpc::ServiceConfig HarnessServiceConfig(const Secrets& secrets);

std::string MakeToken(const std::string& secret, identity::Role role,
                      std::vector<std::string> municipalities, std::string subject = "tester");

// A synthetic CPR number (valid date and century digit; serial from n), 10 digits.
std::string SyntheticCpr(int n);
// A synthetic Danish mobile number, 8 digits.
std::string SyntheticPhone(int n);
// A valid submission for citizen n.
intake::v1::ReferralSubmitted SyntheticSubmission(int n, const std::string& municipality,
                                                  const std::string& source_system = "fasit");

// A client call's context as `token`'s bearer, with a deadline: `CallAs c(token); stub->X(&c.ctx,
// ...)`.
struct CallAs {
  explicit CallAs(const std::string& token, absl::Duration timeout = absl::Seconds(30));
  grpc::ClientContext ctx;
};

// Submits `submission` over gRPC and takes the referral through UNDER_REVIEW to ACCEPTED as a
// coordinator with `token`; the referral as accepted.
absl::StatusOr<referral::v1::Referral> SubmitAndAccept(
    referral::v1::ReferralService::Stub& stub, const std::string& token,
    const intake::v1::ReferralSubmitted& submission);

// Serialized kpr.common.v1.Event around `submission` with the given id.
std::string IntakeEnvelope(const intake::v1::ReferralSubmitted& submission,
                           const std::string& event_id, const std::string& municipality);

struct StreamMessage {
  uint64_t sequence = 0;
  std::string subject;
  std::string data;
  std::string msg_id;
  absl::Time stored_at;  // the server's timestamp
};

// A plain nats.c JetStream client for tests.
class TestNats {
 public:
  static absl::StatusOr<std::unique_ptr<TestNats>> Connect(const std::string& url);
  ~TestNats();
  // Async publish with Nats-Msg-Id, waiting for all acks at the end (PublishAllAcked).
  absl::Status PublishAsync(const std::string& subject, const std::string& data,
                            const std::string& msg_id);
  absl::Status WaitPublished(absl::Duration timeout = absl::Seconds(30));
  // Creates the intake stream like the service does, so tests can publish before it starts.
  absl::Status EnsureStream(const std::string& name, const std::string& subject, bool work_queue);
  // Messages currently in `stream` (0 if it does not exist).
  absl::StatusOr<uint64_t> StreamCount(const std::string& stream);
  // Every message in `stream`, by direct get from first to last sequence.
  absl::StatusOr<std::vector<StreamMessage>> ReadStream(const std::string& stream);
  jsCtx* js() { return js_; }

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

// Polls `done` until it returns true or `timeout` passes.
bool Eventually(const std::function<bool()>& done, absl::Duration timeout,
                absl::Duration interval = absl::Milliseconds(50));

// Waits until gRPC health ("") at `grpc_address` says SERVING; `what` names it in the error.
absl::Status WaitServing(const std::string& grpc_address, absl::Duration timeout,
                         absl::string_view what);

// A kpr service binary (kpr-<service>) as a child process against the harness servers, started
// with only the required settings (plus `extra_env`).
class ServiceProcess {
 public:
  ServiceProcess(std::string service, const Secrets& secrets,
                 std::map<std::string, std::string> extra_env = {});
  // Runs kpr-<service>-sim instead, on the shared simulated clock (sim_clock_testing.h). Before
  // Start().
  void UseSimulatedClock() { binary_suffix_ = "-sim"; }
  absl::Status Start();
  // Waits until gRPC health says SERVING.
  absl::Status WaitServing(absl::Duration timeout = absl::Seconds(20));
  // Waits until this run's consumers are subscribed (their start is logged).
  absl::Status WaitConsuming(absl::Duration timeout = absl::Seconds(20));
  void Kill();      // SIGKILL
  int Terminate();  // SIGTERM, returns the wait status
  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }
  std::string grpc_address() const;
  std::string Log() const;  // everything the process wrote (all its runs)

 private:
  std::string service_;
  Secrets secrets_;
  std::map<std::string, std::string> extra_env_;
  int grpc_port_;
  int http_port_;
  std::string log_path_;
  std::string binary_suffix_;  // "" or "-sim"
  std::unique_ptr<ChildProcess> process_;
};

class ReferralProcess : public ServiceProcess {
 public:
  explicit ReferralProcess(const Secrets& secrets,
                           std::map<std::string, std::string> extra_env = {})
      : ServiceProcess("referral", secrets, std::move(extra_env)) {}
};

// Every key and value in Redis as text, for scanning for personal data in the clear.
absl::StatusOr<std::string> DumpRedis(int port);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_REFERRAL_TESTING_H_
