#ifndef KPR_LIBS_PRIVACY_SEALED_BOX_H_
#define KPR_LIBS_PRIVACY_SEALED_BOX_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kpr::privacy {

// Authenticated encryption at rest: AES-256-GCM with a random 12-byte nonce per Seal.
// Sealed format: nonce (12) || ciphertext || tag (16). The associated data is authenticated,
// not stored: bind each value to where it lives (e.g. "referral:<id>:phone") so a sealed
// value copied elsewhere does not open. Thread-safe; copies share one set of keyed cipher
// contexts.
// With random nonces, keep well below 2^32 seals per key.
class SealedBox {
 public:
  // `key32`: DataKeys::encryption_key (32 bytes). Any other size makes Seal and Open fail
  // with FAILED_PRECONDITION.
  explicit SealedBox(std::string key32);
  SealedBox(const SealedBox&) = default;
  SealedBox& operator=(const SealedBox&) = default;
  ~SealedBox() = default;  // the last copy wipes the key

  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;

  absl::StatusOr<std::string> Seal(absl::string_view plaintext,
                                   absl::string_view associated_data) const;
  // DATA_LOSS if `sealed` is too short, was tampered with, or the key or associated data
  // differ.
  absl::StatusOr<std::string> Open(absl::string_view sealed,
                                   absl::string_view associated_data) const;

 private:
  struct CipherState;  // the key and its prepared cipher contexts

  std::shared_ptr<CipherState> state_;
};

}  // namespace kpr::privacy

#endif  // KPR_LIBS_PRIVACY_SEALED_BOX_H_
