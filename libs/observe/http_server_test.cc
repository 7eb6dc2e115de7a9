#include "libs/observe/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/observe/metrics.h"

namespace kpr::observe {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Sends `request` raw to 127.0.0.1:port and reads until the server closes.
std::string RawRequest(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    ADD_FAILURE() << "connect failed";
    return "";
  }
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, n);
  ::close(fd);
  return response;
}

std::string Get(int port, const std::string& path) {
  return RawRequest(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

std::string Body(const std::string& response) {
  size_t pos = response.find("\r\n\r\n");
  return pos == std::string::npos ? "" : response.substr(pos + 4);
}

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
  // Connects and sends nothing: it holds one connection worker until the I/O timeout.
  int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(silent, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  absl::SleepFor(absl::Milliseconds(50));
  absl::Time start = absl::Now();
  EXPECT_THAT(Get(server_.port(), "/healthz"), StartsWith("HTTP/1.1 200"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  ::close(silent);
}

TEST_F(HttpServerTest, CustomHandlerAddedAfterStart) {
  server_.Handle("/custom", [] { return HttpResponse{201, "application/json", "{}"}; });
  std::string response = Get(server_.port(), "/custom");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 201 "));
  EXPECT_THAT(response, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_EQ(Body(response), "{}");
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
