#ifndef KPR_LIBS_OBSERVE_HTTP_SERVER_H_
#define KPR_LIBS_OBSERVE_HTTP_SERVER_H_

// The one HTTP server of every kpr service: /metrics, /healthz, /readyz and, in notify, the
// gateway's callbacks. Built on Boost.Beast (Debian libboost-dev 1.74, header-only), kept out of
// this header so that only http_server.cc compiles it.
//
// Why Beast and not Debian's cpp-httplib 0.11.4 (measured and read here, issue 11):
// - httplib gives each connection a pool thread for its whole life and only a per-read timeout:
//   8 clients each trickling a byte every 1.5 s held all 8 threads of its default pool, and
//   /readyz probes timed out after 5 s (a shorter read timeout only moves the bar: a byte just
//   inside it holds a thread as well). A whole-request deadline needs a watchdog that shuts the
//   socket down, but the accepted fd exists only inside the closure handed to
//   TaskQueue::enqueue (Server::process_and_close_socket is private): no handle for a watchdog.
// - Its TaskQueue::enqueue returns void: a bounded queue can only refuse a connection by dropping
//   the closure, which leaks the socket, or by running it on the accept thread, which stalls
//   accepting. Debian builds it as a shared library, so its CPPHTTPLIB_* limits are fixed.
// - Beast reads asynchronously (a slow client costs a socket, not a thread); beast::tcp_stream's
//   expires_after() puts one deadline on a whole async_read of head and body; request_parser has
//   header_limit and body_limit (a Content-Length above it fails before the body is read). The
//   connection cap and the bounded handler queue (WorkPool) are ours, a few lines each. With 8
//   trickling clients its /readyz answered in at most 0.11 s; the old server here: 5 s timeouts.
// - The price: http_server.cc alone takes ~55 s and ~0.9 GB to compile at -O2 (Beast is
//   header-only), which is why no other file includes it. No run-time library is added.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::observe {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;   // as sent, e.g. "POST"; a HEAD request reaches a GET route as "HEAD"
  std::string path;     // the target up to '?', e.g. "/callbacks/sms"
  std::string query;    // the raw text after '?', "" if none
  HttpHeaders headers;  // as received, in order
  std::string body;

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<absl::string_view> Header(absl::string_view name) const;
  // The first query parameter `name`, percent-decoded ('+' is a space), or nullopt.
  std::optional<std::string> QueryParam(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  HttpHeaders headers;  // extra headers, e.g. {"Retry-After", "1"}; ones with CR or LF are dropped
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpRoutes;  // http_routes.h

struct HttpServerOptions {
  // One deadline for the whole exchange on a connection, from accept: reading the request head
  // and body, waiting for a worker, the handler and writing the answer. Past it the socket is
  // closed, however steadily the client trickles bytes.
  absl::Duration request_deadline = absl::Seconds(5);
  // Open connections. One more is answered 503 at once and closed, never queued.
  int max_connections = 64;
  // Threads running handlers, and requests (already read in full) waiting for one. A request
  // beyond the queue is answered 503 with Retry-After.
  int workers = 2;
  size_t max_queued = 32;
  // A request body above this is answered 413 (from Content-Length before the body is read).
  size_t max_body_bytes = 64 * 1024;
  // The request line and headers together; above it, 400 "request too large".
  size_t max_header_bytes = 8 * 1024;
};

// HTTP/1.1, one request per connection ("Connection: close"), `Expect: 100-continue` honoured.
// Routes are exact paths (the query string is not part of the match): an unknown path is 404, a
// known path with another method 405 with Allow; a GET route also answers HEAD (no body).
// Malformed requests are 400. Handlers run on the worker threads, never on the I/O thread.
class HttpServer {
 public:
  // "host:port", "[v6]:port" or ":port" (all interfaces); port 0 picks a free port.
  explicit HttpServer(std::string address, HttpServerOptions options = {});
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stop()

  // `method` in capitals ("GET", "POST"); the same method and path again replaces the handler.
  // May be called before or after Start().
  void Handle(std::string method, std::string path, HttpHandler handler);

  // Binds, listens and starts the I/O thread and the workers. INVALID_ARGUMENT for a bad
  // address, UNAVAILABLE if it cannot bind, FAILED_PRECONDITION if already started.
  absl::Status Start();
  // The bound port after Start() (the real one when the address said 0); 0 before and after.
  int port() const;
  // Stops accepting, drops queued requests, waits for running handlers, closes every
  // connection. Idempotent; Start() may be called again.
  void Stop();

  class Impl;

 private:
  const std::string address_;
  const HttpServerOptions options_;
  std::shared_ptr<HttpRoutes> routes_;  // shared with each run's Impl
  std::unique_ptr<Impl> impl_;
};

// Registers GET /metrics (MetricsRegistry::Global(), "text/plain; version=0.0.4"), /healthz
// (200 "ok") and /readyz (200 "ready" if ready() else 503 "not ready"; always ready if `ready`
// is empty).
void ServeObservability(HttpServer& server, std::function<bool()> ready);

}  // namespace kpr::observe

#endif  // KPR_LIBS_OBSERVE_HTTP_SERVER_H_
