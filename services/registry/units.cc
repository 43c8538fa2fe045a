// IBM units: one open unit per village, fostered by the satker that covers the village.
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "platform/macros.h"
#include "registry/services.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;
using platform::InvalidField;

constexpr char kUnitColumns[] =
    "id, village_code, satker_id, status, inactive_reason, formation_date, fiscal_years, "
    "desa_bersinar, high_risk, version, create_time, update_time";

void ToUnit(const sql::Row& row, v1::Unit* u) {
  u->Clear();  // a transaction body may run twice: never append to what is there
  u->set_name(UnitName(row.Text(0)));
  u->set_village(RegionName(row.Text(1)));
  u->set_satker(SatkerName(row.Text(2)));
  u->set_status(static_cast<v1::UnitStatus>(row.Int(3)));
  u->set_inactive_reason(row.Text(4));
  *u->mutable_formation_date() = ParseDateText(row.Text(5));
  for (absl::string_view y : absl::StrSplit(row.Text(6), ',', absl::SkipEmpty())) {
    int year = 0;
    if (absl::SimpleAtoi(y, &year)) u->add_fiscal_years(year);
  }
  u->set_desa_bersinar(row.Bool(7));
  u->set_high_risk(row.Bool(8));
  u->set_etag(absl::StrCat(row.Int(9)));
  *u->mutable_create_time() = ToTimestamp(row.Int(10));
  *u->mutable_update_time() = ToTimestamp(row.Int(11));
}

absl::StatusOr<sql::Row> LoadUnit(sql::Session& s, const std::string& id, bool for_update,
                                  const sql::Dialect& d) {
  return s.QueryOne(absl::StrCat("SELECT ", kUnitColumns, " FROM units WHERE id = ?",
                                 for_update ? d.ForUpdate() : ""),
                    {id}, UnitName(id));
}

absl::Status Respond(sql::Session& s, const Core& core, const std::string& id, v1::Unit* resp) {
  auto row = LoadUnit(s, id, false, core.dialect());
  if (!row.ok()) return row.status();
  ToUnit(*row, resp);
  return absl::OkStatus();
}

constexpr int kMaxFiscalYears = 82;  // 2019-2100

void CheckFiscalYears(FieldViolations& v, const google::protobuf::RepeatedField<int32_t>& years) {
  if (years.size() > kMaxFiscalYears) {  // the size first: never item by item
    v.Add("unit.fiscal_years", absl::StrCat("at most ", kMaxFiscalYears, " years"));
    return;
  }
  std::set<int32_t> seen;
  for (int i = 0; i < years.size(); ++i) {
    if (years[i] < 2019 || years[i] > 2100) {
      v.Add(absl::StrCat("unit.fiscal_years[", i, "]"), "must be a year from 2019 to 2100");
    } else if (!seen.insert(years[i]).second) {
      v.Add(absl::StrCat("unit.fiscal_years[", i, "]"), "repeats an earlier year");
    }
  }
}

std::string YearsText(const google::protobuf::RepeatedField<int32_t>& years) {
  std::set<int32_t> sorted(years.begin(), years.end());
  return absl::StrJoin(sorted, ",");
}

// Which moves the lifecycle allows: newly formed -> running -> sustaining, and any open
// status -> inactive.
bool LegalTransition(v1::UnitStatus from, v1::UnitStatus to) {
  if (to == v1::UNIT_STATUS_INACTIVE) return from != v1::UNIT_STATUS_INACTIVE;
  return (from == v1::UNIT_STATUS_NEWLY_FORMED && to == v1::UNIT_STATUS_RUNNING) ||
         (from == v1::UNIT_STATUS_RUNNING && to == v1::UNIT_STATUS_SUSTAINING);
}

// The id range of units inside a region: a village's own units are "{code}-n".
std::pair<std::string, std::string> UnitRange(const RegionCode& region) {
  if (region.level() == domain::RegionLevel::kVillage) {
    return {region.str() + "-", region.str() + "."};
  }
  return {region.str() + ".", region.str() + "/"};
}

}  // namespace

