#ifndef KPR_SERVICES_SCHEDULING_OUTBOX_EVENT_TESTING_H_
#define KPR_SERVICES_SCHEDULING_OUTBOX_EVENT_TESTING_H_

// For the tests of what a change writes: a stamp, and the envelope and payload of an outbox
// event read back. Header-only.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/bus/envelope.h"
#include "services/scheduling/event_stamp.h"

namespace kpr::scheduling::testing {

inline EventStamp TestStamp(std::string municipality = "0165") {
  EventStamp s;
  s.municipality = std::move(municipality);
  s.at = absl::FromUnixSeconds(1'800'000'000);
  s.correlation_id = "corr-1";
  s.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  s.nonce = "00000000000000aa";
  return s;
}

inline common::v1::Event Envelope(const OutboxEvent& e) {
  auto event = bus::ParseEvent(e.data);
  EXPECT_TRUE(event.ok()) << event.status();
  return event.ok() ? *event : common::v1::Event();
}

template <typename T>
T Payload(const OutboxEvent& e) {
  auto payload = bus::UnpackEvent<T>(Envelope(e));
  EXPECT_TRUE(payload.ok()) << e.id << ": " << payload.status();
  return payload.ok() ? *payload : T();
}

inline std::vector<std::string> Ids(const std::vector<OutboxEvent>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.id);
  return ids;
}

}  // namespace kpr::scheduling::testing

#endif  // KPR_SERVICES_SCHEDULING_OUTBOX_EVENT_TESTING_H_
