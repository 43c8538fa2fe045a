#include "registry/store/satkers.h"

#include "absl/strings/str_cat.h"

namespace ibm::registry::store {
namespace {

constexpr char kSatkerColumns[] =
    "id, kind, region_code, parent_id, display_name, address, phone, version, create_time, "
    "update_time";
constexpr char kSelectSatker[] = "SELECT %s FROM satkers WHERE id = ?";
// ListSatkers: the page query is kSelectSatkersAfter, the filters asked, then kOrderByIdLimit.
constexpr char kSelectSatkersAfter[] = "SELECT %s FROM satkers WHERE id > ?";
constexpr char kAndParent[] = " AND parent_id = ?";
constexpr char kAndNotCentral[] = " AND id <> 'bnn'";
constexpr char kAndIdInRange[] = " AND id >= ? AND id < ?";
constexpr char kAndNone[] = " AND 1 = 0";
constexpr char kAndKind[] = " AND kind = ?";
constexpr char kOrderByIdLimit[] = " ORDER BY id LIMIT ?";
constexpr char kSelectSatkerExists[] = "SELECT 1 AS found FROM satkers WHERE id = ?";
constexpr char kInsertSatker[] =
    "INSERT INTO satkers (id, kind, region_code, parent_id, display_name, address, phone, "
    "version, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateSatker[] =
    "UPDATE satkers SET display_name = ?, address = ?, phone = ?, version = ?, update_time = ? "
    "WHERE id = ?";
constexpr char kSelectCentralAndKind[] = "SELECT id FROM satkers WHERE id = 'bnn' OR kind = ?";
constexpr char kSelectCurrentRegionName[] =
    "SELECT name FROM regions WHERE code = ? AND retired_in IS NULL";
constexpr char kSelectCurrentProvinces[] =
    "SELECT code, name FROM regions WHERE level = 1 AND retired_in IS NULL";

Satker FromRow(const sql::Row& row) {
  Satker s;
  s.id = row.Text("id");
  s.kind = static_cast<int>(row.Int("kind"));
  s.region_code = row.OptText("region_code");
  s.parent_id = row.OptText("parent_id");
  s.display_name = row.Text("display_name");
  s.address = row.Text("address");
  s.phone = row.Text("phone");
  s.version = row.Int("version");
  s.create_time_us = row.Int("create_time");
  s.update_time_us = row.Int("update_time");
  return s;
}

}  // namespace

absl::StatusOr<Satker> Satkers::Get(sql::Session& s, absl::string_view id, absl::string_view name,
                                    bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectSatker, {kSatkerColumns}, for_update ? dialect_.ForUpdate() : ""), {id},
      name);
  if (!row.ok()) return row.status();
  return FromRow(*row);
}

absl::StatusOr<std::vector<Satker>> Satkers::List(sql::Session& s, const SatkerQuery& q) const {
  std::string statement = sql::Statement(kSelectSatkersAfter, {kSatkerColumns});
  sql::Params params = {q.after_id};
  if (!q.parent_id.empty()) {
    statement += kAndParent;
    params.emplace_back(q.parent_id);
  }
  if (q.all_but_central) statement += kAndNotCentral;
  if (!q.id_to.empty()) {
    statement += kAndIdInRange;
    params.emplace_back(q.id_from);
    params.emplace_back(q.id_to);
  }
  if (q.none) statement += kAndNone;
  if (q.kind != 0) {
    statement += kAndKind;
    params.emplace_back(q.kind);
  }
  statement += kOrderByIdLimit;
  params.emplace_back(q.limit);
  auto rows = s.Query(statement, params);
  if (!rows.ok()) return rows.status();
  std::vector<Satker> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(FromRow(row));
  return out;
}

absl::StatusOr<bool> Satkers::Exists(sql::Session& s, absl::string_view id) const {
  auto rows = s.Query(kSelectSatkerExists, {id});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

absl::Status Satkers::Insert(sql::Session& s, const Satker& satker) const {
  return s
      .Exec(kInsertSatker, {satker.id, satker.kind, satker.region_code, satker.parent_id,
                            satker.display_name, satker.address, satker.phone, satker.version,
                            satker.create_time_us, satker.update_time_us})
      .status();
}

absl::Status Satkers::Update(sql::Session& s, Satker& satker) const {
  satker.version += 1;
  return s
      .Exec(kUpdateSatker, {satker.display_name, satker.address, satker.phone, satker.version,
                            satker.update_time_us, satker.id})
      .status();
}

absl::StatusOr<std::set<std::string>> Satkers::CentralAndKind(sql::Session& s, int kind) const {
  auto rows = s.Query(kSelectCentralAndKind, {kind});
  if (!rows.ok()) return rows.status();
  std::set<std::string> ids;
  for (const sql::Row& row : *rows) ids.insert(row.Text("id"));
  return ids;
}

absl::StatusOr<std::optional<std::string>> Satkers::CurrentRegionName(
    sql::Session& s, absl::string_view code) const {
  auto rows = s.Query(kSelectCurrentRegionName, {code});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return rows->front().Text("name");
}

absl::StatusOr<std::vector<Province>> Satkers::CurrentProvinces(sql::Session& s) const {
  auto rows = s.Query(kSelectCurrentProvinces);
  if (!rows.ok()) return rows.status();
  std::vector<Province> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back({row.Text("code"), row.Text("name")});
  return out;
}

}  // namespace ibm::registry::store
