#pragma once

// The provider directory's pure rules: what a well-formed provider is (docs/api.md, Errors by
// method, CreateProvider), its state moves, and how coverage is read. No I/O: whether a
// village or region exists is the registry's, asked by the handler.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "base/status.h"
#include "domain/region_code.h"
#include "ibm/referrals/v1/providers.pb.h"

namespace ibm::referrals::rules {

namespace v1 = ::ibm::referrals::v1;

// Adds every violation of `p` (the input fields of a provider, whole: a create's, or an
// update's merged result) to `v`, fields named `provider.<path>`. `today` bounds the IPWL
// decree date.
void CheckProvider(platform::FieldViolations& v, const v1::Provider& p, absl::CivilDay today);

// The region a `regions/{code}` name holds; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<domain::RegionCode> ParseRegionName(absl::string_view name, absl::string_view field);

// The regions that cover `code` when listed in a provider's coverage: itself and every
// enclosing region, province first.
std::vector<std::string> CoveringCodes(const domain::RegionCode& code);
// True when one of `coverage` (well-formed `regions/{code}` names) contains `code`.
bool Covers(const google::protobuf::RepeatedPtrField<std::string>& coverage,
            const domain::RegionCode& code);

// The services offered, one bit per ServiceType (a column the directory filters on).
int64_t OfferingMask(const v1::Provider& p);
inline int64_t ServiceTypeBit(v1::ServiceType t) { return int64_t{1} << static_cast<int>(t); }

// A move of SetProviderState: OK when docs/api.md's provider table has it; FAILED_PRECONDITION
// ILLEGAL_TRANSITION otherwise.
absl::Status CheckProviderMove(v1::Provider::State from, v1::Provider::State to);

}  // namespace ibm::referrals::rules
