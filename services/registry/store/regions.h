#pragma once

// The regions store: every SQL statement about regions, named, and rows mapped by column name into
// plain structs. No protos, no callers, no access rules: those are the handler's.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::registry::store {

// A Kemendagri region as stored. Codes are never deleted: an edition that drops one retires it,
// so references to it still resolve.
struct Region {
  std::string code;
  int level = 0;            // 1 province, 2 regency or city, 3 district, 4 village
  std::string parent_code;  // "" for a province (NULL in the table)
  std::string name;
  std::string first_edition;
  std::string last_edition;
  std::optional<std::string> retired_in;  // the edition that dropped it
};

// A half-open range of keys (codes or words): [from, to).
struct KeyRange {
  std::string from;
  std::string to;
};

// What an import compares an edition with: a region already in the registry.
struct KnownRegion {
  std::string code;
  int level = 0;
  std::string name;
  bool retired = false;
};

// One entry of the search index: a word of a region's name.
struct RegionWord {
  std::string word;
  std::string code;
};

// One row of an edition, as AddRegionImportRows stages it.
struct ImportRow {
  std::string code;
  std::string parent_code;  // "" for a province (NULL in the table)
  std::string name;
  std::string source_file;  // where the row came from, for error messages
  int64_t source_line = 0;
};

// Where an import is: the numbers of ibm.registry.v1.RegionImport.State, as stored.
enum class ImportState : int { kStaging = 1, kCommitted = 2 };

// A staged or committed import of one edition.
struct RegionImport {
  std::string id;
  std::string edition;
  ImportState state = ImportState::kStaging;
  int64_t staged_rows = 0;
  int64_t staged_chunks = 0;
  std::string counts;  // after the commit: what it did per level, as the handler serialized it
  int64_t create_time_us = 0;
  std::optional<int64_t> commit_time_us;
};

// What committing an edition changes, each list in the order it is written (sorted: the
// B-trees then grow at their ends instead of everywhere at once).
struct EditionChanges {
  std::string edition;
  std::vector<Region> added;  // by code: parents before their children
  struct Rename {
    std::string code;
    std::string name;
  };
  std::vector<Rename> renamed;       // by code
  std::vector<RegionWord> words;     // of the added and renamed names, by (word, code)
  std::vector<std::string> retired;  // codes the edition no longer lists, sorted
  std::vector<std::string> revived;  // retired codes it lists again, sorted
};

class Regions {
 public:
  explicit Regions(const sql::Dialect& dialect) : dialect_(dialect) {}

  // ---- Regions.
  // NOT_FOUND naming `name` when there is no such code.
  absl::StatusOr<Region> Get(sql::Session& s, absl::string_view code, absl::string_view name) const;
  // nullopt when there is no such code.
  absl::StatusOr<std::optional<Region>> Find(sql::Session& s, absl::string_view code) const;
  absl::StatusOr<bool> Exists(sql::Session& s, absl::string_view code) const;
  // A page of the regions directly under `parent` (the provinces when it is ""), by code
  // after `after_code`: at most `limit`, the retired ones only `with_retired`.
  absl::StatusOr<std::vector<Region>> Children(sql::Session& s, absl::string_view parent,
                                               absl::string_view after_code, bool with_retired,
                                               int limit) const;

  // ---- Search.
  // How many index entries have a word in `words`, counted up to `limit` (so the count
  // reads at most `limit` entries).
  absl::StatusOr<int> CountWords(sql::Session& s, const KeyRange& words, int limit) const;
  // The regions, not retired, with a word in `words`: each once, in no particular order;
  // only those with a code in `inside` and of `level` when given (level 0: any).
  absl::StatusOr<std::vector<Region>> WithWord(sql::Session& s, const KeyRange& words,
                                               const std::optional<KeyRange>& inside,
                                               int level) const;
  // The regions of `level` with a code in `inside`, by code after `after_code`: at most
  // `limit`, retired ones included.
  absl::StatusOr<std::vector<Region>> OfLevel(sql::Session& s, int level,
                                              absl::string_view after_code, const KeyRange& inside,
                                              int limit) const;

  // ---- Imports.
  // NOT_FOUND naming `what` when there is no such import. `for_update` locks the row.
  absl::StatusOr<RegionImport> GetImport(sql::Session& s, absl::string_view id,
                                         absl::string_view what, bool for_update = false) const;
  absl::Status InsertImport(sql::Session& s, const RegionImport& import,
                            absl::string_view request_id, absl::string_view actor) const;
  // Committed imports, newest first: those committed before `before_time_us`, or then with an
  // id after `after_id`; at most `limit`.
  absl::StatusOr<std::vector<RegionImport>> Committed(sql::Session& s, int64_t before_time_us,
                                                      absl::string_view after_id, int limit) const;
  absl::StatusOr<bool> HasChunk(sql::Session& s, absl::string_view import_id,
                                int chunk_index) const;
  // Stages a chunk: marks it received, inserts its rows (ALREADY_EXISTS when a code is
  // staged already) and counts them in `import`, in the table and in place.
  absl::Status StageChunk(sql::Session& s, RegionImport& import, int chunk_index,
                          const std::vector<ImportRow>& rows) const;
  // The import's staged rows, by code.
  absl::StatusOr<std::vector<ImportRow>> Staged(sql::Session& s, absl::string_view import_id) const;
  // Those of `codes` that the import has staged, by code.
  absl::StatusOr<absl::flat_hash_map<std::string, ImportRow>> StagedAmong(
      sql::Session& s, absl::string_view import_id, const std::vector<std::string>& codes) const;
  // Every region in the registry.
  absl::StatusOr<std::vector<KnownRegion>> Known(sql::Session& s) const;
  // Writes an edition's changes; every code the import staged (and that is not retired)
  // gets the edition as its last; the staged rows are deleted.
  absl::Status ApplyEdition(sql::Session& s, absl::string_view import_id,
                            const EditionChanges& changes) const;
  // Writes the import's state, counts and commit time.
  absl::Status FinishImport(sql::Session& s, const RegionImport& import) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::registry::store
