// IBM units: one open unit per village, fostered by the satker that covers the village.
#include "registry/rules/units.h"

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/macros.h"
#include "registry/services.h"
#include "registry/store/units.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;

v1::UnitStatus StatusOf(const store::Unit& u) { return static_cast<v1::UnitStatus>(u.status); }

// The response, built after the transaction committed.
void ToProto(const store::Unit& u, v1::Unit* out) {
  out->Clear();
  out->set_name(UnitName(u.id));
  out->set_village(RegionName(u.village_code));
  out->set_satker(SatkerName(u.satker_id));
  out->set_status(StatusOf(u));
  out->set_inactive_reason(u.inactive_reason);
  *out->mutable_formation_date() = ParseDateText(u.formation_date);
  for (int32_t year : u.fiscal_years) out->add_fiscal_years(year);
  out->set_desa_bersinar(u.desa_bersinar);
  out->set_high_risk(u.high_risk);
  out->set_etag(absl::StrCat(u.version));
  *out->mutable_create_time() = ToTimestamp(u.create_time_us);
  *out->mutable_update_time() = ToTimestamp(u.update_time_us);
}

// CreateUnit's new unit: newly formed, version 1.
store::Unit NewUnit(std::string id, const RegionCode& village, std::string satker,
                    const v1::Unit& given, int64_t now) {
  store::Unit u;
  u.id = std::move(id);
  u.village_code = village.str();
  u.satker_id = std::move(satker);
  u.status = v1::UNIT_STATUS_NEWLY_FORMED;
  u.formation_date = DateText(given.formation_date());
  u.fiscal_years = store::SortedYears(given.fiscal_years());
  u.desa_bersinar = given.desa_bersinar();
  u.high_risk = given.high_risk();
  u.create_time_us = now;
  u.update_time_us = now;
  return u;
}

// UpdateUnit's mask applied to the stored unit.
void Merge(const v1::Unit& given, const std::vector<std::string>& paths, store::Unit& u) {
  if (HasPath(paths, "formation_date")) u.formation_date = DateText(given.formation_date());
  if (HasPath(paths, "fiscal_years")) u.fiscal_years = store::SortedYears(given.fiscal_years());
  if (HasPath(paths, "desa_bersinar")) u.desa_bersinar = given.desa_bersinar();
  if (HasPath(paths, "high_risk")) u.high_risk = given.high_risk();
}

// The caller's scope as a region; nullopt for a national caller.
absl::StatusOr<std::optional<RegionCode>> ScopeRegion(const Principal& caller) {
  if (caller.scope.national()) return std::nullopt;
  auto scope = RegionCode::Parse(caller.scope.prefix());
  if (!scope.ok()) return IBM_BUG("a regional scope that is no region code");
  return std::optional<RegionCode>(*scope);
}

// The store's page query for ListUnits' checked filters.
store::UnitQuery PageQuery(const rules::UnitArea& area, const rules::UnitFilters& filters,
                           v1::UnitStatus status, const platform::Page& page) {
  store::UnitQuery q;
  q.after_id = page.after;
  if (area.within) std::tie(q.id_from, q.id_to) = rules::UnitIdRange(*area.within);
  q.satker_id = filters.satker_id;
  q.status = status;
  q.limit = page.size + 1;  // one more: is there a next page?
  return q;
}

}  // namespace

UnitService::UnitService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::UnitService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* UnitService::GetUnit(CallbackServerContext* ctx, const v1::GetUnitRequest* req,
                                         v1::Unit* resp) {
  return calls_.Run(
      ctx, "GetUnit",
      [=, this](const Call& call) -> absl::Status {
        if (auto s = RequireAccess(*call.caller, "GetUnit"); !s.ok()) return s;
        IBM_ASSIGN_OR_RETURN(const std::string id, ParseUnitName(req->name(), "name"));
        if (auto s = RequireTargetScope(*call.caller, "GetUnit", UnitVillage(id)); !s.ok()) {
          return s;
        }
        const store::Units units(core_->dialect());
        store::Unit found;
        IBM_RETURN_IF_ERROR(
            core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
              IBM_ASSIGN_OR_RETURN(found, units.Get(s, id, UnitName(id)));
              return absl::OkStatus();
            }));
        ToProto(found, resp);
        return absl::OkStatus();
      },
      platform::Access::kAuthenticated, platform::Execution::kShortRead);
}