UnitService::UnitService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::UnitService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* UnitService::GetUnit(CallbackServerContext* ctx, const v1::GetUnitRequest* req,
                                         v1::Unit* resp) {
  return calls_.Run(ctx, "GetUnit", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "GetUnit"); !s.ok()) return s;
    auto id = ParseUnitName(req->name(), "name");
    if (!id.ok()) return id.status();
    if (auto s = RequireScope(*call.caller, UnitVillage(*id)); !s.ok()) return s;
    return core_->db().Transact(sql::TxMode::kReadOnly,
                                [&](sql::Session& s) { return Respond(s, *core_, *id, resp); });
  });
}

ServerUnaryReactor* UnitService::ListUnits(CallbackServerContext* ctx,
                                           const v1::ListUnitsRequest* req,
                                           v1::ListUnitsResponse* resp) {
  return calls_.Run(ctx, "ListUnits", [=, this](const Call& call) -> absl::Status {
    const Principal& caller = *call.caller;
    if (auto s = RequireAccess(caller, "ListUnits"); !s.ok()) return s;
    FieldViolations v;
    std::optional<RegionCode> region;
    if (!req->region().empty()) {
      auto code = ParseRegionName(req->region(), "region");
      if (code.ok())
        region = *code;
      else
        v.Add("region", "must be a resource name like regions/32.73");
    }
    std::string satker;
    if (!req->satker().empty()) {
      auto id = ParseSatkerName(req->satker(), "satker");
      if (id.ok())
        satker = *id;
      else
        v.Add("satker", "must be a resource name like satkers/bnnk-32.73");
    }
    if (!v1::UnitStatus_IsValid(req->status())) v.Add("status", "is not a unit status");
    if (!v.empty()) return v.status();

    // The narrower of the asked region and the caller's scope.
    std::optional<RegionCode> within = region;
    if (!caller.scope.national()) {
      auto parsed_scope = RegionCode::Parse(caller.scope.prefix());
      if (!parsed_scope.ok()) return IBM_BUG("a regional scope that is no region code");
      const RegionCode& scope = *parsed_scope;
      if (!region || region->Contains(scope)) {
        within = scope;
      } else if (!scope.Contains(*region)) {
        return RequireScope(caller, region);  // disjoint: denied
      }
    }
    const std::string query =
        absl::StrCat("ListUnits|", within ? within->str() : "", "|", satker, "|", req->status());
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    std::string where = "id > ?";
    sql::Params params = {page->after};
    if (within) {
      auto [lo, hi] = UnitRange(*within);
      where += " AND id >= ? AND id < ?";
      params.push_back(lo);
      params.push_back(hi);
    }
    if (!satker.empty()) {
      where += " AND satker_id = ?";
      params.push_back(satker);
    }
    if (req->status()) {
      where += " AND status = ?";
      params.push_back(static_cast<int>(req->status()));
    }
    params.push_back(page->size + 1);
    auto rows = core_->db().Query(
        absl::StrCat("SELECT ", kUnitColumns, " FROM units WHERE ", where, " ORDER BY id LIMIT ?"),
        params);
    if (!rows.ok()) return rows.status();
    resp->set_next_page_token(TrimPage(*core_, query, *rows, *page));
    for (const auto& row : *rows) ToUnit(row, resp->add_units());
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
    auto village = ParseRegionName(given.village(), "unit.village", domain::RegionLevel::kVillage);
    if (!village.ok()) return village.status();
    if (auto s = RequireScope(*call.caller, *village); !s.ok()) return s;
    FieldViolations v;
    std::string satker;
    if (given.satker().empty()) {
      v.Add("unit.satker", "is required");
    } else if (auto id = ParseSatkerName(given.satker(), "unit.satker"); !id.ok()) {
      v.Add("unit.satker", id.status().message());
    } else {
      satker = *id;
    }
    CheckDate(v, "unit.formation_date", given.formation_date(), true);
    CheckFiscalYears(v, given.fiscal_years());
    CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();

    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto done = core_->FindCreate(s, *call.caller, "CreateUnit", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        auto made = ParseUnitName(**done, "name");
        if (!made.ok()) return IBM_BUG("remembered create of a malformed unit name");
        return Respond(s, *core_, *made, resp);
      }

      auto region = s.Query("SELECT retired_in FROM regions WHERE code = ?", {village->str()});
      if (!region.ok()) return region.status();
      if (region->empty() || !region->front().IsNull(0)) {
        return InvalidField("unit.village",
                            absl::StrCat(given.village(), region->empty() ? " does not exist"
                                                                          : " has been retired"));
      }
      // The fostering satker: the BNNK of the regency, else the BNNP of the province.
      const std::string bnnk =
          absl::StrCat("bnnk-", village->Ancestor(domain::RegionLevel::kRegency).str());
      const std::string bnnp =
          absl::StrCat("bnnp-", village->Ancestor(domain::RegionLevel::kProvince).str());
      auto fosterers =
          s.Query("SELECT id FROM satkers WHERE id IN (?, ?) ORDER BY id", {bnnk, bnnp});
      if (!fosterers.ok()) return fosterers.status();
      if (fosterers->empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("neither ", SatkerName(bnnk), " nor ", SatkerName(bnnp),
                         " exists to foster a unit in ", given.village()));
      }
      const std::string expected = fosterers->front().Text(0);  // "bnnk-" sorts first
      if (satker != expected) {
        return InvalidField(
            "unit.satker",
            absl::StrCat("must be ", SatkerName(expected), ", ",
                         expected == bnnk ? "the BNNK of the village's regency or city"
                                          : "the BNNP of its province (the regency has no BNNK)"));
      }
      auto open = s.Query(
          absl::StrCat("SELECT id FROM units WHERE open_village = ?", core_->dialect().ForUpdate()),
          {village->str()});
      if (!open.ok()) return open.status();
      if (!open->empty()) {
        return platform::WithReason(
            absl::AlreadyExistsError(absl::StrCat(
                given.village(), " already has a unit: ", UnitName(open->front().Text(0)),
                " (make it inactive before forming a new one)")),
            "VILLAGE_HAS_UNIT");
      }
      auto count = s.Query("SELECT COUNT(*) FROM units WHERE village_code = ?", {village->str()});
      if (!count.ok()) return count.status();
      const std::string id = absl::StrCat(village->str(), "-", count->front().Int(0) + 1);
      int64_t now = core_->NowMicros();
      auto r = s.Exec(
          "INSERT INTO units (id, village_code, open_village, satker_id, status, inactive_reason, "
          "formation_date, fiscal_years, desa_bersinar, high_risk, version, create_time, "
          "update_time) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, 1, ?, ?)",
          {id, village->str(), village->str(), satker,
           static_cast<int>(v1::UNIT_STATUS_NEWLY_FORMED), DateText(given.formation_date()),
           YearsText(given.fiscal_years()), given.desa_bersinar(), given.high_risk(), now, now});
      if (r.status().code() == absl::StatusCode::kAlreadyExists) {
        return absl::AbortedError(
            "another unit was formed in this village at the same time; retry");
      }
      if (!r.ok()) return r.status();
      if (auto st = core_->RememberCreate(s, *call.caller, "CreateUnit", req->request_id(), *req,
                                          UnitName(id));
          !st.ok()) {
        return st;
      }
      if (auto st = core_->RecordChange(s, *call.caller,
                                        {UnitName(id),
                                         v1::Change::ACTION_CREATE,
                                         {"village", "satker", "formation_date", "fiscal_years",
                                          "desa_bersinar", "high_risk"},
                                         "formed (newly formed)",
                                         req->request_id()});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, id, resp);
    });
  });
}

