#include "services/referral/outreach_desk.h"

#include "absl/strings/str_cat.h"
#include "libs/validation/field_violations.h"
#include "services/referral/access_policy.h"
#include "services/referral/referral_id.h"

namespace kpr::referral {

v1::ContactPoints ContactPointsOf(const v1::Contact& contact) {
  v1::ContactPoints points;
  points.set_referral_id(contact.referral_id());
  points.set_given_name(contact.given_name());
  points.set_phone(contact.phone());
  points.set_email(contact.email());
  points.set_preferred_channel(contact.preferred_channel());
  points.set_preferred_language(contact.preferred_language());
  return points;
}

absl::StatusOr<v1::GetContactPointsResponse> OutreachDesk::GetContactPoints(
    const v1::GetContactPointsRequest& request, const Caller& caller) {
  const std::string& m = request.municipality();
  if (auto s = Authorize(caller.claims, Operation::kGetContactPoints, m); !s.ok()) return s;
  validation::ViolationCollector violations;
  if (request.referral_ids_size() > static_cast<int>(kMaxContactPointsPerCall)) {
    violations.Add("referral_ids", absl::StrCat("at most ", kMaxContactPointsPerCall, " a call"));
  }
  for (int i = 0; i < request.referral_ids_size(); ++i) {
    if (MunicipalityOfReferralId(request.referral_ids(i)) != m) {
      violations.Add(absl::StrCat("referral_ids[", i, "]"),
                     absl::StrCat("not a referral id of municipality ", m));
    }
  }
  if (auto s = validation::ViolationsToStatus(violations.Take()); !s.ok()) return s;

  std::vector<std::string> ids(request.referral_ids().begin(), request.referral_ids().end());
  auto loaded = ctx_.store.GetMany(m, ids);
  if (!loaded.ok()) return loaded.status();

  std::vector<privacy::AuditRecord> reads;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!(*loaded)[i]) continue;
    reads.push_back(privacy::ReadBy(caller, m, "referral.GetContactPoints", ids[i]));
  }
  if (auto s = ctx_.audit.RecordMany(reads); !s.ok()) {
    return absl::UnavailableError("the audit trail cannot be written; contact points withheld");
  }

  v1::GetContactPointsResponse response;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!(*loaded)[i]) {
      response.add_not_found(ids[i]);
      continue;
    }
    auto contact = ctx_.OpenContact((*loaded)[i]->stored);
    if (!contact.ok()) return contact.status();
    *response.add_contact_points() = ContactPointsOf(*contact);
  }
  return response;
}

}  // namespace kpr::referral
