#include "services/notify/reminder_plan.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace kpr::notify {

std::string ReminderTimerId(absl::string_view session_id, absl::string_view referral_id,
                            absl::Duration offset) {
  return absl::StrCat("rem:", session_id, ":", referral_id, ":", absl::ToInt64Minutes(offset));
}

std::string ReminderPayload(const SessionSlot& slot, absl::string_view referral_id,
                            absl::Duration offset) {
  v1::ReminderTimer t;
  t.set_session_id(slot.session_id);
  t.set_cohort_id(slot.cohort_id);
  t.set_referral_id(std::string(referral_id));
  t.set_offset_minutes(absl::ToInt64Minutes(offset));
  *t.mutable_session_start() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(slot.start));
  return t.SerializeAsString();
}

absl::StatusOr<v1::ReminderTimer> ParseReminderPayload(absl::string_view payload) {
  v1::ReminderTimer t;
  if (!t.ParseFromArray(payload.data(), static_cast<int>(payload.size())) ||
      t.session_id().empty() || t.referral_id().empty() || t.offset_minutes() <= 0) {
    return absl::InvalidArgumentError("not a reminder timer payload");
  }
  return t;
}

ReminderChanges RemindersForSession(const SessionSlot& slot,
                                    const std::vector<std::string>& referral_ids,
                                    const std::vector<absl::Duration>& offsets, absl::Time now) {
  ReminderChanges out;
  for (const std::string& referral_id : referral_ids) {
    for (absl::Duration offset : offsets) {
      std::string id = ReminderTimerId(slot.session_id, referral_id, offset);
      const absl::Time due = slot.start - offset;
      if (due <= now) {
        out.cancel.push_back(std::move(id));
        continue;
      }
      out.schedule.push_back(timer::Timer{slot.municipality, std::move(id), due,
                                          ReminderPayload(slot, referral_id, offset), 0});
    }
  }
  return out;
}

ReminderChanges CancelReminders(const std::vector<std::string>& session_ids,
                                const std::vector<std::string>& referral_ids,
                                const std::vector<absl::Duration>& offsets) {
  ReminderChanges out;
  for (const std::string& session_id : session_ids) {
    for (const std::string& referral_id : referral_ids) {
      for (absl::Duration offset : offsets) {
        out.cancel.push_back(ReminderTimerId(session_id, referral_id, offset));
      }
    }
  }
  return out;
}

}  // namespace kpr::notify
