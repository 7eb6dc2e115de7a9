#ifndef KPR_LIBS_STORE_KEYS_H_
#define KPR_LIBS_STORE_KEYS_H_

// Key layout. All keys of a service live under kpr:{<municipality>}:<service>:... so that one
// municipality's keys share a Redis Cluster slot and multi-key scripts stay valid on a cluster.

#include <string>

#include "absl/strings/string_view.h"

namespace kpr::store {

// Key("0165", "referral", "r:42") == "kpr:{0165}:referral:r:42"
std::string Key(absl::string_view municipality, absl::string_view service,
                absl::string_view suffix);

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_KEYS_H_
