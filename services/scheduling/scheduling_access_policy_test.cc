#include "services/scheduling/scheduling_access_policy.h"

#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"

namespace kpr::scheduling {
namespace {

using identity::Claims;
using identity::Role;
using R = SchedulingRpc;
using ::testing::HasSubstr;

constexpr char kOwnMunicipality[] = "0165";
constexpr char kOtherMunicipality[] = "0183";
constexpr char kOwnInstitution[] = "music";
constexpr char kOtherInstitution[] = "library";

Claims Token(Role role, std::vector<std::string> municipalities = {kOwnMunicipality}) {
  Claims c;
  c.subject = role == Role::kInstructor ? "instr-1" : "user-1";
  c.role = role;
  c.municipalities = std::move(municipalities);
  return c;
}

// The policy written out independently of the implementation: what each role may call, and
// for instructors what needs their own institution.
std::set<R> AllowedFor(Role role, bool own_institution) {
  const std::set<R> all(std::begin(kAllSchedulingRpcs), std::end(kAllSchedulingRpcs));
  switch (role) {
    case Role::kCoordinator:
      return all;
    case Role::kAdmin:
      return {R::kPutInstitution,   R::kPutInstructor,   R::kPutCalendar, R::kPutProgram,
              R::kListInstitutions, R::kListInstructors, R::kGetCalendar, R::kListPrograms,
              R::kPlanCohort,       R::kGetCohort,       R::kListCohorts, R::kListSessions,
              R::kExportCalendar};
    case Role::kInstructor:
      if (own_institution) {
        return {R::kListInstitutions, R::kListPrograms,     R::kListSessions,
                R::kGetCohort,        R::kListParticipants, R::kExportCalendar};
      }
      return {R::kListInstitutions, R::kListPrograms};
    case Role::kService:
      return {R::kEnroll,       R::kUnenroll,     R::kListInstitutions, R::kListInstructors,
              R::kGetCalendar,  R::kListPrograms, R::kGetCohort,        R::kListCohorts,
              R::kListSessions, R::kGetWaitlist,  R::kListParticipants, R::kExportCalendar};
    case Role::kAnalyst:
    case Role::kCaseworker:
    case Role::kUnknown:
      return {};
  }
  return {};
}

const Role kRoles[] = {Role::kCoordinator, Role::kAdmin,      Role::kInstructor, Role::kService,
                       Role::kAnalyst,     Role::kCaseworker, Role::kUnknown};

TEST(SchedulingAccessPolicyTest, RpcListMatchesTheServiceDefinition) {
  const google::protobuf::ServiceDescriptor* service =
      v1::EnrollRequest::descriptor()->file()->FindServiceByName("SchedulingService");
  ASSERT_NE(service, nullptr);
  ASSERT_EQ(service->method_count(), static_cast<int>(std::size(kAllSchedulingRpcs)));
  for (int i = 0; i < service->method_count(); ++i) {
    EXPECT_EQ(std::string(SchedulingRpcName(kAllSchedulingRpcs[i])), service->method(i)->name());
  }
}

// Every RPC x role x own/other municipality x own/other institution.
TEST(SchedulingAccessPolicyTest, FullMatrix) {
  int allowed_count = 0;
  for (Role role : kRoles) {
    const Claims claims = Token(role);
    for (bool own_municipality : {true, false}) {
      for (bool own_institution : {true, false}) {
        const std::set<R> allowed = AllowedFor(role, own_institution);
        for (R rpc : kAllSchedulingRpcs) {
          AccessScope scope;
          scope.municipality = own_municipality ? kOwnMunicipality : kOtherMunicipality;
          scope.caller_institution_id = kOwnInstitution;
          scope.concerned_institution_ids = {own_institution ? kOwnInstitution : kOtherInstitution};
          scope.caller_teaches_cohort = own_institution;
          const std::string where =
              absl::StrCat(identity::RoleName(role), " ", SchedulingRpcName(rpc),
                           own_municipality ? " own-municipality" : " other-municipality",
                           own_institution ? " own-institution" : " other-institution");
          const bool expect = own_municipality && allowed.count(rpc) > 0;
          absl::StatusOr<AccessGrant> grant = Authorize(claims, rpc, scope);
          ASSERT_EQ(grant.ok(), expect) << where << ": " << grant.status();
          if (!expect) {
            EXPECT_EQ(grant.status().code(), absl::StatusCode::kPermissionDenied) << where;
            EXPECT_FALSE(grant.status().message().empty()) << where;
            continue;
          }
          ++allowed_count;
          const bool instructor = role == Role::kInstructor;
          EXPECT_EQ(grant->instructor_view, instructor && rpc == R::kListParticipants) << where;
          const bool filtered =
              instructor && (rpc == R::kListSessions || rpc == R::kExportCalendar);
          EXPECT_EQ(grant->only_institution_id, filtered ? kOwnInstitution : "") << where;
        }
      }
    }
  }
  // coordinator 23x2 + admin 13x2 + instructor (6 + 2) + service 12x2.
  EXPECT_EQ(allowed_count, 46 + 26 + 8 + 24);
}

TEST(SchedulingAccessPolicyTest, AuthorizeCallChecksRoleAndMunicipalityOnly) {
  for (Role role : kRoles) {
    const Claims claims = Token(role);
    const std::set<R> allowed = AllowedFor(role, /*own_institution=*/true);
    for (R rpc : kAllSchedulingRpcs) {
      EXPECT_EQ(AuthorizeCall(claims, rpc, kOwnMunicipality).ok(), allowed.count(rpc) > 0)
          << identity::RoleName(role) << " " << SchedulingRpcName(rpc);
      EXPECT_EQ(AuthorizeCall(claims, rpc, kOtherMunicipality).code(),
                absl::StatusCode::kPermissionDenied)
          << identity::RoleName(role) << " " << SchedulingRpcName(rpc);
      EXPECT_EQ(
          NeedsInstitutionCheck(claims, rpc),
          role == Role::kInstructor && (rpc == R::kListSessions || rpc == R::kGetCohort ||
                                        rpc == R::kListParticipants || rpc == R::kExportCalendar))
          << identity::RoleName(role) << " " << SchedulingRpcName(rpc);
    }
  }
}

TEST(SchedulingAccessPolicyTest, MessagesSayWhy) {
  AccessScope scope{kOwnMunicipality, kOwnInstitution, {kOwnInstitution}};
  absl::Status role = Authorize(Token(Role::kAnalyst), R::kListSessions, scope).status();
  EXPECT_EQ(role.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(role.message(), HasSubstr("role analyst may not call ListSessions"));

  absl::Status admin = Authorize(Token(Role::kAdmin), R::kEnroll, scope).status();
  EXPECT_THAT(admin.message(), HasSubstr("role admin may not call Enroll"));

  scope.municipality = kOtherMunicipality;
  absl::Status tenant = Authorize(Token(Role::kCoordinator), R::kGetCohort, scope).status();
  EXPECT_THAT(tenant.message(), HasSubstr("no access to municipality \"0183\""));

  scope = {kOwnMunicipality, kOwnInstitution, {kOtherInstitution}};
  absl::Status institution =
      Authorize(Token(Role::kInstructor), R::kListParticipants, scope).status();
  EXPECT_EQ(institution.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(institution.message(), HasSubstr("only for"));
  EXPECT_THAT(institution.message(), HasSubstr("their own institution"));
}

TEST(SchedulingAccessPolicyTest, InstructorEdgeCases) {
  const Claims instructor = Token(Role::kInstructor);
  // A cohort that rotates over several institutions, one of them the instructor's.
  AccessScope cohort{
      kOwnMunicipality, kOwnInstitution, {"health", kOtherInstitution, kOwnInstitution}, true};
  for (R rpc : {R::kGetCohort, R::kListParticipants, R::kListSessions, R::kExportCalendar}) {
    EXPECT_TRUE(Authorize(instructor, rpc, cohort).ok()) << SchedulingRpcName(rpc);
  }
  // Of their institution, but teaching none of the cohort's sessions: no participants.
  cohort.caller_teaches_cohort = false;
  absl::Status not_teaching = Authorize(instructor, R::kListParticipants, cohort).status();
  EXPECT_EQ(not_teaching.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(not_teaching.message(), HasSubstr("teach"));
  EXPECT_TRUE(Authorize(instructor, R::kGetCohort, cohort).ok());
  // An unknown instructor (no institution found for the subject).
  AccessScope unknown{kOwnMunicipality, "", {kOwnInstitution}};
  absl::Status s = Authorize(instructor, R::kGetCohort, unknown).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("not an instructor"));
  // Nothing concerned (e.g. a cohort without sessions): denied.
  AccessScope nothing{kOwnMunicipality, kOwnInstitution, {}};
  EXPECT_EQ(Authorize(instructor, R::kListParticipants, nothing).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Municipality-wide reads need no institution.
  EXPECT_TRUE(Authorize(instructor, R::kListPrograms, nothing).ok());
  EXPECT_TRUE(Authorize(instructor, R::kListInstitutions, unknown).ok());
}

TEST(SchedulingAccessPolicyTest, MunicipalitiesComeFromTheToken) {
  const Claims both = Token(Role::kCoordinator, {kOwnMunicipality, kOtherMunicipality});
  EXPECT_TRUE(AuthorizeCall(both, R::kCreateCohort, kOwnMunicipality).ok());
  EXPECT_TRUE(AuthorizeCall(both, R::kCreateCohort, kOtherMunicipality).ok());
  EXPECT_EQ(AuthorizeCall(both, R::kCreateCohort, "0101").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(AuthorizeCall(both, R::kCreateCohort, "").code(), absl::StatusCode::kPermissionDenied);
  const Claims none = Token(Role::kCoordinator, {});
  EXPECT_EQ(AuthorizeCall(none, R::kListPrograms, kOwnMunicipality).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(SchedulingAccessPolicyTest, RpcNamesAreDistinct) {
  absl::flat_hash_set<std::string> names;
  for (R rpc : kAllSchedulingRpcs) {
    EXPECT_TRUE(names.insert(std::string(SchedulingRpcName(rpc))).second) << SchedulingRpcName(rpc);
  }
}

}  // namespace
}  // namespace kpr::scheduling
