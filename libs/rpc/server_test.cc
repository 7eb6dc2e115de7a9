#include "libs/rpc/server.h"

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"

namespace kpr::rpc {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr char kServiceName[] = "kpr.referral.v1.ReferralService";

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
}

class RpcServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.address = "127.0.0.1:0";
    options.health_service_names = {kServiceName};
    absl::StatusOr<std::unique_ptr<RpcServer>> server = RpcServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = Health::NewStub(channel_);
  }

  // The health status, or a negative gRPC code if the call itself failed.
  int Check(const std::string& service) {
    grpc::ClientContext context;
    SetDeadline(context);
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::Status status = stub_->Check(&context, request, &response);
    if (!status.ok()) return -static_cast<int>(status.error_code());
    return response.status();
  }

  std::unique_ptr<RpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Health::Stub> stub_;
};

TEST_F(RpcServerTest, HealthFollowsSetServingAndShutdown) {
  EXPECT_FALSE(server_->serving());
  EXPECT_EQ(Check(""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(kServiceName), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check("kpr.other.v1.Unknown"), -grpc::StatusCode::NOT_FOUND);
  // Alive though not ready: the liveness probe must not restart a replica waiting for Redis.
  EXPECT_EQ(Check(kLivenessHealthName), HealthCheckResponse::SERVING);

  server_->SetServing(true);
  EXPECT_TRUE(server_->serving());
  EXPECT_EQ(Check(""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(kServiceName), HealthCheckResponse::SERVING);

  server_->SetServing(false);
  EXPECT_EQ(Check(kServiceName), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(kLivenessHealthName), HealthCheckResponse::SERVING);
  server_->SetServing(true);

  // A watcher sees SERVING, then NOT_SERVING when Shutdown begins (before the server stops).
  grpc::ClientContext watch_context;
  SetDeadline(watch_context);
  HealthCheckRequest request;
  request.set_service(kServiceName);
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> watch =
      stub_->Watch(&watch_context, request);
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);

  std::thread shutdown([&] { server_->Shutdown(absl::Milliseconds(500)); });
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
  shutdown.join();
  EXPECT_NE(Check(kLivenessHealthName), HealthCheckResponse::SERVING);  // draining or gone
  EXPECT_FALSE(server_->serving());

  server_->SetServing(true);  // ignored after Shutdown
  EXPECT_FALSE(server_->serving());
  server_->Shutdown(absl::Seconds(1));  // idempotent
  server_->Wait();
  EXPECT_LT(Check(""), 0);  // nothing listens any more
}

TEST_F(RpcServerTest, ReflectionListsServices) {
  // Debian ships no reflection proto for clients, but libgrpc++_reflection registers the
  // message types in the generated pool: use them dynamically over a generic stub.
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  const google::protobuf::Descriptor* request_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionRequest");
  const google::protobuf::Descriptor* response_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionResponse");
  ASSERT_NE(request_type, nullptr);
  ASSERT_NE(response_type, nullptr);
  google::protobuf::MessageFactory* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> request(factory->GetPrototype(request_type)->New());
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(list_services: "")", request.get()));

  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  SetDeadline(context);
  auto await = [&cq](intptr_t want) {
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), want);
    return ok;
  };
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(await(1));
  grpc::Slice slice(request->SerializeAsString());
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  ASSERT_TRUE(await(2));
  call->WritesDone(reinterpret_cast<void*>(3));
  ASSERT_TRUE(await(3));
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(4));
  ASSERT_TRUE(await(4));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  ASSERT_TRUE(await(5));
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(s.begin(), s.end());
  std::unique_ptr<google::protobuf::Message> response(factory->GetPrototype(response_type)->New());
  ASSERT_TRUE(response->ParseFromString(bytes));
  const std::string text = response->DebugString();
  EXPECT_THAT(text, HasSubstr("grpc.health.v1.Health"));
  EXPECT_THAT(text, HasSubstr("grpc.reflection.v1alpha.ServerReflection"));
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
}

TEST(RpcServerStartTest, PortInUseIsUnavailable) {
  ServerOptions first_options;
  first_options.address = "127.0.0.1:0";
  absl::StatusOr<std::unique_ptr<RpcServer>> first = RpcServer::Start(first_options);
  ASSERT_TRUE(first.ok()) << first.status();
  ServerOptions second_options;
  second_options.address = absl::StrCat("127.0.0.1:", (*first)->port());
  absl::StatusOr<std::unique_ptr<RpcServer>> second = RpcServer::Start(second_options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(second_options.address));
}

}  // namespace
}  // namespace kpr::rpc
