#include "libs/observe/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/observe/http_routes.h"
#include "libs/observe/metrics.h"
#include "libs/observe/process_metrics.h"
#include "libs/observe/work_pool.h"

namespace kpr::observe {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// After an error answer to a request that was not read in full, the rest of it is read and
// dropped (up to this much, within the deadline) so that closing does not reset the connection
// before the client has read the answer.
constexpr size_t kMaxDrainBytes = 1 << 20;
// A longer (or infinite) request_deadline is taken as this, so the time point cannot overflow.
constexpr absl::Duration kLongestDeadline = absl::Hours(1);

// Splits "host:port", "[v6]:port", ":port".
bool SplitHostPort(absl::string_view address, std::string& host, std::string& port) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view h = address.substr(0, colon);
  if (absl::StartsWith(h, "[") && absl::EndsWith(h, "]")) h = h.substr(1, h.size() - 2);
  host = std::string(h);
  port = std::string(address.substr(colon + 1));
  int port_number;
  return absl::SimpleAtoi(port, &port_number) && port_number >= 0 && port_number <= 65535;
}

Counter& Rejected(absl::string_view reason) {
  return MetricsRegistry::Global().GetCounter(
      "kpr_http_rejected_total",
      "HTTP connections and requests refused or cut off by a limit, by limit.",
      {{"reason", std::string(reason)}});
}

// Beast 1.74 hands out boost::string_view.
absl::string_view View(beast::string_view v) { return absl::string_view(v.data(), v.size()); }

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

}  // namespace

// One run of the server (Start to Stop): the io_context and its thread, the acceptor, the
// handler workers. Sessions reach it through a reference; it outlives them (Stop destroys the
// io_context, and with it every pending session, before the rest).
class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, std::shared_ptr<HttpRoutes> routes)
      : options(options),
        routes(std::move(routes)),
        pool(options.workers, options.max_queued),
        over_connections(Rejected("connections")),
        over_queue(Rejected("queue")),
        over_deadline(Rejected("deadline")),
        over_body(Rejected("body")),
        over_header(Rejected("header")) {}

  absl::Status Listen(const std::string& address);
  void Run() {
    Accept();
    io_thread = std::thread([this] { ioc.run(); });
  }
  void Stop() {
    ioc.stop();
    if (io_thread.joinable()) io_thread.join();
    pool.Stop();  // queued requests are dropped here, their sessions closed
  }

  const HttpServerOptions options;
  const std::shared_ptr<HttpRoutes> routes;
  std::atomic<int> open{0};  // sessions alive
  std::atomic<int> port{0};
  WorkPool pool;
  Counter& over_connections;
  Counter& over_queue;
  Counter& over_deadline;
  Counter& over_body;
  Counter& over_header;
  // Declared after what sessions use, so that it is destroyed (with the sessions) first.
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};
  std::thread io_thread;

 private:
  void Accept();
  void Refuse(tcp::socket socket);
};

namespace {

// One connection: read one request under the deadline, run its handler on the pool, answer,
// close. Lives as long as an operation or a queued handler holds it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : server_(server),
        stream_(std::move(socket)),
        deadline_(Clock::now() + absl::ToChronoNanoseconds(
                                     std::min(server.options.request_deadline, kLongestDeadline))) {
    server_.open.fetch_add(1);
  }
  ~Session() { server_.open.fetch_sub(1); }