ServerUnaryReactor* UnitService::UpdateUnit(CallbackServerContext* ctx,
                                            const v1::UpdateUnitRequest* req, v1::Unit* resp) {
  return calls_.Run(ctx, "UpdateUnit", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "UpdateUnit"); !s.ok()) return s;
    auto id = ParseUnitName(req->unit().name(), "unit.name");
    if (!id.ok()) return id.status();
    if (auto s = RequireScope(*call.caller, UnitVillage(*id)); !s.ok()) return s;
    auto paths = MaskPaths(req->update_mask(),
                           {"formation_date", "fiscal_years", "desa_bersinar", "high_risk"});
    if (!paths.ok()) return paths.status();
    FieldViolations v;
    if (HasPath(*paths, "formation_date")) {
      CheckDate(v, "unit.formation_date", req->unit().formation_date(), true);
    }
    if (HasPath(*paths, "fiscal_years")) CheckFiscalYears(v, req->unit().fiscal_years());
    if (!v.empty()) return v.status();
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto row = LoadUnit(s, *id, true, core_->dialect());
      if (!row.ok()) return row.status();
      if (auto st = CheckEtag(req->unit().etag(), row->Int(9), "unit.etag"); !st.ok()) return st;
      if (row->Int(3) == v1::UNIT_STATUS_INACTIVE) {
        return absl::FailedPreconditionError(absl::StrCat(UnitName(*id),
                                                          " is inactive; it keeps its history "
                                                          "and cannot be changed"));
      }
      v1::Unit merged;
      ToUnit(*row, &merged);
      if (HasPath(*paths, "formation_date")) {
        *merged.mutable_formation_date() = req->unit().formation_date();
      }
      if (HasPath(*paths, "fiscal_years"))
        *merged.mutable_fiscal_years() = req->unit().fiscal_years();
      if (HasPath(*paths, "desa_bersinar")) merged.set_desa_bersinar(req->unit().desa_bersinar());
      if (HasPath(*paths, "high_risk")) merged.set_high_risk(req->unit().high_risk());
      auto r = s.Exec(
          "UPDATE units SET formation_date = ?, fiscal_years = ?, desa_bersinar = ?, high_risk = "
          "?, "
          "version = version + 1, update_time = ? WHERE id = ?",
          {DateText(merged.formation_date()), YearsText(merged.fiscal_years()),
           merged.desa_bersinar(), merged.high_risk(), core_->NowMicros(), *id});
      if (!r.ok()) return r.status();
      if (auto st = core_->RecordChange(s, *call.caller,
                                        {UnitName(*id), v1::Change::ACTION_UPDATE, *paths, "", ""});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, *id, resp);
    });
  });
}

