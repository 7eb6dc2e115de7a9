#include "libs/store/cluster_slot.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kpr::store {

uint16_t Crc16(absl::string_view data) {
  uint16_t crc = 0;
  for (unsigned char byte : data) {
    crc ^= static_cast<uint16_t>(byte) << 8;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

int KeySlot(absl::string_view key) {
  size_t open = key.find('{');
  if (open != absl::string_view::npos) {
    size_t close = key.find('}', open + 1);
    // "{}" hashes the whole key: an empty tag is no tag.
    if (close != absl::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return Crc16(key) & (kClusterSlots - 1);
}

std::string NodeName(const NodeAddress& node) {
  if (absl::StrContains(node.host, ':')) return absl::StrCat("[", node.host, "]:", node.port);
  return absl::StrCat(node.host, ":", node.port);
}

std::optional<Redirect> ParseRedirect(absl::string_view error_reply) {
  std::vector<absl::string_view> parts = absl::StrSplit(error_reply, ' ');
  if (parts.size() != 3) return std::nullopt;
  Redirect r;
  if (parts[0] == "MOVED") {
    r.kind = Redirect::Kind::kMoved;
  } else if (parts[0] == "ASK") {
    r.kind = Redirect::Kind::kAsk;
  } else {
    return std::nullopt;
  }
  if (!absl::SimpleAtoi(parts[1], &r.slot) || r.slot < 0 || r.slot >= kClusterSlots) {
    return std::nullopt;
  }
  absl::string_view endpoint = parts[2];
  size_t colon = endpoint.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return std::nullopt;
  absl::string_view host = endpoint.substr(0, colon);
  // Some servers bracket IPv6 addresses; the pool names nodes without brackets.
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || !absl::SimpleAtoi(endpoint.substr(colon + 1), &r.node.port) ||
      r.node.port <= 0 || r.node.port > 65535) {
    return std::nullopt;
  }
  r.node.host = std::string(host);
  return r;
}

}  // namespace kpr::store
