// ibm-bench-cases: the cases service's benchmark (a program, not a test;
// tools/bench/README.md).
//
// In one run, on this machine, with the registry (SQLite) seeded with one village, its BNNK,
// a unit and an agent, and for each engine of --engines the cases service on a fresh database
// of that engine holding --clients clients with open cases:
//  1. writes: InterventionService/CreateInterventionSession (the session row, its attendance,
//     the request id and the change-log entry queued, in one transaction) against the
//     baseline of a raw durable single-row INSERT into a table of the session's shape on the
//     same engine, through the suite's own sql::Database pool without its group commit (one
//     engine transaction, one flush, per insert), from as many client threads as calls in
//     flight. Target: sessions / raw at least 0.5 on each engine. On SQLite the raw insert
//     with group commit (as the service runs) is measured too, and printed for comparison.
//  2. reads: ClientService/GetClient of random clients against the bare gRPC echo
//     (ibm-smoke's EchoService/Echo) at the same concurrency. Target: at least 0.5.
// Each pair alternates phases --rounds times, so that drifting load on a shared machine
// weighs on both alike. Only OK calls count; every error is counted.

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <optional>
#include <random>
#include <thread>
#include <tuple>

#include "absl/flags/flag.h"
#include "absl/flags/internal/program_name.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "base/crypto.h"
#include "base/sealing.h"
#include "base/status.h"
#include "bench/load.h"
#include "grpcpp/create_channel.h"
#include "ibm/cases/v1/cases.grpc.pb.h"
#include "ibm/cases/v1/clients.grpc.pb.h"
#include "ibm/cases/v1/interventions.grpc.pb.h"
#include "ibm/registry/v1/registry.grpc.pb.h"
#include "ibmctl/region_import.h"
#include "sql/database.h"
#include "testing/process.h"
#include "testing/test_database.h"

ABSL_FLAG(absl::Duration, duration, absl::Seconds(12),
          "measured time of each load (raw insert, sessions, echo, GetClient) on each engine, "
          "split over --rounds phases");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "unmeasured load before each phase");
ABSL_FLAG(int, rounds, 3,
          "the phases of each pair (raw/sessions, echo/GetClient) alternate this "
          "many times");
ABSL_FLAG(int, concurrency, 64,
          "calls in flight at any time: gRPC calls, or client threads of the raw insert");
ABSL_FLAG(int, channels, 4, "gRPC channels (connections) the calls are spread over");
ABSL_FLAG(std::string, engines, "sqlite,mysql",
          "engines of the cases service: sqlite and/or mysql (a private MariaDB server)");
ABSL_FLAG(int, clients, 200,
          "clients with an open case created before the load (1-9999): the sessions' attendees "
          "and the clients GetClient reads");
ABSL_FLAG(int, server_workers, 16, "--workers of every server");
ABSL_FLAG(int, server_max_queued, 256, "--max_queued of every server");
ABSL_FLAG(std::string, smoke_binary, IBM_SMOKE_BINARY, "the echo server");
ABSL_FLAG(std::string, registry_binary, IBM_REGISTRY_BINARY, "the registry server");
ABSL_FLAG(std::string, cases_binary, IBM_CASES_BINARY, "the cases server");

namespace ibm::bench {
namespace {

namespace cv1 = ibm::cases::v1;
namespace rv1 = ibm::registry::v1;

// The world of the run: Caringin (Bandung), BNNK Bandung fostering its unit, one agent.
constexpr char kVillage[] = "32.73.04.1001";
constexpr char kBnnk[] = "bnnk-32.73";
const DevCaller kCentral{"officer", "bnn", "ibm-bench-cases"};
const DevCaller kBnnp{"officer", "bnnp-32", "ibm-bench-cases"};
const DevCaller kBnnkOfficer{"officer", kBnnk, "satkers/bnnk-32.73/officers/bench"};

struct World {
  std::string unit;  // units/32.73.04.1001-1
  DevCaller agent;   // its agent, who records the sessions
  int registry_port = 0;
};

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()); }

