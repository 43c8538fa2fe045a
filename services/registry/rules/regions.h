#pragma once

// The regions' pure rules: no I/O, no protos where a plain value will do; tested by
// tests/rules/regions_test.cc without gRPC or a database.

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/status.h"
#include "domain/region_code.h"
#include "registry/store/regions.h"

namespace ibm::registry::rules {

// ---- Search words. A name's words are its runs of ASCII letters and digits (lowercased)
// and of other bytes (kept as they are), split at everything else; a query's words are found
// in a name when each starts one of the name's words.

inline constexpr size_t kMaxSearchQueryBytes = 100;
inline constexpr size_t kMaxSearchWords = 8;  // each word costs an index probe

// Each word once, in order, cut to 100 bytes.
std::vector<std::string> NameWords(absl::string_view name);
// Every query word starts some word of the name.
bool NameHasEveryWord(const std::vector<std::string>& name_words,
                      const std::vector<std::string>& query_words);
// The words of a search query, or violations of field "query" in `v`: at most 100 bytes (its
// words are not even looked for when longer), at least one word, at most kMaxSearchWords.
std::vector<std::string> CheckSearchQuery(platform::FieldViolations& v, absl::string_view query);
// The index range of the words that start with `prefix`.
store::KeyRange WordsStartingWith(absl::string_view prefix);
// The codes strictly inside `code`, [code + ".", code + "/"); every code when `code` is "".
store::KeyRange CodesInside(absl::string_view code);

// ---- Where a search page ended: results come in (level, code) order.
struct SearchPosition {
  int level = 0;  // 0: before the first region
  std::string code;
};
// "<level>|<code>", as FormatSearchPosition writes it (inside a sealed page token); "" is the
// start. INVALID_ARGUMENT naming page_token otherwise.
absl::StatusOr<SearchPosition> ParseSearchPosition(absl::string_view text);
std::string FormatSearchPosition(const SearchPosition& p);
// The region (level, code) comes after `p`.
bool IsAfter(const SearchPosition& p, int level, absl::string_view code);

// ---- ValidateRegionCode: why a well-formed code of `level` is not a valid answer ("" when it
// is): not of `expected_level` (0: any), not in the registry (`found` empty), or retired.
std::string CodeProblem(domain::RegionLevel level, int expected_level,
                        const std::optional<store::Region>& found);

// ---- Imports: "regionImports/{id}", chunks of staged rows, then one commit.

inline constexpr int kMaxRowsPerChunk = 5000;
// An import holds at most this many staged rows (the national edition has 91,599).
inline constexpr int64_t kMaxRowsPerImport = 250000;

std::string ImportName(absl::string_view id);
// The id; INVALID_ARGUMENT naming `name` unless "regionImports/" and 1-40 bytes.
absl::StatusOr<std::string> ParseImportName(absl::string_view name);

// Where a row came from, for messages: "file:line" ("row:line" without a file), the file cut
// to 100 bytes.
std::string SourceOf(const store::ImportRow& row);
// A chunk holds 1-kMaxRowsPerChunk rows: checked before anything else of the request.
absl::Status CheckChunkSize(int rows);
// The chunk index and every row, with the rules ibmctl applies to the files
// (domain/region_row.h); a code must not repeat within the chunk.
void CheckChunk(platform::FieldViolations& v, int chunk_index,
                const std::vector<store::ImportRow>& rows);
// The first of `rows` whose code an earlier chunk staged (`staged`, by code): INVALID_ARGUMENT
// naming it and where the first came from; OK when there is none.
absl::Status CheckNotStagedBefore(const std::vector<store::ImportRow>& rows,
                                  const absl::flat_hash_map<std::string, store::ImportRow>& staged);

// Rows go only to an import still staging (`name` is the import's).
absl::Status CheckStaging(store::ImportState state, absl::string_view name);
// An import holds at most kMaxRowsPerImport rows.
absl::Status CheckImportRoom(int64_t staged_rows, int64_t adding);
// Whether a commit has anything to do: false when the import is committed already (a retry
// answers with it); FAILED_PRECONDITION when nothing is staged.
absl::StatusOr<bool> NeedsCommit(store::ImportState state, int64_t staged_rows,
                                 absl::string_view name);

// What an edition does to one level.
struct LevelCount {
  int level = 0;
  int64_t rows = 0;       // rows of the level in the edition
  int64_t added = 0;      // codes new to the registry
  int64_t renamed = 0;    // codes whose name changed
  int64_t unchanged = 0;  // codes already there with the same name
  int64_t retired = 0;    // codes the edition no longer lists
};

struct ImportPlan {
  store::EditionChanges changes;
  std::vector<LevelCount> counts;  // by level: only the levels the edition lists
  int64_t rows = 0;                // rows in the edition
};

// How an edition (`staged`, its rows) changes the registry (`known`, every region in it).
// Every parent must be in the edition or in the registry (FAILED_PRECONDITION, reason
// MISSING_PARENT, naming the first such row by code). Only levels the edition lists are
// complete in it: a code of such a level that it does not list is retired; the other levels
// are left alone. A retired code listed again is revived.
absl::StatusOr<ImportPlan> PlanImport(absl::string_view edition,
                                      std::vector<store::ImportRow> staged,
                                      const std::vector<store::KnownRegion>& known);
// The change log's summary of a commit.
std::string ImportSummary(absl::string_view edition, const ImportPlan& plan);

// ---- ListRegionEditions pages: newest first, by commit time then id.
struct EditionsPosition {
  int64_t before_time_us = INT64_MAX;  // the start: before the end of time
  std::string after_id;
};
// "<20-digit commit time>|<id>" (inside a sealed page token); "" is the start.
// INVALID_ARGUMENT naming page_token otherwise.
absl::StatusOr<EditionsPosition> ParseEditionsPosition(absl::string_view text);
std::string FormatEditionsPosition(int64_t commit_time_us, absl::string_view id);

}  // namespace ibm::registry::rules
