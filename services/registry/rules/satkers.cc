#include "registry/rules/satkers.h"

#include "absl/strings/str_cat.h"
#include "registry/core.h"

namespace ibm::registry::rules {

void CheckContact(platform::FieldViolations& v, const v1::Satker& satker) {
  CheckText(v, "satker.display_name", satker.display_name(), 200, false);
  CheckText(v, "satker.address", satker.address(), 500, false);
  CheckText(v, "satker.phone", satker.phone(), 30, false);
}

std::optional<domain::RegionCode> CheckNewSatker(platform::FieldViolations& v,
                                                 const v1::Satker& satker) {
  std::optional<domain::RegionCode> region;
  switch (satker.kind()) {
    case v1::SATKER_KIND_BNNP:
    case v1::SATKER_KIND_BNNK: {
      const bool bnnp = satker.kind() == v1::SATKER_KIND_BNNP;
      const auto level = bnnp ? domain::RegionLevel::kProvince : domain::RegionLevel::kRegency;
      if (satker.region().empty()) {
        v.Add("satker.region", "is required");
      } else if (auto code = ParseRegionName(satker.region(), "satker.region", level); !code.ok()) {
        v.Add("satker.region", absl::StrCat(bnnp ? "a BNNP sits on a province: "
                                                 : "a BNNK sits on a regency or city: ",
                                            code.status().message()));
      } else {
        region = *code;
      }
      break;
    }
    case v1::SATKER_KIND_BNN:
      v.Add("satker.kind", "BNN central is created by BootstrapSatkers");
      break;
    default:
      v.Add("satker.kind", "is required: SATKER_KIND_BNNP or SATKER_KIND_BNNK");
  }
  CheckContact(v, satker);
  return region;
}

void CheckSatkerUpdate(platform::FieldViolations& v, const v1::Satker& satker,
                       const std::vector<std::string>& paths) {
  CheckContact(v, satker);
  if (HasPath(paths, "display_name") && satker.display_name().empty()) {
    v.Add("satker.display_name", "must not be empty");
  }
}

std::string CheckListSatkersRequest(platform::FieldViolations& v,
                                    const v1::ListSatkersRequest& req) {
  std::string parent;
  if (!req.parent().empty()) {
    auto id = ParseSatkerName(req.parent(), "parent");
    if (id.ok()) {
      parent = *id;
    } else {
      v.Add("parent", "must be a resource name like satkers/bnnp-32");
    }
  } else if (req.descendants()) {
    v.Add("descendants", "needs a parent");
  }
  if (!v1::SatkerKind_IsValid(req.kind())) v.Add("kind", "is not a satker kind");
  return parent;
}

std::string SatkerIdOn(v1::SatkerKind kind, absl::string_view region_code) {
  return absl::StrCat(kind == v1::SATKER_KIND_BNNP ? "bnnp-" : "bnnk-", region_code);
}

NewSatkerPlace PlaceNewSatker(v1::SatkerKind kind, const domain::RegionCode& region) {
  if (kind == v1::SATKER_KIND_BNNP) {
    return {SatkerIdOn(kind, region.str()), kCentralSatkerId, std::nullopt};
  }
  const domain::RegionCode province = region.Ancestor(domain::RegionLevel::kProvince);
  return {SatkerIdOn(kind, region.str()), SatkerIdOn(v1::SATKER_KIND_BNNP, province.str()),
          province};
}

std::string DisplayNameOrDefault(v1::SatkerKind kind, absl::string_view given,
                                 absl::string_view region_name) {
  if (!given.empty()) return std::string(given);
  return absl::StrCat(kind == v1::SATKER_KIND_BNNP ? "BNN Provinsi " : "BNN ", region_name);
}

absl::Status CheckRegionExists(absl::string_view region_code, bool exists) {
  if (exists) return absl::OkStatus();
  return platform::InvalidField("satker.region",
                                absl::StrCat("region ", region_code, " does not exist"));
}

absl::Status CheckParentExists(absl::string_view parent_id, v1::SatkerKind kind, bool exists) {
  if (exists) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the parent satker ", SatkerName(parent_id), " does not exist yet",
                   kind == v1::SATKER_KIND_BNNP ? " (run BootstrapSatkers)" : ""));
}

Descendants DescendantsOf(absl::string_view parent_id) {
  Descendants d;
  auto region = SatkerRegion(parent_id);
  if (!region) {
    d.all_but_central = true;
  } else if (region->level() == domain::RegionLevel::kProvince) {
    d.id_from = absl::StrCat("bnnk-", region->str(), ".");
    d.id_to = absl::StrCat("bnnk-", region->str(), "/");
  } else {
    d.none = true;
  }
  return d;
}

absl::Status CheckProvincesImported(size_t provinces) {
  if (provinces > 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "the registry has no provinces yet: import the region data first");
}

SatkerSeed CentralSatker() {
  return {kCentralSatkerId, v1::SATKER_KIND_BNN, std::nullopt, std::nullopt, kCentralSatkerName};
}

SatkerSeed ProvincialSatker(absl::string_view code, absl::string_view name) {
  return {SatkerIdOn(v1::SATKER_KIND_BNNP, code), v1::SATKER_KIND_BNNP, std::string(code),
          kCentralSatkerId, DisplayNameOrDefault(v1::SATKER_KIND_BNNP, "", name)};
}

}  // namespace ibm::registry::rules