google::type::Date DateOf(absl::CivilDay d) {
  google::type::Date out;
  out.set_year(static_cast<int>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

std::unique_ptr<grpc::ClientContext> As(const DevCaller& caller) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  DevAuth(ctx.get(), caller);
  return ctx;
}

// A setup call that has to work.
void Must(const grpc::Status& s, const std::string& what) {
  if (!s.ok()) Die(absl::StrCat(what, ": ", platform::Describe(platform::FromGrpcStatus(s))));
}

std::string NextRequestId() {
  static std::atomic<int64_t> next{0};
  return absl::StrCat("bench-setup-", ++next);
}

std::shared_ptr<grpc::Channel> ChannelTo(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
}

// --- Setup -----------------------------------------------------------------------------

// The registry's side of the world, as services/cases/tests/process_test.cc seeds it: the
// regions down to Caringin, the satkers, BNNK Bandung, its unit in Caringin, and an ACTIVE
// agent there.
World SeedRegistry(int port) {
  World w;
  w.registry_port = port;
  auto channel = ChannelTo(port);
  auto regions = rv1::RegionService::NewStub(channel);
  std::vector<rv1::RegionRow> rows;
  for (auto [code, parent, name] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"32", "", "Jawa Barat"},
           {"32.73", "32", "Kota Bandung"},
           {"32.73.04", "32.73", "Bandung Kulon"},
           {kVillage, "32.73.04", "Caringin"}}) {
    rv1::RegionRow& row = rows.emplace_back();
    row.set_code(code);
    row.set_parent_code(parent);
    row.set_name(name);
    row.set_source_file("bench.csv");
    row.set_source_line(static_cast<int>(rows.size()) + 1);
  }
  tools::ImportOptions o;
  o.edition = "ibm-bench-cases@1";
  o.prepare = [](grpc::ClientContext* c) {
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    DevAuth(c, kCentral);
  };
  if (auto r = tools::ImportRegions(*regions, rows, o); !r.ok()) {
    Die("seeding the registry's regions: " + platform::Describe(r.status()));
  }

  auto satkers = rv1::SatkerService::NewStub(channel);
  rv1::BootstrapSatkersRequest boot;
  boot.set_request_id(NextRequestId());
  rv1::BootstrapSatkersResponse booted;
  Must(satkers->BootstrapSatkers(As(kCentral).get(), boot, &booted), "BootstrapSatkers");
  rv1::CreateSatkerRequest bnnk;
  bnnk.mutable_satker()->set_kind(rv1::SATKER_KIND_BNNK);
  bnnk.mutable_satker()->set_region("regions/32.73");
  bnnk.set_request_id(NextRequestId());
  rv1::Satker satker;
  Must(satkers->CreateSatker(As(kBnnp).get(), bnnk, &satker), "CreateSatker bnnk-32.73");

  rv1::CreateUnitRequest unit;
  unit.mutable_unit()->set_village(absl::StrCat("regions/", kVillage));
  unit.mutable_unit()->set_satker(absl::StrCat("satkers/", kBnnk));
  *unit.mutable_unit()->mutable_formation_date() = DateOf(Today() - 400);
  unit.set_request_id(NextRequestId());
  rv1::Unit made;
  Must(rv1::UnitService::NewStub(channel)->CreateUnit(As(kCentral).get(), unit, &made),
       "CreateUnit");
  w.unit = made.name();

  rv1::CreateAgentRequest agent;
  agent.set_parent(w.unit);
  agent.mutable_agent()->set_display_name("Ani");
  rv1::AppointmentDecree* decree = agent.mutable_agent()->mutable_decree();
  decree->set_number("141/12/2025");
  *decree->mutable_date() = DateOf(Today() - 365);
  *decree->mutable_valid_until() = DateOf(Today() + 730);
  agent.set_request_id(NextRequestId());
  rv1::Agent appointed;
  Must(rv1::AgentService::NewStub(channel)->CreateAgent(As(kCentral).get(), agent, &appointed),
       "CreateAgent");
  w.agent = DevCaller{"agent", kBnnk, appointed.name()};
  return w;
}

