#include "cases/store/screenings.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cases/store/tables.h"

namespace ibm::cases::store {
namespace {

// ---- Screenings.

constexpr char kScreeningColumns[] =
    "id, client_id, unit_id, screening_date, state, details, create_actor, version, "
    "create_time, update_time";
constexpr char kSelectScreening[] = "SELECT %s FROM screenings WHERE client_id = ? AND id = ?";
constexpr char kInsertScreening[] =
    "INSERT INTO screenings (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateScreening[] =
    "UPDATE screenings SET state = ?, details = ?, version = ?, update_time = ? WHERE id = ?";
// The list: the filter's conditions (each its own constant, joined with AND), then the page
// position, newest first. Every condition binds its own parameters, in this order.
constexpr char kListScreenings[] =
    "SELECT %s FROM screenings WHERE %s ORDER BY screening_date DESC, create_time DESC, "
    "id DESC LIMIT ?";
constexpr char kByClient[] = "client_id = ?";
constexpr char kByUnit[] = "unit_id = ?";
constexpr char kFromDate[] = "screening_date >= ?";
constexpr char kToDate[] = "screening_date <= ?";
constexpr char kRecordedOnly[] = "state = ?";
constexpr char kAfterScreening[] =
    "(screening_date < ? OR (screening_date = ? AND (create_time < ? OR (create_time = ? AND "
    "id < ?))))";
constexpr int kRecorded = 1;  // v1::RECORD_STATE_RECORDED

Screening ScreeningFromRow(const sql::Row& row) {
  Screening r;
  r.id = row.Text("id");
  r.client_id = row.Text("client_id");
  r.unit_id = row.Text("unit_id");
  r.screening_date = row.Text("screening_date");
  r.state = static_cast<int>(row.Int("state"));
  r.details = row.Blob("details");
  r.create_actor = row.Text("create_actor");
  r.version = row.Int("version");
  r.create_time_us = row.Int("create_time");
  r.update_time_us = row.Int("update_time");
  return r;
}

// ---- Routing policies.

constexpr char kPolicyColumns[] =
    "id, display_name, source, low_risk, moderate_risk, high_risk, recent_injecting, "
    "counted_substances, state, create_actor, version, create_time, activate_time, "
    "retire_time";
constexpr char kSelectPolicy[] = "SELECT %s FROM routing_policies WHERE id = ?";
// `active_slot` is 1 on the ACTIVE row and NULL on every other: its unique index admits one.
constexpr char kSelectActivePolicy[] = "SELECT %s FROM routing_policies WHERE active_slot = 1";
constexpr char kInsertPolicy[] =
    "%s INTO routing_policies (%s, active_slot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?)";
constexpr char kUpdatePolicyState[] =
    "UPDATE routing_policies SET state = ?, active_slot = ?, version = ?, activate_time = ?, "
    "retire_time = ? WHERE id = ?";
constexpr char kAnyPolicy[] = "SELECT id FROM routing_policies LIMIT 1";
constexpr char kListPolicies[] =
    "SELECT %s FROM routing_policies %s ORDER BY create_time DESC, id DESC LIMIT ?";
constexpr char kAfterPolicy[] = "WHERE create_time < ? OR (create_time = ? AND id < ?)";

// Counted substances as stored: their numbers, comma-separated ("2,3,4").
std::string JoinSubstances(const std::vector<int>& substances) {
  return absl::StrJoin(substances, ",");
}
std::vector<int> SplitSubstances(absl::string_view text) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int n = 0;
    if (absl::SimpleAtoi(part, &n)) out.push_back(n);
  }
  return out;
}

