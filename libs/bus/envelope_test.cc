#include "libs/bus/envelope.h"

#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"

namespace kpr::bus {
namespace {

using kpr::common::v1::Event;
using kpr::common::v1::FieldViolation;
using kpr::common::v1::TraceContext;

TEST(EnvelopeTest, EventSubject) {
  EXPECT_EQ(EventSubject("referral", "accepted", "0165"), "kpr.referral.v1.accepted.0165");
}

TEST(EnvelopeTest, MakeEventFillsEnvelope) {
  FieldViolation payload;
  payload.set_field("citizen.cpr");
  payload.set_description("bad");
  const absl::Time t = absl::FromUnixNanos(1700000000123456789);
  Event e = MakeEvent("ev-1", "0165", payload, t, "corr-1", "00-abc-def-01", "k=v");
  EXPECT_EQ(e.id(), "ev-1");
  EXPECT_EQ(e.type(), "kpr.common.v1.FieldViolation");
  EXPECT_EQ(e.municipality(), "0165");
  EXPECT_EQ(e.occurred_at().seconds(), 1700000000);
  EXPECT_EQ(e.occurred_at().nanos(), 123456789);
  EXPECT_EQ(e.correlation_id(), "corr-1");
  EXPECT_EQ(e.trace().traceparent(), "00-abc-def-01");
  EXPECT_EQ(e.trace().tracestate(), "k=v");
  EXPECT_EQ(e.payload().type_url(), "type.googleapis.com/kpr.common.v1.FieldViolation");
}

TEST(EnvelopeTest, MakeEventBeforeEpoch) {
  Event e = MakeEvent("ev-1", "0165", FieldViolation(), absl::FromUnixNanos(-1500000000), "", "");
  EXPECT_EQ(e.occurred_at().seconds(), -2);
  EXPECT_EQ(e.occurred_at().nanos(), 500000000);
}

TEST(EnvelopeTest, UnpackEvent) {
  FieldViolation payload;
  payload.set_field("x");
  Event e = MakeEvent("ev-1", "0101", payload, absl::Now(), "c", "");
  auto ok = UnpackEvent<FieldViolation>(e);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->field(), "x");
  auto wrong = UnpackEvent<TraceContext>(e);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EnvelopeTest, ParseEventRoundTrip) {
  FieldViolation payload;
  payload.set_field("x");
  Event e = MakeEvent("ev-1", "0101", payload, absl::Now(), "c", "tp");
  auto parsed = ParseEvent(e.SerializeAsString());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->id(), "ev-1");
  EXPECT_EQ(UnpackEvent<FieldViolation>(*parsed)->field(), "x");
}

TEST(EnvelopeTest, ParseEventRejectsGarbageAndMissingFields) {
  EXPECT_EQ(ParseEvent("\xff\xff\xff garbage").status().code(), absl::StatusCode::kInvalidArgument);
  Event e = MakeEvent("ev-1", "0101", FieldViolation(), absl::Now(), "c", "");
  Event no_id = e;
  no_id.clear_id();
  EXPECT_EQ(ParseEvent(no_id.SerializeAsString()).status().code(),
            absl::StatusCode::kInvalidArgument);
  Event no_type = e;
  no_type.clear_type();
  EXPECT_EQ(ParseEvent(no_type.SerializeAsString()).status().code(),
            absl::StatusCode::kInvalidArgument);
  Event no_muni = e;
  no_muni.clear_municipality();
  EXPECT_EQ(ParseEvent(no_muni.SerializeAsString()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseEvent("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EnvelopeTest, MunicipalityFromSubject) {
  EXPECT_EQ(MunicipalityFromSubject("kpr.referral.v1.accepted.0165"), "0165");
  EXPECT_EQ(MunicipalityFromSubject("0851"), "0851");
  EXPECT_EQ(MunicipalityFromSubject("kpr.referral.v1.accepted.165"), "");
  EXPECT_EQ(MunicipalityFromSubject("kpr.referral.v1.accepted.01a5"), "");
  EXPECT_EQ(MunicipalityFromSubject("kpr.referral.v1.accepted.01655"), "");
  EXPECT_EQ(MunicipalityFromSubject("kpr.referral.v1.accepted."), "");
  EXPECT_EQ(MunicipalityFromSubject(""), "");
}

}  // namespace
}  // namespace kpr::bus
