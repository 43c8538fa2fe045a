#include "domain/satker_id.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status.h"

namespace ibm::domain {

absl::StatusOr<SatkerId> SatkerId::Parse(absl::string_view text, absl::string_view field) {
  if (text == "bnn") return SatkerId(SatkerKind::kCentral, std::nullopt, "bnn");
  absl::string_view rest = text;
  SatkerKind kind;
  RegionLevel level;
  if (absl::ConsumePrefix(&rest, "bnnp-")) {
    kind = SatkerKind::kProvince;
    level = RegionLevel::kProvince;
  } else if (absl::ConsumePrefix(&rest, "bnnk-")) {
    kind = SatkerKind::kRegency;
    level = RegionLevel::kRegency;
  } else {
    level = RegionLevel::kProvince;
    kind = SatkerKind::kCentral;
    rest = "";
  }
  auto code = RegionCode::Parse(rest);
  if (kind == SatkerKind::kCentral || !code.ok() || code->level() != level) {
    return platform::InvalidField(
        field,
        "must be a satker id: bnn, bnnp-<province code> (bnnp-32) or bnnk-<regency code> "
        "(bnnk-32.73)");
  }
  return SatkerId(kind, *code, std::string(text));
}

}  // namespace ibm::domain
