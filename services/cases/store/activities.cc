#include "cases/store/activities.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cases/store/tables.h"

namespace ibm::cases::store {
namespace {

constexpr int kRecorded = 1;  // v1::RECORD_STATE_RECORDED

// ---- Unit activities.

constexpr char kUnitActivityColumns[] =
    "id, unit_id, village_code, satker_id, kind, activity_date, fiscal_year, funding_sources, "
    "state, details, create_actor, version, create_time, update_time";
constexpr char kSelectUnitActivity[] =
    "SELECT %s FROM unit_activities WHERE unit_id = ? AND id = ?";
constexpr char kInsertUnitActivity[] =
    "INSERT INTO unit_activities (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateUnitActivity[] =
    "UPDATE unit_activities SET activity_date = ?, fiscal_year = ?, funding_sources = ?, "
    "state = ?, details = ?, version = ?, update_time = ? WHERE id = ?";
// The list: the filter's conditions ANDed, then the page position; newest activity first,
// then by name (unit, id).
constexpr char kListUnitActivities[] =
    "SELECT %s FROM unit_activities WHERE %s ORDER BY activity_date DESC, unit_id, id LIMIT ?";
constexpr char kByUnit[] = "unit_id = ?";
constexpr char kByVillage[] = "village_code >= ? AND village_code < ?";
constexpr char kBySatker[] = "satker_id = ?";
constexpr char kByKind[] = "kind = ?";
constexpr char kByFiscalYear[] = "fiscal_year = ?";
constexpr char kByFunding[] = "funding_sources LIKE ?";
constexpr char kRecordedOnly[] = "state = ?";
constexpr char kAfterUnitActivity[] =
    "(activity_date < ? OR (activity_date = ? AND (unit_id > ? OR (unit_id = ? AND id > ?))))";

UnitActivity UnitActivityFromRow(const sql::Row& row) {
  UnitActivity a;
  a.id = row.Text("id");
  a.unit_id = row.Text("unit_id");
  a.village_code = row.Text("village_code");
  a.satker_id = row.Text("satker_id");
  a.kind = static_cast<int>(row.Int("kind"));
  a.activity_date = row.Text("activity_date");
  a.fiscal_year = static_cast<int>(row.Int("fiscal_year"));
  a.funding_sources = row.Text("funding_sources");
  a.state = static_cast<int>(row.Int("state"));
  a.details = row.Blob("details");
  a.create_actor = row.Text("create_actor");
  a.version = row.Int("version");
  a.create_time_us = row.Int("create_time");
  a.update_time_us = row.Int("update_time");
  return a;
}

// ---- Satker activities.

constexpr char kSatkerActivityColumns[] =
    "id, satker_id, region_code, kind, activity_date, state, details, create_actor, version, "
    "create_time, update_time";
constexpr char kSelectSatkerActivity[] =
    "SELECT %s FROM satker_activities WHERE satker_id = ? AND id = ?";
constexpr char kInsertSatkerActivity[] =
    "INSERT INTO satker_activities (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateSatkerActivity[] =
    "UPDATE satker_activities SET activity_date = ?, state = ?, details = ?, version = ?, "
    "update_time = ? WHERE id = ?";
constexpr char kSelectActivityUnits[] =
    "SELECT unit_id FROM satker_activity_units WHERE activity_id = ? ORDER BY position";
constexpr char kDeleteActivityUnits[] = "DELETE FROM satker_activity_units WHERE activity_id = ?";
constexpr char kInsertActivityUnits[] =
    "INSERT INTO satker_activity_units (activity_id, position, unit_id)";
constexpr char kListSatkerActivities[] =
    "SELECT %s FROM satker_activities WHERE %s ORDER BY activity_date DESC, satker_id, id "
    "LIMIT ?";
constexpr char kBySatkerId[] = "satker_id = ?";
constexpr char kByRegion[] = "region_code >= ? AND region_code < ?";
constexpr char kNamingUnit[] =
    "id IN (SELECT activity_id FROM satker_activity_units WHERE unit_id = ?)";
constexpr char kFromDate[] = "activity_date >= ?";
constexpr char kToDate[] = "activity_date <= ?";
constexpr char kAfterSatkerActivity[] =
    "(activity_date < ? OR (activity_date = ? AND (satker_id > ? OR (satker_id = ? AND "
    "id > ?))))";

SatkerActivity SatkerActivityFromRow(const sql::Row& row) {
  SatkerActivity a;
  a.id = row.Text("id");
  a.satker_id = row.Text("satker_id");
  a.region_code = row.Text("region_code");
  a.kind = static_cast<int>(row.Int("kind"));
  a.activity_date = row.Text("activity_date");
  a.state = static_cast<int>(row.Int("state"));
  a.details = row.Blob("details");
  a.create_actor = row.Text("create_actor");
  a.version = row.Int("version");
  a.create_time_us = row.Int("create_time");
  a.update_time_us = row.Int("update_time");
  return a;
}

// ---- Tallies.

constexpr char kTallyColumns[] =
    "id, unit_id, village_code, satker_id, period_start, period_end, reports_received, state, "
    "details, create_actor, version, create_time, update_time";
constexpr char kSelectTally[] =
    "SELECT %s FROM community_report_tallies WHERE unit_id = ? AND id = ?";
constexpr char kInsertTally[] =
    "INSERT INTO community_report_tallies (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateTally[] =
    "UPDATE community_report_tallies SET period_start = ?, period_end = ?, "
    "reports_received = ?, state = ?, details = ?, version = ?, update_time = ? WHERE id = ?";
constexpr char kListTallies[] =
    "SELECT %s FROM community_report_tallies WHERE %s ORDER BY period_end DESC, unit_id, id "
    "LIMIT ?";
constexpr char kEndFrom[] = "period_end >= ?";
constexpr char kEndTo[] = "period_end <= ?";
constexpr char kAfterTally[] =
    "(period_end < ? OR (period_end = ? AND (unit_id > ? OR (unit_id = ? AND id > ?))))";
// Two periods overlap when each starts on or before the other ends.
constexpr char kOverlapping[] =
    "SELECT id FROM community_report_tallies WHERE unit_id = ? AND state = ? AND "
    "period_start <= ? AND period_end >= ? AND id <> ? ORDER BY period_start, id LIMIT 1";

Tally TallyFromRow(const sql::Row& row) {
  Tally t;
  t.id = row.Text("id");
  t.unit_id = row.Text("unit_id");
  t.village_code = row.Text("village_code");
  t.satker_id = row.Text("satker_id");
  t.period_start = row.Text("period_start");
  t.period_end = row.Text("period_end");
  t.reports_received = row.Int("reports_received");
  t.state = static_cast<int>(row.Int("state"));
  t.details = row.Blob("details");
  t.create_actor = row.Text("create_actor");
  t.version = row.Int("version");
  t.create_time_us = row.Int("create_time");
  t.update_time_us = row.Int("update_time");
  return t;
}

// The conditions shared by the unit-keyed lists (activities, tallies).
void UnitConditions(std::vector<absl::string_view>& where, sql::Params& params,
                    const std::string& unit_id, const std::string& village_from,
                    const std::string& village_to, const std::string& scope_from,
                    const std::string& scope_to, const std::string& satker_id) {
  if (!unit_id.empty()) {
    where.push_back(kByUnit);
    params.push_back(unit_id);
  }
  if (!village_from.empty()) {
    where.push_back(kByVillage);
    params.push_back(village_from);
    params.push_back(village_to);
  }
  if (!scope_from.empty()) {
    where.push_back(kByVillage);
    params.push_back(scope_from);
    params.push_back(scope_to);
  }
  if (!satker_id.empty()) {
    where.push_back(kBySatker);
    params.push_back(satker_id);
  }
}

std::string Conditions(const std::vector<absl::string_view>& where) {
  return where.empty() ? "1 = 1" : absl::StrJoin(where, " AND ");
}

}  // namespace

std::string JoinCodes(const std::vector<int>& codes) {
  return codes.empty() ? "" : absl::StrCat(",", absl::StrJoin(codes, ","), ",");
}

// ---- Unit activities.

absl::StatusOr<UnitActivity> UnitActivities::Get(sql::Session& s, absl::string_view unit_id,
                                                 absl::string_view id, absl::string_view name,
                                                 bool for_update) const {
  auto row = s.QueryOne(sql::Statement(kSelectUnitActivity, {kUnitActivityColumns},
                                       for_update ? dialect_.ForUpdate() : ""),
                        {unit_id, id}, name);
  if (!row.ok()) return row.status();
  return UnitActivityFromRow(*row);
}

absl::Status UnitActivities::Insert(sql::Session& s, const UnitActivity& a) const {
  return s
      .Exec(sql::Statement(kInsertUnitActivity, {kUnitActivityColumns}),
            {a.id, a.unit_id, a.village_code, a.satker_id, a.kind, a.activity_date, a.fiscal_year,
             a.funding_sources, a.state, sql::Bytes{a.details}, a.create_actor, a.version,
             a.create_time_us, a.update_time_us})
      .status();
}

absl::Status UnitActivities::Update(sql::Session& s, UnitActivity& a) const {
  a.version += 1;
  return s
      .Exec(kUpdateUnitActivity, {a.activity_date, a.fiscal_year, a.funding_sources, a.state,
                                  sql::Bytes{a.details}, a.version, a.update_time_us, a.id})
      .status();
}

absl::StatusOr<std::vector<UnitActivity>> UnitActivities::List(
    sql::Session& s, const UnitActivityFilter& f, const std::optional<UnitActivityPosition>& after,
    int limit) const {
  std::vector<absl::string_view> where;
  sql::Params params;
  UnitConditions(where, params, f.unit_id, f.village_from, f.village_to, f.scope_from, f.scope_to,
                 f.satker_id);
  if (f.kind != 0) {
    where.push_back(kByKind);
    params.push_back(f.kind);
  }
  if (f.fiscal_year != 0) {
    where.push_back(kByFiscalYear);
    params.push_back(f.fiscal_year);
  }
  if (f.funding_source != 0) {
    where.push_back(kByFunding);
    params.push_back(absl::StrCat("%,", f.funding_source, ",%"));
  }
  if (!f.show_voided) {
    where.push_back(kRecordedOnly);
    params.push_back(kRecorded);
  }
  if (after) {
    where.push_back(kAfterUnitActivity);
    params.insert(params.end(), {after->activity_date, after->activity_date, after->unit_id,
                                 after->unit_id, after->id});
  }
  params.push_back(limit);
  auto rows = s.Query(
      sql::Statement(kListUnitActivities, {kUnitActivityColumns, Conditions(where)}), params);
  if (!rows.ok()) return rows.status();
  std::vector<UnitActivity> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(UnitActivityFromRow(row));
  return out;
}

// ---- Satker activities.

absl::StatusOr<std::vector<std::string>> SatkerActivities::Units(sql::Session& s,
                                                                 absl::string_view id) const {
  auto rows = s.Query(kSelectActivityUnits, {id});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const sql::Row& row : *rows) out.push_back(row.Text("unit_id"));
  return out;
}

