#include "cases/store/clients.h"

#include "absl/strings/str_cat.h"
#include "cases/store/tables.h"

namespace ibm::cases::store {

namespace {

constexpr char kClientColumns[] =
    "id, unit_id, satker_id, village_code, sex, birth_year, home_village, admission_path, "
    "legal_basis, state, legal_order_kind, has_identity, has_nik, nik_review_pending, "
    "duplicate_of, open_case, details, create_actor, version, create_time, update_time";
constexpr char kSelectClient[] = "SELECT %s FROM clients WHERE id = ?";
constexpr char kInsertClient[] =
    "INSERT INTO clients (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?)";
constexpr char kUpdateClient[] =
    "UPDATE clients SET unit_id = ?, satker_id = ?, village_code = ?, sex = ?, birth_year = ?, "
    "home_village = ?, admission_path = ?, legal_basis = ?, state = ?, legal_order_kind = ?, "
    "has_identity = ?, has_nik = ?, nik_review_pending = ?, duplicate_of = ?, open_case = ?, "
    "details = ?, version = ?, update_time = ? WHERE id = ?";
constexpr char kInsertClientUnit[] = "%s INTO client_units (client_id, unit_id) VALUES (?, ?)";
constexpr char kSelectClientUnits[] =
    "SELECT unit_id FROM client_units WHERE client_id = ? ORDER BY unit_id";
constexpr char kSelectIdentity[] =
    "SELECT client_id, sealed, erased, erase_time, version, update_time FROM client_identities "
    "WHERE client_id = ?";
constexpr char kDeleteIdentity[] = "DELETE FROM client_identities WHERE client_id = ?";
constexpr char kInsertIdentity[] =
    "INSERT INTO client_identities (client_id, sealed, erased, erase_time, version, "
    "update_time) VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kSelectNik[] =
    "SELECT client_id FROM nik_index WHERE nik_hmac = ? ORDER BY client_id";
constexpr char kInsertNik[] = "%s INTO nik_index (nik_hmac, client_id, key_id) VALUES (?, ?, ?)";
constexpr char kDeleteNik[] = "DELETE FROM nik_index WHERE client_id = ?";
constexpr char kSelectNikOtherKey[] =
    "SELECT client_id FROM nik_index WHERE key_id <> ? ORDER BY client_id LIMIT ?";

constexpr char kSelectClientsPage[] = "SELECT %s FROM clients WHERE id > ?%s ORDER BY id LIMIT ?";
constexpr char kNoticeColumns[] =
    "id, satker_id, client_id, requester_satker, state, details, version, create_time, "
    "update_time";
constexpr char kSelectNotice[] = "SELECT %s FROM nik_match_notices WHERE satker_id = ? AND id = ?";
constexpr char kSelectOpenNotice[] =
    "SELECT %s FROM nik_match_notices WHERE client_id = ? AND requester_satker = ? AND state = 1 "
    "ORDER BY id LIMIT 1";
constexpr char kInsertNotice[] =
    "INSERT INTO nik_match_notices (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateNotice[] =
    "UPDATE nik_match_notices SET state = ?, details = ?, version = ?, update_time = ? WHERE id = "
    "?";
constexpr char kSelectNoticesPage[] =
    "SELECT %s FROM nik_match_notices WHERE satker_id = ? AND id > ?%s ORDER BY id LIMIT ?";

constexpr char kSelectIdentityAccess[] =
    "SELECT seq, resource, action, actor, actor_satker, change_time, fields, summary FROM "
    "identity_access WHERE seq > ?%s ORDER BY seq LIMIT ?";
// Chained and still queued (audit/audit_log.h): every lookup committed counts.
constexpr char kCountLookups[] =
    "SELECT (SELECT COUNT(*) FROM identity_access WHERE actor = ? AND action = 4 AND "
    "change_time >= ?) + (SELECT COUNT(*) FROM identity_access_queue WHERE actor = ? AND "
    "action = 4 AND change_time >= ?) AS n";
constexpr char kSelectUnitsOfClients[] = "SELECT id, unit_id FROM clients WHERE id IN (%s)";

Notice NoticeFromRow(const sql::Row& row) {
  return Notice{row.Text("id"),
                row.Text("satker_id"),
                row.Text("client_id"),
                row.Text("requester_satker"),
                static_cast<int>(row.Int("state")),
                row.Blob("details"),
                row.Int("version"),
                row.Int("create_time"),
                row.Int("update_time")};
}

Client ClientFromRow(const sql::Row& row) {
  Client c;
  c.id = row.Text("id");
  c.unit_id = row.Text("unit_id");
  c.satker_id = row.Text("satker_id");
  c.village_code = row.Text("village_code");
  c.sex = static_cast<int>(row.Int("sex"));
  if (auto y = row.OptInt("birth_year")) c.birth_year = static_cast<int>(*y);
  c.home_village = row.Text("home_village");
  c.admission_path = static_cast<int>(row.Int("admission_path"));
  c.legal_basis = static_cast<int>(row.Int("legal_basis"));
  c.state = static_cast<int>(row.Int("state"));
  c.legal_order_kind = static_cast<int>(row.Int("legal_order_kind"));
  c.has_identity = row.Bool("has_identity");
  c.has_nik = row.Bool("has_nik");
  c.nik_review_pending = row.Bool("nik_review_pending");
  c.duplicate_of = row.Text("duplicate_of");
  c.open_case = row.Text("open_case");
  c.details = row.Blob("details");
  c.create_actor = row.Text("create_actor");
  c.version = row.Int("version");
  c.create_time_us = row.Int("create_time");
  c.update_time_us = row.Int("update_time");
  return c;
}

sql::Value BirthYear(const Client& c) {
  return c.birth_year ? sql::Value(*c.birth_year) : sql::Value(std::nullopt);
}

}  // namespace

absl::StatusOr<Client> Clients::Get(sql::Session& s, absl::string_view id, absl::string_view name,
                                    bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectClient, {kClientColumns}, for_update ? dialect_.ForUpdate() : ""), {id},
      name);
  if (!row.ok()) return row.status();
  return ClientFromRow(*row);
}

