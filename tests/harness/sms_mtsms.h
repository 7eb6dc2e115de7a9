#ifndef KPR_TESTS_HARNESS_SMS_MTSMS_H_
#define KPR_TESTS_HARNESS_SMS_MTSMS_H_

// The request side of the SMS gateway simulator: reading a POST /rest/mtsms body in
// GatewayAPI's shape (one message object or a list of them) and the error bodies it answers.

#include <string>
#include <string_view>
#include <vector>

namespace kpr::testing {

// One message of a request.
struct MtSms {
  std::string sender, message, encoding, userref, callback_url;
  std::vector<std::string> msisdns;  // normalised: digits only
};

// The messages of a request, or the error to answer (http_status 400 for a malformed body,
// 422 for an invalid recipient).
struct MtSmsRequest {
  std::vector<MtSms> messages;
  int http_status = 200;
  std::string error_code, error_message;
};
MtSmsRequest ParseMtSms(std::string_view body);

// A msisdn as digits: "+45 20000001" gives "4520000001"; "" when it is not a plausible E.164
// number (8 to 15 digits, no leading 0).
std::string NormaliseMsisdn(std::string_view msisdn);

// {"code": code, "message": message}, the shape of the gateway's error answers.
std::string ErrorJson(std::string_view code, std::string_view message);

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_SMS_MTSMS_H_
