#include "cases/access.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/macros.h"
#include "base/status.h"
#include "domain/satker_id.h"

namespace ibm::cases {
namespace {

constexpr absl::string_view kHeader =
    "| method | BNN | BNNP | BNNK | agent | supervisor | auditor | referrals | supervision | "
    "integration | village fund | provider | note |";

absl::string_view Symbol(char cell) {
  switch (static_cast<Cell>(cell)) {
    case Cell::kDenied:
      return "—";
    case Cell::kScope:
      return "✓";
    case Cell::kOwnUnit:
      return "✓u";
    case Cell::kFostering:
      return "✓f";
    case Cell::kOwnSatker:
      return "✓o";
    case Cell::kHolder:
      return "✓h";
    case Cell::kNational:
      return "✓n";
    case Cell::kReferral:
      return "✓r";
    case Cell::kSubscription:
      return "✓s";
    case Cell::kEverywhere:
      return "✓*";
    case Cell::kCentral:
      return "✓c";
  }
  return "?";
}

}  // namespace

// Columns: BNN, BNNP, BNNK, agent, supervisor, auditor, referrals, supervision, integration,
// village fund, provider. Letters: N — (denied), S ✓ (scope), U ✓u (own unit), F ✓f
// (fostering satker), O ✓o (own satker), H ✓h (holding satker), Y ✓n (a system, national),
// R ✓r (an open referral), B ✓s (own subscription), A ✓* (everywhere), C ✓c (BNN central's
// callers only).
const std::vector<MethodAccess>& AccessTable() {
  static const std::vector<MethodAccess> table = {
      {"GetClient", "SSSUNSYNNNN", "coarse form for BNN and national auditors"},
      {"ListClients", "SSSUNSNNNNN",
       "coarse form for BNN and national auditors; `nik_review_pending` filter officers only"},
      {"CreateClient", "NSSUNNNNNNN", "`identity`: ✓f or ✓u; compulsory: ✓f only"},
      {"UpdateClient", "NSSUNNNNNNN", ""},
      {"RecordClientConsent", "NSSUNNNNNNN", ""},
      {"RecordClientLegalOrder", "NFFNNNNNNNN", "identity access log"},
      {"GetClientIdentity", "NFFUNNRNNNN",
       "purpose required; logged; `legal_order` to ✓f and ✓r only; referrals: purpose REFERRAL, "
       "`referral`, referral fields only"},
      {"UpdateClientIdentity", "NFFUNNNNNNN", "logged"},
      {"LookupClientByNik", "NSSUNNNNNNN",
       "justification and request_id; logged; rate-limited; agents: own unit only"},
      {"WithdrawClientConsent", "NSSNNNNNNNN", ""},
      {"VoidClient", "NSSNNNNNNNN", ""},
      {"ListIdentityAccessRecords", "NNNNNSNNNNN", ""},
      {"GetNikMatchNotice", "HHHNNSNNNNN", "BNN central fosters no unit: it holds none"},
      {"ListNikMatchNotices", "HHHNNSNNNNN", ""},
      {"CloseNikMatchNotice", "HHHNNNNNNNN", ""},
      {"GetScreening", "SSSUNSYNNNN", ""},
      {"ListScreenings", "SSSUNSYNNNN", "referrals: parent a client only"},
      {"CreateScreening", "NSSUNNNNNNN", ""},
      {"VoidScreening", "NSSNNNNNNNN", ""},
      {"GetRoutingPolicy", "AAAAAAAAANN", ""},
      {"ListRoutingPolicies", "AAAAAAAAANN", ""},
      {"CreateRoutingPolicy", "SNNNNNNNNNN", ""},
      {"ActivateRoutingPolicy", "SNNNNNNNNNN", ""},
      {"GetCase", "SSSUNSYNNNN", ""},
      {"ListCases", "SSSUNSNNNNN", ""},
      {"CreateCase", "NSSUNNNNNNN", ""},
      {"UpdateCase", "NSSUNNNNNNN", ""},
      {"StartCaseIntervention", "NSSUNNNNNNN", ""},
      {"StartCaseRecoverySupport", "NSSUNNNNNNN", ""},
      {"ReferCase", "NSSNNNYNNNN", "referrals: with `referral`, a referral of this case"},
      {"ResumeCase", "NSSUNNNNNNN", ""},
      {"CompleteCase", "NSSNNNNNNNN", ""},
      {"DropOutCase", "NSSNNNNNNNN", ""},
      {"TransferCase", "NSSNNNNNNNN", "scope of the source case"},
      {"VoidCase", "NSSNNNNNNNN", ""},
      {"GetInterventionSession", "SSSUNSNNNNN", ""},
      {"ListInterventionSessions", "SSSUNSNNNNN", ""},
      {"CreateInterventionSession", "NSSUNNNNNNN", ""},
      {"UpdateInterventionSession", "NSSUNNNNNNN", ""},
      {"VoidInterventionSession", "NSSUNNNNNNN", ""},
      {"GetSupportContact", "SSSUNSNNNNN", ""},
      {"ListSupportContacts", "SSSUNSNNNNN", ""},
      {"CreateSupportContact", "NSSUNNNNNNN", ""},
      {"UpdateSupportContact", "NSSUNNNNNNN", ""},
      {"VoidSupportContact", "NSSUNNNNNNN", ""},
      {"GetUrineTest", "SSSNNSNNNNN", ""},
      {"ListUrineTests", "SSSNNSNNNNN", ""},
      {"CreateUrineTest", "NSSNNNNNNNN", ""},
      {"VoidUrineTest", "NSSNNNNNNNN", ""},
      {"GetQualityOfLifeAssessment", "SSSUNSNNNNN", ""},
      {"ListQualityOfLifeAssessments", "SSSUNSNNNNN", ""},
      {"CreateQualityOfLifeAssessment", "NSSUNNNNNNN", ""},
      {"VoidQualityOfLifeAssessment", "NSSNNNNNNNN", ""},
      {"GetUnitActivity", "SSSUSSNYYAN", ""},
      {"ListUnitActivities", "SSSUSSNYYAN", "village fund: `region` required"},
      {"CreateUnitActivity", "NSSUNNNNNNN", ""},
      {"UpdateUnitActivity", "NSSUNNNNNNN", ""},
      {"VoidUnitActivity", "NSSUNNNNNNN", ""},
      {"GetSatkerActivity", "SSSNSSNYNNN", ""},
      {"ListSatkerActivities", "SSSNSSNYNNN", ""},
      {"CreateSatkerActivity", "OOONNNNNNNN", ""},
      {"UpdateSatkerActivity", "OOONNNNNNNN", ""},
      {"VoidSatkerActivity", "OOONNNNNNNN", ""},
      {"GetCommunityReportTally", "SSSUNSNNNNN", ""},
      {"ListCommunityReportTallies", "SSSUNSNNNNN", ""},
      {"CreateCommunityReportTally", "NSSUNNNNNNN", ""},
      {"UpdateCommunityReportTally", "NSSUNNNNNNN", ""},
      {"VoidCommunityReportTally", "NSSUNNNNNNN", ""},
      {"QueryUnitMetrics", "SSSUSSNYYNN", "numerators and denominators only"},
      {"GetCaseEventSubscription", "NNNNNNBNNNN",
       "only `caseEventSubscriptions/referrals` is configured"},
      {"PullCaseEvents", "NNNNNNBNNNN", ""},
      {"AcknowledgeCaseEvents", "NNNNNNBNNNN", ""},
      {"UploadBatch", "SSSUNNNNNNN", "each record checked as its create method"},
      {"VerifyAuditLog", "CNNNNCNNNNN", "the chain spans every satker"},
  };
  return table;
}

absl::StatusOr<CallerKind> ClassifyCaller(const auth::Principal& caller) {
  using auth::Role;
  switch (caller.role) {
    case Role::kService:
      return auth::RoleNotAllowed(
          "the role service is not admitted by ibm.cases.v1: each system calls with its own "
          "identity (role system)");
    case Role::kSystem:
      if (!caller.satker.empty())
        return auth::RoleNotAllowed("a system token must not carry a satker");
      if (caller.system == "referrals") return CallerKind::kReferrals;
      if (caller.system == "supervision") return CallerKind::kSupervision;
      if (caller.system == "integration") return CallerKind::kIntegration;
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
  if (cell == Cell::kCentral && !caller.scope.national()) {
    return platform::WithReason(
        absl::PermissionDeniedError(absl::StrCat(method, " spans every satker: only BNN central's ",
                                                 "callers may call it; the caller's scope is ",
                                                 caller.scope.prefix())),
        "OUT_OF_SCOPE");
  }
  return Grant{*kind, cell};
}

std::string AccessMatrixMarkdown() {
  return auth::AccessMatrixMarkdown(kHeader, AccessTable(), Symbol);
}

}  // namespace ibm::cases
