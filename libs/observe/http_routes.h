#ifndef KPR_LIBS_OBSERVE_HTTP_ROUTES_H_
#define KPR_LIBS_OBSERVE_HTTP_ROUTES_H_

#include <map>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "libs/observe/http_server.h"

namespace kpr::observe {

// A plain-text response, e.g. PlainResponse(404, "not found\n").
HttpResponse PlainResponse(int status, std::string body);

// The routing table of HttpServer: method and exact path to a handler. Thread-safe: routes may
// be added while requests are routed.
class HttpRoutes {
 public:
  struct Match {
    HttpHandler handler;  // set when a route matched
    HttpResponse answer;  // otherwise: 404, or 405 with Allow listing the path's methods
  };

  void Add(std::string method, std::string path, HttpHandler handler);
  // HEAD is routed to GET.
  Match Find(absl::string_view method, absl::string_view path) const;

 private:
  // std::mutex: Debian's Abseil is not TSAN-instrumented (see log.cc).
  mutable std::mutex mu_;
  // path -> method -> handler
  std::map<std::string, std::map<std::string, HttpHandler>, std::less<>> routes_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::observe

#endif  // KPR_LIBS_OBSERVE_HTTP_ROUTES_H_
