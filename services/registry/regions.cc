// Regions: reads, search, code validation and the staged import of an edition.
#include "registry/store/regions.h"

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/crypto.h"
#include "base/macros.h"
#include "registry/rules/regions.h"
#include "registry/services.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;
using platform::InvalidField;

// The responses, built after the transaction committed.
void ToProto(const store::Region& r, v1::Region* out) {
  out->set_name(RegionName(r.code));
  out->set_code(r.code);
  out->set_level(static_cast<v1::RegionLevel>(r.level));
  if (!r.parent_code.empty()) out->set_parent(RegionName(r.parent_code));
  out->set_display_name(r.name);
  out->set_first_edition(r.first_edition);
  out->set_last_edition(r.last_edition);
  out->set_retired_in_edition(r.retired_in.value_or(""));
}

void ToProto(const store::RegionImport& i, v1::RegionImport* out) {
  out->Clear();
  if (!i.counts.empty()) out->ParseFromString(i.counts);  // the counts, as CountsOf wrote them
  out->set_name(rules::ImportName(i.id));
  out->set_edition(i.edition);
  out->set_state(static_cast<v1::RegionImport::State>(i.state));
  out->set_staged_rows(i.staged_rows);
  out->set_staged_chunks(static_cast<int32_t>(i.staged_chunks));
  *out->mutable_create_time() = ToTimestamp(i.create_time_us);
  if (i.commit_time_us) *out->mutable_commit_time() = ToTimestamp(*i.commit_time_us);
}

// What a commit did per level, stored with the import as a RegionImport holding only counts.
std::string CountsOf(const std::vector<rules::LevelCount>& counts) {
  v1::RegionImport summary;
  for (const rules::LevelCount& c : counts) {
    v1::RegionImportCount* out = summary.add_counts();
    out->set_level(static_cast<v1::RegionLevel>(c.level));
    out->set_rows(c.rows);
    out->set_added(c.added);
    out->set_renamed(c.renamed);
    out->set_unchanged(c.unchanged);
    out->set_retired(c.retired);
  }
  return summary.SerializeAsString();
}

std::vector<store::ImportRow> FromProto(
    const google::protobuf::RepeatedPtrField<v1::RegionRow>& rows) {
  std::vector<store::ImportRow> out;
  out.reserve(rows.size());
  for (const v1::RegionRow& r : rows) {
    out.push_back({r.code(), r.parent_code(), r.name(), r.source_file(), r.source_line()});
  }
  return out;
}

// The NOT_FOUND of an import names it.
std::string ImportWhat(absl::string_view id) {
  return absl::StrCat("region import ", rules::ImportName(id));
}

// After staging failed with ALREADY_EXISTS (`status`): a code staged by an earlier chunk.
// Names the first such row and where the first one came from; `status` when none is found.
absl::Status NameStagedBefore(sql::Database& db, const store::Regions& regions,
                              const std::string& import_id,
                              const std::vector<store::ImportRow>& rows, absl::Status status) {
  std::vector<std::string> codes;
  codes.reserve(rows.size());
  for (const store::ImportRow& row : rows) codes.push_back(row.code);
  absl::flat_hash_map<std::string, store::ImportRow> earlier;
  auto st = db.Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
    IBM_ASSIGN_OR_RETURN(earlier, regions.StagedAmong(s, import_id, codes));
    return absl::OkStatus();
  });
  if (!st.ok()) return status;
  IBM_RETURN_IF_ERROR(rules::CheckNotStagedBefore(rows, earlier));
  return status;
}

// ---- Search. Results come in (level, code) order. Every word of the query goes through the
// word index: each word's index range is counted (up to a cap) and the rarest one drives.
// When even the rarest word is common (every word matches more than kSearchDriverCap
// names), the regions are scanned in order instead, with every word checked on each name;
// a call examines at most kSearchScanBound rows and may return a short page whose token
// continues after the last row examined. The deadline is checked between batches.
constexpr int kSearchDriverCap = 2000;
constexpr int kSearchScanBound = 3000;
constexpr int kSearchScanBatch = 500;

