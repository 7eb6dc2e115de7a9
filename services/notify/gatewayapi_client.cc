#include "services/notify/gatewayapi_client.h"

#include <curl/curl.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "services/notify/gatewayapi_shape.h"

namespace kpr::notify {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Keeps the Retry-After header of the last response (a redirect's headers come first).
size_t KeepRetryAfter(char* data, size_t size, size_t count, void* out) {
  absl::string_view line(data, size * count);
  auto* retry_after = static_cast<std::string*>(out);
  if (absl::StartsWith(line, "HTTP/")) retry_after->clear();
  constexpr absl::string_view kName = "retry-after:";
  if (absl::StartsWithIgnoreCase(line, kName)) {
    *retry_after = std::string(absl::StripAsciiWhitespace(line.substr(kName.size())));
  }
  return size * count;
}

SmsSendResult Failure(SendOutcome outcome, std::string detail) {
  SmsSendResult r;
  r.result.outcome = outcome;
  r.detail = std::move(detail);
  return r;
}

// Whether a transport error can have left the request at the gateway.
bool NothingSent(CURLcode code, curl_off_t request_bytes) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return true;
    default:
      return request_bytes == 0;
  }
}

}  // namespace

struct GatewayApiClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

absl::StatusOr<std::unique_ptr<GatewayApiClient>> GatewayApiClient::Create(
    GatewayApiOptions options) {
  if (options.base_url.empty()) return absl::InvalidArgumentError("SMS gateway URL is not set");
  std::ifstream in(options.token_file);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the SMS gateway token file '", options.token_file, "'"));
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(content.str()));
  if (token.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the SMS gateway token file '", options.token_file, "' is empty"));
  }
  InitCurlOnce();
  return std::unique_ptr<GatewayApiClient>(new GatewayApiClient(std::move(options), token));
}

GatewayApiClient::GatewayApiClient(GatewayApiOptions options, std::string token)
    : options_(std::move(options)),
      url_(absl::StrCat(absl::StripSuffix(options_.base_url, "/"), "/rest/mtsms")),
      auth_header_(absl::StrCat("Authorization: Token ", token)) {}

GatewayApiClient::~GatewayApiClient() = default;

std::unique_ptr<GatewayApiClient::Handle> GatewayApiClient::Checkout() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  return handle;
}

void GatewayApiClient::Return(std::unique_ptr<Handle> handle) {
  absl::MutexLock lock(&mu_);
  if (idle_.size() < options_.max_idle_handles) idle_.push_back(std::move(handle));
}

SmsSendResult GatewayApiClient::Send(const SmsRequest& request, absl::Time deadline) {
  absl::StatusOr<std::string> body = MtSmsBody(request);
  if (!body.ok()) {
    SmsSendResult r = Failure(SendOutcome::kPermanent, "invalid msisdn");
    r.result.reason = v1::DELIVERY_REASON_INVALID_RECIPIENT;
    return r;
  }
  absl::Duration left = deadline - absl::Now();
  if (left < absl::Milliseconds(1)) {
    return Failure(SendOutcome::kTransient, "deadline passed before sending");
  }
  std::unique_ptr<Handle> handle = Checkout();
  if (handle->curl == nullptr) return Failure(SendOutcome::kTransient, "curl_easy_init failed");
  CURL* curl = handle->curl;
  // Reset keeps the handle's open connections; every option is set again below.
  curl_easy_reset(curl);

  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, auth_header_.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");
  std::string answer, retry_after;
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &KeepRetryAfter);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &retry_after);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from worker threads
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(left)));  // NOLINT(runtime/int)
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(  // NOLINT(runtime/int)
                       absl::ToInt64Milliseconds(std::min(left, options_.connect_timeout))));
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());

  CURLcode code = curl_easy_perform(curl);
  long http_status = 0;    // NOLINT(runtime/int)
  long request_bytes = 0;  // NOLINT(runtime/int): what CURLINFO_REQUEST_SIZE writes
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_bytes);
  curl_slist_free_all(headers);

  SmsSendResult result;
  if (code != CURLE_OK) {
    result =
        Failure(NothingSent(code, request_bytes) ? SendOutcome::kTransient : SendOutcome::kUnknown,
                absl::StrCat("curl: ", curl_easy_strerror(code)));
    // After a transport error the connection state is unclear: start afresh next time.
    handle.reset();
  } else {
    result = ClassifyMtSmsAnswer(static_cast<int>(http_status), answer, retry_after, absl::Now());
  }
  if (handle) Return(std::move(handle));
  return result;
}

}  // namespace kpr::notify
