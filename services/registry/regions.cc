// Regions: reads, search, code validation and the staged import of an edition.
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "domain/region_row.h"
#include "platform/crypto.h"
#include "registry/services.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;
using platform::InvalidField;

constexpr char kRegionColumns[] =
    "code, level, parent_code, name, first_edition, last_edition, retired_in";
constexpr int kMaxRowsPerChunk = 5000;
// An import holds at most this many staged rows (the national edition has 91,599).
constexpr int64_t kMaxRowsPerImport = 250000;

void ToRegion(const sql::Row& row, v1::Region* r) {
  r->set_name(RegionName(row.Text(0)));
  r->set_code(row.Text(0));
  r->set_level(static_cast<v1::RegionLevel>(row.Int(1)));
  if (auto parent = row.OptText(2)) r->set_parent(RegionName(*parent));
  r->set_display_name(row.Text(3));
  r->set_first_edition(row.Text(4));
  r->set_last_edition(row.Text(5));
  r->set_retired_in_edition(row.OptText(6).value_or(""));
}

// The code range of everything inside `code`: [code + ".", code + "/").
std::pair<std::string, std::string> Inside(const std::string& code) {
  return {code + ".", code + "/"};
}

// The exclusive upper bound of words starting with `prefix`.
std::string PrefixEnd(const std::string& prefix) { return prefix + "\xf4\x8f\xbf\xbf"; }

absl::StatusOr<std::string> ParseImportName(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "regionImports/") || name.empty() || name.size() > 40) {
    return InvalidField("name", "must be a resource name like regionImports/{id}");
  }
  return std::string(name);
}

absl::Status LoadImport(sql::Session& s, const std::string& id, v1::RegionImport* out,
                        bool for_update, const sql::Dialect& dialect) {
  auto row = s.QueryOne(
      absl::StrCat("SELECT id, edition, state, staged_rows, staged_chunks, counts, create_time, "
                   "commit_time FROM region_imports WHERE id = ?",
                   for_update ? dialect.ForUpdate() : ""),
      {id}, absl::StrCat("region import regionImports/", id));
  if (!row.ok()) return row.status();
  out->Clear();
  if (row->IsNull(5) == false) out->ParseFromString(row->Blob(5));  // the counts
  out->set_name(absl::StrCat("regionImports/", row->Text(0)));
  out->set_edition(row->Text(1));
  out->set_state(static_cast<v1::RegionImport::State>(row->Int(2)));
  out->set_staged_rows(row->Int(3));
  out->set_staged_chunks(static_cast<int32_t>(row->Int(4)));
  *out->mutable_create_time() = ToTimestamp(row->Int(6));
  if (auto t = row->OptInt(7)) *out->mutable_commit_time() = ToTimestamp(*t);
  return absl::OkStatus();
}

std::string Source(const v1::RegionRow& row) {
  return absl::StrCat(
      row.source_file().empty() ? "row" : platform::Truncated(row.source_file(), 100), ":",
      row.source_line());
}

// Checks one staged row with the rules ibmctl applies to the files (domain/region_row.h).
void CheckRow(FieldViolations& v, int i, const v1::RegionRow& row) {
  const std::string at = absl::StrCat("rows[", i, "]");
  for (const auto& problem : domain::CheckRegionRow(row.code(), row.parent_code(), row.name())) {
    v.Add(absl::StrCat(at, ".", problem.field), absl::StrCat(Source(row), ": ", problem.message));
  }
  if (row.source_file().size() > 100) v.Add(at + ".source_file", "must be at most 100 bytes");
}

// ---- Search. Results come in (level, code) order. Every word of the query goes through the
// word index: each word's index range is counted (up to a cap) and the rarest one drives.
// When even the rarest word is common (every word matches more than kSearchDriverCap
// names), the regions are scanned in order instead, with every word checked on each name;
// a call examines at most kSearchScanBound rows and may return a short page whose token
// continues after the last row examined. The deadline is checked between batches.
constexpr size_t kMaxSearchWords = 8;
constexpr int kSearchDriverCap = 2000;
constexpr int kSearchScanBound = 3000;
constexpr int kSearchScanBatch = 500;

