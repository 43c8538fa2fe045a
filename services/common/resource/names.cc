#include "resource/names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "base/crypto.h"
#include "base/status.h"
#include "domain/satker_id.h"
#include "domain/unit_id.h"

namespace ibm::resource {

bool IsAssignedId(absl::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id) {
    if (!absl::ascii_isdigit(c) && !absl::ascii_islower(c)) return false;
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> ParseName(absl::string_view name,
                                                   absl::string_view pattern,
                                                   absl::string_view field) {
  std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  std::vector<absl::string_view> got = absl::StrSplit(name, '/');
  std::vector<std::string> ids;
  bool ok = name.size() <= 300 && want.size() == got.size();
  for (size_t i = 0; ok && i < want.size(); ++i) {
    if (want[i].empty() || want[i][0] != '{') {
      ok = want[i] == got[i];
    } else if (want[i] == "{unit}") {
      ok = domain::UnitId::Parse(got[i]).ok();
    } else if (want[i] == "{satker}") {
      ok = domain::SatkerId::Parse(got[i]).ok();
    } else {
      ok = IsAssignedId(got[i]);
    }
    if (ok && !want[i].empty() && want[i][0] == '{') ids.emplace_back(got[i]);
  }
  if (!ok) {
    std::string example =
        absl::StrReplaceAll(pattern, {{"{unit}", "32.73.04.1001-1"}, {"{satker}", "bnnk-32.73"}});
    return platform::InvalidField(field, absl::StrCat("must be a resource name like ", example));
  }
  return ids;
}

std::string FormatName(absl::string_view pattern, const std::vector<std::string>& ids) {
  std::string out;
  size_t next = 0;
  for (absl::string_view part : absl::StrSplit(pattern, '/')) {
    if (!out.empty()) out += '/';
    if (!part.empty() && part[0] == '{') {
      out += next < ids.size() ? ids[next++] : "";
    } else {
      out.append(part.data(), part.size());
    }
  }
  return out;
}

std::string NewId(absl::string_view prefix) {
  return absl::StrCat(prefix, platform::RandomId(6));  // 10 of a-z2-7
}

}  // namespace ibm::resource
