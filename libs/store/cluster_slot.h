#ifndef KPR_LIBS_STORE_CLUSTER_SLOT_H_
#define KPR_LIBS_STORE_CLUSTER_SLOT_H_

// The Redis Cluster slot protocol's pure parts: which slot a key lives in, and what a MOVED / ASK
// redirection says. No I/O; see cluster_router.h for the part that talks to servers.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace kpr::store {

inline constexpr int kClusterSlots = 16384;

// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), as the Redis Cluster spec defines it.
uint16_t Crc16(absl::string_view data);

// The hash slot of a key: CRC16 of the hash tag (the bytes between the first '{' and the first
// '}' after it, if non-empty), else of the whole key, modulo 16384.
int KeySlot(absl::string_view key);

// A node address as Redis announces it: an IP (v4 or v6, without brackets) or a hostname.
struct NodeAddress {
  std::string host;
  int port = 0;
  friend bool operator==(const NodeAddress&, const NodeAddress&) = default;
};
// "host:port", IPv6 in brackets ("[::1]:7000"): the key of a node's connection pool.
std::string NodeName(const NodeAddress& node);

struct Redirect {
  enum class Kind { kMoved, kAsk };
  Kind kind;
  int slot = 0;
  NodeAddress node;
};

// Parses "MOVED <slot> <host>:<port>" or "ASK <slot> <host>:<port>" error replies. The port is
// after the last colon, so IPv6 addresses and hostnames both work. nullopt for anything else.
std::optional<Redirect> ParseRedirect(absl::string_view error_reply);

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_CLUSTER_SLOT_H_
