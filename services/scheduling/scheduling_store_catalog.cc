// SchedulingStore's catalog: institutions, instructors, the municipality calendar and program
// templates, each a pb hash and a version hash (see scheduling_store.h).

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_store_lua.h"
#include "services/scheduling/scheduling_store_script_io.h"

namespace kpr::scheduling {
namespace {

using script_io::CheckMunicipality;
using script_io::Code;
using script_io::Int;
using script_io::Parse;
using script_io::Prefix;
using script_io::ScriptError;
using store::RedisReply;

template <typename T>
absl::StatusOr<T> PutEntity(store::RedisPool& pool, absl::string_view m, absl::string_view kind,
                            absl::string_view id, const T& entity, int64_t expected_version) {
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(kind, ": empty id"));
  if (expected_version < 0) return absl::InvalidArgumentError("negative expected_version");
  T copy = entity;
  copy.set_version(0);
  std::string p = Prefix(m);
  auto reply =
      pool.Eval(lua::CatalogPut(), {absl::StrCat(p, kind), absl::StrCat(p, kind, ":v")},
                {std::string(id), std::to_string(expected_version), copy.SerializeAsString()});
  if (!reply.ok()) return reply.status();
  if (Code(*reply) != "ok") return ScriptError(*reply, "scheduling_catalog_put");
  copy.set_version(Int(reply->element(1)));
  return copy;
}

// Decodes HGETALL replies of a pb hash and its version hash; sorted by field (the id).
template <typename T>
absl::StatusOr<std::vector<T>> DecodeEntities(const RedisReply& pbs, const RedisReply& versions) {
  absl::flat_hash_map<std::string, int64_t> v;
  for (size_t i = 0; i + 1 < versions.size(); i += 2) {
    v[versions.element(i).string()] = Int(versions.element(i + 1));
  }
  std::vector<std::pair<std::string, T>> rows;
  for (size_t i = 0; i + 1 < pbs.size(); i += 2) {
    T t;
    if (!Parse(t, pbs.element(i + 1)))
      return absl::DataLossError("a catalog entry does not decode");
    std::string id = pbs.element(i).string();
    auto it = v.find(id);
    t.set_version(it == v.end() ? 0 : it->second);
    rows.emplace_back(std::move(id), std::move(t));
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<T> out;
  out.reserve(rows.size());
  for (auto& r : rows) out.push_back(std::move(r.second));
  return out;
}

template <typename T>
absl::StatusOr<std::vector<T>> ListEntities(store::RedisPool& pool, absl::string_view m,
                                            absl::string_view kind) {
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  std::string p = Prefix(m);
  auto replies =
      pool.Pipeline({{"HGETALL", absl::StrCat(p, kind)}, {"HGETALL", absl::StrCat(p, kind, ":v")}});
  if (!replies.ok()) return replies.status();
  return DecodeEntities<T>((*replies)[0], (*replies)[1]);
}

// nullopt when absent.
template <typename T>
absl::StatusOr<std::optional<T>> GetEntity(store::RedisPool& pool, absl::string_view m,
                                           absl::string_view kind, absl::string_view id) {
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  std::string p = Prefix(m);
  auto replies = pool.Pipeline({{"HGET", absl::StrCat(p, kind), std::string(id)},
                                {"HGET", absl::StrCat(p, kind, ":v"), std::string(id)}});
  if (!replies.ok()) return replies.status();
  if ((*replies)[0].is_nil()) return std::optional<T>();
  T t;
  if (!Parse(t, (*replies)[0])) return absl::DataLossError("a catalog entry does not decode");
  t.set_version(Int((*replies)[1]));
  return std::optional<T>(std::move(t));
}

constexpr char kInstitutions[] = "institutions";
constexpr char kInstructors[] = "instructors";
constexpr char kPrograms[] = "programs";
constexpr char kCalendar[] = "calendar";
constexpr char kCalendarId[] = "calendar";

}  // namespace

absl::StatusOr<v1::Institution> SchedulingStore::PutInstitution(const v1::Institution& institution,
                                                                int64_t expected_version) {
  return PutEntity(pool_, institution.municipality(), kInstitutions, institution.institution_id(),
                   institution, expected_version);
}

absl::StatusOr<std::vector<v1::Institution>> SchedulingStore::ListInstitutions(
    absl::string_view municipality) {
  return ListEntities<v1::Institution>(pool_, municipality, kInstitutions);
}

absl::StatusOr<v1::Institution> SchedulingStore::GetInstitution(absl::string_view municipality,
                                                                absl::string_view institution_id) {
  auto r = GetEntity<v1::Institution>(pool_, municipality, kInstitutions, institution_id);
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return absl::NotFoundError(absl::StrCat("institution ", institution_id));
  }
  return **std::move(r);
}

