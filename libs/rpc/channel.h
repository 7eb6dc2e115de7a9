#ifndef KPR_LIBS_RPC_CHANNEL_H_
#define KPR_LIBS_RPC_CHANNEL_H_

// The client channel one kpr service uses to call another (scheduling -> referral,
// notify -> referral). The target is a gRPC target URI:
//   dns:///kpr-referral-headless:50051        a headless Service: one address per replica
//   ipv4:127.0.0.1:5001,127.0.0.1:5002,...    fixed replicas (tests, loopback)
//   127.0.0.1:50051                           one server (as before)
// Calls are balanced per call over every address (round_robin), not pinned to the first
// connection; keepalive matches what kpr servers permit (keepalive.h); the servers' maximum
// connection age makes the channel re-resolve, so replicas added later get traffic too.

#include <memory>
#include <string>

#include "grpcpp/channel.h"

namespace kpr::rpc {

std::shared_ptr<grpc::Channel> ServiceChannel(const std::string& target);

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_CHANNEL_H_
