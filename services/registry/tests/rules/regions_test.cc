// Table-driven tests of registry/rules/regions.h: no gRPC, no database.
#include "registry/rules/regions.h"

#include <algorithm>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ibm::registry::rules {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using Words = std::vector<std::string>;

std::vector<std::pair<std::string, std::string>> Violations(const platform::FieldViolations& v) {
  return platform::FieldViolationsOf(v.status());
}

std::vector<std::pair<std::string, std::string>> Violations(const absl::Status& s) {
  return platform::FieldViolationsOf(s);
}

std::string Reason(const absl::Status& s) { return platform::ErrorInfoOf(s).reason(); }

// ---- Search words.

TEST(RegionRulesTest, NameWordsAreLowercasedRunsOfLettersDigitsAndOtherBytesEachOnce) {
  const std::string long_word(130, 'a');
  struct Case {
    std::string name;
    Words words;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"Kota Bandung", {"kota", "bandung"}},
           {"KOTA BANDUNG", {"kota", "bandung"}},
           {"Soka\"an, Cibinong", {"soka", "an", "cibinong"}},
           {"Kota Bau Bau", {"kota", "bau"}},       // a repeated word once
           {"Grong-grong", {"grong"}},              // case does not make another word
           {"Sukamaju 2", {"sukamaju", "2"}},       // digits are words
           {"Desa1 (Lama)", {"desa1", "lama"}},     // a word ends at the end of the name
           {"  -- ", {}},                           // no letter nor digit
           {"", {}},                                //
           {"Ciamis\tTimur", {"ciamis", "timur"}},  // any other ASCII splits
           {"Pura Ulun Danu Bèratan", {"pura", "ulun", "danu", "b\xc3\xa8ratan"}},  // UTF-8 kept
           {"\xc3\x89TAN", {"\xc3\x89tan"}},  // non-ASCII letters are not lowercased
           {long_word + " " + long_word.substr(0, 100) + "b", {std::string(100, 'a')}},  // cut
       }) {
    EXPECT_EQ(NameWords(c.name), c.words) << c.name;
  }
}

TEST(RegionRulesTest, ANameHasAQueryWhenEveryQueryWordStartsOneOfItsWords) {
  struct Case {
    Words name, query;
    bool has;
  };
  for (const Case& c : std::initializer_list<Case>{
           {{"kota", "bandung"}, {"bandung"}, true},
           {{"kota", "bandung"}, {"band", "ko"}, true},         // prefixes, in any order
           {{"kota", "bandung"}, {"kota", "semarang"}, false},  // every word, not any
           {{"kota", "bandung"}, {"andung"}, false},            // a prefix, not an infix
           {{"bandung", "kulon"}, {"kota", "bandung"}, false},
           {{"kota"}, {"kotamadya"}, false},  // the query word is longer than the name's
           {{"kota"}, {}, true},              // nothing asked
           {{}, {"a"}, false},
       }) {
    EXPECT_EQ(NameHasEveryWord(c.name, c.query), c.has)
        << testing::PrintToString(c.name) << " " << testing::PrintToString(c.query);
  }
}

TEST(RegionRulesTest, SearchQueriesAreCheckedSizeFirstThenByTheirWords) {
  struct Case {
    std::string query;
    Words words;
    std::string problem;  // "" when good
  };
  for (const Case& c : std::initializer_list<Case>{
           {"kota bandung", {"kota", "bandung"}, ""},
           {"a b c d e f g h", {"a", "b", "c", "d", "e", "f", "g", "h"}, ""},
           {"a b c d e f g h i", {}, "must have at most 8 words"},
           {"a a a a a a a a a", {"a"}, ""},  // words once: one word
           {std::string(100, 'x'), {std::string(100, 'x')}, ""},
           {std::string(101, 'x'), {}, "must be at most 100 characters"},
           {std::string(101, ' '), {}, "must be at most 100 characters"},  // the size first
           {"", {}, "must contain at least one letter or digit"},
           {"  -- ", {}, "must contain at least one letter or digit"},
       }) {
    platform::FieldViolations v;
    Words words = CheckSearchQuery(v, c.query);
    if (c.problem.empty()) {
      EXPECT_TRUE(v.empty()) << c.query;
      EXPECT_EQ(words, c.words) << c.query;
    } else {
      EXPECT_THAT(Violations(v), ElementsAre(Pair("query", c.problem))) << c.query;
    }
  }
}

