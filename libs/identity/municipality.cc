#include "libs/identity/municipality.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kpr::identity {

bool IsMunicipalityCode(absl::string_view code) {
  if (code.size() != 4) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status CheckMunicipality(absl::string_view field, absl::string_view code) {
  if (IsMunicipalityCode(code)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be a four-digit municipality code, e.g. 0165"));
}

std::string MunicipalityOfId(absl::string_view id) {
  if (id.size() < 6 || id[4] != '-' || !IsMunicipalityCode(id.substr(0, 4))) return "";
  return std::string(id.substr(0, 4));
}

}  // namespace kpr::identity
