#pragma once

// Who may call what in the referrals service: one row per method, the single source of truth.
//
// - Every handler starts with Core::Authorize(call, "<Method>"), which classifies the caller
//   (CallerKind), finds its cell in this table and refuses what the cell refuses; the cell
//   it returns (a Grant) tells the handler which check the method's target needs.
// - docs/api.md's role x method matrix is generated from this table (AccessMatrixMarkdown; the
//   ctest docs.referrals_access_matrix fails when the docs drift, tools/gen-access-docs.sh
//   rewrites them), and tests/access_test.cc calls every method as every kind of caller and
//   expects exactly what the table says.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/access_table.h"
#include "auth/principal.h"

namespace ibm::referrals {

// The columns of the matrix: who is calling.
enum class CallerKind {
  kBnn,          // an officer of BNN central (satker "bnn")
  kBnnp,         // an officer of a province's BNNP
  kBnnk,         // an officer of a regency's or city's BNNK
  kAgent,        // a recovery agent (token sub "units/{unit}/agents/{agent}")
  kSupervisor,   // a supervision team member
  kAuditor,      // read-only oversight (its satker's scope)
  kProvider,     // a provider's system or staff (role provider; sub in Provider.principals)
  kVillageFund,  // the Ministry of Villages' integration
  kSystem,       // the suite's systems (role system: supervision, integration), national
};
inline constexpr int kCallerKinds = 9;

// What a cell admits. The letter is how the table writes it (access.cc).
enum class Cell : char {
  kDenied = 'N',       // —   PERMISSION_DENIED ROLE_NOT_ALLOWED
  kScope = 'S',        // ✓   within the caller's scope (a referral's unit; a provider's location)
  kOwnUnit = 'U',      // ✓u  an agent, referrals of its own unit only
  kOwnProvider = 'P',  // ✓p  a provider caller, its own provider only
  kManual = 'M',       // ✓m  an officer, for a MANUAL provider in scope only
  kNational = 'Y',     // ✓n  a system, national
  kEverywhere = 'A',   // ✓*  anyone admitted, anywhere
};

using auth::MethodAccess;

// Every method of ibm.referrals.v1 the service serves, in the order of the docs.
const std::vector<MethodAccess>& AccessTable();

// The caller's column. PERMISSION_DENIED (ROLE_NOT_ALLOWED) for a token this package never
// admits: role `service`; a system with a satker or of another system; a provider or
// village-fund token with a satker; an agent whose sub is not units/{unit}/agents/{agent}.
absl::StatusOr<CallerKind> ClassifyCaller(const auth::Principal& caller);

struct Grant {
  CallerKind kind;
  Cell cell;
};

// The caller's cell for `method`: PERMISSION_DENIED (ROLE_NOT_ALLOWED) for kDenied and for
// the callers ClassifyCaller refuses; INTERNAL for a method without a row.
absl::StatusOr<Grant> RequireAccess(const auth::Principal& caller, absl::string_view method);

// The docs' role x method matrix (markdown), generated from the table.
std::string AccessMatrixMarkdown();

}  // namespace ibm::referrals
