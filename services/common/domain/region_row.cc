#include "domain/region_row.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/region_code.h"

namespace ibm::domain {

bool ValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const int n = c < 0x80                 ? 0
                  : c >= 0xC2 && c <= 0xDF ? 1
                  : c >= 0xE0 && c <= 0xEF ? 2
                  : c >= 0xF0 && c <= 0xF4 ? 3
                                           : -1;
    if (n < 0 || s.size() - i <= static_cast<size_t>(n)) return false;
    for (int k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

std::vector<RegionRowProblem> CheckRegionRow(absl::string_view code, absl::string_view parent_code,
                                             absl::string_view name) {
  std::vector<RegionRowProblem> problems;
  auto parsed = RegionCode::Parse(code);
  if (!parsed.ok()) {
    problems.push_back({"code", absl::StrCat("'", code.substr(0, 40),
                                             "' is not a region code (PP, PP.RR, PP.RR.DD or "
                                             "PP.RR.DD.VVVV)")});
  } else if (parsed->level() == RegionLevel::kProvince) {
    if (!parent_code.empty()) problems.push_back({"parent_code", "a province has no parent"});
  } else {
    const std::string parent =
        parsed->Ancestor(static_cast<RegionLevel>(static_cast<int>(parsed->level()) - 1)).str();
    if (parent_code != parent) {
      problems.push_back(
          {"parent_code", absl::StrCat("must be ", parent, ", the parent of ", code)});
    }
  }
  if (absl::StripAsciiWhitespace(name).empty() || name.size() > 255) {
    problems.push_back({"name", "must be 1-255 characters"});
  } else if (!ValidUtf8(name)) {
    problems.push_back({"name", "is not valid UTF-8"});
  } else {
    for (unsigned char c : name) {
      if (c < 0x20 || c == 0x7F) {
        problems.push_back({"name", "must not contain control characters"});
        break;
      }
    }
  }
  return problems;
}

}  // namespace ibm::domain