// The cases service's NIK-index key file (owner-only, as the service requires).
std::string WriteNikIndexKeys(const std::string& dir) {
  const std::string path = dir + "/nik-index-keys";
  std::ofstream(path) << platform::FieldSealer::NewKeyLine("nik1");
  chmod(path.c_str(), 0600);
  return path;
}

// `n` voluntary clients of the unit, each with an identity (a NIK of its own) and an open
// case, registered and enrolled by BNNK Bandung's officer: the pool the load draws from.
std::vector<std::string> EnrollClients(int port, const World& w, int n) {
  auto channel = ChannelTo(port);
  auto clients = cv1::ClientService::NewStub(channel);
  auto cases = cv1::CaseService::NewStub(channel);
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    cv1::CreateClientRequest r;
    cv1::Client* c = r.mutable_client();
    c->set_unit(w.unit);
    c->set_sex(cv1::SEX_FEMALE);
    c->set_birth_year(1990);
    c->set_home_village(absl::StrCat("regions/", kVillage));
    c->set_admission_path(cv1::ADMISSION_PATH_VOLUNTARY_FAMILY);
    cv1::ConsentRecord* consent = c->mutable_consent();
    consent->mutable_consent_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
    consent->set_method(cv1::CONSENT_METHOD_WRITTEN_SIGNATURE);
    consent->set_obtained_by(w.agent.subject);
    consent->set_form_version("ibm-consent-2025");
    consent->add_purposes(cv1::CONSENT_PURPOSE_SERVICES);
    consent->set_document_sha256(std::string(64, 'a'));
    // Born 5 May 1990, a woman (day + 40), in Bandung Kulon: sequence numbers 0001 on.
    r.mutable_identity()->set_nik(absl::StrFormat("327304450590%04d", i + 1));
    r.mutable_identity()->set_full_name(absl::StrCat("Dewi Lestari Nomor ", i));
    r.mutable_identity()->set_phone(absl::StrFormat("0813-5550-%04d", i));
    r.set_request_id(NextRequestId());
    cv1::Client client;
    Must(clients->CreateClient(As(kBnnkOfficer).get(), r, &client), "CreateClient");

    cv1::CreateCaseRequest enroll;
    enroll.set_parent(w.unit);
    enroll.mutable_case_()->set_client(client.name());
    *enroll.mutable_case_()->mutable_enrollment_date() = DateOf(Today() - 30);
    enroll.set_request_id(NextRequestId());
    cv1::Case opened;
    Must(cases->CreateCase(As(kBnnkOfficer).get(), enroll, &opened), "CreateCase");
    names.push_back(client.name());
  }
  return names;
}

// --- Writes ----------------------------------------------------------------------------

// A home visit of yesterday by the unit's agent, for one client (filled in per call).
cv1::InterventionSession HomeVisit(const World& w) {
  cv1::InterventionSession s;
  s.set_kind(cv1::INTERVENTION_KIND_HOME_VISIT);
  s.set_format(cv1::SESSION_FORMAT_INDIVIDUAL);
  *s.mutable_session_date() = DateOf(Today() - 1);
  s.mutable_duration()->set_seconds(60 * 60);
  s.add_facilitators(w.agent.subject);
  s.add_attendance()->set_attended(true);
  s.set_topic("mengenali pemicu kambuh");
  s.set_notes("stable; family present; next visit in two weeks");
  return s;
}

