#include "tools/kprctl/notify_format.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/short_enum.h"
#include "tools/kprctl/text_table.h"

namespace kpr::kprctl {
namespace {

// "Label:   text", longer texts continuing under the first line; "-" for an empty text.
std::string Field(const std::string& label, const std::string& text) {
  constexpr size_t kWidth = 10;
  std::string head = absl::StrCat("  ", label, ":");
  head.append(head.size() < kWidth + 2 ? kWidth + 2 - head.size() : 1, ' ');
  if (text.empty()) return absl::StrCat(head, "-\n");
  const std::string indent(head.size(), ' ');
  std::string out;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::StrAppend(&out, first ? head : indent, line, "\n");
    first = false;
  }
  return out;
}

// " (version 3, updated 2027-01-04 10:00)"; " (never saved)" for version 0.
std::string Saved(int64_t version, const google::protobuf::Timestamp& updated_at) {
  if (version == 0) return " (never saved)";
  std::string out = absl::StrCat(" (version ", version);
  if (updated_at.seconds() != 0) absl::StrAppend(&out, ", updated ", FormatTime(updated_at));
  return absl::StrCat(out, ")");
}

std::string SentCell(const nv1::Delivery& d) {
  if (d.has_sent_at()) return FormatTime(d.sent_at());
  // Not sent yet: when it is due is what the coordinator wants to know.
  if (d.status() == nv1::DELIVERY_STATUS_PENDING && d.has_send_at()) {
    return absl::StrCat("due ", FormatTime(d.send_at()));
  }
  return "";
}

}  // namespace

// ---- Pieces -------------------------------------------------------------------------------

std::string TriggerName(nv1::Trigger trigger) {
  return ShortEnumName(nv1::Trigger_Name(trigger), "TRIGGER_");
}

std::string ChannelName(nv1::Channel channel) {
  return ShortEnumName(nv1::Channel_Name(channel), "CHANNEL_");
}

std::string DeliveryStatusName(nv1::DeliveryStatus status) {
  return ShortEnumName(nv1::DeliveryStatus_Name(status), "DELIVERY_STATUS_");
}

std::string LanguageName(nv1::Language language) {
  return ShortEnumName(nv1::Language_Name(language), "LANGUAGE_");
}

std::string DeliveryReasonName(nv1::DeliveryReason reason) {
  if (reason == nv1::DELIVERY_REASON_UNSPECIFIED) return "";
  return ShortEnumName(nv1::DeliveryReason_Name(reason), "DELIVERY_REASON_");
}

std::string SmsEncodingName(nv1::SmsEncoding encoding) {
  return ShortEnumName(nv1::SmsEncoding_Name(encoding), "SMS_ENCODING_");
}

std::string FormatOffset(const google::protobuf::Duration& offset) {
  return absl::FormatDuration(absl::Seconds(offset.seconds()) + absl::Nanoseconds(offset.nanos()));
}

// ---- Responses ----------------------------------------------------------------------------

std::string FormatDeliveries(const nv1::ListDeliveriesResponse& r) {
  std::string out;
  if (r.deliveries().empty()) {
    out = "No deliveries.\n";
  } else {
    TextTable t({"DELIVERY", "REFERRAL", "TRIGGER", "CHANNEL", "STATUS", "REASON", "RECIPIENT",
                 "ATTEMPTS", "SEGMENTS", "SENT", "FINISHED", "NOTE"});
    t.AlignRight(7);
    t.AlignRight(8);
    int duplicated = 0;
    for (const auto& d : r.deliveries()) {
      std::vector<std::string> notes;
      if (d.possibly_duplicated()) {
        notes.push_back("possibly duplicated");
        ++duplicated;
      }
      if (d.outcome_unknown()) notes.push_back("outcome unknown");
      bool sms = d.channel() == nv1::CHANNEL_SMS;
      t.AddRow({d.delivery_id(), d.referral_id(), TriggerName(d.trigger()),
                ChannelName(d.channel()), DeliveryStatusName(d.status()),
                DeliveryReasonName(d.reason()), d.masked_recipient(), absl::StrCat(d.attempts()),
                sms && d.sms_segments() > 0 ? absl::StrCat(d.sms_segments()) : "", SentCell(d),
                FormatTime(d.finished_at()), absl::StrJoin(notes, ", ")});
    }
    out = Plural(t.row_count(), "delivery", "deliveries");
    if (duplicated > 0) {
      absl::StrAppend(&out, "; ", duplicated,
                      " possibly duplicated (the provider may have sent it twice)");
    }
    absl::StrAppend(&out, ".\n\n", t.Render(2));
  }
  if (!r.next_page_token().empty()) {
    absl::StrAppend(&out, "\nNext page: --page-token ", r.next_page_token(), "\n");
  }
  return out;
}