absl::StatusOr<v1::Instructor> SchedulingStore::PutInstructor(const v1::Instructor& instructor,
                                                              int64_t expected_version) {
  return PutEntity(pool_, instructor.municipality(), kInstructors, instructor.instructor_id(),
                   instructor, expected_version);
}

absl::StatusOr<std::vector<v1::Instructor>> SchedulingStore::ListInstructors(
    absl::string_view municipality, absl::string_view institution_id) {
  auto all = ListEntities<v1::Instructor>(pool_, municipality, kInstructors);
  if (!all.ok() || institution_id.empty()) return all;
  std::vector<v1::Instructor> out;
  for (auto& i : *all) {
    if (i.institution_id() == institution_id) out.push_back(std::move(i));
  }
  return out;
}

absl::StatusOr<v1::Instructor> SchedulingStore::GetInstructor(absl::string_view municipality,
                                                              absl::string_view instructor_id) {
  auto r = GetEntity<v1::Instructor>(pool_, municipality, kInstructors, instructor_id);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return absl::NotFoundError(absl::StrCat("instructor ", instructor_id));
  return **std::move(r);
}

absl::StatusOr<v1::MunicipalityCalendar> SchedulingStore::PutCalendar(
    const v1::MunicipalityCalendar& calendar, int64_t expected_version) {
  return PutEntity(pool_, calendar.municipality(), kCalendar, kCalendarId, calendar,
                   expected_version);
}

absl::StatusOr<v1::MunicipalityCalendar> SchedulingStore::GetCalendar(
    absl::string_view municipality) {
  auto r = GetEntity<v1::MunicipalityCalendar>(pool_, municipality, kCalendar, kCalendarId);
  if (!r.ok()) return r.status();
  if (r->has_value()) return **std::move(r);
  v1::MunicipalityCalendar empty;
  empty.set_municipality(std::string(municipality));
  return empty;
}

absl::StatusOr<v1::ProgramTemplate> SchedulingStore::PutProgram(const v1::ProgramTemplate& program,
                                                                int64_t expected_version) {
  return PutEntity(pool_, program.municipality(), kPrograms, program.program_id(), program,
                   expected_version);
}

absl::StatusOr<std::vector<v1::ProgramTemplate>> SchedulingStore::ListPrograms(
    absl::string_view municipality) {
  return ListEntities<v1::ProgramTemplate>(pool_, municipality, kPrograms);
}

absl::StatusOr<v1::ProgramTemplate> SchedulingStore::GetProgram(absl::string_view municipality,
                                                                absl::string_view program_id) {
  auto r = GetEntity<v1::ProgramTemplate>(pool_, municipality, kPrograms, program_id);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return absl::NotFoundError(absl::StrCat("program ", program_id));
  return **std::move(r);
}

absl::StatusOr<CatalogSnapshot> SchedulingStore::LoadCatalog(absl::string_view municipality) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  std::string p = Prefix(municipality);
  std::vector<std::vector<std::string>> cmds;
  for (const char* kind : {kInstitutions, kInstructors, kCalendar, kPrograms}) {
    cmds.push_back({"HGETALL", absl::StrCat(p, kind)});
    cmds.push_back({"HGETALL", absl::StrCat(p, kind, ":v")});
  }
  auto r = pool_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  CatalogSnapshot snap;
  auto institutions = DecodeEntities<v1::Institution>((*r)[0], (*r)[1]);
  if (!institutions.ok()) return institutions.status();
  snap.institutions = *std::move(institutions);
  auto instructors = DecodeEntities<v1::Instructor>((*r)[2], (*r)[3]);
  if (!instructors.ok()) return instructors.status();
  snap.instructors = *std::move(instructors);
  auto calendars = DecodeEntities<v1::MunicipalityCalendar>((*r)[4], (*r)[5]);
  if (!calendars.ok()) return calendars.status();
  if (!calendars->empty()) {
    snap.calendar = calendars->front();
  } else {
    snap.calendar.set_municipality(std::string(municipality));
  }
  auto programs = DecodeEntities<v1::ProgramTemplate>((*r)[6], (*r)[7]);
  if (!programs.ok()) return programs.status();
  snap.programs = *std::move(programs);
  return snap;
}

}  // namespace kpr::scheduling