RoutingPolicy PolicyFromRow(const sql::Row& row) {
  RoutingPolicy p;
  p.id = row.Text("id");
  p.display_name = row.Text("display_name");
  p.source = row.Text("source");
  p.low_risk = static_cast<int>(row.Int("low_risk"));
  p.moderate_risk = static_cast<int>(row.Int("moderate_risk"));
  p.high_risk = static_cast<int>(row.Int("high_risk"));
  p.recent_injecting = static_cast<int>(row.Int("recent_injecting"));
  p.counted_substances = SplitSubstances(row.Text("counted_substances"));
  p.state = static_cast<int>(row.Int("state"));
  p.create_actor = row.Text("create_actor");
  p.version = row.Int("version");
  p.create_time_us = row.Int("create_time");
  p.activate_time_us = row.Int("activate_time");
  p.retire_time_us = row.Int("retire_time");
  return p;
}

sql::Value ActiveSlot(const RoutingPolicy& p) {
  return p.state == RoutingPolicies::kActive ? sql::Value(1) : sql::Value(std::nullopt);
}

sql::Params PolicyParams(const RoutingPolicy& p) {
  return {p.id,
          p.display_name,
          p.source,
          p.low_risk,
          p.moderate_risk,
          p.high_risk,
          p.recent_injecting,
          JoinSubstances(p.counted_substances),
          p.state,
          p.create_actor,
          p.version,
          p.create_time_us,
          p.activate_time_us,
          p.retire_time_us,
          ActiveSlot(p)};
}

}  // namespace

absl::StatusOr<Screening> Screenings::Get(sql::Session& s, absl::string_view client_id,
                                          absl::string_view id, absl::string_view name,
                                          bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectScreening, {kScreeningColumns}, for_update ? dialect_.ForUpdate() : ""),
      {client_id, id}, name);
  if (!row.ok()) return row.status();
  return ScreeningFromRow(*row);
}

absl::Status Screenings::Insert(sql::Session& s, const Screening& r) const {
  return s
      .Exec(sql::Statement(kInsertScreening, {kScreeningColumns}),
            {r.id, r.client_id, r.unit_id, r.screening_date, r.state, sql::Bytes{r.details},
             r.create_actor, r.version, r.create_time_us, r.update_time_us})
      .status();
}

absl::Status Screenings::Update(sql::Session& s, Screening& r) const {
  r.version += 1;
  return s
      .Exec(kUpdateScreening, {r.state, sql::Bytes{r.details}, r.version, r.update_time_us, r.id})
      .status();
}

absl::StatusOr<std::vector<Screening>> Screenings::List(
    sql::Session& s, const ScreeningFilter& f, const std::optional<ScreeningPosition>& after,
    int limit) const {
  std::vector<absl::string_view> where;
  sql::Params params;
  if (!f.client_id.empty()) {
    where.push_back(kByClient);
    params.push_back(f.client_id);
  }
  if (!f.unit_id.empty()) {
    where.push_back(kByUnit);
    params.push_back(f.unit_id);
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
    where.push_back(kAfterScreening);
    params.insert(params.end(), {after->screening_date, after->screening_date,
                                 after->create_time_us, after->create_time_us, after->id});
  }
  const std::string conditions = where.empty() ? "1 = 1" : absl::StrJoin(where, " AND ");
  params.push_back(limit);
  auto rows = s.Query(sql::Statement(kListScreenings, {kScreeningColumns, conditions}), params);
  if (!rows.ok()) return rows.status();
  std::vector<Screening> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(ScreeningFromRow(row));
  return out;
}

absl::StatusOr<RoutingPolicy> RoutingPolicies::Get(sql::Session& s, absl::string_view id,
                                                   absl::string_view name, bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectPolicy, {kPolicyColumns}, for_update ? dialect_.ForUpdate() : ""), {id},
      name);
  if (!row.ok()) return row.status();
  return PolicyFromRow(*row);
}

absl::StatusOr<std::optional<RoutingPolicy>> RoutingPolicies::GetActive(sql::Session& s,
                                                                        bool for_update) const {
  auto rows = s.Query(sql::Statement(kSelectActivePolicy, {kPolicyColumns},
                                     for_update ? dialect_.ForUpdate() : ""));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return PolicyFromRow(rows->front());
}

