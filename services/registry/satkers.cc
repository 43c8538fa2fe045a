// Satker: BNN central, BNNP on provinces, BNNK/BNN Kota on regencies and cities.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "registry/services.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;
using platform::InvalidField;

constexpr char kSatkerColumns[] =
    "id, kind, region_code, parent_id, display_name, address, phone, version, create_time, "
    "update_time";

void ToSatker(const sql::Row& row, v1::Satker* s) {
  s->set_name(SatkerName(row.Text(0)));
  s->set_kind(static_cast<v1::SatkerKind>(row.Int(1)));
  if (auto region = row.OptText(2)) s->set_region(RegionName(*region));
  if (auto parent = row.OptText(3)) s->set_parent(SatkerName(*parent));
  s->set_display_name(row.Text(4));
  s->set_address(row.Text(5));
  s->set_phone(row.Text(6));
  s->set_etag(absl::StrCat(row.Int(7)));
  *s->mutable_create_time() = ToTimestamp(row.Int(8));
  *s->mutable_update_time() = ToTimestamp(row.Int(9));
}

absl::StatusOr<sql::Row> LoadSatker(sql::Session& s, const std::string& id, bool for_update,
                                    const sql::Dialect& d) {
  return s.QueryOne(absl::StrCat("SELECT ", kSatkerColumns, " FROM satkers WHERE id = ?",
                                 for_update ? d.ForUpdate() : ""),
                    {id}, SatkerName(id));
}

void CheckContact(FieldViolations& v, const v1::Satker& s) {
  CheckText(v, "satker.display_name", s.display_name(), 200, false);
  CheckText(v, "satker.address", s.address(), 500, false);
  CheckText(v, "satker.phone", s.phone(), 30, false);
}

// The region's current name, or FAILED_PRECONDITION when the registry lacks it.
absl::StatusOr<std::string> RegionDisplayName(sql::Session& s, const RegionCode& code,
                                              absl::string_view field) {
  auto rows =
      s.Query("SELECT name FROM regions WHERE code = ? AND retired_in IS NULL", {code.str()});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return InvalidField(field, absl::StrCat("region ", code.str(), " does not exist"));
  }
  return rows->front().Text(0);
}

absl::Status InsertSatker(sql::Session& s, const Core& core, const std::string& id,
                          v1::SatkerKind kind, const std::optional<std::string>& region,
                          const std::optional<std::string>& parent, const v1::Satker& given) {
  int64_t now = core.NowMicros();
  return s
      .Exec(
          "INSERT INTO satkers (id, kind, region_code, parent_id, display_name, address, phone, "
          "version, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
          {id, static_cast<int>(kind), region, parent, given.display_name(), given.address(),
           given.phone(), now, now})
      .status();
}

}  // namespace

SatkerService::SatkerService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::SatkerService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* SatkerService::GetSatker(CallbackServerContext* ctx,
                                             const v1::GetSatkerRequest* req, v1::Satker* resp) {
  return calls_.Run(ctx, "GetSatker", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "GetSatker"); !s.ok()) return s;
    auto id = ParseSatkerName(req->name(), "name");
    if (!id.ok()) return id.status();
    return core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      auto row = LoadSatker(s, *id, false, core_->dialect());
      if (!row.ok()) return row.status();
      ToSatker(*row, resp);
      return absl::OkStatus();
    });
  });
}