  void Start() {
    stream_.expires_at(deadline_);  // one deadline for every operation that follows
    parser_.header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    parser_.body_limit(server_.options.max_body_bytes);
    http::async_read_header(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

 private:
  void OnHeader(beast::error_code ec) {
    if (Failed(ec)) return;
    absl::string_view expect = View(parser_.get()[http::field::expect]);
    if (!parser_.is_done() && absl::EqualsIgnoreCase(expect, "100-continue")) {
      static constexpr absl::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code write_ec, size_t) {
                         if (!self->Failed(write_ec)) self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_.is_done()) return Dispatch();
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!self->Failed(ec)) self->Dispatch();
                     });
  }

  // Answers what a failed read or write calls for; true if `ec` is an error.
  bool Failed(beast::error_code ec) {
    if (!ec) return false;
    if (ec == beast::error::timeout) {
      server_.over_deadline.Increment();  // the stream has closed the socket
    } else if (ec == http::error::body_limit) {
      server_.over_body.Increment();
      Respond(PlainResponse(413, "request body too large\n"), /*drain=*/true);
    } else if (ec == http::error::header_limit) {
      server_.over_header.Increment();
      Respond(PlainResponse(400, "request too large\n"), /*drain=*/true);
    } else if (IsParseError(ec) && ec != http::error::end_of_stream &&
               ec != http::error::partial_message) {
      Respond(PlainResponse(400, "bad request\n"), /*drain=*/true);
    }  // else the peer went away: nothing to answer
    return true;
  }

  void Dispatch() {
    auto& message = parser_.get();
    absl::string_view target = View(message.target());
    if (!absl::StartsWith(target, "/")) {
      return Respond(PlainResponse(400, "bad request\n"), /*drain=*/false);
    }
    HttpRequest request;
    request.method = std::string(View(message.method_string()));
    size_t question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != absl::string_view::npos) {
      request.query = std::string(target.substr(question + 1));
    }
    for (const auto& field : message) {
      request.headers.emplace_back(View(field.name_string()), View(field.value()));
    }
    request.body = std::move(message.body());
    head_only_ = message.method() == http::verb::head;

    HttpRoutes::Match match = server_.routes->Find(request.method, request.path);
    if (!match.handler) return Respond(std::move(match.answer), /*drain=*/false);
    bool queued = server_.pool.TryPost(
        [self = shared_from_this(), handler = std::move(match.handler),
         request = std::move(request)]() mutable { self->RunHandler(handler, request); });
    if (!queued) {
      server_.over_queue.Increment();
      HttpResponse busy = PlainResponse(503, "busy\n");
      busy.headers.emplace_back("Retry-After", "1");
      Respond(std::move(busy), /*drain=*/false);
    }
  }

  // On a worker thread. The answer, or the end of the session, goes back to the I/O thread.
  void RunHandler(const HttpHandler& handler, const HttpRequest& request) {
    std::optional<HttpResponse> response;
    if (Clock::now() < deadline_) {  // past it, the answer could not be written anyway
      try {
        response = handler(request);
      } catch (...) {
        response = PlainResponse(500, "internal error\n");
      }
      // Beast throws on an impossible status or an oversized field, and Respond runs on the I/O
      // thread, where a throw would end the process: a handler's mistake is a 500 instead.
      constexpr size_t kMaxFieldBytes = 8 * 1024;
      bool fields_fit = response->content_type.size() <= kMaxFieldBytes;
      for (const auto& [name, value] : response->headers) {
        fields_fit = fields_fit && name.size() <= kMaxFieldBytes && value.size() <= kMaxFieldBytes;
      }
      if (response->status < 100 || response->status > 999 || !fields_fit) {
        response = PlainResponse(500, "internal error\n");
      }
    } else {
      server_.over_deadline.Increment();
    }
    net::post(stream_.get_executor(),
              [self = shared_from_this(), response = std::move(response)]() mutable {
                if (response) self->Respond(*std::move(response), /*drain=*/false);
              });
  }

  void Respond(HttpResponse answer, bool drain) {
    drain_ = drain;
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(answer.status));
    response_.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) {
      if (name.find_first_of("\r\n:") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos) {
        continue;  // would split the header block
      }
      response_.insert(name, value);
    }
    response_.keep_alive(false);
    const bool bodiless = answer.status < 200 || answer.status == 204 || answer.status == 304;
    if (!bodiless) response_.body() = std::move(answer.body);
    response_.prepare_payload();
    serializer_.emplace(response_);
    auto on_written = [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnWritten(ec);
    };
    if (head_only_) {
      http::async_write_header(stream_, *serializer_, std::move(on_written));
    } else {
      http::async_write(stream_, *serializer_, std::move(on_written));
    }
  }

  void OnWritten(beast::error_code ec) {
    if (ec == beast::error::timeout) server_.over_deadline.Increment();
    if (ec) return;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (drain_) Drain();
    // else the session ends here and closes the socket
  }

  void Drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (!ec && self->drained_ < kMaxDrainBytes) self->Drain();
                            });
  }

  HttpServer::Impl& server_;
  beast::tcp_stream stream_;
  const Clock::time_point deadline_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  bool head_only_ = false;
  bool drain_ = false;
  size_t drained_ = 0;
  std::array<char, 4096> scratch_;
};

}  // namespace

