#include "registry/store/units.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ibm::registry::store {

std::vector<int32_t> SortedYears(absl::Span<const int32_t> years) {
  const std::set<int32_t> sorted(years.begin(), years.end());
  return std::vector<int32_t>(sorted.begin(), sorted.end());
}

std::string FiscalYearsText(absl::Span<const int32_t> years) {
  return absl::StrJoin(SortedYears(years), ",");
}

std::vector<int32_t> ParseFiscalYearsText(absl::string_view text) {
  std::vector<int32_t> years;
  for (absl::string_view y : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int32_t year = 0;
    if (absl::SimpleAtoi(y, &year)) years.push_back(year);
  }
  return years;
}

namespace {

constexpr char kUnitColumns[] =
    "id, village_code, satker_id, status, inactive_reason, formation_date, fiscal_years, "
    "desa_bersinar, high_risk, version, create_time, update_time";
constexpr char kSelectUnit[] = "SELECT %s FROM units WHERE id = ?";
// ListUnits: the page query is kSelectUnitsAfter, the filters asked, then kOrderByIdLimit.
constexpr char kSelectUnitsAfter[] = "SELECT %s FROM units WHERE id > ?";
constexpr char kAndIdInRange[] = " AND id >= ? AND id < ?";
constexpr char kAndSatker[] = " AND satker_id = ?";
constexpr char kAndStatus[] = " AND status = ?";
constexpr char kOrderByIdLimit[] = " ORDER BY id LIMIT ?";
constexpr char kInsertUnit[] =
    "INSERT INTO units (id, village_code, open_village, satker_id, status, inactive_reason, "
    "formation_date, fiscal_years, desa_bersinar, high_risk, version, create_time, "
    "update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateUnit[] =
    "UPDATE units SET formation_date = ?, fiscal_years = ?, desa_bersinar = ?, high_risk = ?, "
    "version = ?, update_time = ? WHERE id = ?";
constexpr char kUpdateUnitStatus[] =
    "UPDATE units SET status = ?, inactive_reason = ?, version = ?, update_time = ? WHERE id = ?";
constexpr char kUpdateUnitStatusClosing[] =
    "UPDATE units SET status = ?, inactive_reason = ?, open_village = NULL, version = ?, "
    "update_time = ? WHERE id = ?";
constexpr char kSelectVillage[] = "SELECT retired_in FROM regions WHERE code = ?";
constexpr char kSelectExistingSatkers[] = "SELECT id FROM satkers WHERE id IN (?, ?) ORDER BY id";
constexpr char kSelectOpenUnit[] = "SELECT id FROM units WHERE open_village = ?";
constexpr char kCountUnitsOfVillage[] = "SELECT COUNT(*) AS n FROM units WHERE village_code = ?";

Unit FromRow(const sql::Row& row) {
  Unit u;
  u.id = row.Text("id");
  u.village_code = row.Text("village_code");
  u.satker_id = row.Text("satker_id");
  u.status = static_cast<int>(row.Int("status"));
  u.inactive_reason = row.Text("inactive_reason");
  u.formation_date = row.Text("formation_date");
  u.fiscal_years = ParseFiscalYearsText(row.Text("fiscal_years"));
  u.desa_bersinar = row.Bool("desa_bersinar");
  u.high_risk = row.Bool("high_risk");
  u.version = row.Int("version");
  u.create_time_us = row.Int("create_time");
  u.update_time_us = row.Int("update_time");
  return u;
}

}  // namespace

absl::StatusOr<Unit> Units::Get(sql::Session& s, absl::string_view id, absl::string_view name,
                                bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectUnit, {kUnitColumns}, for_update ? dialect_.ForUpdate() : ""), {id},
      name);
  if (!row.ok()) return row.status();
  return FromRow(*row);
}

absl::StatusOr<std::vector<Unit>> Units::List(sql::Session& s, const UnitQuery& q) const {
  std::string statement = sql::Statement(kSelectUnitsAfter, {kUnitColumns});
  sql::Params params = {q.after_id};
  if (!q.id_to.empty()) {
    statement += kAndIdInRange;
    params.emplace_back(q.id_from);
    params.emplace_back(q.id_to);
  }
  if (!q.satker_id.empty()) {
    statement += kAndSatker;
    params.emplace_back(q.satker_id);
  }
  if (q.status != 0) {
    statement += kAndStatus;
    params.emplace_back(q.status);
  }
  statement += kOrderByIdLimit;
  params.emplace_back(q.limit);
  auto rows = s.Query(statement, params);
  if (!rows.ok()) return rows.status();
  std::vector<Unit> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(FromRow(row));
  return out;
}

absl::Status Units::Insert(sql::Session& s, Unit& u) const {
  u.fiscal_years = SortedYears(u.fiscal_years);
  return s
      .Exec(kInsertUnit,
            {u.id, u.village_code, u.village_code, u.satker_id, u.status, u.inactive_reason,
             u.formation_date, FiscalYearsText(u.fiscal_years), u.desa_bersinar, u.high_risk,
             u.version, u.create_time_us, u.update_time_us})
      .status();
}

absl::Status Units::Update(sql::Session& s, Unit& u) const {
  u.version += 1;
  u.fiscal_years = SortedYears(u.fiscal_years);
  return s
      .Exec(kUpdateUnit, {u.formation_date, FiscalYearsText(u.fiscal_years), u.desa_bersinar,
                          u.high_risk, u.version, u.update_time_us, u.id})
      .status();
}

absl::Status Units::UpdateStatus(sql::Session& s, Unit& u, bool closes) const {
  u.version += 1;
  return s
      .Exec(closes ? kUpdateUnitStatusClosing : kUpdateUnitStatus,
            {u.status, u.inactive_reason, u.version, u.update_time_us, u.id})
      .status();
}

absl::StatusOr<VillageState> Units::Village(sql::Session& s, absl::string_view code) const {
  auto rows = s.Query(kSelectVillage, {code});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return VillageState{};
  return VillageState{true, !rows->front().IsNull("retired_in")};
}

absl::StatusOr<std::vector<std::string>> Units::ExistingSatkers(sql::Session& s,
                                                                absl::string_view a,
                                                                absl::string_view b) const {
  auto rows = s.Query(kSelectExistingSatkers, {a, b});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> ids;
  for (const sql::Row& row : *rows) ids.push_back(row.Text("id"));
  return ids;
}

absl::StatusOr<std::optional<std::string>> Units::OpenUnitIn(sql::Session& s,
                                                             absl::string_view village_code) const {
  auto rows = s.Query(absl::StrCat(kSelectOpenUnit, dialect_.ForUpdate()), {village_code});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return rows->front().Text("id");
}

absl::StatusOr<int64_t> Units::CountInVillage(sql::Session& s,
                                              absl::string_view village_code) const {
  auto rows = s.Query(kCountUnitsOfVillage, {village_code});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return 0;
  return rows->front().Int("n");
}

}  // namespace ibm::registry::store
