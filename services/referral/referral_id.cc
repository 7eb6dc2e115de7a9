#include "services/referral/referral_id.h"


#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kpr::referral {
namespace {
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

std::string NewReferralId(absl::string_view municipality, absl::Time now) {
  unsigned char bytes[16];
  uint64_t ms = static_cast<uint64_t>(absl::ToUnixMillis(now));
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  // Ids need to be unique, not secret: a per-thread generator is enough and much cheaper than
  // the system's cryptographic random source.
  thread_local absl::BitGen gen;
  uint64_t hi = absl::Uniform<uint64_t>(gen);
  uint16_t lo = absl::Uniform<uint16_t>(gen);
  for (int i = 0; i < 8; ++i) bytes[6 + i] = static_cast<unsigned char>(hi >> (8 * i));
  bytes[14] = static_cast<unsigned char>(lo);
  bytes[15] = static_cast<unsigned char>(lo >> 8);
  // 128 bits -> 26 base32 characters (the first carries 3 bits).
  std::string ulid(26, '0');
  unsigned __int128 v = 0;
  for (unsigned char b : bytes) v = (v << 8) | b;
  for (int i = 25; i >= 0; --i) {
    ulid[i] = kCrockford[static_cast<int>(v & 31)];
    v >>= 5;
  }
  return absl::StrCat(municipality, "-", ulid);
}

std::string MunicipalityOfReferralId(absl::string_view id) {
  if (id.size() != 31 || id[4] != '-') return "";
  for (int i = 0; i < 4; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(id[i]))) return "";
  }
  for (size_t i = 5; i < id.size(); ++i) {
    if (absl::string_view(kCrockford).find(id[i]) == absl::string_view::npos) return "";
  }
  return std::string(id.substr(0, 4));
}

}  // namespace kpr::referral
