#pragma once

// AIP-134 update masks: required, and every path one of the fields the method may update.

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/field_mask.pb.h"

namespace ibm::resource {

// The mask's paths, each of which must be in `allowed` (INVALID_ARGUMENT on
// update_mask.paths[i] otherwise); an empty mask, or one longer than twice `allowed`, is
// refused whole.
absl::StatusOr<std::vector<std::string>> MaskPaths(
    const google::protobuf::FieldMask& mask, std::initializer_list<absl::string_view> allowed);
bool HasPath(const std::vector<std::string>& paths, absl::string_view path);

}  // namespace ibm::resource
