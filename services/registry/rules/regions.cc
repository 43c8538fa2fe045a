#include "registry/rules/regions.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "domain/region_row.h"

namespace ibm::registry::rules {
namespace {

using platform::FieldViolations;
using platform::InvalidField;

constexpr size_t kMaxWordBytes = 100;
constexpr size_t kMaxImportIdBytes = 40;
constexpr size_t kMaxSourceFileBytes = 100;

// A code's level is its number of segments.
int LevelOf(absl::string_view code) {
  return static_cast<int>(std::count(code.begin(), code.end(), '.')) + 1;
}

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
    w.resize(std::min<size_t>(w.size(), kMaxWordBytes));
    if (std::find(unique.begin(), unique.end(), w) == unique.end()) unique.push_back(std::move(w));
  }
  return unique;
}

bool NameHasEveryWord(const std::vector<std::string>& name_words,
                      const std::vector<std::string>& query_words) {
  return std::all_of(query_words.begin(), query_words.end(), [&](const std::string& w) {
    return std::any_of(name_words.begin(), name_words.end(),
                       [&](const std::string& n) { return absl::StartsWith(n, w); });
  });
}

std::vector<std::string> CheckSearchQuery(FieldViolations& v, absl::string_view query) {
  if (query.size() > kMaxSearchQueryBytes) {  // the size first: never word by word
    v.Add("query", absl::StrCat("must be at most ", kMaxSearchQueryBytes, " characters"));
    return {};
  }
  std::vector<std::string> words = NameWords(query);
  if (words.empty()) {
    v.Add("query", "must contain at least one letter or digit");
  } else if (words.size() > kMaxSearchWords) {
    v.Add("query", absl::StrCat("must have at most ", kMaxSearchWords, " words"));
  }
  return words;
}

store::KeyRange WordsStartingWith(absl::string_view prefix) {
  // U+10FFFF, the largest character: after every word that starts with the prefix.
  return {std::string(prefix), absl::StrCat(prefix, "\xf4\x8f\xbf\xbf")};
}

store::KeyRange CodesInside(absl::string_view code) {
  if (code.empty()) return {"", "\x7f"};
  return {absl::StrCat(code, "."), absl::StrCat(code, "/")};
}

absl::StatusOr<SearchPosition> ParseSearchPosition(absl::string_view text) {
  if (text.empty()) return SearchPosition{};
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits('|', 1));
  int level = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &level) || level < 1 || level > 4 ||
      !domain::RegionCode::Parse(parts[1]).ok()) {
    return InvalidField("page_token", "is not a page token of this search");
  }
  return SearchPosition{level, std::string(parts[1])};
}

std::string FormatSearchPosition(const SearchPosition& p) {
  return absl::StrCat(p.level, "|", p.code);
}

bool IsAfter(const SearchPosition& p, int level, absl::string_view code) {
  return level > p.level || (level == p.level && code > p.code);
}

std::string CodeProblem(domain::RegionLevel level, int expected_level,
                        const std::optional<store::Region>& found) {
  if (expected_level != 0 && static_cast<int>(level) != expected_level) {
    return absl::StrCat("is a ", domain::RegionLevelName(level), " code, not a ",
                        domain::RegionLevelName(static_cast<domain::RegionLevel>(expected_level)),
                        " code");
  }
  if (!found) return "does not exist in the registry";
  if (found->retired_in) return absl::StrCat("was retired in edition ", *found->retired_in);
  return "";
}

std::string ImportName(absl::string_view id) { return absl::StrCat("regionImports/", id); }

absl::StatusOr<std::string> ParseImportName(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "regionImports/") || name.empty() ||
      name.size() > kMaxImportIdBytes) {
    return InvalidField("name", "must be a resource name like regionImports/{id}");
  }
  return std::string(name);
}

std::string SourceOf(const store::ImportRow& row) {
  return absl::StrCat(
      row.source_file.empty() ? "row" : platform::Truncated(row.source_file, kMaxSourceFileBytes),
      ":", row.source_line);
}

absl::Status CheckChunkSize(int rows) {
  if (rows < 1 || rows > kMaxRowsPerChunk) {
    return InvalidField("rows", absl::StrCat("must hold 1-", kMaxRowsPerChunk, " rows"));
  }
  return absl::OkStatus();
}

void CheckChunk(FieldViolations& v, int chunk_index, const std::vector<store::ImportRow>& rows) {
  if (chunk_index < 0) v.Add("chunk_index", "must not be negative");
  absl::flat_hash_map<absl::string_view, size_t> in_chunk;
  for (size_t i = 0; i < rows.size(); ++i) {
    const store::ImportRow& row = rows[i];
    const std::string at = absl::StrCat("rows[", i, "]");
    for (const auto& problem : domain::CheckRegionRow(row.code, row.parent_code, row.name)) {
      v.Add(absl::StrCat(at, ".", problem.field),
            absl::StrCat(SourceOf(row), ": ", problem.message));
    }
    if (row.source_file.size() > kMaxSourceFileBytes) {
      v.Add(at + ".source_file", "must be at most 100 bytes");
    }
    auto [first, fresh] = in_chunk.emplace(row.code, i);
    if (!fresh) {
      v.Add(at + ".code",
            absl::StrCat(SourceOf(row), ": duplicates ", SourceOf(rows[first->second])));
    }
  }
}

