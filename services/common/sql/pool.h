#pragma once

// The connection pool both drivers share: internal to the SQL layer.

#include <algorithm>
#include <deque>
#include <exception>
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

  // The AfterCommit callbacks of the body (or bodies) run so far.
  size_t after_commit_count() const { return after_commit_.size(); }
  // Forgets the callbacks past the first `keep` (a body rolled back).
  void DropAfterCommit(size_t keep) { after_commit_.resize(std::min(keep, after_commit_.size())); }
  // Takes the callbacks from `from` on, leaving the first `from`.
  std::vector<std::function<void()>> TakeAfterCommit(size_t from = 0);
};

using ConnectionFactory = std::function<absl::StatusOr<std::unique_ptr<Connection>>()>;

class PooledDatabase : public Database {
 public:
  // `group_commit`: read-write transactions run together (TransactGrouped); for an engine
  // with one writer at a time and no group commit of its own (SQLite).
  PooledDatabase(Dialect dialect, int max_size, absl::Duration acquire_timeout,
                 absl::Duration validate_after_idle, ConnectionFactory factory,
                 bool group_commit = false);
  ~PooledDatabase() override;

  const Dialect& dialect() const override { return dialect_; }
  absl::Status Ping() override;
  PoolStats stats() const override;
  absl::StatusOr<int64_t> Exec(absl::string_view sql, const Params& params) override;
  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql, const Params& params) override;
  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(Session&)> fn) override;

 private:
  class Lease;
  struct Write;
  absl::StatusOr<Lease> Acquire();
  void Release(std::unique_ptr<Connection> conn);
  // Group commit: the read-write bodies that arrive while one group runs wait, and the
  // first of them then runs them (up to 64), in arrival order, in one engine transaction, each
  // under a savepoint of its own (an error rolls back that body alone), with one commit:
  // one flush to disk for all. Each caller returns when the commit that holds its body is
  // durable, as with a transaction of its own; bodies see each other's writes exactly as
  // if they had run one after another, which is what the engine's one writer does anyway.
  absl::Status TransactGrouped(absl::FunctionRef<absl::Status(Session&)> fn);
  void RunGroup(const std::vector<Write*>& group);

  const Dialect dialect_;
  const int max_size_;
  const absl::Duration acquire_timeout_;
  const absl::Duration validate_after_idle_;
  const ConnectionFactory factory_;
  const bool group_commit_;

  absl::Mutex group_mu_;
  std::deque<Write*> waiting_ ABSL_GUARDED_BY(group_mu_);
  bool group_running_ ABSL_GUARDED_BY(group_mu_) = false;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t discarded_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace ibm::sql::internal
