#pragma once

// Resource names of ibm.referrals.v1 and of the resources of other packages it refers to
// (patterns as resource/names.h reads them).

#include <string>

#include "absl/strings/string_view.h"
#include "resource/names.h"

namespace ibm::referrals {

inline constexpr absl::string_view kProviderPattern = "providers/{provider}";
inline constexpr absl::string_view kReferralPattern = "referrals/{referral}";
inline constexpr absl::string_view kAttemptPattern = "referrals/{referral}/deliveryAttempts/{n}";
inline constexpr absl::string_view kRegionPattern = "regions/{code}";
inline constexpr absl::string_view kSatkerPattern = "satkers/{satker}";
inline constexpr absl::string_view kOfficerPattern = "satkers/{satker}/officers/{officer}";
inline constexpr absl::string_view kUnitPattern = "units/{unit}";
inline constexpr absl::string_view kAgentPattern = "units/{unit}/agents/{agent}";
inline constexpr absl::string_view kCasePattern = "units/{unit}/cases/{case}";
inline constexpr absl::string_view kClientPattern = "clients/{client}";
inline constexpr absl::string_view kScreeningPattern = "clients/{client}/screenings/{screening}";

using resource::FormatName;
using resource::NewId;
using resource::ParseName;

inline std::string ProviderName(absl::string_view id) {
  return FormatName(kProviderPattern, {std::string(id)});
}
inline std::string ReferralName(absl::string_view id) {
  return FormatName(kReferralPattern, {std::string(id)});
}

}  // namespace ibm::referrals