bool NameHasEveryWord(const std::vector<std::string>& name_words,
                      const std::vector<std::string>& query_words) {
  return std::all_of(query_words.begin(), query_words.end(), [&](const std::string& w) {
    return std::any_of(name_words.begin(), name_words.end(),
                       [&](const std::string& n) { return absl::StartsWith(n, w); });
  });
}

absl::Status CheckDeadline(absl::Time deadline) {
  if (absl::Now() < deadline) return absl::OkStatus();
  return absl::DeadlineExceededError("the search ran out of time; narrow it with level or within");
}

struct StagedRow {
  std::string parent, name, source;
  int level;
};
struct ExistingRow {
  std::string name;
  bool retired;
  int level;
};

}  // namespace

std::vector<std::string> NameWords(absl::string_view name) {
  std::vector<std::string> words;
  std::string word;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(c) || u >= 0x80) {
      word += absl::ascii_tolower(c);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  // Each word once: "Kota Bau Bau" and "Grong-grong" repeat one (509 names in the data).
  std::vector<std::string> unique;
  for (auto& w : words) {
    w.resize(std::min<size_t>(w.size(), 100));
    if (std::find(unique.begin(), unique.end(), w) == unique.end()) unique.push_back(std::move(w));
  }
  return unique;
}

absl::StatusOr<SearchPosition> ParseSearchPosition(absl::string_view text) {
  // "<level>|<code>", as FormatSearchPosition writes it (inside a sealed page token).
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits('|', 1));
  int level = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &level) || level < 1 || level > 4 ||
      !RegionCode::Parse(parts[1]).ok()) {
    return InvalidField("page_token", "is not a page token of this search");
  }
  return SearchPosition{level, std::string(parts[1])};
}

std::string FormatSearchPosition(const SearchPosition& p) {
  return absl::StrCat(p.level, "|", p.code);
}