absl::Status SatkerActivities::WriteUnits(sql::Session& s, const SatkerActivity& a) const {
  auto deleted = s.Exec(kDeleteActivityUnits, {a.id});
  if (!deleted.ok()) return deleted.status();
  if (a.unit_ids.empty()) return absl::OkStatus();
  sql::Params values;
  for (size_t i = 0; i < a.unit_ids.size(); ++i) {
    values.insert(values.end(), {a.id, static_cast<int64_t>(i), a.unit_ids[i]});
  }
  return s.InsertRows(kInsertActivityUnits, 3, values);
}

absl::StatusOr<SatkerActivity> SatkerActivities::Get(sql::Session& s, absl::string_view satker_id,
                                                     absl::string_view id, absl::string_view name,
                                                     bool for_update) const {
  auto row = s.QueryOne(sql::Statement(kSelectSatkerActivity, {kSatkerActivityColumns},
                                       for_update ? dialect_.ForUpdate() : ""),
                        {satker_id, id}, name);
  if (!row.ok()) return row.status();
  SatkerActivity a = SatkerActivityFromRow(*row);
  auto units = Units(s, a.id);
  if (!units.ok()) return units.status();
  a.unit_ids = *std::move(units);
  return a;
}

absl::Status SatkerActivities::Insert(sql::Session& s, const SatkerActivity& a) const {
  auto inserted = s.Exec(
      sql::Statement(kInsertSatkerActivity, {kSatkerActivityColumns}),
      {a.id, a.satker_id, a.region_code, a.kind, a.activity_date, a.state, sql::Bytes{a.details},
       a.create_actor, a.version, a.create_time_us, a.update_time_us});
  if (!inserted.ok()) return inserted.status();
  return WriteUnits(s, a);
}

