#ifndef KPR_SERVICES_REFERRAL_REFERRAL_RECORD_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_RECORD_H_

// How one referral is kept in Redis: a single string value,
//   "<version>:<status>:<source>:<reach>:<length of source system>:<source system><StoredReferral>"
// The header carries what listing and the funnel filter on without decoding protobuf. A
// string rather than a hash of fields because Redis writes one string for a fraction of what a
// six-field hash costs, and the intake writes one per referral (bench/RESULTS.md).

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kpr/referral/v1/referral.pb.h"

namespace kpr::referral {

// `reach`: the furthest funnel stage the referral has reached (FunnelStage).
std::string EncodeReferralRecord(int64_t version, int reach, const v1::StoredReferral& stored);

struct ReferralRecord {
  int64_t version = 0;
  v1::StoredReferral stored;  // stored.referral().version() is set to `version`
};

// DATA_LOSS for a value that is not a record or whose StoredReferral does not decode.
absl::StatusOr<ReferralRecord> DecodeReferralRecord(absl::string_view value);

// The header alone: what listing and the funnel filter on, without decoding the protobuf.
struct ReferralRecordHeader {
  int64_t version = 0;
  int64_t status = 0;
  int64_t source = 0;
  int64_t reach = 0;
  absl::string_view source_system;  // points into the parsed value
  size_t body_offset = 0;           // where the serialized StoredReferral starts
};

// nullopt for a value that is not a record.
std::optional<ReferralRecordHeader> ParseReferralRecordHeader(absl::string_view value);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_RECORD_H_
