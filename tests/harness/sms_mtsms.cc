#include "tests/harness/sms_mtsms.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"

namespace kpr::testing {
namespace {

using nlohmann::json;

std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// GatewayAPI sends msisdns as JSON numbers; strings are taken too.
std::string MsisdnOf(const json& recipient) {
  if (!recipient.is_object() || !recipient.contains("msisdn")) return "";
  const json& value = recipient["msisdn"];
  if (value.is_number_unsigned() || value.is_number_integer()) {
    return NormaliseMsisdn(std::to_string(value.get<int64_t>()));
  }
  return value.is_string() ? NormaliseMsisdn(value.get<std::string>()) : "";
}

MtSmsRequest Error(int http_status, std::string code, std::string message) {
  return MtSmsRequest{{}, http_status, std::move(code), std::move(message)};
}

}  // namespace

std::string NormaliseMsisdn(std::string_view msisdn) {
  std::string digits;
  for (char c : msisdn) {
    if (c != ' ') digits.push_back(c);
  }
  if (!digits.empty() && digits[0] == '+') digits.erase(0, 1);
  bool ok = digits.size() >= 8 && digits.size() <= 15 && digits[0] != '0' &&
            std::all_of(digits.begin(), digits.end(),
                        [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
  return ok ? digits : "";
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  return json{{"code", code}, {"message", message}}.dump();
}

MtSmsRequest ParseMtSms(std::string_view body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) parsed = json::array({parsed});
  if (!parsed.is_array() || parsed.empty()) {
    return Error(400, "0x0002", "body is not a message or a list");
  }
  MtSmsRequest request;
  for (const json& m : parsed) {
    auto recipients = m.is_object() ? m.find("recipients") : m.end();
    if (!m.is_object() || StringField(m, "message").empty() || recipients == m.end() ||
        !recipients->is_array() || recipients->empty()) {
      return Error(400, "0x0003", "message and recipients are required");
    }
    MtSms sms{StringField(m, "sender"),  StringField(m, "message"),      StringField(m, "encoding"),
              StringField(m, "userref"), StringField(m, "callback_url"), {}};
    for (const json& r : *recipients) {
      std::string msisdn = MsisdnOf(r);
      if (msisdn.empty()) return Error(422, "0x0216", "invalid msisdn");
      sms.msisdns.push_back(std::move(msisdn));
    }
    request.messages.push_back(std::move(sms));
  }
  return request;
}

}  // namespace kpr::testing
