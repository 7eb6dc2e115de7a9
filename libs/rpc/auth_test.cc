#include "libs/rpc/auth.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace kpr::rpc {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

TEST(BearerTokenTest, ParsesSchemeCaseInsensitively) {
  for (absl::string_view header : {"Bearer abc.def.ghi", "bearer abc.def.ghi",
                                   "BEARER   abc.def.ghi", " Bearer\tabc.def.ghi "}) {
    absl::StatusOr<std::string> token = BearerToken(header);
    ASSERT_TRUE(token.ok()) << header;
    EXPECT_EQ(*token, "abc.def.ghi") << header;
  }
  for (absl::string_view bad :
       {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearerabc", "abc.def.ghi"}) {
    EXPECT_EQ(BearerToken(bad).status().code(), absl::StatusCode::kUnauthenticated) << bad;
  }
}

TEST(StatusTest, MapsEveryCanonicalCodeBothWays) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status in(static_cast<absl::StatusCode>(code), absl::StrCat("message ", code));
    grpc::Status out = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(out.error_code()), code);
    EXPECT_EQ(out.error_message(), absl::StrCat("message ", code));
    EXPECT_EQ(FromGrpcStatus(out), in);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  EXPECT_EQ(ToGrpcStatus(absl::AbortedError("v")).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no")).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(TraceparentTest, Validation) {
  EXPECT_TRUE(IsValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_TRUE(IsValidTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));
  for (absl::string_view bad : {"", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
                                "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
    EXPECT_FALSE(IsValidTraceparent(bad)) << bad;
  }
}

constexpr absl::string_view kSecret = "auth-test-secret-auth-test-secret";
constexpr absl::string_view kTraceparent =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// A stand-in service: authenticates every call and echoes what it saw in trailing metadata.
class EchoAuthService final : public Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext* context, const HealthCheckRequest*,
                     HealthCheckResponse* response) override {
    context->AddTrailingMetadata("x-traceparent", IncomingTraceparent(*context));
    context->AddTrailingMetadata("x-tracestate", IncomingTracestate(*context));
    absl::StatusOr<Claims> claims = Authenticate(*context, verifier_);
    if (!claims.ok()) return ToGrpcStatus(claims.status());
    context->AddTrailingMetadata("x-subject", claims->subject);
    context->AddTrailingMetadata("x-role", std::string(RoleName(claims->role)));
    response->set_status(HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }

 private:
  JwtVerifier verifier_{std::string(kSecret)};
};

class AuthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port, 0);
    stub_ = Health::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  static std::string Trailer(const grpc::ClientContext& context, const std::string& key) {
    auto it = context.GetServerTrailingMetadata().find(key);
    if (it == context.GetServerTrailingMetadata().end()) return "<absent>";
    return std::string(it->second.data(), it->second.size());
  }

  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  }

  EchoAuthService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Health::Stub> stub_;
};

TEST_F(AuthServerTest, ValidBearerTokenAuthenticates) {
  Claims claims;
  claims.subject = "cw-1";
  claims.role = Role::kCaseworker;
  claims.municipalities = {"0101"};
  claims.expires_at = absl::Now() + absl::Hours(1);
  grpc::ClientContext context;
  Deadline(context);
  SetBearerToken(context, SignJwt(claims, kSecret));
  SetTraceparent(context, kTraceparent, "kpr=abc");
  HealthCheckRequest request;
  HealthCheckResponse response;
  grpc::Status status = stub_->Check(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Trailer(context, "x-subject"), "cw-1");
  EXPECT_EQ(Trailer(context, "x-role"), "caseworker");
  EXPECT_EQ(Trailer(context, "x-traceparent"), kTraceparent);
  EXPECT_EQ(Trailer(context, "x-tracestate"), "kpr=abc");
}

TEST_F(AuthServerTest, MissingTokenIsUnauthenticated) {
  grpc::ClientContext context;
  Deadline(context);
  HealthCheckRequest request;
  HealthCheckResponse response;
  grpc::Status status = stub_->Check(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("missing authorization"));
  EXPECT_EQ(Trailer(context, "x-traceparent"), "");  // absent -> ""
}

TEST_F(AuthServerTest, TokenSignedWithOtherSecretIsUnauthenticated) {
  Claims claims;
  claims.subject = "cw-1";
  claims.role = Role::kCaseworker;
  grpc::ClientContext context;
  Deadline(context);
  SetBearerToken(context, SignJwt(claims, "not-the-secret"));
  HealthCheckRequest request;
  HealthCheckResponse response;
  grpc::Status status = stub_->Check(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("signature"));
}

TEST_F(AuthServerTest, NonBearerSchemeIsUnauthenticated) {
  grpc::ClientContext context;
  Deadline(context);
  context.AddMetadata("authorization", "Basic dXNlcjpwYXNz");
  SetTraceparent(context, "not-a-traceparent");  // dropped by the client helper
  HealthCheckRequest request;
  HealthCheckResponse response;
  EXPECT_EQ(stub_->Check(&context, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Trailer(context, "x-traceparent"), "");
}

}  // namespace
}  // namespace kpr::rpc