struct Found {
  std::vector<store::Region> regions;  // in (level, code) order, at most the page size
  bool more = false;                   // a next page may hold more; it starts after `next`
  rules::SearchPosition next;
};

absl::Status CheckDeadline(absl::Time deadline) {
  if (absl::Now() < deadline) return absl::OkStatus();
  return absl::DeadlineExceededError("the search ran out of time; narrow it with level or within");
}

bool Matches(const store::Region& r, const std::vector<std::string>& words) {
  return !r.retired_in && rules::NameHasEveryWord(rules::NameWords(r.name), words);
}

// The rarest word's regions (at most the cap), checked for the other words, sorted.
absl::StatusOr<Found> SearchFromWord(sql::Session& s, const store::Regions& regions,
                                     const std::string& driver,
                                     const std::vector<std::string>& words, int level,
                                     const std::string& within, const rules::SearchPosition& after,
                                     int page_size) {
  std::optional<store::KeyRange> inside;
  if (!within.empty()) inside = rules::CodesInside(within);
  IBM_ASSIGN_OR_RETURN(std::vector<store::Region> rows,
                       regions.WithWord(s, rules::WordsStartingWith(driver), inside, level));
  Found found;
  for (store::Region& r : rows) {
    if (rules::IsAfter(after, r.level, r.code) && Matches(r, words)) {
      found.regions.push_back(std::move(r));
    }
  }
  std::sort(found.regions.begin(), found.regions.end(),
            [](const store::Region& a, const store::Region& b) {
              return std::tie(a.level, a.code) < std::tie(b.level, b.code);
            });
  if (found.regions.size() > static_cast<size_t>(page_size)) {
    found.regions.resize(page_size);
    found.more = true;
    found.next = {found.regions.back().level, found.regions.back().code};
  }
  return found;
}

// Every word is common: the regions in (level, code) order, level by level, at most
// kSearchScanBound of them examined.
absl::StatusOr<Found> SearchByScan(sql::Session& s, const store::Regions& regions,
                                   const std::vector<std::string>& words, int level,
                                   const std::string& within, const rules::SearchPosition& after,
                                   int page_size, absl::Time deadline) {
  const store::KeyRange inside = rules::CodesInside(within);
  Found found;
  int examined = 0;
  rules::SearchPosition at = after;
  for (int l = std::max(after.level, level ? level : 1); l <= (level ? level : 4); ++l) {
    std::string from = l == after.level ? after.code : "";
    while (true) {
      IBM_RETURN_IF_ERROR(CheckDeadline(deadline));
      IBM_ASSIGN_OR_RETURN(std::vector<store::Region> batch,
                           regions.OfLevel(s, l, from, inside, kSearchScanBatch));
      for (store::Region& r : batch) {
        ++examined;
        at = {l, r.code};
        if (Matches(r, words)) {
          if (found.regions.size() == static_cast<size_t>(page_size)) {
            // A full page, and another match after it.
            found.more = true;
            found.next = {found.regions.back().level, found.regions.back().code};
            return found;
          }
          found.regions.push_back(std::move(r));
        }
        if (examined >= kSearchScanBound) {
          // Enough work for one call: a short page, continued after the last row examined.
          found.more = true;
          found.next = at;
          return found;
        }
      }
      if (batch.size() < static_cast<size_t>(kSearchScanBatch)) break;
      from = at.code;
    }
  }
  return found;
}

