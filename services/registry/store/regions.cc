#include "registry/store/regions.h"

#include <algorithm>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "base/macros.h"

namespace ibm::registry::store {
namespace {

// ---- Regions.
constexpr char kRegionColumns[] =
    "code, level, parent_code, name, first_edition, last_edition, retired_in";
constexpr char kSelectRegion[] = "SELECT %s FROM regions WHERE code = ?";
constexpr char kSelectRegionExists[] = "SELECT 1 FROM regions WHERE code = ?";
constexpr char kSelectProvinces[] =
    "SELECT %s FROM regions WHERE level = 1 AND code > ?%s ORDER BY code LIMIT ?";
constexpr char kSelectChildren[] =
    "SELECT %s FROM regions WHERE parent_code = ? AND code > ?%s ORDER BY code LIMIT ?";
constexpr char kOnlyNotRetired[] = " AND retired_in IS NULL";

// ---- Search.
constexpr char kCountWords[] =
    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM region_words WHERE word >= ? AND word < ? "
    "LIMIT ?) t";
// The word index drives (CROSS JOIN keeps SQLite from scanning regions by code instead).
constexpr char kJoinedRegionColumns[] =
    "r.code AS code, r.level AS level, r.parent_code AS parent_code, r.name AS name, "
    "r.first_edition AS first_edition, r.last_edition AS last_edition, r.retired_in AS retired_in";
constexpr char kSelectRegionsWithWord[] =
    "SELECT DISTINCT %s FROM region_words w CROSS JOIN regions r ON r.code = w.code "
    "WHERE w.word >= ? AND w.word < ? AND r.retired_in IS NULL%s%s";
constexpr char kJoinedInside[] = " AND r.code >= ? AND r.code < ?";
constexpr char kJoinedOfLevel[] = " AND r.level = ?";
// The bounded scan walks one level in code order (index regions_by_level).
constexpr char kSelectRegionsOfLevel[] =
    "SELECT %s FROM regions WHERE level = ? AND code > ? AND code >= ? AND code < ? "
    "ORDER BY code LIMIT ?";

// ---- Imports.
constexpr char kImportColumns[] =
    "id, edition, state, staged_rows, staged_chunks, counts, create_time, commit_time";
constexpr char kSelectImport[] = "SELECT %s FROM region_imports WHERE id = ?";
constexpr char kInsertImport[] =
    "INSERT INTO region_imports (id, edition, state, request_id, actor, staged_rows, "
    "staged_chunks, create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kSelectCommittedImports[] =
    "SELECT %s FROM region_imports WHERE state = ? AND "
    "(commit_time < ? OR (commit_time = ? AND id > ?)) ORDER BY commit_time DESC, id LIMIT ?";
constexpr char kSelectChunk[] =
    "SELECT 1 FROM region_import_chunks WHERE import_id = ? AND chunk_index = ?";
constexpr char kInsertChunk[] =
    "INSERT INTO region_import_chunks (import_id, chunk_index, rows_count) VALUES (?, ?, ?)";
constexpr char kInsertImportRows[] =
    "INSERT INTO region_import_rows (import_id, code, parent_code, name, source_file, "
    "source_line)";
constexpr char kCountChunk[] =
    "UPDATE region_imports SET staged_rows = staged_rows + ?, staged_chunks = staged_chunks + 1 "
    "WHERE id = ?";
constexpr char kImportRowColumns[] = "code, parent_code, name, source_file, source_line";
constexpr char kSelectStagedRows[] =
    "SELECT %s FROM region_import_rows WHERE import_id = ? ORDER BY code";
constexpr char kSelectStagedAmong[] =
    "SELECT %s FROM region_import_rows WHERE import_id = ? AND code IN %s";
constexpr char kSelectKnownRegions[] = "SELECT code, name, retired_in, level FROM regions";
constexpr char kInsertRegions[] =
    "INSERT INTO regions (code, level, parent_code, name, first_edition, last_edition)";
constexpr char kRenameRegion[] = "UPDATE regions SET name = ? WHERE code = ?";
constexpr char kDeleteWordsOf[] = "DELETE FROM region_words WHERE code IN %s";
constexpr char kInsertWords[] = "INSERT INTO region_words (word, code)";
constexpr char kRetireRegions[] = "UPDATE regions SET retired_in = ? WHERE code IN %s";
constexpr char kReviveRegions[] =
    "UPDATE regions SET retired_in = NULL, last_edition = ? WHERE code IN %s";
constexpr char kMarkListed[] =
    "UPDATE regions SET last_edition = ? WHERE last_edition <> ? AND retired_in IS NULL "
    "AND code IN (SELECT code FROM region_import_rows WHERE import_id = ?)";
constexpr char kDeleteStagedRows[] = "DELETE FROM region_import_rows WHERE import_id = ?";
constexpr char kFinishImport[] =
    "UPDATE region_imports SET state = ?, counts = ?, commit_time = ? WHERE id = ?";

// Rows per statement: staged rows (6 values each), index words (2 each), codes in an IN list.
constexpr size_t kStagedRowsPerInsert = 400;
constexpr size_t kWordsPerInsert = 1000;
constexpr size_t kCodesPerStatement = 500;

sql::Value NullIfEmpty(const std::string& text) {
  return text.empty() ? sql::Value() : sql::Value(text);
}

Region RegionFromRow(const sql::Row& row) {
  Region r;
  r.code = row.Text("code");
  r.level = static_cast<int>(row.Int("level"));
  r.parent_code = row.OptText("parent_code").value_or("");
  r.name = row.Text("name");
  r.first_edition = row.Text("first_edition");
  r.last_edition = row.Text("last_edition");
  r.retired_in = row.OptText("retired_in");
  return r;
}

std::vector<Region> RegionsFromRows(const std::vector<sql::Row>& rows) {
  std::vector<Region> out;
  out.reserve(rows.size());
  for (const sql::Row& row : rows) out.push_back(RegionFromRow(row));
  return out;
}

RegionImport ImportFromRow(const sql::Row& row) {
  RegionImport i;
  i.id = row.Text("id");
  i.edition = row.Text("edition");
  i.state = static_cast<ImportState>(row.Int("state"));
  i.staged_rows = row.Int("staged_rows");
  i.staged_chunks = row.Int("staged_chunks");
  if (!row.IsNull("counts")) i.counts = row.Blob("counts");
  i.create_time_us = row.Int("create_time");
  i.commit_time_us = row.OptInt("commit_time");
  return i;
}

ImportRow ImportRowFromRow(const sql::Row& row) {
  ImportRow r;
  r.code = row.Text("code");
  r.parent_code = row.OptText("parent_code").value_or("");
  r.name = row.Text("name");
  r.source_file = row.Text("source_file");
  r.source_line = row.Int("source_line");
  return r;
}

// Runs `pattern` (its "%s" an IN list) for `codes`, a few hundred at a time, with `leading`
// bound before the codes.
absl::Status ForCodes(sql::Session& s, const char* pattern, const sql::Params& leading,
                      const std::vector<std::string>& codes) {
  for (size_t start = 0; start < codes.size(); start += kCodesPerStatement) {
    const size_t n = std::min(kCodesPerStatement, codes.size() - start);
    sql::Params params = leading;
    params.insert(params.end(), codes.begin() + start, codes.begin() + start + n);
    if (auto r = s.Exec(sql::Statement(pattern, {sql::Placeholders(n)}), params); !r.ok())
      return r.status();
  }
  return absl::OkStatus();
}

// GetRegion's statement, on every call of the hottest method: filled in once.
const std::string& SelectRegion() {
  static const std::string* const statement =
      new std::string(sql::Statement(kSelectRegion, {kRegionColumns}));
  return *statement;
}

}  // namespace

absl::StatusOr<Region> Regions::Get(sql::Session& s, absl::string_view code,
                                    absl::string_view name) const {
  auto row = s.QueryOne(SelectRegion(), {code}, name);
  if (!row.ok()) return row.status();
  return RegionFromRow(*row);
}

absl::StatusOr<std::optional<Region>> Regions::Find(sql::Session& s, absl::string_view code) const {
  auto rows = s.Query(SelectRegion(), {code});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return RegionFromRow(rows->front());
}

absl::StatusOr<bool> Regions::Exists(sql::Session& s, absl::string_view code) const {
  auto rows = s.Query(kSelectRegionExists, {code});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

absl::StatusOr<std::vector<Region>> Regions::Children(sql::Session& s, absl::string_view parent,
                                                      absl::string_view after_code,
                                                      bool with_retired, int limit) const {
  const absl::string_view retired = with_retired ? "" : kOnlyNotRetired;
  auto rows = parent.empty() ? s.Query(sql::Statement(kSelectProvinces, {kRegionColumns, retired}),
                                       {after_code, limit})
                             : s.Query(sql::Statement(kSelectChildren, {kRegionColumns, retired}),
                                       {parent, after_code, limit});
  if (!rows.ok()) return rows.status();
  return RegionsFromRows(*rows);
}

absl::StatusOr<int> Regions::CountWords(sql::Session& s, const KeyRange& words, int limit) const {
  auto row = s.QueryOne(kCountWords, {words.from, words.to, limit}, "a count");
  if (!row.ok()) return row.status();
  return static_cast<int>(row->Int("n"));
}

absl::StatusOr<std::vector<Region>> Regions::WithWord(sql::Session& s, const KeyRange& words,
                                                      const std::optional<KeyRange>& inside,
                                                      int level) const {
  sql::Params params = {words.from, words.to};
  if (inside) params.insert(params.end(), {inside->from, inside->to});
  if (level) params.push_back(level);
  auto rows = s.Query(
      sql::Statement(kSelectRegionsWithWord, {kJoinedRegionColumns, inside ? kJoinedInside : "",
                                              level ? kJoinedOfLevel : ""}),
      params);
  if (!rows.ok()) return rows.status();
  return RegionsFromRows(*rows);
}

absl::StatusOr<std::vector<Region>> Regions::OfLevel(sql::Session& s, int level,
                                                     absl::string_view after_code,
                                                     const KeyRange& inside, int limit) const {
  auto rows = s.Query(sql::Statement(kSelectRegionsOfLevel, {kRegionColumns}),
                      {level, after_code, inside.from, inside.to, limit});
  if (!rows.ok()) return rows.status();
  return RegionsFromRows(*rows);
}

absl::StatusOr<RegionImport> Regions::GetImport(sql::Session& s, absl::string_view id,
                                                absl::string_view what, bool for_update) const {
  auto row = s.QueryOne(absl::StrCat(sql::Statement(kSelectImport, {kImportColumns}),
                                     for_update ? dialect_.ForUpdate() : ""),
                        {id}, what);
  if (!row.ok()) return row.status();
  return ImportFromRow(*row);
}

absl::Status Regions::InsertImport(sql::Session& s, const RegionImport& i,
                                   absl::string_view request_id, absl::string_view actor) const {
  return s
      .Exec(kInsertImport, {i.id, i.edition, static_cast<int>(i.state), request_id, actor,
                            i.staged_rows, i.staged_chunks, i.create_time_us})
      .status();
}

absl::StatusOr<std::vector<RegionImport>> Regions::Committed(sql::Session& s,
                                                             int64_t before_time_us,
                                                             absl::string_view after_id,
                                                             int limit) const {
  auto rows = s.Query(
      sql::Statement(kSelectCommittedImports, {kImportColumns}),
      {static_cast<int>(ImportState::kCommitted), before_time_us, before_time_us, after_id, limit});
  if (!rows.ok()) return rows.status();
  std::vector<RegionImport> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(ImportFromRow(row));
  return out;
}

absl::StatusOr<bool> Regions::HasChunk(sql::Session& s, absl::string_view import_id,
                                       int chunk_index) const {
  auto rows = s.Query(kSelectChunk, {import_id, chunk_index});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

absl::Status Regions::StageChunk(sql::Session& s, RegionImport& import, int chunk_index,
                                 const std::vector<ImportRow>& rows) const {
  const int64_t n = static_cast<int64_t>(rows.size());
  if (auto r = s.Exec(kInsertChunk, {import.id, chunk_index, n}); !r.ok()) return r.status();
  sql::Params values;
  values.reserve(rows.size() * 6);
  for (const ImportRow& row : rows) {
    values.insert(values.end(), {import.id, row.code, NullIfEmpty(row.parent_code), row.name,
                                 row.source_file, row.source_line});
  }
  IBM_RETURN_IF_ERROR(s.InsertRows(kInsertImportRows, 6, values, kStagedRowsPerInsert));
  if (auto r = s.Exec(kCountChunk, {n, import.id}); !r.ok()) return r.status();
  import.staged_rows += n;
  import.staged_chunks += 1;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ImportRow>> Regions::Staged(sql::Session& s,
                                                       absl::string_view import_id) const {
  auto rows = s.Query(sql::Statement(kSelectStagedRows, {kImportRowColumns}), {import_id});
  if (!rows.ok()) return rows.status();
  std::vector<ImportRow> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(ImportRowFromRow(row));
  return out;
}

absl::StatusOr<absl::flat_hash_map<std::string, ImportRow>> Regions::StagedAmong(
    sql::Session& s, absl::string_view import_id, const std::vector<std::string>& codes) const {
  absl::flat_hash_map<std::string, ImportRow> out;
  for (size_t start = 0; start < codes.size(); start += kCodesPerStatement) {
    const size_t n = std::min(kCodesPerStatement, codes.size() - start);
    sql::Params params = {import_id};
    params.insert(params.end(), codes.begin() + start, codes.begin() + start + n);
    auto rows = s.Query(
        sql::Statement(kSelectStagedAmong, {kImportRowColumns, sql::Placeholders(n)}), params);
    if (!rows.ok()) return rows.status();
    for (const sql::Row& row : *rows) {
      ImportRow staged = ImportRowFromRow(row);
      std::string code = staged.code;
      out.emplace(std::move(code), std::move(staged));
    }
  }
  return out;
}

absl::StatusOr<std::vector<KnownRegion>> Regions::Known(sql::Session& s) const {
  auto rows = s.Query(kSelectKnownRegions);
  if (!rows.ok()) return rows.status();
  std::vector<KnownRegion> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) {
    out.push_back({row.Text("code"), static_cast<int>(row.Int("level")), row.Text("name"),
                   !row.IsNull("retired_in")});
  }
  return out;
}

absl::Status Regions::ApplyEdition(sql::Session& s, absl::string_view import_id,
                                   const EditionChanges& c) const {
  sql::Params added;
  added.reserve(c.added.size() * 6);
  for (const Region& r : c.added) {
    added.insert(added.end(), {r.code, r.level, NullIfEmpty(r.parent_code), r.name, r.first_edition,
                               r.last_edition});
  }
  IBM_RETURN_IF_ERROR(s.InsertRows(kInsertRegions, 6, added));
  std::vector<std::string> renamed;
  renamed.reserve(c.renamed.size());
  for (const EditionChanges::Rename& r : c.renamed) {
    if (auto e = s.Exec(kRenameRegion, {r.name, r.code}); !e.ok()) return e.status();
    renamed.push_back(r.code);
  }
  IBM_RETURN_IF_ERROR(ForCodes(s, kDeleteWordsOf, {}, renamed));
  sql::Params words;
  words.reserve(c.words.size() * 2);
  for (const RegionWord& w : c.words) words.insert(words.end(), {w.word, w.code});
  IBM_RETURN_IF_ERROR(s.InsertRows(kInsertWords, 2, words, kWordsPerInsert));
  IBM_RETURN_IF_ERROR(ForCodes(s, kRetireRegions, {c.edition}, c.retired));
  IBM_RETURN_IF_ERROR(ForCodes(s, kReviveRegions, {c.edition}, c.revived));
  if (auto e = s.Exec(kMarkListed, {c.edition, c.edition, import_id}); !e.ok()) return e.status();
  return s.Exec(kDeleteStagedRows, {import_id}).status();
}

absl::Status Regions::FinishImport(sql::Session& s, const RegionImport& i) const {
  return s
      .Exec(kFinishImport,
            {static_cast<int>(i.state), sql::Bytes{i.counts}, i.commit_time_us, i.id})
      .status();
}

}  // namespace ibm::registry::store