std::string FormatPreferences(const nv1::Preferences& p) {
  return absl::StrCat("Referral ", p.referral_id(), ": SMS ",
                      p.sms_opted_out() ? "opted out" : "allowed", ", e-mail ",
                      p.email_opted_out() ? "opted out" : "allowed",
                      Saved(p.version(), p.updated_at()), ".\n");
}

std::string FormatTemplates(const nv1::ListTemplatesResponse& r) {
  if (r.templates().empty()) return "No templates.\n";
  std::string out;
  for (const auto& t : r.templates()) {
    if (!out.empty()) out += "\n";
    absl::StrAppend(&out, TriggerName(t.trigger()), "/", LanguageName(t.language()), "  ");
    if (t.shipped_default()) {
      absl::StrAppend(&out, "kpr's default (version 0)\n");
    } else {
      absl::StrAppend(&out, "version ", t.version(), ", saved ", FormatTime(t.updated_at()),
                      t.updated_by().empty() ? "" : absl::StrCat(" by ", t.updated_by()), "\n");
    }
    absl::StrAppend(&out, Field("SMS", t.sms_text()), Field("Subject", t.email_subject()),
                    Field("Text", t.email_text()), Field("HTML", t.email_html()));
  }
  return out;
}

std::string FormatTemplateSaved(const nv1::Template& t) {
  return absl::StrCat("Saved template ", TriggerName(t.trigger()), "/", LanguageName(t.language()),
                      " of ", t.municipality(), ": version ", t.version(), ".\n");
}

std::string FormatPreview(const nv1::PreviewMessageResponse& r) {
  std::string out = "Preview (example data):\n";
  absl::StrAppend(&out, Field("SMS", r.sms_text()));
  if (!r.sms_text().empty()) {
    std::string units = r.sms_encoding() == nv1::SMS_ENCODING_GSM7   ? "septets"
                        : r.sms_encoding() == nv1::SMS_ENCODING_UCS2 ? "UTF-16 units"
                                                                     : "units";
    absl::StrAppend(
        &out, Field("Encoding", absl::StrCat(SmsEncodingName(r.sms_encoding()), ", ",
                                             Plural(r.sms_segments(), "segment", "segments"), ", ",
                                             r.sms_units(), " ", units)));
  }
  absl::StrAppend(&out, Field("Subject", r.email_subject()), Field("Text", r.email_text()),
                  Field("HTML", r.email_html()));
  for (const auto& w : r.warnings()) absl::StrAppend(&out, Field("Warning", w));
  return out;
}

std::string FormatSendResult(const nv1::SendMessageRequest& req,
                             const nv1::SendMessageResponse& r) {
  std::string out = absl::StrCat("Queued ", r.queued(), ", skipped ", r.skipped(), " (request ",
                                 req.request_id(), ").\n");
  if (!r.delivery_ids().empty()) {
    // The service answers in the order of referral_ids: pair them when it answered for each.
    bool paired = req.referral_ids_size() == r.delivery_ids_size();
    TextTable t(paired ? std::vector<std::string>{"REFERRAL", "DELIVERY"}
                       : std::vector<std::string>{"DELIVERY"});
    for (int i = 0; i < r.delivery_ids_size(); ++i) {
      if (paired) {
        t.AddRow({req.referral_ids(i), r.delivery_ids(i)});
      } else {
        t.AddRow({r.delivery_ids(i)});
      }
    }
    absl::StrAppend(&out, "\n", t.Render(2));
  }
  if (r.skipped() > 0) {
    std::string filter = req.cohort_id().empty() ? "" : absl::StrCat(" --cohort ", req.cohort_id());
    absl::StrAppend(&out, "\nWhy skipped: kprctl notify deliveries --municipality ",
                    req.municipality(), filter, " --status skipped\n");
  }
  return out;
}

std::string FormatReminderOffsets(const nv1::ReminderOffsets& r) {
  std::vector<std::string> offsets;
  for (const auto& o : r.offsets()) offsets.push_back(FormatOffset(o));
  std::string scope = r.program_id().empty() ? "the municipality's default"
                                             : absl::StrCat("program ", r.program_id());
  std::string what = offsets.empty()
                         ? "no reminders"
                         : absl::StrCat(absl::StrJoin(offsets, ", "), " before each session");
  return absl::StrCat("Reminders of ", r.municipality(), ", ", scope, ": ", what,
                      Saved(r.version(), r.updated_at()), ".\n");
}

std::string FormatCoordinatorContact(const nv1::CoordinatorContact& c) {
  if (c.email().empty()) {
    return absl::StrCat("Coordinator contact of ", c.municipality(),
                        ": none; drop-out risk e-mails are skipped",
                        Saved(c.version(), c.updated_at()), ".\n");
  }
  return absl::StrCat("Coordinator contact of ", c.municipality(), ": ", c.email(),
                      Saved(c.version(), c.updated_at()), ".\n");
}

}  // namespace kpr::kprctl
