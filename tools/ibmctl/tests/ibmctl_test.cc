// ibmctl as a process: its command line (help, usage errors and their exit codes) and, with
// the registry server, end to end: import a small data set, read it back, refuse a malformed
// one without importing anything, and show the server's field violations.

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sql/database.h"
#include "testing/process.h"
#include "testing/test_database.h"
#include "testing/token_issuer.h"

namespace ibm::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kIbmctl = IBMCTL_BINARY;

testing::ExitResult Ibmctl(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {}) {
  return testing::RunToExit(kIbmctl, args, env);
}

size_t Lines(const std::string& s) {
  return std::vector<std::string>(absl::StrSplit(s, '\n', absl::SkipEmpty())).size();
}

TEST(IbmctlCommandLine, HelpAtEveryLevelExitsZero) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"-h"},
                                             {"regions", "--help"},
                                             {"regions", "import", "--help"},
                                             {"units", "update", "--help"},
                                             {"agents", "create", "-h"},
                                             {"--json", "changes", "--help"}}) {
    auto r = Ibmctl(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr("ibmctl")) << absl::StrJoin(args, " ");
  }
  auto top = Ibmctl({"--help"});
  EXPECT_THAT(top.output, HasSubstr("--registry=HOST:PORT"));
  EXPECT_THAT(top.output, HasSubstr("IBM_REGISTRY"));
  for (const char* resource : {"regions", "satkers", "units", "agents", "officers", "changes"}) {
    EXPECT_THAT(top.output, HasSubstr(resource));
  }
  auto import = Ibmctl({"regions", "import", "--help"});
  EXPECT_THAT(import.output, HasSubstr("--dir=DIR"));
  EXPECT_THAT(import.output, HasSubstr("--edition=EDITION"));
  auto units = Ibmctl({"units", "--help"});
  EXPECT_THAT(units.output, HasSubstr("ibmctl units transition NAME --status=STATUS"));
}

TEST(IbmctlCommandLine, UsageErrorsAreOneLineAndExitCode2) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{}, "missing resource"},
      {{"regions"}, "missing verb"},
      {{"villages", "list"}, "unknown resource 'villages'"},
      {{"regions", "delete"}, "unknown verb 'delete'"},
      {{"regions", "list", "--frobnicate"}, "unknown flag --frobnicate"},
      {{"regions", "get"}, "missing arguments"},
      {{"regions", "get", "32", "33"}, "too many arguments"},
      {{"regions", "import", "--dir=/tmp"}, "missing --edition"},
      {{"regions", "list", "--page_size"}, "--page_size needs a value"},
      {{"units", "create", "--village=32.73.04.1001", "--satker=bnnk-32.73", "--formed=2024-13-01"},
       "--formed: '2024-13-01' is not a date YYYY-MM-DD"},
      {{"units", "update", "32.73.04.1001-1", "--etag=1"}, "nothing to update"},
      {{"units", "update", "32.73.04.1001-1", "--high_risk=maybe"}, "is not true or false"},
      {{"units", "transition", "x", "--status=flying"}, "--status: 'flying' is not one of"},
      {{"--timeout=soon", "regions", "get", "32"}, "--timeout"},
      {{"agents", "update", "units/x/agents/y", "--sk_number=1"}, "missing --sk_date"},
  };
  for (const Case& c : cases) {
    auto r = Ibmctl(c.args);
    EXPECT_EQ(r.exit_code, 2) << absl::StrJoin(c.args, " ") << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr(c.says)) << absl::StrJoin(c.args, " ");
    EXPECT_EQ(Lines(r.output), 1u) << r.output;
  }
}

