#include "libs/observe/http_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/observe/http_test_client.h"
#include "libs/observe/metrics.h"

namespace kpr::observe {
namespace {

using ::kpr::observe::testing::Body;
using ::kpr::observe::testing::ConnectLoopback;
using ::kpr::observe::testing::Get;
using ::kpr::observe::testing::RawRequest;
using ::kpr::observe::testing::ReadUntilClosed;
using ::kpr::observe::testing::SendAll;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServeObservability(server_, [this] { return ready_.load(); });
    ASSERT_TRUE(server_.Start().ok());
    ASSERT_GT(server_.port(), 0);
  }

  std::atomic<bool> ready_{false};
  HttpServer server_{"127.0.0.1:0"};
};

TEST_F(HttpServerTest, ServesMetrics) {
  MetricsRegistry::Global().GetCounter("http_test_hits_total", "Test hits.").Increment(5);
  std::string response = Get(server_.port(), "/metrics");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, HasSubstr("Content-Type: text/plain; version=0.0.4\r\n"));
  EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
  std::string body = Body(response);
  EXPECT_THAT(response, HasSubstr("Content-Length: " + std::to_string(body.size()) + "\r\n"));
  EXPECT_THAT(body, HasSubstr("# TYPE http_test_hits_total counter\nhttp_test_hits_total 5\n"));
}

