#pragma once

// An access table as the services with one letter per kind of caller write it (cases,
// referrals): one row per method, its cells a string of letters in the service's column order.
// What every such table does alike lives here: finding a method's row, refusing a role, and
// drawing the docs' role x method matrix. What a letter admits is each service's.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/principal.h"

namespace ibm::auth {

struct MethodAccess {
  absl::string_view method;
  absl::string_view cells;  // one letter per column, in the service's column order
  absl::string_view note;   // shown in the docs' matrix
};

// The row of `method`, whose cells must have `columns` letters; INTERNAL (a bug: every
// handler has a row) otherwise.
absl::StatusOr<const MethodAccess*> FindAccessRow(const std::vector<MethodAccess>& table,
                                                  absl::string_view method, int columns);

// PERMISSION_DENIED, reason ROLE_NOT_ALLOWED, saying why.
absl::Status RoleNotAllowed(absl::string_view why);
// The same for a caller whose cell denies `method`: "the caller (system:x) may not call M".
absl::Status RoleNotAllowed(const Principal& caller, absl::string_view method);

// The docs' matrix: `header` is the table's first line ("| method | BNN | ... | note |"),
// `symbol` draws a letter ("✓u").
std::string AccessMatrixMarkdown(absl::string_view header, const std::vector<MethodAccess>& table,
                                 const std::function<absl::string_view(char)>& symbol);

}  // namespace ibm::auth
