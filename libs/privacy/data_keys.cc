#include "libs/privacy/data_keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace kpr::privacy {
namespace {

constexpr size_t kKeySize = 32;

struct KdfDeleter {
  void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

std::string DeriveOrDie(absl::string_view master_key, absl::string_view info) {
  absl::StatusOr<std::string> key = HkdfSha256("kpr", master_key, info, kKeySize);
  if (!key.ok()) {
    std::fprintf(stderr, "kpr::privacy::DeriveDataKeys: %s\n",
                 std::string(key.status().message()).c_str());
    std::abort();
  }
  return *std::move(key);
}

}  // namespace

absl::StatusOr<std::string> HkdfSha256(absl::string_view salt, absl::string_view ikm,
                                       absl::string_view info, size_t length) {
  if (length == 0 || length > 255 * 32) {
    return absl::InvalidArgumentError("HKDF-SHA256 output length must be 1..8160 bytes");
  }
  if (ikm.empty()) return absl::InvalidArgumentError("HKDF input key material is empty");
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return absl::InternalError("OpenSSL has no HKDF");
  std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return absl::InternalError("EVP_KDF_CTX_new failed");

  // OpenSSL's params take non-const pointers but only read them.
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()),
                                                  ikm.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    const_cast<char*>(salt.data()), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                    const_cast<char*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  std::string out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), params) !=
      1) {
    return absl::InternalError("HKDF-SHA256 derivation failed");
  }
  return out;
}

DataKeys DeriveDataKeys(absl::string_view master_key) {
  DataKeys keys;
  keys.encryption_key = DeriveOrDie(master_key, "kpr/encryption/v1");
  keys.pseudonym_key = DeriveOrDie(master_key, "kpr/pseudonym/v1");
  keys.dead_letter_key = DeriveOrDie(master_key, "kpr/dead-letter/v1");
  return keys;
}

absl::StatusOr<DataKeys> LoadDataKeysFromFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rbe");
  if (file == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read data key file ", path, ": ", std::strerror(errno)));
  }
  // Read one byte more than needed to detect a longer file.
  unsigned char buf[kKeySize + 1];
  const size_t read = std::fread(buf, 1, sizeof(buf), file);
  const bool read_error = std::ferror(file) != 0;
  std::fclose(file);
  if (read_error || read != kKeySize) {
    OPENSSL_cleanse(buf, sizeof(buf));
    return absl::FailedPreconditionError(
        absl::StrCat("data key file ", path,
                     read_error ? " could not be read" : " must hold exactly 32 raw bytes"));
  }
  DataKeys keys = DeriveDataKeys(absl::string_view(reinterpret_cast<char*>(buf), kKeySize));
  OPENSSL_cleanse(buf, sizeof(buf));
  return keys;
}

}  // namespace kpr::privacy
