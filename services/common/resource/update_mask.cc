#include "resource/update_mask.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status.h"

namespace ibm::resource {

absl::StatusOr<std::vector<std::string>> MaskPaths(
    const google::protobuf::FieldMask& mask, std::initializer_list<absl::string_view> allowed) {
  if (mask.paths().empty()) {
    return platform::InvalidField("update_mask", absl::StrCat("is required; updatable fields: ",
                                                              absl::StrJoin(allowed, ", ")));
  }
  // The size first: a mask longer than twice the updatable fields is refused whole, never
  // path by path.
  if (static_cast<size_t>(mask.paths_size()) > 2 * allowed.size()) {
    return platform::InvalidField(
        "update_mask.paths", absl::StrCat("has ", mask.paths_size(),
                                          " paths; updatable: ", absl::StrJoin(allowed, ", ")));
  }
  platform::FieldViolations v;
  std::vector<std::string> paths;
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& p = mask.paths(i);
    if (std::find(allowed.begin(), allowed.end(), p) == allowed.end()) {
      v.Add(absl::StrCat("update_mask.paths[", i, "]"),
            absl::StrCat("'", p.substr(0, 100),
                         "' is not an updatable field; updatable: ", absl::StrJoin(allowed, ", ")));
    } else {
      paths.push_back(p);
    }
  }
  if (!v.empty()) return v.status();
  return paths;
}

bool HasPath(const std::vector<std::string>& paths, absl::string_view path) {
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

}  // namespace ibm::resource
