#include "libs/store/keys.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kpr::store {

std::string Key(absl::string_view municipality, absl::string_view service,
                absl::string_view suffix) {
  return absl::StrCat("kpr:{", municipality, "}:", service, ":", suffix);
}

bool IsMunicipalityCode(absl::string_view m) {
  if (m.size() != 4) return false;
  for (char c : m) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace kpr::store