absl::Status Clients::Insert(sql::Session& s, const Client& c) const {
  return s
      .Exec(sql::Statement(kInsertClient, {kClientColumns}), {c.id,
                                                              c.unit_id,
                                                              c.satker_id,
                                                              c.village_code,
                                                              c.sex,
                                                              BirthYear(c),
                                                              c.home_village,
                                                              c.admission_path,
                                                              c.legal_basis,
                                                              c.state,
                                                              c.legal_order_kind,
                                                              c.has_identity,
                                                              c.has_nik,
                                                              c.nik_review_pending,
                                                              c.duplicate_of,
                                                              c.open_case,
                                                              sql::Bytes{c.details},
                                                              c.create_actor,
                                                              c.version,
                                                              c.create_time_us,
                                                              c.update_time_us})
      .status();
}

absl::StatusOr<std::vector<Client>> Clients::List(sql::Session& s, const ClientFilter& f,
                                                  absl::string_view after_id, int limit) const {
  // Conditions from a fixed set, values bound: never a caller's text in the SQL.
  std::string where;
  sql::Params params = {after_id};
  auto add = [&](absl::string_view condition, sql::Value value) {
    absl::StrAppend(&where, " AND ", condition);
    params.push_back(std::move(value));
  };
  if (!f.unit_id.empty()) add("unit_id = ?", f.unit_id);
  if (!f.satker_id.empty()) add("satker_id = ?", f.satker_id);
  if (!f.village_prefix.empty()) add("village_code LIKE ?", absl::StrCat(f.village_prefix, ".%"));
  if (!f.home_prefix.empty()) add("home_village LIKE ?", absl::StrCat(f.home_prefix, ".%"));
  if (f.state != 0) add("state = ?", f.state);
  if (f.admission_path != 0) add("admission_path = ?", f.admission_path);
  if (f.nik_review_pending) add("nik_review_pending = ?", 1);
  params.emplace_back(static_cast<int64_t>(limit));
  auto rows = s.Query(sql::Statement(kSelectClientsPage, {kClientColumns, where}), params);
  if (!rows.ok()) return rows.status();
  std::vector<Client> out;
  for (const sql::Row& row : *rows) out.push_back(ClientFromRow(row));
  return out;
}

absl::Status Clients::Update(sql::Session& s, Client& c) const {
  c.version += 1;
  return s
      .Exec(kUpdateClient,
            {c.unit_id, c.satker_id, c.village_code, c.sex, BirthYear(c), c.home_village,
             c.admission_path, c.legal_basis, c.state, c.legal_order_kind, c.has_identity,
             c.has_nik, c.nik_review_pending, c.duplicate_of, c.open_case, sql::Bytes{c.details},
             c.version, c.update_time_us, c.id})
      .status();
}

absl::Status Clients::AddUnit(sql::Session& s, absl::string_view client_id,
                              absl::string_view unit_id) const {
  return s.Exec(sql::Statement(kInsertClientUnit, {dialect_.InsertIgnore()}), {client_id, unit_id})
      .status();
}

absl::StatusOr<std::vector<std::string>> Clients::Units(sql::Session& s,
                                                        absl::string_view client_id) const {
  auto rows = s.Query(kSelectClientUnits, {client_id});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> units;
  for (const sql::Row& row : *rows) units.push_back(row.Text("unit_id"));
  return units;
}