absl::Status SatkerActivities::Update(sql::Session& s, SatkerActivity& a) const {
  a.version += 1;
  auto updated = s.Exec(kUpdateSatkerActivity, {a.activity_date, a.state, sql::Bytes{a.details},
                                                a.version, a.update_time_us, a.id});
  if (!updated.ok()) return updated.status();
  return WriteUnits(s, a);
}

absl::StatusOr<std::vector<SatkerActivity>> SatkerActivities::List(
    sql::Session& s, const SatkerActivityFilter& f,
    const std::optional<SatkerActivityPosition>& after, int limit) const {
  std::vector<absl::string_view> where;
  sql::Params params;
  if (!f.satker_id.empty()) {
    where.push_back(kBySatkerId);
    params.push_back(f.satker_id);
  }
  if (!f.region_from.empty()) {
    where.push_back(kByRegion);
    params.push_back(f.region_from);
    params.push_back(f.region_to);
  }
  if (!f.scope_from.empty()) {
    where.push_back(kByRegion);
    params.push_back(f.scope_from);
    params.push_back(f.scope_to);
  }
  if (!f.unit_id.empty()) {
    where.push_back(kNamingUnit);
    params.push_back(f.unit_id);
  }
  if (f.kind != 0) {
    where.push_back(kByKind);
    params.push_back(f.kind);
  }
  if (!f.start_date.empty()) {
    where.push_back(kFromDate);
    params.push_back(f.start_date);
  }
  if (!f.end_date.empty()) {
    where.push_back(kToDate);
    params.push_back(f.end_date);
  }
  if (!f.show_voided) {
    where.push_back(kRecordedOnly);
    params.push_back(kRecorded);
  }
  if (after) {
    where.push_back(kAfterSatkerActivity);
    params.insert(params.end(), {after->activity_date, after->activity_date, after->satker_id,
                                 after->satker_id, after->id});
  }
  params.push_back(limit);
  auto rows = s.Query(
      sql::Statement(kListSatkerActivities, {kSatkerActivityColumns, Conditions(where)}), params);
  if (!rows.ok()) return rows.status();
  std::vector<SatkerActivity> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) {
    SatkerActivity a = SatkerActivityFromRow(row);
    auto units = Units(s, a.id);
    if (!units.ok()) return units.status();
    a.unit_ids = *std::move(units);
    out.push_back(std::move(a));
  }
  return out;
}