// CreateInterventionSession as the agent: each call a fresh request id and one attendee
// drawn uniformly from `clients` (each slot its own generator).
std::unique_ptr<Workload> SessionLoad(int port, const World& w,
                                      const std::vector<std::string>& clients) {
  using W = UnaryWorkload<cv1::InterventionService, cv1::CreateInterventionSessionRequest,
                          cv1::InterventionSession>;
  const int n = absl::GetFlag(FLAGS_concurrency);
  struct SlotState {
    std::mt19937 rng;
    int64_t calls = 0;
  };
  auto slots = std::make_shared<std::vector<SlotState>>();
  for (int i = 0; i < n; ++i) slots->push_back({std::mt19937(2000 + i), 0});
  std::uniform_int_distribution<size_t> pick(0, clients.size() - 1);
  return std::make_unique<W>(
      Channels(port, absl::GetFlag(FLAGS_channels)), n,
      [](auto* stub, auto* ctx, auto* req, auto* resp, auto done) {
        stub->CreateInterventionSession(ctx, req, resp, std::move(done));
      },
      [slots, pick, &clients, &w, visit = HomeVisit(w)](
          int slot, cv1::CreateInterventionSessionRequest* req, grpc::ClientContext* ctx) mutable {
        SlotState& st = (*slots)[slot];
        req->set_parent(w.unit);
        *req->mutable_intervention_session() = visit;
        req->mutable_intervention_session()->mutable_attendance(0)->set_client(
            clients[pick(st.rng)]);
        req->set_request_id(absl::StrCat("bench-", slot, "-", ++st.calls));
        DevAuth(ctx, w.agent);
      });
}

// The baseline: what a durable write costs on this engine with nothing around it. A table of
// the shape of the service's intervention_sessions (services/cases/store/interventions.cc:
// the same columns, key and indexes), one INSERT of a row like the service's per
// transaction, through sql::Open's pool (the same driver, pragmas, pool size and BEGIN
// IMMEDIATE as the service's, the DSN being of the same form).
constexpr const char* kRawTable[] = {
    "CREATE TABLE IF NOT EXISTS raw_sessions (id VARCHAR(40) PRIMARY KEY, "
    "unit_id VARCHAR(40) NOT NULL, village_code VARCHAR(20) NOT NULL, kind INT NOT NULL, "
    "format INT NOT NULL, session_date VARCHAR(10) NOT NULL, state INT NOT NULL, "
    "attendee_count INT NOT NULL, attended_count INT NOT NULL, details {LONGBLOB} NOT NULL, "
    "create_actor VARCHAR(200) NOT NULL, version BIGINT NOT NULL, "
    "create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) {TABLE_OPTIONS}",
    "CREATE INDEX IF NOT EXISTS raw_sessions_by_unit ON raw_sessions (unit_id, session_date, id)",
    "CREATE INDEX IF NOT EXISTS raw_sessions_by_village ON raw_sessions "
    "(village_code, session_date)",
};
constexpr char kRawInsert[] =
    "INSERT INTO raw_sessions (id, unit_id, village_code, kind, format, session_date, state, "
    "attendee_count, attended_count, details, create_actor, version, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// `group_commit`: the SQL layer's group commit (SQLite only; the service runs with it). The
// baseline runs without: each insert its own engine transaction, one flush each.
std::unique_ptr<sql::Database> OpenRawTable(const std::string& dsn, bool group_commit) {
  sql::OpenOptions options;
  options.group_commit = group_commit;
  auto db = sql::Open(dsn, options);
  if (!db.ok()) Die("the raw insert's database: " + platform::Describe(db.status()));
  for (const char* ddl : kRawTable) {
    if (auto r = (*db)->Exec((*db)->dialect().Expand(ddl)); !r.ok()) {
      Die("creating raw_sessions: " + platform::Describe(r.status()));
    }
  }
  return *std::move(db);
}

