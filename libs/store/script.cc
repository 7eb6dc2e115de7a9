#include "libs/store/script.h"

#include <openssl/evp.h>

#include <utility>

namespace kpr::store {
namespace {

std::string Sha1Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure; treat that as fatal like any OOM.
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha1(), nullptr) != 1) abort();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

// The shebang makes Redis 7 check the script's key access (a cross-slot key fails at once on a
// cluster instead of working while two slots happen to share a node), so every script has one.
std::string WithShebang(std::string lua) {
  if (lua.rfind("#!", 0) == 0) return lua;
  return "#!lua\n" + lua;
}

}  // namespace

Script::Script(std::string name, std::string lua)
    : name_(std::move(name)), lua_(WithShebang(std::move(lua))), sha1_(Sha1Hex(lua_)) {}

}  // namespace kpr::store
