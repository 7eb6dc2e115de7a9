#include "services/notify/gatewayapi_shape.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kpr::notify {
namespace {

using nlohmann::json;

constexpr absl::Duration kDefaultThrottleWait = absl::Seconds(1);

SmsSendResult Result(SendOutcome outcome, int http_status, std::string detail) {
  SmsSendResult r;
  r.result.outcome = outcome;
  r.http_status = http_status;
  r.detail = std::move(detail);
  return r;
}

// The gateway's error code ("0x0216"), for the log; "" if the body has none.
std::string ErrorCode(absl::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return "";
  auto it = parsed.find("code");
  if (it == parsed.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The first id of a 2xx answer, as a string; "" if there is none.
std::string FirstId(absl::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return "";
  auto ids = parsed.find("ids");
  if (ids == parsed.end() || !ids->is_array() || ids->empty()) return "";
  const json& id = (*ids)[0];
  if (id.is_number_integer() || id.is_number_unsigned()) return std::to_string(id.get<int64_t>());
  return id.is_string() ? id.get<std::string>() : "";
}

}  // namespace

std::optional<std::string> MsisdnDigits(absl::string_view msisdn) {
  std::string digits;
  for (char c : msisdn) {
    if (c != ' ') digits.push_back(c);
  }
  if (!digits.empty() && digits[0] == '+') digits.erase(0, 1);
  bool ok = digits.size() >= 8 && digits.size() <= 15 && digits[0] != '0' &&
            std::all_of(digits.begin(), digits.end(),
                        [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
  if (!ok) return std::nullopt;
  return digits;
}

absl::StatusOr<std::string> MtSmsBody(const SmsRequest& request) {
  std::optional<std::string> digits = MsisdnDigits(request.msisdn);
  int64_t number = 0;
  if (!digits || !absl::SimpleAtoi(*digits, &number)) {
    return absl::InvalidArgumentError("msisdn is not an E.164 number");
  }
  json body = {{"sender", request.sender},
               {"message", request.text},
               {"recipients", json::array({{{"msisdn", number}}})},
               {"userref", request.userref}};
  if (request.encoding == v1::SMS_ENCODING_UCS2) body["encoding"] = "UCS2";
  if (!request.callback_url.empty()) body["callback_url"] = request.callback_url;
  // Invalid UTF-8 is replaced, not thrown: AnalyzeSms has already warned about it.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    return seconds < 0 ? std::nullopt : std::optional(absl::Seconds(seconds));
  }
  absl::Time at;
  std::string err;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), absl::UTCTimeZone(), &at,
                       &err)) {
    return std::nullopt;
  }
  return std::max(absl::ZeroDuration(), at - now);
}

SmsSendResult ClassifyMtSmsAnswer(int http_status, absl::string_view body,
                                  absl::string_view retry_after, absl::Time now) {
  std::string code = ErrorCode(body);
  std::string detail = absl::StrCat("HTTP ", http_status, code.empty() ? "" : " ", code);
  if (http_status >= 200 && http_status < 300) {
    std::string id = FirstId(body);
    if (id.empty()) return Result(SendOutcome::kUnknown, http_status, "2xx without an id");
    SmsSendResult r = Result(SendOutcome::kAccepted, http_status, "");
    r.result.provider_message_id = std::move(id);
    return r;
  }
  if (http_status == 429 || http_status == 503) {
    SmsSendResult r = Result(SendOutcome::kTransient, http_status, std::move(detail));
    r.result.retry_after =
        ParseRetryAfter(retry_after, now)
            .value_or(http_status == 429 ? kDefaultThrottleWait : absl::ZeroDuration());
    return r;
  }
  if (http_status >= 500) return Result(SendOutcome::kUnknown, http_status, std::move(detail));
  if (http_status == 401 || http_status == 403) {
    SmsSendResult r = Result(SendOutcome::kTransient, http_status, std::move(detail));
    r.config_error = true;
    return r;
  }
  if (http_status == 408) return Result(SendOutcome::kTransient, http_status, std::move(detail));
  SmsSendResult r = Result(SendOutcome::kPermanent, http_status, std::move(detail));
  r.result.reason =
      http_status == 422 ? v1::DELIVERY_REASON_INVALID_RECIPIENT : v1::DELIVERY_REASON_REJECTED;
  return r;
}

}  // namespace kpr::notify
