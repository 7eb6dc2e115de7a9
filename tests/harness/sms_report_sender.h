#ifndef KPR_TESTS_HARNESS_SMS_REPORT_SENDER_H_
#define KPR_TESTS_HARNESS_SMS_REPORT_SENDER_H_

// The SMS gateway simulator's outgoing side: delivery reports (and inbound replies) as signed
// JSON POSTs, sent at planned times by one thread, in order, and retried with backoff while the
// receiver answers anything but 2xx, as a gateway retries its webhooks.

#include <cstdint>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kpr::testing {

// The header that signs a callback: "sha256=" and the lower-case hex HMAC-SHA256 of the raw
// body under the shared secret.
inline constexpr char kSignatureHeader[] = "X-Kpr-Signature";
std::string SignatureValue(std::string_view secret, std::string_view body);

// How a callback is signed: properly, not at all, or with a wrong signature (to test refusal).
enum class Signature { kValid, kNone, kWrong };

// A delivery report; as JSON {"id", "msisdn" (a number), "time" (Unix seconds), "status",
// "error", "code", "userref"}, with null for an empty error, code or userref.
struct SimDeliveryReport {
  int64_t id = 0;
  std::string msisdn;  // digits only
  absl::Time time;
  std::string status;  // DELIVERED, ENROUTE, UNDELIVERABLE, ...
  std::string error;
  std::string code;
  std::string userref;
};
std::string ReportJson(const SimDeliveryReport& report);

// One attempt to deliver one report.
struct ReportAttempt {
  SimDeliveryReport report;
  std::string url;
  int attempt = 1;      // 1 for the first try
  int http_status = 0;  // the receiver's answer; 0 when it could not be reached
  Signature signature = Signature::kValid;
};

class ReportSender {
 public:
  ReportSender(std::string secret, int max_attempts, absl::Duration backoff);
  ~ReportSender();  // Stop()

  void Start();
  void Stop();  // drops what is queued

  void Schedule(absl::Time at, std::string url, SimDeliveryReport report, Signature signature);
  // POSTs `body` to `url` now, signed as asked: the HTTP status, or an error when unreachable.
  absl::StatusOr<int> Post(const std::string& url, const std::string& body,
                           Signature signature) const;

  std::vector<ReportAttempt> Attempts() const;
  // True once nothing is queued or being sent.
  bool WaitIdle(absl::Duration timeout);
  void Clear();  // queued reports and recorded attempts

 private:
  struct Job {
    absl::Time at;
    int64_t seq;  // keeps reports due at the same time in the order they were scheduled
    std::string url;
    SimDeliveryReport report;
    Signature signature;
    int attempt;
    bool operator>(const Job& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void Run();

  const std::string secret_;
  const int max_attempts_;
  const absl::Duration backoff_;
  mutable absl::Mutex mu_;
  absl::CondVar changed_;
  std::priority_queue<Job, std::vector<Job>, std::greater<Job>> queue_ ABSL_GUARDED_BY(mu_);
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by Clear()
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<ReportAttempt> attempts_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_SMS_REPORT_SENDER_H_
