#include "libs/privacy/pseudonym.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/privacy/sha256.h"

namespace kpr::privacy {

Pseudonymizer::Pseudonymizer(std::string key) : key_(std::move(key)) {}

Pseudonymizer::~Pseudonymizer() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string Pseudonymizer::Mac(absl::string_view message) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
           &length) == nullptr) {
    std::abort();  // only on OpenSSL malfunction
  }
  // 16 bytes -> 32 hex characters: 128 bits is plenty against collisions at our scale.
  return HexEncode(absl::string_view(reinterpret_cast<const char*>(mac), 16));
}

std::string Pseudonymizer::CitizenId(absl::string_view municipality,
                                     absl::string_view normalized_cpr) const {
  std::string message = absl::StrCat(municipality, ":", normalized_cpr);
  std::string id = Mac(message);
  OPENSSL_cleanse(message.data(), message.size());
  return id;
}

std::string Pseudonymizer::Keyed(absl::string_view domain, absl::string_view value) const {
  std::string message = absl::StrCat("keyed:", domain, ":", value);
  std::string id = Mac(message);
  OPENSSL_cleanse(message.data(), message.size());
  return id;
}

}  // namespace kpr::privacy
