#include "libs/privacy/sealed_box.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/privacy/context_pool.h"

namespace kpr::privacy {
namespace {

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

using CipherPool = internal::ContextPool<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

// Bumped in a forked child, so it draws fresh nonces instead of reusing the ones its parent had
// buffered (the fork check RAND_bytes makes on every call, done once per fork instead).
std::atomic<uint64_t> fork_generation{0};

void WatchForks() {
  static std::once_flag once;
  std::call_once(once, [] {
    pthread_atfork(nullptr, nullptr,
                   [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });
  });
}

}  // namespace

// Contexts keyed once (the AES key schedule and GCM's hash key); each Seal or Open then only
// sets the nonce.
struct SealedBox::CipherState {
  explicit CipherState(std::string k)
      : key(std::move(k)),
        sealers([this] { return NewContext(/*encrypt=*/true); }),
        openers([this] { return NewContext(/*encrypt=*/false); }) {
    WatchForks();
  }
  ~CipherState() { OPENSSL_cleanse(key.data(), key.size()); }

  EVP_CIPHER_CTX* NewContext(bool encrypt) const {
    if (key.size() != 32) return nullptr;
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr ||
        EVP_CipherInit_ex(ctx, Aes256Gcm(), nullptr, Bytes(key), nullptr, encrypt ? 1 : 0) != 1) {
      EVP_CIPHER_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }

  // Random nonces drawn in bulk: RAND_bytes costs a getpid system call per call (its fork
  // check), which on this kind of VM is most of a Seal.
  bool NextNonce(unsigned char* out) {
    absl::MutexLock lock(&nonce_mu);
    const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    if (nonces_used + kNonceSize > sizeof(nonces) || nonces_generation != generation) {
      if (RAND_bytes(nonces, sizeof(nonces)) != 1) return false;
      nonces_used = 0;
      nonces_generation = generation;
    }
    std::copy(nonces + nonces_used, nonces + nonces_used + kNonceSize, out);
    OPENSSL_cleanse(nonces + nonces_used, kNonceSize);  // never hand the same one out twice
    nonces_used += kNonceSize;
    return true;
  }

  absl::Status CheckKey() const {
    if (key.size() != 32) return absl::FailedPreconditionError("SealedBox key must be 32 bytes");
    return absl::OkStatus();
  }

  std::string key;
  CipherPool sealers;
  CipherPool openers;
  absl::Mutex nonce_mu;
  unsigned char nonces[kNonceSize * 256] ABSL_GUARDED_BY(nonce_mu);
  size_t nonces_used ABSL_GUARDED_BY(nonce_mu) = sizeof(nonces);
  uint64_t nonces_generation ABSL_GUARDED_BY(nonce_mu) = 0;
};

SealedBox::SealedBox(std::string key32) : state_(std::make_shared<CipherState>(std::move(key32))) {}

absl::StatusOr<std::string> SealedBox::Seal(absl::string_view plaintext,
                                            absl::string_view associated_data) const {
  if (absl::Status s = state_->CheckKey(); !s.ok()) return s;
  if (plaintext.size() > INT_MAX - 64 || associated_data.size() > INT_MAX) {
    return absl::InvalidArgumentError("SealedBox input too large");
  }
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  unsigned char* nonce = Bytes(out);
  if (!state_->NextNonce(nonce)) return absl::InternalError("RAND_bytes failed");
  auto lease = state_->sealers.Acquire();
  EVP_CIPHER_CTX* ctx = lease.get();
  int len = 0;
  if (ctx == nullptr || EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) != 1 ||
      (!associated_data.empty() &&
       EVP_EncryptUpdate(ctx, nullptr, &len, Bytes(associated_data),
                         static_cast<int>(associated_data.size())) != 1) ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx, nonce + kNonceSize, &len, Bytes(plaintext),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx, nonce + kNonceSize + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize,
                          nonce + kNonceSize + plaintext.size()) != 1) {
    lease.Discard();
    return absl::InternalError("AES-256-GCM encryption failed");
  }
  return out;
}

absl::StatusOr<std::string> SealedBox::Open(absl::string_view sealed,
                                            absl::string_view associated_data) const {
  if (absl::Status s = state_->CheckKey(); !s.ok()) return s;
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
  auto lease = state_->openers.Acquire();
  EVP_CIPHER_CTX* ctx = lease.get();
  int len = 0;
  if (ctx == nullptr || EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) != 1 ||
      (!associated_data.empty() &&
       EVP_DecryptUpdate(ctx, nullptr, &len, Bytes(associated_data),
                         static_cast<int>(associated_data.size())) != 1) ||
      (ciphertext_size > 0 && EVP_DecryptUpdate(ctx, Bytes(plaintext), &len, ciphertext,
                                                static_cast<int>(ciphertext_size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, tag) != 1) {
    lease.Discard();
    return absl::InternalError("AES-256-GCM decryption failed");
  }
  if (EVP_DecryptFinal_ex(ctx, Bytes(plaintext) + ciphertext_size, &len) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return absl::DataLossError("sealed data failed authentication");
  }
  return plaintext;
}

}  // namespace kpr::privacy
