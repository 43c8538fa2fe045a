#pragma once

// A service asks the registry (ibm.registry.v1) for the facts it depends on: a unit
// (its village, fostering satker and status), an agent's status, a village code. Every ask
// is made on behalf of the incoming call: its credentials are forwarded (the registry then
// enforces the caller's own scope) and its deadline propagated (capped at 5 s). Answers are
// cached for a short time (--registry_cache_ttl): these facts rarely change, and a unit's
// status is read on every write. The registry down or slow: UNAVAILABLE with a clear
// message, never a hang.

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/status.h"
#include "domain/region_code.h"
#include "grpcpp/channel.h"
#include "ibm/registry/v1/registry.grpc.pb.h"
#include "platform/calls.h"

namespace ibm::registry {

struct UnitFacts {
  std::string id;           // "32.73.04.1001-1"
  std::string satker;       // the fostering satker's id: "bnnk-32.73"
  bool inactive = false;    // UNIT_STATUS_INACTIVE: no new records
  std::string status_name;  // the registry's status name, for messages
  // The day the village decree formed it (every unit has one; the registry requires it).
  std::optional<absl::CivilDay> formation_date;
};

// Adds to `v` (naming `field`) that `day` lies before the unit was formed: no record of a
// unit's work can predate the unit.
void CheckFormedBy(platform::FieldViolations& v, const UnitFacts& unit, absl::string_view field,
                   absl::CivilDay day);

class RegistryClient {
 public:
  RegistryClient(std::shared_ptr<grpc::Channel> channel, absl::Duration cache_ttl);

  // NOT_FOUND naming `field` when the registry has no such unit; PERMISSION_DENIED as the
  // registry says; UNAVAILABLE when it cannot be asked.
  absl::StatusOr<UnitFacts> Unit(const platform::Call& call, absl::string_view unit_id,
                                 absl::string_view field) const;
  // Whether the agent record exists and is ACTIVE (NOT_FOUND is false, not an error).
  absl::StatusOr<bool> AgentActive(const platform::Call& call, absl::string_view unit_id,
                                   absl::string_view agent_id) const;
  // OK when `code` is a village that exists and is not retired; INVALID_ARGUMENT naming
  // `field` otherwise.
  absl::Status CheckVillage(const platform::Call& call, const domain::RegionCode& code,
                            absl::string_view field) const;
  // OK when `code` is a region of any level that exists and is not retired;
  // INVALID_ARGUMENT naming `field` otherwise.
  absl::Status CheckRegion(const platform::Call& call, const domain::RegionCode& code,
                           absl::string_view field) const;
  // Whether the registry has the satker `satker_id` ("bnnk-32.73"); NOT_FOUND is false.
  absl::StatusOr<bool> SatkerExists(const platform::Call& call, absl::string_view satker_id) const;

 private:
  struct Cached {
    absl::Time expires;
    absl::Status status;  // OK, NOT_FOUND or a refusal; never UNAVAILABLE
    UnitFacts unit;
    bool flag = false;
  };
  bool Lookup(const std::string& key, Cached& out) const;
  absl::Status CheckCode(const platform::Call& call, const domain::RegionCode& code,
                         ::ibm::registry::v1::RegionLevel level, absl::string_view field,
                         absl::string_view what) const;
  void Store(const std::string& key, Cached value) const;

  // Made once: a stub per call would cost an allocation on every write's unit check.
  std::unique_ptr<::ibm::registry::v1::UnitService::Stub> units_;
  std::unique_ptr<::ibm::registry::v1::AgentService::Stub> agents_;
  std::unique_ptr<::ibm::registry::v1::RegionService::Stub> regions_;
  std::unique_ptr<::ibm::registry::v1::SatkerService::Stub> satkers_;
  absl::Duration ttl_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
};

// The flags --registry and --registry_cache_ttl (a service lists both in ServiceSpec::flags):
// INVALID_ARGUMENT naming the bad one.
absl::Status CheckRegistryFlags();
// A client of the registry the flags name.
std::shared_ptr<RegistryClient> RegistryClientFromFlags();

}  // namespace ibm::registry
