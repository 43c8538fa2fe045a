// Satker officers (petugas pendamping) and the units they accompany.
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "platform/crypto.h"
#include "platform/macros.h"
#include "registry/services.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;

constexpr char kOfficerColumns[] =
    "id, satker_id, display_name, nip, position, active, version, create_time, update_time";

absl::StatusOr<sql::Row> LoadOfficer(sql::Session& s, const ChildName& name, bool for_update,
                                     const sql::Dialect& d) {
  return s.QueryOne(
      absl::StrCat("SELECT ", kOfficerColumns, " FROM officers WHERE id = ? AND satker_id = ?",
                   for_update ? d.ForUpdate() : ""),
      {name.id, name.parent_id}, OfficerName(name.parent_id, name.id));
}

// The NIP encodes a birth date and sex: only officers (whose scope covers the satker, as
// every caller's here) see it.
bool SeesNip(const Principal& caller) { return caller.role == Role::kOfficer; }

absl::Status ToOfficer(sql::Session& s, const sql::Row& row, bool with_nip, v1::Officer* o) {
  o->set_name(OfficerName(row.Text(1), row.Text(0)));
  o->set_display_name(row.Text(2));
  if (with_nip) o->set_nip(row.Text(3));
  o->set_position(row.Text(4));
  o->set_active(row.Bool(5));
  o->set_etag(absl::StrCat(row.Int(6)));
  *o->mutable_create_time() = ToTimestamp(row.Int(7));
  *o->mutable_update_time() = ToTimestamp(row.Int(8));
  auto units = s.Query("SELECT unit_id FROM officer_units WHERE officer_id = ? ORDER BY unit_id",
                       {row.Text(0)});
  if (!units.ok()) return units.status();
  for (const auto& u : *units) o->add_assigned_units(UnitName(u.Text(0)));
  return absl::OkStatus();
}

absl::Status Respond(sql::Session& s, const Core& core, const ChildName& name, bool with_nip,
                     v1::Officer* resp) {
  auto row = LoadOfficer(s, name, false, core.dialect());
  if (!row.ok()) return row.status();
  resp->Clear();
  return ToOfficer(s, *row, with_nip, resp);
}

constexpr int kMaxAssignedUnits = 500;

// Checks the fields and returns the unit ids of assigned_units.
std::vector<std::string> CheckOfficer(FieldViolations& v, const v1::Officer& o,
                                      bool name_required) {
  if (o.assigned_units_size() > kMaxAssignedUnits) {  // the size first: never item by item
    v.Add("officer.assigned_units", absl::StrCat("at most ", kMaxAssignedUnits, " units"));
    return {};
  }
  CheckText(v, "officer.display_name", o.display_name(), 200, name_required);
  if (!o.nip().empty()) {
    bool digits = o.nip().size() == 18;
    for (char c : o.nip()) digits = digits && absl::ascii_isdigit(c);
    if (!digits) v.Add("officer.nip", "must be 18 digits (NIP)");
  }
  CheckText(v, "officer.position", o.position(), 200, false);
  std::vector<std::string> units;
  std::set<std::string> seen;
  for (int i = 0; i < o.assigned_units_size(); ++i) {
    const std::string field = absl::StrCat("officer.assigned_units[", i, "]");
    auto id = ParseUnitName(o.assigned_units(i), field);
    if (!id.ok()) {
      v.Add(field, "must be a resource name like units/32.73.04.1001-1");
    } else if (!seen.insert(*id).second) {
      v.Add(field, "repeats an earlier unit");
    } else {
      units.push_back(*id);
    }
  }
  return units;
}

