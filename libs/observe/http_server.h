#ifndef KPR_LIBS_OBSERVE_HTTP_SERVER_H_
#define KPR_LIBS_OBSERVE_HTTP_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"

namespace kpr::observe {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Minimal HTTP/1.1 server for /metrics, /healthz and /readyz: one accept thread, each
// connection handled inline (2 s read/write timeout, request head up to 8 KiB), then closed
// ("Connection: close"). GET and HEAD only (others 405); the query string is ignored; an
// unknown path is 404. Not meant for anything but probes and scrapes.
class HttpServer {
 public:
  // "host:port", "[v6]:port" or ":port" (all interfaces); port 0 picks a free port.
  explicit HttpServer(std::string address);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stop()

  // Exact path match, e.g. "/metrics". May be called before or after Start(). The handler
  // runs on the server's thread.
  void Handle(std::string path, std::function<HttpResponse()> handler);

  // Binds, listens and starts the accept thread. INVALID_ARGUMENT for a bad address,
  // UNAVAILABLE if it cannot bind, FAILED_PRECONDITION if already started.
  absl::Status Start();
  // The bound port after Start() (the real one when the address said 0); 0 before.
  int port() const { return port_.load(); }
  // Stops accepting, joins the thread, closes the socket. Idempotent.
  void Stop();

 private:
  void AcceptLoop();
  void ConnectionLoop();
  void ServeConnection(int fd);

  // A few connections are served at once, so one slow client (each may take up to the 2 s I/O
  // timeout) does not hold up health probes.
  static constexpr int kConnectionWorkers = 4;

  const std::string address_;
  std::atomic<int> port_{0};
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // Stop() writes to [1] to wake the accept thread's poll
  std::thread thread_;
  std::vector<std::thread> workers_;
  std::mutex conn_mu_;
  std::condition_variable conn_cv_;
  std::deque<int> connections_;  // accepted, waiting for a worker; guarded by conn_mu_
  bool closing_ = false;         // guarded by conn_mu_
  std::mutex mu_;                // not absl::Mutex: Debian's Abseil is not TSAN-instrumented
  std::map<std::string, std::function<HttpResponse()>> handlers_ ABSL_GUARDED_BY(mu_);
};

// Registers /metrics (MetricsRegistry::Global(), "text/plain; version=0.0.4"), /healthz
// (200 "ok") and /readyz (200 "ready" if ready() else 503 "not ready"; always ready if
// `ready` is empty).
void ServeObservability(HttpServer& server, std::function<bool()> ready);

}  // namespace kpr::observe

#endif  // KPR_LIBS_OBSERVE_HTTP_SERVER_H_
