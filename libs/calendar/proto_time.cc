#include "libs/calendar/proto_time.h"

namespace kpr::calendar {

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds down, also before 1970
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool IsSet(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

}  // namespace kpr::calendar
