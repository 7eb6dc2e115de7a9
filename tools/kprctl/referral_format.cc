#include "tools/kprctl/referral_format.h"

#include <array>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/referral_args.h"
#include "tools/kprctl/short_enum.h"
#include "tools/kprctl/text_table.h"

namespace kpr::kprctl {
namespace {

namespace iv1 = ::kpr::intake::v1;

std::string SourceName(iv1::ReferralSource source) {
  return ShortEnumName(iv1::ReferralSource_Name(source), "REFERRAL_SOURCE_");
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

std::string FormatPlacement(const rv1::Referral& r) {
  const rv1::Placement& p = r.placement();
  if (!p.cohort_id().empty()) {
    std::string out = absl::StrCat("cohort ", p.cohort_id());
    if (!p.program_id().empty()) absl::StrAppend(&out, " (program ", p.program_id(), ")");
    if (!p.first_day().empty()) absl::StrAppend(&out, ", first day ", p.first_day());
    return out;
  }
  if (!p.program_id().empty()) return absl::StrCat("waitlisted for program ", p.program_id());
  return "-";
}

std::string PlacementCell(const rv1::Referral& r) {
  const rv1::Placement& p = r.placement();
  if (!p.cohort_id().empty()) return p.cohort_id();
  if (!p.program_id().empty()) return absl::StrCat("waitlist:", p.program_id());
  return "-";
}

std::string FormatReferral(const rv1::Referral& r) {
  std::string out;
  auto line = [&out](const std::string& label, const std::string& value) {
    absl::StrAppend(&out, absl::StrFormat("%-14s", label + ":"), value, "\n");
  };
  line("id", r.id());
  std::string status = ReferralStatusName(r.status());
  if (r.status_reason() != rv1::STATUS_REASON_UNSPECIFIED) {
    absl::StrAppend(&status, " (",
                    ShortEnumName(rv1::StatusReason_Name(r.status_reason()), "STATUS_REASON_"),
                    ")");
  }
  line("status", status);
  line("version", absl::StrCat(r.version()));
  line("municipality", r.municipality());
  line("source",
       absl::StrCat(SourceName(r.source()), " (", r.source_system(), " ", r.external_id(), ")"));
  line("citizen", r.citizen_id());
  line("caseworker", OrDash(r.referrer().caseworker_id()));
  line("target group", ShortEnumName(iv1::TargetGroup_Name(r.target_group()), "TARGET_GROUP_"));
  line("program", r.preferred_program().empty() ? "(default)" : r.preferred_program());
  line("placement", FormatPlacement(r));
  line("received", FormatTime(r.received_at()));
  line("updated", FormatTime(r.updated_at()));
  for (const auto& h : r.history()) {
    absl::StrAppend(&out, "  ", FormatTime(h.changed_at()), "  ", ReferralStatusName(h.from()),
                    " -> ", ReferralStatusName(h.to()), " by ", h.changed_by(), " (v", h.version(),
                    ")\n");
  }
  return out;
}

std::string FormatReferralList(const rv1::ListReferralsResponse& response) {
  std::string out;
  if (response.referrals().empty()) {
    out = "No referrals.\n";
  } else {
    TextTable t({"ID", "STATUS", "SOURCE", "PLACEMENT", "UPDATED", "V"});
    t.AlignRight(5);
    for (const auto& r : response.referrals()) {
      t.AddRow({r.id(), ReferralStatusName(r.status()), SourceName(r.source()), PlacementCell(r),
                FormatTime(r.updated_at()), absl::StrCat(r.version())});
    }
    out = t.Render();
  }
  if (!response.next_page_token().empty()) {
    absl::StrAppend(&out, "(more: --page-token ", response.next_page_token(), ", or --all)\n");
  }
  return out;
}

namespace {

// The five stage counts, "*" where withheld.
std::string StageRow(absl::string_view label, const std::array<int64_t, 5>& counts,
                     const google::protobuf::RepeatedField<int>& withheld, bool* any) {
  std::array<std::string, 5> cells;
  for (int stage = 0; stage < 5; ++stage) {
    const bool hidden = absl::c_linear_search(withheld, stage + 1);  // FunnelStage values 1..5
    *any = *any || hidden;
    cells[stage] = hidden ? "*" : absl::StrCat(counts[stage]);
  }
  return absl::StrFormat("%-22s %8s %9s %8s %8s %9s\n", label, cells[0], cells[1], cells[2],
                         cells[3], cells[4]);
}

}  // namespace

std::string FormatFunnel(const rv1::Funnel& f) {
  bool withheld = false;
  std::string out =
      absl::StrCat("Recruitment funnel, municipality ", f.municipality(), ", received ",
                   FormatTime(f.from()), " to ", FormatTime(f.to()), "\n\n");
  absl::StrAppend(&out, absl::StrFormat("%-22s %8s %9s %8s %8s %9s\n", "SOURCE", "referred",
                                        "contacted", "accepted", "enrolled", "completed"));
  for (const auto& s : f.by_source()) {
    absl::StrAppend(
        &out, StageRow(ShortEnumName(iv1::ReferralSource_Name(s.source()), "REFERRAL_SOURCE_"),
                       {s.referred(), s.contacted(), s.accepted(), s.enrolled(), s.completed()},
                       s.suppressed_stages(), &withheld));
  }
  absl::StrAppend(
      &out,
      StageRow("all", {f.referred(), f.contacted(), f.accepted(), f.enrolled(), f.completed()},
               f.suppressed_stages(), &withheld),
      "\nCurrent status:\n");
  for (const auto& s : f.by_status()) {
    withheld = withheld || s.suppressed();
    absl::StrAppend(&out, absl::StrFormat("  %-13s %s\n", ReferralStatusName(s.status()),
                                          s.suppressed() ? "*" : absl::StrCat(s.count())));
  }
  if (withheld) {
    absl::StrAppend(&out, "\n* withheld: fewer than ", f.suppression_threshold(),
                    " people, or a count such a number could be worked out from.\n");
  }
  return out;
}

}  // namespace kpr::kprctl