// Units outside the caller's scope are refused before anything is looked up, so the answer
// never tells whether a unit elsewhere exists.
absl::Status RequireUnitsInScope(const Principal& caller, const std::vector<std::string>& units) {
  for (const std::string& unit : units) {
    if (auto s = RequireScope(caller, UnitVillage(unit)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Replaces the officer's units; each must be fostered by the officer's satker. A missing
// unit and another satker's unit get the same answer.
absl::Status AssignUnits(sql::Session& s, const std::string& officer, const std::string& satker,
                         const std::vector<std::string>& units) {
  for (size_t i = 0; i < units.size(); ++i) {
    auto row = s.Query("SELECT satker_id FROM units WHERE id = ?", {units[i]});
    if (!row.ok()) return row.status();
    if (row->empty() || row->front().Text(0) != satker) {
      return platform::WithReason(absl::FailedPreconditionError(absl::StrCat(
                                      "officer.assigned_units[", i, "]: ", UnitName(units[i]),
                                      " is not a unit fostered by the officer's satker")),
                                  "UNIT_NOT_FOSTERED");
    }
  }
  if (auto r = s.Exec("DELETE FROM officer_units WHERE officer_id = ?", {officer}); !r.ok()) {
    return r.status();
  }
  std::vector<sql::Value> values;
  for (const auto& u : units) values.insert(values.end(), {officer, u});
  return s.InsertRows("INSERT INTO officer_units (officer_id, unit_id)", 2, values);
}

}  // namespace

OfficerService::OfficerService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::OfficerService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* OfficerService::GetOfficer(CallbackServerContext* ctx,
                                               const v1::GetOfficerRequest* req,
                                               v1::Officer* resp) {
  return calls_.Run(ctx, "GetOfficer", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "GetOfficer"); !s.ok()) return s;
    auto name = ParseOfficerName(req->name(), "name");
    if (!name.ok()) return name.status();
    if (auto s = RequireScope(*call.caller, SatkerRegion(name->parent_id)); !s.ok()) return s;
    return core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
      return Respond(s, *core_, *name, SeesNip(*call.caller), resp);
    });
  });
}

ServerUnaryReactor* OfficerService::ListOfficers(CallbackServerContext* ctx,
                                                 const v1::ListOfficersRequest* req,
                                                 v1::ListOfficersResponse* resp) {
  return calls_.Run(ctx, "ListOfficers", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "ListOfficers"); !s.ok()) return s;
    auto satker = ParseSatkerName(req->parent(), "parent");
    if (!satker.ok()) return satker.status();
    if (auto s = RequireScope(*call.caller, SatkerRegion(*satker)); !s.ok()) return s;
    const std::string query = absl::StrCat("ListOfficers|", *satker);
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    return core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      auto exists = s.QueryOne("SELECT 1 FROM satkers WHERE id = ?", {*satker}, req->parent());
      if (!exists.ok()) return exists.status();
      auto rows = s.Query(absl::StrCat("SELECT ", kOfficerColumns,
                                       " FROM officers WHERE satker_id = ? AND id > ? "
                                       "ORDER BY id LIMIT ?"),
                          {*satker, page->after, page->size + 1});
      if (!rows.ok()) return rows.status();
      resp->set_next_page_token(TrimPage(*core_, query, *rows, *page));
      for (const auto& row : *rows) {
        if (auto st = ToOfficer(s, row, SeesNip(*call.caller), resp->add_officers()); !st.ok()) {
          return st;
        }
      }
      return absl::OkStatus();
    });
  });
}