ServerUnaryReactor* UnitService::ListUnits(CallbackServerContext* ctx,
                                           const v1::ListUnitsRequest* req,
                                           v1::ListUnitsResponse* resp) {
  return calls_.Run(ctx, "ListUnits", [=, this](const Call& call) -> absl::Status {
    const Principal& caller = *call.caller;
    if (auto s = RequireAccess(caller, "ListUnits"); !s.ok()) return s;
    FieldViolations v;
    const rules::UnitFilters filters = rules::CheckListUnitsRequest(v, *req);
    if (!v.empty()) return v.status();
    IBM_ASSIGN_OR_RETURN(const std::optional<RegionCode> scope, ScopeRegion(caller));
    const rules::UnitArea area = rules::ListArea(filters.region, scope);
    if (area.denied) return RequireScope(caller, filters.region);  // disjoint: denied
    const std::string query = absl::StrCat("ListUnits|", area.within ? area.within->str() : "", "|",
                                           filters.satker_id, "|", req->status());
    IBM_ASSIGN_OR_RETURN(const platform::Page page,
                         core_->pages().Read(req->page_size(), req->page_token(), query));
    const store::Units units(core_->dialect());
    const store::UnitQuery q = PageQuery(area, filters, req->status(), page);
    std::vector<store::Unit> found;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(found, units.List(s, q));
          return absl::OkStatus();
        }));
    resp->set_next_page_token(resource::TrimToPage(core_->pages(), query, found, page,
                                                   [](const auto& item) { return item.id; }));
    for (const store::Unit& u : found) ToProto(u, resp->add_units());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* UnitService::CreateUnit(CallbackServerContext* ctx,
                                            const v1::CreateUnitRequest* req, v1::Unit* resp) {
  return calls_.Run(ctx, "CreateUnit", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "CreateUnit"); !s.ok()) return s;
    const v1::Unit& given = req->unit();
    // The village names where the unit would be: the caller's scope is checked on it before
    // anything else of the request.
    if (given.village().empty()) return platform::InvalidField("unit.village", "is required");
    IBM_ASSIGN_OR_RETURN(const RegionCode village, ParseRegionName(given.village(), "unit.village",
                                                                   domain::RegionLevel::kVillage));
    if (auto s = RequireScope(*call.caller, village); !s.ok()) return s;
    FieldViolations v;
    const std::string satker = rules::CheckNewUnit(v, given);
    CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    const store::Units units(core_->dialect());
    store::Unit made;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(
              const std::optional<std::string> done,
              core_->FindCreate(s, *call.caller, "CreateUnit", req->request_id(), *req));
          if (done) {
            auto id = ParseUnitName(*done, "name");
            if (!id.ok()) return IBM_BUG("remembered create of a malformed unit name");
            IBM_ASSIGN_OR_RETURN(made, units.Get(s, *id, UnitName(*id)));
            return absl::OkStatus();
          }
          IBM_ASSIGN_OR_RETURN(const store::VillageState state, units.Village(s, village.str()));
          IBM_RETURN_IF_ERROR(rules::CheckVillage(given.village(), state.exists, state.retired));
          const rules::Fosterers fosterers = rules::FosterersOf(village);
          IBM_ASSIGN_OR_RETURN(const std::vector<std::string> existing,
                               units.ExistingSatkers(s, fosterers.bnnk, fosterers.bnnp));
          IBM_RETURN_IF_ERROR(rules::CheckFosterer(satker, given.village(), fosterers, existing));
          IBM_ASSIGN_OR_RETURN(const std::optional<std::string> open,
                               units.OpenUnitIn(s, village.str()));
          IBM_RETURN_IF_ERROR(rules::CheckNoOpenUnit(given.village(), open));
          IBM_ASSIGN_OR_RETURN(const int64_t count, units.CountInVillage(s, village.str()));
          made = NewUnit(rules::NextUnitId(village.str(), count), village, satker, given,
                         core_->NowMicros());
          if (auto st = units.Insert(s, made); st.code() == absl::StatusCode::kAlreadyExists) {
            return absl::AbortedError(
                "another unit was formed in this village at the same time; retry");
          } else if (!st.ok()) {
            return st;
          }
          const std::string name = UnitName(made.id);
          IBM_RETURN_IF_ERROR(
              core_->RememberCreate(s, *call.caller, "CreateUnit", req->request_id(), *req, name));
          return core_->RecordChange(s, *call.caller,
                                     {name,
                                      v1::Change::ACTION_CREATE,
                                      {"village", "satker", "formation_date", "fiscal_years",
                                       "desa_bersinar", "high_risk"},
                                      "formed (newly formed)",
                                      req->request_id()});
        }));
    ToProto(made, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* UnitService::UpdateUnit(CallbackServerContext* ctx,
                                            const v1::UpdateUnitRequest* req, v1::Unit* resp) {
  return calls_.Run(ctx, "UpdateUnit", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "UpdateUnit"); !s.ok()) return s;
    IBM_ASSIGN_OR_RETURN(const std::string id, ParseUnitName(req->unit().name(), "unit.name"));
    if (auto s = RequireScope(*call.caller, UnitVillage(id)); !s.ok()) return s;
    IBM_ASSIGN_OR_RETURN(const std::vector<std::string> paths,
                         MaskPaths(req->update_mask(), {"formation_date", "fiscal_years",
                                                        "desa_bersinar", "high_risk"}));
    FieldViolations v;
    rules::CheckUnitUpdate(v, req->unit(), paths);
    if (!v.empty()) return v.status();
    const store::Units units(core_->dialect());
    store::Unit merged;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(merged, units.Get(s, id, UnitName(id), /*for_update=*/true));
          IBM_RETURN_IF_ERROR(CheckEtag(req->unit().etag(), merged.version, "unit.etag"));
          IBM_RETURN_IF_ERROR(rules::CheckUnitChangeable(UnitName(id), StatusOf(merged)));
          Merge(req->unit(), paths, merged);
          merged.update_time_us = core_->NowMicros();
          IBM_RETURN_IF_ERROR(units.Update(s, merged));
          return core_->RecordChange(s, *call.caller,
                                     {UnitName(id), v1::Change::ACTION_UPDATE, paths, "", ""});
        }));
    ToProto(merged, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* UnitService::TransitionUnit(CallbackServerContext* ctx,
                                                const v1::TransitionUnitRequest* req,
                                                v1::Unit* resp) {
  return calls_.Run(ctx, "TransitionUnit", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "TransitionUnit"); !s.ok()) return s;
    IBM_ASSIGN_OR_RETURN(const std::string id, ParseUnitName(req->name(), "name"));
    if (auto s = RequireScope(*call.caller, UnitVillage(id)); !s.ok()) return s;
    const v1::UnitStatus to = req->status();
    FieldViolations v;
    rules::CheckTransitionRequest(v, to, req->reason());
    if (!v.empty()) return v.status();
    const store::Units units(core_->dialect());
    store::Unit moved;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(moved, units.Get(s, id, UnitName(id), /*for_update=*/true));
          IBM_RETURN_IF_ERROR(CheckEtag(req->etag(), moved.version, "etag"));
          const v1::UnitStatus from = StatusOf(moved);
          IBM_RETURN_IF_ERROR(rules::CheckTransition(from, to));
          moved.status = to;
          moved.inactive_reason = req->reason();
          moved.update_time_us = core_->NowMicros();
          IBM_RETURN_IF_ERROR(units.UpdateStatus(s, moved, /*closes=*/!rules::IsOpen(to)));
          // The reason is on the unit; the change log holds no free text.
          return core_->RecordChange(
              s, *call.caller,
              {UnitName(id), v1::Change::ACTION_TRANSITION, rules::TransitionFields(to),
               rules::TransitionSummary(from, to), ""});
        }));
    ToProto(moved, resp);
    return absl::OkStatus();
  });
}

}  // namespace ibm::registry
