#include "libs/rpc/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "libs/identity/municipality.h"

namespace kpr::rpc {
namespace {

constexpr absl::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kSha256Bytes = 32;
// How far a token's iat may lie ahead of our clock (the issuer's clock may run ahead a little).
constexpr absl::Duration kClockSkew = absl::Minutes(1);

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("invalid token: ", why));
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  static const char kEmpty = 0;  // OpenSSL reads a null key pointer as "reuse the old key"
  HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &out_len);
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          unsigned char u = static_cast<unsigned char>(c);
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xf]);
        } else {
          out->push_back(c);  // UTF-8 passes through unchanged
        }
    }
  }
  out->push_back('"');
}

absl::StatusOr<google::protobuf::Struct> DecodeJsonPart(absl::string_view part,
                                                        absl::string_view what) {
  absl::StatusOr<std::string> json = Base64UrlDecode(part);
  if (!json.ok()) return Unauthenticated(absl::StrCat(what, " is not base64url"));
  google::protobuf::Struct out;
  if (!google::protobuf::util::JsonStringToMessage(*json, &out).ok()) {
    return Unauthenticated(absl::StrCat(what, " is not a JSON object"));
  }
  return out;
}

// Splits "h.p.s" into its three parts; false unless there are exactly three, all non-empty.
bool SplitToken(absl::string_view token, absl::string_view* header, absl::string_view* payload,
                absl::string_view* signature) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return false;
  }
  *header = parts[0];
  *payload = parts[1];
  *signature = parts[2];
  return true;
}

// JSON numbers arrive as doubles; accept only finite values in a sane range of Unix seconds.
bool ToTime(const google::protobuf::Value& value, absl::Time* out) {
  if (value.kind_case() != google::protobuf::Value::kNumberValue) return false;
  double seconds = value.number_value();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e13) return false;
  *out = absl::FromUnixSeconds(static_cast<int64_t>(std::floor(seconds)));
  return true;
}

}  // namespace

std::string Base64UrlEncode(absl::string_view data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(data[k])); };
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(kAlphabet[v >> 6 & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = byte(i) << 16;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
  } else if (rest == 2) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(kAlphabet[v >> 6 & 63]);
  }
  return out;
}

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view encoded) {
  if (encoded.size() % 4 == 1) return absl::InvalidArgumentError("bad base64url length");
  std::string out;
  out.reserve(encoded.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : encoded) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return absl::InvalidArgumentError("bad base64url character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero so every byte string has exactly one encoding.
  if ((acc & ((1u << bits) - 1)) != 0) {
    return absl::InvalidArgumentError("non-canonical base64url");
  }
  return out;
}

absl::Status VerifyJwtSignature(absl::string_view token, absl::string_view secret) {
  absl::string_view header_b64, payload_b64, signature_b64;
  if (!SplitToken(token, &header_b64, &payload_b64, &signature_b64)) {
    return Unauthenticated("not three dot-separated parts");
  }
  absl::StatusOr<google::protobuf::Struct> header = DecodeJsonPart(header_b64, "header");
  if (!header.ok()) return header.status();
  auto alg = header->fields().find("alg");
  // Only HS256: never trust the token to choose its own algorithm ("none", RS/HS confusion).
  if (alg == header->fields().end() ||
      alg->second.kind_case() != google::protobuf::Value::kStringValue ||
      alg->second.string_value() != "HS256") {
    return Unauthenticated("alg must be HS256");
  }
  if (header->fields().contains("crit")) {
    return Unauthenticated("critical header extensions are not supported");
  }
  absl::StatusOr<std::string> signature = Base64UrlDecode(signature_b64);
  if (!signature.ok() || signature->size() != kSha256Bytes) {
    return Unauthenticated("bad signature");
  }
  const std::string expected =
      HmacSha256(secret, token.substr(0, header_b64.size() + 1 + payload_b64.size()));
  if (expected.size() != kSha256Bytes ||
      CRYPTO_memcmp(expected.data(), signature->data(), kSha256Bytes) != 0) {
    return Unauthenticated("bad signature");
  }
  return absl::OkStatus();
}

JwtVerifier::JwtVerifier(std::string secret, TokenLifetimes lifetimes)
    : secret_(std::move(secret)), lifetimes_(lifetimes) {}

absl::StatusOr<Claims> JwtVerifier::Verify(absl::string_view token, absl::Time now) const {
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(token);
    if (it != cache_.end()) {
      if (now < it->second.expires_at) return it->second;
      cache_.erase(it);
      return Unauthenticated("expired");
    }
  }
  absl::StatusOr<Claims> claims = VerifyUncached(token, now);
  if (claims.ok()) {
    absl::MutexLock lock(&cache_mu_);
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();  // simple bound; refills on demand
    cache_.emplace(std::string(token), *claims);
  }
  return claims;
}

