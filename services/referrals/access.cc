#include "referrals/access.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/macros.h"
#include "base/status.h"
#include "domain/satker_id.h"

namespace ibm::referrals {
namespace {

constexpr absl::string_view kHeader =
    "| method | BNN | BNNP | BNNK | agent | supervisor | auditor | provider | village fund | "
    "system | note |";

absl::string_view Symbol(char cell) {
  switch (static_cast<Cell>(cell)) {
    case Cell::kDenied:
      return "—";
    case Cell::kScope:
      return "✓";
    case Cell::kOwnUnit:
      return "✓u";
    case Cell::kOwnProvider:
      return "✓p";
    case Cell::kManual:
      return "✓m";
    case Cell::kNational:
      return "✓n";
    case Cell::kEverywhere:
      return "✓*";
  }
  return "?";
}

}  // namespace

// Columns: BNN, BNNP, BNNK, agent, supervisor, auditor, provider, village fund, system.
// Letters: N — (denied), S ✓ (scope), U ✓u (own unit), P ✓p (own provider), M ✓m (a MANUAL
// provider in scope), Y ✓n (a system, national), A ✓* (everywhere).
const std::vector<MethodAccess>& AccessTable() {
  static const std::vector<MethodAccess> table = {
      {"GetProvider", "AAAAAAAAA", "the directory is public"},
      {"ListProviders", "AAAAAAAAA", ""},
      {"CreateProvider", "SSSNNNNNN", "scope: the provider's `location`"},
      {"UpdateProvider", "SSSNNNNNN", "scope: the location before and after"},
      {"SetProviderState", "SSSNNNNNN", ""},
      {"GetReferral", "SSSUNSNNY", "scope: the referral's unit"},
      {"ListReferrals", "SSSUNSNNY", ""},
      {"ListDeliveryAttempts", "SSSUNSNNY", ""},
      {"CreateReferral", "NSSUNNNNN", "BNN central reads referrals but does not write them"},
      {"UpdateReferral", "NSSUNNNNN", "DRAFT only"},
      {"SubmitReferral", "NSSNNNNNN", "discloses health data outside BNN: officers only"},
      {"CancelReferral", "NSSUNNNNN", "agents: DRAFT only"},
      {"MarkReferralEnteredInError", "NSSNNNNNN", ""},
      {"RetryReferralDelivery", "NSSNNNNNN", ""},
      {"ListProviderReferrals", "NMMNNNPNN", "identity never in a list"},
      {"GetProviderReferral", "NMMNNNPNN", "another provider's referral: NOT_FOUND"},
      {"PullReferralEvents", "NNNNNNPNN", "PULL providers"},
      {"AcknowledgeReferralEvents", "NNNNNNPNN", ""},
      {"AcceptReferral", "NMMNNNPNN", ""},
      {"RejectReferral", "NMMNNNPNN", ""},
      {"ReportReferralAttendance", "NMMNNNPNN", ""},
      {"ReportReferralOutcome", "NMMNNNPNN", ""},
  };
  return table;
}

absl::StatusOr<CallerKind> ClassifyCaller(const auth::Principal& caller) {
  using auth::Role;
  switch (caller.role) {
    case Role::kService:
      return auth::RoleNotAllowed(
          "the role service is not admitted by ibm.referrals.v1: each system calls with its "
          "own identity (role system)");
    case Role::kSystem:
      if (!caller.satker.empty())
        return auth::RoleNotAllowed("a system token must not carry a satker");
      if (caller.system == "supervision" || caller.system == "integration") {
        return CallerKind::kSystem;
      }
      return auth::RoleNotAllowed("the token's system is not one this package admits");
    case Role::kVillageFund:
    case Role::kProvider:
      if (!caller.satker.empty()) {
        return auth::RoleNotAllowed("an outside organisation's token must not carry a BNN satker");
      }
      return caller.role == Role::kVillageFund ? CallerKind::kVillageFund : CallerKind::kProvider;
    case Role::kAgent: {
      std::vector<absl::string_view> p = absl::StrSplit(caller.subject, '/');
      if (p.size() != 4 || p[0] != "units" || p[2] != "agents" || p[3].empty()) {
        return auth::RoleNotAllowed("an agent's token sub must be units/{unit}/agents/{agent}");
      }
      return CallerKind::kAgent;
    }
    case Role::kSupervisor:
      return CallerKind::kSupervisor;
    case Role::kAuditor:
      return CallerKind::kAuditor;
    case Role::kOfficer: {
      auto satker = domain::SatkerId::Parse(caller.satker);
      if (!satker.ok()) return auth::RoleNotAllowed("an officer's token must carry a satker");
      switch (satker->kind()) {
        case domain::SatkerKind::kCentral:
          return CallerKind::kBnn;
        case domain::SatkerKind::kProvince:
          return CallerKind::kBnnp;
        case domain::SatkerKind::kRegency:
          return CallerKind::kBnnk;
      }
    }
  }
  return auth::RoleNotAllowed("unknown role");
}

absl::StatusOr<Grant> RequireAccess(const auth::Principal& caller, absl::string_view method) {
  auto row = auth::FindAccessRow(AccessTable(), method, kCallerKinds);
  if (!row.ok()) return row.status();
  auto kind = ClassifyCaller(caller);
  if (!kind.ok()) return kind.status();
  const Cell cell = static_cast<Cell>((*row)->cells[static_cast<int>(*kind)]);
  if (cell == Cell::kDenied) {
    return auth::RoleNotAllowed(caller, method);
  }
  return Grant{*kind, cell};
}

std::string AccessMatrixMarkdown() {
  return auth::AccessMatrixMarkdown(kHeader, AccessTable(), Symbol);
}

}  // namespace ibm::referrals