absl::StatusOr<SearchResult> SearchRegionsBounded(sql::Database& db,
                                                  const std::vector<std::string>& words, int level,
                                                  const std::string& within,
                                                  const SearchPosition& after, int page_size,
                                                  absl::Time deadline) {
  auto [lo, hi] = within.empty() ? std::pair<std::string, std::string>{"", "\x7f"} : Inside(within);
  auto is_after = [&](int row_level, const std::string& code) {
    return row_level > after.level || (row_level == after.level && code > after.code);
  };
  SearchResult result;

  // How common is each word? The count stops at the cap: at most words x cap index entries.
  std::string driver;
  int driver_count = kSearchDriverCap + 1;
  for (const std::string& w : words) {
    auto counted = db.Query(
        "SELECT COUNT(*) FROM (SELECT 1 FROM region_words WHERE word >= ? AND word < ? LIMIT ?) t",
        {w, PrefixEnd(w), kSearchDriverCap + 1});
    if (!counted.ok()) return counted.status();
    const int n = static_cast<int>(counted->front().Int(0));
    if (n < driver_count) {
      driver = w;
      driver_count = n;
    }
  }
  if (auto s = CheckDeadline(deadline); !s.ok()) return s;

  if (!driver.empty()) {
    // The rarest word's names (at most the cap), checked for the other words, sorted.
    // The word index drives (CROSS JOIN keeps SQLite from scanning regions by code instead).
    sql::Params params = {driver, PrefixEnd(driver)};
    if (!within.empty()) params.insert(params.end(), {lo, hi});
    if (level) params.push_back(level);
    auto rows = db.Query(
        absl::StrCat("SELECT DISTINCT r.code, r.level, r.parent_code, r.name, r.first_edition, "
                     "r.last_edition, r.retired_in FROM region_words w CROSS JOIN regions r ON "
                     "r.code = w.code WHERE w.word >= ? AND w.word < ? AND r.retired_in IS NULL",
                     within.empty() ? "" : " AND r.code >= ? AND r.code < ?",
                     level ? " AND r.level = ?" : ""),
        params);
    if (!rows.ok()) return rows.status();
    std::vector<sql::Row> found;
    for (auto& row : *rows) {
      if (is_after(static_cast<int>(row.Int(1)), row.Text(0)) &&
          NameHasEveryWord(NameWords(row.Text(3)), words)) {
        found.push_back(std::move(row));
      }
    }
    std::sort(found.begin(), found.end(), [](const sql::Row& a, const sql::Row& b) {
      return std::make_pair(a.Int(1), a.Text(0)) < std::make_pair(b.Int(1), b.Text(0));
    });
    if (found.size() > static_cast<size_t>(page_size)) {
      found.erase(found.begin() + page_size, found.end());
      result.more = true;
      result.next = {static_cast<int>(found.back().Int(1)), found.back().Text(0)};
    }
    result.rows = std::move(found);
    return result;
  }

  // Every word is common: scan the regions in (level, code) order, level by level.
  int examined = 0;
  SearchPosition at = after;
  for (int l = std::max(after.level, level ? level : 1); l <= (level ? level : 4); ++l) {
    std::string from = l == after.level ? after.code : "";
    while (true) {
      if (auto s = CheckDeadline(deadline); !s.ok()) return s;
      auto rows = db.Query(
          "SELECT code, level, parent_code, name, first_edition, last_edition, retired_in "
          "FROM regions WHERE level = ? AND code > ? AND code >= ? AND code < ? "
          "ORDER BY code LIMIT ?",
          {l, from, lo, hi, kSearchScanBatch});
      if (!rows.ok()) return rows.status();
      for (auto& row : *rows) {
        ++examined;
        at = {l, row.Text(0)};
        if (row.IsNull(6) && NameHasEveryWord(NameWords(row.Text(3)), words)) {
          if (result.rows.size() == static_cast<size_t>(page_size)) {
            // A full page, and another match after it.
            result.more = true;
            result.next = {static_cast<int>(result.rows.back().Int(1)), result.rows.back().Text(0)};
            return result;
          }
          result.rows.push_back(std::move(row));
        }
        if (examined >= kSearchScanBound) {
          // Enough work for one call: a short page, continued after the last row examined.
          result.more = true;
          result.next = at;
          return result;
        }
      }
      if (rows->size() < static_cast<size_t>(kSearchScanBatch)) break;
      from = at.code;
    }
  }
  return result;
}

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
        auto rows = core_->db().Query(
            absl::StrCat("SELECT ", kRegionColumns, " FROM regions WHERE code = ?"), {code->str()});
        if (!rows.ok()) return rows.status();
        if (rows->empty()) return absl::NotFoundError(absl::StrCat(req->name(), " not found"));
        ToRegion(rows->front(), resp);
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
    std::string sql = absl::StrCat(
        "SELECT ", kRegionColumns, " FROM regions WHERE ",
        parent.empty() ? "level = 1 AND ? = ''" : "parent_code = ?", " AND code > ?",
        req->show_retired() ? "" : " AND retired_in IS NULL", " ORDER BY code LIMIT ?");
    auto rows = core_->db().Query(sql, {parent, page->after, page->size + 1});
    if (!rows.ok()) return rows.status();
    if (rows->empty() && !parent.empty()) {
      auto exists = core_->db().Query("SELECT 1 FROM regions WHERE code = ?", {parent});
      if (!exists.ok()) return exists.status();
      if (exists->empty()) return absl::NotFoundError(absl::StrCat(req->parent(), " not found"));
    }
    resp->set_next_page_token(TrimPage(*core_, query, *rows, *page));
    for (const auto& row : *rows) ToRegion(row, resp->add_regions());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegionService::SearchRegions(CallbackServerContext* ctx,
                                                 const v1::SearchRegionsRequest* req,
                                                 v1::SearchRegionsResponse* resp) {
  return calls_.Run(ctx, "SearchRegions", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "SearchRegions"); !s.ok()) return s;
    FieldViolations v;
    std::vector<std::string> words = NameWords(req->query());
    if (req->query().size() > 100) {
      v.Add("query", "must be at most 100 characters");
    } else if (words.empty()) {
      v.Add("query", "must contain at least one letter or digit");
    } else if (words.size() > kMaxSearchWords) {
      v.Add("query", absl::StrCat("must have at most ", kMaxSearchWords, " words"));
    }
    if (!v1::RegionLevel_IsValid(req->level())) v.Add("level", "is not a region level");
    std::string within;
    if (!req->within().empty()) {
      auto code = ParseRegionName(req->within(), "within");
      if (code.ok())
        within = code->str();
      else
        v.Add("within", "must be a resource name like regions/32.73");
    }
    if (!v.empty()) return v.status();
    const std::string query =
        absl::StrCat("SearchRegions|", absl::StrJoin(words, " "), "|", req->level(), "|", within);
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    SearchPosition after;
    if (!page->after.empty()) {
      auto parsed = ParseSearchPosition(page->after);
      if (!parsed.ok()) return parsed.status();
      after = *parsed;
    }
    auto result = SearchRegionsBounded(core_->db(), words, static_cast<int>(req->level()), within,
                                       after, page->size, call.deadline);
    if (!result.ok()) return result.status();
    if (result->more) {
      resp->set_next_page_token(core_->pages().Next(query, FormatSearchPosition(result->next)));
    }
    for (const auto& row : result->rows) ToRegion(row, resp->add_regions());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegionService::ValidateRegionCode(CallbackServerContext* ctx,
                                                      const v1::ValidateRegionCodeRequest* req,
                                                      v1::ValidateRegionCodeResponse* resp) {
  return calls_.Run(ctx, "ValidateRegionCode", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "ValidateRegionCode"); !s.ok()) return s;
    if (!v1::RegionLevel_IsValid(req->expected_level())) {
      return InvalidField("expected_level", "is not a region level");
    }
    if (req->code().size() > 100) return InvalidField("code", "must be at most 100 characters");
    auto code = RegionCode::Parse(req->code(), "code");
    if (!code.ok()) {
      resp->set_problem(std::string(code.status().message()));
      return absl::OkStatus();
    }
    resp->set_level(static_cast<v1::RegionLevel>(code->level()));
    auto rows = core_->db().Query("SELECT retired_in FROM regions WHERE code = ?", {code->str()});
    if (!rows.ok()) return rows.status();
    resp->set_exists(!rows->empty());
    resp->set_retired(!rows->empty() && !rows->front().IsNull(0));
    if (req->expected_level() && static_cast<int>(code->level()) != req->expected_level()) {
      resp->set_problem(absl::StrCat(
          "is a ", domain::RegionLevelName(code->level()), " code, not a ",
          domain::RegionLevelName(static_cast<domain::RegionLevel>(req->expected_level())),
          " code"));
    } else if (!resp->exists()) {
      resp->set_problem("does not exist in the registry");
    } else if (resp->retired()) {
      resp->set_problem(absl::StrCat("was retired in edition ", *rows->front().OptText(0)));
    }
    resp->set_valid(resp->problem().empty());
    return absl::OkStatus();
  });
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
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto done = core_->FindCreate(s, *call.caller, "BeginRegionImport", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        return LoadImport(s, std::string(absl::string_view(**done).substr(14)), resp, false,
                          core_->dialect());
      }
      const std::string id = "imp" + platform::RandomId(10);
      auto r = s.Exec(
          "INSERT INTO region_imports (id, edition, state, request_id, actor, staged_rows, "
          "staged_chunks, create_time) VALUES (?, ?, ?, ?, ?, 0, 0, ?)",
          {id, req->edition(), static_cast<int>(v1::RegionImport::STATE_STAGING), req->request_id(),
           call.caller->subject.substr(0, 200), core_->NowMicros()});
      if (!r.ok()) return r.status();
      if (auto st = core_->RememberCreate(s, *call.caller, "BeginRegionImport", req->request_id(),
                                          *req, "regionImports/" + id);
          !st.ok()) {
        return st;
      }
      return LoadImport(s, id, resp, false, core_->dialect());
    });
  });
}

