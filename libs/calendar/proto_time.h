#ifndef KPR_LIBS_CALENDAR_PROTO_TIME_H_
#define KPR_LIBS_CALENDAR_PROTO_TIME_H_
// google.protobuf.Timestamp and absl::Time, both ways, to the nanosecond. An unset Timestamp
// (0 s, 0 ns) is the Unix epoch, as protobuf defines it.
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace kpr::calendar {

google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);
// Whether the timestamp was set (is not the zero value).
bool IsSet(const google::protobuf::Timestamp& ts);

}  // namespace kpr::calendar

#endif  // KPR_LIBS_CALENDAR_PROTO_TIME_H_