// Regions (not retired) whose name has, for every query word, a word starting with it; of
// `level` if not 0; strictly inside `within` (a code) if not empty; after `after`. Bounded
// work per call; DEADLINE_EXCEEDED past `deadline`.
absl::StatusOr<Found> SearchRegionsBounded(sql::Session& s, const store::Regions& regions,
                                           const std::vector<std::string>& words, int level,
                                           const std::string& within,
                                           const rules::SearchPosition& after, int page_size,
                                           absl::Time deadline) {
  // How common is each word? The count stops at the cap: at most words x cap index entries.
  std::string driver;
  int driver_count = kSearchDriverCap + 1;
  for (const std::string& w : words) {
    IBM_ASSIGN_OR_RETURN(int n,
                         regions.CountWords(s, rules::WordsStartingWith(w), kSearchDriverCap + 1));
    if (n < driver_count) {
      driver = w;
      driver_count = n;
    }
  }
  IBM_RETURN_IF_ERROR(CheckDeadline(deadline));
  if (!driver.empty()) {
    return SearchFromWord(s, regions, driver, words, level, within, after, page_size);
  }
  return SearchByScan(s, regions, words, level, within, after, page_size, deadline);
}

}  // namespace

RegionService::RegionService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::RegionService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* RegionService::GetRegion(CallbackServerContext* ctx,
                                             const v1::GetRegionRequest* req, v1::Region* resp) {
  return calls_.Run(
      ctx, "GetRegion",
      [=, this](const Call& call) -> absl::Status {
        if (auto s = RequireAccess(*call.caller, "GetRegion"); !s.ok()) return s;
        auto code = ParseRegionName(req->name(), "name");
        if (!code.ok()) return code.status();
        const store::Regions regions(core_->dialect());
        store::Region found;
        auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
          IBM_ASSIGN_OR_RETURN(found, regions.Get(s, code->str(), req->name()));
          return absl::OkStatus();
        });
        if (!st.ok()) return st;
        ToProto(found, resp);
        return absl::OkStatus();
      },
      platform::Access::kAuthenticated, platform::Execution::kShortRead);
}

ServerUnaryReactor* RegionService::ListRegions(CallbackServerContext* ctx,
                                               const v1::ListRegionsRequest* req,
                                               v1::ListRegionsResponse* resp) {
  return calls_.Run(ctx, "ListRegions", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "ListRegions"); !s.ok()) return s;
    std::string parent;
    if (!req->parent().empty()) {
      auto code = ParseRegionName(req->parent(), "parent");
      if (!code.ok()) return code.status();
      parent = code->str();
    }
    const std::string query = absl::StrCat("ListRegions|", parent, "|", req->show_retired());
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    const store::Regions regions(core_->dialect());
    std::vector<store::Region> found;
    auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      IBM_ASSIGN_OR_RETURN(
          found, regions.Children(s, parent, page->after, req->show_retired(), page->size + 1));
      if (!found.empty() || parent.empty()) return absl::OkStatus();
      // No children: does the parent exist at all?
      auto exists = regions.Exists(s, parent);
      if (!exists.ok()) return exists.status();
      if (!*exists) return absl::NotFoundError(absl::StrCat(req->parent(), " not found"));
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    resp->set_next_page_token(resource::TrimToPage(core_->pages(), query, found, *page,
                                                   [](const store::Region& r) { return r.code; }));
    for (const auto& r : found) ToProto(r, resp->add_regions());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegionService::SearchRegions(CallbackServerContext* ctx,
                                                 const v1::SearchRegionsRequest* req,
                                                 v1::SearchRegionsResponse* resp) {
  return calls_.Run(ctx, "SearchRegions", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "SearchRegions"); !s.ok()) return s;
    FieldViolations v;
    const std::vector<std::string> words = rules::CheckSearchQuery(v, req->query());
    if (!v1::RegionLevel_IsValid(req->level())) v.Add("level", "is not a region level");
    std::string within;
    if (!req->within().empty()) {
      auto code = ParseRegionName(req->within(), "within");
      if (code.ok()) {
        within = code->str();
      } else {
        v.Add("within", "must be a resource name like regions/32.73");
      }
    }
    if (!v.empty()) return v.status();
    const std::string query =
        absl::StrCat("SearchRegions|", absl::StrJoin(words, " "), "|", req->level(), "|", within);
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    auto after = rules::ParseSearchPosition(page->after);
    if (!after.ok()) return after.status();
    const store::Regions regions(core_->dialect());
    Found found;
    auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
      IBM_ASSIGN_OR_RETURN(found, SearchRegionsBounded(s, regions, words, req->level(), within,
                                                       *after, page->size, call.deadline));
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    if (found.more) {
      resp->set_next_page_token(
          core_->pages().Next(query, rules::FormatSearchPosition(found.next)));
    }
    for (const auto& r : found.regions) ToProto(r, resp->add_regions());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegionService::ValidateRegionCode(CallbackServerContext* ctx,
                                                      const v1::ValidateRegionCodeRequest* req,
                                                      v1::ValidateRegionCodeResponse* resp) {
  return calls_.Run(
      ctx, "ValidateRegionCode",
      [=, this](const Call& call) -> absl::Status {
        if (auto s = RequireAccess(*call.caller, "ValidateRegionCode"); !s.ok()) return s;
        if (!v1::RegionLevel_IsValid(req->expected_level())) {
          return InvalidField("expected_level", "is not a region level");
        }
        if (req->code().size() > 100) return InvalidField("code", "must be at most 100 characters");
        auto code = RegionCode::Parse(req->code(), "code");
        if (!code.ok()) {  // not an error: the answer
          resp->set_problem(std::string(code.status().message()));
          return absl::OkStatus();
        }
        const store::Regions regions(core_->dialect());
        std::optional<store::Region> found;
        auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
          IBM_ASSIGN_OR_RETURN(found, regions.Find(s, code->str()));
          return absl::OkStatus();
        });
        if (!st.ok()) return st;
        resp->set_level(static_cast<v1::RegionLevel>(code->level()));
        resp->set_exists(found.has_value());
        resp->set_retired(found && found->retired_in.has_value());
        resp->set_problem(rules::CodeProblem(code->level(), req->expected_level(), found));
        resp->set_valid(resp->problem().empty());
        return absl::OkStatus();
      },
      platform::Access::kAuthenticated, platform::Execution::kShortRead);
}

