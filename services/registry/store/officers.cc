#include "registry/store/officers.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace ibm::registry::store {
namespace {

constexpr char kOfficerColumns[] =
    "id, satker_id, display_name, nip, position, active, version, create_time, update_time";
constexpr char kSelectOfficer[] = "SELECT %s FROM officers WHERE satker_id = ? AND id = ?";
constexpr char kSelectOfficersOfSatker[] =
    "SELECT %s FROM officers WHERE satker_id = ? AND id > ? ORDER BY id LIMIT ?";
constexpr char kSelectUnitsOfOfficers[] =
    "SELECT officer_id, unit_id FROM officer_units WHERE officer_id IN (%s) "
    "ORDER BY officer_id, unit_id";
constexpr char kInsertOfficer[] =
    "INSERT INTO officers (id, satker_id, display_name, nip, position, active, version, "
    "create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateOfficer[] =
    "UPDATE officers SET display_name = ?, nip = ?, position = ?, active = ?, version = ?, "
    "update_time = ? WHERE id = ?";
constexpr char kDeleteUnitsOfOfficer[] = "DELETE FROM officer_units WHERE officer_id = ?";
constexpr char kInsertOfficerUnits[] = "INSERT INTO officer_units (officer_id, unit_id)";
constexpr char kSelectFosteringSatker[] = "SELECT satker_id FROM units WHERE id = ?";
constexpr char kSelectSatker[] = "SELECT 1 FROM satkers WHERE id = ?";

Officer FromRow(const sql::Row& row) {
  Officer o;
  o.id = row.Text("id");
  o.satker_id = row.Text("satker_id");
  o.display_name = row.Text("display_name");
  o.nip = row.Text("nip");
  o.position = row.Text("position");
  o.active = row.Bool("active");
  o.version = row.Int("version");
  o.create_time_us = row.Int("create_time");
  o.update_time_us = row.Int("update_time");
  return o;
}

}  // namespace

absl::StatusOr<Officer> Officers::Get(sql::Session& s, absl::string_view satker_id,
                                      absl::string_view id, absl::string_view name,
                                      bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectOfficer, {kOfficerColumns}, for_update ? dialect_.ForUpdate() : ""),
      {satker_id, id}, name);
  if (!row.ok()) return row.status();
  std::vector<Officer> one = {FromRow(*row)};
  if (auto st = LoadUnits(s, one); !st.ok()) return st;
  return std::move(one.front());
}

absl::StatusOr<std::vector<Officer>> Officers::List(sql::Session& s, absl::string_view satker_id,
                                                    absl::string_view after_id, int limit) const {
  auto rows = s.Query(sql::Statement(kSelectOfficersOfSatker, {kOfficerColumns}),
                      {satker_id, after_id, limit});
  if (!rows.ok()) return rows.status();
  std::vector<Officer> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(FromRow(row));
  if (auto st = LoadUnits(s, out); !st.ok()) return st;
  return out;
}

absl::Status Officers::LoadUnits(sql::Session& s, std::vector<Officer>& officers) const {
  if (officers.empty()) return absl::OkStatus();
  sql::Params ids;
  std::map<std::string, Officer*> by_id;
  for (Officer& o : officers) {
    ids.push_back(o.id);
    by_id[o.id] = &o;
  }
  auto rows = s.Query(sql::Statement(kSelectUnitsOfOfficers, {sql::Placeholders(ids.size())}), ids);
  if (!rows.ok()) return rows.status();
  for (const sql::Row& row : *rows) {
    auto it = by_id.find(row.Text("officer_id"));
    if (it != by_id.end()) it->second->unit_ids.push_back(row.Text("unit_id"));
  }
  return absl::OkStatus();
}

absl::Status Officers::Insert(sql::Session& s, const Officer& o) const {
  auto r = s.Exec(kInsertOfficer, {o.id, o.satker_id, o.display_name, o.nip, o.position, o.active,
                                   o.version, o.create_time_us, o.update_time_us});
  if (!r.ok()) return r.status();
  return ReplaceUnits(s, o);
}

absl::Status Officers::Update(sql::Session& s, Officer& o) const {
  o.version += 1;
  auto r = s.Exec(kUpdateOfficer,
                  {o.display_name, o.nip, o.position, o.active, o.version, o.update_time_us, o.id});
  if (!r.ok()) return r.status();
  return ReplaceUnits(s, o);
}

absl::Status Officers::ReplaceUnits(sql::Session& s, const Officer& o) const {
  if (auto r = s.Exec(kDeleteUnitsOfOfficer, {o.id}); !r.ok()) return r.status();
  sql::Params values;
  for (const auto& unit : o.unit_ids) values.insert(values.end(), {o.id, unit});
  return s.InsertRows(kInsertOfficerUnits, 2, values);
}

absl::StatusOr<std::optional<std::string>> Officers::FosteringSatker(
    sql::Session& s, absl::string_view unit_id) const {
  auto rows = s.Query(kSelectFosteringSatker, {unit_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return rows->front().Text("satker_id");
}

absl::StatusOr<bool> Officers::SatkerExists(sql::Session& s, absl::string_view satker_id) const {
  auto rows = s.Query(kSelectSatker, {satker_id});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

}  // namespace ibm::registry::store
