#include "tests/harness/sms_report_sender.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kpr::testing {
namespace {

using nlohmann::json;

json NullIfEmpty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// "http://h:p/path?q" -> {"http://h:p", "/path?q"}.
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t path_start = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path_start == std::string::npos) return {url, "/"};
  return {url.substr(0, path_start), url.substr(path_start)};
}

}  // namespace

std::string SignatureValue(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  static const char kEmpty = 0;  // HMAC wants a non-null key even when it is empty
  HMAC(EVP_sha256(), secret.empty() ? &kEmpty : secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0xf]);
  }
  return out;
}

std::string ReportJson(const SimDeliveryReport& report) {
  int64_t msisdn = 0;
  json body = {
      {"id", report.id},
      {"msisdn", absl::SimpleAtoi(report.msisdn, &msisdn) ? json(msisdn) : json(report.msisdn)},
      {"time", absl::ToUnixSeconds(report.time)},
      {"status", report.status},
      {"error", NullIfEmpty(report.error)},
      {"code", NullIfEmpty(report.code)},
      {"userref", NullIfEmpty(report.userref)},
  };
  return body.dump();
}

ReportSender::ReportSender(std::string secret, int max_attempts, absl::Duration backoff)
    : secret_(std::move(secret)), max_attempts_(max_attempts), backoff_(backoff) {}

ReportSender::~ReportSender() { Stop(); }

void ReportSender::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void ReportSender::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    queue_ = {};
    changed_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void ReportSender::Schedule(absl::Time at, std::string url, SimDeliveryReport report,
                            Signature signature) {
  absl::MutexLock lock(&mu_);
  queue_.push(Job{at, next_seq_++, std::move(url), std::move(report), signature, 1});
  changed_.SignalAll();
}

absl::StatusOr<int> ReportSender::Post(const std::string& url, const std::string& body,
                                       Signature signature) const {
  auto [base, path] = SplitUrl(url);
  httplib::Client client(base);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  client.set_write_timeout(5, 0);
  httplib::Headers headers;
  if (signature == Signature::kValid) {
    headers.emplace(kSignatureHeader, SignatureValue(secret_, body));
  } else if (signature == Signature::kWrong) {
    headers.emplace(kSignatureHeader, SignatureValue(secret_ + "-wrong", body));
  }
  auto result = client.Post(path, headers, body, "application/json");
  if (!result) {
    return absl::UnavailableError(
        absl::StrCat("POST ", url, ": ", httplib::to_string(result.error())));
  }
  return result->status;
}

void ReportSender::Run() {
  mu_.Lock();
  while (!stopping_) {
    if (queue_.empty()) {
      changed_.Wait(&mu_);
      continue;
    }
    absl::Time now = absl::Now();
    if (queue_.top().at > now) {
      changed_.WaitWithDeadline(&mu_, queue_.top().at);
      continue;
    }
    Job job = queue_.top();
    queue_.pop();
    ++in_flight_;
    int64_t epoch = epoch_;
    mu_.Unlock();
    absl::StatusOr<int> status = Post(job.url, ReportJson(job.report), job.signature);
    mu_.Lock();
    --in_flight_;
    if (epoch != epoch_) {  // cleared meanwhile: forget this one
      changed_.SignalAll();
      continue;
    }
    int http_status = status.ok() ? *status : 0;
    attempts_.push_back(
        ReportAttempt{job.report, job.url, job.attempt, http_status, job.signature});
    bool delivered = http_status >= 200 && http_status < 300;
    if (!delivered && job.attempt < max_attempts_ && !stopping_) {
      job.at = absl::Now() + backoff_ * (1 << std::min(job.attempt - 1, 16));
      job.seq = next_seq_++;
      ++job.attempt;
      queue_.push(std::move(job));
    }
    changed_.SignalAll();
  }
  mu_.Unlock();
}

std::vector<ReportAttempt> ReportSender::Attempts() const {
  absl::MutexLock lock(&mu_);
  return attempts_;
}

bool ReportSender::WaitIdle(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  while (!queue_.empty() || in_flight_ > 0) {
    if (changed_.WaitWithDeadline(&mu_, deadline) && absl::Now() >= deadline) {
      return queue_.empty() && in_flight_ == 0;
    }
  }
  return true;
}

void ReportSender::Clear() {
  absl::MutexLock lock(&mu_);
  queue_ = {};
  attempts_.clear();
  ++epoch_;
  changed_.SignalAll();
}

}  // namespace kpr::testing
