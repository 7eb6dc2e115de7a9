#include "tests/harness/sms_gateway_sim.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tests/harness/servers.h"
#include "tests/harness/sms_mtsms.h"

namespace kpr::testing {

using nlohmann::json;

namespace {

bool IsFinalFailure(std::string_view status) {
  return status == "UNDELIVERABLE" || status == "REJECTED" || status == "EXPIRED" ||
         status == "DELETED";
}

}  // namespace

SmsGatewaySim::SmsGatewaySim(SmsGatewaySimOptions options)
    : options_(std::move(options)),
      port_(options_.port != 0 ? options_.port : FreePort()),
      reports_(options_.callback_secret, options_.report_max_attempts, options_.report_backoff),
      rng_(options_.seed) {
  absl::MutexLock lock(&mu_);
  plan_ = options_.reports;
  mo_url_ = options_.mo_url;
  rate_ = options_.rate_limit;
  burst_ = options_.rate_burst > 0 ? options_.rate_burst : std::max(1.0, rate_);
  tokens_ = burst_;
  refilled_ = absl::Now();
}

SmsGatewaySim::~SmsGatewaySim() { Stop(); }

std::string SmsGatewaySim::url() const { return absl::StrCat("http://127.0.0.1:", port_); }
std::string SmsGatewaySim::mtsms_url() const { return url() + "/rest/mtsms"; }
bool SmsGatewaySim::running() const { return server_ != nullptr && server_->is_running(); }

absl::Status SmsGatewaySim::Start() {
  if (server_) return absl::OkStatus();
  server_ = std::make_unique<httplib::Server>();
  int threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_payload_max_length(4 << 20);
  server_->set_keep_alive_timeout(1);  // an idle keep-alive connection delays Stop() this long
  // The answer goes out at once, as a real gateway's does: without it, Nagle's algorithm holds its
  // body until the client's delayed ACK (~40 ms), and every sender waits for that, not for us.
  server_->set_tcp_nodelay(true);
  server_->Post("/rest/mtsms", [this](const httplib::Request& req, httplib::Response& res) {
    HandleMtSms(req, res);
  });
  if (options_.control_endpoints) {
    auto control = [this](const httplib::Request& req, httplib::Response& res) {
      HandleControl(req, res);
    };
    server_->Get("/sim/messages", control);
    server_->Post("/sim/mo", control);
  }
  if (!server_->bind_to_port(options_.host, port_)) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.host, ":", port_));
  }
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
  }
  reports_.Start();
  listener_ =
      std::make_unique<std::thread>([server = server_.get()] { server->listen_after_bind(); });
  // stop() before the listen loop runs would be lost, so Stop() needs it running.
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!server_->is_running()) {
    if (absl::Now() > deadline) return absl::DeadlineExceededError("sms gateway sim not up");
    absl::SleepFor(absl::Milliseconds(1));
  }
  return absl::OkStatus();
}

void SmsGatewaySim::Stop() {
  if (!server_) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;  // cuts injected delays short
  }
  server_->stop();
  listener_->join();
  listener_.reset();
  server_.reset();
  reports_.Stop();
}

bool SmsGatewaySim::Authorized(const httplib::Request& req) const {
  if (options_.token.empty()) return true;
  std::string auth = req.get_header_value("Authorization");
  if (auth == "Token " + options_.token) return true;
  if (absl::StartsWith(auth, "Basic ")) {  // the token as the user name, no password
    std::string decoded;
    if (absl::Base64Unescape(auth.substr(6), &decoded) &&
        decoded.substr(0, decoded.find(':')) == options_.token) {
      return true;
    }
  }
  return req.has_param("token") && req.get_param_value("token") == options_.token;
}

void SmsGatewaySim::Answer(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  if (status == 429) res.set_header("Retry-After", "1");
  res.set_content(body, "application/json");
}