// The engine's durability settings as a connection of the pool sees them: for SQLite the
// driver's pragmas (the service's connections run the same), for MariaDB the server's.
std::string Durability(sql::Database& db) {
  try {
    if (db.dialect().engine == sql::Engine::kSqlite) {
      auto journal = db.Query("PRAGMA journal_mode");
      auto sync = db.Query("PRAGMA synchronous");
      if (!journal.ok() || !sync.ok() || journal->empty() || sync->empty()) return "unknown";
      static const char* kSync[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
      const int64_t level = sync->front().Int(0);
      return absl::StrCat("journal_mode=", journal->front().Text(0),
                          " synchronous=", level >= 0 && level <= 3 ? kSync[level] : "?");
    }
    auto r = db.Query(
        "SELECT CAST(@@innodb_flush_log_at_trx_commit AS CHAR) AS flush, "
        "CAST(@@innodb_doublewrite AS CHAR) AS doublewrite, CAST(@@log_bin AS CHAR) AS binlog");
    if (!r.ok() || r->empty()) return "unknown";
    const sql::Row& row = r->front();
    return absl::StrCat("innodb_flush_log_at_trx_commit=", row.Text("flush"),
                        " innodb_doublewrite=", row.Text("doublewrite"),
                        " log_bin=", row.Text("binlog"));
  } catch (const std::exception&) {  // a getter's type mismatch: say so, measure anyway
    return "unknown";
  }
}

std::unique_ptr<Workload> RawInsertLoad(sql::Database& db, const World& w) {
  cv1::InterventionSession details = HomeVisit(w);
  details.clear_attendance();  // the service keeps attendance in rows, the rest as details
  const std::string unit_id(w.unit.substr(w.unit.find('/') + 1));
  const std::string session_date = absl::FormatCivilTime(Today() - 1);
  return std::make_unique<BlockingWorkload>(
      absl::GetFlag(FLAGS_concurrency),
      [&db, &w, unit_id, session_date, blob = details.SerializeAsString()](int) {
        const int64_t now = absl::ToUnixMicros(absl::Now());
        return db.Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
          return s
              .Exec(kRawInsert, {platform::RandomId(6), unit_id, kVillage,
                                 static_cast<int>(cv1::INTERVENTION_KIND_HOME_VISIT),
                                 static_cast<int>(cv1::SESSION_FORMAT_INDIVIDUAL), session_date,
                                 static_cast<int>(cv1::RECORD_STATE_RECORDED), 1, 1,
                                 sql::Bytes{blob}, w.agent.subject, 1, now, now})
              .status();
        });
      });
}

// --- Reads -----------------------------------------------------------------------------

// The engine's own floor under GetClient, for comparison: a point SELECT by primary key of
// random rows the raw insert wrote (1,000 of them), through the same pool, without a
// transaction (as GetClient reads), from as many client threads as calls in flight.
std::unique_ptr<Workload> RawPointReadLoad(sql::Database& db) {
  auto ids = db.Query("SELECT id FROM raw_sessions ORDER BY id LIMIT 1000");
  if (!ids.ok() || ids->empty()) Die("the raw point read: no rows to read");
  auto keys = std::make_shared<std::vector<std::string>>();
  for (const sql::Row& row : *ids) keys->push_back(row.Text(0));
  const int n = absl::GetFlag(FLAGS_concurrency);
  auto rng = std::make_shared<std::vector<std::mt19937>>();
  for (int i = 0; i < n; ++i) rng->emplace_back(2000 + i);
  return std::make_unique<BlockingWorkload>(n, [&db, keys, rng](int slot) -> absl::Status {
    std::uniform_int_distribution<size_t> pick(0, keys->size() - 1);
    auto row = db.Query(
        "SELECT id, unit_id, village_code, kind, format, session_date, state, attendee_count, "
        "attended_count, details, create_actor, version, create_time, update_time FROM "
        "raw_sessions WHERE id = ?",
        {(*keys)[pick((*rng)[slot])]});
    if (!row.ok()) return row.status();
    return row->size() == 1 ? absl::OkStatus() : absl::InternalError("the row is missing");
  });
}

// GetClient of uniformly random clients by BNNK Bandung's officer.
std::unique_ptr<Workload> GetClientLoad(int port, const std::vector<std::string>& clients) {
  using W = UnaryWorkload<cv1::ClientService, cv1::GetClientRequest, cv1::Client>;
  const int n = absl::GetFlag(FLAGS_concurrency);
  auto rng = std::make_shared<std::vector<std::mt19937>>();
  for (int i = 0; i < n; ++i) rng->emplace_back(1000 + i);
  std::uniform_int_distribution<size_t> pick(0, clients.size() - 1);
  return std::make_unique<W>(
      Channels(port, absl::GetFlag(FLAGS_channels)), n,
      [](auto* stub, auto* ctx, auto* req, auto* resp, auto done) {
        stub->GetClient(ctx, req, resp, std::move(done));
      },
      [rng, pick, &clients](int slot, cv1::GetClientRequest* req,
                            grpc::ClientContext* ctx) mutable {
        req->set_name(clients[pick((*rng)[slot])]);
        DevAuth(ctx, kBnnkOfficer);
      });
}