// ---- Tallies.

absl::StatusOr<Tally> Tallies::Get(sql::Session& s, absl::string_view unit_id, absl::string_view id,
                                   absl::string_view name, bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectTally, {kTallyColumns}, for_update ? dialect_.ForUpdate() : ""),
      {unit_id, id}, name);
  if (!row.ok()) return row.status();
  return TallyFromRow(*row);
}

absl::Status Tallies::Insert(sql::Session& s, const Tally& t) const {
  return s
      .Exec(sql::Statement(kInsertTally, {kTallyColumns}),
            {t.id, t.unit_id, t.village_code, t.satker_id, t.period_start, t.period_end,
             t.reports_received, t.state, sql::Bytes{t.details}, t.create_actor, t.version,
             t.create_time_us, t.update_time_us})
      .status();
}

absl::Status Tallies::Update(sql::Session& s, Tally& t) const {
  t.version += 1;
  return s
      .Exec(kUpdateTally, {t.period_start, t.period_end, t.reports_received, t.state,
                           sql::Bytes{t.details}, t.version, t.update_time_us, t.id})
      .status();
}

absl::StatusOr<std::vector<Tally>> Tallies::List(sql::Session& s, const TallyFilter& f,
                                                 const std::optional<TallyPosition>& after,
                                                 int limit) const {
  std::vector<absl::string_view> where;
  sql::Params params;
  UnitConditions(where, params, f.unit_id, f.village_from, f.village_to, f.scope_from, f.scope_to,
                 f.satker_id);
  if (!f.end_from.empty()) {
    where.push_back(kEndFrom);
    params.push_back(f.end_from);
  }
  if (!f.end_to.empty()) {
    where.push_back(kEndTo);
    params.push_back(f.end_to);
  }
  if (!f.show_voided) {
    where.push_back(kRecordedOnly);
    params.push_back(kRecorded);
  }
  if (after) {
    where.push_back(kAfterTally);
    params.insert(params.end(), {after->period_end, after->period_end, after->unit_id,
                                 after->unit_id, after->id});
  }
  params.push_back(limit);
  auto rows = s.Query(sql::Statement(kListTallies, {kTallyColumns, Conditions(where)}), params);
  if (!rows.ok()) return rows.status();
  std::vector<Tally> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(TallyFromRow(row));
  return out;
}

