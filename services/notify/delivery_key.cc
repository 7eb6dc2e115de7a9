#include "services/notify/delivery_key.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/identity/municipality.h"
#include "libs/privacy/sha256.h"

namespace kpr::notify {
namespace {

constexpr absl::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford
constexpr size_t kIdChars = 26;                                              // 128 bits, 5 a char
constexpr size_t kIdLength = 5 + kIdChars;
constexpr absl::string_view kMessageIdDomain = "@kpr.notify";

// The first 128 bits of `bytes` as 26 base32 characters, most significant first (the last
// character carries the remaining 3 bits, padded with zeros).
std::string Base32Of128Bits(absl::string_view bytes) {
  std::string out;
  out.reserve(kIdChars);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < 16; ++i) {
    buffer = (buffer << 8) | static_cast<unsigned char>(bytes[i]);
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

}  // namespace

TriggeringFact TriggeringFact::Event(absl::string_view event_id) {
  return TriggeringFact(absl::StrCat("event:", event_id));
}

TriggeringFact TriggeringFact::Reminder(absl::string_view session_id, absl::Time session_start,
                                        absl::Duration offset) {
  return TriggeringFact(absl::StrCat("reminder:", session_id, ":",
                                     absl::ToUnixSeconds(session_start), ":",
                                     absl::ToInt64Minutes(offset)));
}

TriggeringFact TriggeringFact::Request(absl::string_view request_id) {
  return TriggeringFact(absl::StrCat("request:", request_id));
}

std::string DeliveryIdFor(absl::string_view municipality, const TriggeringFact& fact,
                          absl::string_view recipient, v1::Channel channel) {
  // Each part length-prefixed, so no two inputs share a preimage whatever characters a
  // client-chosen request id holds.
  std::string input = "kpr.notify.delivery.v1";
  for (absl::string_view part : {municipality, absl::string_view(fact.canonical()), recipient,
                                 absl::string_view(v1::Channel_Name(channel))}) {
    absl::StrAppend(&input, "|", part.size(), ":", part);
  }
  const std::string digest = absl::HexStringToBytes(privacy::Sha256Hex(input));
  return absl::StrCat(municipality, "-", Base32Of128Bits(digest));
}

bool IsDeliveryId(absl::string_view id) {
  if (id.size() != kIdLength || identity::MunicipalityOfId(id).empty()) return false;
  for (char c : id.substr(5)) {
    if (kAlphabet.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

std::string MessageIdFor(absl::string_view delivery_id) {
  return absl::StrCat("<", delivery_id, kMessageIdDomain, ">");
}

std::string DeliveryIdFromMessageId(absl::string_view message_id) {
  absl::string_view id = message_id;
  if (absl::ConsumePrefix(&id, "<") && !absl::ConsumeSuffix(&id, ">")) return "";
  if (!absl::ConsumeSuffix(&id, kMessageIdDomain) || !IsDeliveryId(id)) return "";
  return std::string(id);
}

std::string UserrefFor(absl::string_view delivery_id) {
  return absl::StrCat(delivery_id.substr(0, 4), delivery_id.substr(5));
}

std::string DeliveryIdFromUserref(absl::string_view userref) {
  if (userref.size() != kUserrefLength) return "";
  std::string id = absl::StrCat(userref.substr(0, 4), "-", userref.substr(4));
  return IsDeliveryId(id) ? id : "";
}

}  // namespace kpr::notify