TEST_F(HttpServerTest, HealthzAndReadyzFlip) {
  std::string health = Get(server_.port(), "/healthz");
  EXPECT_THAT(health, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(Body(health), "ok");

  std::string not_ready = Get(server_.port(), "/readyz");
  EXPECT_THAT(not_ready, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_EQ(Body(not_ready), "not ready");

  ready_ = true;
  std::string ready = Get(server_.port(), "/readyz?verbose=1");
  EXPECT_THAT(ready, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(Body(ready), "ready");

  ready_ = false;
  EXPECT_THAT(Get(server_.port(), "/readyz"), StartsWith("HTTP/1.1 503 "));
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  EXPECT_THAT(Get(server_.port(), "/nope"), StartsWith("HTTP/1.1 404 Not Found\r\n"));
}

TEST_F(HttpServerTest, OtherMethodsAre405AndHeadHasNoBody) {
  std::string post = RawRequest(server_.port(), "POST /healthz HTTP/1.1\r\n\r\n");
  EXPECT_THAT(post, StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(post, HasSubstr("Allow: GET, HEAD\r\n"));
  std::string head = RawRequest(server_.port(), "HEAD /healthz HTTP/1.1\r\n\r\n");
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Length: 2\r\n"));
  EXPECT_EQ(Body(head), "");
}

TEST_F(HttpServerTest, GarbageIs400AndServerKeepsServing) {
  EXPECT_THAT(RawRequest(server_.port(), "hello\r\n\r\n"), StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(RawRequest(server_.port(), std::string(20000, 'x')), StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(Get(server_.port(), "/healthz"), StartsWith("HTTP/1.1 200 "));
}

TEST_F(HttpServerTest, ASilentClientDoesNotHoldUpProbes) {
  // Connects and sends nothing: it holds a connection until the request deadline.
  int silent = ConnectLoopback(server_.port());
  ASSERT_GE(silent, 0);
  absl::SleepFor(absl::Milliseconds(50));
  absl::Time start = absl::Now();
  EXPECT_THAT(Get(server_.port(), "/healthz"), StartsWith("HTTP/1.1 200"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  ::close(silent);
}

TEST_F(HttpServerTest, CustomHandlerAddedAfterStart) {
  server_.Handle("GET", "/custom", [](const HttpRequest&) {
    return HttpResponse{201, "application/json", "{}"};
  });
  std::string response = Get(server_.port(), "/custom");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 201 "));
  EXPECT_THAT(response, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_EQ(Body(response), "{}");
}

TEST_F(HttpServerTest, PostRouteReceivesBodyHeadersAndQuery) {
  HttpRequest seen;
  server_.Handle("POST", "/callbacks/sms", [&seen](const HttpRequest& request) {
    seen = request;
    HttpResponse response{202, "application/json", "{\"accepted\":true}"};
    response.headers.emplace_back("X-Delivery", "d-1");
    response.headers.emplace_back("X-Bad", "a\r\nInjected: yes");  // dropped, never split
    return response;
  });
  const std::string body = "{\"id\":1,\"status\":\"DELIVERED\"}\n\x01\xff";
  std::string response = RawRequest(
      server_.port(),
      "POST /callbacks/sms?userref=d%2D1&note=a+b%20c&empty= HTTP/1.1\r\nHost: localhost\r\n"
      "Content-Type: application/json\r\nX-Gwapi-Signature: sig.abc\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_THAT(response, StartsWith("HTTP/1.1 202 Accepted\r\n"));
  EXPECT_THAT(response, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_THAT(response, HasSubstr("X-Delivery: d-1\r\n"));
  EXPECT_THAT(response, Not(HasSubstr("Injected")));
  EXPECT_EQ(Body(response), "{\"accepted\":true}");

  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/callbacks/sms");
  EXPECT_EQ(seen.body, body);
  EXPECT_EQ(seen.Header("x-gwapi-signature"), "sig.abc");  // any case
  EXPECT_EQ(seen.Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(seen.Header("X-Missing"), std::nullopt);
  EXPECT_EQ(seen.QueryParam("userref"), "d-1");
  EXPECT_EQ(seen.QueryParam("note"), "a b c");
  EXPECT_EQ(seen.QueryParam("empty"), "");
  EXPECT_EQ(seen.QueryParam("none"), std::nullopt);
}

TEST_F(HttpServerTest, ExpectContinueGetsContinueBeforeTheBody) {
  server_.Handle("POST", "/echo", [](const HttpRequest& request) {
    return HttpResponse{200, "text/plain", request.body};
  });
  int fd = ConnectLoopback(server_.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "POST /echo HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                      "Content-Length: 5\r\n\r\n"));
  char buf[64];
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(SendAll(fd, "hello"));
  std::string response = ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(Body(response), "hello");
}

TEST_F(HttpServerTest, AllowListsEveryMethodOfThePath) {
  server_.Handle("POST", "/healthz", [](const HttpRequest&) { return HttpResponse{}; });
  std::string put = RawRequest(server_.port(), "PUT /healthz HTTP/1.1\r\n\r\n");
  EXPECT_THAT(put, StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(put, HasSubstr("Allow: GET, HEAD, POST\r\n"));
}

TEST_F(HttpServerTest, AThrowingHandlerIs500AndTheServerGoesOn) {
  server_.Handle("GET", "/throws",
                 [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  EXPECT_THAT(Get(server_.port(), "/throws"), StartsWith("HTTP/1.1 500 "));
  EXPECT_THAT(Get(server_.port(), "/healthz"), StartsWith("HTTP/1.1 200 "));
}

TEST(HttpServerLifecycleTest, StopReleasesPortAndIsIdempotent) {
  HttpServer server("127.0.0.1:0");
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
  const int port = server.port();
  server.Stop();
  server.Stop();
  EXPECT_EQ(server.port(), 0);
  // The same port can be bound again at once.
  HttpServer again("127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(again.Start().ok());
  EXPECT_EQ(again.port(), port);
}

TEST(HttpServerLifecycleTest, BadAddresses) {
  EXPECT_EQ(HttpServer("no-port").Start().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpServer("127.0.0.1:99999").Start().code(), absl::StatusCode::kInvalidArgument);
  HttpServer first("127.0.0.1:0");
  ASSERT_TRUE(first.Start().ok());
  EXPECT_EQ(HttpServer("127.0.0.1:" + std::to_string(first.port())).Start().code(),
            absl::StatusCode::kUnavailable);
}

TEST(HttpServerLifecycleTest, AllInterfacesAddress) {
  HttpServer server(":0");
  ASSERT_TRUE(server.Start().ok());
  ServeObservability(server, nullptr);
  EXPECT_EQ(Body(Get(server.port(), "/readyz")), "ready");
}

}  // namespace
}  // namespace kpr::observe
