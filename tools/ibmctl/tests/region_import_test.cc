// The strict CSV reader and the region data set reader, on small files written here.

#include "ibmctl/region_import.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_database.h"

namespace ibm::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CsvTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // Reads `text` as a CSV file; the records, or the error.
  absl::StatusOr<std::vector<CsvRecord>> Read(const std::string& text) {
    std::vector<CsvRecord> out;
    auto s = ReadCsvFile(Write("t.csv", text), "t.csv", [&](CsvRecord& r) {
      out.push_back(r);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }
  // The data set of a province, a regency, a district and two villages, with one file
  // replaced by `name` = `text` when given.
  void WriteDataSet(const std::string& name = "", const std::string& text = "") {
    Write("provinces.csv", "code,name\n32,Jawa Barat\n");
    Write("regencies.csv", "code,province_code,name\n32.73,32,Kota Bandung\n");
    Write("districts.csv", "code,regency_code,name\n32.73.04,32.73,Bandung Kulon\n");
    Write("villages.csv",
          "code,district_code,name\n32.73.04.1001,32.73.04,Cijerah\n"
          "32.73.04.1002,32.73.04,\"Gempol \"\"Sari\"\", Hilir\"\n");
    if (!name.empty()) Write(name, text);
  }

  testing::TempDir dir_;
};

TEST_F(CsvTest, QuotedCommasAndDoubledQuotes) {
  auto r = Read("code,name\n11,\"Lubuk Pakam I,II\"\n12,\"Soka\"\"an\"\n13,plain\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_THAT((*r)[1].fields, ElementsAre("11", "Lubuk Pakam I,II"));
  EXPECT_THAT((*r)[2].fields, ElementsAre("12", "Soka\"an"));
  EXPECT_THAT((*r)[3].fields, ElementsAre("13", "plain"));
  EXPECT_EQ((*r)[3].line, 4);
}

TEST_F(CsvTest, CrlfByteOrderMarkBlankLinesAndNoFinalNewline) {
  auto r = Read(
      "\xEF\xBB\xBF"
      "code,name\r\n11,Aceh\r\n\r\n12,\"Sumatera, Utara\"");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_THAT((*r)[0].fields, ElementsAre("code", "name"));  // no BOM in the first field
  EXPECT_THAT((*r)[1].fields, ElementsAre("11", "Aceh"));
  EXPECT_EQ((*r)[1].line, 2);
  EXPECT_THAT((*r)[2].fields, ElementsAre("12", "Sumatera, Utara"));
  EXPECT_EQ((*r)[2].line, 4);  // the blank line counts
}

TEST_F(CsvTest, QuotedLineBreakKeepsTheRecordsStartLine) {
  auto r = Read("a,b\n1,\"two\nlines\"\n3,x\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[1].fields[1], "two\nlines");
  EXPECT_EQ((*r)[1].line, 2);
  EXPECT_EQ((*r)[2].line, 4);
}

TEST_F(CsvTest, UnterminatedQuoteNamesTheLineItStarts) {
  auto r = Read("code,name\n11,Aceh\n12,\"Sumatera Utara\n13,Riau\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("t.csv:3: quoted field is not terminated"));
}

TEST_F(CsvTest, QuoteInsideAnUnquotedFieldOrTextAfterAClosingQuote) {
  auto r = Read("code,name\n11,Aceh\n12,Sum\"atera\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("t.csv:3: malformed quoting"));
  r = Read("code,name\n11,\"Aceh\"x\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("t.csv:2: malformed quoting"));
}

TEST_F(CsvTest, EmptyAndMissingFiles) {
  EXPECT_THAT(Read("").status().message(), HasSubstr("t.csv: the file is empty"));
  auto s = ReadCsvFile(dir_.path() + "/absent.csv", "absent.csv",
                       [](CsvRecord&) { return absl::OkStatus(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
}

TEST_F(CsvTest, DataSetRowsCarryTheirSourceAndParents) {
  WriteDataSet();
  auto rows = ReadRegionDataSet(dir_.path());
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ((*rows)[0].code(), "32");
  EXPECT_EQ((*rows)[0].parent_code(), "");
  EXPECT_EQ((*rows)[0].source_file(), "provinces.csv");
  EXPECT_EQ((*rows)[0].source_line(), 2);
  const auto& v = (*rows)[4];
  EXPECT_EQ(v.code(), "32.73.04.1002");
  EXPECT_EQ(v.parent_code(), "32.73.04");
  EXPECT_EQ(v.name(), "Gempol \"Sari\", Hilir");
  EXPECT_EQ(v.source_file(), "villages.csv");
  EXPECT_EQ(v.source_line(), 3);
}

TEST_F(CsvTest, MalformedRowsAreNamedByFileAndLine) {
  struct Case {
    std::string file, text, error;
  };
  const std::vector<Case> cases = {
      {"villages.csv",
       "code,district_code,name\n32.73.04.1001,32.73.04,A\n32.73.04.1002,32.73.04,B,C\n",
       "villages.csv:3: expected 3 fields (code,district_code,name), found 4"},
      {"villages.csv", "code,district_code,name\n32.73.04.1001,32.73.04\n",
       "villages.csv:2: expected 3 fields"},
      {"districts.csv", "code,regency_code,name\n32.73.04,32.73,\"Bandung Kulon\n",
       "districts.csv:2: quoted field is not terminated"},
      {"regencies.csv", "code,name\n32.73,Kota Bandung\n", "regencies.csv:1: expected the header"},
      {"villages.csv", "code,district_code,name\n32.73.04,32.73,Cijerah\n",
       "villages.csv:2: '32.73.04' is not a village code"},
      {"villages.csv", "code,district_code,name\n32.73.04.1001,32.73.05,Cijerah\n",
       "villages.csv:2: parent '32.73.05' of 32.73.04.1001 must be 32.73.04"},
      {"provinces.csv", "code,name\n32,\n", "provinces.csv:2: the name must be 1-255 characters"},
      {"provinces.csv", "code,name\n32,Jawa \xff Barat\n",
       "provinces.csv:2: the name is not valid UTF-8"},
      {"provinces.csv", "code,name\n32,Jawa\x7f Barat\n",
       "provinces.csv:2: the name must not contain control characters"},
  };
  for (const Case& c : cases) {
    WriteDataSet(c.file, c.text);
    auto rows = ReadRegionDataSet(dir_.path());
    ASSERT_FALSE(rows.ok()) << c.file << ": " << c.text;
    EXPECT_THAT(rows.status().message(), HasSubstr(c.error)) << c.text;
  }
}

}  // namespace
}  // namespace ibm::tools
