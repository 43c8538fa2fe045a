#pragma once

// The connection pool both drivers share: internal to the SQL layer.

#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "sql/database.h"

namespace ibm::sql::internal {

// Marks an engine error as a transient lock conflict that Transact may retry.
absl::Status Conflict(absl::string_view message);
bool IsConflict(const absl::Status& status);

// One engine connection. Used by one thread at a time.
class Connection : public Session {
 public:
  virtual absl::Status Begin(TxMode mode) = 0;
  virtual absl::Status Commit() = 0;
  virtual absl::Status Rollback() = 0;
  // True once the server was lost: the pool drops the connection instead of reusing it.
  virtual bool broken() const = 0;
  // Checks an idle connection before it is handed out again.
  virtual absl::Status Validate() = 0;
  absl::Time idle_since;
};

using ConnectionFactory = std::function<absl::StatusOr<std::unique_ptr<Connection>>()>;

class PooledDatabase : public Database {
 public:
  PooledDatabase(Dialect dialect, int max_size, absl::Duration acquire_timeout,
                 absl::Duration validate_after_idle, ConnectionFactory factory);
  ~PooledDatabase() override;

  const Dialect& dialect() const override { return dialect_; }
  absl::Status Ping() override;
  PoolStats stats() const override;
  absl::StatusOr<int64_t> Exec(absl::string_view sql, const Params& params) override;
  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql, const Params& params) override;
  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(Session&)> fn) override;

 private:
  class Lease;
  absl::StatusOr<Lease> Acquire();
  void Release(std::unique_ptr<Connection> conn);

  const Dialect dialect_;
  const int max_size_;
  const absl::Duration acquire_timeout_;
  const absl::Duration validate_after_idle_;
  const ConnectionFactory factory_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t discarded_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace ibm::sql::internal