absl::Status CheckNotStagedBefore(
    const std::vector<store::ImportRow>& rows,
    const absl::flat_hash_map<std::string, store::ImportRow>& staged) {
  for (size_t i = 0; i < rows.size(); ++i) {
    auto earlier = staged.find(rows[i].code);
    if (earlier != staged.end()) {
      return InvalidField(
          absl::StrCat("rows[", i, "].code"),
          absl::StrCat(SourceOf(rows[i]), ": duplicates ", earlier->second.source_file, ":",
                       earlier->second.source_line));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckStaging(store::ImportState state, absl::string_view name) {
  if (state != store::ImportState::kStaging) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " is already committed; begin a new import"));
  }
  return absl::OkStatus();
}

absl::Status CheckImportRoom(int64_t staged_rows, int64_t adding) {
  if (staged_rows + adding > kMaxRowsPerImport) {
    return absl::FailedPreconditionError(absl::StrCat("an import holds at most ", kMaxRowsPerImport,
                                                      " rows; this chunk would make ",
                                                      staged_rows + adding));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> NeedsCommit(store::ImportState state, int64_t staged_rows,
                                 absl::string_view name) {
  if (state == store::ImportState::kCommitted) return false;
  if (staged_rows == 0) {
    return absl::FailedPreconditionError(absl::StrCat(name, " has no rows to commit"));
  }
  return true;
}

absl::StatusOr<ImportPlan> PlanImport(absl::string_view edition,
                                      std::vector<store::ImportRow> staged,
                                      const std::vector<store::KnownRegion>& known) {
  // By code: parents before their children, and each table's index written in order.
  auto by_code = [](const store::ImportRow& a, const store::ImportRow& b) {
    return a.code < b.code;
  };
  if (!std::is_sorted(staged.begin(), staged.end(), by_code)) {
    std::sort(staged.begin(), staged.end(), by_code);
  }
  absl::flat_hash_set<absl::string_view> listed;
  listed.reserve(staged.size());
  for (const store::ImportRow& row : staged) listed.insert(row.code);
  absl::flat_hash_map<absl::string_view, const store::KnownRegion*> existing;
  existing.reserve(known.size());
  for (const store::KnownRegion& k : known) existing.emplace(k.code, &k);

  ImportPlan plan;
  plan.rows = static_cast<int64_t>(staged.size());
  store::EditionChanges& c = plan.changes;
  c.edition = std::string(edition);
  std::map<int, LevelCount> counts;
  auto index = [&c](const std::string& code, absl::string_view name) {
    for (std::string& w : NameWords(name)) c.words.push_back({std::move(w), code});
  };
  for (const store::ImportRow& row : staged) {
    if (!row.parent_code.empty() && !listed.contains(row.parent_code) &&
        !existing.contains(row.parent_code)) {
      return platform::WithReason(
          absl::FailedPreconditionError(
              absl::StrCat(row.source_file, ":", row.source_line, ": the parent ", row.parent_code,
                           " of ", row.code, " is neither in this edition nor in the registry")),
          "MISSING_PARENT");
    }
    const int level = LevelOf(row.code);
    LevelCount& count = counts[level];
    ++count.rows;
    auto it = existing.find(row.code);
    if (it == existing.end()) {
      ++count.added;
      c.added.push_back(
          {row.code, level, row.parent_code, row.name, c.edition, c.edition, std::nullopt});
      index(row.code, row.name);
      continue;
    }
    if (it->second->name != row.name) {
      ++count.renamed;
      c.renamed.push_back({row.code, row.name});
      index(row.code, row.name);
    } else {
      ++count.unchanged;
    }
    if (it->second->retired) c.revived.push_back(row.code);
  }
  for (const store::KnownRegion& k : known) {
    // Only levels this edition lists are complete in it; the others are left alone.
    if (!k.retired && counts.contains(k.level) && !listed.contains(k.code)) {
      c.retired.push_back(k.code);
      ++counts[k.level].retired;
    }
  }
  std::sort(c.retired.begin(), c.retired.end());
  std::sort(c.words.begin(), c.words.end(),
            [](const store::RegionWord& a, const store::RegionWord& b) {
              return std::tie(a.word, a.code) < std::tie(b.word, b.code);
            });
  for (auto& [level, count] : counts) {
    count.level = level;
    plan.counts.push_back(count);
  }
  return plan;
}

std::string ImportSummary(absl::string_view edition, const ImportPlan& plan) {
  int64_t added = 0, renamed = 0, retired = 0;
  for (const LevelCount& c : plan.counts) {
    added += c.added;
    renamed += c.renamed;
    retired += c.retired;
  }
  return absl::StrCat("edition ", edition, ": ", plan.rows, " rows, ", added, " added, ", renamed,
                      " renamed, ", retired, " retired");
}

absl::StatusOr<EditionsPosition> ParseEditionsPosition(absl::string_view text) {
  EditionsPosition p;
  if (text.empty()) return p;
  if (text.size() < 22 || text[20] != '|' ||
      !absl::SimpleAtoi(text.substr(0, 20), &p.before_time_us)) {
    return InvalidField("page_token", "is not a page token of this list");
  }
  p.after_id = std::string(text.substr(21));
  return p;
}

std::string FormatEditionsPosition(int64_t commit_time_us, absl::string_view id) {
  return absl::StrFormat("%020d|%s", commit_time_us, id);
}

}  // namespace ibm::registry::rules
