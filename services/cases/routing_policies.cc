// RoutingPolicyService: which drug risk level stays in the village and which is referred, as
// versioned data (DOMAIN.md: the sources disagree on moderate risk, so it is never code).
// Everyone who reads screenings reads policies; BNN central creates and activates them. One
// policy is ACTIVE at a time; screenings name the one that routed them.
//
// The first start of a service whose table holds no policy inserts and activates the default
// policy the repo ships (data/routing-policy-default.json). The file is compiled in (CMake
// reads it into a generated header) rather than read at run time: the service then finds it
// wherever it runs (the build dir, the repo, the container image, which holds only the
// binary), and a broken file fails the build's tests, not a production start.
#include <atomic>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/logging.h"
#include "base/macros.h"
#include "cases/routing_policy_data.h"
#include "cases/services.h"
#include "cases/store/screenings.h"
#include "google/protobuf/util/json_util.h"
#include "ibm/cases/v1/screenings.grpc.pb.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/pages.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;

constexpr absl::string_view kPolicyCollection = "routingPolicies/";
constexpr absl::string_view kActiveAlias = "-active";
// Who "created" the default policy: no token did, the service itself did on its first start.
constexpr absl::string_view kDefaultPolicyActor = "system:ibm-cases";

// 1-40 of a-z, 0-9 and '-', starting with a letter or digit ("2025-1").
bool IsPolicyId(absl::string_view id) {
  if (id.empty() || id.size() > 40 || id[0] == '-') return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') return false;
  }
  return true;
}

// `routingPolicies/{policy_id}` -> the id; with `allow_active`, also `routingPolicies/-active`
// (-> "-active"). INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParsePolicyName(absl::string_view name, absl::string_view field,
                                            bool allow_active) {
  if (absl::StartsWith(name, kPolicyCollection)) {
    absl::string_view id = name.substr(kPolicyCollection.size());
    if (IsPolicyId(id) || (allow_active && id == kActiveAlias)) return std::string(id);
  }
  return platform::InvalidField(
      field, allow_active ? "must be a resource name like routingPolicies/2025-1, or "
                            "routingPolicies/-active"
                          : "must be a resource name like routingPolicies/2025-1");
}

std::string PolicyName(absl::string_view id) { return absl::StrCat(kPolicyCollection, id); }

// Every substance but tobacco: what a policy counts when it names none.
std::vector<int> DefaultCountedSubstances() {
  std::vector<int> out;
  for (int s = v1::SUBSTANCE_ALCOHOL; s <= v1::SUBSTANCE_OTHER; ++s) out.push_back(s);
  return out;
}

void ToProto(const store::RoutingPolicy& p, v1::RoutingPolicy* out) {
  out->Clear();
  out->set_name(PolicyName(p.id));
  out->set_display_name(p.display_name);
  out->set_source(p.source);
  out->set_low_risk(static_cast<v1::Routing>(p.low_risk));
  out->set_moderate_risk(static_cast<v1::Routing>(p.moderate_risk));
  out->set_high_risk(static_cast<v1::Routing>(p.high_risk));
  out->set_recent_injecting(static_cast<v1::Routing>(p.recent_injecting));
  for (int s : p.counted_substances) out->add_counted_substances(static_cast<v1::Substance>(s));
  out->set_state(static_cast<v1::RoutingPolicy::State>(p.state));
  if (p.activate_time_us > 0) {
    *out->mutable_activate_time() = resource::ToTimestamp(p.activate_time_us);
  }
  if (p.retire_time_us > 0) *out->mutable_retire_time() = resource::ToTimestamp(p.retire_time_us);
  *out->mutable_create_time() = resource::ToTimestamp(p.create_time_us);
  out->set_create_actor(p.create_actor);
  out->set_etag(absl::StrCat(p.version));
}

// One of the four routings: set, a Routing value, and NO_ENROLLMENT only for low risk (a
// person at moderate or high drug risk, or injecting, is always someone's client).
void CheckRouting(FieldViolations& v, absl::string_view field, v1::Routing routing,
                  bool no_enrollment_allowed) {
  if (routing == v1::ROUTING_UNSPECIFIED) {
    v.Add(field, "is required: ROUTING_VILLAGE or ROUTING_REFER");
  } else if (!v1::Routing_IsValid(routing)) {
    v.Add(field, "must be a Routing value");
  } else if (routing == v1::ROUTING_NO_ENROLLMENT && !no_enrollment_allowed) {
    v.Add(field, "may not be ROUTING_NO_ENROLLMENT (allowed for low_risk only)");
  }
}