ServerUnaryReactor* SatkerService::ListSatkers(CallbackServerContext* ctx,
                                               const v1::ListSatkersRequest* req,
                                               v1::ListSatkersResponse* resp) {
  return calls_.Run(ctx, "ListSatkers", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "ListSatkers"); !s.ok()) return s;
    FieldViolations v;
    std::string parent;
    if (!req->parent().empty()) {
      auto id = ParseSatkerName(req->parent(), "parent");
      if (id.ok())
        parent = *id;
      else
        v.Add("parent", "must be a resource name like satkers/bnnp-32");
    } else if (req->descendants()) {
      v.Add("descendants", "needs a parent");
    }
    if (!v1::SatkerKind_IsValid(req->kind())) v.Add("kind", "is not a satker kind");
    if (!v.empty()) return v.status();
    const std::string query =
        absl::StrCat("ListSatkers|", parent, "|", req->descendants(), "|", req->kind());
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();

    std::string where = "id > ?";
    sql::Params params = {page->after};
    if (!parent.empty() && !req->descendants()) {
      where += " AND parent_id = ?";
      params.push_back(parent);
    } else if (!parent.empty()) {
      auto region = SatkerRegion(parent);
      if (!region) {
        where += " AND id <> 'bnn'";  // everything under BNN central
      } else if (region->level() == domain::RegionLevel::kProvince) {
        where += " AND id >= ? AND id < ?";
        params.push_back(absl::StrCat("bnnk-", region->str(), "."));
        params.push_back(absl::StrCat("bnnk-", region->str(), "/"));
      } else {
        where += " AND 1 = 0";  // a BNNK has no satker under it
      }
    }
    if (req->kind()) {
      where += " AND kind = ?";
      params.push_back(static_cast<int>(req->kind()));
    }
    params.push_back(page->size + 1);
    return core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      if (!parent.empty()) {
        if (auto row = LoadSatker(s, parent, false, core_->dialect()); !row.ok()) {
          return row.status();
        }
      }
      auto rows = s.Query(absl::StrCat("SELECT ", kSatkerColumns, " FROM satkers WHERE ", where,
                                       " ORDER BY id LIMIT ?"),
                          params);
      if (!rows.ok()) return rows.status();
      resp->set_next_page_token(TrimPage(*core_, query, *rows, *page));
      for (const auto& row : *rows) ToSatker(row, resp->add_satkers());
      return absl::OkStatus();
    });
  });
}

