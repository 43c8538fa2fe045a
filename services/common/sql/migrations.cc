#include "sql/migrations.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/crypto.h"

namespace ibm::sql {
namespace {

std::string Checksum(const Migration& m) {
  return platform::Sha256Hex(absl::StrCat(m.name, "\n", absl::StrJoin(m.statements, "\n;\n")));
}

absl::Status CheckSequence(const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return absl::InternalError(absl::StrCat("migration versions must run 1, 2, 3...; found ",
                                              migrations[i].version, " at position ", i + 1));
    }
  }
  return absl::OkStatus();
}

absl::Status MigrateLocked(Session& s, const Dialect& d, const std::vector<Migration>& migrations,
                           MigrationReport* report) {
  auto rows = s.Query("SELECT version, checksum FROM schema_migrations ORDER BY version");
  if (!rows.ok()) return rows.status();
  std::map<int, std::string> applied;
  for (const Row& r : *rows) applied[static_cast<int>(r.Int(0))] = r.Text(1);
  report->from_version = applied.empty() ? 0 : applied.rbegin()->first;
  for (const Migration& m : migrations) {
    const std::string sum = Checksum(m);
    if (auto it = applied.find(m.version); it != applied.end()) {
      if (it->second != sum) {
        return absl::FailedPreconditionError(
            absl::StrCat("migration ", m.version, " (", m.name,
                         ") differs from the one applied to this "
                         "database: released migrations must not change"));
      }
      continue;
    }
    for (const std::string& stmt : m.statements) {
      if (absl::StartsWith(stmt, "{MYSQL_ONLY}") && d.engine != Engine::kMysql) continue;
      auto r = s.Exec(d.Expand(stmt));
      // MySQL 8 has no CREATE INDEX IF NOT EXISTS: an index that exists (a migration cut
      // short, DDL not being transactional there) is already what the statement wants.
      if (!r.ok() && d.engine == Engine::kMysql && !d.mariadb &&
          absl::StartsWith(stmt, "CREATE INDEX IF NOT EXISTS") &&
          absl::StrContains(r.status().message(), "Duplicate key name")) {
        continue;
      }
      // The same for a column a migration cut short already added (MySQL commits each DDL
      // statement on its own, so a re-run meets what the first run did).
      if (!r.ok() && d.engine == Engine::kMysql && absl::StrContains(stmt, " ADD COLUMN ") &&
          absl::StrContains(r.status().message(), "Duplicate column name")) {
        continue;
      }
      if (!r.ok()) {
        return absl::Status(r.status().code(), absl::StrCat("migration ", m.version, " (", m.name,
                                                            "): ", r.status().message()));
      }
    }
    auto r = s.Exec(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at_us) VALUES (?, ?, ?, "
        "?)",
        {m.version, m.name, sum, absl::ToUnixMicros(absl::Now())});
    if (!r.ok()) return r.status();
    ++report->applied;
  }
  report->to_version =
      std::max(report->from_version, migrations.empty() ? 0 : migrations.back().version);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations) {
  if (auto s = CheckSequence(migrations); !s.ok()) return s;
  const Dialect& d = db.dialect();
  auto created =
      db.Exec(d.Expand("CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version BIGINT NOT NULL PRIMARY KEY,"
                       " name VARCHAR(200) NOT NULL,"
                       " checksum CHAR(64) NOT NULL,"
                       " applied_at_us BIGINT NOT NULL) {TABLE_OPTIONS}"));
  if (!created.ok()) return created.status();

  MigrationReport report;
  if (d.engine == Engine::kSqlite) {
    // DDL is transactional in SQLite: each run is all or nothing, under the write lock.
    absl::Status s = db.Transact(TxMode::kReadWrite, [&](Session& tx) {
      report = MigrationReport{};
      return MigrateLocked(tx, d, migrations, &report);
    });
    if (!s.ok()) return s;
    return report;
  }
  // MySQL: DDL commits implicitly, so a named lock (held by this connection) keeps two
  // replicas from migrating at once.
  absl::Status s = db.Transact(TxMode::kReadWrite, [&](Session& conn) -> absl::Status {
    auto got = conn.Query("SELECT GET_LOCK(CONCAT('ibm_migrate_', DATABASE()), 60)");
    if (!got.ok()) return got.status();
    if (got->empty() || got->front().IsNull(0) || got->front().Int(0) != 1) {
      return absl::UnavailableError("another replica is migrating this database; timed out");
    }
    report = MigrationReport{};
    absl::Status result = MigrateLocked(conn, d, migrations, &report);
    // A migration may turn foreign-key checks off for a collation change; the connection
    // goes back to the pool, so they are always turned on again.
    if (auto on = conn.Exec("SET FOREIGN_KEY_CHECKS = 1"); result.ok() && !on.ok()) {
      result = on.status();
    }
    auto released = conn.Query("SELECT RELEASE_LOCK(CONCAT('ibm_migrate_', DATABASE()))");
    if (result.ok() && !released.ok()) return released.status();
    return result;
  });
  if (!s.ok()) return s;
  return report;
}

}  // namespace ibm::sql
