#ifndef KPR_LIBS_OBSERVE_HTTP_TEST_CLIENT_H_
#define KPR_LIBS_OBSERVE_HTTP_TEST_CLIENT_H_

// Raw-socket HTTP clients for tests of HttpServer (here and in services' end-to-end tests):
// they send exactly the bytes a test gives, so malformed, slow and oversized requests can be
// made, and they never wait longer than a few seconds.

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::observe::testing {

// A TCP connection to 127.0.0.1:port with a 10 s receive timeout, or -1.
int ConnectLoopback(int port);
// Sends all of `data` (MSG_NOSIGNAL); false if the peer is gone.
bool SendAll(int fd, absl::string_view data);
// Reads until the peer closes, an error, or `timeout`.
std::string ReadUntilClosed(int fd, absl::Duration timeout = absl::Seconds(10));
// Sends `request` on a new connection and reads until the server closes it.
std::string RawRequest(int port, absl::string_view request);
std::string Get(int port, absl::string_view path);
// The status code of a response ("HTTP/1.1 404 ..." -> 404), or 0.
int StatusOf(absl::string_view response);
// What follows the blank line after the headers.
std::string Body(absl::string_view response);

// Connections that each send one byte of an unfinished request every `interval`, from a thread
// of their own, until destroyed: the clients the server's deadline is for.
class SlowClients {
 public:
  SlowClients(int port, int count, absl::Duration interval);
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;
  ~SlowClients();
  // How many connections the server has closed so far (checked before each byte).
  int closed() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kpr::observe::testing

#endif  // KPR_LIBS_OBSERVE_HTTP_TEST_CLIENT_H_
