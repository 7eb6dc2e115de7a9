#include "libs/observe/http_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kpr::observe::testing {

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  return fd;
}

bool SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string ReadUntilClosed(int fd, absl::Duration timeout) {
  std::string out;
  const absl::Time deadline = absl::Now() + timeout;
  char buf[4096];
  for (absl::Time now = absl::Now(); now < deadline; now = absl::Now()) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(deadline - now)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string RawRequest(int port, absl::string_view request) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  SendAll(fd, request);
  std::string response = ReadUntilClosed(fd);
  ::close(fd);
  return response;
}

std::string Get(int port, absl::string_view path) {
  return RawRequest(port, absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: localhost\r\n\r\n"));
}

int StatusOf(absl::string_view response) {
  int status = 0;
  if (response.size() < 12 || !absl::SimpleAtoi(response.substr(9, 3), &status)) return 0;
  return status;
}

std::string Body(absl::string_view response) {
  size_t pos = response.find("\r\n\r\n");
  return pos == absl::string_view::npos ? "" : std::string(response.substr(pos + 4));
}

namespace {

// True once the peer has closed (or reset) the connection.
bool PeerClosed(int fd) {
  char byte;
  ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

}  // namespace

struct SlowClients::State {
  std::vector<int> fds;
  std::atomic<int> closed{0};
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread thread;
};

SlowClients::SlowClients(int port, int count, absl::Duration interval)
    : state_(std::make_unique<State>()) {
  for (int i = 0; i < count; ++i) state_->fds.push_back(ConnectLoopback(port));
  state_->thread = std::thread([state = state_.get(), interval] {
    const std::string request =
        "GET /readyz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + std::string(4096, 'a');
    std::vector<bool> open(state->fds.size(), true);
    for (size_t i = 0;; ++i) {
      for (size_t c = 0; c < state->fds.size(); ++c) {
        if (!open[c]) continue;
        const int fd = state->fds[c];
        if (fd < 0 || PeerClosed(fd) || !SendAll(fd, request.substr(i % request.size(), 1))) {
          open[c] = false;
          state->closed.fetch_add(1);
        }
      }
      std::unique_lock<std::mutex> lock(state->mu);
      if (state->cv.wait_for(lock, absl::ToChronoNanoseconds(interval),
                             [state] { return state->stop; })) {
        return;
      }
    }
  });
}

SlowClients::~SlowClients() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = true;
  }
  state_->cv.notify_all();
  state_->thread.join();
  for (int fd : state_->fds) {
    if (fd >= 0) ::close(fd);
  }
}

int SlowClients::closed() const { return state_->closed.load(); }

}  // namespace kpr::observe::testing