absl::StatusOr<std::optional<Identity>> Clients::GetIdentity(sql::Session& s,
                                                             absl::string_view client_id,
                                                             bool for_update) const {
  auto rows = s.Query(sql::Statement(kSelectIdentity, {}, for_update ? dialect_.ForUpdate() : ""),
                      {client_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  const sql::Row& row = rows->front();
  return Identity{row.Text("client_id"), row.Text("sealed"), row.Bool("erased"),
                  row.Int("erase_time"), row.Int("version"), row.Int("update_time")};
}

absl::Status Clients::PutIdentity(sql::Session& s, const Identity& i) const {
  if (auto st = s.Exec(kDeleteIdentity, {i.client_id}); !st.ok()) return st.status();
  return s
      .Exec(kInsertIdentity,
            {i.client_id, i.sealed, i.erased, i.erase_time_us, i.version, i.update_time_us})
      .status();
}

absl::StatusOr<std::vector<std::string>> Clients::ClientsWithNik(sql::Session& s,
                                                                 absl::string_view nik_hmac) const {
  auto rows = s.Query(kSelectNik, {nik_hmac});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> ids;
  for (const sql::Row& row : *rows) ids.push_back(row.Text("client_id"));
  return ids;
}

absl::Status Clients::IndexNik(sql::Session& s, absl::string_view nik_hmac,
                               absl::string_view client_id, absl::string_view key_id) const {
  return s
      .Exec(sql::Statement(kInsertNik, {dialect_.InsertIgnore()}), {nik_hmac, client_id, key_id})
      .status();
}

absl::Status Clients::DropNik(sql::Session& s, absl::string_view client_id) const {
  return s.Exec(kDeleteNik, {client_id}).status();
}

absl::StatusOr<std::vector<IdentityAccessRow>> Clients::IdentityAccess(
    sql::Session& s, absl::string_view resource, absl::string_view actor, int64_t start_us,
    int64_t end_us, int64_t after_seq, int limit) const {
  std::string where;
  sql::Params params = {after_seq};
  auto add = [&](absl::string_view condition, sql::Value value) {
    absl::StrAppend(&where, " AND ", condition);
    params.push_back(std::move(value));
  };
  if (!resource.empty()) add("resource = ?", resource);
  if (!actor.empty()) add("actor = ?", actor);
  if (start_us != 0) add("change_time >= ?", start_us);
  if (end_us != 0) add("change_time < ?", end_us);
  params.emplace_back(static_cast<int64_t>(limit));
  auto rows = s.Query(sql::Statement(kSelectIdentityAccess, {where}), params);
  if (!rows.ok()) return rows.status();
  std::vector<IdentityAccessRow> out;
  for (const sql::Row& r : *rows) {
    out.push_back(IdentityAccessRow{
        r.Int("seq"), r.Text("resource"), static_cast<int>(r.Int("action")), r.Text("actor"),
        r.Text("actor_satker"), r.Int("change_time"), r.Text("fields"), r.Text("summary")});
  }
  return out;
}

absl::StatusOr<int64_t> Clients::CountLookups(sql::Session& s, absl::string_view actor,
                                              int64_t since_us) const {
  auto row = s.QueryOne(kCountLookups, {actor, since_us, actor, since_us}, "count");
  if (!row.ok()) return row.status();
  return row->Int("n");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Clients::UnitsOf(
    sql::Session& s, const std::vector<std::string>& client_ids) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (client_ids.empty()) return out;
  sql::Params ids;
  for (const std::string& id : client_ids) ids.push_back(id);
  auto rows = s.Query(sql::Statement(kSelectUnitsOfClients, {sql::Placeholders(ids.size())}), ids);
  if (!rows.ok()) return rows.status();
  for (const sql::Row& r : *rows) out.emplace_back(r.Text("id"), r.Text("unit_id"));
  return out;
}

absl::StatusOr<std::vector<std::string>> Clients::ClientsIndexedUnderOtherKey(
    sql::Session& s, absl::string_view key_id, int limit) const {
  auto rows = s.Query(kSelectNikOtherKey, {key_id, limit});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> ids;
  for (const sql::Row& row : *rows) ids.push_back(row.Text("client_id"));
  return ids;
}

absl::StatusOr<Notice> Clients::GetNotice(sql::Session& s, absl::string_view satker_id,
                                          absl::string_view id, absl::string_view name,
                                          bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectNotice, {kNoticeColumns}, for_update ? dialect_.ForUpdate() : ""),
      {satker_id, id}, name);
  if (!row.ok()) return row.status();
  return NoticeFromRow(*row);
}

absl::StatusOr<std::optional<Notice>> Clients::FindOpenNotice(
    sql::Session& s, absl::string_view client_id, absl::string_view requester_satker) const {
  auto rows = s.Query(sql::Statement(kSelectOpenNotice, {kNoticeColumns}, dialect_.ForUpdate()),
                      {client_id, requester_satker});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return NoticeFromRow(rows->front());
}

