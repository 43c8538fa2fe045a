#include "cases/store/cases.h"

#include "absl/strings/str_cat.h"
#include "cases/store/tables.h"

namespace ibm::cases::store {

std::vector<std::string> CaseTables() {
  return {
      // A client's enrollment in a unit. `open_client` is the client id while the case is
      // open and NULL once it is final: its unique key holds "one open case per client" in
      // the database itself, on both engines (a UNIQUE key admits many NULLs on both).
      "CREATE TABLE IF NOT EXISTS cases (id VARCHAR(40) PRIMARY KEY, "
      "unit_id VARCHAR(40) NOT NULL, client_id VARCHAR(40) NOT NULL, "
      "open_client VARCHAR(40) NULL, village_code VARCHAR(20) NOT NULL, "
      "satker_id VARCHAR(40) NOT NULL, state INT NOT NULL, "
      "enrollment_date VARCHAR(10) NOT NULL, end_date VARCHAR(10) NOT NULL, "
      "details {LONGBLOB} NOT NULL, create_actor VARCHAR(200) NOT NULL, "
      "version BIGINT NOT NULL, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL, "
      "CONSTRAINT cases_open_client UNIQUE (open_client)) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS cases_by_client ON cases (client_id, enrollment_date)",
      // ListCases' order within a unit, and across units.
      "CREATE INDEX IF NOT EXISTS cases_by_unit ON cases (unit_id, enrollment_date, id)",
      "CREATE INDEX IF NOT EXISTS cases_by_enrollment ON cases (enrollment_date, unit_id, id)",
  };
}

namespace {

constexpr char kCaseColumns[] =
    "id, unit_id, client_id, open_client, village_code, satker_id, state, enrollment_date, "
    "end_date, details, create_actor, version, create_time, update_time";
constexpr char kSelectCase[] = "SELECT %s FROM cases WHERE id = ? AND unit_id = ?";
constexpr char kSelectOpenCase[] = "SELECT %s FROM cases WHERE open_client = ?";
constexpr char kInsertCase[] =
    "INSERT INTO cases (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateCase[] =
    "UPDATE cases SET open_client = ?, state = ?, enrollment_date = ?, end_date = ?, "
    "details = ?, version = ?, update_time = ? WHERE id = ?";
// ListCases: the conditions below are ANDed in as the filter asks; the page continues after
// the previous page's last case in the order newest enrollment first, then unit, then id.
constexpr char kListCases[] =
    "SELECT %s FROM cases WHERE state IN %s%s ORDER BY "
    "enrollment_date DESC, unit_id, id LIMIT ?";
constexpr char kByUnit[] = " AND unit_id = ?";
constexpr char kByClient[] = " AND client_id = ?";
constexpr char kByVillage[] = " AND village_code >= ? AND village_code < ?";
constexpr char kBySatker[] = " AND satker_id = ?";
constexpr char kEnrolledAfter[] = " AND enrollment_date >= ?";
constexpr char kEnrolledBefore[] = " AND enrollment_date <= ?";
constexpr char kAfterKey[] =
    " AND (enrollment_date < ? OR (enrollment_date = ? AND (unit_id > ? OR "
    "(unit_id = ? AND id > ?))))";

// Each arm is on an index: attendance by client, contacts by (unit, case), outcomes by case.
// State 1 is v1::RECORD_STATE_RECORDED. MIN over no rows is NULL, and MIN skips NULLs.
constexpr char kEarliestRecord[] =
    "SELECT MIN(d) AS d FROM ("
    "SELECT MIN(session_date) AS d FROM intervention_attendance "
    "WHERE client_id = ? AND case_id = ? AND state = 1 "
    "UNION ALL SELECT MIN(contact_date) FROM support_contacts "
    "WHERE unit_id = ? AND case_id = ? AND state = 1 "
    "UNION ALL SELECT MIN(test_date) FROM urine_tests WHERE case_id = ? AND state = 1 "
    "UNION ALL SELECT MIN(assessment_date) FROM quality_of_life_assessments "
    "WHERE case_id = ? AND state = 1) AS records";

Case CaseFromRow(const sql::Row& row) {
  Case c;
  c.id = row.Text("id");
  c.unit_id = row.Text("unit_id");
  c.client_id = row.Text("client_id");
  c.open = !row.IsNull("open_client");
  c.village_code = row.Text("village_code");
  c.satker_id = row.Text("satker_id");
  c.state = static_cast<int>(row.Int("state"));
  c.enrollment_date = row.Text("enrollment_date");
  c.end_date = row.Text("end_date");
  c.details = row.Blob("details");
  c.create_actor = row.Text("create_actor");
  c.version = row.Int("version");
  c.create_time_us = row.Int("create_time");
  c.update_time_us = row.Int("update_time");
  return c;
}

sql::Value OpenClient(const Case& c) {
  return c.open ? sql::Value(c.client_id) : sql::Value(std::nullopt);
}

}  // namespace

std::pair<std::string, std::string> VillageRange(absl::string_view code) {
  return {std::string(code), absl::StrCat(code, "/")};  // '/' sorts right after '.'
}

absl::StatusOr<Case> Cases::Get(sql::Session& s, absl::string_view unit_id, absl::string_view id,
                                absl::string_view name, bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectCase, {kCaseColumns}, for_update ? dialect_.ForUpdate() : ""),
      {id, unit_id}, name);
  if (!row.ok()) return row.status();
  return CaseFromRow(*row);
}

