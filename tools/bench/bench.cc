// ibm-bench: the registry's benchmark (a program, not a test; tools/bench/README.md).
//
// In one run, on this machine:
//  1. a bare gRPC echo (ibm-smoke's public EchoService/Echo) at N concurrent calls;
//  2. the registry on SQLite with the whole national data set imported through the gRPC
//     API (as `ibmctl regions import` does), RegionService/GetRegion of random villages at
//     the same concurrency, and the ratio registry/echo (target: at least 0.5);
//  3. the full import timed on each engine (SQLite, and MariaDB on a private server
//     started by tests/mariadb-server.sh): target under 10 s each.
// Only calls that end with grpc-status 0 count. Both servers run with the same flags.

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/internal/program_name.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/status.h"
#include "bench/load.h"
#include "grpcpp/create_channel.h"
#include "ibm/registry/v1/registry.grpc.pb.h"
#include "ibmctl/region_import.h"
#include "testing/process.h"
#include "testing/test_database.h"

ABSL_FLAG(absl::Duration, duration, absl::Seconds(12),
          "measured time of each load (echo, GetRegion), split over --rounds phases");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "unmeasured load before each phase");
ABSL_FLAG(int, rounds, 3, "echo and GetRegion phases alternate this many times");
ABSL_FLAG(int, concurrency, 64, "calls in flight at any time (the same for echo and registry)");
ABSL_FLAG(int, channels, 4, "gRPC channels (connections) the calls are spread over");
ABSL_FLAG(std::string, data_dir, "",
          "directory with provinces.csv, regencies.csv, districts.csv, villages.csv "
          "[default: what tools/fetch-region-data.sh prints; it fetches them when needed]");
ABSL_FLAG(std::string, edition, "idn-area-data@4.0.1", "edition label of the import");
ABSL_FLAG(std::string, engines, "sqlite,mysql",
          "engines to time the import on: sqlite and/or mysql (a private MariaDB server)");
ABSL_FLAG(int, server_workers, 16, "--workers of both servers");
ABSL_FLAG(int, server_max_queued, 256, "--max_queued of both servers");
ABSL_FLAG(bool, registry_load_on_mysql, false,
          "also measure GetRegion against the MariaDB-backed registry");
ABSL_FLAG(std::string, smoke_binary, IBM_SMOKE_BINARY, "the echo server");
ABSL_FLAG(std::string, registry_binary, IBM_REGISTRY_BINARY, "the registry server");

