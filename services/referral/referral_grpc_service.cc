#include "services/referral/referral_grpc_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "libs/observe/trace.h"
#include "libs/rpc/auth.h"

namespace kpr::referral {

ReferralGrpcService::ReferralGrpcService(ReferralDesk& desk, const rpc::JwtVerifier& verifier)
    : desk_(desk), verifier_(verifier) {}

template <typename Body>
grpc::Status ReferralGrpcService::Serve(const char* method, grpc::ServerContext* context, Body body) {
  absl::Time start = absl::Now();
  observe::TraceContext trace;
  if (auto parent = observe::ParseTraceparent(rpc::IncomingTraceparent(*context))) {
    trace = observe::ChildSpan(*parent);
  } else {
    trace = observe::NewRootTrace();
  }
  observe::ScopedTrace scoped(trace);
  absl::Status status;
  auto claims = rpc::Authenticate(*context, verifier_);
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
    observe::Warn("rpc failed").With("method", method).With("code", code)
        .With("error", status.message());
  }
  return rpc::ToGrpcStatus(status);
}

grpc::Status ReferralGrpcService::SubmitReferral(grpc::ServerContext* context,
                                                 const v1::SubmitReferralRequest* request,
                                                 v1::SubmitReferralResponse* response) {
  return Serve("SubmitReferral", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.Submit(request->submission(), caller);
    if (!result.ok()) return result.status();
    *response->mutable_referral() = std::move(result->first);
    response->set_created(result->second);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::GetReferral(grpc::ServerContext* context,
                                              const v1::GetReferralRequest* request,
                                              v1::Referral* response) {
  return Serve("GetReferral", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.Get(request->id(), caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::ListReferrals(grpc::ServerContext* context,
                                                const v1::ListReferralsRequest* request,
                                                v1::ListReferralsResponse* response) {
  return Serve("ListReferrals", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.List(*request, caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::UpdateReferralStatus(grpc::ServerContext* context,
                                                       const v1::UpdateReferralStatusRequest* request,
                                                       v1::Referral* response) {
  return Serve("UpdateReferralStatus", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.UpdateStatus(*request, caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::GetContact(grpc::ServerContext* context,
                                             const v1::GetContactRequest* request,
                                             v1::Contact* response) {
  return Serve("GetContact", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.GetContact(request->id(), caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::GetFunnel(grpc::ServerContext* context,
                                            const v1::GetFunnelRequest* request,
                                            v1::Funnel* response) {
  return Serve("GetFunnel", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.GetFunnel(*request, caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

}  // namespace kpr::referral
