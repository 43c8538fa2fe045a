#pragma once

// Status plumbing for logic that returns absl::Status / absl::StatusOr<T>:
//
//   IBM_RETURN_IF_ERROR(RequireScope(caller, region));
//   IBM_ASSIGN_OR_RETURN(UnitName name, UnitName::Parse(req.name(), "name"));
//   if (row.size() != 3) return IBM_BUG("units row has ", row.size(), " columns");
//
// IBM_BUG is for an invariant that should hold but can fail at run time (a hand-edited row,
// a bug): it logs where it happened and yields INTERNAL, so the call fails and the process
// keeps serving. Never dereference a StatusOr that might hold an error; use these instead.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace ibm::platform::internal {
absl::Status Bug(const char* file, int line, const std::string& message);
}  // namespace ibm::platform::internal

#define IBM_STATUS_CONCAT_INNER_(a, b) a##b
#define IBM_STATUS_CONCAT_(a, b) IBM_STATUS_CONCAT_INNER_(a, b)

#define IBM_RETURN_IF_ERROR(expr)                                 \
  do {                                                            \
    if (::absl::Status ibm_status_ = (expr); !ibm_status_.ok()) { \
      return ibm_status_;                                         \
    }                                                             \
  } while (false)

#define IBM_ASSIGN_OR_RETURN(lhs, expr) \
  IBM_ASSIGN_OR_RETURN_IMPL_(IBM_STATUS_CONCAT_(ibm_statusor_, __LINE__), lhs, expr)
#define IBM_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)    \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#define IBM_BUG(...) ::ibm::platform::internal::Bug(__FILE__, __LINE__, ::absl::StrCat(__VA_ARGS__))
