// The change log: who changed which registry resource, when, and which fields.
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/macros.h"
#include "registry/services.h"

namespace ibm::registry {
namespace {

// The region a resource belongs to, for the caller's scope; nullopt for national resources.
absl::StatusOr<std::optional<RegionCode>> ResourceRegion(absl::string_view resource) {
  const absl::string_view field = "resource";
  if (absl::StartsWith(resource, "regions/") || absl::StartsWith(resource, "regionImports/")) {
    return std::optional<RegionCode>();  // reference data: no region to scope by
  }
  if (absl::StrContains(resource, "/agents/")) {
    auto name = ParseAgentName(resource, field);
    if (!name.ok()) return name.status();
    return std::optional<RegionCode>(UnitVillage(name->parent_id));
  }
  if (absl::StartsWith(resource, "units/")) {
    auto id = ParseUnitName(resource, field);
    if (!id.ok()) return id.status();
    return std::optional<RegionCode>(UnitVillage(*id));
  }
  if (absl::StrContains(resource, "/officers/")) {
    auto name = ParseOfficerName(resource, field);
    if (!name.ok()) return name.status();
    return SatkerRegion(name->parent_id);
  }
  auto id = ParseSatkerName(resource, field);
  if (!id.ok()) {
    return platform::InvalidField(field,
                                  "must be the name of a registry resource (regions/..., "
                                  "satkers/..., units/..., their agents or officers)");
  }
  return SatkerRegion(*id);
}

}  // namespace

ChangeLogService::ChangeLogService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)),
      calls_(v1::ChangeLogService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* ChangeLogService::ListChanges(CallbackServerContext* ctx,
                                                  const v1::ListChangesRequest* req,
                                                  v1::ListChangesResponse* resp) {
  return calls_.Run(ctx, "ListChanges", [=, this](const platform::Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "ListChanges"); !s.ok()) return s;
    if (req->resource().empty() || req->resource().size() > 200) {
      return platform::InvalidField("resource", "is required (at most 200 characters)");
    }
    auto region = ResourceRegion(req->resource());
    if (!region.ok()) return region.status();
    const bool national_data = absl::StartsWith(req->resource(), "region");
    if (!national_data) {
      if (auto s = RequireScope(*call.caller, *region); !s.ok()) return s;
    }
    const std::string query = absl::StrCat("ListChanges|", req->resource());
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    int64_t after = 0;
    if (!page->after.empty() && !absl::SimpleAtoi(page->after, &after)) {
      return platform::InvalidField("page_token", "is not a page token of this service");
    }
    // Every change committed is listed: chain what is still queued first.
    IBM_RETURN_IF_ERROR(core_->audit().SequenceAll(core_->db()));
    auto rows = core_->db().Query(
        "SELECT seq, resource, action, actor, actor_satker, change_time, fields, summary, "
        "request_id FROM changes WHERE (resource = ? OR (resource >= ? AND resource < ?)) "
        "AND seq > ? ORDER BY seq LIMIT ?",
        {req->resource(), req->resource() + "/", req->resource() + "0", after, page->size + 1});
    if (!rows.ok()) return rows.status();
    resp->set_next_page_token(
        resource::TrimToPage(core_->pages(), query, *rows, *page,
                             [](const sql::Row& last) { return absl::StrCat(last.Int(0)); }));
    for (const auto& row : *rows) {
      auto* c = resp->add_changes();
      c->set_sequence(row.Int(0));
      c->set_resource(row.Text(1));
      c->set_action(static_cast<v1::Change::Action>(row.Int(2)));
      c->set_actor(row.Text(3));
      if (!row.Text(4).empty()) c->set_actor_satker(SatkerName(row.Text(4)));
      *c->mutable_time() = ToTimestamp(row.Int(5));
      for (absl::string_view f : absl::StrSplit(row.Text(6), ',', absl::SkipEmpty())) {
        c->add_fields(std::string(f));
      }
      c->set_summary(row.Text(7));
      c->set_request_id(row.Text(8));
    }
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ChangeLogService::VerifyChanges(CallbackServerContext* ctx,
                                                    const v1::VerifyChangesRequest* req,
                                                    v1::VerifyChangesResponse* resp) {
  return calls_.Run(ctx, "VerifyChanges", [=, this](const platform::Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "VerifyChanges"); !s.ok()) return s;
    platform::FieldViolations v;
    return audit::AnswerVerify(core_->audit(), core_->db(), *req, call.deadline, v, resp);
  });
}

}  // namespace ibm::registry
