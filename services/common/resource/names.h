#pragma once

// Resource names (AIP-122) as every service parses and makes them. A pattern names its
// variable segments in braces: {unit} is a unit id (domain::UnitId), {satker} a satker id
// (domain::SatkerId), any other {x} an id the service assigned (1-40 of a-z, 0-9).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ibm::resource {

// The variable segments of `name`, in order; INVALID_ARGUMENT naming `field` ("must be a
// resource name like units/32.73.04.1001-1/cases/{case}") when it does not match `pattern`.
absl::StatusOr<std::vector<std::string>> ParseName(absl::string_view name,
                                                   absl::string_view pattern,
                                                   absl::string_view field);
// `pattern` with its variable segments replaced by `ids`, in order.
std::string FormatName(absl::string_view pattern, const std::vector<std::string>& ids);

// True for an id a service assigns (1-40 of a-z, 0-9).
bool IsAssignedId(absl::string_view id);
// A fresh id: `prefix` and 10 random base-32 characters.
std::string NewId(absl::string_view prefix);

}  // namespace ibm::resource
