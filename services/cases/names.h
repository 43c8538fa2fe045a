#pragma once

// Resource names of ibm.cases.v1 and of the registry resources it refers to (patterns as
// resource/names.h reads them).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/region_code.h"
#include "resource/names.h"

namespace ibm::cases {

inline constexpr absl::string_view kClientPattern = "clients/{client}";
inline constexpr absl::string_view kIdentityPattern = "clients/{client}/identity";
inline constexpr absl::string_view kScreeningPattern = "clients/{client}/screenings/{screening}";
inline constexpr absl::string_view kUnitPattern = "units/{unit}";
inline constexpr absl::string_view kAgentPattern = "units/{unit}/agents/{agent}";
inline constexpr absl::string_view kCasePattern = "units/{unit}/cases/{case}";
inline constexpr absl::string_view kSatkerPattern = "satkers/{satker}";
inline constexpr absl::string_view kOfficerPattern = "satkers/{satker}/officers/{officer}";
inline constexpr absl::string_view kNoticePattern = "satkers/{satker}/nikMatchNotices/{notice}";
inline constexpr absl::string_view kRoutingPolicyPattern = "routingPolicies/{policy}";
inline constexpr absl::string_view kReferralPattern = "referrals/{referral}";

using resource::FormatName;
using resource::IsAssignedId;
using resource::NewId;
using resource::ParseName;

// "clients/{id}".
std::string ClientName(absl::string_view id);

// The village a (well-formed) unit id is in.
domain::RegionCode UnitVillage(absl::string_view unit_id);

}  // namespace ibm::cases
