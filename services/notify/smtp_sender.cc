#include "services/notify/smtp_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kpr::notify {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The message as libcurl reads it; `complete` once libcurl has taken its last byte (with the
// size known, libcurl does not ask past the end).
struct Upload {
  absl::string_view data;
  size_t pos = 0;
  bool complete = false;
};

size_t ReadMessage(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->pos);
  if (n == 0) {
    upload->complete = true;
    return 0;
  }
  std::memcpy(buffer, upload->data.data() + upload->pos, n);
  upload->pos += n;
  if (upload->pos == upload->data.size()) upload->complete = true;
  return n;
}

bool IsEnvelopeAddress(absl::string_view address) {
  return !address.empty() && address.find_first_of("\r\n<> ") == absl::string_view::npos;
}

// Failures that say the settings are wrong, not the message.
bool IsConfigurationError(CURLcode code, long smtp_code) {
  switch (code) {
    case CURLE_USE_SSL_FAILED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_LOGIN_DENIED:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return true;
    default:
      return smtp_code == 530;  // "authentication / STARTTLS required first"
  }
}

std::string Explain(CURLcode code, const char* errbuf, long smtp_code) {
  std::string detail = curl_easy_strerror(code);
  if (errbuf[0] != '\0') absl::StrAppend(&detail, ": ", errbuf);
  if (code == CURLE_USE_SSL_FAILED) {
    absl::StrAppend(&detail, " (KPR_SMTP_STARTTLS=required, and the server offers no STARTTLS)");
  }
  if (smtp_code > 0) absl::StrAppend(&detail, " [SMTP ", smtp_code, "]");
  return detail;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

absl::StatusOr<StartTls> ParseStartTls(absl::string_view text) {
  if (text == "required") return StartTls::kRequired;
  if (text == "opportunistic") return StartTls::kOpportunistic;
  return absl::InvalidArgumentError(
      absl::StrCat("KPR_SMTP_STARTTLS: \"", text, "\" is neither required nor opportunistic"));
}

absl::Status CheckSmtpSettings(const SmtpSettings& s) {
  absl::string_view rest = s.url;
  if (!absl::ConsumePrefix(&rest, "smtp://") || rest.empty() || rest[0] == ':' || rest[0] == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("KPR_SMTP_URL: \"", s.url, "\" is not smtp://host:port"));
  }
  if (s.timeout <= absl::ZeroDuration() || s.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("SMTP timeouts must be positive");
  }
  return absl::OkStatus();
}

SmtpSender::SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) { GlobalInit(); }

SmtpResult SmtpSender::Send(absl::string_view mail_from, absl::string_view rcpt_to,
                            absl::string_view message) const {
  SmtpResult result;
  if (!IsEnvelopeAddress(mail_from) || !IsEnvelopeAddress(rcpt_to)) {
    result.outcome = SendOutcome::kPermanent;
    result.detail = "an envelope address holds CR, LF, a space or angle brackets";
    return result;
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) {
    result.detail = "curl_easy_init failed";
    return result;
  }
  const std::string from = absl::StrCat("<", mail_from, ">");
  std::unique_ptr<curl_slist, SlistDeleter> rcpt(
      curl_slist_append(nullptr, absl::StrCat("<", rcpt_to, ">").c_str()));
  Upload upload{message};
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   settings_.starttls == StartTls::kRequired ? static_cast<long>(CURLUSESSL_ALL)
                                                             : static_cast<long>(CURLUSESSL_TRY));
  if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (!settings_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(settings_.connect_timeout)));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(settings_.timeout)));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadMessage);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));

  const CURLcode code = curl_easy_perform(c);
  long smtp_code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &smtp_code);
  result.smtp_code = static_cast<int>(smtp_code);
  if (code == CURLE_OK) {
    result.outcome = SendOutcome::kAccepted;
    return result;
  }
  result.detail = Explain(code, errbuf, smtp_code);
  if (IsConfigurationError(code, smtp_code)) {
    result.outcome = SendOutcome::kTransient;
    result.configuration = true;
  } else if (smtp_code >= 500 && smtp_code < 600) {
    result.outcome = SendOutcome::kPermanent;
  } else if (smtp_code >= 400 && smtp_code < 500) {
    result.outcome = SendOutcome::kTransient;
  } else {
    // No refusal from the server: the connection failed. Once the whole message went out, the
    // server may have taken it.
    result.outcome = upload.complete ? SendOutcome::kUnknown : SendOutcome::kTransient;
  }
  return result;
}

}  // namespace kpr::notify