// Checks a new policy's id and fields (as CreateRoutingPolicy and the shipped data files
// give them) and returns it as stored, a DRAFT, counted_substances resolved.
store::RoutingPolicy CheckNewPolicy(FieldViolations& v, absl::string_view policy_id,
                                    const v1::RoutingPolicy& p) {
  if (!IsPolicyId(policy_id)) {
    v.Add("routing_policy_id",
          "must be 1-40 characters of lowercase letters, digits and '-', starting with a letter "
          "or digit");
  }
  resource::CheckText(v, "routing_policy.display_name", p.display_name(), 200, true);
  resource::CheckText(v, "routing_policy.source", p.source(), 500, true);
  CheckRouting(v, "routing_policy.low_risk", p.low_risk(), true);
  CheckRouting(v, "routing_policy.moderate_risk", p.moderate_risk(), false);
  CheckRouting(v, "routing_policy.high_risk", p.high_risk(), false);
  CheckRouting(v, "routing_policy.recent_injecting", p.recent_injecting(), false);
  store::RoutingPolicy out;
  out.id = std::string(policy_id);
  out.display_name = p.display_name();
  out.source = p.source();
  out.low_risk = p.low_risk();
  out.moderate_risk = p.moderate_risk();
  out.high_risk = p.high_risk();
  out.recent_injecting = p.recent_injecting();
  out.state = v1::RoutingPolicy::STATE_DRAFT;
  constexpr absl::string_view kCounted = "routing_policy.counted_substances";
  if (p.counted_substances_size() > v1::SUBSTANCE_OTHER) {  // the size first
    v.Add(kCounted, "at most 9 substances (every one but tobacco)");
    return out;
  }
  std::set<int> seen;
  for (int i = 0; i < p.counted_substances_size(); ++i) {
    const int s = p.counted_substances(i);
    if (s == v1::SUBSTANCE_TOBACCO) {
      v.Add(kCounted, absl::StrCat("[", i,
                                   "] may not be SUBSTANCE_TOBACCO: a smoker with no drug risk is "
                                   "not a rehabilitation client"));
    } else if (s == v1::SUBSTANCE_UNSPECIFIED || !v1::Substance_IsValid(s)) {
      v.Add(kCounted, absl::StrCat("[", i, "] must be a Substance value other than UNSPECIFIED"));
    } else if (!seen.insert(s).second) {
      v.Add(kCounted, absl::StrCat("[", i, "] repeats an earlier substance"));
    } else {
      out.counted_substances.push_back(s);
    }
  }
  if (p.counted_substances_size() == 0) out.counted_substances = DefaultCountedSubstances();
  return out;
}

// A shipped policy (a data file: CreateRoutingPolicyRequest in proto3 JSON, the form
// grpcurl and ibmctl take, so the next version can be created from a copy of it), checked
// as CreateRoutingPolicy checks a request.
absl::StatusOr<store::RoutingPolicy> ParsePolicyData(absl::string_view json) {
  v1::CreateRoutingPolicyRequest req;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &req);
  if (!parsed.ok()) {
    return absl::InternalError(
        absl::StrCat("a shipped routing policy is not valid JSON: ", parsed.message().ToString()));
  }
  FieldViolations v;
  store::RoutingPolicy p = CheckNewPolicy(v, req.routing_policy_id(), req.routing_policy());
  if (!v.empty()) {
    return absl::InternalError(
        absl::StrCat("a shipped routing policy is not valid: ", platform::Describe(v.status())));
  }
  return p;
}

