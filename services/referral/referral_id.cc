#include "services/referral/referral_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/identity/municipality.h"

namespace kpr::referral {
namespace {
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

std::string ReferralIdFor(const privacy::Pseudonymizer& keys, absl::string_view municipality,
                          absl::string_view source_system, absl::string_view external_id) {
  // 32 hex characters = 128 bits; "\n" cannot occur in a valid source system or external id.
  std::string digest = absl::HexStringToBytes(keys.Keyed(
      "referral-id", absl::StrCat(municipality, "\n", source_system, "\n", external_id)));
  unsigned __int128 v = 0;
  for (unsigned char b : digest.substr(0, 16)) v = (v << 8) | b;
  std::string encoded(26, '0');  // 130 bits of room; the first character carries 3
  for (int i = 25; i >= 0; --i) {
    encoded[i] = kCrockford[static_cast<int>(v & 31)];
    v >>= 5;
  }
  return absl::StrCat(municipality, "-", encoded);
}

std::string MunicipalityOfReferralId(absl::string_view id) {
  if (id.size() != 31 || identity::MunicipalityOfId(id).empty()) return "";
  for (size_t i = 5; i < id.size(); ++i) {
    if (absl::string_view(kCrockford).find(id[i]) == absl::string_view::npos) return "";
  }
  return std::string(id.substr(0, 4));
}

}  // namespace kpr::referral
