#include "libs/store/keys.h"

#include "absl/strings/str_cat.h"

namespace kpr::store {

std::string Key(absl::string_view municipality, absl::string_view service,
                absl::string_view suffix) {
  return absl::StrCat("kpr:{", municipality, "}:", service, ":", suffix);
}

}  // namespace kpr::store