absl::StatusOr<Claims> JwtVerifier::VerifyUncached(absl::string_view token, absl::Time now) const {
  // With an empty secret anyone could mint tokens: accept none.
  if (secret_.empty()) return Unauthenticated("verifier has no secret");
  if (absl::Status signed_ok = VerifyJwtSignature(token, secret_); !signed_ok.ok()) {
    return signed_ok;
  }
  absl::string_view header_b64, payload_b64, signature_b64;
  SplitToken(token, &header_b64, &payload_b64, &signature_b64);
  absl::StatusOr<google::protobuf::Struct> payload = DecodeJsonPart(payload_b64, "payload");
  if (!payload.ok()) return payload.status();
  const auto& fields = payload->fields();
  using google::protobuf::Value;

  Claims claims;
  // A token without exp would be valid for ever: refuse it.
  auto exp = fields.find("exp");
  if (exp == fields.end()) return Unauthenticated("no exp");
  if (!ToTime(exp->second, &claims.expires_at)) return Unauthenticated("bad exp");
  if (now >= claims.expires_at) return Unauthenticated("expired");
  if (auto it = fields.find("iat"); it != fields.end()) {
    if (!ToTime(it->second, &claims.issued_at)) return Unauthenticated("bad iat");
    if (claims.issued_at > now + kClockSkew) return Unauthenticated("issued in the future");
  }
  if (auto it = fields.find("nbf"); it != fields.end()) {
    absl::Time not_before;
    if (!ToTime(it->second, &not_before)) return Unauthenticated("bad nbf");
    if (now < not_before) return Unauthenticated("not yet valid");
  }
  auto sub = fields.find("sub");
  if (sub == fields.end() || sub->second.kind_case() != Value::kStringValue ||
      sub->second.string_value().empty()) {
    return Unauthenticated("missing sub");
  }
  claims.subject = sub->second.string_value();
  auto role = fields.find("role");
  if (role == fields.end() || role->second.kind_case() != Value::kStringValue) {
    return Unauthenticated("missing role");
  }
  claims.role = identity::ParseRole(role->second.string_value());
  if (claims.role == Role::kUnknown) return Unauthenticated("unknown role");
  const absl::Time lifetime_from =
      claims.issued_at == absl::InfinitePast() ? now : claims.issued_at;
  const absl::Duration cap = lifetimes_.For(claims.role);
  if (claims.expires_at - lifetime_from > cap) {
    return Unauthenticated(absl::StrCat("lifetime longer than ", absl::FormatDuration(cap),
                                        " (the most a ", identity::RoleName(claims.role),
                                        " token may)"));
  }
  if (auto it = fields.find("municipalities"); it != fields.end()) {
    if (it->second.kind_case() != Value::kListValue) {
      return Unauthenticated("municipalities must be an array");
    }
    for (const Value& m : it->second.list_value().values()) {
      if (m.kind_case() != Value::kStringValue || !identity::IsMunicipalityCode(m.string_value())) {
        return Unauthenticated("municipalities must be four-digit codes");
      }
      claims.municipalities.push_back(m.string_value());
    }
  }
  return claims;
}

std::string SignJwt(const Claims& claims, absl::string_view secret) {
  std::string payload = "{\"sub\":";
  AppendJsonString(claims.subject, &payload);
  payload.append(",\"role\":");
  AppendJsonString(identity::RoleName(claims.role), &payload);
  payload.append(",\"municipalities\":[");
  for (size_t i = 0; i < claims.municipalities.size(); ++i) {
    if (i > 0) payload.push_back(',');
    AppendJsonString(claims.municipalities[i], &payload);
  }
  payload.push_back(']');
  if (claims.issued_at != absl::InfiniteFuture() && claims.issued_at != absl::InfinitePast()) {
    absl::StrAppend(&payload, ",\"iat\":", absl::ToUnixSeconds(claims.issued_at));
  }
  if (claims.expires_at != absl::InfiniteFuture() && claims.expires_at != absl::InfinitePast()) {
    absl::StrAppend(&payload, ",\"exp\":", absl::ToUnixSeconds(claims.expires_at));
  }
  payload.push_back('}');
  std::string signing_input = absl::StrCat(Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})"), ".",
                                           Base64UrlEncode(payload));
  std::string signature = Base64UrlEncode(HmacSha256(secret, signing_input));
  return absl::StrCat(signing_input, ".", signature);
}

}  // namespace kpr::rpc
