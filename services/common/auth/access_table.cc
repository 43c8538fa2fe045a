#include "auth/access_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/macros.h"
#include "base/status.h"

namespace ibm::auth {

absl::StatusOr<const MethodAccess*> FindAccessRow(const std::vector<MethodAccess>& table,
                                                  absl::string_view method, int columns) {
  for (const MethodAccess& row : table) {
    if (row.method == method && row.cells.size() == static_cast<size_t>(columns)) return &row;
  }
  return IBM_BUG("no access rule for ", method);
}

absl::Status RoleNotAllowed(absl::string_view why) {
  return platform::WithReason(absl::PermissionDeniedError(why), "ROLE_NOT_ALLOWED");
}

absl::Status RoleNotAllowed(const Principal& caller, absl::string_view method) {
  return RoleNotAllowed(absl::StrCat("the caller (", RoleName(caller.role),
                                     caller.system.empty() ? "" : ":", caller.system,
                                     ") may not call ", method));
}

std::string AccessMatrixMarkdown(absl::string_view header, const std::vector<MethodAccess>& table,
                                 const std::function<absl::string_view(char)>& symbol) {
  const size_t columns = std::count(header.begin(), header.end(), '|') - 1;
  std::vector<std::string> rule(columns, "---");
  std::string out = absl::StrCat(header, "\n| ", absl::StrJoin(rule, " | "), " |\n");
  for (const MethodAccess& row : table) {
    std::vector<std::string> cells = {std::string(row.method)};
    for (char c : row.cells) cells.emplace_back(symbol(c));
    cells.emplace_back(row.note);
    absl::StrAppend(&out, "| ", absl::StrJoin(cells, " | "), " |\n");
  }
  return out;
}

}  // namespace ibm::auth
