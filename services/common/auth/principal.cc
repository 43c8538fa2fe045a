#include "auth/principal.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status.h"
#include "domain/satker_id.h"

namespace ibm::auth {
namespace {

constexpr std::pair<Role, absl::string_view> kRoles[] = {
    {Role::kOfficer, "officer"},          {Role::kAgent, "agent"},
    {Role::kSupervisor, "supervisor"},    {Role::kProvider, "provider"},
    {Role::kVillageFund, "village_fund"}, {Role::kAuditor, "auditor"},
    {Role::kService, "service"},          {Role::kSystem, "system"},
};

}  // namespace

absl::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "unknown";
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  for (const auto& [r, n] : kRoles) {
    if (n == name) return r;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown role '", name, "'"));
}

absl::StatusOr<Scope> Scope::OfSatker(absl::string_view id) {
  auto satker = domain::SatkerId::Parse(id);
  if (!satker.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "satker id '", id, "' must be bnn, bnnp-<province code> or bnnk-<regency code>"));
  }
  if (!satker->region()) return National();
  return Within(*satker->region());
}

bool Scope::Covers(const domain::RegionCode& region) const {
  return national() || region_->Contains(region);
}

bool Scope::Covers(const Scope& other) const {
  if (national()) return true;
  if (other.national()) return false;
  return region_->Contains(*other.region_);
}

std::string Principal::Describe() const {
  if (!system.empty()) return absl::StrCat(subject, " (system:", system, ")");
  if (!org.empty() && satker.empty())
    return absl::StrCat(subject, " (", RoleName(role), "@org:", org, ")");
  return absl::StrCat(subject, " (", RoleName(role), "@", satker, ")");
}

absl::Status RequireScope(const Principal& caller, const domain::RegionCode& region) {
  if (caller.scope.Covers(region)) return absl::OkStatus();
  return platform::WithReason(absl::PermissionDeniedError(absl::StrCat(
                                  "outside the caller's scope (satker ", caller.satker, ")")),
                              "OUT_OF_SCOPE");
}

absl::Status RequireRole(const Principal& caller, std::initializer_list<Role> roles) {
  for (Role r : roles) {
    if (caller.role == r) return absl::OkStatus();
  }
  return platform::WithReason(absl::PermissionDeniedError(absl::StrCat(
                                  "role ", RoleName(caller.role), " may not call this method")),
                              "ROLE_NOT_ALLOWED");
}

}  // namespace ibm::auth
