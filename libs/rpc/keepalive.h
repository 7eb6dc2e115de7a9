#ifndef KPR_LIBS_RPC_KEEPALIVE_H_
#define KPR_LIBS_RPC_KEEPALIVE_H_

// Keepalive and connection-age settings shared by kpr's gRPC servers (server.cc) and clients
// (channel.cc), kept in one place because each side must accept what the other does: a client
// that pings more often than the server permits is cut off with GOAWAY "too_many_pings".

#include "absl/time/time.h"

namespace kpr::rpc {

// Client: ping an idle connection this often (also without calls), and drop it if the ping is
// not answered within the timeout, so a replica that vanished (node lost, no FIN) is noticed.
inline constexpr absl::Duration kClientKeepaliveTime = absl::Seconds(30);
inline constexpr absl::Duration kClientKeepaliveTimeout = absl::Seconds(10);

// Server: accept pings without calls, as often as every kServerMinPingInterval.
inline constexpr absl::Duration kServerMinPingInterval = absl::Seconds(10);
static_assert(kServerMinPingInterval < kClientKeepaliveTime,
              "the server must permit the clients' keepalive pings");

// Server: close every connection after this age (plus a grace for calls in flight), so clients
// reconnect, re-resolve a dns:/// target and spread over replicas added since (gRFC A9). gRPC
// adds +-10% jitter to the age so connections do not all close at once.
inline constexpr absl::Duration kDefaultMaxConnectionAge = absl::Minutes(5);
inline constexpr absl::Duration kDefaultMaxConnectionAgeGrace = absl::Seconds(30);

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_KEEPALIVE_H_