ServerUnaryReactor* RegionService::AddRegionImportRows(CallbackServerContext* ctx,
                                                       const v1::AddRegionImportRowsRequest* req,
                                                       v1::RegionImport* resp) {
  return calls_.Run(ctx, "AddRegionImportRows", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "AddRegionImportRows"); !s.ok()) return s;
    auto id = ParseImportName(req->name());
    if (!id.ok()) return id.status();
    if (req->rows().empty() || req->rows_size() > kMaxRowsPerChunk) {  // the size first
      return InvalidField("rows", absl::StrCat("must hold 1-", kMaxRowsPerChunk, " rows"));
    }
    FieldViolations v;
    if (req->chunk_index() < 0) v.Add("chunk_index", "must not be negative");
    absl::flat_hash_map<std::string, int> in_chunk;
    for (int i = 0; i < req->rows_size(); ++i) {
      CheckRow(v, i, req->rows(i));
      auto [it, fresh] = in_chunk.emplace(req->rows(i).code(), i);
      if (!fresh) {
        v.Add(absl::StrCat("rows[", i, "].code"),
              absl::StrCat(Source(req->rows(i)), ": duplicates ", Source(req->rows(it->second))));
      }
    }
    if (!v.empty()) return v.status();

    std::vector<sql::Value> values;
    values.reserve(req->rows_size() * 6);
    for (const auto& row : req->rows()) {
      values.insert(values.end(),
                    {*id, row.code(),
                     row.parent_code().empty() ? sql::Value() : sql::Value(row.parent_code()),
                     row.name(), row.source_file(), row.source_line()});
    }
    absl::Status status =
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          if (auto st = LoadImport(s, *id, resp, true, core_->dialect()); !st.ok()) return st;
          if (resp->state() != v1::RegionImport::STATE_STAGING) {
            return absl::FailedPreconditionError(
                absl::StrCat(req->name(), " is already committed; begin a new import"));
          }
          auto seen =
              s.Query("SELECT 1 FROM region_import_chunks WHERE import_id = ? AND chunk_index = ?",
                      {*id, req->chunk_index()});
          if (!seen.ok()) return seen.status();
          if (!seen->empty()) return absl::OkStatus();  // a retried chunk: stored once
          if (resp->staged_rows() + req->rows_size() > kMaxRowsPerImport) {
            return absl::FailedPreconditionError(absl::StrCat(
                "an import holds at most ", kMaxRowsPerImport, " rows; this chunk would make ",
                resp->staged_rows() + req->rows_size()));
          }
          if (auto r = s.Exec("INSERT INTO region_import_chunks (import_id, chunk_index, "
                              "rows_count) VALUES (?, ?, ?)",
                              {*id, req->chunk_index(), req->rows_size()});
              !r.ok()) {
            return r.status();
          }
          if (auto st =
                  s.InsertRows("INSERT INTO region_import_rows (import_id, code, parent_code, "
                               "name, source_file, source_line)",
                               6, values, 400);
              !st.ok()) {
            return st;
          }
          auto r = s.Exec(
              "UPDATE region_imports SET staged_rows = staged_rows + ?, "
              "staged_chunks = staged_chunks + 1 WHERE id = ?",
              {req->rows_size(), *id});
          if (!r.ok()) return r.status();
          return LoadImport(s, *id, resp, false, core_->dialect());
        });
    if (status.code() != absl::StatusCode::kAlreadyExists) return status;
    // A code staged by an earlier chunk: name the row and where the first one came from.
    for (int i = 0; i < req->rows_size(); ++i) {
      auto rows = core_->db().Query(
          "SELECT source_file, source_line FROM region_import_rows WHERE import_id = ? AND code = "
          "?",
          {*id, req->rows(i).code()});
      if (rows.ok() && !rows->empty()) {
        return InvalidField(absl::StrCat("rows[", i, "].code"),
                            absl::StrCat(Source(req->rows(i)), ": duplicates ",
                                         rows->front().Text(0), ":", rows->front().Int(1)));
      }
    }
    return status;
  });
}