absl::Status HttpServer::Impl::Listen(const std::string& address) {
  std::string host, service;
  if (!SplitHostPort(address, host, service)) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address must be host:port, got \"", address, "\""));
  }
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints =
      resolver.resolve(host, service, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve HTTP address \"", address, "\": ", ec.message()));
  }
  for (const auto& entry : endpoints) {
    acceptor.open(entry.endpoint().protocol(), ec);
    if (ec) continue;
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    acceptor.bind(entry.endpoint(), ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (!ec) break;
    beast::error_code ignored;
    acceptor.close(ignored);
  }
  if (!acceptor.is_open()) {
    return absl::UnavailableError(absl::StrCat("cannot listen on HTTP address \"", address,
                                               "\": ", ec ? ec.message() : "no address"));
  }
  port = acceptor.local_endpoint().port();
  return absl::OkStatus();
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {  // EMFILE and the like: try again shortly rather than spin
      accept_retry.expires_after(std::chrono::milliseconds(50));
      accept_retry.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) Accept();
      });
      return;
    }
    if (open.load() >= options.max_connections) {
      Refuse(std::move(socket));
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    Accept();
  });
}

// Over the cap: a 503 written straight into the fresh socket's empty send buffer, then closed.
void HttpServer::Impl::Refuse(tcp::socket socket) {
  over_connections.Increment();
  static const std::string kBusy = [] {
    constexpr absl::string_view kBody = "too many connections\n";
    return absl::StrCat(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: ",
        kBody.size(), "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n", kBody);
  }();
  beast::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(net::buffer(kBusy), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

HttpServer::HttpServer(std::string address, HttpServerOptions options)
    : address_(std::move(address)), options_(options), routes_(std::make_shared<HttpRoutes>()) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string method, std::string path, HttpHandler handler) {
  routes_->Add(std::move(method), std::move(path), std::move(handler));
}

absl::Status HttpServer::Start() {
  if (impl_) return absl::FailedPreconditionError("HTTP server already started");
  auto impl = std::make_unique<Impl>(options_, routes_);
  if (absl::Status st = impl->Listen(address_); !st.ok()) return st;
  impl->Run();
  impl_ = std::move(impl);
  return absl::OkStatus();
}

int HttpServer::port() const { return impl_ ? impl_->port.load() : 0; }

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->Stop();
  impl_.reset();
}

void ServeObservability(HttpServer& server, std::function<bool()> ready) {
  RegisterBuildInfo();
  UpdateProcessMetrics();  // there from the first scrape
  server.Handle("GET", "/metrics", [](const HttpRequest&) {
    UpdateProcessMetrics();
    return HttpResponse{
        200, "text/plain; version=0.0.4", MetricsRegistry::Global().RenderPrometheus(), {}};
  });
  server.Handle("GET", "/healthz", [](const HttpRequest&) { return PlainResponse(200, "ok"); });
  server.Handle("GET", "/readyz", [ready = std::move(ready)](const HttpRequest&) {
    if (!ready || ready()) return PlainResponse(200, "ready");
    return PlainResponse(503, "not ready");
  });
}

}  // namespace kpr::observe
