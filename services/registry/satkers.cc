// Satker: BNN central, BNNP on provinces, BNNK/BNN Kota on regencies and cities.
#include "registry/rules/satkers.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/macros.h"
#include "registry/services.h"
#include "registry/store/satkers.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;

// The response, built after the transaction committed.
void ToProto(const store::Satker& s, v1::Satker* out) {
  out->Clear();
  out->set_name(SatkerName(s.id));
  out->set_kind(static_cast<v1::SatkerKind>(s.kind));
  if (s.region_code) out->set_region(RegionName(*s.region_code));
  if (s.parent_id) out->set_parent(SatkerName(*s.parent_id));
  out->set_display_name(s.display_name);
  out->set_address(s.address);
  out->set_phone(s.phone);
  out->set_etag(absl::StrCat(s.version));
  *out->mutable_create_time() = ToTimestamp(s.create_time_us);
  *out->mutable_update_time() = ToTimestamp(s.update_time_us);
}

// A satker as created (version 1).
store::Satker NewSatker(const rules::SatkerSeed& seed, std::string address, std::string phone,
                        int64_t now) {
  return store::Satker{seed.id,
                       seed.kind,
                       seed.region_code,
                       seed.parent_id,
                       seed.display_name,
                       std::move(address),
                       std::move(phone),
                       1,
                       now,
                       now};
}

// UpdateSatker's mask applied to the stored satker.
void Merge(const v1::Satker& given, const std::vector<std::string>& paths, store::Satker& s) {
  if (HasPath(paths, "display_name")) s.display_name = given.display_name();
  if (HasPath(paths, "address")) s.address = given.address();
  if (HasPath(paths, "phone")) s.phone = given.phone();
}

// The store's page query for ListSatkers' checked request.
store::SatkerQuery PageQuery(const std::string& parent, const v1::ListSatkersRequest& req,
                             const platform::Page& page) {
  store::SatkerQuery q;
  q.after_id = page.after;
  if (!parent.empty() && !req.descendants()) {
    q.parent_id = parent;
  } else if (!parent.empty()) {
    const rules::Descendants under = rules::DescendantsOf(parent);
    q.all_but_central = under.all_but_central;
    q.none = under.none;
    q.id_from = under.id_from;
    q.id_to = under.id_to;
  }
  q.kind = req.kind();
  q.limit = page.size + 1;  // one more: is there a next page?
  return q;
}

}  // namespace

SatkerService::SatkerService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::SatkerService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* SatkerService::GetSatker(CallbackServerContext* ctx,
                                             const v1::GetSatkerRequest* req, v1::Satker* resp) {
  return calls_.Run(
      ctx, "GetSatker",
      [=, this](const Call& call) -> absl::Status {
        if (auto s = RequireAccess(*call.caller, "GetSatker"); !s.ok()) return s;
        IBM_ASSIGN_OR_RETURN(const std::string id, ParseSatkerName(req->name(), "name"));
        const store::Satkers satkers(core_->dialect());
        store::Satker found;
        IBM_RETURN_IF_ERROR(
            core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
              IBM_ASSIGN_OR_RETURN(found, satkers.Get(s, id, SatkerName(id)));
              return absl::OkStatus();
            }));
        ToProto(found, resp);
        return absl::OkStatus();
      },
      platform::Access::kAuthenticated, platform::Execution::kShortRead);
}

