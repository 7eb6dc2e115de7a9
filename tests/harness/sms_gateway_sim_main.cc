// kpr-sms-gateway-sim: the test harness's SMS gateway simulator as a program, for the local
// demo and manual tests. Configured by flags; prints one JSON line a message it accepts; also
// serves GET /sim/messages and POST /sim/mo {"msisdn", "text"} (an inbound reply to --mo_url).
// Stops on SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/harness/sms_gateway_sim.h"

ABSL_FLAG(std::string, host, "127.0.0.1", "address to listen on");
ABSL_FLAG(int, port, 18090, "port to listen on");
ABSL_FLAG(std::string, token_file, "", "file holding the API token (none: no authentication)");
ABSL_FLAG(std::string, callback_secret_file, "",
          "file holding the secret that signs delivery reports and MO (none: unsigned)");
ABSL_FLAG(std::string, mo_url, "", "where inbound replies (MO) are POSTed");
ABSL_FLAG(double, rate, 0, "messages per second before answering 429 (0: unlimited)");
ABSL_FLAG(double, burst, 0, "rate-limit bucket size (0: one second's worth)");
ABSL_FLAG(int, delay_ms, 0, "wait this long before every answer");
ABSL_FLAG(double, fail_fraction, 0, "answer this fraction of requests with --fail_status");
ABSL_FLAG(int, fail_status, 503, "the HTTP status of injected failures");
ABSL_FLAG(std::string, report_statuses, "ENROUTE,DELIVERED",
          "delivery report statuses per message, in order (empty: no reports)");
ABSL_FLAG(int, report_repeat, 1, "send every delivery report this many times");
ABSL_FLAG(int, report_delay_ms, 200, "delay before and between delivery reports");
ABSL_FLAG(std::string, report_signature, "valid", "valid, none or wrong (to test refusal)");
ABSL_FLAG(bool, log_messages, false,
          "print one JSON line a message accepted (the number masked, the text in full: for a "
          "demo with synthetic people only)");

namespace {

std::string ReadSecret(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  kpr::testing::SmsGatewaySimOptions options;
  options.host = absl::GetFlag(FLAGS_host);
  options.port = absl::GetFlag(FLAGS_port);
  options.token = ReadSecret(absl::GetFlag(FLAGS_token_file));
  options.callback_secret = ReadSecret(absl::GetFlag(FLAGS_callback_secret_file));
  options.mo_url = absl::GetFlag(FLAGS_mo_url);
  options.rate_limit = absl::GetFlag(FLAGS_rate);
  options.rate_burst = absl::GetFlag(FLAGS_burst);
  options.control_endpoints = true;
  options.log_messages = absl::GetFlag(FLAGS_log_messages);
  options.reports.statuses =
      absl::StrSplit(absl::GetFlag(FLAGS_report_statuses), ',', absl::SkipWhitespace());
  options.reports.repeat = absl::GetFlag(FLAGS_report_repeat);
  options.reports.delay = absl::Milliseconds(absl::GetFlag(FLAGS_report_delay_ms));
  std::string signature = absl::GetFlag(FLAGS_report_signature);
  options.reports.signature = signature == "none"    ? kpr::testing::Signature::kNone
                              : signature == "wrong" ? kpr::testing::Signature::kWrong
                                                     : kpr::testing::Signature::kValid;

  // Block the stop signals before any thread starts, then wait for one.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  kpr::testing::SmsGatewaySim sim(options);
  sim.SetDelay(absl::Milliseconds(absl::GetFlag(FLAGS_delay_ms)));
  sim.FailFraction(absl::GetFlag(FLAGS_fail_fraction), absl::GetFlag(FLAGS_fail_status));
  if (absl::Status s = sim.Start(); !s.ok()) {
    std::fprintf(stderr, "kpr-sms-gateway-sim: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("{\"event\":\"listening\",\"url\":\"%s\"}\n", sim.mtsms_url().c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop, &received);
  sim.Stop();
  return 0;
}
