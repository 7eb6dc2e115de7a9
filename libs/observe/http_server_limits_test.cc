// HttpServer against clients that misbehave: slow, silent, oversized, too many, too busy. Each
// test runs the real server on a free loopback port.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/observe/http_server.h"
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
using ::kpr::observe::testing::SlowClients;
using ::kpr::observe::testing::StatusOf;
using ::testing::HasSubstr;

double RejectedCount(const std::string& reason) {
  return MetricsRegistry::Global()
      .GetCounter("kpr_http_rejected_total", "", {{"reason", reason}})
      .value();
}

// Polls `done` every 20 ms for up to `timeout`.
bool Eventually(const std::function<bool()>& done, absl::Duration timeout) {
  for (absl::Time end = absl::Now() + timeout; absl::Now() < end;) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

// The measurement of issue 11, with the services' default options: before, six such clients kept
// /readyz from answering for 10 s.
TEST(HttpServerLimitsTest, SlowClientsDoNotStopReadyzFromAnswering) {
  HttpServer server("127.0.0.1:0");
  ServeObservability(server, [] { return true; });
  ASSERT_TRUE(server.Start().ok());
  SlowClients slow(server.port(), 8, absl::Milliseconds(1500));

  int probes = 0;
  absl::Duration worst;
  for (absl::Time end = absl::Now() + absl::Seconds(4); absl::Now() < end; ++probes) {
    absl::Time start = absl::Now();
    std::string response = Get(server.port(), "/readyz");
    absl::Duration took = absl::Now() - start;
    worst = std::max(worst, took);
    EXPECT_EQ(StatusOf(response), 200) << "probe " << probes << ": " << response;
    EXPECT_LT(took, absl::Seconds(1)) << "probe " << probes;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_GE(probes, 15);
  EXPECT_EQ(slow.closed(), 0) << "the slow clients held their connections all along";
  // Then the default 5 s deadline closes every one, though bytes still trickle in.
  EXPECT_TRUE(Eventually([&] { return slow.closed() == 8; }, absl::Seconds(4)));
  ::testing::Test::RecordProperty("worst_readyz_ms",
                                  static_cast<int>(absl::ToInt64Milliseconds(worst)));
}

TEST(HttpServerLimitsTest, RequestDeadlineClosesAClientThatNeverFinishes) {
  HttpServerOptions options;
  options.request_deadline = absl::Milliseconds(500);
  HttpServer server("127.0.0.1:0", options);
  ServeObservability(server, nullptr);
  ASSERT_TRUE(server.Start().ok());
  const double deadlines_before = RejectedCount("deadline");

  // A byte every 100 ms: no single read ever waits long, only the whole request is too slow.
  int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  absl::Time start = absl::Now();
  SlowClients trickle(server.port(), 1, absl::Milliseconds(100));
  ASSERT_TRUE(Eventually([&] { return trickle.closed() == 1; }, absl::Seconds(3)));
  absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(400));
  EXPECT_LT(took, absl::Milliseconds(1500));

  // The silent one opened first is closed too, without an answer.
  EXPECT_EQ(ReadUntilClosed(fd, absl::Seconds(2)), "");
  ::close(fd);
  EXPECT_GE(RejectedCount("deadline") - deadlines_before, 2);
  EXPECT_EQ(StatusOf(Get(server.port(), "/healthz")), 200);
}

TEST(HttpServerLimitsTest, BodyOverTheLimitGets413) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  HttpServer server("127.0.0.1:0", options);
  std::atomic<int> calls{0};
  server.Handle("POST", "/callbacks", [&calls](const HttpRequest& request) {
    calls.fetch_add(1);
    return HttpResponse{200, "text/plain", absl::StrCat(request.body.size())};
  });
  ASSERT_TRUE(server.Start().ok());
  auto post = [&](size_t size) {
    return RawRequest(server.port(),
                      absl::StrCat("POST /callbacks HTTP/1.1\r\nHost: x\r\n",
                                   "Content-Length: ", size, "\r\n\r\n", std::string(size, 'b')));
  };

  std::string at_limit = post(1024);
  EXPECT_EQ(StatusOf(at_limit), 200);
  EXPECT_EQ(Body(at_limit), "1024");

  // Refused from Content-Length, and the answer still reaches a client that sent it all.
  std::string over = post(1025);
  EXPECT_EQ(StatusOf(over), 413) << over;
  EXPECT_THAT(over, HasSubstr("Connection: close\r\n"));
  std::string far_over = post(200 * 1024);
  EXPECT_EQ(StatusOf(far_over), 413) << far_over;

  // A chunked body is counted as it arrives.
  std::string chunked = RawRequest(
      server.port(),
      absl::StrCat("POST /callbacks HTTP/1.1\r\nHost: x\r\n", "Transfer-Encoding: chunked\r\n\r\n",
                   "400\r\n", std::string(1024, 'c'), "\r\n", "1\r\nc\r\n0\r\n\r\n"));
  EXPECT_EQ(StatusOf(chunked), 413) << chunked;
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerLimitsTest, ConnectionsBeyondTheCapAreRefusedNotQueued) {
  HttpServerOptions options;
  options.max_connections = 3;
  HttpServer server("127.0.0.1:0", options);
  ServeObservability(server, nullptr);
  ASSERT_TRUE(server.Start().ok());
  const double refused_before = RejectedCount("connections");

  int silent[3];
  for (int& fd : silent) {
    fd = ConnectLoopback(server.port());
    ASSERT_GE(fd, 0);
  }
  absl::SleepFor(absl::Milliseconds(100));  // accepted: the cap is reached

  // Well before the 5 s deadline would free a slot: answered 503 at once.
  for (int i = 0; i < 5; ++i) {
    absl::Time start = absl::Now();
    int fd = ConnectLoopback(server.port());
    ASSERT_GE(fd, 0);
    std::string response = ReadUntilClosed(fd, absl::Seconds(3));
    ::close(fd);
    EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
    EXPECT_EQ(StatusOf(response), 503) << response;
    EXPECT_THAT(response, HasSubstr("Retry-After: 1\r\n"));
  }
  EXPECT_EQ(RejectedCount("connections") - refused_before, 5);

  for (int fd : silent) ::close(fd);
  EXPECT_TRUE(Eventually([&] { return StatusOf(Get(server.port(), "/healthz")) == 200; },
                         absl::Seconds(2)));
}