absl::Status Clients::InsertNotice(sql::Session& s, const Notice& n) const {
  return s
      .Exec(sql::Statement(kInsertNotice, {kNoticeColumns}),
            {n.id, n.satker_id, n.client_id, n.requester_satker, n.state, sql::Bytes{n.details},
             n.version, n.create_time_us, n.update_time_us})
      .status();
}

absl::Status Clients::UpdateNotice(sql::Session& s, Notice& n) const {
  n.version += 1;
  return s.Exec(kUpdateNotice, {n.state, sql::Bytes{n.details}, n.version, n.update_time_us, n.id})
      .status();
}

absl::StatusOr<std::vector<Notice>> Clients::ListNotices(sql::Session& s,
                                                         absl::string_view satker_id, int state,
                                                         absl::string_view after_id,
                                                         int limit) const {
  sql::Params params = {satker_id, after_id};
  if (state != 0) params.emplace_back(static_cast<int64_t>(state));
  params.emplace_back(static_cast<int64_t>(limit));
  auto rows = s.Query(
      sql::Statement(kSelectNoticesPage, {kNoticeColumns, state != 0 ? " AND state = ?" : ""}),
      params);
  if (!rows.ok()) return rows.status();
  std::vector<Notice> out;
  for (const sql::Row& row : *rows) out.push_back(NoticeFromRow(row));
  return out;
}

std::vector<std::string> ClientTables() {
  return {
      // The pseudonymous client. `open_case` is the case's name while one is open. Consent,
      // its history, withdrawal and voiding are serialized protobuf (`details`).
      "CREATE TABLE IF NOT EXISTS clients (id VARCHAR(40) PRIMARY KEY, "
      "unit_id VARCHAR(40) NOT NULL, satker_id VARCHAR(40) NOT NULL, "
      "village_code VARCHAR(13) NOT NULL, sex INT NOT NULL, birth_year INT, "
      "home_village VARCHAR(13) NOT NULL, admission_path INT NOT NULL, "
      "legal_basis INT NOT NULL, state INT NOT NULL, legal_order_kind INT NOT NULL, "
      "has_identity INT NOT NULL, has_nik INT NOT NULL, nik_review_pending INT NOT NULL, "
      "duplicate_of VARCHAR(40) NOT NULL, open_case VARCHAR(200) NOT NULL, "
      "details {LONGBLOB} NOT NULL, create_actor VARCHAR(200) NOT NULL, "
      "version BIGINT NOT NULL, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) "
      "{TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS clients_by_unit ON clients (unit_id, id)",
      "CREATE INDEX IF NOT EXISTS clients_by_village ON clients (village_code, id)",
      // Every unit where a client has (had) a case or was served: a satker keeps reading
      // its own past clients after a transfer (docs/api.md, Scope).
      "CREATE TABLE IF NOT EXISTS client_units (client_id VARCHAR(40) NOT NULL, "
      "unit_id VARCHAR(40) NOT NULL, PRIMARY KEY (client_id, unit_id)) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS client_units_by_unit ON client_units (unit_id, client_id)",
      // The identity: one sealed value (the ClientIdentity message, bound to the client's
      // name). Erasure empties it and keeps the row with erase_time.
      "CREATE TABLE IF NOT EXISTS client_identities (client_id VARCHAR(40) PRIMARY KEY, "
      "sealed {LONGTEXT} NOT NULL, erased INT NOT NULL, erase_time BIGINT NOT NULL, "
      "version BIGINT NOT NULL, update_time BIGINT NOT NULL) {TABLE_OPTIONS}",
      // The keyed NIK index: HMAC under the NIK-index key (key_id), never the NIK.
      "CREATE TABLE IF NOT EXISTS nik_index (nik_hmac VARCHAR(64) NOT NULL, "
      "client_id VARCHAR(40) NOT NULL, key_id VARCHAR(40) NOT NULL, "
      "PRIMARY KEY (nik_hmac, client_id)) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS nik_index_by_client ON nik_index (client_id)",
      // Notices to a holding satker that someone outside its scope looked up or entered the
      // NIK of its client. `details` is the serialized NikMatchNotice (justification sealed).
      "CREATE TABLE IF NOT EXISTS nik_match_notices (id VARCHAR(40) PRIMARY KEY, "
      "satker_id VARCHAR(40) NOT NULL, client_id VARCHAR(40) NOT NULL, "
      "requester_satker VARCHAR(40) NOT NULL, state INT NOT NULL, "
      "details {LONGBLOB} NOT NULL, version BIGINT NOT NULL, create_time BIGINT NOT NULL, "
      "update_time BIGINT NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS nik_match_notices_by_satker ON nik_match_notices "
      "(satker_id, state, id)",
  };
}

}  // namespace ibm::cases::store