ServerUnaryReactor* UnitService::TransitionUnit(CallbackServerContext* ctx,
                                                const v1::TransitionUnitRequest* req,
                                                v1::Unit* resp) {
  return calls_.Run(ctx, "TransitionUnit", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "TransitionUnit"); !s.ok()) return s;
    auto id = ParseUnitName(req->name(), "name");
    if (!id.ok()) return id.status();
    if (auto s = RequireScope(*call.caller, UnitVillage(*id)); !s.ok()) return s;
    FieldViolations v;
    if (req->status() == v1::UNIT_STATUS_UNSPECIFIED || !v1::UnitStatus_IsValid(req->status())) {
      v.Add("status", "is required: running, sustaining or inactive");
    } else if (req->status() == v1::UNIT_STATUS_INACTIVE) {
      CheckText(v, "reason", req->reason(), 500, true);
    } else if (!req->reason().empty()) {
      v.Add("reason", "is only given when the unit becomes inactive");
    }
    if (!v.empty()) return v.status();
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto row = LoadUnit(s, *id, true, core_->dialect());
      if (!row.ok()) return row.status();
      if (auto st = CheckEtag(req->etag(), row->Int(9), "etag"); !st.ok()) return st;
      auto from = static_cast<v1::UnitStatus>(row->Int(3));
      if (!LegalTransition(from, req->status())) {
        return platform::WithReason(
            absl::FailedPreconditionError(
                absl::StrCat("a unit cannot go from ", v1::UnitStatus_Name(from), " to ",
                             v1::UnitStatus_Name(req->status()),
                             "; allowed: newly formed -> running -> sustaining, any -> inactive")),
            "ILLEGAL_TRANSITION");
      }
      const bool inactive = req->status() == v1::UNIT_STATUS_INACTIVE;
      auto r = s.Exec(absl::StrCat("UPDATE units SET status = ?, inactive_reason = ?, ",
                                   inactive ? "open_village = NULL, " : "",
                                   "version = version + 1, update_time = ? WHERE id = ?"),
                      {static_cast<int>(req->status()), req->reason(), core_->NowMicros(), *id});
      if (!r.ok()) return r.status();
      if (auto st =
              core_->RecordChange(s, *call.caller,
                                  {UnitName(*id), v1::Change::ACTION_TRANSITION,
                                   inactive ? std::vector<std::string>{"status", "inactive_reason"}
                                            : std::vector<std::string>{"status"},
                                   // The reason is on the unit; the change log holds no free text.
                                   absl::StrCat("status ", v1::UnitStatus_Name(from), " -> ",
                                                v1::UnitStatus_Name(req->status())),
                                   ""});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, *id, resp);
    });
  });
}

}  // namespace ibm::registry