absl::StatusOr<std::optional<std::string>> Tallies::Overlapping(sql::Session& s,
                                                                absl::string_view unit_id,
                                                                absl::string_view start,
                                                                absl::string_view end,
                                                                absl::string_view except_id) const {
  auto rows = s.Query(sql::Statement(kOverlapping, {}, dialect_.ForUpdate()),
                      {unit_id, kRecorded, end, start, except_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return rows->front().Text("id");
}

std::vector<std::string> ActivityTables() {
  return {
      // A unit's activities beyond casework. `details` is the serialized UnitActivity
      // (title, summary, attendance counts, the kind's details, voiding): never queried by.
      // The columns are what lists filter and sort on and the unit metrics count
      // (STAKEHOLDER_MEETINGS, KIE_EVENTS, MAPPING_REPORTS: RECORDED ones by kind and date).
      "CREATE TABLE IF NOT EXISTS unit_activities (id VARCHAR(40) PRIMARY KEY, "
      "unit_id VARCHAR(40) NOT NULL, village_code VARCHAR(20) NOT NULL, "
      "satker_id VARCHAR(40) NOT NULL, kind INT NOT NULL, activity_date VARCHAR(10) NOT NULL, "
      "fiscal_year INT NOT NULL, funding_sources VARCHAR(40) NOT NULL, state INT NOT NULL, "
      "details {LONGBLOB} NOT NULL, create_actor VARCHAR(200) NOT NULL, "
      "version BIGINT NOT NULL, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) "
      "{TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS unit_activities_by_unit ON unit_activities "
      "(unit_id, activity_date, id)",
      "CREATE INDEX IF NOT EXISTS unit_activities_by_date ON unit_activities "
      "(activity_date, unit_id, id)",
      // A satker's own program work. `region_code` is the satker's region ("" for BNN
      // central): the scope and region filters compare it.
      "CREATE TABLE IF NOT EXISTS satker_activities (id VARCHAR(40) PRIMARY KEY, "
      "satker_id VARCHAR(40) NOT NULL, region_code VARCHAR(20) NOT NULL, kind INT NOT NULL, "
      "activity_date VARCHAR(10) NOT NULL, state INT NOT NULL, details {LONGBLOB} NOT NULL, "
      "create_actor VARCHAR(200) NOT NULL, version BIGINT NOT NULL, "
      "create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS satker_activities_by_satker ON satker_activities "
      "(satker_id, activity_date, id)",
      "CREATE INDEX IF NOT EXISTS satker_activities_by_date ON satker_activities "
      "(activity_date, satker_id, id)",
      // The units a satker activity names (ListSatkerActivities' `unit` filter), in order.
      "CREATE TABLE IF NOT EXISTS satker_activity_units (activity_id VARCHAR(40) NOT NULL, "
      "position INT NOT NULL, unit_id VARCHAR(40) NOT NULL, "
      "PRIMARY KEY (activity_id, position)) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS satker_activity_units_by_unit ON satker_activity_units "
      "(unit_id, activity_id)",
      // Community report tallies: counts per period, never names. A unit's RECORDED periods
      // do not overlap (checked in the create's and update's transaction on this index).
      "CREATE TABLE IF NOT EXISTS community_report_tallies (id VARCHAR(40) PRIMARY KEY, "
      "unit_id VARCHAR(40) NOT NULL, village_code VARCHAR(20) NOT NULL, "
      "satker_id VARCHAR(40) NOT NULL, period_start VARCHAR(10) NOT NULL, "
      "period_end VARCHAR(10) NOT NULL, reports_received BIGINT NOT NULL, state INT NOT NULL, "
      "details {LONGBLOB} NOT NULL, create_actor VARCHAR(200) NOT NULL, "
      "version BIGINT NOT NULL, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) "
      "{TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS community_report_tallies_by_unit ON community_report_tallies "
      "(unit_id, period_end, id)",
      "CREATE INDEX IF NOT EXISTS community_report_tallies_by_end ON community_report_tallies "
      "(period_end, unit_id, id)",
  };
}

}  // namespace ibm::cases::store