TEST(HttpServerLimitsTest, RequestsBeyondTheQueueAreAnswered503) {
  HttpServerOptions options;
  options.workers = 1;
  options.max_queued = 1;
  HttpServer server("127.0.0.1:0", options);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> entered{0};
  server.Handle("GET", "/slow", [&](const HttpRequest&) {
    entered.fetch_add(1);
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
    return HttpResponse{200, "text/plain", "done"};
  });
  ASSERT_TRUE(server.Start().ok());

  std::string first, second, third;
  std::thread a([&] { first = Get(server.port(), "/slow"); });
  ASSERT_TRUE(Eventually([&] { return entered.load() == 1; }, absl::Seconds(2)));
  // The worker is busy: one of these two waits in the queue, the other finds it full.
  std::atomic<int> answered{0};
  std::thread b([&] {
    second = Get(server.port(), "/slow");
    answered.fetch_add(1);
  });
  std::thread c([&] {
    third = Get(server.port(), "/slow");
    answered.fetch_add(1);
  });
  EXPECT_TRUE(Eventually([&] { return answered.load() == 1; }, absl::Seconds(2)));
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  a.join();
  b.join();
  c.join();
  EXPECT_EQ(StatusOf(first), 200);
  EXPECT_EQ(StatusOf(second) + StatusOf(third), 200 + 503) << second << "\n" << third;
  std::string busy = StatusOf(second) == 503 ? second : third;
  EXPECT_THAT(busy, HasSubstr("Retry-After: 1\r\n"));
}

}  // namespace
}  // namespace kpr::observe
