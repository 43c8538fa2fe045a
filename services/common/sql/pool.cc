#include "sql/pool.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace ibm::sql {

std::string Dialect::Expand(absl::string_view sql) const {
  const bool my = engine == Engine::kMysql;
  const std::string nopad = my ? (mariadb ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin") : "BINARY";
  return absl::StrReplaceAll(
      sql, {{"{AUTO_ID}",
             my ? "BIGINT PRIMARY KEY AUTO_INCREMENT" : "INTEGER PRIMARY KEY AUTOINCREMENT"},
            {"{LONGBLOB}", my ? "LONGBLOB" : "BLOB"},
            {"{LONGTEXT}", my ? "LONGTEXT" : "TEXT"},
            {"{NOPAD_BIN}", nopad},
            {"{MYSQL_ONLY}", ""},
            {"CREATE INDEX IF NOT EXISTS",
             my && !mariadb ? "CREATE INDEX" : "CREATE INDEX IF NOT EXISTS"},
            {"{TABLE_OPTIONS}",
             my ? absl::StrCat("ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=", nopad) : ""}});
}

absl::StatusOr<Row> Session::QueryOne(absl::string_view sql, const Params& params,
                                      absl::string_view what) {
  auto rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::NotFoundError(absl::StrCat(what, " not found"));
  return std::move(rows->front());
}

absl::Status Session::InsertRows(absl::string_view head, size_t columns, const Params& values,
                                 size_t per_statement) {
  if (columns == 0 || per_statement == 0 || values.size() % columns != 0) {
    return absl::InternalError(
        absl::StrCat("InsertRows: ", values.size(), " values are not whole rows of ", columns));
  }
  const size_t rows = values.size() / columns;
  const std::string tuple = Placeholders(columns);
  for (size_t start = 0; start < rows; start += per_statement) {
    const size_t n = std::min(per_statement, rows - start);
    std::string statement = absl::StrCat(head, " VALUES ");
    for (size_t i = 0; i < n; ++i) absl::StrAppend(&statement, i ? ", " : "", tuple);
    Params params(values.begin() + start * columns, values.begin() + (start + n) * columns);
    if (auto r = Exec(statement, params); !r.ok()) return r.status();
  }
  return absl::OkStatus();
}

std::string Placeholders(size_t n) {
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&out, i ? ", ?" : "?");
  return out + ")";
}

std::string Statement(absl::string_view pattern, std::initializer_list<absl::string_view> parts,
                      absl::string_view suffix) {
  std::string out;
  size_t at = 0;
  for (absl::string_view part : parts) {
    const size_t slot = pattern.find("%s", at);
    if (slot == absl::string_view::npos) break;
    absl::StrAppend(&out, pattern.substr(at, slot - at), part);
    at = slot + 2;
  }
  absl::StrAppend(&out, pattern.substr(at), suffix);
  return out;
}

absl::StatusOr<std::unique_ptr<Database>> Open(absl::string_view text, const OpenOptions& options) {
  auto dsn = ParseDsn(text);
  if (!dsn.ok()) return dsn.status();
  return dsn->engine == Engine::kSqlite ? OpenSqlite(*dsn, options) : OpenMysql(*dsn, options);
}

