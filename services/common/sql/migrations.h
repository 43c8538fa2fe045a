#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sql/database.h"

namespace ibm::sql {

// One versioned schema change of a service. Statements are portable SQL (see Dialect for
// the DDL tokens), run in order. Versions start at 1 and increase by one; once released, a
// migration is never edited (its checksum is recorded and checked at every start-up).
struct Migration {
  int version;
  std::string name;
  std::vector<std::string> statements;
};

struct MigrationReport {
  int from_version = 0;  // the schema version found
  int to_version = 0;    // the schema version now
  int applied = 0;       // how many migrations this call applied
};

// Brings the database up to the newest migration, recording each in `schema_migrations`.
// Idempotent: a second call applies nothing. Safe when several replicas start at once
// (SQLite: the write lock; MySQL: a named lock). Fails with FAILED_PRECONDITION when a
// recorded migration differs from the code's (edited after release). On SQLite a migration
// and its record commit together; MySQL commits DDL implicitly, so write each MySQL
// migration so that re-running it after a crash is harmless (IF NOT EXISTS).
absl::StatusOr<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations);

}  // namespace ibm::sql
