#pragma once

// Resource names of ibm.cases.v1 and of the registry resources it refers to. A pattern names
// its variable segments in braces: {unit} is a unit id (domain::UnitId), {satker} a satker id
// (domain::SatkerId), any other {x} an id this service assigned (1-40 of a-z, 0-9).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/region_code.h"

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

// The variable segments of `name`, in order; INVALID_ARGUMENT naming `field` ("must be a
// resource name like units/32.73.04.1001-1/cases/{case}") when it does not match `pattern`.
absl::StatusOr<std::vector<std::string>> ParseName(absl::string_view name,
                                                   absl::string_view pattern,
                                                   absl::string_view field);
// `pattern` with its variable segments replaced by `ids`, in order.
std::string FormatName(absl::string_view pattern, const std::vector<std::string>& ids);

// "clients/{id}".
std::string ClientName(absl::string_view id);

// True for an id this service assigns (1-40 of a-z, 0-9).
bool IsAssignedId(absl::string_view id);
// A fresh id: `prefix` and 10 random base-32 characters.
std::string NewId(absl::string_view prefix);

// The village a (well-formed) unit id is in.
domain::RegionCode UnitVillage(absl::string_view unit_id);

}  // namespace ibm::cases
