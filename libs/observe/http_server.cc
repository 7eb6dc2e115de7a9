#include "libs/observe/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "libs/observe/metrics.h"

namespace kpr::observe {
namespace {

constexpr size_t kMaxRequestHead = 8192;
constexpr int kIoTimeoutSeconds = 2;

absl::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

void SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // peer gone or timed out: nothing more to do
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void SendResponse(int fd, const HttpResponse& response, bool include_body,
                  absl::string_view extra_headers = {}) {
  std::string out = absl::StrCat("HTTP/1.1 ", response.status, " ", ReasonPhrase(response.status),
                                 "\r\nContent-Type: ", response.content_type,
                                 "\r\nContent-Length: ", response.body.size(),
                                 "\r\nConnection: close\r\n", extra_headers, "\r\n");
  if (include_body) out.append(response.body);
  SendAll(fd, out);
}

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

}  // namespace

HttpServer::HttpServer(std::string address) : address_(std::move(address)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string path, std::function<HttpResponse()> handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handlers_[std::move(path)] = std::move(handler);
}

absl::Status HttpServer::Start() {
  if (listen_fd_ >= 0) return absl::FailedPreconditionError("HTTP server already started");
  std::string host, port;
  if (!SplitHostPort(address_, host, port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address must be host:port, got \"", address_, "\""));
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* results = nullptr;
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &results);
  if (rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve HTTP address \"", address_, "\": ", gai_strerror(rc)));
  }
  int fd = -1;
  int last_errno = 0;
  for (addrinfo* ai = results; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 64) == 0) break;
    last_errno = errno;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(results);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on HTTP address \"", address_,
                                               "\": ", std::strerror(last_errno)));
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(fd);
    port_ = 0;
    return absl::UnavailableError(absl::StrCat("pipe: ", std::strerror(err)));
  }
  listen_fd_ = fd;
  {
    std::lock_guard<std::mutex> lock(conn_mu_);
    closing_ = false;
  }
  for (int i = 0; i < kConnectionWorkers; ++i) workers_.emplace_back([this] { ConnectionLoop(); });
  thread_ = std::thread([this] { AcceptLoop(); });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (listen_fd_ < 0) return;
  char byte = 0;
  while (::write(wake_pipe_[1], &byte, 1) < 0 && errno == EINTR) {
  }
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(conn_mu_);
    closing_ = true;
  }
  conn_cv_.notify_all();
  for (std::thread& w : workers_) w.join();
  workers_.clear();
  for (int conn : connections_) ::close(conn);  // accepted but never served
  connections_.clear();
  ::close(listen_fd_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
  listen_fd_ = -1;
  wake_pipe_[0] = wake_pipe_[1] = -1;
  port_ = 0;
}

void HttpServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;  // Stop()
    if ((fds[0].revents & POLLIN) == 0) continue;
    int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;  // EAGAIN, ECONNABORTED, EMFILE...: try again on the next poll
    {
      std::lock_guard<std::mutex> lock(conn_mu_);
      connections_.push_back(conn);
    }
    conn_cv_.notify_one();
  }
}

void HttpServer::ConnectionLoop() {
  for (;;) {
    int conn;
    {
      std::unique_lock<std::mutex> lock(conn_mu_);
      conn_cv_.wait(lock, [this] { return closing_ || !connections_.empty(); });
      if (connections_.empty()) return;  // closing and nothing left
      conn = connections_.front();
      connections_.pop_front();
    }
    ServeConnection(conn);
    ::close(conn);
  }
}

void HttpServer::ServeConnection(int fd) {
  timeval timeout{kIoTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));

  std::string request;
  char buf[2048];
  while (request.find("\r\n\r\n") == std::string::npos) {
    if (request.size() > kMaxRequestHead) {
      SendResponse(fd, {400, "text/plain; charset=utf-8", "request too large\n"}, true);
      return;
    }
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Timeout or closed early; a bare request line ending in one CRLF is still served.
      if (request.find("\r\n") == std::string::npos) return;
      break;
    }
    request.append(buf, static_cast<size_t>(n));
  }

  absl::string_view line(request);
  line = line.substr(0, line.find("\r\n"));
  std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
  if (parts.size() != 3 || !absl::StartsWith(parts[2], "HTTP/1.") ||
      !absl::StartsWith(parts[1], "/")) {
    SendResponse(fd, {400, "text/plain; charset=utf-8", "bad request\n"}, true);
    return;
  }
  const absl::string_view method = parts[0];
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    SendResponse(fd, {405, "text/plain; charset=utf-8", "method not allowed\n"}, true,
                 "Allow: GET, HEAD\r\n");
    return;
  }
  absl::string_view path = parts[1];
  path = path.substr(0, path.find('?'));

  std::function<HttpResponse()> handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = handlers_.find(std::string(path));
    if (it != handlers_.end()) handler = it->second;
  }
  if (!handler) {
    SendResponse(fd, {404, "text/plain; charset=utf-8", "not found\n"}, !head);
    return;
  }
  SendResponse(fd, handler(), !head);
}

void ServeObservability(HttpServer& server, std::function<bool()> ready) {
  server.Handle("/metrics", [] {
    return HttpResponse{200, "text/plain; version=0.0.4",
                        MetricsRegistry::Global().RenderPrometheus()};
  });
  server.Handle("/healthz", [] { return HttpResponse{200, "text/plain; charset=utf-8", "ok"}; });
  server.Handle("/readyz", [ready = std::move(ready)] {
    if (!ready || ready()) return HttpResponse{200, "text/plain; charset=utf-8", "ready"};
    return HttpResponse{503, "text/plain; charset=utf-8", "not ready"};
  });
}

}  // namespace kpr::observe