class RoutingPolicyService final : public v1::RoutingPolicyService::CallbackService {
 public:
  RoutingPolicyService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::RoutingPolicyService::service_full_name(), std::move(runtime)) {
    // On the first start (no policy at all), the default becomes the active one. Should the
    // database fail here, every call retries until it is done.
    EnsureDefaultPolicy();
  }

  ServerUnaryReactor* GetRoutingPolicy(CallbackServerContext* ctx,
                                       const v1::GetRoutingPolicyRequest* req,
                                       v1::RoutingPolicy* resp) override {
    return calls_.Run(ctx, "GetRoutingPolicy", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "GetRoutingPolicy");
      if (!grant.ok()) return grant.status();
      auto id = ParsePolicyName(req->name(), "name", /*allow_active=*/true);
      if (!id.ok()) return id.status();
      EnsureDefaultPolicy();
      const store::RoutingPolicies policies(core_->dialect());
      store::RoutingPolicy found;
      auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
        if (*id == kActiveAlias) {
          auto active = policies.GetActive(s);
          if (!active.ok()) return active.status();
          if (!*active) return absl::NotFoundError("no routing policy is active");
          found = **std::move(active);
          return absl::OkStatus();
        }
        auto p = policies.Get(s, *id, req->name());
        if (!p.ok()) return p.status();
        found = *std::move(p);
        return absl::OkStatus();
      });
      if (!st.ok()) return st;
      ToProto(found, resp);
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* ListRoutingPolicies(CallbackServerContext* ctx,
                                          const v1::ListRoutingPoliciesRequest* req,
                                          v1::ListRoutingPoliciesResponse* resp) override {
    return calls_.Run(ctx, "ListRoutingPolicies", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ListRoutingPolicies");
      if (!grant.ok()) return grant.status();
      constexpr absl::string_view kQuery = "ListRoutingPolicies";
      auto page = core_->pages().Read(req->page_size(), req->page_token(), kQuery);
      if (!page.ok()) return page.status();
      std::optional<store::RoutingPolicyPosition> after;
      if (!page->after.empty()) {
        // Our own sealed key, "create_time|id": a malformed one is a bug, not the caller's.
        std::vector<std::string> key = absl::StrSplit(page->after, '|');
        store::RoutingPolicyPosition pos;
        if (key.size() != 2 || !absl::SimpleAtoi(key[0], &pos.create_time_us)) {
          return IBM_BUG("a sealed routing policy page key is malformed");
        }
        pos.id = key[1];
        after = pos;
      }
      EnsureDefaultPolicy();
      const store::RoutingPolicies policies(core_->dialect());
      std::vector<store::RoutingPolicy> found;
      auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
        auto listed = policies.List(s, after, page->size + 1);
        if (!listed.ok()) return listed.status();
        found = *std::move(listed);
        return absl::OkStatus();
      });
      if (!st.ok()) return st;
      resp->set_next_page_token(resource::TrimToPage(
          core_->pages(), kQuery, found, *page,
          [](const store::RoutingPolicy& p) { return absl::StrCat(p.create_time_us, "|", p.id); }));
      for (const auto& p : found) ToProto(p, resp->add_routing_policies());
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateRoutingPolicy(CallbackServerContext* ctx,
                                          const v1::CreateRoutingPolicyRequest* req,
                                          v1::RoutingPolicy* resp) override {
    return calls_.Run(ctx, "CreateRoutingPolicy", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "CreateRoutingPolicy");
      if (!grant.ok()) return grant.status();
      FieldViolations v;
      store::RoutingPolicy made =
          CheckNewPolicy(v, req->routing_policy_id(), req->routing_policy());
      resource::CheckRequestId(v, "request_id", req->request_id());
      if (!v.empty()) return v.status();
      EnsureDefaultPolicy();
      const store::RoutingPolicies policies(core_->dialect());
      auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
        auto done =
            core_->FindCreate(s, *call.caller, "CreateRoutingPolicy", req->request_id(), *req);
        if (!done.ok()) return done.status();
        if (*done) {
          auto id = ParsePolicyName(**done, "name", false);
          if (!id.ok()) return IBM_BUG("remembered create of a malformed routing policy name");
          auto p = policies.Get(s, *id, **done);
          if (!p.ok()) return p.status();
          made = *std::move(p);
          return absl::OkStatus();
        }
        auto existing = policies.Get(s, made.id, PolicyName(made.id));
        if (existing.ok()) {
          return absl::AlreadyExistsError(absl::StrCat(
              "routing_policy_id: ", PolicyName(made.id),
              " exists; policies are immutable and ids never reused: choose a new id"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        made.create_actor = call.caller->subject.substr(0, 200);
        made.create_time_us = core_->NowMicros();
        made.version = 1;
        if (auto st = policies.Insert(s, made); !st.ok()) return st;
        return core_->RememberCreate(s, *call.caller, "CreateRoutingPolicy", req->request_id(),
                                     *req, PolicyName(made.id));
      });
      if (!st.ok()) return st;
      ToProto(made, resp);
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* ActivateRoutingPolicy(CallbackServerContext* ctx,
                                            const v1::ActivateRoutingPolicyRequest* req,
                                            v1::RoutingPolicy* resp) override {
    return calls_.Run(ctx, "ActivateRoutingPolicy", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ActivateRoutingPolicy");
      if (!grant.ok()) return grant.status();
      auto id = ParsePolicyName(req->name(), "name", /*allow_active=*/false);
      if (!id.ok()) return id.status();
      EnsureDefaultPolicy();
      const store::RoutingPolicies policies(core_->dialect());
      store::RoutingPolicy target;
      auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
        auto p = policies.Get(s, *id, req->name(), /*for_update=*/true);
        if (!p.ok()) return p.status();
        target = *std::move(p);
        if (auto st = resource::CheckEtag(req->etag(), target.version, "etag"); !st.ok()) {
          return st;
        }
        if (target.state != v1::RoutingPolicy::STATE_DRAFT) {
          return platform::WithReason(
              absl::FailedPreconditionError(absl::StrCat(
                  req->name(), " is ",
                  absl::StripPrefix(v1::RoutingPolicy::State_Name(target.state), "STATE_"),
                  ": only a DRAFT policy can be activated (a change is a new policy)")),
              "POLICY_NOT_DRAFT");
        }
        const int64_t now = core_->NowMicros();
        // The previous one retires first: the store admits one ACTIVE row at a time.
        auto active = policies.GetActive(s, /*for_update=*/true);
        if (!active.ok()) return active.status();
        if (*active) {
          store::RoutingPolicy previous = **std::move(active);
          previous.state = v1::RoutingPolicy::STATE_RETIRED;
          previous.retire_time_us = now;
          if (auto st = policies.UpdateState(s, previous); !st.ok()) return st;
        }
        target.state = v1::RoutingPolicy::STATE_ACTIVE;
        target.activate_time_us = now;
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "ActivateRoutingPolicy", *req));
        return policies.UpdateState(s, target);
      });
      if (!st.ok()) return st;
      ToProto(target, resp);
      return absl::OkStatus();
    });
  }

 private:
  // Inserts and activates the shipped default when the table holds no policy at all; once
  // done (or found unnecessary), never again in this process. Idempotent across replicas
  // (store::RoutingPolicies::InsertIfNone).
  void EnsureDefaultPolicy() {
    if (seeded_.load(std::memory_order_acquire)) return;
    auto policy = ParsePolicyData(kDefaultRoutingPolicyJson);
    if (!policy.ok()) {
      platform::Log(platform::LogLevel::kError, "routing policy: the shipped default is invalid",
                    {{"error", platform::Describe(policy.status())}});
      return;
    }
    policy->state = v1::RoutingPolicy::STATE_ACTIVE;
    policy->create_actor = std::string(kDefaultPolicyActor);
    policy->create_time_us = core_->NowMicros();
    policy->activate_time_us = policy->create_time_us;
    const store::RoutingPolicies policies(core_->dialect());
    bool inserted = false;
    auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto done = policies.InsertIfNone(s, *policy);
      if (!done.ok()) return done.status();
      inserted = *done;
      return absl::OkStatus();
    });
    if (!st.ok()) {
      platform::Log(platform::LogLevel::kWarn,
                    "routing policy: could not check for a policy; retrying on the next call",
                    {{"error", platform::Describe(st)}});
      return;
    }
    if (inserted) {
      platform::Log(platform::LogLevel::kInfo, "routing policy: the default is now active",
                    {{"policy", PolicyName(policy->id)}});
    }
    seeded_.store(true, std::memory_order_release);
  }

  CorePtr core_;
  platform::UnaryCalls calls_;
  std::atomic<bool> seeded_{false};
};

}  // namespace

std::unique_ptr<grpc::Service> NewRoutingPolicyService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<RoutingPolicyService>(std::move(core), std::move(runtime));
}

}  // namespace ibm::cases
