#pragma once

// Who may call what in the cases service: one row per method, the single source of truth.
//
// - Every handler starts with Core::Authorize(call, "<Method>"), which classifies the caller
//   (CallerKind), finds its cell in this table and refuses what the cell refuses; the cell
//   it returns (a Grant) tells the handler which scope check the method's target needs.
// - docs/api.md's role x method matrix is generated from this table (AccessMatrixMarkdown;
//   the ctest docs.cases_access_matrix fails when the docs drift, tools/gen-access-docs.sh
//   rewrites them), and tests/access_test.cc calls every built method as every kind of
//   caller and expects exactly what the table says.

#include <array>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/access_table.h"
#include "auth/principal.h"

namespace ibm::cases {

// The columns of the matrix: who is calling.
enum class CallerKind {
  kBnn,          // an officer of BNN central (satker "bnn")
  kBnnp,         // an officer of a province's BNNP
  kBnnk,         // an officer of a regency's or city's BNNK
  kAgent,        // a recovery agent (token sub "units/{unit}/agents/{agent}")
  kSupervisor,   // a supervision team member (its satker's scope)
  kAuditor,      // read-only oversight (its satker's scope)
  kReferrals,    // the referrals system (role system, system "referrals")
  kSupervision,  // the supervision system
  kIntegration,  // the integration system
  kVillageFund,  // the Ministry of Villages' integration (role village_fund, claim org)
  kProvider,     // a provider's system: nothing in this package
};
inline constexpr int kCallerKinds = 11;

// What a cell admits. The letter is how the table writes it (access.cc).
enum class Cell : char {
  kDenied = 'N',        // —   PERMISSION_DENIED ROLE_NOT_ALLOWED
  kScope = 'S',         // ✓   within the caller's scope
  kOwnUnit = 'U',       // ✓u  an agent, its own unit only
  kFostering = 'F',     // ✓f  officers of the satker fostering the client's unit
  kOwnSatker = 'O',     // ✓o  officers of the satker in the name
  kHolder = 'H',        // ✓h  officers of the satker a notice is filed under
  kNational = 'Y',      // ✓n  a system, national
  kReferral = 'R',      // ✓r  the referrals system, for a client with an open referral
  kSubscription = 'B',  // ✓s  a system, its own subscription only
  kEverywhere = 'A',    // ✓*  anyone admitted, anywhere
  // ✓c  BNN central's callers only (national scope): what spans every satker, such as an
  // audit log's whole chain; others admitted by role get OUT_OF_SCOPE.
  kCentral = 'C',
};

using auth::MethodAccess;

// Every method of ibm.cases.v1, in the order of the docs.
const std::vector<MethodAccess>& AccessTable();

// The caller's column. PERMISSION_DENIED (ROLE_NOT_ALLOWED) for a token this package never
// admits: role `service`; a system with a satker or an unknown `system`; a village-fund or
// provider token with a satker; an agent whose sub is not units/{unit}/agents/{agent}.
absl::StatusOr<CallerKind> ClassifyCaller(const auth::Principal& caller);

struct Grant {
  CallerKind kind;
  Cell cell;
};

// The caller's cell for `method`: PERMISSION_DENIED (ROLE_NOT_ALLOWED) for kDenied and for
// the callers ClassifyCaller refuses, (OUT_OF_SCOPE) for kCentral below national scope;
// INTERNAL for a method without a row.
absl::StatusOr<Grant> RequireAccess(const auth::Principal& caller, absl::string_view method);

// The docs' role x method matrix (markdown), generated from the table.
std::string AccessMatrixMarkdown();

}  // namespace ibm::cases
