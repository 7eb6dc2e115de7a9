#ifndef KPR_TESTS_SUPPORT_GRPC_CALLS_H_
#define KPR_TESTS_SUPPORT_GRPC_CALLS_H_

// How the semester driver and its audit call the services: a call's outcome as absl::Status
// naming what was called, and calls repeated while parts of the suite are failing.

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "libs/rpc/auth.h"

namespace kpr::testing {

inline absl::Status CallStatus(const grpc::Status& st, absl::string_view what) {
  const absl::Status s = rpc::FromGrpcStatus(st);
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

// A replica killed mid-call, or a Redis primary failing over under it, answers UNAVAILABLE (or
// lets the deadline pass): call again for up to a minute, and round robin takes it to another
// replica. Only for calls that may be repeated (request ids, whole-session attendance, answers
// that replace themselves, reads).
template <typename Call>
absl::Status Retrying(absl::string_view what, Call call) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (true) {
    const grpc::Status st = call();
    const bool transient = st.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (st.ok() || !transient || absl::Now() > deadline) return CallStatus(st, what);
    absl::SleepFor(absl::Milliseconds(250));
  }
}

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_GRPC_CALLS_H_