ServerUnaryReactor* OfficerService::CreateOfficer(CallbackServerContext* ctx,
                                                  const v1::CreateOfficerRequest* req,
                                                  v1::Officer* resp) {
  return calls_.Run(ctx, "CreateOfficer", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "CreateOfficer"); !s.ok()) return s;
    auto satker = ParseSatkerName(req->parent(), "parent");
    if (!satker.ok()) return satker.status();
    if (auto s = RequireScope(*call.caller, SatkerRegion(*satker)); !s.ok()) return s;
    FieldViolations v;
    std::vector<std::string> units = CheckOfficer(v, req->officer(), true);
    CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    if (auto s = RequireUnitsInScope(*call.caller, units); !s.ok()) return s;
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto done = core_->FindCreate(s, *call.caller, "CreateOfficer", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        auto made = ParseOfficerName(**done, "name");
        if (!made.ok()) return IBM_BUG("remembered create of a malformed officer name");
        return Respond(s, *core_, *made, true, resp);
      }
      auto exists = s.QueryOne("SELECT 1 FROM satkers WHERE id = ?", {*satker}, req->parent());
      if (!exists.ok()) return exists.status();
      ChildName name{*satker, "of" + platform::RandomId(5)};
      int64_t now = core_->NowMicros();
      const v1::Officer& o = req->officer();
      auto r = s.Exec(
          "INSERT INTO officers (id, satker_id, display_name, nip, position, active, version, "
          "create_time, update_time) VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?)",
          {name.id, *satker, o.display_name(), o.nip(), o.position(), now, now});
      if (!r.ok()) return r.status();
      if (auto st = AssignUnits(s, name.id, *satker, units); !st.ok()) return st;
      const std::string resource = OfficerName(name.parent_id, name.id);
      if (auto st = core_->RememberCreate(s, *call.caller, "CreateOfficer", req->request_id(), *req,
                                          resource);
          !st.ok()) {
        return st;
      }
      if (auto st = core_->RecordChange(s, *call.caller,
                                        {resource,
                                         v1::Change::ACTION_CREATE,
                                         {"display_name", "nip", "position", "assigned_units"},
                                         "",
                                         req->request_id()});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, name, true, resp);
    });
  });
}

ServerUnaryReactor* OfficerService::UpdateOfficer(CallbackServerContext* ctx,
                                                  const v1::UpdateOfficerRequest* req,
                                                  v1::Officer* resp) {
  return calls_.Run(ctx, "UpdateOfficer", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "UpdateOfficer"); !s.ok()) return s;
    auto name = ParseOfficerName(req->officer().name(), "officer.name");
    if (!name.ok()) return name.status();
    if (auto s = RequireScope(*call.caller, SatkerRegion(name->parent_id)); !s.ok()) return s;
    auto paths = MaskPaths(req->update_mask(),
                           {"display_name", "nip", "position", "assigned_units", "active"});
    if (!paths.ok()) return paths.status();
    FieldViolations v;
    std::vector<std::string> units =
        CheckOfficer(v, req->officer(), HasPath(*paths, "display_name"));
    if (!v.empty()) return v.status();
    if (HasPath(*paths, "assigned_units")) {
      if (auto s = RequireUnitsInScope(*call.caller, units); !s.ok()) return s;
    }
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto row = LoadOfficer(s, *name, true, core_->dialect());
      if (!row.ok()) return row.status();
      if (auto st = CheckEtag(req->officer().etag(), row->Int(6), "officer.etag"); !st.ok()) {
        return st;
      }
      v1::Officer merged;
      if (auto st = ToOfficer(s, *row, true, &merged); !st.ok()) return st;
      const v1::Officer& o = req->officer();
      if (HasPath(*paths, "display_name")) merged.set_display_name(o.display_name());
      if (HasPath(*paths, "nip")) merged.set_nip(o.nip());
      if (HasPath(*paths, "position")) merged.set_position(o.position());
      if (HasPath(*paths, "active")) merged.set_active(o.active());
      if (HasPath(*paths, "assigned_units")) {
        if (auto st = AssignUnits(s, name->id, name->parent_id, units); !st.ok()) return st;
      }
      auto r = s.Exec(
          "UPDATE officers SET display_name = ?, nip = ?, position = ?, active = ?, "
          "version = version + 1, update_time = ? WHERE id = ?",
          {merged.display_name(), merged.nip(), merged.position(), merged.active(),
           core_->NowMicros(), name->id});
      if (!r.ok()) return r.status();
      if (auto st = core_->RecordChange(s, *call.caller,
                                        {merged.name(), v1::Change::ACTION_UPDATE, *paths, "", ""});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, *name, true, resp);
    });
  });
}

}  // namespace ibm::registry
