#include "services/notify/inbound_reply.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "services/notify/gatewayapi_shape.h"

namespace kpr::notify {
namespace {

using nlohmann::json;

bool IsTrailingPunctuation(char c) {
  return c == '.' || c == '!' || c == ',' || c == ';' || c == ':' || c == '?';
}

}  // namespace

absl::StatusOr<InboundReply> ParseInboundReply(absl::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return absl::InvalidArgumentError("reply is not a JSON object");
  InboundReply reply;
  auto msisdn = parsed.find("msisdn");
  std::string raw;
  if (msisdn != parsed.end() && (msisdn->is_number_integer() || msisdn->is_number_unsigned())) {
    raw = std::to_string(msisdn->get<int64_t>());
  } else if (msisdn != parsed.end() && msisdn->is_string()) {
    raw = msisdn->get<std::string>();
  }
  std::optional<std::string> digits = MsisdnDigits(raw);
  if (!digits) return absl::InvalidArgumentError("reply has no plausible msisdn");
  reply.msisdn = *digits;
  auto message = parsed.find("message");
  if (message == parsed.end() || !message->is_string()) {
    return absl::InvalidArgumentError("reply has no message");
  }
  reply.text = message->get<std::string>();
  auto id = parsed.find("id");
  if (id != parsed.end() && (id->is_number_integer() || id->is_number_unsigned())) {
    reply.provider_message_id = std::to_string(id->get<int64_t>());
  } else if (id != parsed.end() && id->is_string()) {
    reply.provider_message_id = id->get<std::string>();
  }
  return reply;
}

bool IsStopRequest(absl::string_view text) {
  text = absl::StripLeadingAsciiWhitespace(text);
  size_t end = 0;
  while (end < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[end]))) ++end;
  absl::string_view word = text.substr(0, end);
  while (!word.empty() && IsTrailingPunctuation(word.back())) word.remove_suffix(1);
  return absl::EqualsIgnoreCase(word, "stop") || absl::EqualsIgnoreCase(word, "afmeld");
}

}  // namespace kpr::notify
