#ifndef KPR_LIBS_PRIVACY_SHA256_H_
#define KPR_LIBS_PRIVACY_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kpr::privacy {

// Lowercase hex SHA-256 of `data` (64 characters). Not keyed: never use it to hide personal
// data (use Pseudonymizer for that).
std::string Sha256Hex(absl::string_view data);

// Lowercase hex of arbitrary bytes.
std::string HexEncode(absl::string_view bytes);

}  // namespace kpr::privacy

#endif  // KPR_LIBS_PRIVACY_SHA256_H_