absl::StatusOr<std::optional<Case>> Cases::OpenCaseOf(sql::Session& s, absl::string_view client_id,
                                                      bool for_update) const {
  auto rows = s.Query(
      sql::Statement(kSelectOpenCase, {kCaseColumns}, for_update ? dialect_.ForUpdate() : ""),
      {client_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return CaseFromRow(rows->front());
}

absl::Status Cases::Insert(sql::Session& s, const Case& c) const {
  return s
      .Exec(sql::Statement(kInsertCase, {kCaseColumns}),
            {c.id, c.unit_id, c.client_id, OpenClient(c), c.village_code, c.satker_id, c.state,
             c.enrollment_date, c.end_date, sql::Bytes{c.details}, c.create_actor, c.version,
             c.create_time_us, c.update_time_us})
      .status();
}

absl::Status Cases::Update(sql::Session& s, Case& c) const {
  c.version += 1;
  return s
      .Exec(kUpdateCase, {OpenClient(c), c.state, c.enrollment_date, c.end_date,
                          sql::Bytes{c.details}, c.version, c.update_time_us, c.id})
      .status();
}

absl::StatusOr<std::optional<std::string>> Cases::EarliestRecordDate(sql::Session& s,
                                                                     const Case& c) const {
  auto rows = s.Query(kEarliestRecord, {c.client_id, c.id, c.unit_id, c.id, c.id, c.id});
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->front().IsNull("d")) return std::nullopt;
  return rows->front().Text("d");
}

absl::StatusOr<std::vector<Case>> Cases::List(sql::Session& s, const CaseFilter& f,
                                              const std::optional<CaseKey>& after,
                                              int limit) const {
  sql::Params params;
  for (int state : f.states) params.push_back(state);
  std::string where;
  if (!f.unit_id.empty()) {
    where += kByUnit;
    params.push_back(f.unit_id);
  }
  if (!f.client_id.empty()) {
    where += kByClient;
    params.push_back(f.client_id);
  }
  if (!f.village_from.empty()) {
    where += kByVillage;
    params.push_back(f.village_from);
    params.push_back(f.village_to);
  }
  if (!f.scope_from.empty()) {
    where += kByVillage;
    params.push_back(f.scope_from);
    params.push_back(f.scope_to);
  }
  if (!f.satker_id.empty()) {
    where += kBySatker;
    params.push_back(f.satker_id);
  }
  if (!f.enrolled_after.empty()) {
    where += kEnrolledAfter;
    params.push_back(f.enrolled_after);
  }
  if (!f.enrolled_before.empty()) {
    where += kEnrolledBefore;
    params.push_back(f.enrolled_before);
  }
  if (after) {
    where += kAfterKey;
    for (const std::string* v : {&after->enrollment_date, &after->enrollment_date, &after->unit_id,
                                 &after->unit_id, &after->id}) {
      params.push_back(*v);
    }
  }
  params.push_back(limit);
  auto rows =
      s.Query(sql::Statement(kListCases, {kCaseColumns, sql::Placeholders(f.states.size()), where}),
              params);
  if (!rows.ok()) return rows.status();
  std::vector<Case> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(CaseFromRow(row));
  return out;
}

}  // namespace ibm::cases::store
