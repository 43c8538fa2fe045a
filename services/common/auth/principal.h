#pragma once

// Who is calling, as established from a verified token, and what they may see.
//
// Scope follows BNN's structure: BNN central sees the whole country; a BNNP (province
// office) sees its province; a BNNK/BNN Kota (regency or city office) its regency or city.
// A scope is a region code prefix, compared segment by segment.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/region_code.h"

namespace ibm::auth {

// What kind of caller this is. What each role may do per method is each service's rule
// (docs/api.md has the matrix); the scope limits where.
enum class Role {
  kOfficer,      // satker officer (petugas); BNN central, BNNP or BNNK by the satker's level
  kAgent,        // recovery agent (Agen Pemulihan) of a unit
  kSupervisor,   // supervision team member
  kProvider,     // a health or social service provider's system
  kVillageFund,  // the Ministry of Villages' village-fund tracking integration
  kAuditor,      // read-only oversight, including the audit trail
  kService,      // another IBM service calling on its own behalf (the registry's callers)
  kSystem,       // one named system of the suite (claim `system`: referrals, supervision,
                 // integration), with no satker; packages admit each system by name
};

absl::string_view RoleName(Role role);
// INVALID_ARGUMENT for an unknown name.
absl::StatusOr<Role> ParseRole(absl::string_view name);

// An area of authority: the whole country, or everything inside one region.
class Scope {
 public:
  static Scope National() { return Scope(std::nullopt); }
  static Scope Within(domain::RegionCode region) { return Scope(std::move(region)); }

  // The scope of a satker by its id: "bnn" (central), "bnnp-32" (province 32),
  // "bnnk-32.73" (regency or city 32.73). INVALID_ARGUMENT otherwise.
  static absl::StatusOr<Scope> OfSatker(absl::string_view satker_id);

  bool national() const { return !region_.has_value(); }
  // "" for national, else the region code the scope covers.
  std::string prefix() const { return region_ ? region_->str() : ""; }

  // True when the region (a well-formed code) lies inside this scope.
  bool Covers(const domain::RegionCode& region) const;
  // True when everything in `other` lies inside this scope.
  bool Covers(const Scope& other) const;

 private:
  explicit Scope(std::optional<domain::RegionCode> region) : region_(std::move(region)) {}
  std::optional<domain::RegionCode> region_;
};

struct Principal {
  std::string subject;  // the token's `sub`
  Role role = Role::kOfficer;
  std::string satker;  // e.g. "bnnk-32.73"; "" for a system or an outside organisation
  Scope scope = Scope::National();
  bool insecure_dev = false;  // set only by the insecure development authenticator
  std::string system;         // the `system` claim of a system token ("referrals"), else ""
  std::string org;            // the `org` claim of an outside organisation ("kemendesa"), else ""

  // "subject (role@satker)", for logs: never personal data beyond the subject id.
  std::string Describe() const;
};

// OK when the caller's scope covers `region`; else PERMISSION_DENIED (reason OUT_OF_SCOPE)
// that names the caller's scope but not what lies outside it.
absl::Status RequireScope(const Principal& caller, const domain::RegionCode& region);

// OK when the caller has one of `roles`; else PERMISSION_DENIED (reason ROLE_NOT_ALLOWED).
absl::Status RequireRole(const Principal& caller, std::initializer_list<Role> roles);

}  // namespace ibm::auth
