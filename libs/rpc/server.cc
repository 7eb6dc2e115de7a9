#include "libs/rpc/server.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace kpr::rpc {
namespace {

// A duration as a channel argument: milliseconds, clamped to int (infinite: INT_MAX).
int Millis(absl::Duration d) {
  return static_cast<int>(std::clamp<int64_t>(absl::ToInt64Milliseconds(d), 1, INT_MAX));
}

}  // namespace

absl::StatusOr<std::unique_ptr<RpcServer>> RpcServer::Start(ServerOptions options) {
  // Both are process-wide switches read when the builder is created / the server is built.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // A second instance on the same port must fail, not silently share the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Accept the clients' keepalive pings (channel.cc), idle ones too; stricter limits would
  // answer them with GOAWAY "too_many_pings".
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             Millis(kServerMinPingInterval));
  // Recycle connections so clients re-resolve and spread over new replicas (gRFC A9).
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, Millis(options.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             Millis(options.max_connection_age_grace));
  // Handlers block on Redis; cap the sync server's threads so overload turns into
  // RESOURCE_EXHAUSTED instead of unbounded thread growth.
  grpc::ResourceQuota quota("kpr_rpc_server");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  // Handlers block on Redis. With the default of one or two pollers, a burst makes gRPC start and
  // stop threads per request, which shows up as tail latency; keep a few waiting.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 4);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 8);
  for (grpc::Service* service : options.services) builder.RegisterService(service);

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    if (server != nullptr) server->Shutdown();
    return absl::UnavailableError(absl::StrCat("cannot start gRPC server on ", options.address));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) {
    server->Shutdown();
    return absl::InternalError("gRPC health service not enabled");
  }
  // Not ready until the owner says its dependencies work.
  health->SetServingStatus("", false);
  for (const std::string& name : options.health_service_names) {
    health->SetServingStatus(name, false);
  }
  health->SetServingStatus(kLivenessHealthName, true);  // the process answers: alive
  return std::unique_ptr<RpcServer>(
      new RpcServer(std::move(server), port, std::move(options.health_service_names)));
}

RpcServer::RpcServer(std::unique_ptr<grpc::Server> server, int port, std::vector<std::string> names)
    : server_(std::move(server)), port_(port), health_names_(std::move(names)) {}

RpcServer::~RpcServer() {
  Shutdown(absl::ZeroDuration());
  Wait();
}

void RpcServer::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  if (shutting_down_) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus("", serving);
  for (const std::string& name : health_names_) health->SetServingStatus(name, serving);
  serving_ = serving;
}

bool RpcServer::serving() const {
  absl::MutexLock lock(&mu_);
  return serving_;
}

void RpcServer::Shutdown(absl::Duration grace) {
  absl::call_once(shutdown_once_, [&] {
    {
      absl::MutexLock lock(&mu_);
      shutting_down_ = true;
      serving_ = false;
      // NOT_SERVING first so health watchers learn before the listener closes.
      server_->GetHealthCheckService()->Shutdown();
    }
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  });
}

void RpcServer::Wait() { server_->Wait(); }

}  // namespace kpr::rpc
