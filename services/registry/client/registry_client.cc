#include "registry/client/registry_client.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "base/status.h"
#include "grpcpp/client_context.h"
#include "ibm/registry/v1/registry.grpc.pb.h"

namespace ibm::registry {
namespace {

namespace rv1 = ::ibm::registry::v1;

constexpr absl::Duration kMaxWait = absl::Seconds(5);

// A client context on behalf of `call`: its credentials, its deadline (at most kMaxWait).
std::unique_ptr<grpc::ClientContext> OnBehalfOf(const platform::Call& call) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  for (const auto& [key, value] : call.credentials) ctx->AddMetadata(key, value);
  ctx->AddMetadata("x-request-id", call.request_id);
  const absl::Time deadline = std::min(call.deadline, absl::Now() + kMaxWait);
  ctx->set_deadline(absl::ToChronoTime(deadline));
  return ctx;
}

// The registry's answer as this service's: its refusals pass through, anything that says
// it could not answer becomes UNAVAILABLE.
absl::Status FromRegistry(const grpc::Status& s, absl::string_view what) {
  switch (s.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::PERMISSION_DENIED:
      return platform::FromGrpcStatus(s);  // the caller's scope, as the registry says
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::UnauthenticatedError("the registry did not accept the caller's credentials");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::UnavailableError(
          absl::StrCat("the registry did not answer in time about ", what, "; try again"));
    default:
      return absl::UnavailableError(absl::StrCat("the registry is unavailable (",
                                                 s.error_message().substr(0, 120),
                                                 "); cannot check ", what, "; try again"));
  }
}

}  // namespace

RegistryClient::RegistryClient(std::shared_ptr<grpc::Channel> channel, absl::Duration cache_ttl)
    : units_(rv1::UnitService::NewStub(channel)),
      agents_(rv1::AgentService::NewStub(channel)),
      regions_(rv1::RegionService::NewStub(channel)),
      satkers_(rv1::SatkerService::NewStub(channel)),
      ttl_(cache_ttl) {}

bool RegistryClient::Lookup(const std::string& key, Cached& out) const {
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(key);
  if (it == cache_.end() || it->second.expires <= absl::Now()) return false;
  out = it->second;
  return true;
}

void RegistryClient::Store(const std::string& key, Cached value) const {
  if (ttl_ <= absl::ZeroDuration()) return;
  value.expires = absl::Now() + ttl_;
  absl::MutexLock lock(&mu_);
  if (cache_.size() > 100000) cache_.clear();  // a bound, not a policy: facts are re-read
  cache_[key] = std::move(value);
}

void CheckFormedBy(platform::FieldViolations& v, const UnitFacts& unit, absl::string_view field,
                   absl::CivilDay day) {
  if (unit.formation_date && day < *unit.formation_date) {
    v.Add(field, absl::StrCat("must not be before units/", unit.id, " was formed (",
                              absl::FormatCivilTime(*unit.formation_date), ")"));
  }
}

absl::StatusOr<UnitFacts> RegistryClient::Unit(const platform::Call& call,
                                               absl::string_view unit_id,
                                               absl::string_view field) const {
  const std::string key = absl::StrCat("units/", unit_id);
  Cached hit;
  if (!Lookup(key, hit)) {
    rv1::GetUnitRequest req;
    req.set_name(key);
    rv1::Unit unit;
    grpc::Status s = units_->GetUnit(OnBehalfOf(call).get(), req, &unit);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      hit.status = absl::NotFoundError("");
    } else if (absl::Status mine = FromRegistry(s, key); !mine.ok()) {
      return mine;  // refusals depend on the caller, outages on the moment: never cached
    } else {
      hit.unit.id = std::string(unit_id);
      hit.unit.satker = unit.satker().substr(unit.satker().find('/') + 1);
      hit.unit.inactive = unit.status() == rv1::UNIT_STATUS_INACTIVE;
      hit.unit.status_name = rv1::UnitStatus_Name(unit.status());
      if (const google::type::Date& d = unit.formation_date(); d.year() > 0) {
        hit.unit.formation_date = absl::CivilDay(d.year(), d.month(), d.day());
      }
    }
    Store(key, hit);
  }
  if (absl::IsNotFound(hit.status)) {
    return platform::WithReason(
        absl::NotFoundError(absl::StrCat(field, ": ", key, " is not in the registry")),
        "NOT_IN_REGISTRY");
  }
  return hit.unit;
}

absl::StatusOr<bool> RegistryClient::AgentActive(const platform::Call& call,
                                                 absl::string_view unit_id,
                                                 absl::string_view agent_id) const {
  const std::string key = absl::StrCat("units/", unit_id, "/agents/", agent_id);
  Cached hit;
  if (!Lookup(key, hit)) {
    rv1::GetAgentRequest req;
    req.set_name(key);
    rv1::Agent agent;
    grpc::Status s = agents_->GetAgent(OnBehalfOf(call).get(), req, &agent);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      hit.flag = false;
    } else if (absl::Status mine = FromRegistry(s, "the agent"); !mine.ok()) {
      return mine;
    } else {
      hit.flag = agent.status() == rv1::AGENT_STATUS_ACTIVE;
    }
    Store(key, hit);
  }
  return hit.flag;
}

absl::Status RegistryClient::CheckVillage(const platform::Call& call,
                                          const domain::RegionCode& code,
                                          absl::string_view field) const {
  return CheckCode(call, code, rv1::REGION_LEVEL_VILLAGE, field,
                   "must be a village (desa/kelurahan) code that exists and is not retired");
}

absl::Status RegistryClient::CheckRegion(const platform::Call& call, const domain::RegionCode& code,
                                         absl::string_view field) const {
  return CheckCode(call, code, rv1::REGION_LEVEL_UNSPECIFIED, field,
                   "must be a region code that exists and is not retired");
}

absl::Status RegistryClient::CheckCode(const platform::Call& call, const domain::RegionCode& code,
                                       rv1::RegionLevel level, absl::string_view field,
                                       absl::string_view what) const {
  const std::string key = absl::StrCat("regions/", code.str(), "@", level);
  Cached hit;
  if (!Lookup(key, hit)) {
    rv1::ValidateRegionCodeRequest req;
    req.set_code(code.str());
    req.set_expected_level(level);
    rv1::ValidateRegionCodeResponse out;
    grpc::Status s = regions_->ValidateRegionCode(OnBehalfOf(call).get(), req, &out);
    if (absl::Status mine = FromRegistry(s, absl::StrCat("regions/", code.str())); !mine.ok()) {
      return mine;
    }
    hit.flag = out.valid();
    Store(key, hit);
  }
  if (!hit.flag) return platform::InvalidField(field, what);
  return absl::OkStatus();
}

absl::StatusOr<bool> RegistryClient::SatkerExists(const platform::Call& call,
                                                  absl::string_view satker_id) const {
  const std::string key = absl::StrCat("satkers/", satker_id);
  Cached hit;
  if (!Lookup(key, hit)) {
    rv1::GetSatkerRequest req;
    req.set_name(key);
    rv1::Satker satker;
    grpc::Status s = satkers_->GetSatker(OnBehalfOf(call).get(), req, &satker);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      hit.flag = false;
    } else if (absl::Status mine = FromRegistry(s, key); !mine.ok()) {
      return mine;
    } else {
      hit.flag = true;
    }
    Store(key, hit);
  }
  return hit.flag;
}

}  // namespace ibm::registry
