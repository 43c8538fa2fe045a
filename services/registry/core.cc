#include "registry/core.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/crypto.h"
#include "domain/satker_id.h"
#include "domain/unit_id.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "resource/pages.h"

namespace ibm::registry {
namespace {

absl::Status BadName(absl::string_view field, absl::string_view expected) {
  return platform::InvalidField(field, absl::StrCat("must be a resource name like ", expected));
}

bool ValidSatkerId(absl::string_view id) { return domain::SatkerId::Parse(id).ok(); }

bool ValidUnitId(absl::string_view id) { return domain::UnitId::Parse(id).ok(); }

bool ValidChildId(absl::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<RegionCode> ParseRegionName(absl::string_view name, absl::string_view field,
                                           std::optional<domain::RegionLevel> level) {
  if (!absl::ConsumePrefix(&name, "regions/")) return BadName(field, "regions/32.73.04.1001");
  auto code = RegionCode::Parse(name, field);
  if (!code.ok()) return code.status();
  if (level && code->level() != *level) {
    return platform::InvalidField(
        field, absl::StrCat("must be a ", domain::RegionLevelName(*level), " code, not a ",
                            domain::RegionLevelName(code->level()), " code"));
  }
  return code;
}

absl::StatusOr<std::string> ParseSatkerName(absl::string_view name, absl::string_view field) {
  if (!absl::ConsumePrefix(&name, "satkers/") || !ValidSatkerId(name)) {
    return BadName(field, "satkers/bnn, satkers/bnnp-32 or satkers/bnnk-32.73");
  }
  return std::string(name);
}

absl::StatusOr<std::string> ParseUnitName(absl::string_view name, absl::string_view field) {
  if (!absl::ConsumePrefix(&name, "units/") || !ValidUnitId(name)) {
    return BadName(field, "units/32.73.04.1001-1");
  }
  return std::string(name);
}

absl::StatusOr<ChildName> ParseAgentName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "units" || !ValidUnitId(p[1]) || p[2] != "agents" ||
      !ValidChildId(p[3])) {
    return BadName(field, "units/32.73.04.1001-1/agents/{agent}");
  }
  return ChildName{std::string(p[1]), std::string(p[3])};
}

absl::StatusOr<ChildName> ParseOfficerName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "satkers" || !ValidSatkerId(p[1]) || p[2] != "officers" ||
      !ValidChildId(p[3])) {
    return BadName(field, "satkers/bnnk-32.73/officers/{officer}");
  }
  return ChildName{std::string(p[1]), std::string(p[3])};
}

std::string RegionName(absl::string_view code) { return absl::StrCat("regions/", code); }
std::string SatkerName(absl::string_view id) { return absl::StrCat("satkers/", id); }
std::string UnitName(absl::string_view id) { return absl::StrCat("units/", id); }
std::string AgentName(absl::string_view unit_id, absl::string_view id) {
  return absl::StrCat("units/", unit_id, "/agents/", id);
}
std::string OfficerName(absl::string_view satker_id, absl::string_view id) {
  return absl::StrCat("satkers/", satker_id, "/officers/", id);
}

std::optional<RegionCode> SatkerRegion(absl::string_view satker_id) {
  auto id = domain::SatkerId::Parse(satker_id);
  return id.ok() ? id->region() : std::nullopt;
}

RegionCode UnitVillage(absl::string_view unit_id) {
  // Only ids that ParseUnitName accepted (or rows it wrote) reach here.
  auto village = RegionCode::Parse(unit_id.substr(0, unit_id.rfind('-')));
  if (!village.ok()) {
    // Nothing in scope can be a malformed id: a scope check against it denies.
    return *RegionCode::Parse("99.99.99.9999");
  }
  return *village;
}

absl::Status RequireScope(const Principal& caller, const std::optional<RegionCode>& region) {
  if (region) return auth::RequireScope(caller, *region);
  if (caller.scope.national()) return absl::OkStatus();
  return platform::WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          "only BNN central may do this; the caller's scope is ", caller.scope.prefix())),
      "OUT_OF_SCOPE");
}

absl::Status Core::RecordChange(sql::Session& s, const Principal& caller,
                                const ChangeRecord& change) const {
  return audit_.Append(
      s, audit::Entry{change.resource, static_cast<int>(change.action),
                      caller.subject.substr(0, 200), caller.satker.substr(0, 40), NowMicros(),
                      absl::StrJoin(change.fields, ",").substr(0, 1000),
                      change.summary.substr(0, 500), change.request_id});
}

absl::StatusOr<std::optional<std::string>> Core::FindCreate(
    sql::Session& s, const Principal& caller, absl::string_view method,
    absl::string_view request_id, const google::protobuf::Message& request) const {
  return creates_.Find(s, caller.subject, method, request_id, request, NowMicros());
}

absl::Status Core::RememberCreate(sql::Session& s, const Principal& caller,
                                  absl::string_view method, absl::string_view request_id,
                                  const google::protobuf::Message& request,
                                  absl::string_view resource) const {
  return creates_.Remember(s, caller.subject, method, request_id, request, resource, NowMicros());
}

}  // namespace ibm::registry