void SmsGatewaySim::HandleMtSms(const httplib::Request& req, httplib::Response& res) {
  {
    absl::MutexLock lock(&mu_);
    ++stats_.requests;
  }
  auto refuse = [&](int status, int64_t SimStats::*counter, std::string_view code,
                    std::string_view message) {
    {
      absl::MutexLock lock(&mu_);
      ++(stats_.*counter);
    }
    Answer(res, status, ErrorJson(code, message));
  };
  if (!Authorized(req)) return refuse(401, &SimStats::unauthorized, "0x0001", "unauthorized");
  MtSmsRequest request = ParseMtSms(req.body);
  if (request.http_status != 200) {
    return refuse(request.http_status, &SimStats::rejected, request.error_code,
                  request.error_message);
  }
  const std::vector<MtSms>& messages = request.messages;

  int status = 200;
  std::string answer;
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    delay = delay_;
    bool refused = std::any_of(messages.begin(), messages.end(), [&](const MtSms& p) {
      return std::any_of(p.msisdns.begin(), p.msisdns.end(),
                         [&](const std::string& m) { return rejected_msisdns_.contains(m); });
    });
    // What would be new, for the rate limit (a userref repeated inside the request counts once).
    std::set<std::string> seen;
    double fresh = 0;
    for (const MtSms& p : messages) {
      if (!p.userref.empty() &&
          (ids_by_userref_.contains(p.userref) || !seen.insert(p.userref).second)) {
        continue;
      }
      fresh += static_cast<double>(p.msisdns.size());
    }
    if (refused) {
      ++stats_.rejected;
      status = 422;
      answer = ErrorJson("0x0216", "recipient refused");
    } else if (fail_next_ > 0 && !fail_after_accept_) {
      --fail_next_;
      ++stats_.failed;
      status = fail_status_;
    } else if (fail_fraction_ > 0 &&
               std::uniform_real_distribution<double>(0, 1)(rng_) < fail_fraction_) {
      ++stats_.failed;
      status = fail_fraction_status_;
    } else if (!TakeTokens(fresh)) {
      ++stats_.throttled;
      status = 429;
      answer = ErrorJson("0x0429", "rate limit exceeded");
    } else {
      std::vector<int64_t> ids = Accept(messages);
      if (fail_next_ > 0 && fail_after_accept_) {
        --fail_next_;
        ++stats_.failed;
        status = fail_status_;
      } else {
        answer = json{{"ids", ids}}.dump();
      }
    }
    if (status >= 500) answer = ErrorJson("0x0500", "injected failure");
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), delay);
  }
  Answer(res, status, answer);
}

bool SmsGatewaySim::TakeTokens(double count) {
  if (rate_ <= 0 || count == 0) return true;
  absl::Time now = absl::Now();
  tokens_ = std::min(burst_, tokens_ + rate_ * absl::ToDoubleSeconds(now - refilled_));
  refilled_ = now;
  if (tokens_ < std::min(count, burst_)) return false;
  tokens_ -= count;
  return true;
}

std::vector<int64_t> SmsGatewaySim::Accept(const std::vector<MtSms>& messages) {
  std::vector<int64_t> ids;
  absl::Time now = absl::Now();
  for (const MtSms& p : messages) {
    if (!p.userref.empty()) {
      if (auto it = ids_by_userref_.find(p.userref); it != ids_by_userref_.end()) {
        ids.push_back(it->second);
        ++stats_.duplicates;
        continue;
      }
    }
    int64_t id = next_id_++;
    if (!p.userref.empty()) ids_by_userref_[p.userref] = id;
    ids.push_back(id);
    for (const std::string& msisdn : p.msisdns) {
      SimSms sms{id, p.userref, msisdn, p.message, p.encoding, p.sender, p.callback_url, now};
      ++stats_.accepted;
      ScheduleReports(sms);
      if (options_.log_messages) {
        std::printf("%s\n",
                    json{{"event", "sms_accepted"},
                         {"id", id},
                         {"msisdn", msisdn.size() > 4 ? std::string(msisdn.size() - 4, '*') +
                                                            msisdn.substr(msisdn.size() - 4)
                                                      : std::string("****")},
                         {"sender", p.sender},
                         {"userref", p.userref},
                         {"encoding", p.encoding},
                         {"message", p.message}}
                        .dump()
                        .c_str());
        std::fflush(stdout);
      }
      messages_.push_back(std::move(sms));
    }
  }
  return ids;
}

void SmsGatewaySim::ScheduleReports(const SimSms& sms) {
  if (sms.callback_url.empty()) return;
  auto it = plans_by_msisdn_.find(sms.msisdn);
  const ReportPlan& plan = it != plans_by_msisdn_.end() ? it->second : plan_;
  absl::Time at = sms.accepted_at;
  for (const std::string& status : plan.statuses) {
    for (int i = 0; i < plan.repeat; ++i) {
      at += plan.delay;
      SimDeliveryReport report{sms.id, sms.msisdn, at, status, "", "", sms.userref};
      if (IsFinalFailure(status)) {
        report.error = absl::StrCat("simulated ", absl::AsciiStrToLower(status));
        report.code = "0x0" + std::to_string(status.size());
      }
      reports_.Schedule(at, sms.callback_url, std::move(report), plan.signature);
    }
  }
}

