#include "registry/access.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/macros.h"
#include "base/status.h"

namespace ibm::registry {
namespace {

using auth::Role;
constexpr ScopeRule kAnywhere = ScopeRule::kAnywhere;
constexpr ScopeRule kNational = ScopeRule::kNational;
constexpr ScopeRule kTarget = ScopeRule::kTarget;
constexpr ScopeRule kOfficersAnywhere = ScopeRule::kOfficersAnywhere;

const std::vector<Role> kEveryone = {Role::kOfficer,  Role::kAgent,       Role::kSupervisor,
                                     Role::kProvider, Role::kVillageFund, Role::kAuditor,
                                     Role::kService};
// Those who read the registry's units, agents and officers within their scope.
const std::vector<Role> kReaders = {Role::kOfficer, Role::kAgent, Role::kSupervisor, Role::kAuditor,
                                    Role::kService};
const std::vector<Role> kOfficers = {Role::kOfficer};

}  // namespace

const std::vector<MethodAccess>& AccessTable() {
  static const std::vector<MethodAccess> table = {
      // Regions: national reference data.
      {"GetRegion", kEveryone, kAnywhere, ""},
      {"ListRegions", kEveryone, kAnywhere, ""},
      {"SearchRegions", kEveryone, kAnywhere, ""},
      {"ValidateRegionCode", kEveryone, kAnywhere, ""},
      {"BeginRegionImport", {Role::kOfficer, Role::kService}, kNational, ""},
      {"AddRegionImportRows", {Role::kOfficer, Role::kService}, kNational, ""},
      {"CommitRegionImport", {Role::kOfficer, Role::kService}, kNational, ""},
      {"ListRegionEditions", kEveryone, kAnywhere, ""},
      // Satker: who they are is public; only a satker above may create one.
      {"GetSatker", kEveryone, kAnywhere, ""},
      {"ListSatkers", kEveryone, kAnywhere, ""},
      {"CreateSatker", kOfficers, kTarget,
       "a BNNP: BNN central; a BNNK: BNN central or its province's BNNP"},
      {"UpdateSatker", kOfficers, kTarget, "the satker itself or one above it"},
      {"BootstrapSatkers", kOfficers, kNational, ""},
      // IBM units, agents and officers: within the caller's scope.
      {"GetUnit", kReaders, kOfficersAnywhere,
       "officers: any unit (a case transfer's target); the others within scope"},
      {"ListUnits", kReaders, kTarget, "without a region: the caller's scope"},
      {"CreateUnit", kOfficers, kTarget, ""},
      {"UpdateUnit", kOfficers, kTarget, ""},
      {"TransitionUnit", kOfficers, kTarget, ""},
      {"GetAgent", kReaders, kTarget, "the BASIC view"},
      {"GetAgent(FULL)", kOfficers, kTarget, "contact details; each read is audited"},
      {"ListAgents", kReaders, kTarget, ""},
      {"CreateAgent", kOfficers, kTarget, ""},
      {"UpdateAgent", kOfficers, kTarget, ""},
      {"RecordAgentTraining", kOfficers, kTarget, ""},
      {"SetAgentStatus", kOfficers, kTarget, ""},
      {"GetOfficer", kReaders, kTarget, "the NIP to officers only"},
      {"ListOfficers", kReaders, kTarget, "the NIP to officers only"},
      {"CreateOfficer", kOfficers, kTarget, "and every assigned unit in scope"},
      {"UpdateOfficer", kOfficers, kTarget, "and every assigned unit in scope"},
      // The change log (the audit trail).
      {"ListChanges", {Role::kOfficer, Role::kAuditor}, kTarget, ""},
      {"VerifyChanges", {Role::kOfficer, Role::kAuditor}, kNational, "the whole log's chain"},
  };
  return table;
}

const MethodAccess* FindAccess(absl::string_view method) {
  for (const MethodAccess& row : AccessTable()) {
    if (row.method == method) return &row;
  }
  return nullptr;
}

absl::Status RequireAccess(const auth::Principal& caller, absl::string_view method) {
  const MethodAccess* row = FindAccess(method);
  if (row == nullptr) return IBM_BUG("no access rule for ", method);
  if (std::find(row->roles.begin(), row->roles.end(), caller.role) == row->roles.end()) {
    return platform::WithReason(
        absl::PermissionDeniedError(
            absl::StrCat("the role ", auth::RoleName(caller.role), " may not call ", method)),
        "ROLE_NOT_ALLOWED");
  }
  if (row->scope == ScopeRule::kNational && !caller.scope.national()) {
    return platform::WithReason(absl::PermissionDeniedError(absl::StrCat(
                                    "only BNN central may call ", method,
                                    "; the caller's scope is ", caller.scope.prefix())),
                                "OUT_OF_SCOPE");
  }
  return absl::OkStatus();
}

absl::Status RequireTargetScope(const auth::Principal& caller, absl::string_view method,
                                const domain::RegionCode& target) {
  const MethodAccess* row = FindAccess(method);
  if (row == nullptr) return IBM_BUG("no access rule for ", method);
  switch (row->scope) {
    case ScopeRule::kAnywhere:
    case ScopeRule::kNational:  // RequireAccess checked it
      return absl::OkStatus();
    case ScopeRule::kOfficersAnywhere:
      if (caller.role == Role::kOfficer) return absl::OkStatus();
      [[fallthrough]];
    case ScopeRule::kTarget:
      return auth::RequireScope(caller, target);
  }
  return IBM_BUG("no scope rule for ", method);
}

std::string AccessMatrixMarkdown() {
  const std::vector<std::pair<std::string, Role>> columns = {
      {"agent", Role::kAgent},       {"supervisor", Role::kSupervisor},
      {"provider", Role::kProvider}, {"village fund", Role::kVillageFund},
      {"auditor", Role::kAuditor},   {"service", Role::kService}};
  std::string out =
      "| method | BNN | BNNP | BNNK | agent | supervisor | provider | village fund | auditor "
      "| service | note |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const MethodAccess& row : AccessTable()) {
    auto admitted = [&](Role r) {
      return std::find(row.roles.begin(), row.roles.end(), r) != row.roles.end();
    };
    // Officers by their satker's level; everyone else by role (their satker gives the scope).
    auto cell = [&](Role r, bool national_satker) -> std::string {
      if (!admitted(r)) return "—";
      switch (row.scope) {
        case ScopeRule::kAnywhere:
          return "✓*";
        case ScopeRule::kNational:
          return national_satker ? "✓" : (r == Role::kOfficer ? "—" : "✓ (BNN only)");
        case ScopeRule::kTarget:
          return "✓";
        case ScopeRule::kOfficersAnywhere:
          return r == Role::kOfficer ? "✓*" : "✓";
      }
      return "?";
    };
    std::vector<std::string> cells = {std::string(row.method), cell(Role::kOfficer, true),
                                      cell(Role::kOfficer, false), cell(Role::kOfficer, false)};
    for (const auto& [name, role] : columns) cells.push_back(cell(role, false));
    cells.push_back(std::string(row.note));
    absl::StrAppend(&out, "| ", absl::StrJoin(cells, " | "), " |\n");
  }
  return out;
}

}  // namespace ibm::registry
