#ifndef KPR_TESTS_HARNESS_SERVERS_H_
#define KPR_TESTS_HARNESS_SERVERS_H_

// The integration-test harness: starts Debian's redis-server and `nats-server -js` on free
// loopback ports, in a scratch directory, once per test binary (its main() does it), and hands
// the addresses to the tests. Tests can stop and restart either server on the same port and data
// directory to simulate an outage. Also starts the kpr binaries as child processes.

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace kpr::testing {

class SmtpSink;       // tests/harness/smtp_sink.h
class SmsGatewaySim;  // tests/harness/sms_gateway_sim.h

// The first of `candidates` that is an executable file (else the first), e.g. nats-server's path.
std::string FindBinary(const std::vector<std::string>& candidates);

// A free TCP port on 127.0.0.1, below the kernel's ephemeral range (in
// [kFreePortLow, kFreePortLow + kFreePortSpan)) where the machine allows it, so that no outgoing
// connection takes it before the server binds it. A Redis Cluster node also listens on
// port + 10000, which then is never a port FreePort hands out.
inline constexpr int kFreePortLow = 10000;
inline constexpr int kFreePortSpan = 10000;
int FreePort();
// Whether a server could bind 127.0.0.1:port now.
bool PortBindable(int port);

// A child process with its stdout+stderr in a log file.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
               std::string log_path);
  ~ChildProcess();  // SIGKILL if still running
  absl::Status Start();
  bool Running();
  // Sends `signal` and waits up to `timeout` for exit; returns the wait status or -1.
  int Signal(int signal, absl::Duration timeout = absl::Seconds(10));
  void Kill() { Signal(9); }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  std::string ReadLog() const;

 private:
  std::vector<std::string> argv_;
  std::map<std::string, std::string> env_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// Waits until something accepts TCP connections on 127.0.0.1:port.
absl::Status WaitForPort(int port, absl::Duration timeout);

class RedisServer {
 public:
  explicit RedisServer(std::string dir);
  absl::Status Start();  // same port and data dir every time
  void Stop();           // SIGKILL-free: SHUTDOWN via SIGTERM, waits for exit
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  std::string url() const;
  bool running();

 private:
  std::string dir_;
  std::string host_ = "127.0.0.1";
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

class NatsServer {
 public:
  explicit NatsServer(std::string dir);
  absl::Status Start();
  void Stop();
  int port() const { return port_; }
  int monitor_port() const { return monitor_port_; }
  std::string url() const;
  bool running();

 private:
  std::string dir_;
  int port_;
  int monitor_port_;
  std::unique_ptr<ChildProcess> process_;
};

// The servers of this test binary, started by the harness main() before any test runs.
class Servers {
 public:
  static RedisServer& Redis();
  static NatsServer& Nats();
  // The notify service's outside peers, started on first use (in Dir()/smtp; in process) and
  // stopped by ShutdownHarness. Call Reset() on them between tests. The gateway's API token and
  // callback secret are in SmsGateway().options(): kTestGatewayToken, kTestCallbackSecret.
  static SmtpSink& Smtp();
  static SmsGatewaySim& SmsGateway();
  // Scratch directory of this test binary (removed at exit unless KPR_KEEP_TEST_DIR is set).
  static const std::string& Dir();
};

inline constexpr char kTestGatewayToken[] = "kpr-test-gateway-token";
inline constexpr char kTestCallbackSecret[] = "kpr-test-callback-secret";

// Files in Dir() holding kTestGatewayToken and kTestCallbackSecret, written on first use: what
// KPR_SMS_GATEWAY_TOKEN_FILE and KPR_NOTIFY_CALLBACK_SECRET_FILE point a notify under test at.
const std::string& TestGatewayTokenFile();
const std::string& TestCallbackSecretFile();

// Starts the servers of this binary in `dir` (the harness main does this; benchmarks call it).
void InitHarness(const std::string& dir);
void ShutdownHarness();

// FLUSHALL on the harness Redis.
absl::Status FlushRedis();
// Deletes every JetStream stream on the harness NATS server.
absl::Status DeleteAllStreams();

// Directory holding the built binaries (kpr-referral, kprctl), from KPR_BIN_DIR set by ctest.
std::string BinaryDir();

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_SERVERS_H_
