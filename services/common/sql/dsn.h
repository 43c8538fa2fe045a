#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ibm::sql {

enum class Engine { kSqlite, kMysql };

// A parsed data source name. Accepted forms:
//   sqlite:///absolute/path/to/file.db     sqlite://relative/path.db     sqlite::memory:
//   mysql://user:password@host:3306/database
//   mysql://user:password@localhost/database?socket=/run/mysqld/mysqld.sock
// User and password may be percent-encoded. Query options: socket (or unix_socket),
// pool_size, connect_timeout_s.
struct Dsn {
  Engine engine = Engine::kSqlite;
  std::string path;  // sqlite: file path or ":memory:"
  std::string user, password, host, socket, database;
  int port = 3306;
  int pool_size = 0;  // 0: the driver's default
  int connect_timeout_s = 5;

  // The DSN with its password masked, for logs and error messages.
  std::string Redacted() const;
};

absl::StatusOr<Dsn> ParseDsn(absl::string_view dsn);

}  // namespace ibm::sql