TEST(RegionRulesTest, WordAndCodeRangesHoldExactlyWhatStartsWithThePrefix) {
  const store::KeyRange band = WordsStartingWith("band");
  EXPECT_EQ(band.from, "band");
  struct Case {
    std::string word;
    bool in;
  };
  for (const Case& c : std::initializer_list<Case>{{"band", true},
                                                   {"bandung", true},
                                                   {"band\xc3\xa8", true},
                                                   {"band\xf4\x8f\xbf\xbe", true},
                                                   {"ban", false},
                                                   {"banc", false},
                                                   {"bane", false},
                                                   {"bandz", true}}) {
    EXPECT_EQ(c.word >= band.from && c.word < band.to, c.in) << c.word;
  }

  const store::KeyRange inside = CodesInside("32.73");
  EXPECT_EQ(inside.from, "32.73.");
  EXPECT_EQ(inside.to, "32.73/");
  for (const Case& c : std::initializer_list<Case>{{"32.73.04", true},
                                                   {"32.73.04.1001", true},
                                                   {"32.73", false},  // strictly inside
                                                   {"32.7", false},
                                                   {"32.74", false},
                                                   {"32.73.99.9999", true},
                                                   {"32.730", false}}) {
    EXPECT_EQ(c.word >= inside.from && c.word < inside.to, c.in) << c.word;
  }
  const store::KeyRange everywhere = CodesInside("");
  for (const char* code : {"11", "32.73.04.1001", "99.99.99.9999"}) {
    EXPECT_TRUE(code >= everywhere.from && code < everywhere.to) << code;
  }
}

// ---- Search positions.

TEST(RegionRulesTest, SearchPositionsRoundTripAndOnlyTheirOwnFormatParses) {
  for (const SearchPosition& p : std::initializer_list<SearchPosition>{
           {1, "32"}, {2, "32.73"}, {4, "32.73.04.1001"}, {3, "11.01.01"}}) {
    auto parsed = ParseSearchPosition(FormatSearchPosition(p));
    ASSERT_TRUE(parsed.ok()) << FormatSearchPosition(p);
    EXPECT_EQ(parsed->level, p.level);
    EXPECT_EQ(parsed->code, p.code);
  }
  EXPECT_EQ(FormatSearchPosition({4, "32.73.04.1001"}), "4|32.73.04.1001");
  auto start = ParseSearchPosition("");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->level, 0);
  EXPECT_EQ(start->code, "");
  for (const char* bad :
       {"0|32", "5|32", "-1|32", "x|32", "1|3", "1|32.", "1", "|32", "1|", "1|32|x", "2|32.73 "}) {
    auto parsed = ParseSearchPosition(bad);
    EXPECT_THAT(Violations(parsed.status()), ElementsAre(Pair("page_token", HasSubstr("search"))))
        << bad;
  }
}

TEST(RegionRulesTest, ResultsComeByLevelThenCode) {
  struct Case {
    SearchPosition after;
    int level;
    std::string code;
    bool is_after;
  };
  for (const Case& c : std::initializer_list<Case>{
           {{0, ""}, 1, "11", true},  // the start is before everything
           {{2, "32.73"}, 2, "32.74", true},
           {{2, "32.73"}, 2, "32.73", false},  // not the same one again
           {{2, "32.73"}, 2, "32.01", false},
           {{2, "32.73"}, 3, "11.01.01", true},  // a deeper level comes after
           {{2, "32.73"}, 1, "99", false},
       }) {
    EXPECT_EQ(IsAfter(c.after, c.level, c.code), c.is_after)
        << c.after.level << "|" << c.after.code << " then " << c.level << "|" << c.code;
  }
}

// ---- ValidateRegionCode.

