#include "testing/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace ibm::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ibm-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool MysqlAvailable() {
  const char* dsn = std::getenv("IBM_TEST_MYSQL_DSN");
  return dsn != nullptr && *dsn != '\0';
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(absl::string_view engine) {
  auto t = std::unique_ptr<TestDatabase>(new TestDatabase());
  if (engine == "sqlite") {
    t->temp_dir_ = std::make_unique<TempDir>();
    t->dsn_ = absl::StrCat("sqlite://", t->temp_dir_->path(), "/test.db");
    return t;
  }
  if (!MysqlAvailable()) return absl::FailedPreconditionError("IBM_TEST_MYSQL_DSN is not set");
  t->admin_dsn_ = std::getenv("IBM_TEST_MYSQL_DSN");
  static std::atomic<int> counter{0};
  t->database_ = absl::StrCat("ibm_test_", getpid(), "_", counter++);
  auto admin = sql::Open(t->admin_dsn_);
  if (!admin.ok()) return admin.status();
  auto created = (*admin)->Exec(
      absl::StrCat("CREATE DATABASE ", t->database_, " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
  if (!created.ok()) return created.status();
  // The admin DSN names database ibm_test; point the copy at the new one.
  size_t q = t->admin_dsn_.find('?');
  std::string base = t->admin_dsn_.substr(0, q);
  std::string query = q == std::string::npos ? "" : t->admin_dsn_.substr(q);
  t->dsn_ = absl::StrCat(base.substr(0, base.rfind('/') + 1), t->database_, query);
  return t;
}

TestDatabase::~TestDatabase() {
  if (!database_.empty()) {
    // Best effort: a fault test may have left the server down.
    if (auto admin = sql::Open(admin_dsn_); admin.ok()) {
      (*admin)->Exec(absl::StrCat("DROP DATABASE IF EXISTS ", database_)).IgnoreError();
    }
  }
}

absl::StatusOr<std::unique_ptr<sql::Database>> TestDatabase::Open(
    const sql::OpenOptions& options) const {
  return sql::Open(dsn_, options);
}

}  // namespace ibm::testing
