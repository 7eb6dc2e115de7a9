#include "libs/privacy/sealed_box.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <utility>

#include "absl/status/status.h"

namespace kpr::privacy {
namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

// Fetched once: OpenSSL 3 otherwise looks the implementation up (under a lock) on every init.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched != nullptr ? static_cast<const EVP_CIPHER*>(fetched) : EVP_aes_256_gcm();
  }();
  return cipher;
}

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

absl::Status CheckKey(const std::string& key) {
  if (key.size() != 32) {
    return absl::FailedPreconditionError("SealedBox key must be 32 bytes");
  }
  return absl::OkStatus();
}

}  // namespace

SealedBox::SealedBox(std::string key32) : key_(std::move(key32)) {}

SealedBox::~SealedBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

absl::StatusOr<std::string> SealedBox::Seal(absl::string_view plaintext,
                                            absl::string_view associated_data) const {
  if (absl::Status s = CheckKey(key_); !s.ok()) return s;
  if (plaintext.size() > INT_MAX - 64 || associated_data.size() > INT_MAX) {
    return absl::InvalidArgumentError("SealedBox input too large");
  }
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  unsigned char* nonce = Bytes(out);
  if (RAND_bytes(nonce, kNonceSize) != 1) return absl::InternalError("RAND_bytes failed");

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), Aes256Gcm(), nullptr, Bytes(key_), nonce) != 1 ||
      (!associated_data.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(associated_data),
                         static_cast<int>(associated_data.size())) != 1) ||
      (!plaintext.empty() &&
       EVP_EncryptUpdate(ctx.get(), nonce + kNonceSize, &len, Bytes(plaintext),
                         static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), nonce + kNonceSize + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          nonce + kNonceSize + plaintext.size()) != 1) {
    return absl::InternalError("AES-256-GCM encryption failed");
  }
  return out;
}

absl::StatusOr<std::string> SealedBox::Open(absl::string_view sealed,
                                            absl::string_view associated_data) const {
  if (absl::Status s = CheckKey(key_); !s.ok()) return s;
  if (sealed.size() < kNonceSize + kTagSize) {
    return absl::DataLossError("sealed data is too short");
  }
  if (sealed.size() > INT_MAX || associated_data.size() > INT_MAX) {
    return absl::InvalidArgumentError("SealedBox input too large");
  }
  const size_t ciphertext_size = sealed.size() - kNonceSize - kTagSize;
  const unsigned char* nonce = Bytes(sealed);
  const unsigned char* ciphertext = nonce + kNonceSize;
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer; copy rather than cast away const.
  unsigned char tag[kTagSize];
  std::copy(ciphertext + ciphertext_size, ciphertext + ciphertext_size + kTagSize, tag);

  std::string plaintext(ciphertext_size, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), Aes256Gcm(), nullptr, Bytes(key_), nonce) != 1 ||
      (!associated_data.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(associated_data),
                         static_cast<int>(associated_data.size())) != 1) ||
      (ciphertext_size > 0 &&
       EVP_DecryptUpdate(ctx.get(), Bytes(plaintext), &len, ciphertext,
                         static_cast<int>(ciphertext_size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag) != 1) {
    return absl::InternalError("AES-256-GCM decryption failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(plaintext) + ciphertext_size, &len) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return absl::DataLossError("sealed data failed authentication");
  }
  return plaintext;
}

}  // namespace kpr::privacy
