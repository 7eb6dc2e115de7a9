#include "services/notify/callback_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kpr::notify {
namespace {

constexpr absl::string_view kPrefix = "sha256=";
constexpr size_t kMacBytes = 32;

std::string Mac(absl::string_view secret, absl::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  static const char kEmpty = 0;  // HMAC wants a non-null key pointer
  HMAC(EVP_sha256(), secret.empty() ? &kEmpty : secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

}  // namespace

std::string CallbackSignature(absl::string_view secret, absl::string_view body) {
  return absl::StrCat(kPrefix, absl::BytesToHexString(Mac(secret, body)));
}

absl::Status VerifyCallbackSignature(absl::string_view secret, absl::string_view body,
                                     absl::string_view header_value) {
  if (secret.empty()) return absl::UnauthenticatedError("no callback secret is configured");
  header_value = absl::StripAsciiWhitespace(header_value);
  if (header_value.empty()) return absl::UnauthenticatedError("callback is not signed");
  if (!absl::StartsWithIgnoreCase(header_value, kPrefix)) {
    return absl::UnauthenticatedError("callback signature is not sha256=<hex>");
  }
  absl::string_view hex = header_value.substr(kPrefix.size());
  bool is_hex = hex.size() == 2 * kMacBytes && std::all_of(hex.begin(), hex.end(), [](char c) {
                  return absl::ascii_isxdigit(static_cast<unsigned char>(c));
                });
  if (!is_hex) return absl::UnauthenticatedError("callback signature is not sha256=<hex>");
  std::string given = absl::HexStringToBytes(hex);
  std::string expected = Mac(secret, body);
  if (CRYPTO_memcmp(given.data(), expected.data(), kMacBytes) != 0) {
    return absl::UnauthenticatedError("callback signature does not match");
  }
  return absl::OkStatus();
}

}  // namespace kpr::notify
