// The production engine: MySQL 8 / MariaDB 10.11 through MySQL Connector/C++ 1.1 (JDBC-style
// sql:: API). Connector exceptions are caught here and never cross the store boundary.

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sql/pool.h"

namespace ibm::sql {
namespace {

using internal::Connection;

// Client error codes after which a connection is dead (CR_* in errmsg.h).
bool IsLostConnection(int code) {
  switch (code) {
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT
      return true;
    default:
      return false;
  }
}

// The key name of a duplicate-entry message, without the duplicated value (which may be
// personal data): "Duplicate entry 'x' for key 'uq_name'" -> "uq_name".
std::string DuplicateKey(absl::string_view msg) {
  size_t p = msg.rfind("for key '");
  if (p == absl::string_view::npos) return "unique key";
  absl::string_view key = msg.substr(p + 9);
  return std::string(key.substr(0, key.find('\'')));
}

absl::Status Error(const ::sql::SQLException& e, absl::string_view during) {
  const int code = e.getErrorCode();
  switch (code) {
    case 1062:  // ER_DUP_ENTRY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
      return absl::AlreadyExistsError(
          absl::StrCat("mysql ", during, ": duplicate value for ", DuplicateKey(e.what())));
    case 1451:  // ER_ROW_IS_REFERENCED_2
    case 1452:  // ER_NO_REFERENCED_ROW_2
      return absl::FailedPreconditionError(
          absl::StrCat("mysql ", during, ": foreign key violation"));
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
      return internal::Conflict(absl::StrCat("mysql ", during, ": ", e.what()));
    default:
      break;
  }
  if (IsLostConnection(code)) {
    return absl::UnavailableError(absl::StrCat(
        "mysql ", during, ": database server unreachable (error ", code, ": ", e.what(), ")"));
  }
  return absl::InternalError(absl::StrCat("mysql ", during, ": error ", code, ": ", e.what()));
}

::sql::Driver* DriverInstance() {
  // get_driver_instance() is not thread-safe on first use: call it exactly once.
  static ::sql::Driver* driver = ::sql::mysql::get_driver_instance();
  return driver;
}

class MysqlConnection final : public Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const Dsn& dsn) {
    ::sql::ConnectOptionsMap opts;
    opts["hostName"] = dsn.socket.empty()
                           ? ::sql::SQLString(absl::StrCat("tcp://", dsn.host, ":", dsn.port))
                           : ::sql::SQLString(absl::StrCat("unix://", dsn.socket));
    opts["userName"] = ::sql::SQLString(dsn.user);
    opts["password"] = ::sql::SQLString(dsn.password);
    opts["schema"] = ::sql::SQLString(dsn.database);
    opts["OPT_RECONNECT"] = false;  // never reconnect silently (it would lose a transaction)
    opts["OPT_CONNECT_TIMEOUT"] = dsn.connect_timeout_s;
    opts["OPT_READ_TIMEOUT"] = 60;
    opts["OPT_WRITE_TIMEOUT"] = 60;
    opts["OPT_CHARSET_NAME"] = ::sql::SQLString("utf8mb4");
    try {
      std::unique_ptr<::sql::Connection> conn(DriverInstance()->connect(opts));
      auto out = std::unique_ptr<MysqlConnection>(new MysqlConnection(std::move(conn)));
      // Times are stored as integers, but keep the session's clock in UTC for anything else.
      if (auto s = out->Exec("SET time_zone = '+00:00'", {}); !s.ok()) return s.status();
      return out;
    } catch (const ::sql::SQLException& e) {
      if (e.getErrorCode() == 1045 || e.getErrorCode() == 1044 || e.getErrorCode() == 1049) {
        return absl::UnavailableError(absl::StrCat("mysql connect: ", e.what()));
      }
      return Error(e, "connect");
    }
  }

  ~MysqlConnection() override {
    stmts_.clear();
    try {
      if (!broken_) conn_->close();
    } catch (const ::sql::SQLException&) {
    }
  }

