#ifndef KPR_LIBS_RPC_SERVER_H_
#define KPR_LIBS_RPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/server.h"
#include "libs/rpc/keepalive.h"

namespace kpr::rpc {

// The health name Kubernetes' native gRPC liveness probe asks for: SERVING from start until
// Shutdown, whatever NATS and Redis do. "" (readiness) follows the dependencies, so an outage
// makes a replica unready instead of restarting it, which would not bring Redis back.
inline constexpr char kLivenessHealthName[] = "kpr.liveness";

struct ServerOptions {
  std::string address;                            // "host:port"; port 0 picks a free port
  std::vector<grpc::Service*> services;           // not owned; must outlive the server
  std::vector<std::string> health_service_names;  // e.g. "kpr.referral.v1.ReferralService"
  int max_receive_message_bytes = 4 << 20;
  int max_threads = 64;  // sync handler threads (ResourceQuota)
  // Connections are closed (GOAWAY) after this age, calls in flight get the grace, so clients
  // reconnect and new replicas get traffic (gRFC A9; keepalive.h). Tests use seconds.
  absl::Duration max_connection_age = kDefaultMaxConnectionAge;
  absl::Duration max_connection_age_grace = kDefaultMaxConnectionAgeGrace;
};

// A gRPC server with grpc.health.v1.Health and server reflection, keepalive permits that match
// ServiceChannel's pings, and a maximum connection age. Health starts NOT_SERVING
// for "" and every named service; the owner flips it with SetServing() once its dependencies
// (NATS, Redis) work. kLivenessHealthName is SERVING until Shutdown.
class RpcServer {
 public:
  // UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<RpcServer>> Start(ServerOptions options);

  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;
  // Shuts down (no grace) if the owner did not, then waits.
  ~RpcServer();

  // The bound port (the chosen one when the address asked for port 0).
  int port() const { return port_; }

  // Sets "" and every named service SERVING / NOT_SERVING. No-op once Shutdown began.
  void SetServing(bool serving);
  bool serving() const;

  // Marks everything NOT_SERVING for good, stops accepting calls and gives in-flight calls
  // until now + grace before cancelling them. Idempotent; returns when the server stopped.
  void Shutdown(absl::Duration grace);

  // Blocks until the server has shut down.
  void Wait();

 private:
  RpcServer(std::unique_ptr<grpc::Server> server, int port, std::vector<std::string> names);

  const std::unique_ptr<grpc::Server> server_;
  const int port_;
  const std::vector<std::string> health_names_;
  mutable absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::once_flag shutdown_once_;  // concurrent Shutdown() callers wait for the first
};

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_SERVER_H_