ServerUnaryReactor* RegionService::BeginRegionImport(CallbackServerContext* ctx,
                                                     const v1::BeginRegionImportRequest* req,
                                                     v1::RegionImport* resp) {
  return calls_.Run(ctx, "BeginRegionImport", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "BeginRegionImport"); !s.ok()) return s;
    FieldViolations v;
    CheckText(v, "edition", req->edition(), 100, true);
    CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    const store::Regions regions(core_->dialect());
    store::RegionImport made;
    auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      IBM_ASSIGN_OR_RETURN(
          std::optional<std::string> done,
          core_->FindCreate(s, *call.caller, "BeginRegionImport", req->request_id(), *req));
      if (done) {
        auto id = rules::ParseImportName(*done);
        if (!id.ok()) return IBM_BUG("remembered create of a malformed import name");
        IBM_ASSIGN_OR_RETURN(made, regions.GetImport(s, *id, ImportWhat(*id)));
        return absl::OkStatus();
      }
      made = store::RegionImport{"imp" + platform::RandomId(10),
                                 req->edition(),
                                 store::ImportState::kStaging,
                                 0,
                                 0,
                                 "",
                                 core_->NowMicros(),
                                 std::nullopt};
      IBM_RETURN_IF_ERROR(
          regions.InsertImport(s, made, req->request_id(), call.caller->subject.substr(0, 200)));
      return core_->RememberCreate(s, *call.caller, "BeginRegionImport", req->request_id(), *req,
                                   rules::ImportName(made.id));
    });
    if (!st.ok()) return st;
    ToProto(made, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegionService::AddRegionImportRows(CallbackServerContext* ctx,
                                                       const v1::AddRegionImportRowsRequest* req,
                                                       v1::RegionImport* resp) {
  return calls_.Run(ctx, "AddRegionImportRows", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "AddRegionImportRows"); !s.ok()) return s;
    auto id = rules::ParseImportName(req->name());
    if (!id.ok()) return id.status();
    if (auto s = rules::CheckChunkSize(req->rows_size()); !s.ok()) return s;  // the size first
    const std::vector<store::ImportRow> rows = FromProto(req->rows());
    FieldViolations v;
    rules::CheckChunk(v, req->chunk_index(), rows);
    if (!v.empty()) return v.status();
    const store::Regions regions(core_->dialect());
    store::RegionImport staged;
    auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      IBM_ASSIGN_OR_RETURN(staged, regions.GetImport(s, *id, ImportWhat(*id), /*for_update=*/true));
      IBM_RETURN_IF_ERROR(rules::CheckStaging(staged.state, req->name()));
      IBM_ASSIGN_OR_RETURN(bool seen, regions.HasChunk(s, *id, req->chunk_index()));
      if (seen) return absl::OkStatus();  // a retried chunk: stored once
      IBM_RETURN_IF_ERROR(rules::CheckImportRoom(staged.staged_rows, req->rows_size()));
      return regions.StageChunk(s, staged, req->chunk_index(), rows);
    });
    if (st.code() == absl::StatusCode::kAlreadyExists) {
      return NameStagedBefore(core_->db(), regions, *id, rows, st);
    }
    if (!st.ok()) return st;
    ToProto(staged, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegionService::CommitRegionImport(CallbackServerContext* ctx,
                                                      const v1::CommitRegionImportRequest* req,
                                                      v1::RegionImport* resp) {
  return calls_.Run(ctx, "CommitRegionImport", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "CommitRegionImport"); !s.ok()) return s;
    auto id = rules::ParseImportName(req->name());
    if (!id.ok()) return id.status();
    const store::Regions regions(core_->dialect());
    store::RegionImport import;
    auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      IBM_ASSIGN_OR_RETURN(import, regions.GetImport(s, *id, ImportWhat(*id), /*for_update=*/true));
      IBM_ASSIGN_OR_RETURN(bool apply,
                           rules::NeedsCommit(import.state, import.staged_rows, req->name()));
      if (!apply) return absl::OkStatus();  // committed already: the answer is the import
      IBM_ASSIGN_OR_RETURN(std::vector<store::ImportRow> staged, regions.Staged(s, *id));
      IBM_ASSIGN_OR_RETURN(std::vector<store::KnownRegion> known, regions.Known(s));
      IBM_ASSIGN_OR_RETURN(rules::ImportPlan plan,
                           rules::PlanImport(import.edition, std::move(staged), known));
      IBM_RETURN_IF_ERROR(regions.ApplyEdition(s, *id, plan.changes));
      import.state = store::ImportState::kCommitted;
      import.counts = CountsOf(plan.counts);
      import.commit_time_us = core_->NowMicros();
      IBM_RETURN_IF_ERROR(regions.FinishImport(s, import));
      return core_->RecordChange(s, *call.caller,
                                 {req->name(),
                                  v1::Change::ACTION_IMPORT,
                                  {"regions"},
                                  rules::ImportSummary(import.edition, plan),
                                  ""});
    });
    if (!st.ok()) return st;
    ToProto(import, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegionService::ListRegionEditions(CallbackServerContext* ctx,
                                                      const v1::ListRegionEditionsRequest* req,
                                                      v1::ListRegionEditionsResponse* resp) {
  return calls_.Run(ctx, "ListRegionEditions", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "ListRegionEditions"); !s.ok()) return s;
    const std::string query = "ListRegionEditions";
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    auto after = rules::ParseEditionsPosition(page->after);  // newest first
    if (!after.ok()) return after.status();
    const store::Regions regions(core_->dialect());
    std::vector<store::RegionImport> found;
    auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
      IBM_ASSIGN_OR_RETURN(
          found, regions.Committed(s, after->before_time_us, after->after_id, page->size + 1));
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    resp->set_next_page_token(
        resource::TrimToPage(core_->pages(), query, found, *page, [](const store::RegionImport& i) {
          return rules::FormatEditionsPosition(i.commit_time_us.value_or(0), i.id);
        }));
    for (const auto& i : found) ToProto(i, resp->add_imports());
    return absl::OkStatus();
  });
}

}  // namespace ibm::registry