  absl::StatusOr<int64_t> Exec(absl::string_view sql, const Params& params) override {
    return Guard("exec", [&]() -> absl::StatusOr<int64_t> {
      ::sql::PreparedStatement* stmt = nullptr;
      if (auto s = Prepare(sql, &stmt); !s.ok()) return s;
      if (stmt == nullptr) {  // not preparable (some DDL): run as a plain statement
        std::unique_ptr<::sql::Statement> plain(conn_->createStatement());
        return plain->executeUpdate(::sql::SQLString(std::string(sql)));
      }
      std::vector<std::unique_ptr<std::istream>> blobs;
      Bind(stmt, params, &blobs);
      return stmt->executeUpdate();
    });
  }

  absl::StatusOr<int64_t> Insert(absl::string_view sql, const Params& params) override {
    if (auto s = Exec(sql, params); !s.ok()) return s.status();
    auto rows = Query("SELECT LAST_INSERT_ID()", {});
    if (!rows.ok()) return rows.status();
    return rows->front().Int(0);
  }

  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql, const Params& params) override {
    return Guard("query", [&]() -> absl::StatusOr<std::vector<Row>> {
      ::sql::PreparedStatement* stmt = nullptr;
      if (auto s = Prepare(sql, &stmt); !s.ok()) return s;
      std::unique_ptr<::sql::Statement> plain;
      std::unique_ptr<::sql::ResultSet> rs;
      std::vector<std::unique_ptr<std::istream>> blobs;
      if (stmt == nullptr) {
        plain.reset(conn_->createStatement());
        rs.reset(plain->executeQuery(::sql::SQLString(std::string(sql))));
      } else {
        Bind(stmt, params, &blobs);
        rs.reset(stmt->executeQuery());
      }
      return ReadAll(rs.get());
    });
  }

  absl::Status Begin(TxMode mode) override {
    return Exec(mode == TxMode::kReadOnly ? "START TRANSACTION READ ONLY" : "START TRANSACTION", {})
        .status();
  }
  absl::Status Commit() override { return Exec("COMMIT", {}).status(); }
  absl::Status Rollback() override { return Exec("ROLLBACK", {}).status(); }
  bool broken() const override { return broken_; }

  absl::Status Validate() override {
    try {
      if (conn_->isValid()) return absl::OkStatus();
    } catch (const ::sql::SQLException&) {
    }
    broken_ = true;
    return absl::UnavailableError("mysql: database server unreachable");
  }

 private:
  explicit MysqlConnection(std::unique_ptr<::sql::Connection> conn) : conn_(std::move(conn)) {}

  // Runs fn, turning connector exceptions into statuses and noting a lost server.
  template <typename Fn>
  auto Guard(absl::string_view during, Fn fn) -> decltype(fn()) {
    if (broken_)
      return absl::UnavailableError("mysql: connection lost earlier in this transaction");
    try {
      return fn();
    } catch (const ::sql::SQLException& e) {
      if (IsLostConnection(e.getErrorCode())) {
        broken_ = true;
        stmts_.clear();
      }
      return Error(e, during);
    }
  }

  // Finds or prepares a statement; leaves *out null when the server cannot prepare it.
  absl::Status Prepare(absl::string_view sql, ::sql::PreparedStatement** out) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      *out = it->second.get();
      return absl::OkStatus();
    }
    try {
      std::unique_ptr<::sql::PreparedStatement> stmt(
          conn_->prepareStatement(::sql::SQLString(std::string(sql))));
      *out = stmt.get();
      if (stmts_.size() >= kMaxCachedStatements) stmts_.clear();  // bounded, see database.h
      stmts_.emplace(std::string(sql), std::move(stmt));
    } catch (const ::sql::SQLException& e) {
      if (e.getErrorCode() != 1295) throw;  // ER_UNSUPPORTED_PS
      *out = nullptr;
    }
    return absl::OkStatus();
  }

  static void Bind(::sql::PreparedStatement* stmt, const Params& params,
                   std::vector<std::unique_ptr<std::istream>>* blobs) {
    stmt->clearParameters();
    for (unsigned i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      const unsigned idx = i + 1;
      switch (v.kind()) {
        case Value::Kind::kNull:
          stmt->setNull(idx, ::sql::DataType::SQLNULL);
          break;
        case Value::Kind::kInt:
          stmt->setInt64(idx, v.as_int());
          break;
        case Value::Kind::kDouble:
          stmt->setDouble(idx, v.as_double());
          break;
        case Value::Kind::kText:
          stmt->setString(idx, ::sql::SQLString(v.as_text()));
          break;
        case Value::Kind::kBytes:
          // The stream must outlive execute(): the caller keeps it.
          blobs->push_back(std::make_unique<std::istringstream>(v.as_bytes().data));
          stmt->setBlob(idx, blobs->back().get());
          break;
      }
    }
  }

  static std::vector<Row> ReadAll(::sql::ResultSet* rs) {
    ::sql::ResultSetMetaData* meta = rs->getMetaData();
    const unsigned ncol = meta->getColumnCount();
    std::vector<int> types(ncol);
    std::vector<bool> is_signed(ncol);
    auto names = std::make_shared<std::vector<std::string>>();
    for (unsigned c = 0; c < ncol; ++c) {
      types[c] = meta->getColumnType(c + 1);
      is_signed[c] = meta->isSigned(c + 1);
      names->emplace_back(std::string(meta->getColumnLabel(c + 1)));
    }
    std::vector<Row> rows;
    while (rs->next()) {
      std::vector<Value> values;
      values.reserve(ncol);
      for (unsigned c = 0; c < ncol; ++c) {
        const unsigned idx = c + 1;
        if (rs->isNull(idx)) {
          values.emplace_back();
          continue;
        }
        switch (types[c]) {
          case ::sql::DataType::BIT:
          case ::sql::DataType::TINYINT:
          case ::sql::DataType::SMALLINT:
          case ::sql::DataType::MEDIUMINT:
          case ::sql::DataType::INTEGER:
          case ::sql::DataType::BIGINT:
          case ::sql::DataType::YEAR:
            values.emplace_back(is_signed[c] ? rs->getInt64(idx)
                                             : static_cast<int64_t>(rs->getUInt64(idx)));
            break;
          case ::sql::DataType::REAL:
          case ::sql::DataType::DOUBLE:
            values.emplace_back(static_cast<double>(rs->getDouble(idx)));
            break;
          case ::sql::DataType::BINARY:
          case ::sql::DataType::VARBINARY:
          case ::sql::DataType::LONGVARBINARY: {
            std::unique_ptr<std::istream> in(rs->getBlob(idx));
            std::string data{std::istreambuf_iterator<char>(*in), std::istreambuf_iterator<char>()};
            values.emplace_back(Bytes{std::move(data)});
            break;
          }
          default:  // text, DECIMAL (exact, as text), dates
            values.emplace_back(std::string(rs->getString(idx)));
            break;
        }
      }
      rows.emplace_back(std::move(values), names);
    }
    return rows;
  }

  std::unique_ptr<::sql::Connection> conn_;
  std::map<std::string, std::unique_ptr<::sql::PreparedStatement>, std::less<>> stmts_;
  bool broken_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> OpenMysql(const Dsn& dsn, const OpenOptions& options) {
  DriverInstance();
  // One connection first: it checks the server is reachable and tells MariaDB from MySQL
  // (their NO PAD binary collations differ in name).
  Dialect dialect{Engine::kMysql};
  {
    auto first = MysqlConnection::Open(dsn);
    if (!first.ok()) return first.status();
    auto version = (*first)->Query("SELECT VERSION()", {});
    if (!version.ok()) return version.status();
    dialect.mariadb = !version->empty() && absl::StrContains(version->front().Text(0), "MariaDB");
  }
  auto db = std::make_unique<internal::PooledDatabase>(
      dialect, options.pool_size > 0 ? options.pool_size : (dsn.pool_size > 0 ? dsn.pool_size : 16),
      options.acquire_timeout,
      // Validate a connection on checkout once it has been idle this long (a ping costs a
      // round trip; a connection just returned is known good).
      absl::Milliseconds(500), [dsn] { return MysqlConnection::Open(dsn); });
  if (auto s = db->Ping(); !s.ok()) return s;
  return db;
}

}  // namespace ibm::sql