// --- One engine ------------------------------------------------------------------------

struct EngineFigures {
  std::string engine, durability;
  LoadResult raw, sessions, echo, get;
  // SQLite: the raw insert through the SQL layer's group commit, for comparison.
  std::optional<LoadResult> raw_grouped;
  LoadResult raw_read;  // the engine's point read, for comparison with GetClient
};

// Checks each load's call works once before loading the server with it.
void CheckOnce(Workload& w, const std::string& what) {
  std::promise<absl::Status> result;
  w.Issue(0, [&](absl::Status s) { result.set_value(std::move(s)); });
  if (absl::Status s = result.get_future().get(); !s.ok()) {
    Die(absl::StrCat(what, ": ", platform::Describe(s)));
  }
}

EngineFigures MeasureEngine(const std::string& engine, const World& world, int echo_port,
                            const std::string& work) {
  EngineFigures f;
  f.engine = engine;
  std::unique_ptr<MariaDb> mariadb;
  std::string dsn, raw_dsn;
  if (engine == "sqlite") {
    dsn = absl::StrCat("sqlite://", work, "/cases.db");
    raw_dsn = absl::StrCat("sqlite://", work, "/raw.db");  // the same file system
  } else {
    mariadb = std::make_unique<MariaDb>(work + "/mariadb");
    dsn = mariadb->dsn();
    // The baseline's own database on the same server (its account may create ibm_test_*).
    raw_dsn = absl::StrReplaceAll(dsn, {{"/ibm_test?", "/ibm_test_raw?"}});
    auto admin = sql::Open(dsn);
    if (raw_dsn == dsn || !admin.ok() ||
        !(*admin)
             ->Exec("CREATE DATABASE IF NOT EXISTS ibm_test_raw CHARACTER SET utf8mb4 COLLATE "
                    "utf8mb4_bin")
             .ok()) {
      Die("cannot create the raw insert's database beside " + dsn);
    }
  }

  Say("starting ibm-cases (" + engine + ")");
  ServerOptions o;
  o.workers = absl::GetFlag(FLAGS_server_workers);
  o.max_queued = absl::GetFlag(FLAGS_server_max_queued);
  o.extra_args = {absl::StrCat("--registry=127.0.0.1:", world.registry_port),
                  "--nik_index_keys=" + WriteNikIndexKeys(work)};
  auto cases = StartServer(absl::GetFlag(FLAGS_cases_binary), dsn, o);
  const int n_clients = std::clamp(absl::GetFlag(FLAGS_clients), 1, 9999);
  Say(absl::StrCat("registering ", n_clients, " clients with open cases (", engine, ")"));
  const absl::Time setup_start = absl::Now();
  const std::vector<std::string> clients = EnrollClients(cases->port(), world, n_clients);
  Say(absl::StrFormat("  done in %.1f s", absl::ToDoubleSeconds(absl::Now() - setup_start)));

  auto raw_db = OpenRawTable(raw_dsn, /*group_commit=*/false);
  f.durability = Durability(*raw_db);
  auto raw = RawInsertLoad(*raw_db, world);
  std::unique_ptr<sql::Database> grouped_db;
  std::unique_ptr<Workload> raw_grouped;
  if (engine == "sqlite") {
    grouped_db = OpenRawTable(raw_dsn, /*group_commit=*/true);
    raw_grouped = RawInsertLoad(*grouped_db, world);
    CheckOnce(*raw_grouped, "the group-committed raw insert");
  }
  auto sessions = SessionLoad(cases->port(), world, clients);
  auto echo = EchoLoad(echo_port, absl::GetFlag(FLAGS_channels), absl::GetFlag(FLAGS_concurrency));
  auto get = GetClientLoad(cases->port(), clients);
  CheckOnce(*raw, "the raw insert");
  CheckOnce(*sessions, "CreateInterventionSession");
  CheckOnce(*get, "GetClient");

  const int n = absl::GetFlag(FLAGS_concurrency);
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  const absl::Duration warmup = absl::GetFlag(FLAGS_warmup);
  const absl::Duration phase = absl::GetFlag(FLAGS_duration) / rounds;
  Sample raw_sample, grouped_sample, session_sample, echo_sample, get_sample, read_sample;
  for (int r = 0; r < rounds; ++r) {
    Say(absl::StrCat(engine, " writes, round ", r + 1, "/", rounds,
                     ": raw insert, CreateInterventionSession"));
    RunPhase(*raw, n, warmup, phase, &raw_sample);
    RunPhase(*sessions, n, warmup, phase, &session_sample);
    if (raw_grouped) RunPhase(*raw_grouped, n, warmup, phase, &grouped_sample);
  }
  auto raw_read = RawPointReadLoad(*raw_db);
  CheckOnce(*raw_read, "the raw point read");
  for (int r = 0; r < rounds; ++r) {
    Say(absl::StrCat(engine, " reads, round ", r + 1, "/", rounds,
                     ": echo, GetClient, raw point read"));
    RunPhase(*echo, n, warmup, phase, &echo_sample);
    RunPhase(*get, n, warmup, phase, &get_sample);
    RunPhase(*raw_read, n, warmup, phase, &read_sample);
  }
  f.raw =
      Summarize(absl::StrCat("raw durable insert, 1 row/tx (", engine, ")"), std::move(raw_sample));
  if (raw_grouped) {
    f.raw_grouped = Summarize(absl::StrCat("raw insert, group-committed (", engine, ")"),
                              std::move(grouped_sample));
  }
  f.sessions = Summarize(absl::StrCat("CreateInterventionSession (", engine, ")"),
                         std::move(session_sample));
  f.echo = Summarize(absl::StrCat("echo, beside the ", engine, " reads"), std::move(echo_sample));
  f.get = Summarize(absl::StrCat("GetClient, random client (", engine, ")"), std::move(get_sample));
  f.raw_read = Summarize(absl::StrCat("raw point read, no transaction (", engine, ")"),
                         std::move(read_sample));
  // A crash under load would show here (the load's errors are in the table).
  if (testing::ExitResult exit = cases->Stop(SIGTERM); exit.exit_code != 0) {
    Say(absl::StrCat(
        "ibm-cases (", engine, ") exited with ", exit.exit_code,
        " after the load; its last output:\n",
        exit.output.substr(exit.output.size() > 4000 ? exit.output.size() - 4000 : 0)));
  }
  return f;
}