TEST(IbmctlCommandLine, UnreachableRegistryIsAnErrorWithExitCode1) {
  auto r = Ibmctl({"--registry=127.0.0.1:1", "--timeout=3s", "regions", "get", "32"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ibmctl: UNAVAILABLE"));
  // The address may come from the environment.
  r = Ibmctl({"regions", "get", "32"}, {{"IBM_REGISTRY", "127.0.0.1:1"}, {"IBM_TIMEOUT", "3s"}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ibmctl: UNAVAILABLE"));
}

TEST(IbmctlCommandLine, DryRunChecksTheFilesWithoutAServer) {
  testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() + "/" + name, std::ios::binary) << text;
  };
  write("provinces.csv", "code,name\n32,Jawa Barat\n");
  write("regencies.csv", "code,province_code,name\n32.73,32,Kota Bandung\n");
  write("districts.csv", "code,regency_code,name\n32.73.04,32.73,Bandung Kulon\n");
  write("villages.csv", "code,district_code,name\n32.73.04.1001,32.73.04,Cijerah\n");
  auto r = Ibmctl({"--registry=127.0.0.1:1", "regions", "import", "--dir", dir.path(),
                   "--edition=t", "--dry_run"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("read 4 rows"));
  write("villages.csv", "code,district_code,name\n32.73.04.1001,32.73.04,\"Cijerah\n");
  r = Ibmctl({"--registry=127.0.0.1:1", "regions", "import", "--dir", dir.path(), "--edition=t"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("villages.csv:2: quoted field is not terminated"));
  EXPECT_THAT(r.output, HasSubstr("nothing was imported"));
}

// The registry on a temp SQLite file with dev auth, and ibmctl pointed at it.
class IbmctlEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = testing::ServerProcess::Start(
        IBM_REGISTRY_BINARY,
        {"--listen=127.0.0.1:0", "--metrics_listen=off",
         absl::StrCat("--db=sqlite://", dir_.path(), "/r.db"), "--insecure_dev_auth",
         "--shutdown_grace=1s", "--field_keys=" + testing::WriteFieldKeyFile(dir_.path())});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    WriteDataSet(dir_.path() + "/good");
  }

  testing::ExitResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), absl::StrCat("--registry=127.0.0.1:", server_->port()));
    return Ibmctl(args, {{"IBM_DEV_ROLE", "officer"}, {"IBM_DEV_SATKER", "bnn"}});
  }

 public:
  static void Write(const std::string& dir, const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
  }
  // Two provinces, three regencies, three districts, five villages: quoted commas, doubled
  // quotes, CRLF line ends and a byte order mark.
  static void WriteDataSet(const std::string& dir) {
    Write(dir, "provinces.csv", "code,name\n32,Jawa Barat\n33,Jawa Tengah\n");
    Write(dir, "regencies.csv",
          "code,province_code,name\n32.04,32,Kabupaten Bandung\n32.73,32,Kota Bandung\n"
          "33.01,33,Kabupaten Cilacap\n");
    Write(dir, "districts.csv",
          "code,regency_code,name\r\n32.04.01,32.04,\"Ciwidey, Timur\"\r\n"
          "32.73.04,32.73,Bandung Kulon\r\n33.01.01,33.01,Dayeuhluhur\r\n");
    Write(dir, "villages.csv",
          "\xEF\xBB\xBF"
          "code,district_code,name\n32.04.01.2001,32.04.01,\"Lebakmuncang, Hilir\"\n"
          "32.73.04.1001,32.73.04,Cijerah\n32.73.04.1002,32.73.04,\"Gempol \"\"Sari\"\"\"\n"
          "32.73.04.1003,32.73.04,Warung Muncang\n33.01.01.2001,33.01.01,Bolang\n");
  }

 protected:
  testing::TempDir dir_;
  std::unique_ptr<testing::ServerProcess> server_;
};

