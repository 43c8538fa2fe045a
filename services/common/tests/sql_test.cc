// The SQL layer against both real engines: a temp SQLite file and the private MariaDB.

#include <atomic>
#include <stdexcept>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sql/database.h"
#include "sql/migrations.h"
#include "testing/engine_test.h"
#include "testing/test_database.h"

namespace ibm::sql {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SqlTest : public testing::EngineTest {
 protected:
  void Create(absl::string_view ddl) {
    auto r = db_->Exec(db_->dialect().Expand(ddl));
    ASSERT_TRUE(r.ok()) << r.status();
  }
};

TEST_P(SqlTest, InsertRowsSplitsIntoStatementsAndRefusesPartialRows) {
  Create("CREATE TABLE t (k BIGINT PRIMARY KEY, v VARCHAR(20)) {TABLE_OPTIONS}");
  Params values;
  for (int64_t k = 1; k <= 7; ++k) {
    values.push_back(k);
    values.push_back(absl::StrCat("v", k));
  }
  // 7 rows, 3 per statement: statements of 3, 3 and 1 rows, all in one transaction.
  ASSERT_TRUE(
      db_->Transact(TxMode::kReadWrite,
                    [&](Session& s) { return s.InsertRows("INSERT INTO t (k, v)", 2, values, 3); })
          .ok());
  auto rows = db_->Query("SELECT k, v FROM t ORDER BY k");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 7u);
  EXPECT_EQ(rows->back().Int(0), 7);
  EXPECT_EQ(rows->back().Text(1), "v7");
  EXPECT_EQ(Placeholders(3), "(?, ?, ?)");

  // A value short of a whole row is a programming error, and nothing is written.
  values.push_back(int64_t{8});
  auto partial = db_->Transact(TxMode::kReadWrite, [&](Session& s) {
    return s.InsertRows("INSERT INTO t (k, v)", 2, values, 3);
  });
  EXPECT_EQ(partial.code(), absl::StatusCode::kInternal);
  // A failing statement after earlier ones rolls the whole transaction back.
  Params clash = {int64_t{100}, "new", int64_t{101}, "new", int64_t{1}, "dup"};
  auto dup = db_->Transact(TxMode::kReadWrite, [&](Session& s) {
    return s.InsertRows("INSERT INTO t (k, v)", 2, clash, 2);
  });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  rows = db_->Query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->front().Int(0), 7);
}