namespace internal {
namespace {
constexpr absl::string_view kConflictPayload = "ibm.sql/conflict";
constexpr int kMaxTransactAttempts = 5;
// The most read-write bodies one group-committed transaction runs.
constexpr size_t kMaxGroup = 64;
}  // namespace

absl::Status Conflict(absl::string_view message) {
  absl::Status s = absl::AbortedError(message);
  s.SetPayload(kConflictPayload, absl::Cord("1"));
  return s;
}

bool IsConflict(const absl::Status& status) {
  return status.GetPayload(kConflictPayload).has_value();
}

// A connection on loan: returned to the pool when it goes out of scope (or dropped if broken).
class PooledDatabase::Lease {
 public:
  Lease(PooledDatabase* pool, std::unique_ptr<Connection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(std::move(o.conn_)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (conn_ != nullptr) pool_->Release(std::move(conn_));
  }
  Connection* operator->() const { return conn_.get(); }
  Connection& operator*() const { return *conn_; }

 private:
  PooledDatabase* pool_;
  std::unique_ptr<Connection> conn_;
};

std::vector<std::function<void()>> Connection::TakeAfterCommit(size_t from) {
  std::vector<std::function<void()>> taken;
  if (from >= after_commit_.size()) return taken;
  taken.assign(std::make_move_iterator(after_commit_.begin() + from),
               std::make_move_iterator(after_commit_.end()));
  after_commit_.resize(from);
  return taken;
}

PooledDatabase::PooledDatabase(Dialect dialect, int max_size, absl::Duration acquire_timeout,
                               absl::Duration validate_after_idle, ConnectionFactory factory,
                               bool group_commit)
    : dialect_(dialect),
      max_size_(max_size),
      acquire_timeout_(acquire_timeout),
      validate_after_idle_(validate_after_idle),
      factory_(std::move(factory)),
      group_commit_(group_commit) {}

PooledDatabase::~PooledDatabase() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

absl::StatusOr<PooledDatabase::Lease> PooledDatabase::Acquire() {
  const absl::Time deadline = absl::Now() + acquire_timeout_;
  while (true) {
    std::unique_ptr<Connection> conn;
    bool may_open = false;
    {
      absl::MutexLock lock(&mu_);
      auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !idle_.empty() || open_ < max_size_;
      };
      if (!mu_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
        return absl::ResourceExhaustedError(
            absl::StrCat("all ", max_size_, " database connections are busy"));
      }
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_;  // reserve the slot before connecting outside the lock
        may_open = true;
      }
    }
    if (may_open) {
      auto opened = factory_();
      if (!opened.ok()) {
        absl::MutexLock lock(&mu_);
        --open_;
        return opened.status();
      }
      return Lease(this, *std::move(opened));
    }
    // Validate a connection that sat idle: the server may have gone away meanwhile.
    if (absl::Now() - conn->idle_since >= validate_after_idle_ && !conn->Validate().ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      ++discarded_;
      continue;  // conn is dropped; try another or open a fresh one
    }
    return Lease(this, std::move(conn));
  }
}

void PooledDatabase::Release(std::unique_ptr<Connection> conn) {
  absl::MutexLock lock(&mu_);
  if (conn->broken()) {
    --open_;
    ++discarded_;
    return;  // closed when conn goes out of scope
  }
  conn->idle_since = absl::Now();
  idle_.push_back(std::move(conn));
}

PoolStats PooledDatabase::stats() const {
  absl::MutexLock lock(&mu_);
  return PoolStats{open_, static_cast<int>(idle_.size()), discarded_};
}

absl::Status PooledDatabase::Ping() {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status();
  return (*lease)->Validate();
}

absl::StatusOr<int64_t> PooledDatabase::Exec(absl::string_view sql, const Params& params) {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status();
  return (*lease)->Exec(sql, params);
}

absl::StatusOr<std::vector<Row>> PooledDatabase::Query(absl::string_view sql,
                                                       const Params& params) {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status();
  return (*lease)->Query(sql, params);
}

namespace {
void RunAll(std::vector<std::function<void()>> callbacks) {
  for (auto& fn : callbacks) fn();
}
}  // namespace

absl::Status PooledDatabase::Transact(TxMode mode, absl::FunctionRef<absl::Status(Session&)> fn) {
  if (group_commit_ && mode == TxMode::kReadWrite) return TransactGrouped(fn);
  absl::Duration backoff = absl::Milliseconds(2);
  absl::Status status;
  for (int attempt = 1; attempt <= kMaxTransactAttempts; ++attempt) {
    auto lease = Acquire();
    if (!lease.ok()) return lease.status();
    Connection& conn = **lease;
    conn.DropAfterCommit(0);
    if (mode == TxMode::kAutocommitRead) {
      status = fn(conn);
      if (!IsConflict(status)) {
        auto callbacks = conn.TakeAfterCommit();
        if (status.ok()) RunAll(std::move(callbacks));
        return status;
      }
      absl::SleepFor(backoff);
      backoff *= 2;
      continue;
    }
    status = conn.Begin(mode);
    if (status.ok()) {
      try {
        status = fn(conn);
      } catch (...) {
        // Whatever escapes the body (the call runner makes it INTERNAL) must not leave the
        // transaction open on a pooled connection: its locks, or a stale snapshot.
        if (!conn.broken()) conn.Rollback().IgnoreError();
        conn.DropAfterCommit(0);
        throw;
      }
      if (status.ok()) {
        status = conn.Commit();
      } else if (!conn.broken()) {
        conn.Rollback().IgnoreError();  // the caller's error is what matters
      }
    }
    auto callbacks = conn.TakeAfterCommit();
    if (status.ok()) {
      RunAll(std::move(callbacks));
      return status;
    }
    if (!IsConflict(status)) return status;
    if (!conn.broken()) conn.Rollback().IgnoreError();
    absl::SleepFor(backoff);
    backoff *= 2;
  }
  return status;
}

