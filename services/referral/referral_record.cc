#include "services/referral/referral_record.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kpr::referral {

std::string EncodeReferralRecord(int64_t version, int reach, const v1::StoredReferral& stored) {
  const v1::Referral& r = stored.referral();
  std::string value =
      absl::StrCat(version, ":", static_cast<int>(r.status()), ":", static_cast<int>(r.source()),
                   ":", reach, ":", r.source_system().size(), ":", r.source_system());
  const size_t header = value.size();
  value.resize(header + stored.ByteSizeLong());
  stored.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(value.data() + header));
  return value;
}

std::optional<ReferralRecordHeader> ParseReferralRecordHeader(absl::string_view value) {
  // Five decimal fields, each followed by ':'.
  int64_t fields[5];
  size_t pos = 0;
  for (int64_t& field : fields) {
    size_t colon = value.find(':', pos);
    if (colon == absl::string_view::npos || colon == pos || colon - pos > 19 ||
        !absl::SimpleAtoi(value.substr(pos, colon - pos), &field) || field < 0) {
      return std::nullopt;
    }
    pos = colon + 1;
  }
  const uint64_t system_length = static_cast<uint64_t>(fields[4]);
  if (system_length > value.size() - pos) return std::nullopt;
  ReferralRecordHeader header;
  header.version = fields[0];
  header.status = fields[1];
  header.source = fields[2];
  header.reach = fields[3];
  header.source_system = value.substr(pos, system_length);
  header.body_offset = pos + system_length;
  return header;
}

absl::StatusOr<ReferralRecord> DecodeReferralRecord(absl::string_view value) {
  std::optional<ReferralRecordHeader> header = ParseReferralRecordHeader(value);
  if (!header) return absl::DataLossError("a stored referral is malformed");
  ReferralRecord record;
  record.version = header->version;
  absl::string_view pb = value.substr(header->body_offset);
  if (!record.stored.ParseFromArray(pb.data(), static_cast<int>(pb.size()))) {
    return absl::DataLossError("a stored referral does not decode");
  }
  record.stored.mutable_referral()->set_version(record.version);
  return record;
}

}  // namespace kpr::referral
