#pragma once

// Who may call what in the registry: one row per method, the single source of truth.
//
// - Every handler starts with RequireAccess(caller, "<Method>"): the role check, and for
//   national-only methods the national check, come from this table.
// - The handlers then check the caller's scope on the method's target (a unit's village, a
//   satker's region): the table says which methods have one (kTarget, kOfficersAnywhere;
//   RequireTargetScope applies the rule).
// - docs/api.md's role x method matrix is generated from it (AccessMatrixMarkdown; the ctest
//   docs.registry_access_matrix fails when the docs drift, tools/gen-access-docs.sh
//   rewrites them), and tests/access_test.cc calls every method as every kind of caller and
//   expects exactly what the table says: a scope check removed from any handler fails it.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "auth/principal.h"

namespace ibm::registry {

enum class ScopeRule {
  kAnywhere,  // national reference data: any caller of an admitted role, wherever
  kNational,  // BNN central's callers only (the whole country's scope)
  kTarget,    // the caller's scope must cover the resource the request names
  // Officers: any target, wherever (a unit's facts: the target of a case transfer lies in
  // another satker's scope); the other admitted roles: as kTarget.
  kOfficersAnywhere,
};

struct MethodAccess {
  absl::string_view method;  // "GetUnit"; "GetAgent(FULL)" for the FULL view
  std::vector<auth::Role> roles;
  ScopeRule scope;
  absl::string_view note;  // shown in the docs' matrix, e.g. "(own province)"
};

// Every method of ibm.registry.v1, in the order of the proto.
const std::vector<MethodAccess>& AccessTable();

// The row of `method`; nullptr when it has none (a bug: every handler has a row).
const MethodAccess* FindAccess(absl::string_view method);

// PERMISSION_DENIED (ROLE_NOT_ALLOWED) when the caller's role is not admitted, and
// (OUT_OF_SCOPE) when the method is national and the caller is not; INTERNAL for a method
// without a row. Target scope is the handler's to check, on the parsed resource.
absl::Status RequireAccess(const auth::Principal& caller, absl::string_view method);

// The table's scope rule for `method` on the region its request names (a unit's village, a
// satker's region): kTarget needs the caller's scope to cover it, kOfficersAnywhere too for
// everyone but officers; PERMISSION_DENIED (OUT_OF_SCOPE) otherwise.
absl::Status RequireTargetScope(const auth::Principal& caller, absl::string_view method,
                                const domain::RegionCode& target);

// The docs' role x method matrix (markdown), generated from the table.
std::string AccessMatrixMarkdown();

}  // namespace ibm::registry
