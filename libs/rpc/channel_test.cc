// Three kpr gRPC servers on loopback (the RpcServer bootstrap every service uses) behind one
// ServiceChannel over "ipv4:a,b,c", as scheduling and notify call three referral replicas.

#include "libs/rpc/channel.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "kpr/bench/v1/echo.grpc.pb.h"
#include "libs/rpc/server.h"

namespace kpr::rpc {
namespace {

using kpr::bench::v1::EchoRequest;
using kpr::bench::v1::EchoResponse;
using kpr::bench::v1::EchoService;

// Answers "<replica index> <the caller's address as this server sees it>": which replica took
// the call, and on which connection (a new connection has a new client port).
class ReplicaEcho final : public EchoService::Service {
 public:
  explicit ReplicaEcho(int index) : index_(index) {}
  grpc::Status Echo(grpc::ServerContext* context, const EchoRequest*,
                    EchoResponse* response) override {
    response->set_payload(absl::StrCat(index_, " ", context->peer()));
    return grpc::Status::OK;
  }

 private:
  const int index_;
};

class Replicas {
 public:
  Replicas(absl::Duration max_age, absl::Duration grace) {
    for (int i = 0; i < 3; ++i) services_.push_back(std::make_unique<ReplicaEcho>(i));
    std::vector<std::string> addresses;
    for (int i = 0; i < 3; ++i) {
      ServerOptions options;
      options.address = "127.0.0.1:0";
      options.services = {services_[i].get()};
      options.max_connection_age = max_age;
      options.max_connection_age_grace = grace;
      auto server = RpcServer::Start(options);
      EXPECT_TRUE(server.ok()) << server.status();
      addresses.push_back(absl::StrCat("127.0.0.1:", (*server)->port()));
      servers_.push_back(*std::move(server));
    }
    target_ = absl::StrCat("ipv4:", absl::StrJoin(addresses, ","));
  }
  const std::string& target() const { return target_; }
  RpcServer& server(int i) { return *servers_[i]; }

 private:
  std::vector<std::unique_ptr<ReplicaEcho>> services_;
  std::vector<std::unique_ptr<RpcServer>> servers_;
  std::string target_;
};

struct Answer {
  bool ok = false;
  std::string error;
  int replica = -1;
  std::string connection;  // the client's address as the replica saw it
};

Answer Call(EchoService::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  EchoRequest request;
  EchoResponse response;
  grpc::Status status = stub.Echo(&context, request, &response);
  Answer a;
  a.ok = status.ok();
  if (!a.ok) {
    a.error = status.error_message();
    return a;
  }
  std::pair<std::string, std::string> parts = absl::StrSplit(response.payload(), ' ');
  EXPECT_TRUE(absl::SimpleAtoi(parts.first, &a.replica));
  a.connection = parts.second;
  return a;
}

// Calls per replica; every failed call is a test failure.
std::map<int, int> CallMany(EchoService::Stub& stub, int n) {
  std::map<int, int> per_replica;
  for (int i = 0; i < n; ++i) {
    Answer a = Call(stub);
    EXPECT_TRUE(a.ok) << "call " << i << ": " << a.error;
    if (a.ok) ++per_replica[a.replica];
  }
  return per_replica;
}

TEST(ServiceChannel, SpreadsCallsOverEveryReplicaAndKeepsWorkingWhenOneStops) {
  Replicas replicas(kDefaultMaxConnectionAge, kDefaultMaxConnectionAgeGrace);
  auto stub = EchoService::NewStub(ServiceChannel(replicas.target()));
  std::map<int, int> before = CallMany(*stub, 300);
  // round_robin: each replica takes about a third, not all on the first connection.
  for (int i = 0; i < 3; ++i) EXPECT_GE(before[i], 60) << "replica " << i;

  replicas.server(1).Shutdown(absl::ZeroDuration());
  std::map<int, int> after = CallMany(*stub, 300);
  EXPECT_EQ(after[1], 0);
  EXPECT_GE(after[0], 100);
  EXPECT_GE(after[2], 100);
  EXPECT_EQ(after[0] + after[2], 300);
}

TEST(ServiceChannel, APlainHostPortStillWorks) {
  Replicas replicas(kDefaultMaxConnectionAge, kDefaultMaxConnectionAgeGrace);
  const std::string first = std::string(absl::StrSplit(replicas.target(), ',').begin()->substr(5));
  auto stub = EchoService::NewStub(ServiceChannel(first));
  std::map<int, int> seen = CallMany(*stub, 20);
  EXPECT_EQ(seen[0], 20);
}

TEST(ServiceChannel, MaxConnectionAgeRecyclesConnectionsWithoutFailingCalls) {
  Replicas replicas(absl::Seconds(1), absl::Seconds(1));
  auto stub = EchoService::NewStub(ServiceChannel(replicas.target()));
  std::map<int, std::set<std::string>> connections;
  int calls = 0;
  const absl::Time end = absl::Now() + absl::Seconds(5);
  while (absl::Now() < end) {
    Answer a = Call(*stub);
    ASSERT_TRUE(a.ok) << "call " << calls << " failed while connections were recycled: " << a.error;
    connections[a.replica].insert(a.connection);
    ++calls;
    absl::SleepFor(absl::Milliseconds(5));
  }
  // Five ages of ~1 s: every replica was reached over more than one connection.
  for (int i = 0; i < 3; ++i) {
    EXPECT_GE(connections[i].size(), 2u) << "replica " << i << " kept one connection";
  }
}

}  // namespace
}  // namespace kpr::rpc
