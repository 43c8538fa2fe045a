#pragma once

// The satkers' pure rules: no I/O, no protos where a plain value will do; tested by
// tests/rules/satkers_test.cc without gRPC or a database.
//
// BNN's structure: BNN central ("bnn"), a BNNP on each province ("bnnp-32", under "bnn"), a
// BNNK or BNN Kota on a regency or city ("bnnk-32.73", under its province's BNNP).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/status.h"
#include "domain/region_code.h"
#include "ibm/registry/v1/registry.pb.h"

namespace ibm::registry::rules {

inline constexpr char kCentralSatkerId[] = "bnn";
inline constexpr char kCentralSatkerName[] = "Badan Narkotika Nasional";

// ---- Fields of a request. Each adds its violations to `v`, naming the request's field.

// The contact fields: a display name of at most 200 bytes, an address of at most 500, a
// phone of at most 30; none required, none with control characters.
void CheckContact(platform::FieldViolations& v, const v1::Satker& satker);
// CreateSatker's satker: a BNNP on a province or a BNNK on a regency or city (BNN central is
// BootstrapSatkers'), and the contact fields. Returns the region it sits on (nullopt when
// the kind or the region is wrong).
std::optional<domain::RegionCode> CheckNewSatker(platform::FieldViolations& v,
                                                 const v1::Satker& satker);
// UpdateSatker's satker: the contact fields (always), and a display name that is not empty
// when `paths` (the update mask) name it.
void CheckSatkerUpdate(platform::FieldViolations& v, const v1::Satker& satker,
                       const std::vector<std::string>& paths);
// ListSatkers' request: an optional parent (a satker name), descendants only with a parent,
// an optional kind. Returns the parent's id ("" for none).
std::string CheckListSatkersRequest(platform::FieldViolations& v,
                                    const v1::ListSatkersRequest& req);

// ---- Where a satker sits.

// The id of the satker of `kind` (BNNP or BNNK) on the region `region_code`.
std::string SatkerIdOn(v1::SatkerKind kind, absl::string_view region_code);

// Where CreateSatker's new satker goes, and who may create it.
struct NewSatkerPlace {
  std::string id;         // "bnnp-32", "bnnk-32.73"
  std::string parent_id;  // "bnn" for a BNNP, the province's BNNP for a BNNK
  // The scope that may create it: only a satker above it, so BNN central for a BNNP (nullopt:
  // national) and BNN central or the province's BNNP for a BNNK (the province).
  std::optional<domain::RegionCode> creators;
};
// `kind` is BNNP or BNNK and `region` of its level (as CheckNewSatker accepted them).
NewSatkerPlace PlaceNewSatker(v1::SatkerKind kind, const domain::RegionCode& region);

// The display name a new satker gets: the given one, or when that is empty the kind plus the
// region's name ("BNN Provinsi Jawa Barat", "BNN Kota Bandung").
std::string DisplayNameOrDefault(v1::SatkerKind kind, absl::string_view given,
                                 absl::string_view region_name);
// A satker sits on a current region: INVALID_ARGUMENT on satker.region naming
// `region_code` when the registry lacks it (or an edition retired it).
absl::Status CheckRegionExists(absl::string_view region_code, bool exists);
// A satker's parent exists before it: FAILED_PRECONDITION naming the parent otherwise (for a
// BNNP, BootstrapSatkers creates BNN central).
absl::Status CheckParentExists(absl::string_view parent_id, v1::SatkerKind kind, bool exists);

// The satkers under `parent_id` at any depth, as a filter on ids.
struct Descendants {
  bool all_but_central = false;  // under BNN central: every satker but itself
  bool none = false;             // a BNNK has none under it
  std::string id_from, id_to;    // else the province's BNNKs: ids in [id_from, id_to)
};
Descendants DescendantsOf(absl::string_view parent_id);

// ---- BootstrapSatkers: BNN central and a BNNP on every current province.

struct SatkerSeed {
  std::string id;
  v1::SatkerKind kind = v1::SATKER_KIND_UNSPECIFIED;
  std::optional<std::string> region_code;
  std::optional<std::string> parent_id;
  std::string display_name;
};
// FAILED_PRECONDITION when the registry has no (current) provinces: the region data comes
// first.
absl::Status CheckProvincesImported(size_t provinces);
SatkerSeed CentralSatker();
// The BNNP of the province `code` named `name`.
SatkerSeed ProvincialSatker(absl::string_view code, absl::string_view name);

}  // namespace ibm::registry::rules