int Main() {
  std::vector<std::string> engines =
      absl::StrSplit(absl::GetFlag(FLAGS_engines), ',', absl::SkipEmpty());
  if (engines.empty()) Die("--engines: name sqlite and/or mysql");
  for (const auto& e : engines) {
    if (e != "sqlite" && e != "mysql") Die("--engines: '" + e + "' is neither sqlite nor mysql");
  }
  testing::TempDir work;
  ServerOptions o;
  o.workers = absl::GetFlag(FLAGS_server_workers);
  o.max_queued = absl::GetFlag(FLAGS_server_max_queued);
  Say("starting ibm-smoke and ibm-registry (SQLite)");
  auto smoke = StartServer(absl::GetFlag(FLAGS_smoke_binary),
                           absl::StrCat("sqlite://", work.path(), "/smoke.db"), o);
  auto registry = StartServer(absl::GetFlag(FLAGS_registry_binary),
                              absl::StrCat("sqlite://", work.path(), "/registry.db"), o);
  const World world = SeedRegistry(registry->port());

  std::vector<EngineFigures> figures;
  for (const std::string& engine : engines) {
    const std::string dir = absl::StrCat(work.path(), "/", engine);
    std::filesystem::create_directories(dir);
    figures.push_back(MeasureEngine(engine, world, smoke->port(), dir));
  }
  smoke->Stop(SIGTERM);
  registry->Stop(SIGTERM);

  // --- Summary
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  std::cout << absl::StrFormat(
      "\nibm-bench-cases: %d calls in flight (gRPC calls over %d channels, or client threads of "
      "the raw insert); %d rounds of each pair, each phase %s warm-up + %s measured; servers "
      "--workers=%d --max_queued=%d, info logging; %d clients with open cases; %u CPUs; only OK "
      "calls count\n\n",
      absl::GetFlag(FLAGS_concurrency), absl::GetFlag(FLAGS_channels), rounds,
      absl::FormatDuration(absl::GetFlag(FLAGS_warmup)),
      absl::FormatDuration(absl::GetFlag(FLAGS_duration) / rounds),
      absl::GetFlag(FLAGS_server_workers), absl::GetFlag(FLAGS_server_max_queued),
      std::clamp(absl::GetFlag(FLAGS_clients), 1, 9999), std::thread::hardware_concurrency());
  std::vector<LoadResult> loads;
  for (const EngineFigures& f : figures) {
    loads.push_back(f.raw);
    if (f.raw_grouped) loads.push_back(*f.raw_grouped);
    loads.insert(loads.end(), {f.sessions, f.echo, f.get, f.raw_read});
  }
  PrintLoads(std::cout, loads);
  std::cout << "\n";
  for (const EngineFigures& f : figures) {
    std::cout << absl::StrFormat("%-6s durability of both writers: %s\n", f.engine, f.durability);
  }
  for (const EngineFigures& f : figures) {
    const double writes = f.raw.qps > 0 ? f.sessions.qps / f.raw.qps : 0;
    const double reads = f.echo.qps > 0 ? f.get.qps / f.echo.qps : 0;
    std::cout << absl::StrFormat(
        "%-6s ratio CreateInterventionSession / raw insert: %.2f (target >= 0.50: %s)\n", f.engine,
        writes, Verdict(writes >= 0.5));
    std::cout << absl::StrFormat(
        "%-6s ratio GetClient / echo:                       %.2f (target >= 0.50: %s)\n", f.engine,
        reads, Verdict(reads >= 0.5));
    std::cout << absl::StrFormat(
        "%-6s for comparison: GetClient / raw point read %.2f, raw point read / echo %.2f\n",
        f.engine, f.raw_read.qps > 0 ? f.get.qps / f.raw_read.qps : 0,
        f.echo.qps > 0 ? f.raw_read.qps / f.echo.qps : 0);
  }
  return 0;
}

}  // namespace
}  // namespace ibm::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "the cases service's durable write path (CreateInterventionSession: the row and its "
      "audit entry in one transaction) against a raw durable single-row insert on the same "
      "engine, on SQLite and MariaDB, and GetClient against the bare echo at the same "
      "concurrency (targets: ratios >= 0.5). See tools/bench/README.md.\n"
      "Usage: ibm-bench-cases [flags]");
  absl::flags_internal::SetProgramInvocationName("ibm-bench-cases");
  absl::FlagsUsageConfig usage;
  usage.normalize_filename = [](absl::string_view f) {
    const size_t at = f.find("tools/");
    return std::string(at == absl::string_view::npos ? f : f.substr(at));
  };
  absl::SetFlagsUsageConfig(usage);
  for (int i = 1; i < argc; ++i) {
    const absl::string_view a = argv[i];
    if (a == "--help" || a == "-h" || a == "-help") {
      absl::flags_internal::FlagsHelp(std::cout, "bench/cases_bench.cc",
                                      absl::flags_internal::HelpFormat::kHumanReadable,
                                      absl::ProgramUsageMessage());
      return 0;
    }
  }
  absl::ParseCommandLine(argc, argv);
  ibm::bench::SetProgramName("ibm-bench-cases");
  return ibm::bench::RunMain(ibm::bench::Main);
}