ServerUnaryReactor* SatkerService::ListSatkers(CallbackServerContext* ctx,
                                               const v1::ListSatkersRequest* req,
                                               v1::ListSatkersResponse* resp) {
  return calls_.Run(ctx, "ListSatkers", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "ListSatkers"); !s.ok()) return s;
    FieldViolations v;
    const std::string parent = rules::CheckListSatkersRequest(v, *req);
    if (!v.empty()) return v.status();
    const std::string query =
        absl::StrCat("ListSatkers|", parent, "|", req->descendants(), "|", req->kind());
    IBM_ASSIGN_OR_RETURN(const platform::Page page,
                         core_->pages().Read(req->page_size(), req->page_token(), query));
    const store::Satkers satkers(core_->dialect());
    const store::SatkerQuery q = PageQuery(parent, *req, page);
    std::vector<store::Satker> found;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
          if (!parent.empty()) {  // NOT_FOUND for a parent that does not exist
            IBM_RETURN_IF_ERROR(satkers.Get(s, parent, SatkerName(parent)).status());
          }
          IBM_ASSIGN_OR_RETURN(found, satkers.List(s, q));
          return absl::OkStatus();
        }));
    resp->set_next_page_token(resource::TrimToPage(core_->pages(), query, found, page,
                                                   [](const auto& item) { return item.id; }));
    for (const store::Satker& s : found) ToProto(s, resp->add_satkers());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* SatkerService::CreateSatker(CallbackServerContext* ctx,
                                                const v1::CreateSatkerRequest* req,
                                                v1::Satker* resp) {
  return calls_.Run(ctx, "CreateSatker", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "CreateSatker"); !s.ok()) return s;
    const v1::Satker& given = req->satker();
    FieldViolations v;
    const std::optional<RegionCode> region = rules::CheckNewSatker(v, given);
    CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    if (!region) return IBM_BUG("a new satker checked without a region");
    const rules::NewSatkerPlace place = rules::PlaceNewSatker(given.kind(), *region);
    if (auto s = RequireScope(*call.caller, place.creators); !s.ok()) return s;
    const store::Satkers satkers(core_->dialect());
    store::Satker made;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(
              const std::optional<std::string> done,
              core_->FindCreate(s, *call.caller, "CreateSatker", req->request_id(), *req));
          if (done) {
            IBM_ASSIGN_OR_RETURN(made, satkers.Get(s, place.id, SatkerName(place.id)));
            return absl::OkStatus();
          }
          IBM_ASSIGN_OR_RETURN(const std::optional<std::string> region_name,
                               satkers.CurrentRegionName(s, region->str()));
          IBM_RETURN_IF_ERROR(rules::CheckRegionExists(region->str(), region_name.has_value()));
          IBM_ASSIGN_OR_RETURN(const bool parent_exists, satkers.Exists(s, place.parent_id));
          IBM_RETURN_IF_ERROR(
              rules::CheckParentExists(place.parent_id, given.kind(), parent_exists));
          const rules::SatkerSeed seed{
              place.id, given.kind(), region->str(), place.parent_id,
              rules::DisplayNameOrDefault(given.kind(), given.display_name(), *region_name)};
          made = NewSatker(seed, given.address(), given.phone(), core_->NowMicros());
          if (auto st = satkers.Insert(s, made); st.code() == absl::StatusCode::kAlreadyExists) {
            return absl::AlreadyExistsError(absl::StrCat(SatkerName(made.id), " already exists"));
          } else if (!st.ok()) {
            return st;
          }
          const std::string name = SatkerName(made.id);
          IBM_RETURN_IF_ERROR(core_->RememberCreate(s, *call.caller, "CreateSatker",
                                                    req->request_id(), *req, name));
          return core_->RecordChange(s, *call.caller,
                                     {name,
                                      v1::Change::ACTION_CREATE,
                                      {"kind", "region", "display_name", "address", "phone"},
                                      "",
                                      req->request_id()});
        }));
    ToProto(made, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* SatkerService::UpdateSatker(CallbackServerContext* ctx,
                                                const v1::UpdateSatkerRequest* req,
                                                v1::Satker* resp) {
  return calls_.Run(ctx, "UpdateSatker", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "UpdateSatker"); !s.ok()) return s;
    IBM_ASSIGN_OR_RETURN(const std::string id,
                         ParseSatkerName(req->satker().name(), "satker.name"));
    if (auto s = RequireScope(*call.caller, SatkerRegion(id)); !s.ok()) return s;
    IBM_ASSIGN_OR_RETURN(const std::vector<std::string> paths,
                         MaskPaths(req->update_mask(), {"display_name", "address", "phone"}));
    FieldViolations v;
    rules::CheckSatkerUpdate(v, req->satker(), paths);
    if (!v.empty()) return v.status();
    const store::Satkers satkers(core_->dialect());
    store::Satker merged;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(merged, satkers.Get(s, id, SatkerName(id), /*for_update=*/true));
          IBM_RETURN_IF_ERROR(CheckEtag(req->satker().etag(), merged.version, "satker.etag"));
          Merge(req->satker(), paths, merged);
          merged.update_time_us = core_->NowMicros();
          IBM_RETURN_IF_ERROR(satkers.Update(s, merged));
          return core_->RecordChange(s, *call.caller,
                                     {SatkerName(id), v1::Change::ACTION_UPDATE, paths, "", ""});
        }));
    ToProto(merged, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* SatkerService::BootstrapSatkers(CallbackServerContext* ctx,
                                                    const v1::BootstrapSatkersRequest* req,
                                                    v1::BootstrapSatkersResponse* resp) {
  return calls_.Run(ctx, "BootstrapSatkers", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "BootstrapSatkers"); !s.ok()) return s;
    FieldViolations v;
    CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    const store::Satkers satkers(core_->dialect());
    int created = 0;
    int existing = 0;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          created = 0;
          existing = 0;
          IBM_ASSIGN_OR_RETURN(const std::vector<store::Province> provinces,
                               satkers.CurrentProvinces(s));
          IBM_RETURN_IF_ERROR(rules::CheckProvincesImported(provinces.size()));
          IBM_ASSIGN_OR_RETURN(const std::set<std::string> have,
                               satkers.CentralAndKind(s, v1::SATKER_KIND_BNNP));
          std::vector<rules::SatkerSeed> seeds = {rules::CentralSatker()};
          for (const store::Province& p : provinces) {
            seeds.push_back(rules::ProvincialSatker(p.code, p.name));
          }
          for (const rules::SatkerSeed& seed : seeds) {
            if (have.contains(seed.id)) {
              ++existing;
              continue;
            }
            IBM_RETURN_IF_ERROR(satkers.Insert(s, NewSatker(seed, "", "", core_->NowMicros())));
            ++created;
            IBM_RETURN_IF_ERROR(core_->RecordChange(s, *call.caller,
                                                    {SatkerName(seed.id),
                                                     v1::Change::ACTION_CREATE,
                                                     {"kind", "region", "display_name"},
                                                     "bootstrap",
                                                     req->request_id()}));
          }
          return absl::OkStatus();
        }));
    resp->Clear();
    resp->set_created(created);
    resp->set_existing(existing);
    return absl::OkStatus();
  });
}

}  // namespace ibm::registry
