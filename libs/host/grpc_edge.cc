#include "libs/host/grpc_edge.h"

#include "absl/time/clock.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "libs/observe/trace.h"
#include "libs/rpc/auth.h"

namespace kpr::host {

grpc::Status ServeCall(const char* method, grpc::ServerContext* context,
                       const rpc::JwtVerifier& verifier,
                       const std::function<absl::Status(const Caller&)>& body) {
  absl::Time start = absl::Now();
  observe::TraceContext trace;
  if (auto parent = observe::ParseTraceparent(rpc::IncomingTraceparent(*context))) {
    trace = observe::ChildSpan(*parent);
  } else {
    trace = observe::NewRootTrace();
  }
  observe::ScopedTrace scoped(trace);
  absl::Status status;
  auto claims = rpc::Authenticate(*context, verifier);
  if (!claims.ok()) {
    status = claims.status();
  } else {
    Caller caller;
    caller.claims = *std::move(claims);
    caller.correlation_id = observe::NewCorrelationId();
    caller.traceparent = observe::FormatTraceparent(trace);
    status = body(caller);
  }
  const std::string code = absl::StatusCodeToString(status.code());
  observe::MetricsRegistry::Global()
      .GetHistogram("kpr_grpc_server_handling_seconds", "gRPC handling time",
                    {{"method", method}, {"code", code}})
      .Observe(absl::ToDoubleSeconds(absl::Now() - start));
  if (!status.ok() && status.code() != absl::StatusCode::kNotFound &&
      status.code() != absl::StatusCode::kInvalidArgument) {
    observe::Warn("rpc failed")
        .With("method", method)
        .With("code", code)
        .With("error", status.message());
  }
  return rpc::ToGrpcStatus(status);
}

}  // namespace kpr::host