TEST(RegionRulesTest, ACodeProblemIsTheLevelThenExistenceThenRetirement) {
  const store::Region current{"32.73", 2, "32", "Kota Bandung", "e@1", "e@2", std::nullopt};
  store::Region retired = current;
  retired.retired_in = "e@3";
  using domain::RegionLevel;
  struct Case {
    RegionLevel level;
    int expected;
    std::optional<store::Region> found;
    std::string problem;
  };
  for (const Case& c : std::initializer_list<Case>{
           {RegionLevel::kRegency, 0, current, ""},
           {RegionLevel::kRegency, 2, current, ""},
           {RegionLevel::kRegency, 4, current, "is a regency code, not a village code"},
           {RegionLevel::kRegency, 4, std::nullopt, "is a regency code, not a village code"},
           {RegionLevel::kRegency, 0, std::nullopt, "does not exist in the registry"},
           {RegionLevel::kRegency, 2, retired, "was retired in edition e@3"},
       }) {
    EXPECT_EQ(CodeProblem(c.level, c.expected, c.found), c.problem);
  }
}

// ---- Imports.

TEST(RegionRulesTest, ImportNamesAreRegionImportsSlashAnIdOfUpTo40Bytes) {
  EXPECT_EQ(ImportName("imp1"), "regionImports/imp1");
  auto id = ParseImportName("regionImports/imp1");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "imp1");
  EXPECT_TRUE(ParseImportName("regionImports/" + std::string(40, 'x')).ok());
  for (const std::string& bad : {std::string("regionImports/"), std::string("imports/x"),
                                 std::string("regionImports/") + std::string(41, 'x'),
                                 std::string("x/regionImports/imp1"), std::string()}) {
    EXPECT_THAT(Violations(ParseImportName(bad).status()), ElementsAre(Pair("name", _))) << bad;
  }
}

TEST(RegionRulesTest, ARowsSourceIsItsFileAndLineCut) {
  EXPECT_EQ(SourceOf({"32", "", "Jawa Barat", "provinces.csv", 7}), "provinces.csv:7");
  EXPECT_EQ(SourceOf({"32", "", "Jawa Barat", "", 7}), "row:7");
  const std::string cut = SourceOf({"32", "", "x", std::string(300, 'f'), 1});
  EXPECT_LT(cut.size(), 110u);
  EXPECT_THAT(cut, HasSubstr(":1"));
}

TEST(RegionRulesTest, AChunkHoldsOneTo5000Rows) {
  for (int good : {1, 2, 5000}) EXPECT_TRUE(CheckChunkSize(good).ok()) << good;
  for (int bad : {0, -1, 5001, 1000000}) {
    EXPECT_THAT(Violations(CheckChunkSize(bad)), ElementsAre(Pair("rows", "must hold 1-5000 rows")))
        << bad;
  }
}

TEST(RegionRulesTest, ChunkRowsAreCheckedAsIbmctlChecksTheFilesAndNeverRepeatACode) {
  auto row = [](std::string code, std::string parent, std::string name, int64_t line) {
    return store::ImportRow{code, parent, name, "seed.csv", line};
  };
  struct Case {
    int chunk_index;
    std::vector<store::ImportRow> rows;
    std::vector<std::pair<std::string, std::string>> violations;  // field, part of the message
  };
  for (const Case& c : std::initializer_list<Case>{
           {0, {row("32", "", "Jawa Barat", 2), row("32.73", "32", "Kota Bandung", 3)}, {}},
           {7, {row("32.73.04.1001", "32.73.04", "Caringin", 9)}, {}},
           {-1, {row("32", "", "Jawa Barat", 2)}, {{"chunk_index", "must not be negative"}}},
           {0, {row("nope", "", "x", 4)}, {{"rows[0].code", "seed.csv:4: 'nope' is not"}}},
           {0,
            {row("32", "", "Jawa Barat", 2), row("32.01", "33", "Kabupaten Bogor", 3)},
            {{"rows[1].parent_code", "seed.csv:3: must be 32"}}},
           {0, {row("32", "31", "Jawa Barat", 2)}, {{"rows[0].parent_code", "has no parent"}}},
           {0, {row("32", "", "", 2)}, {{"rows[0].name", "seed.csv:2: must be 1-255"}}},
           {0, {row("32", "", "Jawa\x7f Barat", 2)}, {{"rows[0].name", "control characters"}}},
           {0,
            {row("32", "", "Jawa Barat", 2), row("33", "", "Jawa Tengah", 3),
             row("32", "", "Jawa Barat", 4)},
            {{"rows[2].code", "seed.csv:4: duplicates seed.csv:2"}}},
       }) {
    platform::FieldViolations v;
    CheckChunk(v, c.chunk_index, c.rows);
    auto got = Violations(v);
    ASSERT_EQ(got.size(), c.violations.size()) << testing::PrintToString(got);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].first, c.violations[i].first);
      EXPECT_THAT(got[i].second, HasSubstr(c.violations[i].second));
    }
  }
  // The source file is bounded.
  platform::FieldViolations v;
  CheckChunk(v, 0, {store::ImportRow{"32", "", "Jawa Barat", std::string(101, 'f'), 2}});
  EXPECT_THAT(Violations(v), ElementsAre(Pair("rows[0].source_file", "must be at most 100 bytes")));
  platform::FieldViolations fits;
  CheckChunk(fits, 0, {store::ImportRow{"32", "", "Jawa Barat", std::string(100, 'f'), 2}});
  EXPECT_TRUE(fits.empty());
}

