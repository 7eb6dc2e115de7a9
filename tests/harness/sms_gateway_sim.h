#ifndef KPR_TESTS_HARNESS_SMS_GATEWAY_SIM_H_
#define KPR_TESTS_HARNESS_SMS_GATEWAY_SIM_H_

// An HTTP SMS gateway in GatewayAPI's REST shape, as the SMS peer of tests and the local demo.
//
// POST /rest/mtsms with one message object or a JSON list of them:
//   {"sender", "message", "encoding", "recipients": [{"msisdn"}], "userref", "callback_url"}
// answers 200 {"ids": [one per message]}. The token goes in `Authorization: Token <token>`, as
// the HTTP Basic user name, or as `?token=`; a wrong or missing one is 401.
//
// kpr's gateway contract: `userref` is the idempotency key. A message repeating a userref the
// simulator has accepted is answered with the first id, and is neither recorded nor reported
// again. (GatewayAPI itself documents userref only as a reference echoed in reports.)
//
// It records every accepted message, one record per recipient, and can fail (5xx for the next N
// requests or a fraction of them, before or after accepting), delay its answers, throttle (429
// above a rate in messages per second) and refuse numbers for good (422). It sends delivery
// reports to each message's callback_url, in a planned order (out of order and repeated too),
// retried while the receiver answers non-2xx, signed `X-Kpr-Signature: sha256=<hex HMAC-SHA256
// of the body>` with the shared secret; and inbound replies (MO) to a configured URL.

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/harness/sms_mtsms.h"
#include "tests/harness/sms_report_sender.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace kpr::testing {

// One accepted message to one recipient.
struct SimSms {
  int64_t id = 0;        // the gateway's id, as answered in "ids"
  std::string userref;   // "" when the request had none
  std::string msisdn;    // digits only, no "+": "4520000001"
  std::string message;   // UTF-8, as sent
  std::string encoding;  // as sent ("UCS2"); "" when absent (GSM-7)
  std::string sender;
  std::string callback_url;
  absl::Time accepted_at;
};

// How the delivery reports of one accepted message go out.
struct ReportPlan {
  // Sent in this order; {"DELIVERED", "ENROUTE"} puts a transient status after the final one.
  // Empty: no reports.
  std::vector<std::string> statuses = {"ENROUTE", "DELIVERED"};
  int repeat = 1;                                 // every report is sent this many times
  absl::Duration delay = absl::Milliseconds(20);  // before the first report and between reports
  Signature signature = Signature::kValid;
};

struct SmsGatewaySimOptions {
  std::string host = "127.0.0.1";
  int port = 0;                 // 0: a free port, chosen at construction
  std::string token;            // the API token; empty: no authentication
  std::string callback_secret;  // signs reports and MO; empty: unsigned
  std::string mo_url;           // where inbound replies (MO) are POSTed
  double rate_limit = 0;        // messages per second; 0: unlimited
  double rate_burst = 0;        // the bucket; 0: one second's worth
  int report_max_attempts = 5;  // a report answered non-2xx is sent again, this many in all
  absl::Duration report_backoff = absl::Milliseconds(50);  // doubled after each attempt
  uint32_t seed = 1;                                       // for FailFraction
  int threads = 8;                                         // HTTP worker threads
  bool control_endpoints = false;  // GET /sim/messages, POST /sim/mo {msisdn, text}
  bool log_messages = false;       // one JSON line a message on stdout (the demo)
  ReportPlan reports;
};

struct SimStats {
  int64_t requests = 0;      // POST /rest/mtsms
  int64_t accepted = 0;      // messages newly accepted (recipients counted once each)
  int64_t duplicates = 0;    // messages whose userref was seen before
  int64_t throttled = 0;     // requests answered 429
  int64_t failed = 0;        // requests answered an injected 5xx
  int64_t rejected = 0;      // requests answered 400 or 422
  int64_t unauthorized = 0;  // requests answered 401
};