ServerUnaryReactor* RegionService::CommitRegionImport(CallbackServerContext* ctx,
                                                      const v1::CommitRegionImportRequest* req,
                                                      v1::RegionImport* resp) {
  return calls_.Run(ctx, "CommitRegionImport", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "CommitRegionImport"); !s.ok()) return s;
    auto id = ParseImportName(req->name());
    if (!id.ok()) return id.status();
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      if (auto st = LoadImport(s, *id, resp, true, core_->dialect()); !st.ok()) return st;
      if (resp->state() == v1::RegionImport::STATE_COMMITTED) return absl::OkStatus();
      if (resp->staged_rows() == 0) {
        return absl::FailedPreconditionError(absl::StrCat(req->name(), " has no rows to commit"));
      }
      const std::string edition = resp->edition();

      auto staged_rows = s.Query(
          "SELECT code, parent_code, name, source_file, source_line FROM region_import_rows "
          "WHERE import_id = ?",
          {*id});
      if (!staged_rows.ok()) return staged_rows.status();
      absl::flat_hash_map<std::string, StagedRow> staged;
      staged.reserve(staged_rows->size());
      for (const auto& row : *staged_rows) {
        std::string code = row.Text(0);
        int level = static_cast<int>(std::count(code.begin(), code.end(), '.')) + 1;
        staged.emplace(std::move(code),
                       StagedRow{row.OptText(1).value_or(""), row.Text(2),
                                 absl::StrCat(row.Text(3), ":", row.Int(4)), level});
      }
      auto existing_rows = s.Query("SELECT code, name, retired_in, level FROM regions");
      if (!existing_rows.ok()) return existing_rows.status();
      absl::flat_hash_map<std::string, ExistingRow> existing;
      existing.reserve(existing_rows->size());
      for (const auto& row : *existing_rows) {
        existing.emplace(row.Text(0),
                         ExistingRow{row.Text(1), !row.IsNull(2), static_cast<int>(row.Int(3))});
      }

      // Every parent must be in this edition or already in the registry.
      std::map<int, v1::RegionImportCount> counts;
      std::vector<sql::Value> added, added_words;
      std::vector<std::pair<std::string, std::string>> renamed;  // code, new name
      std::vector<std::string> revived;
      for (const auto& [code, row] : staged) {
        if (!row.parent.empty() && !staged.contains(row.parent) && !existing.contains(row.parent)) {
          return platform::WithReason(absl::FailedPreconditionError(absl::StrCat(
                                          row.source, ": the parent ", row.parent, " of ", code,
                                          " is neither in this edition nor in the registry")),
                                      "MISSING_PARENT");
        }
        auto& count = counts[row.level];
        count.set_rows(count.rows() + 1);
        auto it = existing.find(code);
        if (it == existing.end()) {
          count.set_added(count.added() + 1);
          added.insert(added.end(),
                       {code, row.level, row.parent.empty() ? sql::Value() : sql::Value(row.parent),
                        row.name, edition, edition});
          for (auto& w : NameWords(row.name)) added_words.insert(added_words.end(), {w, code});
        } else {
          if (it->second.name != row.name) {
            count.set_renamed(count.renamed() + 1);
            renamed.emplace_back(code, row.name);
          } else {
            count.set_unchanged(count.unchanged() + 1);
          }
          if (it->second.retired) revived.push_back(code);
        }
      }
      std::vector<std::string> retired;
      for (const auto& [code, row] : existing) {
        // Only levels this edition lists are complete in it; the others are left alone.
        if (!row.retired && counts.contains(row.level) && !staged.contains(code)) {
          retired.push_back(code);
          auto& count = counts[row.level];
          count.set_retired(count.retired() + 1);
        }
      }

      // Parents first: provinces sort before their regencies, and so on.
      if (auto st = s.InsertRows("INSERT INTO regions (code, level, parent_code, name, "
                                 "first_edition, last_edition)",
                                 6, added);
          !st.ok()) {
        return st;
      }
      if (auto st = s.InsertRows("INSERT INTO region_words (word, code)", 2, added_words, 1000);
          !st.ok()) {
        return st;
      }
      for (const auto& [code, name] : renamed) {
        std::vector<sql::Value> words;
        for (auto& w : NameWords(name)) words.insert(words.end(), {w, code});
        if (auto r = s.Exec("UPDATE regions SET name = ? WHERE code = ?", {name, code}); !r.ok()) {
          return r.status();
        }
        if (auto r = s.Exec("DELETE FROM region_words WHERE code = ?", {code}); !r.ok()) {
          return r.status();
        }
        if (auto st = s.InsertRows("INSERT INTO region_words (word, code)", 2, words); !st.ok()) {
          return st;
        }
      }
      auto set_for = [&](const std::vector<std::string>& codes, absl::string_view set,
                         const sql::Value& value) -> absl::Status {
        for (size_t start = 0; start < codes.size(); start += 500) {
          size_t n = std::min<size_t>(500, codes.size() - start);
          sql::Params params = {value};
          params.insert(params.end(), codes.begin() + start, codes.begin() + start + n);
          auto r = s.Exec(
              absl::StrCat("UPDATE regions SET ", set, " WHERE code IN ", sql::Placeholders(n)),
              params);
          if (!r.ok()) return r.status();
        }
        return absl::OkStatus();
      };
      if (auto st = set_for(retired, "retired_in = ?", edition); !st.ok()) return st;
      if (auto st = set_for(revived, "retired_in = NULL, last_edition = ?", edition); !st.ok()) {
        return st;
      }
      if (auto r = s.Exec(
              "UPDATE regions SET last_edition = ? WHERE last_edition <> ? AND retired_in IS NULL "
              "AND code IN (SELECT code FROM region_import_rows WHERE import_id = ?)",
              {edition, edition, *id});
          !r.ok()) {
        return r.status();
      }
      if (auto r = s.Exec("DELETE FROM region_import_rows WHERE import_id = ?", {*id}); !r.ok()) {
        return r.status();
      }

      v1::RegionImport summary;
      int64_t n_added = 0, n_renamed = 0, n_retired = 0;
      for (auto& [level, count] : counts) {
        count.set_level(static_cast<v1::RegionLevel>(level));
        n_added += count.added();
        n_renamed += count.renamed();
        n_retired += count.retired();
        *summary.add_counts() = count;
      }
      auto r =
          s.Exec("UPDATE region_imports SET state = ?, counts = ?, commit_time = ? WHERE id = ?",
                 {static_cast<int>(v1::RegionImport::STATE_COMMITTED),
                  sql::Bytes{summary.SerializeAsString()}, core_->NowMicros(), *id});
      if (!r.ok()) return r.status();
      if (auto st = core_->RecordChange(
              s, *call.caller,
              {req->name(),
               v1::Change::ACTION_IMPORT,
               {"regions"},
               absl::StrCat("edition ", edition, ": ", staged.size(), " rows, ", n_added,
                            " added, ", n_renamed, " renamed, ", n_retired, " retired"),
               ""});
          !st.ok()) {
        return st;
      }
      return LoadImport(s, *id, resp, false, core_->dialect());
    });
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
    // Newest first: the key is the commit time as a zero-padded number, then the id.
    int64_t before = INT64_MAX;
    std::string before_id;
    if (!page->after.empty()) {
      // "<20-digit commit time>|<id>", sealed in the token; checked all the same.
      if (page->after.size() < 22 || page->after[20] != '|' ||
          !absl::SimpleAtoi(page->after.substr(0, 20), &before)) {
        return InvalidField("page_token", "is not a page token of this list");
      }
      before_id = page->after.substr(21);
    }
    auto rows = core_->db().Query(
        "SELECT id, commit_time FROM region_imports WHERE state = ? AND "
        "(commit_time < ? OR (commit_time = ? AND id > ?)) ORDER BY commit_time DESC, id LIMIT ?",
        {static_cast<int>(v1::RegionImport::STATE_COMMITTED), before, before, before_id,
         page->size + 1});
    if (!rows.ok()) return rows.status();
    resp->set_next_page_token(TrimPage(*core_, query, *rows, *page, [](const sql::Row& last) {
      return absl::StrFormat("%020d|%s", last.Int(1), last.Text(0));
    }));
    return core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      for (const auto& row : *rows) {
        if (auto st = LoadImport(s, row.Text(0), resp->add_imports(), false, core_->dialect());
            !st.ok()) {
          return st;
        }
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace ibm::registry