void SmsGatewaySim::HandleControl(const httplib::Request& req, httplib::Response& res) {
  if (req.method == "GET") {
    json list = json::array();
    for (const SimSms& s : Messages()) {
      list.push_back({{"id", s.id},
                      {"userref", s.userref},
                      {"msisdn", s.msisdn},
                      {"message", s.message},
                      {"encoding", s.encoding},
                      {"sender", s.sender}});
    }
    return Answer(res, 200, list.dump());
  }
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return Answer(res, 400, ErrorJson("0x0002", "want {msisdn, text}"));
  auto text_of = [&](const char* key) -> std::string {
    auto it = body.find(key);
    if (it == body.end()) return "";
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    return it->is_string() ? it->get<std::string>() : "";
  };
  absl::StatusOr<int> sent = SendMo(text_of("msisdn"), text_of("text"));
  if (!sent.ok()) return Answer(res, 502, ErrorJson("0x0502", sent.status().ToString()));
  Answer(res, 200, json{{"receiver_status", *sent}}.dump());
}

absl::StatusOr<int> SmsGatewaySim::SendReport(const std::string& callback_url,
                                              const SimDeliveryReport& report,
                                              Signature signature) {
  return reports_.Post(callback_url, ReportJson(report), signature);
}

absl::StatusOr<int> SmsGatewaySim::SendMo(const std::string& msisdn, const std::string& text,
                                          Signature signature) {
  std::string digits = NormaliseMsisdn(msisdn);
  if (digits.empty()) return absl::InvalidArgumentError("invalid msisdn");
  int64_t id;
  std::string mo_url;
  {
    absl::MutexLock lock(&mu_);
    id = next_id_++;
    mo_url = mo_url_;
  }
  if (mo_url.empty()) return absl::FailedPreconditionError("no MO URL configured");
  json body = {{"id", id},
               {"msisdn", std::stoll(digits)},
               {"receiver", 451204},
               {"message", text},
               {"senttime", absl::ToUnixSeconds(absl::Now())},
               {"webhook_label", "kpr-sim"}};
  return reports_.Post(mo_url, body.dump(), signature);
}

void SmsGatewaySim::FailNext(int count, int http_status, bool after_accept) {
  absl::MutexLock lock(&mu_);
  fail_next_ = count;
  fail_status_ = http_status;
  fail_after_accept_ = after_accept;
}

void SmsGatewaySim::FailFraction(double fraction, int http_status) {
  absl::MutexLock lock(&mu_);
  fail_fraction_ = fraction;
  fail_fraction_status_ = http_status;
}

void SmsGatewaySim::SetDelay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  delay_ = delay;
}

void SmsGatewaySim::SetRateLimit(double per_second, double burst) {
  absl::MutexLock lock(&mu_);
  rate_ = per_second;
  burst_ = burst > 0 ? burst : std::max(1.0, per_second);
  tokens_ = burst_;
  refilled_ = absl::Now();
}

void SmsGatewaySim::RejectMsisdn(std::string msisdn) {
  std::string digits = NormaliseMsisdn(msisdn);
  absl::MutexLock lock(&mu_);
  rejected_msisdns_.insert(digits.empty() ? msisdn : digits);
}

void SmsGatewaySim::SetReportPlan(ReportPlan plan) {
  absl::MutexLock lock(&mu_);
  plan_ = std::move(plan);
}

void SmsGatewaySim::SetReportPlanFor(std::string msisdn, ReportPlan plan) {
  std::string digits = NormaliseMsisdn(msisdn);
  absl::MutexLock lock(&mu_);
  plans_by_msisdn_[digits.empty() ? msisdn : digits] = std::move(plan);
}

void SmsGatewaySim::SetMoUrl(std::string url) {
  absl::MutexLock lock(&mu_);
  mo_url_ = std::move(url);
}

void SmsGatewaySim::Reset() {
  {
    absl::MutexLock lock(&mu_);
    messages_.clear();
    ids_by_userref_.clear();
    stats_ = {};
    fail_next_ = 0;
    fail_fraction_ = 0;
    delay_ = absl::ZeroDuration();
    rejected_msisdns_.clear();
    plan_ = options_.reports;
    plans_by_msisdn_.clear();
  }
  SetRateLimit(options_.rate_limit, options_.rate_burst);
  reports_.Clear();
}

std::vector<SimSms> SmsGatewaySim::Messages() const {
  absl::MutexLock lock(&mu_);
  return messages_;
}

size_t SmsGatewaySim::MessageCount() const {
  absl::MutexLock lock(&mu_);
  return messages_.size();
}

SimStats SmsGatewaySim::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

bool SmsGatewaySim::WaitForMessages(size_t count, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return messages_.size() >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

}  // namespace kpr::testing