TEST(RegionRulesTest, ACodeStagedByAnEarlierChunkIsNamedWithWhereItFirstCameFrom) {
  const std::vector<store::ImportRow> rows = {{"32", "", "Jawa Barat", "b.csv", 2},
                                              {"33", "", "Jawa Tengah", "b.csv", 3},
                                              {"34", "", "DI Yogyakarta", "b.csv", 4}};
  EXPECT_TRUE(CheckNotStagedBefore(rows, {}).ok());
  EXPECT_TRUE(CheckNotStagedBefore(rows, {{"35", {"35", "", "Jawa Timur", "a.csv", 9}}}).ok());
  EXPECT_THAT(Violations(CheckNotStagedBefore(rows, {{"34", {"34", "", "DIY", "a.csv", 9}},
                                                     {"33", {"33", "", "Jateng", "a.csv", 8}}})),
              ElementsAre(Pair("rows[1].code", "b.csv:3: duplicates a.csv:8")));  // the first
}

TEST(RegionRulesTest, RowsGoOnlyToAStagingImportOfBoundedSize) {
  EXPECT_TRUE(CheckStaging(store::ImportState::kStaging, "regionImports/i").ok());
  absl::Status committed = CheckStaging(store::ImportState::kCommitted, "regionImports/i");
  EXPECT_EQ(committed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(committed.message(), "regionImports/i is already committed; begin a new import");

  struct Case {
    int64_t staged, adding;
    bool fits;
  };
  for (const Case& c : std::initializer_list<Case>{{0, 5000, true},
                                                   {245000, 5000, true},
                                                   {249999, 1, true},
                                                   {250000, 1, false},
                                                   {248000, 5000, false}}) {
    absl::Status s = CheckImportRoom(c.staged, c.adding);
    EXPECT_EQ(s.ok(), c.fits) << c.staged << " + " << c.adding;
    if (!c.fits) {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("at most 250000 rows; this chunk would make ",
                                                      c.staged + c.adding)));
    }
  }
}

TEST(RegionRulesTest, ACommitAppliesOnceAndNeedsRows) {
  auto again = NeedsCommit(store::ImportState::kCommitted, 10, "regionImports/i");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // a retry: answered with the committed import
  auto first = NeedsCommit(store::ImportState::kStaging, 10, "regionImports/i");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  auto empty = NeedsCommit(store::ImportState::kStaging, 0, "regionImports/i");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(empty.status().message(), "regionImports/i has no rows to commit");
  EXPECT_TRUE(NeedsCommit(store::ImportState::kCommitted, 0, "regionImports/i").ok());
}

// ---- The plan of a commit.

store::ImportRow Staged(std::string code, std::string name, int64_t line = 2) {
  std::string parent = code.size() > 2 ? code.substr(0, code.rfind('.')) : "";
  return {code, parent, name, "e.csv", line};
}

