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
    privacy::AuditRecord record;
    record.municipality = m;
    record.actor = caller.claims.subject;
    record.role = std::string(identity::RoleName(caller.claims.role));
    record.action = "referral.GetContactPoints";
    record.subject_id = ids[i];
    record.traceparent = caller.traceparent;
    reads.push_back(std::move(record));
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
    auto opened = ctx_.sealed_box.Open((*loaded)[i]->stored.sealed_contact(), ids[i]);
    if (!opened.ok()) return absl::DataLossError("a referral's sealed contact does not open");
    v1::Contact contact;
    if (!contact.ParseFromString(*opened)) return absl::DataLossError("contact does not decode");
    *response.add_contact_points() = ContactPointsOf(contact);
  }
  return response;
}

}  // namespace kpr::referral