// One caller's body in a group, and what became of it.
struct PooledDatabase::Write {
  absl::FunctionRef<absl::Status(Session&)> fn;
  absl::Status status;
  std::exception_ptr exception;
  std::vector<std::function<void()>> after_commit;
  bool done = false;
};

absl::Status PooledDatabase::TransactGrouped(absl::FunctionRef<absl::Status(Session&)> fn) {
  Write me{fn};
  group_mu_.Lock();
  waiting_.push_back(&me);
  auto my_turn = [this, &me]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(group_mu_) {
    return me.done || !group_running_;
  };
  // Until a group has run this body: either another caller's, or one this caller leads
  // (of the longest-waiting bodies, bounded so that one slow group does not hold every
  // writer; when this body is not among them, it waits for, or leads, a later one).
  for (group_mu_.Await(absl::Condition(&my_turn)); !me.done;
       group_mu_.Await(absl::Condition(&my_turn))) {
    group_running_ = true;
    const size_t n = std::min(waiting_.size(), kMaxGroup);
    std::vector<Write*> group(waiting_.begin(), waiting_.begin() + n);
    waiting_.erase(waiting_.begin(), waiting_.begin() + n);
    group_mu_.Unlock();
    RunGroup(group);
    group_mu_.Lock();
    for (Write* w : group) w->done = true;
    group_running_ = false;
  }
  group_mu_.Unlock();
  if (me.exception) std::rethrow_exception(me.exception);
  if (me.status.ok()) RunAll(std::move(me.after_commit));
  return me.status;
}

void PooledDatabase::RunGroup(const std::vector<Write*>& group) {
  auto fail_all = [&](const absl::Status& status) {
    for (Write* w : group) {
      if (w->status.ok() && w->exception == nullptr) w->status = status;
      w->after_commit.clear();
    }
  };
  absl::Duration backoff = absl::Milliseconds(2);
  absl::Status status;
  for (int attempt = 1; attempt <= kMaxTransactAttempts; ++attempt) {
    auto lease = Acquire();
    if (!lease.ok()) return fail_all(lease.status());
    Connection& conn = **lease;
    conn.DropAfterCommit(0);
    status = conn.Begin(TxMode::kReadWrite);
    if (!status.ok() && !IsConflict(status)) return fail_all(status);
    for (size_t i = 0; status.ok() && i < group.size(); ++i) {
      Write& w = *group[i];
      w.status = absl::OkStatus();
      w.exception = nullptr;
      w.after_commit.clear();
      if (status = conn.Exec("SAVEPOINT group_write").status(); !status.ok()) break;
      const size_t mark = conn.after_commit_count();
      absl::Status own;
      try {
        own = w.fn(conn);
      } catch (...) {
        w.exception = std::current_exception();
        own = absl::InternalError("the transaction body threw");
      }
      if (IsConflict(own)) {  // the engine's lock, held elsewhere: the group runs again
        status = own;
        break;
      }
      if (own.ok()) {
        status = conn.Exec("RELEASE group_write").status();
        w.after_commit = conn.TakeAfterCommit(mark);
      } else {
        w.status = own;
        conn.DropAfterCommit(mark);
        status = conn.Exec("ROLLBACK TO group_write").status();
        if (status.ok()) status = conn.Exec("RELEASE group_write").status();
      }
    }
    if (status.ok()) status = conn.Commit();
    if (status.ok()) return;
    if (!conn.broken()) conn.Rollback().IgnoreError();
    if (!IsConflict(status)) return fail_all(status);
    absl::SleepFor(backoff);
    backoff *= 2;
  }
  fail_all(status);  // still the engine's lock conflict: ABORTED, as Transact's
}

}  // namespace internal
}  // namespace ibm::sql
