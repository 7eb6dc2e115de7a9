#ifndef KPR_LIBS_RPC_AUTH_H_
#define KPR_LIBS_RPC_AUTH_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "libs/rpc/jwt.h"

namespace kpr::rpc {

// "Bearer <token>" (scheme case-insensitive, one or more spaces) -> "<token>".
// UNAUTHENTICATED if the scheme is not Bearer or the token is empty.
absl::StatusOr<std::string> BearerToken(absl::string_view authorization_header);

// Verifies the bearer token in the call's "authorization" metadata. UNAUTHENTICATED when it is
// missing, given more than once, not a Bearer token, or fails JwtVerifier::Verify.
absl::StatusOr<Claims> Authenticate(const grpc::ServerContext& context,
                                    const JwtVerifier& verifier);

// Canonical code mapping (absl and gRPC share the numeric codes); message kept.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// Adds "authorization: Bearer <token>" to an outgoing call.
void SetBearerToken(grpc::ClientContext& context, absl::string_view token);

// W3C trace context over metadata keys "traceparent" / "tracestate".
// True for "vv-<32 hex>-<16 hex>-ff" (lower-case hex, version not ff, ids not all zero).
bool IsValidTraceparent(absl::string_view traceparent);
// The incoming "traceparent", or "" if absent or malformed (so callers start a new trace).
std::string IncomingTraceparent(const grpc::ServerContext& context);
// The incoming "tracestate", or "" if absent (meaningless without a valid traceparent).
std::string IncomingTracestate(const grpc::ServerContext& context);
// Adds "traceparent" (and "tracestate" if non-empty) to an outgoing call. Empty or malformed
// traceparent adds nothing.
void SetTraceparent(grpc::ClientContext& context, absl::string_view traceparent,
                    absl::string_view tracestate = "");

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_AUTH_H_