class SmsGatewaySim {
 public:
  explicit SmsGatewaySim(SmsGatewaySimOptions options = {});
  ~SmsGatewaySim();  // Stop()
  SmsGatewaySim(const SmsGatewaySim&) = delete;
  SmsGatewaySim& operator=(const SmsGatewaySim&) = delete;

  // Listens (same port on a restart; what it recorded is kept). Returns once it accepts.
  absl::Status Start();
  // Stops listening, cuts short injected delays, drops reports not yet sent.
  void Stop();
  bool running() const;

  int port() const { return port_; }
  std::string url() const;        // "http://127.0.0.1:<port>", the gateway's base URL
  std::string mtsms_url() const;  // url() + "/rest/mtsms"
  const SmsGatewaySimOptions& options() const { return options_; }

  // Faults, for the requests that follow. `after_accept`: the messages are accepted (and
  // reported) but the answer is the error: an outcome the client cannot know.
  void FailNext(int count, int http_status = 503, bool after_accept = false);
  void FailFraction(double fraction, int http_status = 503);
  void SetDelay(absl::Duration delay);                     // before every answer (after accepting)
  void SetRateLimit(double per_second, double burst = 0);  // 0: unlimited
  void RejectMsisdn(std::string msisdn);                   // 422 for a request naming it
  void SetReportPlan(ReportPlan plan);
  void SetReportPlanFor(std::string msisdn, ReportPlan plan);  // overrides for one number
  void SetMoUrl(std::string url);  // where SendMo posts (the service's URL, once it listens)
  // Forgets faults, messages, userrefs, stats and report attempts (not the options).
  void Reset();

  // Sends one delivery report / inbound reply now; the receiver's HTTP status.
  absl::StatusOr<int> SendReport(const std::string& callback_url, const SimDeliveryReport& report,
                                 Signature signature = Signature::kValid);
  absl::StatusOr<int> SendMo(const std::string& msisdn, const std::string& text,
                             Signature signature = Signature::kValid);

  std::vector<SimSms> Messages() const;
  size_t MessageCount() const;
  SimStats stats() const;
  std::vector<ReportAttempt> ReportAttempts() const { return reports_.Attempts(); }
  // Waits until at least `count` messages are recorded.
  bool WaitForMessages(size_t count, absl::Duration timeout) const;
  // Waits until every scheduled report has been sent (or given up).
  bool WaitForReportsIdle(absl::Duration timeout) { return reports_.WaitIdle(timeout); }

 private:
  void HandleMtSms(const httplib::Request& req, httplib::Response& res);
  void HandleControl(const httplib::Request& req, httplib::Response& res);
  bool Authorized(const httplib::Request& req) const;
  // Accepts what is new (under mu_): assigns ids, records, schedules reports.
  std::vector<int64_t> Accept(const std::vector<MtSms>& messages)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool TakeTokens(double count) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ScheduleReports(const SimSms& sms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Answer(httplib::Response& res, int status, const std::string& body);

  SmsGatewaySimOptions options_;
  int port_;
  ReportSender reports_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<std::thread> listener_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1000001;
  std::vector<SimSms> messages_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> ids_by_userref_ ABSL_GUARDED_BY(mu_);
  SimStats stats_ ABSL_GUARDED_BY(mu_);
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_status_ ABSL_GUARDED_BY(mu_) = 503;
  bool fail_after_accept_ ABSL_GUARDED_BY(mu_) = false;
  double fail_fraction_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_fraction_status_ ABSL_GUARDED_BY(mu_) = 503;
  std::mt19937 rng_ ABSL_GUARDED_BY(mu_);
  absl::Duration delay_ ABSL_GUARDED_BY(mu_);
  double rate_ ABSL_GUARDED_BY(mu_) = 0;
  double burst_ ABSL_GUARDED_BY(mu_) = 0;
  double tokens_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time refilled_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> rejected_msisdns_ ABSL_GUARDED_BY(mu_);
  ReportPlan plan_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, ReportPlan> plans_by_msisdn_ ABSL_GUARDED_BY(mu_);
  std::string mo_url_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_SMS_GATEWAY_SIM_H_
