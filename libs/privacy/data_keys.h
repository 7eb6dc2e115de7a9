#ifndef KPR_LIBS_PRIVACY_DATA_KEYS_H_
#define KPR_LIBS_PRIVACY_DATA_KEYS_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kpr::privacy {

// Keys derived from one master key, 32 raw bytes each. One key per purpose, so that a key
// leaked from one use does not expose the others.
struct DataKeys {
  std::string encryption_key;   // SealedBox: contact details, notes, the CPR copy
  std::string pseudonym_key;    // Pseudonymizer: citizen ids, look-up hashes
  std::string dead_letter_key;  // sealing dead-lettered payloads
};

// RFC 5869 HKDF with SHA-256 (OpenSSL 3 EVP_KDF "HKDF"). `length` at most 255 * 32.
// INVALID_ARGUMENT for a bad length or an empty ikm, INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> HkdfSha256(absl::string_view salt, absl::string_view ikm,
                                       absl::string_view info, size_t length);

// HKDF-SHA256 with salt "kpr" and info "kpr/encryption/v1", "kpr/pseudonym/v1",
// "kpr/dead-letter/v1". Aborts on an empty master key (a configuration bug that must not
// silently produce predictable keys); LoadDataKeysFromFile never passes one.
DataKeys DeriveDataKeys(absl::string_view master_key);

// Reads a master key file of exactly 32 raw bytes and derives the keys. FAILED_PRECONDITION
// naming the path (never the content) if it cannot be read or has another size.
absl::StatusOr<DataKeys> LoadDataKeysFromFile(const std::string& path);

}  // namespace kpr::privacy

#endif  // KPR_LIBS_PRIVACY_DATA_KEYS_H_