absl::Status RoutingPolicies::Insert(sql::Session& s, const RoutingPolicy& p) const {
  return s.Exec(sql::Statement(kInsertPolicy, {"INSERT", kPolicyColumns}), PolicyParams(p))
      .status();
}

absl::Status RoutingPolicies::UpdateState(sql::Session& s, RoutingPolicy& p) const {
  p.version += 1;
  return s
      .Exec(kUpdatePolicyState,
            {p.state, ActiveSlot(p), p.version, p.activate_time_us, p.retire_time_us, p.id})
      .status();
}

absl::StatusOr<bool> RoutingPolicies::InsertIfNone(sql::Session& s, const RoutingPolicy& p) const {
  auto any = s.Query(kAnyPolicy);
  if (!any.ok()) return any.status();
  if (!any->empty()) return false;
  // Two replicas starting at once may both find the table empty: the fixed id (and the one
  // active slot) make the second insert a no-op rather than a second policy.
  auto changed = s.Exec(sql::Statement(kInsertPolicy, {dialect_.InsertIgnore(), kPolicyColumns}),
                        PolicyParams(p));
  if (!changed.ok()) return changed.status();
  return *changed > 0;
}

absl::StatusOr<std::vector<RoutingPolicy>> RoutingPolicies::List(
    sql::Session& s, const std::optional<RoutingPolicyPosition>& after, int limit) const {
  sql::Params params;
  if (after) params = {after->create_time_us, after->create_time_us, after->id};
  params.push_back(limit);
  auto rows =
      s.Query(sql::Statement(kListPolicies, {kPolicyColumns, after ? kAfterPolicy : ""}), params);
  if (!rows.ok()) return rows.status();
  std::vector<RoutingPolicy> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(PolicyFromRow(row));
  return out;
}

std::vector<std::string> ScreeningTables() {
  return {
      // WHO ASSIST screenings, under their client. `details` is the serialized Screening
      // (answers, server-computed scores, recommendation, brief intervention, voiding):
      // never queried by. Lists filter by client or by unit, then date, newest first.
      "CREATE TABLE IF NOT EXISTS screenings (id VARCHAR(40) PRIMARY KEY, "
      "client_id VARCHAR(40) NOT NULL, unit_id VARCHAR(40) NOT NULL, "
      "screening_date VARCHAR(10) NOT NULL, state INT NOT NULL, details {LONGBLOB} NOT NULL, "
      "create_actor VARCHAR(200) NOT NULL, version BIGINT NOT NULL, "
      "create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS screenings_by_client ON screenings "
      "(client_id, screening_date, create_time, id)",
      "CREATE INDEX IF NOT EXISTS screenings_by_unit ON screenings "
      "(unit_id, screening_date, create_time, id)",
      // Routing policies: versioned data, immutable but for state and times. `active_slot`
      // is 1 on the one ACTIVE policy and NULL elsewhere; being UNIQUE, it is what keeps
      // "one active at a time" true even under concurrent activations.
      "CREATE TABLE IF NOT EXISTS routing_policies (id VARCHAR(40) PRIMARY KEY, "
      "display_name VARCHAR(200) NOT NULL, source VARCHAR(500) NOT NULL, "
      "low_risk INT NOT NULL, moderate_risk INT NOT NULL, high_risk INT NOT NULL, "
      "recent_injecting INT NOT NULL, counted_substances VARCHAR(100) NOT NULL, "
      "state INT NOT NULL, active_slot INT UNIQUE, create_actor VARCHAR(200) NOT NULL, "
      "version BIGINT NOT NULL, create_time BIGINT NOT NULL, activate_time BIGINT NOT NULL, "
      "retire_time BIGINT NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS routing_policies_by_time ON routing_policies "
      "(create_time, id)",
  };
}

}  // namespace ibm::cases::store
