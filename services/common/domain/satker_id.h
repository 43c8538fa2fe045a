#pragma once

// A BNN work unit's id (satker): "bnn" (BNN central), "bnnp-<province>" ("bnnp-32"), or
// "bnnk-<regency or city>" ("bnnk-32.73"). The one grammar of the suite: tokens' satker
// claims, resource names (satkers/{id}) and scopes all parse with it.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/region_code.h"

namespace ibm::domain {

enum class SatkerKind { kCentral, kProvince, kRegency };

class SatkerId {
 public:
  // INVALID_ARGUMENT naming `field` unless `text` is exactly one of the three forms.
  static absl::StatusOr<SatkerId> Parse(absl::string_view text, absl::string_view field = "satker");

  SatkerKind kind() const { return kind_; }
  // The region it serves; none for BNN central (the whole country).
  const std::optional<RegionCode>& region() const { return region_; }
  const std::string& str() const { return text_; }

 private:
  SatkerId(SatkerKind kind, std::optional<RegionCode> region, std::string text)
      : kind_(kind), region_(std::move(region)), text_(std::move(text)) {}
  SatkerKind kind_;
  std::optional<RegionCode> region_;
  std::string text_;
};

}  // namespace ibm::domain
