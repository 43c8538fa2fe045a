// ProviderService: the directory of health and social service providers (docs/api.md,
// ibm.referrals.v1). Everyone reads it; officers keep the providers located in their scope.
#include "referrals/store/providers.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/macros.h"
#include "ibm/referrals/v1/providers.grpc.pb.h"
#include "referrals/rules/providers.h"
#include "referrals/services.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/pages.h"
#include "resource/update_mask.h"

namespace ibm::referrals {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;

constexpr absl::string_view kRegionPrefix = "regions/";

// What a create or update keeps of the request: the input fields (output-only ones are
// ignored, as AIP-203 says).
v1::Provider InputFields(const v1::Provider& in) {
  v1::Provider p = in;
  for (const char* field :
       {"name", "state", "state_reason", "satker", "create_time", "update_time", "etag"}) {
    p.GetReflection()->ClearField(&p, p.GetDescriptor()->FindFieldByName(field));
  }
  return p;
}

std::string RegionCodeOf(absl::string_view region_name) {
  return std::string(region_name.substr(kRegionPrefix.size()));
}

// The row's columns from the provider's input fields.
void Pack(const v1::Provider& p, store::Provider& row) {
  row.display_name = p.display_name();
  row.kind = p.kind();
  row.location = RegionCodeOf(p.location());
  row.ipwl = p.has_ipwl_designation();
  row.service_types = rules::OfferingMask(p);
  row.mode = p.delivery().mode();
  row.coverage.clear();
  for (const std::string& c : p.coverage()) row.coverage.push_back(RegionCodeOf(c));
  row.principals.assign(p.principals().begin(), p.principals().end());
  // Coverage and principals live in their own tables; state_reason rides in details.
  v1::Provider details = p;
  details.clear_coverage();
  details.clear_principals();
  row.details = details.SerializeAsString();
}

absl::Status ToProto(const store::Provider& row, v1::Provider* out) {
  out->Clear();
  if (!out->ParseFromString(row.details)) {
    return absl::InternalError(absl::StrCat("the stored provider ", row.id, " does not parse"));
  }
  out->set_name(ProviderName(row.id));
  for (const std::string& c : row.coverage) out->add_coverage(absl::StrCat(kRegionPrefix, c));
  for (const std::string& p : row.principals) out->add_principals(p);
  out->set_state(static_cast<v1::Provider::State>(row.state));
  out->set_satker(absl::StrCat("satkers/", row.satker_id));
  *out->mutable_create_time() = resource::ToTimestamp(row.create_time_us);
  *out->mutable_update_time() = resource::ToTimestamp(row.update_time_us);
  out->set_etag(absl::StrCat(row.version));
  return absl::OkStatus();
}

// PERMISSION_DENIED OUT_OF_SCOPE unless the officer's scope covers `location` (a village
// code): officers keep the providers located in their scope.
absl::Status RequireLocationScope(const Principal& caller, absl::string_view location) {
  auto code = domain::RegionCode::Parse(location, "provider.location");
  if (!code.ok()) return IBM_BUG("a stored provider with a malformed location");
  return auth::RequireScope(caller, *code);
}

// ALREADY_EXISTS PRINCIPAL_IN_USE when another provider lists one of `p`'s principals.
absl::Status RequirePrincipalsFree(const store::Providers& providers, sql::Session& s,
                                   const store::Provider& p) {
  for (size_t i = 0; i < p.principals.size(); ++i) {
    auto holder = providers.OtherHolderOf(s, p.principals[i], p.id);
    if (!holder.ok()) return holder.status();
    if (*holder) {
      return platform::WithReason(
          absl::AlreadyExistsError(absl::StrCat("provider.principals[", i, "] acts for ",
                                                ProviderName(**holder),
                                                " already: a subject acts for one provider")),
          "PRINCIPAL_IN_USE");
    }
  }
  return absl::OkStatus();
}

class ProviderService final : public v1::ProviderService::CallbackService {
 public:
  ProviderService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::ProviderService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetProvider(CallbackServerContext* ctx, const v1::GetProviderRequest* req,
                                  v1::Provider* resp) override {
    return calls_.Run(
        ctx, "GetProvider",
        [=, this](const Call& call) -> absl::Status {
          auto grant = core_->Authorize(call, "GetProvider");
          if (!grant.ok()) return grant.status();
          auto id = ParseName(req->name(), kProviderPattern, "name");
          if (!id.ok()) return id.status();
          store::Provider row;
          IBM_RETURN_IF_ERROR(
              core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
                auto got = store::Providers(core_->dialect()).Get(s, (*id)[0], req->name());
                if (!got.ok()) return got.status();
                row = *std::move(got);
                return absl::OkStatus();
              }));
          return ToProto(row, resp);
        },
        platform::Access::kAuthenticated, platform::Execution::kShortRead);
  }

  ServerUnaryReactor* ListProviders(CallbackServerContext* ctx, const v1::ListProvidersRequest* req,
                                    v1::ListProvidersResponse* resp) override {
    return calls_.Run(ctx, "ListProviders", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ListProviders");
      if (!grant.ok()) return grant.status();
      store::ProviderFilter filter;
      FieldViolations v;
      std::optional<domain::RegionCode> covers, inside;
      if (!req->covers_region().empty()) {
        auto code = rules::ParseRegionName(req->covers_region(), "covers_region");
        if (code.ok()) {
          covers = *code;
        } else {
          v.Add("covers_region", "must be regions/{code}, e.g. regions/32.73.04.1001");
        }
      }
      if (!req->located_in().empty()) {
        auto code = rules::ParseRegionName(req->located_in(), "located_in");
        if (code.ok()) {
          inside = *code;
        } else {
          v.Add("located_in", "must be regions/{code}, e.g. regions/32.73");
        }
      }
      if (!v1::ProviderKind_IsValid(req->kind())) v.Add("kind", "is not a provider kind");
      if (!v1::ServiceType_IsValid(req->service_type())) {
        v.Add("service_type", "is not a service type");
      }
      for (int i = 0; i < req->states_size(); ++i) {
        if (req->states(i) == v1::Provider::STATE_UNSPECIFIED ||
            !v1::Provider::State_IsValid(req->states(i))) {
          v.Add(absl::StrCat("states[", i, "]"), "is not a provider state");
        }
      }
      if (!v.empty()) return v.status();
      if (covers) {
        IBM_RETURN_IF_ERROR(core_->registry().CheckRegion(call, *covers, "covers_region"));
        filter.covering_codes = rules::CoveringCodes(*covers);
      }
      if (inside) {
        IBM_RETURN_IF_ERROR(core_->registry().CheckRegion(call, *inside, "located_in"));
        filter.located_in = inside->str();
      }
      filter.kind = req->kind();
      if (req->service_type() != v1::SERVICE_TYPE_UNSPECIFIED) {
        filter.service_type_bit = rules::ServiceTypeBit(req->service_type());
      }
      filter.ipwl_only = req->ipwl_only();
      filter.states.assign(req->states().begin(), req->states().end());
      if (filter.states.empty()) {
        filter.states = {v1::Provider::STATE_ACTIVE, v1::Provider::STATE_SUSPENDED};
      }
      const std::string query =
          absl::StrCat("ListProviders|", filter.covering_codes.empty() ? "" : covers->str(), "|",
                       filter.located_in, "|", filter.kind, "|", filter.service_type_bit, "|",
                       filter.ipwl_only, "|", absl::StrJoin(filter.states, ","));
      auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
      if (!page.ok()) return page.status();
      std::optional<store::ProviderKey> after;
      if (!page->after.empty()) {
        const size_t cut = page->after.rfind('\n');
        if (cut == std::string::npos) {
          return platform::InvalidField("page_token", "is not a page token of this query");
        }
        after = store::ProviderKey{page->after.substr(0, cut), page->after.substr(cut + 1)};
      }
      std::vector<store::Provider> rows;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
            auto listed = store::Providers(core_->dialect()).List(s, filter, after, page->size + 1);
            if (!listed.ok()) return listed.status();
            rows = *std::move(listed);
            return absl::OkStatus();
          }));
      resp->set_next_page_token(resource::TrimToPage(
          core_->pages(), query, rows, *page,
          [](const store::Provider& p) { return absl::StrCat(p.display_name, "\n", p.id); }));
      for (const store::Provider& row : rows) {
        IBM_RETURN_IF_ERROR(ToProto(row, resp->add_providers()));
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateProvider(CallbackServerContext* ctx,
                                     const v1::CreateProviderRequest* req,
                                     v1::Provider* resp) override {
    return calls_.Run(ctx, "CreateProvider", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "CreateProvider");
      if (!grant.ok()) return grant.status();
      const v1::Provider made = InputFields(req->provider());
      FieldViolations v;
      rules::CheckProvider(v, made, resource::Today(core_->Now()));
      resource::CheckRequestId(v, "request_id", req->request_id());
      auto location = rules::ParseRegionName(made.location(), "provider.location");
      if (location.ok() && location->level() == domain::RegionLevel::kVillage) {
        IBM_RETURN_IF_ERROR(auth::RequireScope(*call.caller, *location));
      }
      if (!v.empty()) return v.status();
      IBM_RETURN_IF_ERROR(CheckInRegistry(call, made, /*location=*/true, /*coverage=*/true));
      auto satker = SatkerOf(call, *location);
      if (!satker.ok()) return satker.status();

      const store::Providers providers(core_->dialect());
      store::Provider row;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
            auto done =
                core_->FindCreate(s, *call.caller, "CreateProvider", req->request_id(), *req);
            if (!done.ok()) return done.status();
            if (*done) {
              auto ids = ParseName(**done, kProviderPattern, "name");
              if (!ids.ok()) return IBM_BUG("remembered create of a malformed provider name");
              auto first = providers.Get(s, (*ids)[0], **done);
              if (!first.ok()) return first.status();
              row = *std::move(first);
              return absl::OkStatus();
            }
            const int64_t now = core_->NowMicros();
            row = store::Provider{};
            row.id = NewId("");
            row.satker_id = *satker;
            row.state = v1::Provider::STATE_ACTIVE;
            row.version = 1;
            row.create_time_us = now;
            row.update_time_us = now;
            Pack(made, row);
            IBM_RETURN_IF_ERROR(RequirePrincipalsFree(providers, s, row));
            IBM_RETURN_IF_ERROR(providers.Insert(s, row));
            return core_->RememberCreate(s, *call.caller, "CreateProvider", req->request_id(), *req,
                                         ProviderName(row.id));
          }));
      return ToProto(row, resp);
    });
  }

  ServerUnaryReactor* UpdateProvider(CallbackServerContext* ctx,
                                     const v1::UpdateProviderRequest* req,
                                     v1::Provider* resp) override {
    return calls_.Run(ctx, "UpdateProvider", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "UpdateProvider");
      if (!grant.ok()) return grant.status();
      auto id = ParseName(req->provider().name(), kProviderPattern, "provider.name");
      if (!id.ok()) return id.status();
      auto paths = resource::MaskPaths(
          req->update_mask(),
          {"display_name", "offerings", "ipwl_designation", "location", "address_line",
           "public_phone", "coverage", "satusehat_organization_id", "satusehat_location_id",
           "facility_code", "delivery", "principals"});
      if (!paths.ok()) return paths.status();
      const v1::Provider& in = req->provider();
      const bool moves = resource::HasPath(*paths, "location");
      std::optional<domain::RegionCode> location;
      std::string satker;
      if (moves) {
        auto code = rules::ParseRegionName(in.location(), "provider.location");
        if (code.ok() && code->level() == domain::RegionLevel::kVillage) {
          IBM_RETURN_IF_ERROR(auth::RequireScope(*call.caller, *code));
          location = *code;
        }
      }
      // The registry is asked before the transaction, about the masked fields only (the rest
      // was checked when it was written). A malformed value is CheckProvider's to name.
      if (location) {
        IBM_RETURN_IF_ERROR(CheckInRegistry(call, in, true, false));
        auto s = SatkerOf(call, *location);
        if (!s.ok()) return s.status();
        satker = *s;
      }
      if (resource::HasPath(*paths, "coverage") && WellFormedCoverage(in)) {
        IBM_RETURN_IF_ERROR(CheckInRegistry(call, in, false, true));
      }

      const store::Providers providers(core_->dialect());
      store::Provider row;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
            auto got = providers.Get(s, (*id)[0], in.name(), /*for_update=*/true);
            if (!got.ok()) return got.status();
            row = *std::move(got);
            IBM_RETURN_IF_ERROR(RequireLocationScope(*call.caller, row.location));
            IBM_RETURN_IF_ERROR(resource::CheckEtag(in.etag(), row.version, "provider.etag"));
            if (row.state == v1::Provider::STATE_CLOSED) {
              return platform::WithReason(
                  absl::FailedPreconditionError(
                      absl::StrCat(in.name(), " is CLOSED: a closed provider is not changed")),
                  "PROVIDER_CLOSED");
            }
            v1::Provider merged;
            IBM_RETURN_IF_ERROR(ToProto(row, &merged));
            const std::string state_reason = merged.state_reason();
            merged = InputFields(merged);
            for (const std::string& path : *paths) {
              const auto* field = v1::Provider::descriptor()->FindFieldByName(path);
              const auto* r = merged.GetReflection();
              r->ClearField(&merged, field);
              if (field->is_repeated()) {
                for (int i = 0; i < in.GetReflection()->FieldSize(in, field); ++i) {
                  if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
                    r->AddString(&merged, field,
                                 in.GetReflection()->GetRepeatedString(in, field, i));
                  } else {
                    r->AddMessage(&merged, field)
                        ->CopyFrom(in.GetReflection()->GetRepeatedMessage(in, field, i));
                  }
                }
              } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
                r->SetString(&merged, field, in.GetReflection()->GetString(in, field));
              } else if (in.GetReflection()->HasField(in, field)) {
                r->MutableMessage(&merged, field)
                    ->CopyFrom(in.GetReflection()->GetMessage(in, field));
              }
            }
            FieldViolations v;
            rules::CheckProvider(v, merged, resource::Today(core_->Now()));
            if (!v.empty()) return v.status();
            merged.set_state_reason(state_reason);
            Pack(merged, row);
            if (moves) row.satker_id = satker;
            row.update_time_us = core_->NowMicros();
            IBM_RETURN_IF_ERROR(RequirePrincipalsFree(providers, s, row));
            IBM_RETURN_IF_ERROR(providers.Update(s, row));
            return core_->RecordChange(s, *call.caller, in.name(), Core::ChangeAction::kUpdate,
                                       "UpdateProvider", *paths, call.request_id);
          }));
      return ToProto(row, resp);
    });
  }

  ServerUnaryReactor* SetProviderState(CallbackServerContext* ctx,
                                       const v1::SetProviderStateRequest* req,
                                       v1::Provider* resp) override {
    return calls_.Run(ctx, "SetProviderState", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "SetProviderState");
      if (!grant.ok()) return grant.status();
      auto id = ParseName(req->name(), kProviderPattern, "name");
      if (!id.ok()) return id.status();
      FieldViolations v;
      if (req->state() == v1::Provider::STATE_UNSPECIFIED ||
          !v1::Provider::State_IsValid(req->state())) {
        v.Add("state", "is required: ACTIVE, SUSPENDED or CLOSED");
      }
      resource::CheckText(v, "reason", req->reason(), 500,
                          /*required=*/req->state() != v1::Provider::STATE_ACTIVE);
      if (!v.empty()) return v.status();
      const store::Providers providers(core_->dialect());
      store::Provider row;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
            auto got = providers.Get(s, (*id)[0], req->name(), /*for_update=*/true);
            if (!got.ok()) return got.status();
            row = *std::move(got);
            IBM_RETURN_IF_ERROR(RequireLocationScope(*call.caller, row.location));
            IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), row.version, "etag"));
            IBM_RETURN_IF_ERROR(rules::CheckProviderMove(
                static_cast<v1::Provider::State>(row.state), req->state()));
            v1::Provider details;
            if (!details.ParseFromString(row.details)) {
              return absl::InternalError("the stored provider does not parse");
            }
            details.set_state_reason(req->reason());
            row.details = details.SerializeAsString();
            row.state = req->state();
            row.update_time_us = core_->NowMicros();
            IBM_RETURN_IF_ERROR(providers.Update(s, row));
            return core_->RecordChange(s, *call.caller, req->name(),
                                       Core::ChangeAction::kStateChange, "SetProviderState",
                                       {"state"}, call.request_id);
          }));
      return ToProto(row, resp);
    });
  }

 private:
  static bool WellFormedCoverage(const v1::Provider& p) {
    for (const std::string& c : p.coverage()) {
      if (!rules::ParseRegionName(c, "coverage").ok()) return false;
    }
    return true;
  }

  // The registry's word on the provider's location (a village that exists, not retired) and
  // coverage (regions that exist): INVALID_ARGUMENT naming the field otherwise.
  absl::Status CheckInRegistry(const Call& call, const v1::Provider& p, bool location,
                               bool coverage) const {
    if (location) {
      auto code = rules::ParseRegionName(p.location(), "provider.location");
      if (code.ok()) {
        IBM_RETURN_IF_ERROR(core_->registry().CheckVillage(call, *code, "provider.location"));
      }
    }
    if (coverage) {
      FieldViolations v;
      for (int i = 0; i < p.coverage_size(); ++i) {
        const std::string field = absl::StrCat("provider.coverage[", i, "]");
        auto code = rules::ParseRegionName(p.coverage(i), field);
        if (!code.ok()) continue;
        absl::Status known = core_->registry().CheckRegion(call, *code, field);
        if (absl::IsInvalidArgument(known)) {
          v.Add(field, "must be a region that exists and is not retired");
        } else if (!known.ok()) {
          return known;
        }
      }
      return v.status();
    }
    return absl::OkStatus();
  }

  // The satker whose scope covers a village: the regency's BNNK when the registry has one,
  // else the province's BNNP (every province has one), else BNN central.
  absl::StatusOr<std::string> SatkerOf(const Call& call, const domain::RegionCode& village) const {
    for (const auto& [level, kind] : {std::pair{domain::RegionLevel::kRegency, "bnnk-"},
                                      std::pair{domain::RegionLevel::kProvince, "bnnp-"}}) {
      const std::string id = absl::StrCat(kind, village.Ancestor(level).str());
      auto exists = core_->registry().SatkerExists(call, id);
      if (!exists.ok()) return exists.status();
      if (*exists) return id;
    }
    return std::string("bnn");
  }

  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewProviderService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<ProviderService>(std::move(core), std::move(runtime));
}

}  // namespace ibm::referrals
