#pragma once

// Test databases on both engines: a temp SQLite file, or a fresh database on the private
// MariaDB server that ctest starts (tests/mariadb-server.sh, the `mariadb` fixture).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sql/database.h"

namespace ibm::testing {

// A temporary directory removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A database that exists for one test and is dropped afterwards.
class TestDatabase {
 public:
  // engine: "sqlite" or "mysql". For mysql, IBM_TEST_MYSQL_DSN must name the test server;
  // when it is unset the caller should skip (ctest always sets it).
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create(absl::string_view engine);
  ~TestDatabase();

  const std::string& dsn() const { return dsn_; }
  // Opens (another) pool on this database.
  absl::StatusOr<std::unique_ptr<sql::Database>> Open(const sql::OpenOptions& options = {}) const;

 private:
  TestDatabase() = default;
  std::string dsn_;
  std::unique_ptr<TempDir> temp_dir_;  // sqlite: holds the file
  std::string admin_dsn_;              // mysql: where to drop the database from
  std::string database_;
};

// True when the MySQL engine's tests can run here (IBM_TEST_MYSQL_DSN is set).
bool MysqlAvailable();

}  // namespace ibm::testing
