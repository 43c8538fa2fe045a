#include "referrals/store/providers.h"

#include "absl/strings/str_cat.h"

namespace ibm::referrals::store {

std::vector<std::string> ProviderTables() {
  return {
      "CREATE TABLE IF NOT EXISTS providers (id VARCHAR(40) PRIMARY KEY, "
      "display_name VARCHAR(200) NOT NULL, kind INT NOT NULL, location VARCHAR(20) NOT NULL, "
      "satker_id VARCHAR(40) NOT NULL, state INT NOT NULL, ipwl INT NOT NULL, "
      "service_types BIGINT NOT NULL, mode INT NOT NULL, details {LONGBLOB} NOT NULL, "
      "version BIGINT NOT NULL, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) "
      "{TABLE_OPTIONS}",
      // ListProviders' order.
      "CREATE INDEX IF NOT EXISTS providers_by_name ON providers (display_name, id)",
      "CREATE INDEX IF NOT EXISTS providers_by_location ON providers (location)",
      // The regions a provider takes referrals from; covers_region looks a region and its
      // ancestors up here.
      "CREATE TABLE IF NOT EXISTS provider_coverage (region_code VARCHAR(20) NOT NULL, "
      "provider_id VARCHAR(40) NOT NULL, PRIMARY KEY (region_code, provider_id)) "
      "{TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS provider_coverage_by_provider ON provider_coverage "
      "(provider_id)",
      // Who acts as a provider: a subject belongs to one provider only (the primary key).
      "CREATE TABLE IF NOT EXISTS provider_principals (subject VARCHAR(200) PRIMARY KEY, "
      "provider_id VARCHAR(40) NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS provider_principals_by_provider ON provider_principals "
      "(provider_id)",
  };
}

namespace {

constexpr char kColumns[] =
    "id, display_name, kind, location, satker_id, state, ipwl, service_types, mode, details, "
    "version, create_time, update_time";
constexpr char kSelect[] = "SELECT %s FROM providers WHERE id = ?";
constexpr char kInsert[] =
    "INSERT INTO providers (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdate[] =
    "UPDATE providers SET display_name = ?, location = ?, satker_id = ?, state = ?, ipwl = ?, "
    "service_types = ?, mode = ?, details = ?, version = ?, update_time = ? WHERE id = ?";
constexpr char kSelectCoverage[] =
    "SELECT region_code FROM provider_coverage WHERE provider_id = ? ORDER BY region_code";
constexpr char kSelectPrincipals[] =
    "SELECT subject FROM provider_principals WHERE provider_id = ? ORDER BY subject";
constexpr char kDeleteCoverage[] = "DELETE FROM provider_coverage WHERE provider_id = ?";
constexpr char kDeletePrincipals[] = "DELETE FROM provider_principals WHERE provider_id = ?";
constexpr char kInsertCoverage[] = "INSERT INTO provider_coverage (region_code, provider_id)";
constexpr char kInsertPrincipals[] = "INSERT INTO provider_principals (subject, provider_id)";
constexpr char kSelectHolder[] = "SELECT provider_id FROM provider_principals WHERE subject = ?";
// ListProviders: the conditions below are ANDed in as the filter asks.
constexpr char kList[] =
    "SELECT %s FROM providers p WHERE state IN %s%s ORDER BY display_name, id LIMIT ?";
constexpr char kCovering[] =
    " AND EXISTS (SELECT 1 FROM provider_coverage c WHERE c.provider_id = p.id AND "
    "c.region_code IN %s)";
// A region and everything inside it: the code itself, or codes from code + "." up to (not
// including) code + "/" ('/' sorts right after '.', and segments are fixed-width).
constexpr char kLocatedIn[] = " AND (location = ? OR (location > ? AND location < ?))";
constexpr char kByKind[] = " AND kind = ?";
constexpr char kByServiceType[] = " AND (service_types & ?) <> 0";
constexpr char kIpwlOnly[] = " AND ipwl = 1";
constexpr char kAfterKey[] = " AND (display_name > ? OR (display_name = ? AND id > ?))";

Provider FromRow(const sql::Row& row) {
  Provider p;
  p.id = row.Text("id");
  p.display_name = row.Text("display_name");
  p.kind = static_cast<int>(row.Int("kind"));
  p.location = row.Text("location");
  p.satker_id = row.Text("satker_id");
  p.state = static_cast<int>(row.Int("state"));
  p.ipwl = row.Int("ipwl") != 0;
  p.service_types = row.Int("service_types");
  p.mode = static_cast<int>(row.Int("mode"));
  p.details = row.Blob("details");
  p.version = row.Int("version");
  p.create_time_us = row.Int("create_time");
  p.update_time_us = row.Int("update_time");
  return p;
}

absl::StatusOr<std::vector<std::string>> Column(sql::Session& s, absl::string_view query,
                                                absl::string_view id, absl::string_view col) {
  auto rows = s.Query(query, {id});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const sql::Row& row : *rows) out.push_back(row.Text(col));
  return out;
}

absl::Status LoadChildren(sql::Session& s, Provider& p) {
  auto coverage = Column(s, kSelectCoverage, p.id, "region_code");
  if (!coverage.ok()) return coverage.status();
  auto principals = Column(s, kSelectPrincipals, p.id, "subject");
  if (!principals.ok()) return principals.status();
  p.coverage = *std::move(coverage);
  p.principals = *std::move(principals);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Provider> Providers::Get(sql::Session& s, absl::string_view id,
                                        absl::string_view name, bool for_update) const {
  auto row = s.QueryOne(sql::Statement(kSelect, {kColumns}, for_update ? dialect_.ForUpdate() : ""),
                        {id}, name);
  if (!row.ok()) return row.status();
  Provider p = FromRow(*row);
  if (absl::Status loaded = LoadChildren(s, p); !loaded.ok()) return loaded;
  return p;
}

absl::Status Providers::WriteChildren(sql::Session& s, const Provider& p) const {
  sql::Params coverage, principals;
  for (const std::string& code : p.coverage) {
    coverage.push_back(code);
    coverage.push_back(p.id);
  }
  for (const std::string& subject : p.principals) {
    principals.push_back(subject);
    principals.push_back(p.id);
  }
  if (!coverage.empty()) {
    if (absl::Status s1 = s.InsertRows(kInsertCoverage, 2, coverage); !s1.ok()) return s1;
  }
  if (!principals.empty()) return s.InsertRows(kInsertPrincipals, 2, principals);
  return absl::OkStatus();
}

absl::Status Providers::Insert(sql::Session& s, const Provider& p) const {
  auto done = s.Exec(sql::Statement(kInsert, {kColumns}),
                     {p.id, p.display_name, p.kind, p.location, p.satker_id, p.state,
                      p.ipwl ? 1 : 0, p.service_types, p.mode, sql::Bytes{p.details}, p.version,
                      p.create_time_us, p.update_time_us});
  if (!done.ok()) return done.status();
  return WriteChildren(s, p);
}

absl::Status Providers::Update(sql::Session& s, Provider& p) const {
  ++p.version;
  auto done = s.Exec(
      kUpdate, {p.display_name, p.location, p.satker_id, p.state, p.ipwl ? 1 : 0, p.service_types,
                p.mode, sql::Bytes{p.details}, p.version, p.update_time_us, p.id});
  if (!done.ok()) return done.status();
  for (const char* stmt : {kDeleteCoverage, kDeletePrincipals}) {
    if (auto gone = s.Exec(stmt, {p.id}); !gone.ok()) return gone.status();
  }
  return WriteChildren(s, p);
}

absl::StatusOr<std::vector<Provider>> Providers::List(sql::Session& s, const ProviderFilter& f,
                                                      const std::optional<ProviderKey>& after,
                                                      int limit) const {
  sql::Params params;
  params.reserve(f.states.size() + f.covering_codes.size() + 8);
  for (int state : f.states) params.emplace_back(int64_t{state});
  std::string where;
  if (!f.covering_codes.empty()) {
    where += sql::Statement(kCovering, {sql::Placeholders(f.covering_codes.size())});
    for (const std::string& code : f.covering_codes) params.push_back(code);
  }
  if (!f.located_in.empty()) {
    where += kLocatedIn;
    const std::string below = absl::StrCat(f.located_in, "."),
                      beyond = absl::StrCat(f.located_in, "/");
    params.push_back(f.located_in);
    params.push_back(below);
    params.push_back(beyond);
  }
  if (f.kind != 0) {
    where += kByKind;
    params.emplace_back(int64_t{f.kind});
  }
  if (f.service_type_bit != 0) {
    where += kByServiceType;
    params.emplace_back(int64_t{f.service_type_bit});
  }
  if (f.ipwl_only) where += kIpwlOnly;
  if (after) {
    where += kAfterKey;
    params.push_back(after->display_name);
    params.push_back(after->display_name);
    params.push_back(after->id);
  }
  params.emplace_back(int64_t{limit});
  auto rows =
      s.Query(sql::Statement(kList, {kColumns, sql::Placeholders(f.states.size()), where}), params);
  if (!rows.ok()) return rows.status();
  std::vector<Provider> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) {
    out.push_back(FromRow(row));
    if (absl::Status loaded = LoadChildren(s, out.back()); !loaded.ok()) return loaded;
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> Providers::ProviderOfPrincipal(
    sql::Session& s, absl::string_view subject) const {
  auto rows = s.Query(kSelectHolder, {subject});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return rows->front().Text("provider_id");
}

absl::StatusOr<std::optional<std::string>> Providers::OtherHolderOf(sql::Session& s,
                                                                    absl::string_view subject,
                                                                    absl::string_view id) const {
  auto holder = ProviderOfPrincipal(s, subject);
  if (!holder.ok() || !holder->has_value() || **holder != id) return holder;
  return std::nullopt;
}

}  // namespace ibm::referrals::store