store::KnownRegion Known(std::string code, std::string name, bool retired = false) {
  const int level = 1 + static_cast<int>(std::count(code.begin(), code.end(), '.'));
  return {code, level, name, retired};
}

std::vector<std::string> Codes(const std::vector<store::Region>& regions) {
  std::vector<std::string> out;
  for (const auto& r : regions) out.push_back(r.code);
  return out;
}

// level: rows, added, renamed, unchanged, retired
std::vector<std::string> Counts(const ImportPlan& plan) {
  std::vector<std::string> out;
  for (const LevelCount& c : plan.counts) {
    out.push_back(absl::StrCat(c.level, ": ", c.rows, " ", c.added, " ", c.renamed, " ",
                               c.unchanged, " ", c.retired));
  }
  return out;
}

TEST(RegionRulesTest, AFirstEditionAddsEverythingParentsFirstWithItsWords) {
  auto plan = PlanImport("e@1",
                         {Staged("32.73", "Kota Bandung"), Staged("32", "Jawa Barat"),
                          Staged("32.73.04", "Bandung Kulon"), Staged("32.01", "Kab. Bogor")},
                         {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Codes(plan->changes.added), ElementsAre("32", "32.01", "32.73", "32.73.04"));
  const store::Region& bandung = plan->changes.added[2];
  EXPECT_EQ(bandung.level, 2);
  EXPECT_EQ(bandung.parent_code, "32");
  EXPECT_EQ(bandung.name, "Kota Bandung");
  EXPECT_EQ(bandung.first_edition, "e@1");
  EXPECT_EQ(bandung.last_edition, "e@1");
  EXPECT_FALSE(bandung.retired_in.has_value());
  EXPECT_EQ(plan->changes.edition, "e@1");
  std::vector<std::string> words;
  for (const auto& w : plan->changes.words) words.push_back(w.word + "/" + w.code);
  EXPECT_THAT(words, ElementsAre("bandung/32.73", "bandung/32.73.04", "barat/32", "bogor/32.01",
                                 "jawa/32", "kab/32.01", "kota/32.73", "kulon/32.73.04"));
  EXPECT_THAT(Counts(*plan), ElementsAre("1: 1 1 0 0 0", "2: 2 2 0 0 0", "3: 1 1 0 0 0"));
  EXPECT_EQ(plan->rows, 4);
  EXPECT_THAT(plan->changes.renamed, IsEmpty());
  EXPECT_THAT(plan->changes.retired, IsEmpty());
  EXPECT_THAT(plan->changes.revived, IsEmpty());
  EXPECT_EQ(ImportSummary("e@1", *plan), "edition e@1: 4 rows, 4 added, 0 renamed, 0 retired");
}

TEST(RegionRulesTest, ANewerEditionRenamesRetiresAndRevivesOnlyTheLevelsItLists) {
  const std::vector<store::KnownRegion> known = {
      Known("32", "Jawa Barat"),
      Known("32.73", "Kota Bandung"),
      Known("32.73.04", "Bandung Kulon"),
      Known("32.73.04.1001", "Caringin"),
      Known("32.73.04.1002", "Cijerah"),               // not listed: retired
      Known("32.73.04.1003", "Warung Muncang", true),  // listed again: revived
      Known("32.73.04.1004", "Gempol Sari", true),     // retired already: left alone
      Known("32.73.05", "Cicendo"),                    // a level the edition does not list
  };
  auto plan = PlanImport(
      "e@2",
      {Staged("32.73.04.1001", "Caringin Baru", 5), Staged("32.73.04.1003", "Warung Muncang", 6),
       Staged("32.73.04.1005", "Sukamaju", 7)},
      known);
  ASSERT_TRUE(plan.ok()) << plan.status();
  const store::EditionChanges& c = plan->changes;
  EXPECT_THAT(Codes(c.added), ElementsAre("32.73.04.1005"));
  ASSERT_EQ(c.renamed.size(), 1u);
  EXPECT_EQ(c.renamed[0].code, "32.73.04.1001");
  EXPECT_EQ(c.renamed[0].name, "Caringin Baru");
  EXPECT_THAT(c.retired, ElementsAre("32.73.04.1002"));
  EXPECT_THAT(c.revived, ElementsAre("32.73.04.1003"));
  std::vector<std::string> words;
  for (const auto& w : c.words) words.push_back(w.word + "/" + w.code);
  // The renamed village's new words and the added one's; none of the unchanged one.
  EXPECT_THAT(
      words, ElementsAre("baru/32.73.04.1001", "caringin/32.73.04.1001", "sukamaju/32.73.04.1005"));
  EXPECT_THAT(Counts(*plan), ElementsAre("4: 3 1 1 1 1"));
  EXPECT_EQ(ImportSummary("e@2", *plan), "edition e@2: 3 rows, 1 added, 1 renamed, 1 retired");
}

TEST(RegionRulesTest, TheSameEditionAgainChangesNothing) {
  auto plan = PlanImport("e@1", {Staged("32", "Jawa Barat"), Staged("32.73", "Kota Bandung")},
                         {Known("32", "Jawa Barat"), Known("32.73", "Kota Bandung")});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->changes.added, IsEmpty());
  EXPECT_THAT(plan->changes.renamed, IsEmpty());
  EXPECT_THAT(plan->changes.words, IsEmpty());
  EXPECT_THAT(plan->changes.retired, IsEmpty());
  EXPECT_THAT(plan->changes.revived, IsEmpty());
  EXPECT_THAT(Counts(*plan), ElementsAre("1: 1 0 0 1 0", "2: 1 0 0 1 0"));
}

