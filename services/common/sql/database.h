#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sql/dsn.h"
#include "sql/value.h"

namespace ibm::sql {

// What differs between the engines, in one place. Stores and migrations write portable
// SQL with `?` placeholders; DDL may use the tokens that Expand() rewrites:
//   {AUTO_ID}        an auto-increment 64-bit integer primary key column type
//   {LONGBLOB}       binary data up to 4 GiB (MySQL's BLOB stops at 64 KiB)
//   {LONGTEXT}       text up to 4 GiB
//   {TABLE_OPTIONS}  after CREATE TABLE (...): InnoDB, utf8mb4 and a binary NO PAD
//                    collation on MySQL (so 'a ' and 'a' are different ids, as in SQLite)
//   {NOPAD_BIN}      that collation's name: utf8mb4_nopad_bin (MariaDB), utf8mb4_0900_bin
//                    (MySQL 8)
//   {MYSQL_ONLY}     at the start of a migration statement: run it on MySQL/MariaDB only
// and "CREATE INDEX IF NOT EXISTS" (MariaDB and SQLite) becomes a plain CREATE INDEX on
// MySQL 8, whose "duplicate key name" the migration runner then treats as done.
struct Dialect {
  Engine engine;
  bool mariadb = false;  // MySQL engine: MariaDB rather than Oracle's MySQL

  absl::string_view name() const { return engine == Engine::kSqlite ? "sqlite" : "mysql"; }
  // Appended to a SELECT that reads rows the transaction will then change.
  absl::string_view ForUpdate() const { return engine == Engine::kMysql ? " FOR UPDATE" : ""; }
  // "INSERT OR IGNORE" / "INSERT IGNORE": skip rows whose unique key exists.
  absl::string_view InsertIgnore() const {
    return engine == Engine::kMysql ? "INSERT IGNORE" : "INSERT OR IGNORE";
  }
  std::string Expand(absl::string_view sql) const;
};

// Something that runs statements: a pooled connection inside a transaction.
class Session {
 public:
  virtual ~Session() = default;
  // Runs a statement that returns no rows; yields the number of rows it changed.
  virtual absl::StatusOr<int64_t> Exec(absl::string_view sql, const Params& params = {}) = 0;
  // Runs an INSERT into a table with an {AUTO_ID} key; yields the new key.
  virtual absl::StatusOr<int64_t> Insert(absl::string_view sql, const Params& params = {}) = 0;
  // Runs a query and returns all its rows (stores page their queries; nothing streams).
  virtual absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                                 const Params& params = {}) = 0;
  // The first row of a query, or NOT_FOUND with `what` in the message.
  absl::StatusOr<Row> QueryOne(absl::string_view sql, const Params& params, absl::string_view what);
  // Inserts rows with multi-row INSERTs of at most `per_statement` rows each: `head` is
  // "INSERT INTO t (a, b)", `values` holds `columns` values per row, row after row.
  absl::Status InsertRows(absl::string_view head, size_t columns, const Params& values,
                          size_t per_statement = 500);

  // Runs `fn` once the transaction this body runs in has committed (never if it rolls back,
  // and not again if the body is run again): to tell another thread of what is now durable.
  // `fn` must be quick and must not throw.
  void AfterCommit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }

 protected:
  std::vector<std::function<void()>> after_commit_;
};

// "(?, ?, ?)": a tuple of n placeholders, for IN lists and VALUES.
std::string Placeholders(size_t n);

// A named statement filled in: `pattern` with each "%s", in turn, replaced by the next of
// `parts` (a column list, placeholders, an optional condition), then `suffix` (e.g.
// Dialect::ForUpdate()). Parts are the store's own constants, never a caller's text.
std::string Statement(absl::string_view pattern, std::initializer_list<absl::string_view> parts,
                      absl::string_view suffix = "");

// Prepared statements each connection keeps: past this many distinct statements (queries
// built with a variable number of placeholders, say), the cache starts over, so memory and
// the server's prepared-statement count stay bounded (MySQL's max_prepared_stmt_count).
inline constexpr size_t kMaxCachedStatements = 256;

enum class TxMode {
  kReadOnly,   // a consistent read
  kReadWrite,  // SQLite: BEGIN IMMEDIATE (the write lock up front); MySQL: InnoDB locking
  // Reads without a transaction: each statement is its own consistent read (autocommit),
  // and nothing is begun or committed, which saves two round trips per call on a server.
  // Only for bodies that read, and whose reads need no common snapshot (a record by key,
  // then something keyed by it). A write in such a body is a bug.
  kAutocommitRead,
};

struct PoolStats {
  int open = 0;  // connections in the pool, idle or leased
  int idle = 0;
  int64_t discarded = 0;  // connections dropped after the server was lost
};

// A database: a bounded pool of connections to one engine. Thread-safe.
//
// Errors, the same on both engines: a unique-key violation is ALREADY_EXISTS, a foreign-key
// violation FAILED_PRECONDITION, a lost or unreachable server UNAVAILABLE, a lock conflict
// ABORTED (retried inside Transact), waiting too long for a free connection
// RESOURCE_EXHAUSTED. Messages name tables and keys, never the values bound.
class Database {
 public:
  virtual ~Database() = default;

  virtual const Dialect& dialect() const = 0;
  // Round-trips to the server (or opens the file): the readiness check.
  virtual absl::Status Ping() = 0;
  virtual PoolStats stats() const = 0;

  // Single statements in autocommit mode.
  virtual absl::StatusOr<int64_t> Exec(absl::string_view sql, const Params& params = {}) = 0;
  virtual absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                                 const Params& params = {}) = 0;

  // Runs `fn` in one transaction on one connection: commits when it returns OK, rolls back
  // when it returns an error (which is passed through). When the engine reports a lock
  // conflict or deadlock, the whole of `fn` runs again (a few times, with back-off), so `fn`
  // must only touch the database. The connection is never reconnected inside a transaction.
  // With group commit (OpenOptions), `fn` may run on another caller's thread, while this
  // one waits, inside an engine transaction shared with other bodies: its own writes are
  // rolled back alone when it fails, and it must not call Transact itself.
  virtual absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(Session&)> fn) = 0;
};

struct OpenOptions {
  // How long a caller may wait for a free connection before RESOURCE_EXHAUSTED.
  absl::Duration acquire_timeout = absl::Seconds(5);
  // SQLite: how long a writer waits for the write lock (busy_timeout).
  absl::Duration busy_timeout = absl::Seconds(5);
  // Connections in the pool; 0 takes the DSN's pool_size, else the driver's default.
  int pool_size = 0;
  // SQLite: the read-write transactions of this process that arrive while one commits run
  // together in the next engine transaction, each body under its own savepoint, with one
  // commit (one flush) for all: group commit, which SQLite lacks and InnoDB has built in.
  // Every caller still returns only once its own writes are durable. Off: one engine
  // transaction per Transact (a benchmark's baseline of the engine alone).
  bool group_commit = true;
};

// Opens (and for SQLite creates) the database a DSN names, and checks it is reachable:
// a malformed DSN is INVALID_ARGUMENT, an unreachable server UNAVAILABLE.
absl::StatusOr<std::unique_ptr<Database>> Open(absl::string_view dsn,
                                               const OpenOptions& options = {});
absl::StatusOr<std::unique_ptr<Database>> OpenSqlite(const Dsn& dsn, const OpenOptions& options);
absl::StatusOr<std::unique_ptr<Database>> OpenMysql(const Dsn& dsn, const OpenOptions& options);

}  // namespace ibm::sql