ServerUnaryReactor* SatkerService::CreateSatker(CallbackServerContext* ctx,
                                                const v1::CreateSatkerRequest* req,
                                                v1::Satker* resp) {
  return calls_.Run(ctx, "CreateSatker", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "CreateSatker"); !s.ok()) return s;
    const v1::Satker& given = req->satker();
    FieldViolations v;
    std::optional<RegionCode> region;
    switch (given.kind()) {
      case v1::SATKER_KIND_BNNP:
      case v1::SATKER_KIND_BNNK: {
        auto level = given.kind() == v1::SATKER_KIND_BNNP ? domain::RegionLevel::kProvince
                                                          : domain::RegionLevel::kRegency;
        if (given.region().empty()) {
          v.Add("satker.region", "is required");
        } else if (auto code = ParseRegionName(given.region(), "satker.region", level);
                   !code.ok()) {
          v.Add("satker.region", absl::StrCat(given.kind() == v1::SATKER_KIND_BNNP
                                                  ? "a BNNP sits on a province: "
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
    CheckContact(v, given);
    CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();

    // Only a satker above the new one may create it: BNN central for a BNNP; BNN central or
    // the province's BNNP for a BNNK.
    const bool bnnp = given.kind() == v1::SATKER_KIND_BNNP;
    if (auto s = RequireScope(*call.caller, bnnp ? std::nullopt
                                                 : std::optional<RegionCode>(region->Ancestor(
                                                       domain::RegionLevel::kProvince)));
        !s.ok()) {
      return s;
    }
    const std::string id = absl::StrCat(bnnp ? "bnnp-" : "bnnk-", region->str());
    const std::string parent =
        bnnp ? "bnn"
             : absl::StrCat("bnnp-", region->Ancestor(domain::RegionLevel::kProvince).str());
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto done = core_->FindCreate(s, *call.caller, "CreateSatker", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (!*done) {
        auto region_name = RegionDisplayName(s, *region, "satker.region");
        if (!region_name.ok()) return region_name.status();
        auto parent_row = s.Query("SELECT 1 FROM satkers WHERE id = ?", {parent});
        if (!parent_row.ok()) return parent_row.status();
        if (parent_row->empty()) {
          return absl::FailedPreconditionError(
              absl::StrCat("the parent satker ", SatkerName(parent), " does not exist yet",
                           bnnp ? " (run BootstrapSatkers)" : ""));
        }
        v1::Satker fields = given;
        if (fields.display_name().empty()) {
          fields.set_display_name(bnnp ? absl::StrCat("BNN Provinsi ", *region_name)
                                       : absl::StrCat("BNN ", *region_name));
        }
        auto st = InsertSatker(s, *core_, id, given.kind(), region->str(), parent, fields);
        if (st.code() == absl::StatusCode::kAlreadyExists) {
          return absl::AlreadyExistsError(absl::StrCat(SatkerName(id), " already exists"));
        }
        if (!st.ok()) return st;
        if (st = core_->RememberCreate(s, *call.caller, "CreateSatker", req->request_id(), *req,
                                       SatkerName(id));
            !st.ok()) {
          return st;
        }
        if (st = core_->RecordChange(s, *call.caller,
                                     {SatkerName(id),
                                      v1::Change::ACTION_CREATE,
                                      {"kind", "region", "display_name", "address", "phone"},
                                      "",
                                      req->request_id()});
            !st.ok()) {
          return st;
        }
      }
      auto row = LoadSatker(s, id, false, core_->dialect());
      if (!row.ok()) return row.status();
      ToSatker(*row, resp);
      return absl::OkStatus();
    });
  });
}

ServerUnaryReactor* SatkerService::UpdateSatker(CallbackServerContext* ctx,
                                                const v1::UpdateSatkerRequest* req,
                                                v1::Satker* resp) {
  return calls_.Run(ctx, "UpdateSatker", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "UpdateSatker"); !s.ok()) return s;
    auto id = ParseSatkerName(req->satker().name(), "satker.name");
    if (!id.ok()) return id.status();
    if (auto s = RequireScope(*call.caller, SatkerRegion(*id)); !s.ok()) return s;
    auto paths = MaskPaths(req->update_mask(), {"display_name", "address", "phone"});
    if (!paths.ok()) return paths.status();
    FieldViolations v;
    CheckContact(v, req->satker());
    if (HasPath(*paths, "display_name") && req->satker().display_name().empty()) {
      v.Add("satker.display_name", "must not be empty");
    }
    if (!v.empty()) return v.status();
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto row = LoadSatker(s, *id, true, core_->dialect());
      if (!row.ok()) return row.status();
      if (auto st = CheckEtag(req->satker().etag(), row->Int(7), "satker.etag"); !st.ok()) {
        return st;
      }
      v1::Satker merged;
      ToSatker(*row, &merged);
      if (HasPath(*paths, "display_name")) merged.set_display_name(req->satker().display_name());
      if (HasPath(*paths, "address")) merged.set_address(req->satker().address());
      if (HasPath(*paths, "phone")) merged.set_phone(req->satker().phone());
      auto r = s.Exec(
          "UPDATE satkers SET display_name = ?, address = ?, phone = ?, version = version + 1, "
          "update_time = ? WHERE id = ?",
          {merged.display_name(), merged.address(), merged.phone(), core_->NowMicros(), *id});
      if (!r.ok()) return r.status();
      if (auto st = core_->RecordChange(
              s, *call.caller, {SatkerName(*id), v1::Change::ACTION_UPDATE, *paths, "", ""});
          !st.ok()) {
        return st;
      }
      auto updated = LoadSatker(s, *id, false, core_->dialect());
      if (!updated.ok()) return updated.status();
      ToSatker(*updated, resp);
      return absl::OkStatus();
    });
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
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      resp->Clear();
      auto provinces =
          s.Query("SELECT code, name FROM regions WHERE level = 1 AND retired_in IS NULL");
      if (!provinces.ok()) return provinces.status();
      if (provinces->empty()) {
        return absl::FailedPreconditionError(
            "the registry has no provinces yet: import the region data first");
      }
      auto existing = s.Query("SELECT id FROM satkers WHERE id = 'bnn' OR kind = ?",
                              {static_cast<int>(v1::SATKER_KIND_BNNP)});
      if (!existing.ok()) return existing.status();
      std::set<std::string> have;
      for (const auto& row : *existing) have.insert(row.Text(0));
      auto create = [&](const std::string& id, v1::SatkerKind kind,
                        const std::optional<std::string>& region,
                        const std::optional<std::string>& parent,
                        const std::string& display_name) -> absl::Status {
        if (have.contains(id)) {
          resp->set_existing(resp->existing() + 1);
          return absl::OkStatus();
        }
        v1::Satker fields;
        fields.set_display_name(display_name);
        if (auto st = InsertSatker(s, *core_, id, kind, region, parent, fields); !st.ok()) {
          return st;
        }
        resp->set_created(resp->created() + 1);
        return core_->RecordChange(s, *call.caller,
                                   {SatkerName(id),
                                    v1::Change::ACTION_CREATE,
                                    {"kind", "region", "display_name"},
                                    "bootstrap",
                                    req->request_id()});
      };
      if (auto st = create("bnn", v1::SATKER_KIND_BNN, std::nullopt, std::nullopt,
                           "Badan Narkotika Nasional");
          !st.ok()) {
        return st;
      }
      for (const auto& row : *provinces) {
        if (auto st = create(absl::StrCat("bnnp-", row.Text(0)), v1::SATKER_KIND_BNNP, row.Text(0),
                             "bnn", absl::StrCat("BNN Provinsi ", row.Text(1)));
            !st.ok()) {
          return st;
        }
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace ibm::registry
