#include "services/notify/delivery_desk.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/identity/municipality.h"
#include "services/notify/notify_access_policy.h"

namespace kpr::notify {
namespace {

constexpr int kMaxPageSize = 200;
constexpr int kMaxRecipients = 100;
constexpr size_t kMaxTextBytes = 1000;

bool IsRequestId(absl::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
  });
}

}  // namespace

validation::FieldViolations SendMessageViolations(const v1::SendMessageRequest& req) {
  validation::ViolationCollector v;
  if (!identity::IsMunicipalityCode(req.municipality())) {
    v.Add("municipality", "must be a four-digit municipality code");
  }
  if (!IsRequestId(req.request_id())) {
    v.Add("request_id", "required: 1-64 of A-Z a-z 0-9 . _ : - (the same id sends nothing twice)");
  }
  if (req.text().empty()) v.Add("text", "required");
  if (req.text().size() > kMaxTextBytes) {
    v.Add("text", absl::StrCat("at most ", kMaxTextBytes, " bytes"));
  }
  const bool by_referral = req.referral_ids_size() > 0;
  const bool by_cohort = !req.cohort_id().empty();
  if (by_referral == by_cohort) v.Add("referral_ids", "give referral_ids or cohort_id, not both");
  if (req.referral_ids_size() > kMaxRecipients) {
    v.Add("referral_ids",
          absl::StrCat("at most ", kMaxRecipients, "; write to the cohort instead"));
  }
  for (int i = 0; i < req.referral_ids_size(); ++i) {
    if (identity::MunicipalityOfId(req.referral_ids(i)) != req.municipality()) {
      v.Add(absl::StrCat("referral_ids[", i, "]"), "not a referral of this municipality");
    }
  }
  return v.Take();
}

absl::StatusOr<v1::ListDeliveriesResponse> DeliveryDesk::ListDeliveries(
    const v1::ListDeliveriesRequest& req, const identity::Caller& caller) {
  if (auto st = AuthorizeNotify(NotifyRpc::kListDeliveries, caller.claims, req.municipality());
      !st.ok()) {
    return st;
  }
  validation::ViolationCollector v;
  const int given = (req.referral_id().empty() ? 0 : 1) + (req.cohort_id().empty() ? 0 : 1) +
                    (req.status() == v1::DELIVERY_STATUS_UNSPECIFIED ? 0 : 1);
  if (given != 1) v.Add("referral_id", "give exactly one of referral_id, cohort_id or status");
  if (!req.referral_id().empty() &&
      identity::MunicipalityOfId(req.referral_id()) != req.municipality()) {
    v.Add("referral_id", "not a referral of this municipality");
  }
  if (req.page_size() < 0 || req.page_size() > kMaxPageSize) {
    v.Add("page_size", absl::StrCat("0 (default 50) to ", kMaxPageSize));
  }
  if (auto st = validation::ViolationsToStatus(v.Take()); !st.ok()) return st;
  DeliveryStore::ListQuery q;
  q.municipality = req.municipality();
  q.referral_id = req.referral_id();
  q.cohort_id = req.cohort_id();
  q.status = req.status();
  q.page_size = req.page_size() == 0 ? 50 : req.page_size();
  q.page_token = req.page_token();
  absl::StatusOr<DeliveryPage> page = ctx_.deliveries.List(q);
  if (!page.ok()) return page.status();
  v1::ListDeliveriesResponse response;
  for (v1::Delivery& d : page->deliveries) *response.add_deliveries() = std::move(d);
  response.set_next_page_token(page->next_page_token);
  return response;
}

absl::StatusOr<v1::SendMessageResponse> DeliveryDesk::SendMessage(const v1::SendMessageRequest& req,
                                                                  const identity::Caller& caller) {
  if (auto st = AuthorizeNotify(NotifyRpc::kSendMessage, caller.claims, req.municipality());
      !st.ok()) {
    return st;
  }
  if (auto st = validation::ViolationsToStatus(SendMessageViolations(req)); !st.ok()) return st;
  const std::string& m = req.municipality();
  v1::MessageFacts facts;
  facts.set_message(req.text());
  std::vector<std::string> recipients(req.referral_ids().begin(), req.referral_ids().end());
  if (!req.cohort_id().empty()) {
    absl::StatusOr<Roster> roster = ctx_.roster.Get(m, req.cohort_id());
    if (!roster.ok()) return roster.status();
    if (roster->participants.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cohort ", req.cohort_id(), " has no participants known to notify"));
    }
    recipients = roster->participants;
    facts.set_program(roster->name);
  }
  std::sort(recipients.begin(), recipients.end());
  recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
  std::vector<MessageIntent> intents;
  for (const std::string& r : recipients) {
    intents.push_back({v1::TRIGGER_COORDINATOR_MESSAGE, r, req.cohort_id(), "", false});
  }
  v1::SendMessageResponse response;
  std::vector<std::string> ids;
  if (auto st = facts_.Record(m, TriggeringFact::Request(req.request_id()), intents, facts,
                              ctx_.Now(), &ids);
      !st.ok()) {
    return st;
  }
  for (std::string& id : ids) response.add_delivery_ids(std::move(id));
  response.set_queued(static_cast<int32_t>(intents.size()));
  return response;
}

}  // namespace kpr::notify
