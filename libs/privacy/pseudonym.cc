#include "libs/privacy/pseudonym.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/privacy/context_pool.h"
#include "libs/privacy/sha256.h"

namespace kpr::privacy {

struct Pseudonymizer::MacState {
  explicit MacState(std::string k)
      : key(std::move(k)),
        hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr)),
        contexts([this] { return NewContext(); }) {}
  ~MacState() {
    OPENSSL_cleanse(key.data(), key.size());
    EVP_MAC_free(hmac);
  }

  // A context holding the key; EVP_MAC_init without a key then restarts it from the keyed
  // state, with no look-up and no key set-up.
  EVP_MAC_CTX* NewContext() const {
    if (hmac == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (ctx == nullptr || EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()),
                                       key.size(), params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }

  std::string key;
  EVP_MAC* hmac;
  internal::ContextPool<EVP_MAC_CTX, EVP_MAC_CTX_free> contexts;
};

Pseudonymizer::Pseudonymizer(std::string key)
    : state_(std::make_shared<MacState>(std::move(key))) {}

std::string Pseudonymizer::Mac(absl::string_view message) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t length = 0;
  auto lease = state_->contexts.Acquire();
  EVP_MAC_CTX* ctx = lease.get();
  if (ctx == nullptr || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) !=
          1 ||
      EVP_MAC_final(ctx, mac, &length, sizeof(mac)) != 1 || length < 16) {
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
