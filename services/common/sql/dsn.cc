#include "sql/dsn.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ibm::sql {
namespace {

absl::Status Bad(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("malformed database DSN: ", why));
}

absl::StatusOr<std::string> PercentDecode(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int v = 0;
    if (i + 2 >= s.size() || !absl::SimpleHexAtoi(s.substr(i + 1, 2), &v)) {
      return Bad("bad percent-escape in user or password");
    }
    out.push_back(static_cast<char>(v));
    i += 2;
  }
  return out;
}

absl::Status ParseIntOption(absl::string_view key, absl::string_view value, int lo, int hi,
                            int* out) {
  if (!absl::SimpleAtoi(value, out) || *out < lo || *out > hi) {
    return Bad(absl::StrCat("option ", key, " must be an integer in [", lo, ", ", hi, "]"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Dsn> ParseMysql(absl::string_view rest) {
  Dsn dsn;
  dsn.engine = Engine::kMysql;
  absl::string_view query;
  if (size_t q = rest.find('?'); q != absl::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  size_t at = rest.rfind('@');
  if (at == absl::string_view::npos) return Bad("mysql DSN needs user@host");
  absl::string_view userinfo = rest.substr(0, at);
  absl::string_view hostpath = rest.substr(at + 1);
  std::pair<absl::string_view, absl::string_view> up =
      absl::StrSplit(userinfo, absl::MaxSplits(':', 1));
  auto user = PercentDecode(up.first);
  if (!user.ok()) return user.status();
  auto password = PercentDecode(up.second);
  if (!password.ok()) return password.status();
  dsn.user = *user;
  dsn.password = *password;
  if (dsn.user.empty()) return Bad("mysql DSN needs a user name");

  size_t slash = hostpath.find('/');
  if (slash == absl::string_view::npos) return Bad("mysql DSN needs /database after the host");
  absl::string_view hostport = hostpath.substr(0, slash);
  dsn.database = std::string(hostpath.substr(slash + 1));
  if (dsn.database.empty()) return Bad("mysql DSN needs a database name");
  for (char c : dsn.database) {
    if (!(absl::ascii_isalnum(c) || c == '_' || c == '$'))
      return Bad("database name may hold only letters, digits, _ and $");
  }
  std::pair<absl::string_view, absl::string_view> hp =
      absl::StrSplit(hostport, absl::MaxSplits(':', 1));
  dsn.host = std::string(hp.first);
  if (!hp.second.empty()) {
    if (absl::Status s = ParseIntOption("port", hp.second, 1, 65535, &dsn.port); !s.ok()) return s;
  }
  for (absl::string_view kv : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (p.first == "socket" || p.first == "unix_socket") {
      dsn.socket = std::string(p.second);
    } else if (p.first == "pool_size") {
      if (auto s = ParseIntOption(p.first, p.second, 1, 1000, &dsn.pool_size); !s.ok()) return s;
    } else if (p.first == "connect_timeout_s") {
      if (auto s = ParseIntOption(p.first, p.second, 1, 600, &dsn.connect_timeout_s); !s.ok())
        return s;
    } else {
      return Bad(absl::StrCat("unknown option '", p.first, "'"));
    }
  }
  if (dsn.host.empty() && dsn.socket.empty()) return Bad("mysql DSN needs a host or ?socket=");
  if (dsn.host.empty()) dsn.host = "localhost";
  return dsn;
}

}  // namespace

std::string Dsn::Redacted() const {
  if (engine == Engine::kSqlite) return path == ":memory:" ? "sqlite::memory:" : "sqlite://" + path;
  std::string out = absl::StrCat("mysql://", user, password.empty() ? "" : ":***", "@", host);
  if (socket.empty()) absl::StrAppend(&out, ":", port);
  absl::StrAppend(&out, "/", database);
  if (!socket.empty()) absl::StrAppend(&out, "?socket=", socket);
  return out;
}

absl::StatusOr<Dsn> ParseDsn(absl::string_view text) {
  if (text.empty()) return Bad("empty (expected sqlite:///path.db or mysql://user:pass@host/db)");
  if (text == "sqlite::memory:") {
    Dsn dsn;
    dsn.path = ":memory:";
    return dsn;
  }
  if (absl::ConsumePrefix(&text, "sqlite://")) {
    if (text.empty()) return Bad("sqlite DSN needs a file path");
    if (text.find('?') != absl::string_view::npos) return Bad("sqlite DSN takes no options");
    Dsn dsn;
    dsn.path = std::string(text);
    return dsn;
  }
  if (absl::ConsumePrefix(&text, "mysql://") || absl::ConsumePrefix(&text, "mariadb://")) {
    return ParseMysql(text);
  }
  return Bad("unknown scheme (expected sqlite:// or mysql://)");
}

}  // namespace ibm::sql