TEST_F(IbmctlEndToEnd, ImportsListsSearchesAndReimportsWithoutChanges) {
  auto r = Run(
      {"regions", "import", "--dir", dir_.path() + "/good", "--edition=test@1", "--chunk_size=2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("sent 7/7 chunks (13/13 rows)"));  // not a TTY: plain lines
  EXPECT_THAT(r.output, HasSubstr("LEVEL     ROWS  ADDED  RENAMED  UNCHANGED  RETIRED"));
  EXPECT_THAT(r.output, HasSubstr("village   5     5      0        0          0"));
  EXPECT_THAT(r.output, HasSubstr("total     13    13     0        0          0"));
  EXPECT_THAT(r.output, HasSubstr("edition test@1 committed as regionImports/"));

  r = Run({"regions", "list", "regions/32"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("32.04  regency  Kabupaten Bandung  32"));
  EXPECT_THAT(r.output, HasSubstr("32.73  regency  Kota Bandung       32"));
  EXPECT_THAT(r.output, Not(HasSubstr("33.01")));

  r = Run({"regions", "search", "gempol", "--level=village"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("32.73.04.1002  village  Gempol \"Sari\""));

  r = Run({"--json", "regions", "search", "bandung"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  ASSERT_EQ(j["regions"].size(), 3u) << r.output;  // two regencies and Bandung Kulon
  EXPECT_EQ(j["regions"][2]["display_name"], "Bandung Kulon");

  r = Run({"regions", "get", "32.04.01"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Ciwidey, Timur"));

  // Paging: one at a time to the end with --all, and the hint without it.
  r = Run({"--json", "regions", "list", "32.73.04", "--page_size=1", "--all"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output)["regions"].size(), 3u);
  r = Run({"regions", "list", "32.73.04", "--page_size=1"});
  EXPECT_THAT(r.output, HasSubstr("(more: --page_token="));

  r = Run({"regions", "validate", "32.73.04.1001", "--level=village"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Run({"regions", "validate", "32.73.04.9999"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("EXISTS   no"));

  // The same edition again changes nothing.
  r = Run({"regions", "import", "--dir", dir_.path() + "/good", "--edition=test@1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("total     13    0      0        13         0"));
}

// The national data has 509 names that repeat a word ("Kota Bau Bau", "Grong-grong").
TEST_F(IbmctlEndToEnd, AuditVerifyFindsAHandEditedEntry) {
  ASSERT_EQ(
      Run({"regions", "import", "--dir", dir_.path() + "/good", "--edition=test@1"}).exit_code, 0);
  ASSERT_EQ(Run({"satkers", "bootstrap"}).exit_code, 0);
  auto r = Run({"audit", "verify"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("audit log intact: "));
  // Somebody with access to the database file rewrites who bootstrapped BNN central.
  {
    auto db = sql::Open(absl::StrCat("sqlite://", dir_.path(), "/r.db"));
    ASSERT_TRUE(db.ok()) << db.status();
    auto seq = (*db)->Query("SELECT seq FROM changes WHERE resource = 'satkers/bnn'");
    ASSERT_TRUE(seq.ok() && seq->size() == 1);
    ASSERT_TRUE(
        (*db)->Exec("UPDATE changes SET actor = 'nobody' WHERE resource = 'satkers/bnn'").ok());
    r = Run({"audit", "verify"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_THAT(r.output,
                HasSubstr(absl::StrCat("audit log BROKEN at entry ", seq->front().Int(0))));
  }
  // Only BNN central's officers and auditors verify the national log.
  auto denied = Ibmctl({absl::StrCat("--registry=127.0.0.1:", server_->port()), "audit", "verify"},
                       {{"IBM_DEV_ROLE", "officer"}, {"IBM_DEV_SATKER", "bnnp-32"}});
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_THAT(denied.output, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(IbmctlEndToEnd, ImportsNamesThatRepeatAWord) {
  const std::string dir = dir_.path() + "/repeats";
  WriteDataSet(dir);
  Write(dir, "regencies.csv",
        "code,province_code,name\n32.04,32,Kabupaten Bandung\n32.73,32,Kota Bau Bau\n"
        "33.01,33,Kabupaten Cilacap\n");
  Write(dir, "districts.csv",
        "code,regency_code,name\n32.04.01,32.04,Grong-grong\n32.73.04,32.73,Bandung Kulon\n"
        "33.01.01,33.01,Dayeuhluhur\n");
  auto r = Run({"regions", "import", "--dir", dir, "--edition=repeats@1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run({"regions", "search", "bau"});
  EXPECT_THAT(r.output, HasSubstr("Kota Bau Bau"));
  r = Run({"regions", "search", "grong"});
  EXPECT_THAT(r.output, HasSubstr("Grong-grong"));
}

TEST_F(IbmctlEndToEnd, MalformedFileIsRefusedWithItsLineAndNothingIsImported) {
  const std::string bad = dir_.path() + "/bad";
  WriteDataSet(bad);
  Write(bad, "villages.csv",
        "code,district_code,name\n32.73.04.1001,32.73.04,Cijerah\n"
        "32.73.04.1002,32.73.04,Gempol,Sari\n");
  auto r = Run({"regions", "import", "--dir", bad, "--edition=bad@1"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("villages.csv:3: expected 3 fields (code,district_code,name), found 4"));
  EXPECT_THAT(r.output, HasSubstr("nothing was imported"));

  Write(bad, "villages.csv", "code,district_code,name\n32.73.04.1001,32.73.04,\"Cijerah\n");
  r = Run({"regions", "import", "--dir", bad, "--edition=bad@1"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("villages.csv:2: quoted field is not terminated"));

  r = Run({"--json", "regions", "editions"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("bad@1")));
  r = Run({"regions", "get", "32"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ibmctl: NOT_FOUND"));
}

TEST_F(IbmctlEndToEnd, ServerErrorsShowEachFieldViolation) {
  ASSERT_EQ(
      Run({"regions", "import", "--dir", dir_.path() + "/good", "--edition=test@1"}).exit_code, 0);
  auto r = Run({"regions", "list", "--page_size=-1"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ibmctl: INVALID_ARGUMENT"));
  EXPECT_THAT(r.output, HasSubstr("\n  page_size: "));

  ASSERT_EQ(Run({"satkers", "bootstrap"}).exit_code, 0);
  r = Run({"satkers", "create", "--kind=bnnk", "--region=32"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\n  satker.region: "));

  // The import's own rows are checked by the server as well: a village whose district is in
  // neither the import nor the registry.
  const std::string orphan = dir_.path() + "/orphan";
  WriteDataSet(orphan);
  Write(orphan, "villages.csv", "code,district_code,name\n32.73.09.1001,32.73.09,Nowhere\n");
  r = Run({"regions", "import", "--dir", orphan, "--edition=orphan@1"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("villages.csv:2"));
  EXPECT_THAT(r.output, HasSubstr("the registry is unchanged"));
}

TEST_F(IbmctlEndToEnd, UnitLifecycleAgentsOfficersAndTheChangeLog) {
  ASSERT_EQ(
      Run({"regions", "import", "--dir", dir_.path() + "/good", "--edition=test@1"}).exit_code, 0);
  ASSERT_EQ(Run({"satkers", "bootstrap"}).exit_code, 0);
  auto r = Run({"satkers", "create", "--kind=bnnk", "--region=regions/32.73"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run({"satkers", "list", "--parent=bnnp-32", "--descendants"});
  EXPECT_THAT(r.output, HasSubstr("bnnk-32.73  bnnk  32.73   bnnp-32"));

  r = Run({"units", "create", "--village=32.73.04.1001", "--satker=satkers/bnnk-32.73",
           "--formed=2024-03-01", "--fiscal_years=2024,2025", "--high_risk", "--request_id=u-1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("units/32.73.04.1001-1"));
  EXPECT_THAT(r.output, HasSubstr("HIGH RISK        yes"));
  r = Run(
      {"units", "update", "32.73.04.1001-1", "--etag=1", "--desa_bersinar", "--high_risk=false"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("DESA BERSINAR    yes"));
  EXPECT_THAT(r.output, HasSubstr("HIGH RISK        no"));
  r = Run({"units", "update", "32.73.04.1001-1", "--etag=1", "--high_risk"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ABORTED"));
  r = Run({"units", "transition", "32.73.04.1001-1", "--status=running"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run({"units", "list", "--region=32.73"});
  EXPECT_THAT(r.output, HasSubstr("units/32.73.04.1001-1  32.73.04.1001  bnnk-32.73  running"));
  // A BNNK officer of another regency may read the unit (a case may move to it), not list it.
  r = Run({"--dev_satker=bnnk-33.01", "units", "get", "32.73.04.1001-1"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Run({"--dev_satker=bnnk-33.01", "units", "list", "--region=32.73"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("PERMISSION_DENIED"));

  r = Run({"--json", "agents", "create", "--unit=32.73.04.1001-1", "--name=Siti Aminah",
           "--sk_number=SK/12/2024", "--sk_date=2024-04-01", "--sk_valid_until=2025-03-31",
           "--phone=+62 812 1111"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string agent = nlohmann::json::parse(r.output)["name"];
  r = Run({"agents", "list", "--unit=32.73.04.1001-1"});
  EXPECT_THAT(r.output, HasSubstr("Siti Aminah"));
  EXPECT_THAT(r.output, Not(HasSubstr("812 1111")));  // contact details stay out of lists
  r = Run({"agents", "update", agent, "--sk_number=SK/13", "--sk_date=2024-04-01",
           "--sk_valid_until=2024-01-01"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\n  agent.decree.valid_until: "));
  r = Run({"agents", "train", agent, "--date=2024-05-01", "--kind=briefing", "--hours=8"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("2024-05-01     briefing  8"));

  r = Run({"--json", "officers", "create", "--satker=bnnk-32.73", "--name=Budi"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string officer = nlohmann::json::parse(r.output)["name"];
  r = Run({"officers", "update", officer, "--units=32.73.04.1001-1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run({"officers", "list", "--satker=bnnk-32.73"});
  EXPECT_THAT(r.output, HasSubstr("units/32.73.04.1001-1"));

  r = Run({"changes", "list", "units/32.73.04.1001-1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("create"));
  EXPECT_THAT(r.output, HasSubstr("transition"));
  EXPECT_THAT(r.output, HasSubstr(agent));
}

// The production path of the region-import Job: the registry checks JWTs, and ibmctl takes
// a service token of BNN central from IBM_TOKEN.
TEST(IbmctlWithTokens, ImportsWithAServiceTokenFromTheEnvironmentAndNothingWithout) {
  testing::TempDir dir;
  testing::TokenIssuer tokens(dir.path());
  auto p = testing::ServerProcess::Start(
      IBM_REGISTRY_BINARY,
      {"--listen=127.0.0.1:0", "--metrics_listen=off",
       absl::StrCat("--db=sqlite://", dir.path(), "/r.db"),
       "--jwt_public_keys=" + tokens.public_key_file(),
       "--field_keys=" + testing::WriteFieldKeyFile(dir.path()),
       absl::StrCat("--jwt_issuer=", testing::TokenIssuer::kIssuer), "--shutdown_grace=1s"});
  ASSERT_TRUE(p.ok()) << p.status();
  IbmctlEndToEnd::WriteDataSet(dir.path() + "/data");
  const std::vector<std::string> import = {absl::StrCat("--registry=127.0.0.1:", (*p)->port()),
                                           "regions",
                                           "import",
                                           "--dir",
                                           dir.path() + "/data",
                                           "--edition=test@1"};

  auto r = Ibmctl(import);  // dev headers mean nothing to a server that checks tokens
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("UNAUTHENTICATED"));
  r = Ibmctl(import, {{"IBM_TOKEN", tokens.Sign(tokens.Claims("service", "bnnp-32"))}});
  EXPECT_EQ(r.exit_code, 1) << r.output;  // a province's token may not import the nation
  EXPECT_THAT(r.output, HasSubstr("PERMISSION_DENIED"));
  r = Ibmctl(import,
             {{"IBM_TOKEN", tokens.Sign(tokens.Claims("service", "bnn", "region-import"))}});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("total     13    13"));
}

}  // namespace
}  // namespace ibm::tools