TEST_P(SqlTest, ManyDistinctStatementsKeepTheStatementCacheBounded) {
  absl::Status s = db_->Transact(TxMode::kReadOnly, [&](Session& session) -> absl::Status {
    for (int i = 0; i < 1000; ++i) {  // one connection, 1,000 different statements
      auto rows = session.Query(absl::StrCat("SELECT ? + ", i, " AS n"), {1});
      if (!rows.ok()) return rows.status();
      if (rows->front().Int("n") != 1 + i) return absl::InternalError("wrong sum");
    }
    if (GetParam() == "mysql") {
      // What this connection holds on the server: prepared minus closed, its own counters
      // (the server-wide count would include the tests running beside this one).
      auto count = session.Query(
          "SELECT (SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE "
          "VARIABLE_NAME = 'COM_STMT_PREPARE') - (SELECT VARIABLE_VALUE FROM "
          "information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'COM_STMT_CLOSE') AS held");
      if (!count.ok()) return count.status();
      const int64_t held = static_cast<int64_t>(count->front().Double("held"));
      if (held > static_cast<int64_t>(kMaxCachedStatements) + 2) {
        return absl::InternalError(absl::StrCat(held, " prepared statements held"));
      }
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
}

TEST_P(SqlTest, EveryTypeRoundTrips) {
  Create(
      "CREATE TABLE t (id {AUTO_ID}, i BIGINT, d DOUBLE, s VARCHAR(200), txt {LONGTEXT},"
      " b {LONGBLOB}, flag BIGINT) {TABLE_OPTIONS}");
  const std::string blob("\x00\x01\xff\xfe binary \x00 end", 17);
  const std::string text = "Kab. \"Bandung\", Jawa Barat — 'quoted' ünïcödé 🌾";
  const std::string big(300'000, 'x');
  struct Case {
    Value i, d, s, txt, b, flag;
  };
  std::vector<Case> cases = {
      {int64_t{INT64_MAX}, 0.1, text, big, Bytes{blob}, true},
      {int64_t{INT64_MIN}, -1e300, std::string(""), std::string(""), Bytes{""}, false},
      {0, 12345.678901234, "a", std::nullopt, std::nullopt, std::nullopt},
      {std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
  };
  std::vector<int64_t> ids;
  for (const Case& c : cases) {
    auto id = db_->Transact(TxMode::kReadWrite, [&](Session& s) -> absl::Status {
      auto r = s.Insert("INSERT INTO t (i, d, s, txt, b, flag) VALUES (?, ?, ?, ?, ?, ?)",
                        {c.i, c.d, c.s, c.txt, c.b, c.flag});
      if (!r.ok()) return r.status();
      ids.push_back(*r);
      return absl::OkStatus();
    });
    ASSERT_TRUE(id.ok()) << id;
  }
  ASSERT_EQ(ids.size(), cases.size());
  EXPECT_LT(ids[0], ids[1]);
  for (size_t k = 0; k < cases.size(); ++k) {
    auto rows = db_->Query("SELECT i, d, s, txt, b, flag FROM t WHERE id = ?", {ids[k]});
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), 1u);
    const Row& r = rows->front();
    const Case& c = cases[k];
    if (c.i.is_null()) {
      for (size_t col = 0; col < 6; ++col) EXPECT_TRUE(r.IsNull(col)) << col;
      continue;
    }
    EXPECT_EQ(r.Int(0), c.i.as_int());
    EXPECT_DOUBLE_EQ(r.Double(1), c.d.as_double());
    EXPECT_EQ(r.Text(2), c.s.as_text());
    EXPECT_EQ(r.OptText(3), c.txt.is_null() ? std::nullopt : std::optional(c.txt.as_text()));
    if (c.b.is_null()) {
      EXPECT_TRUE(r.IsNull(4));
    } else {
      EXPECT_EQ(r.Blob(4), c.b.as_bytes().data);
    }
    EXPECT_EQ(r.OptInt(5), c.flag.is_null() ? std::nullopt : std::optional(c.flag.as_int()));
  }
}

// Reads without a transaction see what is committed, and begin nothing that could be left
// open on a pooled connection: a read-write transaction right after works as usual.
TEST_P(SqlTest, AutocommitReadsSeeCommittedRowsAndLeaveNoTransactionOpen) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE a (k INT PRIMARY KEY, v VARCHAR(10))").ok());
  ASSERT_TRUE(db_->Exec("INSERT INTO a VALUES (1, 'one')").ok());
  std::string seen;
  auto st = db_->Transact(sql::TxMode::kAutocommitRead, [&](sql::Session& s) -> absl::Status {
    auto row = s.QueryOne("SELECT v FROM a WHERE k = ?", {1}, "a");
    if (!row.ok()) return row.status();
    seen = row->Text("v");
    return absl::OkStatus();
  });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(seen, "one");
  st = db_->Transact(sql::TxMode::kAutocommitRead, [&](sql::Session& s) -> absl::Status {
    return s.QueryOne("SELECT v FROM a WHERE k = ?", {2}, "a 2").status();
  });
  EXPECT_TRUE(absl::IsNotFound(st)) << st;
  for (int i = 0; i < 20; ++i) {  // every pooled connection is usable for a write after
    ASSERT_TRUE(db_->Transact(sql::TxMode::kReadWrite,
                              [&](sql::Session& s) {
                                return s.Exec("UPDATE a SET v = 'uno' WHERE k = 1").status();
                              })
                    .ok());
  }
}

TEST_P(SqlTest, TransactionCommitsOrRollsBackAsAWhole) {
  Create("CREATE TABLE t (k VARCHAR(10) PRIMARY KEY, v BIGINT) {TABLE_OPTIONS}");
  ASSERT_TRUE(db_->Transact(TxMode::kReadWrite,
                            [](Session& s) -> absl::Status {
                              if (auto r = s.Exec("INSERT INTO t VALUES ('a', 1)"); !r.ok())
                                return r.status();
                              return s.Exec("INSERT INTO t VALUES ('b', 2)").status();
                            })
                  .ok());
  absl::Status failed = db_->Transact(TxMode::kReadWrite, [](Session& s) -> absl::Status {
    if (auto r = s.Exec("UPDATE t SET v = 100 WHERE k = 'a'"); !r.ok()) return r.status();
    if (auto r = s.Exec("INSERT INTO t VALUES ('c', 3)"); !r.ok()) return r.status();
    return absl::FailedPreconditionError("the handler changed its mind");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(failed.message(), "the handler changed its mind");
  auto rows = db_->Query("SELECT k, v FROM t ORDER BY k");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].Int(1), 1);  // the update was rolled back with the insert

  // A failing statement inside a transaction also rolls back what came before it.
  absl::Status dup = db_->Transact(TxMode::kReadWrite, [](Session& s) -> absl::Status {
    if (auto r = s.Exec("INSERT INTO t VALUES ('d', 4)"); !r.ok()) return r.status();
    return s.Exec("INSERT INTO t VALUES ('a', 5)").status();
  });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(db_->Query("SELECT k FROM t")->size(), 2u);
}

TEST_P(SqlTest, UniqueViolationIsAlreadyExistsWithoutTheValue) {
  Create(
      "CREATE TABLE person (id {AUTO_ID}, nik_index VARCHAR(64) NOT NULL,"
      " CONSTRAINT uq_person_nik UNIQUE (nik_index)) {TABLE_OPTIONS}");
  ASSERT_TRUE(db_->Exec("INSERT INTO person (nik_index) VALUES (?)", {"3273014101900001"}).ok());
  auto dup = db_->Exec("INSERT INTO person (nik_index) VALUES (?)", {"3273014101900001"});
  ASSERT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists) << dup.status();
  EXPECT_THAT(std::string(dup.status().message()), Not(HasSubstr("3273014101900001")));
}

TEST_P(SqlTest, ForeignKeyViolationIsFailedPrecondition) {
  Create("CREATE TABLE parent (id BIGINT PRIMARY KEY) {TABLE_OPTIONS}");
  Create(
      "CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL,"
      " FOREIGN KEY (parent_id) REFERENCES parent(id)) {TABLE_OPTIONS}");
  auto r = db_->Exec("INSERT INTO child VALUES (1, 42)");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
}

TEST_P(SqlTest, ConcurrentWritersLoseNoUpdate) {
  Create("CREATE TABLE counter (k VARCHAR(10) PRIMARY KEY, n BIGINT NOT NULL) {TABLE_OPTIONS}");
  Create("CREATE TABLE log (id {AUTO_ID}, writer BIGINT NOT NULL) {TABLE_OPTIONS}");
  ASSERT_TRUE(db_->Exec("INSERT INTO counter VALUES ('c', 0)").ok());
  constexpr int kWriters = 8, kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        absl::Status s = db_->Transact(TxMode::kReadWrite, [&](Session& tx) -> absl::Status {
          auto row = tx.QueryOne(
              absl::StrCat("SELECT n FROM counter WHERE k = 'c'", db_->dialect().ForUpdate()), {},
              "counter");
          if (!row.ok()) return row.status();
          if (auto r = tx.Exec("UPDATE counter SET n = ? WHERE k = 'c'", {row->Int(0) + 1});
              !r.ok())
            return r.status();
          return tx.Insert("INSERT INTO log (writer) VALUES (?)", {w}).status();
        });
        if (!s.ok()) {
          ++failures;
          ADD_FAILURE() << s;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(db_->Query("SELECT n FROM counter")->front().Int(0), kWriters * kEach);
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM log")->front().Int(0), kWriters * kEach);
}

// Concurrent writers, some failing, some throwing: each keeps its own outcome, whether its
// body ran in a transaction of its own or (SQLite's group commit) in another caller's,
// and its after-commit callbacks run only if its writes committed.
TEST_P(SqlTest, EachConcurrentWriterKeepsItsOwnOutcome) {
  Create("CREATE TABLE t (k BIGINT PRIMARY KEY) {TABLE_OPTIONS}");
  constexpr int kWriters = 24;
  absl::Notification others_waiting;
  std::atomic<int> callbacks{0}, ran_elsewhere{0};
  std::vector<absl::Status> outcome(kWriters);
  std::vector<bool> threw(kWriters, false);
  auto write = [&](int k) {
    const std::thread::id caller = std::this_thread::get_id();
    try {
      outcome[k] = db_->Transact(TxMode::kReadWrite, [&](Session& s) -> absl::Status {
        if (std::this_thread::get_id() != caller) ++ran_elsewhere;
        if (auto r = s.Exec("INSERT INTO t VALUES (?)", {k}); !r.ok()) return r.status();
        // The first writer holds its transaction until the others queue up behind it.
        if (k == 0) others_waiting.WaitForNotification();
        s.AfterCommit([&] { ++callbacks; });
        if (k % 3 == 1) return absl::FailedPreconditionError(absl::StrCat("writer ", k));
        if (k % 5 == 2) throw std::runtime_error("a bug in the handler");
        if (k % 7 == 3) return s.Exec("INSERT INTO t VALUES (0)").status();  // duplicate
        return absl::OkStatus();
      });
    } catch (const std::runtime_error&) {
      threw[k] = true;
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(write, 0);
  absl::SleepFor(absl::Milliseconds(50));
  for (int k = 1; k < kWriters; ++k) threads.emplace_back(write, k);
  absl::SleepFor(absl::Milliseconds(200));
  others_waiting.Notify();
  for (auto& t : threads) t.join();

  int committed = 0;
  for (int k = 0; k < kWriters; ++k) {
    const bool fails = k % 3 == 1, throws = !fails && k % 5 == 2,
               duplicate = !fails && !throws && k % 7 == 3;
    EXPECT_EQ(threw[k], throws) << k;
    if (fails) {
      EXPECT_EQ(outcome[k].code(), absl::StatusCode::kFailedPrecondition) << k;
      EXPECT_EQ(outcome[k].message(), absl::StrCat("writer ", k));
    } else if (duplicate) {
      EXPECT_EQ(outcome[k].code(), absl::StatusCode::kAlreadyExists) << k << outcome[k];
    } else if (!throws) {
      EXPECT_TRUE(outcome[k].ok()) << k << outcome[k];
      ++committed;
    }
    auto row = db_->Query("SELECT k FROM t WHERE k = ?", {k});
    ASSERT_TRUE(row.ok());
    EXPECT_EQ(row->size(), (fails || throws || duplicate) ? 0u : 1u) << k;
  }
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM t")->front().Int(0), committed);
  EXPECT_EQ(callbacks, committed);
  // SQLite groups the writers that waited into one transaction, run by one of them.
  if (GetParam() == "sqlite") EXPECT_GT(ran_elsewhere, 0);
}

// Without group commit (a benchmark's engine-only baseline), every body runs on its
// caller's thread, in a transaction of its own.
TEST_P(SqlTest, WithoutGroupCommitEachWriterRunsAlone) {
  OpenOptions opts;
  opts.group_commit = false;
  auto db = test_db_->Open(opts);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (k BIGINT PRIMARY KEY)").ok());
  std::atomic<int> ran_elsewhere{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 8; ++k) {
    threads.emplace_back([&, k] {
      const std::thread::id caller = std::this_thread::get_id();
      EXPECT_TRUE((*db)
                      ->Transact(TxMode::kReadWrite,
                                 [&](Session& s) {
                                   if (std::this_thread::get_id() != caller) ++ran_elsewhere;
                                   return s.Exec("INSERT INTO t VALUES (?)", {k}).status();
                                 })
                      .ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ran_elsewhere, 0);
  EXPECT_EQ((*db)->Query("SELECT COUNT(*) FROM t")->front().Int(0), 8);
}

TEST_P(SqlTest, BusyPoolAnswersResourceExhaustedInsteadOfHanging) {
  OpenOptions opts;
  opts.acquire_timeout = absl::Milliseconds(100);
  opts.pool_size = 1;
  auto db = test_db_->Open(opts);
  ASSERT_TRUE(db.ok()) << db.status();
  absl::Notification holding, release;
  std::thread holder([&] {
    (*db)
        ->Transact(TxMode::kReadOnly,
                   [&](Session&) {
                     holding.Notify();
                     release.WaitForNotification();
                     return absl::OkStatus();
                   })
        .IgnoreError();
  });
  holding.WaitForNotification();
  absl::Time start = absl::Now();
  auto r = (*db)->Query("SELECT 1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  release.Notify();
  holder.join();
  EXPECT_TRUE((*db)->Query("SELECT 1").ok());
}

TEST_P(SqlTest, MigrationsApplyOnceAndSurviveARestart) {
  std::vector<Migration> migrations = {
      {1,
       "create satker",
       {"CREATE TABLE satker (id {AUTO_ID}, code VARCHAR(20) NOT NULL UNIQUE) {TABLE_OPTIONS}"}},
      {2,
       "add satker name",
       {"ALTER TABLE satker ADD COLUMN name VARCHAR(200)",
        "CREATE INDEX idx_satker_name ON satker (name)"}},
  };
  auto first = Migrate(*db_, migrations);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, 2);
  EXPECT_EQ(first->applied, 2);
  ASSERT_TRUE(
      db_->Exec("INSERT INTO satker (code, name) VALUES ('bnnp-32', 'BNNP Jawa Barat')").ok());

  // A restart: a new pool on the same database applies nothing and keeps the data.
  db_.reset();
  auto reopened = test_db_->Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto second = Migrate(**reopened, migrations);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->applied, 0);
  EXPECT_EQ(second->from_version, 2);
  EXPECT_EQ((*reopened)->Query("SELECT name FROM satker")->front().Text(0), "BNNP Jawa Barat");

  // A third migration later applies alone.
  migrations.push_back({3, "satker kind", {"ALTER TABLE satker ADD COLUMN kind VARCHAR(10)"}});
  auto third = Migrate(**reopened, migrations);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->applied, 1);
  EXPECT_EQ(third->to_version, 3);

  // Editing a released migration is refused.
  migrations[0].statements[0] += " ";
  auto edited = Migrate(**reopened, migrations);
  EXPECT_EQ(edited.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(edited.status().message()), HasSubstr("migration 1"));
}

TEST_P(SqlTest, FailingMigrationNamesItself) {
  std::vector<Migration> bad = {
      {1, "broken", {"CREATE TABLE x (id BIGINT PRIMARY KEY)", "CREATE TABLOID y"}}};
  auto r = Migrate(*db_, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("migration 1 (broken)"));
  if (GetParam() == "sqlite") {  // SQLite DDL is transactional: nothing half-applied
    EXPECT_FALSE(db_->Query("SELECT * FROM x").ok());
  }
}

IBM_ON_BOTH_ENGINES(SqlTest);

TEST(DsnTest, ParsesEveryForm) {
  auto f = ParseDsn("sqlite:///var/lib/ibm/registry.db");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->path, "/var/lib/ibm/registry.db");
  EXPECT_EQ(ParseDsn("sqlite::memory:")->path, ":memory:");
  auto m = ParseDsn("mysql://app:p%40ss%3Aword@db.example:3307/ibm_registry?pool_size=4");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->user, "app");
  EXPECT_EQ(m->password, "p@ss:word");
  EXPECT_EQ(m->host, "db.example");
  EXPECT_EQ(m->port, 3307);
  EXPECT_EQ(m->database, "ibm_registry");
  EXPECT_EQ(m->pool_size, 4);
  EXPECT_THAT(m->Redacted(), Not(HasSubstr("word")));
  auto u = ParseDsn("mysql://app:x@localhost/ibm?socket=/run/mysqld/mysqld.sock");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->socket, "/run/mysqld/mysqld.sock");
}

TEST(DsnTest, MalformedDsnIsInvalidArgument) {
  for (const char* bad :
       {"", "postgres://x@y/z", "sqlite://", "mysql://host/db", "mysql://u:p@host",
        "mysql://u:p@host/", "mysql://u:p@host:99999/db", "mysql://u:p@h/db?colour=red",
        "mysql://u:p@h/db;drop", "mysql://u%zz:p@h/db", "mysql://u:p@h/db?pool_size=0"}) {
    auto d = ParseDsn(bad);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(Open(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(OpenTest, UnreachableDatabaseIsUnavailable) {
  auto my = Open("mysql://u:p@localhost/ibm?socket=/nonexistent/mysqld.sock&connect_timeout_s=1");
  EXPECT_EQ(my.status().code(), absl::StatusCode::kUnavailable) << my.status();
  EXPECT_THAT(std::string(my.status().message()), Not(HasSubstr(":p@")));
  auto lite = Open("sqlite:///nonexistent-dir/sub/x.db");
  EXPECT_EQ(lite.status().code(), absl::StatusCode::kUnavailable) << lite.status();
}

}  // namespace
}  // namespace ibm::sql
