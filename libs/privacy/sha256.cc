#include "libs/privacy/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace kpr::privacy {

std::string HexEncode(absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 0xf];
  }
  return out;
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    std::abort();  // only on OpenSSL malfunction (e.g. out of memory)
  }
  return HexEncode(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace kpr::privacy