TEST(RegionRulesTest, EveryParentIsInTheEditionOrInTheRegistry) {
  struct Case {
    std::vector<store::ImportRow> staged;
    std::vector<store::KnownRegion> known;
    std::string missing;  // part of the message; "" when the plan is good
  };
  for (const Case& c : std::initializer_list<Case>{
           {{Staged("32", "Jawa Barat"), Staged("32.73", "Kota Bandung")}, {}, ""},
           {{Staged("32.73", "Kota Bandung")}, {Known("32", "Jawa Barat")}, ""},
           {{Staged("32.73", "Kota Bandung")}, {Known("32", "Jawa Barat", true)}, ""},
           {{Staged("32.73", "Kota Bandung", 15)},
            {},
            "e.csv:15: the parent 32 of 32.73 is neither in this edition nor in the registry"},
           {{Staged("32.73.04.1001", "Caringin", 9), Staged("32.01.09.2001", "Nowhere", 15)},
            {Known("32", "Jawa Barat")},
            "e.csv:15: the parent 32.01.09 of 32.01.09.2001"},  // the first by code
       }) {
    auto plan = PlanImport("e@1", c.staged, c.known);
    if (c.missing.empty()) {
      EXPECT_TRUE(plan.ok()) << plan.status();
    } else {
      EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_THAT(plan.status().message(), HasSubstr(c.missing));
      EXPECT_EQ(Reason(plan.status()), "MISSING_PARENT");
    }
  }
}

// ---- ListRegionEditions pages.

TEST(RegionRulesTest, EditionsPositionsRoundTripAndOnlyTheirOwnFormatParses) {
  EXPECT_EQ(FormatEditionsPosition(1700000000000000, "imp1"), "00001700000000000000|imp1");
  auto parsed = ParseEditionsPosition(FormatEditionsPosition(1700000000000000, "imp1"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->before_time_us, 1700000000000000);
  EXPECT_EQ(parsed->after_id, "imp1");
  auto start = ParseEditionsPosition("");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->before_time_us, INT64_MAX);
  EXPECT_EQ(start->after_id, "");
  for (const char* bad : {"00001700000000000000|", "0000170000000000000|imp1",
                          "00001700000000000000-imp1", "0000170000000000000x|imp1", "x"}) {
    EXPECT_THAT(Violations(ParseEditionsPosition(bad).status()),
                ElementsAre(Pair("page_token", HasSubstr("list"))))
        << bad;
  }
}

}  // namespace
}  // namespace ibm::registry::rules
