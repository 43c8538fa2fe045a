// Satker officers (petugas pendamping) and the units they accompany.
#include "registry/store/officers.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/crypto.h"
#include "base/macros.h"
#include "registry/services.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;

// The NIP encodes a birth date and sex: only officers (whose scope covers the satker, as
// every caller's here) see it.
bool SeesNip(const Principal& caller) { return caller.role == Role::kOfficer; }

// The response, built after the transaction committed.
void ToProto(const store::Officer& o, bool with_nip, v1::Officer* out) {
  out->Clear();
  out->set_name(OfficerName(o.satker_id, o.id));
  out->set_display_name(o.display_name);
  if (with_nip) out->set_nip(o.nip);
  out->set_position(o.position);
  out->set_active(o.active);
  out->set_etag(absl::StrCat(o.version));
  *out->mutable_create_time() = ToTimestamp(o.create_time_us);
  *out->mutable_update_time() = ToTimestamp(o.update_time_us);
  for (const auto& unit : o.unit_ids) out->add_assigned_units(UnitName(unit));
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

// Each unit must be fostered by the officer's satker. A missing unit and another satker's
// unit get the same answer.
absl::Status CheckFostered(sql::Session& s, const store::Officers& officers,
                           const std::string& satker, const std::vector<std::string>& units) {
  for (size_t i = 0; i < units.size(); ++i) {
    auto fosterer = officers.FosteringSatker(s, units[i]);
    if (!fosterer.ok()) return fosterer.status();
    if (*fosterer != satker) {
      return platform::WithReason(absl::FailedPreconditionError(absl::StrCat(
                                      "officer.assigned_units[", i, "]: ", UnitName(units[i]),
                                      " is not a unit fostered by the officer's satker")),
                                  "UNIT_NOT_FOSTERED");
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> Sorted(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
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
    const store::Officers officers(core_->dialect());
    store::Officer found;
    auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      auto o = officers.Get(s, name->parent_id, name->id, req->name());
      if (!o.ok()) return o.status();
      found = *std::move(o);
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    ToProto(found, SeesNip(*call.caller), resp);
    return absl::OkStatus();
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
    const store::Officers officers(core_->dialect());
    std::vector<store::Officer> found;
    auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      auto exists = officers.SatkerExists(s, *satker);
      if (!exists.ok()) return exists.status();
      if (!*exists) return absl::NotFoundError(absl::StrCat(req->parent(), " not found"));
      auto listed = officers.List(s, *satker, page->after, page->size + 1);
      if (!listed.ok()) return listed.status();
      found = *std::move(listed);
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    resp->set_next_page_token(resource::TrimToPage(core_->pages(), query, found, *page,
                                                   [](const auto& item) { return item.id; }));
    for (const auto& o : found) ToProto(o, SeesNip(*call.caller), resp->add_officers());
    return absl::OkStatus();
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
    const store::Officers officers(core_->dialect());
    store::Officer made;
    auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto done = core_->FindCreate(s, *call.caller, "CreateOfficer", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        auto name = ParseOfficerName(**done, "name");
        if (!name.ok()) return IBM_BUG("remembered create of a malformed officer name");
        auto o = officers.Get(s, name->parent_id, name->id, **done);
        if (!o.ok()) return o.status();
        made = *std::move(o);
        return absl::OkStatus();
      }
      auto exists = officers.SatkerExists(s, *satker);
      if (!exists.ok()) return exists.status();
      if (!*exists) return absl::NotFoundError(absl::StrCat(req->parent(), " not found"));
      if (auto st = CheckFostered(s, officers, *satker, units); !st.ok()) return st;
      const v1::Officer& o = req->officer();
      made = store::Officer{"of" + platform::RandomId(5),
                            *satker,
                            o.display_name(),
                            o.nip(),
                            o.position(),
                            true,
                            1,
                            core_->NowMicros(),
                            core_->NowMicros(),
                            Sorted(units)};
      if (auto st = officers.Insert(s, made); !st.ok()) return st;
      const std::string resource = OfficerName(made.satker_id, made.id);
      if (auto st = core_->RememberCreate(s, *call.caller, "CreateOfficer", req->request_id(), *req,
                                          resource);
          !st.ok()) {
        return st;
      }
      return core_->RecordChange(s, *call.caller,
                                 {resource,
                                  v1::Change::ACTION_CREATE,
                                  {"display_name", "nip", "position", "assigned_units"},
                                  "",
                                  req->request_id()});
    });
    if (!st.ok()) return st;
    ToProto(made, true, resp);
    return absl::OkStatus();
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
    const store::Officers officers(core_->dialect());
    store::Officer merged;
    auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto current =
          officers.Get(s, name->parent_id, name->id, req->officer().name(), /*for_update=*/true);
      if (!current.ok()) return current.status();
      merged = *std::move(current);
      if (auto st = CheckEtag(req->officer().etag(), merged.version, "officer.etag"); !st.ok()) {
        return st;
      }
      const v1::Officer& o = req->officer();
      if (HasPath(*paths, "display_name")) merged.display_name = o.display_name();
      if (HasPath(*paths, "nip")) merged.nip = o.nip();
      if (HasPath(*paths, "position")) merged.position = o.position();
      if (HasPath(*paths, "active")) merged.active = o.active();
      if (HasPath(*paths, "assigned_units")) {
        if (auto st = CheckFostered(s, officers, name->parent_id, units); !st.ok()) return st;
        merged.unit_ids = Sorted(units);
      }
      merged.update_time_us = core_->NowMicros();
      if (auto st = officers.Update(s, merged); !st.ok()) return st;
      return core_->RecordChange(
          s, *call.caller,
          {OfficerName(merged.satker_id, merged.id), v1::Change::ACTION_UPDATE, *paths, "", ""});
    });
    if (!st.ok()) return st;
    ToProto(merged, true, resp);
    return absl::OkStatus();
  });
}

}  // namespace ibm::registry
