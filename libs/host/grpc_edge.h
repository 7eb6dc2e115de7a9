#ifndef KPR_LIBS_HOST_GRPC_EDGE_H_
#define KPR_LIBS_HOST_GRPC_EDGE_H_

// The edge every kpr gRPC method goes through: continue (or start) the caller's W3C trace,
// authenticate the bearer token, run the method's body as that caller, record its latency and
// outcome, log unexpected failures, and map absl::Status to the canonical gRPC code.

#include <functional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "libs/identity/caller.h"
#include "libs/rpc/jwt.h"

namespace kpr::host {

using identity::Caller;

grpc::Status ServeCall(const char* method, grpc::ServerContext* context,
                       const rpc::JwtVerifier& verifier,
                       const std::function<absl::Status(const Caller&)>& body);

// ServeCall for the usual method shape: `method(caller)` returns absl::StatusOr<Response>, whose
// value becomes the gRPC response.
template <typename Response, typename Method>
grpc::Status ServeInto(const char* name, grpc::ServerContext* context,
                       const rpc::JwtVerifier& verifier, Response* response, Method method) {
  return ServeCall(name, context, verifier, [&](const Caller& caller) -> absl::Status {
    auto result = method(caller);
    if (!result.ok()) return result.status();
    *response = *std::move(result);
    return absl::OkStatus();
  });
}

}  // namespace kpr::host

#endif  // KPR_LIBS_HOST_GRPC_EDGE_H_