namespace ibm::bench {
namespace {

namespace v1 = ibm::registry::v1;

// The registry's callers: an officer of BNN central.
void DevAuth(grpc::ClientContext* ctx) {
  static const DevCaller kCentral{"officer", "bnn", "ibm-bench"};
  bench::DevAuth(ctx, kCentral);
}

std::unique_ptr<Workload> EchoLoad(int port) {
  return bench::EchoLoad(port, absl::GetFlag(FLAGS_channels), absl::GetFlag(FLAGS_concurrency));
}

// GetRegion of uniformly random villages (each slot its own generator).
std::unique_ptr<Workload> GetRegionLoad(int port, const std::vector<std::string>& villages) {
  using W = UnaryWorkload<v1::RegionService, v1::GetRegionRequest, v1::Region>;
  const int n = absl::GetFlag(FLAGS_concurrency);
  auto rng = std::make_shared<std::vector<std::mt19937>>();
  for (int i = 0; i < n; ++i) rng->emplace_back(1000 + i);
  std::uniform_int_distribution<size_t> pick(0, villages.size() - 1);
  return std::make_unique<W>(
      Channels(port, absl::GetFlag(FLAGS_channels)), n,
      [](auto* stub, auto* ctx, auto* req, auto* resp, auto done) {
        stub->GetRegion(ctx, req, resp, std::move(done));
      },
      [rng, pick, &villages](int slot, v1::GetRegionRequest* req,
                             grpc::ClientContext* ctx) mutable {
        req->set_name(villages[pick((*rng)[slot])]);
        DevAuth(ctx);
      });
}

// --- Servers ---------------------------------------------------------------------------

std::unique_ptr<testing::ServerProcess> StartServer(const std::string& binary,
                                                    const std::string& dsn,
                                                    const std::string& log_level = "info") {
  ServerOptions o;
  o.workers = absl::GetFlag(FLAGS_server_workers);
  o.max_queued = absl::GetFlag(FLAGS_server_max_queued);
  o.log_level = log_level;
  return bench::StartServer(binary, dsn, o);
}

// --- Import ----------------------------------------------------------------------------

struct ImportTiming {
  std::string engine;
  double read_s = 0, import_s = 0, total_s = 0;
  v1::RegionImport result;
};

ImportTiming TimeImport(const std::string& engine, const std::string& data_dir, int port) {
  ImportTiming t;
  t.engine = engine;
  const absl::Time start = absl::Now();
  auto rows = tools::ReadRegionDataSet(data_dir);
  if (!rows.ok()) Die(std::string(rows.status().message()));
  t.read_s = absl::ToDoubleSeconds(absl::Now() - start);
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto stub = v1::RegionService::NewStub(channel);
  tools::ImportOptions o;
  o.edition = absl::GetFlag(FLAGS_edition);
  o.prepare = [](grpc::ClientContext* c) {
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
    DevAuth(c);
  };
  Say(absl::StrCat("importing ", rows->size(), " rows into the registry on ", engine));
  auto r = tools::ImportRegions(*stub, *rows, o);
  if (!r.ok()) Die(absl::StrCat("import on ", engine, ": ", platform::Describe(r.status())));
  t.import_s = absl::ToDoubleSeconds(r->elapsed);
  t.total_s = absl::ToDoubleSeconds(absl::Now() - start);
  t.result = r->import;
  return t;
}

std::vector<std::string> VillageNames(const std::string& data_dir) {
  std::vector<v1::RegionRow> rows;
  if (auto s = tools::ReadRegionFile(data_dir, tools::RegionFiles().back(), &rows); !s.ok()) {
    Die(std::string(s.message()));
  }
  std::vector<std::string> names;
  for (const auto& r : rows) names.push_back("regions/" + r.code());
  return names;
}

// Checks one call works before loading the server with it.
void CheckGetRegion(int port, const std::string& village) {
  auto stub = v1::RegionService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  DevAuth(&ctx);
  v1::GetRegionRequest req;
  req.set_name(village);
  v1::Region region;
  grpc::Status s = stub->GetRegion(&ctx, req, &region);
  if (!s.ok())
    Die(absl::StrCat("GetRegion ", village, ": ", platform::Describe(platform::FromGrpcStatus(s))));
}

// The slowest SearchRegions found among adversarial queries, each timed alone (one call in
// flight, the best of 3 tries, so that a scheduling hiccup of the shared machine is not
// taken for the query's cost): every single letter and digit, pairs of common initials,
// common words, and the longest queries allowed; with page sizes 1 and 1000, with and
// without a level or a region to search within.
struct SearchProbe {
  std::string query;
  double ms = 0;
  int calls = 0;
};
SearchProbe WorstSearch(int port) {
  auto stub = v1::RegionService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  // Every letter and digit alone, pairs of the letters that begin the most names, and the
  // longest queries allowed: about 250 queries (the full 36 x 36 pairs took too long to be
  // worth a benchmark run).
  std::vector<std::string> queries;
  for (char c = 'a'; c <= 'z'; ++c) queries.emplace_back(1, c);
  for (char c = '0'; c <= '9'; ++c) queries.emplace_back(1, c);
  const std::string common = "sbkmtpjdlc";
  for (char a : common) {
    for (char b : common)
      queries.push_back(absl::StrCat(std::string(1, a), " ", std::string(1, b)));
  }
  for (const char* q : {"desa", "kelurahan", "sari", "jaya", "desa sari jaya", "kampung baru",
                        "s 0", "a b c d e f g h", "sukamaju sukamakmur sukarame sukasari",
                        "e e e e e e e e", "kabupaten kota desa kelurahan"}) {
    queries.push_back(q);
  }
  struct Shape {
    int page_size;
    v1::RegionLevel level;
    const char* within;
  };
  const std::vector<Shape> shapes = {{1, v1::REGION_LEVEL_UNSPECIFIED, ""},
                                     {1000, v1::REGION_LEVEL_UNSPECIFIED, ""},
                                     {1, v1::REGION_LEVEL_DISTRICT, ""},
                                     {50, v1::REGION_LEVEL_VILLAGE, "regions/32"}};
  SearchProbe worst;
  for (const std::string& q : queries) {
    for (const Shape& shape : shapes) {
      double best = 1e9;
      for (int attempt = 0; attempt < 3; ++attempt) {
        v1::SearchRegionsRequest req;
        req.set_query(q);
        req.set_page_size(shape.page_size);
        req.set_level(shape.level);
        req.set_within(shape.within);
        grpc::ClientContext ctx;
        DevAuth(&ctx);
        v1::SearchRegionsResponse resp;
        const absl::Time start = absl::Now();
        grpc::Status st = stub->SearchRegions(&ctx, req, &resp);
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - start);
        if (!st.ok()) {
          Die(absl::StrCat("SearchRegions '", q,
                           "': ", platform::Describe(platform::FromGrpcStatus(st))));
        }
        best = std::min(best, ms);
      }
      ++worst.calls;
      if (best > worst.ms) {
        worst.ms = best;
        worst.query = absl::StrFormat("'%s' page_size %d level %d within '%s'", q, shape.page_size,
                                      shape.level, shape.within);
      }
    }
  }
  return worst;
}

std::string DefaultDataDir() {
  const std::string script = std::string(IBM_SOURCE_DIR) + "/tools/fetch-region-data.sh";
  FILE* p = popen(script.c_str(), "r");
  if (p == nullptr) Die("cannot run " + script);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (pclose(p) != 0) Die(script + " failed");
  return std::string(absl::StripAsciiWhitespace(out));
}

std::string Thousands(int64_t n) {
  const std::string digits = absl::StrCat(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int Main() {
  std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) data_dir = DefaultDataDir();
  std::vector<std::string> engines =
      absl::StrSplit(absl::GetFlag(FLAGS_engines), ',', absl::SkipEmpty());
  for (const auto& e : engines) {
    if (e != "sqlite" && e != "mysql") Die("--engines: '" + e + "' is neither sqlite nor mysql");
  }
  const bool sqlite = std::find(engines.begin(), engines.end(), "sqlite") != engines.end();
  const bool mysql = std::find(engines.begin(), engines.end(), "mysql") != engines.end();
  const std::vector<std::string> villages = VillageNames(data_dir);
  testing::TempDir work;

  std::vector<LoadResult> loads;
  std::vector<ImportTiming> imports;
  SearchProbe worst_search;
  const int n = absl::GetFlag(FLAGS_concurrency);
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  const absl::Duration warmup = absl::GetFlag(FLAGS_warmup);
  const absl::Duration phase = absl::GetFlag(FLAGS_duration) / rounds;
  {
    // Both servers up at once; the registry on SQLite with the whole data set (its import
    // timed). Then echo and GetRegion phases alternate, so that drifting load on a shared
    // machine weighs on both alike.
    Say("starting ibm-smoke and ibm-registry (SQLite)");
    auto smoke = StartServer(absl::GetFlag(FLAGS_smoke_binary),
                             absl::StrCat("sqlite://", work.path(), "/smoke.db"));
    const std::string registry_dsn = absl::StrCat("sqlite://", work.path(), "/registry.db");
    auto registry = StartServer(absl::GetFlag(FLAGS_registry_binary), registry_dsn);
    ImportTiming t = TimeImport("sqlite", data_dir, registry->port());
    if (sqlite) imports.push_back(t);
    CheckGetRegion(registry->port(), villages.front());
    Say("timing adversarial searches, one at a time");
    worst_search = WorstSearch(registry->port());
    // The same data served by a second registry that logs warnings only: the cost of the
    // default call log is the difference.
    auto quiet = StartServer(absl::GetFlag(FLAGS_registry_binary), registry_dsn, "warn");
    auto echo = EchoLoad(smoke->port());
    auto get = GetRegionLoad(registry->port(), villages);
    auto get_quiet = GetRegionLoad(quiet->port(), villages);
    Sample echo_sample, get_sample, quiet_sample;
    for (int r = 0; r < rounds; ++r) {
      Say(absl::StrCat("round ", r + 1, "/", rounds,
                       ": echo, GetRegion (log level info), GetRegion (warn)"));
      RunPhase(*echo, n, warmup, phase, &echo_sample);
      RunPhase(*get, n, warmup, phase, &get_sample);
      RunPhase(*get_quiet, n, warmup, phase, &quiet_sample);
    }
    loads.push_back(Summarize("echo (ibm-smoke EchoService/Echo)", std::move(echo_sample)));
    loads.push_back(
        Summarize("registry GetRegion, random village (sqlite)", std::move(get_sample)));
    loads.push_back(Summarize("registry GetRegion, --log_level=warn", std::move(quiet_sample)));
    smoke->Stop(SIGTERM);
    registry->Stop(SIGTERM);
    quiet->Stop(SIGTERM);
  }
  if (mysql) {
    MariaDb db(work.path() + "/mariadb");
    auto registry = StartServer(absl::GetFlag(FLAGS_registry_binary), db.dsn());
    imports.push_back(TimeImport("mysql", data_dir, registry->port()));
    if (absl::GetFlag(FLAGS_registry_load_on_mysql)) {
      CheckGetRegion(registry->port(), villages.front());
      Sample sample;
      RunPhase(*GetRegionLoad(registry->port(), villages), n, warmup, phase * rounds, &sample);
      loads.push_back(Summarize("registry GetRegion, random village (mysql)", std::move(sample)));
    }
    registry->Stop(SIGTERM);
  }

  // --- Summary
  std::cout << absl::StrFormat(
      "\nibm-bench: %d calls in flight over %d channels; %d rounds of echo then GetRegion, each "
      "phase %s warm-up + %s measured; "
      "servers --workers=%d --max_queued=%d, info logging unless said; %u CPUs; only grpc-status 0 "
      "counts\n\n",
      n, absl::GetFlag(FLAGS_channels), rounds, absl::FormatDuration(warmup),
      absl::FormatDuration(phase), absl::GetFlag(FLAGS_server_workers),
      absl::GetFlag(FLAGS_server_max_queued), std::thread::hardware_concurrency());
  PrintLoads(std::cout, loads);
  const double ratio = loads[0].qps > 0 ? loads[1].qps / loads[0].qps : 0;
  std::cout << absl::StrFormat("\nratio registry GetRegion / echo: %.2f (target >= 0.60: %s)\n",
                               ratio, ratio >= 0.6 ? "met" : "MISSED");
  const double log_cost = loads[2].qps > 0 ? loads[1].qps / loads[2].qps : 0;
  std::cout << absl::StrFormat(
      "ratio GetRegion at the default log level / at --log_level=warn: %.2f (target >= 0.90: "
      "%s); warn / echo: %.2f\n",
      log_cost, log_cost >= 0.9 ? "met" : "MISSED",
      loads[0].qps > 0 ? loads[2].qps / loads[0].qps : 0);
  std::cout << absl::StrFormat(
      "slowest of %d adversarial SearchRegions calls (national edition, SQLite): %.1f ms for %s "
      "(target < 50 ms: %s)\n",
      worst_search.calls, worst_search.ms, worst_search.query,
      worst_search.ms < 50 ? "met" : "MISSED");

  if (!imports.empty()) {
    int64_t rows = 0;
    std::string per_level;
    for (const auto& c : imports[0].result.counts()) {
      rows += c.rows();
      static const char* kPlural[] = {"", "provinces", "regencies", "districts", "villages"};
      absl::StrAppend(&per_level, per_level.empty() ? "" : ", ", Thousands(c.rows()), " ",
                      c.level() >= 1 && c.level() <= 4 ? kPlural[c.level()] : "other");
    }
    std::cout << absl::StrFormat("\nfull import of %s: %s rows (%s), chunks of 5000\n",
                                 imports[0].result.edition(), Thousands(rows), per_level);
    std::cout << absl::StrFormat("%-8s %12s %18s %10s %8s\n", "engine", "read CSV s",
                                 "Begin->Commit s", "total s", "< 10 s");
    for (const ImportTiming& t : imports) {
      std::cout << absl::StrFormat("%-8s %12.2f %18.2f %10.2f %8s\n", t.engine, t.read_s,
                                   t.import_s, t.total_s, t.total_s < 10 ? "met" : "MISSED");
    }
  }
  return 0;
}

}  // namespace
}  // namespace ibm::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "echo vs registry GetRegion at the same concurrency (ratio, target >= 0.5), "
      "and the full region import on SQLite and MariaDB (target < 10 s). See "
      "tools/bench/README.md.\nUsage: ibm-bench [flags]");
  absl::flags_internal::SetProgramInvocationName("ibm-bench");
  absl::FlagsUsageConfig usage;
  usage.normalize_filename = [](absl::string_view f) {
    const size_t at = f.find("tools/");
    return std::string(at == absl::string_view::npos ? f : f.substr(at));
  };
  absl::SetFlagsUsageConfig(usage);
  for (int i = 1; i < argc; ++i) {
    const absl::string_view a = argv[i];
    if (a == "--help" || a == "-h" || a == "-help") {
      absl::flags_internal::FlagsHelp(std::cout, "bench/bench.cc",
                                      absl::flags_internal::HelpFormat::kHumanReadable,
                                      absl::ProgramUsageMessage());
      return 0;
    }
  }
  absl::ParseCommandLine(argc, argv);
  return ibm::bench::RunMain(ibm::bench::Main);
}
