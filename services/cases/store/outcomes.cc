#include "cases/store/outcomes.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cases/store/tables.h"

namespace ibm::cases::store {
namespace {

// The two tables differ only in their name and in what their date and computed result are
// called: each statement below is one pattern, filled in with a table's parts.
struct Table {
  const char* name;
  const char* columns;
  const char* date;    // the record's own date
  const char* result;  // the server-computed result the metrics read
};

constexpr Table kUrineTests = {
    "urine_tests",
    "id, unit_id, case_id, assessment_point, test_date, state, outcome, details, create_actor, "
    "version, create_time, update_time",
    "test_date", "outcome"};
constexpr Table kAssessments = {
    "quality_of_life_assessments",
    "id, unit_id, case_id, assessment_point, assessment_date, state, scoring_status, details, "
    "create_actor, version, create_time, update_time",
    "assessment_date", "scoring_status"};

const Table& TableOf(Measure m) { return m == Measure::kUrineTest ? kUrineTests : kAssessments; }

constexpr char kSelectOutcome[] = "SELECT %s FROM %s WHERE id = ? AND case_id = ? AND unit_id = ?";
constexpr char kInsertOutcome[] =
    "INSERT INTO %s (%s, single_point) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateOutcome[] =
    "UPDATE %s SET state = ?, single_point = ?, details = ?, version = ?, update_time = ? "
    "WHERE id = ?";
// On the (case_id, assessment_point, state) index.
constexpr char kAtPoint[] =
    "SELECT %s FROM %s WHERE case_id = ? AND assessment_point = ? AND state = ?";
// The list: the filter's conditions (each its own constant, joined with AND), then the page
// position; newest date first, then by name. Every condition binds its own parameters, in
// this order.
constexpr char kListOutcomes[] = "SELECT %s FROM %s WHERE %s ORDER BY %s DESC, case_id, id LIMIT ?";
constexpr char kByUnit[] = "unit_id = ?";
constexpr char kByCase[] = "case_id = ?";
constexpr char kByPoint[] = "assessment_point = ?";
constexpr char kRecordedOnly[] = "state = ?";
constexpr char kAfterOutcome[] =
    "(%s < ? OR (%s = ? AND (case_id > ? OR (case_id = ? AND id > ?))))";
// CompleteCase's check and the metrics' numerators, on the (case_id, assessment_point,
// state) index of each table.
constexpr char kExitUrineTest[] =
    "SELECT outcome FROM urine_tests WHERE case_id = ? AND assessment_point = ? AND state = ?";
constexpr char kScoredExitAssessment[] =
    "SELECT scoring_status FROM quality_of_life_assessments WHERE case_id = ? AND "
    "assessment_point = ? AND state = ? AND scoring_status IN (?, ?)";

Outcome OutcomeFromRow(const Table& t, const sql::Row& row) {
  Outcome r;
  r.id = row.Text("id");
  r.unit_id = row.Text("unit_id");
  r.case_id = row.Text("case_id");
  r.assessment_point = static_cast<int>(row.Int("assessment_point"));
  r.date = row.Text(t.date);
  r.state = static_cast<int>(row.Int("state"));
  r.result = static_cast<int>(row.Int(t.result));
  r.details = row.Blob("details");
  r.create_actor = row.Text("create_actor");
  r.version = row.Int("version");
  r.create_time_us = row.Int("create_time");
  r.update_time_us = row.Int("update_time");
  return r;
}

// The point a RECORDED BASELINE or EXIT record holds in the case's unique key; NULL for
// every other record (a UNIQUE key admits many NULLs on both engines).
sql::Value SinglePoint(const Outcome& r) {
  const bool single = r.assessment_point == kPointBaseline || r.assessment_point == kPointExit;
  return single && r.state == kRecordRecorded ? sql::Value(r.assessment_point)
                                              : sql::Value(std::nullopt);
}

std::vector<std::string> TableDdl(const Table& t) {
  const std::string name = t.name;
  return {
      absl::StrCat("CREATE TABLE IF NOT EXISTS ", name,
                   " (id VARCHAR(40) PRIMARY KEY, unit_id VARCHAR(40) NOT NULL, "
                   "case_id VARCHAR(40) NOT NULL, assessment_point INT NOT NULL, ",
                   t.date, " VARCHAR(10) NOT NULL, state INT NOT NULL, ", t.result,
                   " INT NOT NULL, single_point INT NULL, details {LONGBLOB} NOT NULL, "
                   "create_actor VARCHAR(200) NOT NULL, version BIGINT NOT NULL, "
                   "create_time BIGINT NOT NULL, update_time BIGINT NOT NULL, CONSTRAINT ",
                   name, "_single_point UNIQUE (case_id, single_point)) {TABLE_OPTIONS}"),
      // CompleteCase, the point checks and the metrics: a case's records at a point.
      absl::StrCat("CREATE INDEX IF NOT EXISTS ", name, "_by_case ON ", name,
                   " (case_id, assessment_point, state)"),
      // The lists, of a unit or of one of its cases: newest first, then by name.
      absl::StrCat("CREATE INDEX IF NOT EXISTS ", name, "_by_unit ON ", name, " (unit_id, ", t.date,
                   ", case_id, id)"),
  };
}

}  // namespace

absl::StatusOr<Outcome> Outcomes::Get(sql::Session& s, Measure m, absl::string_view unit_id,
                                      absl::string_view case_id, absl::string_view id,
                                      absl::string_view name, bool for_update) const {
  const Table& t = TableOf(m);
  auto row = s.QueryOne(
      sql::Statement(kSelectOutcome, {t.columns, t.name}, for_update ? dialect_.ForUpdate() : ""),
      {id, case_id, unit_id}, name);
  if (!row.ok()) return row.status();
  return OutcomeFromRow(t, *row);
}

absl::Status Outcomes::Insert(sql::Session& s, Measure m, const Outcome& r) const {
  const Table& t = TableOf(m);
  return s
      .Exec(sql::Statement(kInsertOutcome, {t.name, t.columns}),
            {r.id, r.unit_id, r.case_id, r.assessment_point, r.date, r.state, r.result,
             sql::Bytes{r.details}, r.create_actor, r.version, r.create_time_us, r.update_time_us,
             SinglePoint(r)})
      .status();
}

absl::Status Outcomes::Update(sql::Session& s, Measure m, Outcome& r) const {
  r.version += 1;
  return s
      .Exec(sql::Statement(kUpdateOutcome, {TableOf(m).name}),
            {r.state, SinglePoint(r), sql::Bytes{r.details}, r.version, r.update_time_us, r.id})
      .status();
}

absl::StatusOr<std::optional<Outcome>> Outcomes::AtPoint(sql::Session& s, Measure m,
                                                         absl::string_view case_id,
                                                         int point) const {
  const Table& t = TableOf(m);
  auto rows =
      s.Query(sql::Statement(kAtPoint, {t.columns, t.name}), {case_id, point, kRecordRecorded});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return OutcomeFromRow(t, rows->front());
}

absl::StatusOr<std::vector<Outcome>> Outcomes::List(sql::Session& s, Measure m,
                                                    const OutcomeFilter& f,
                                                    const std::optional<OutcomePosition>& after,
                                                    int limit) const {
  const Table& t = TableOf(m);
  std::vector<std::string> where = {kByUnit};
  sql::Params params = {f.unit_id};
  if (!f.case_id.empty()) {
    where.push_back(kByCase);
    params.push_back(f.case_id);
  }
  if (f.assessment_point != 0) {
    where.push_back(kByPoint);
    params.push_back(f.assessment_point);
  }
  if (!f.show_voided) {
    where.push_back(kRecordedOnly);
    params.push_back(kRecordRecorded);
  }
  if (after) {
    where.push_back(sql::Statement(kAfterOutcome, {t.date, t.date}));
    for (const std::string* p :
         {&after->date, &after->date, &after->case_id, &after->case_id, &after->id}) {
      params.push_back(*p);
    }
  }
  params.push_back(limit);
  const std::string conditions = absl::StrJoin(where, " AND ");
  auto rows =
      s.Query(sql::Statement(kListOutcomes, {t.columns, t.name, conditions, t.date}), params);
  if (!rows.ok()) return rows.status();
  std::vector<Outcome> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(OutcomeFromRow(t, row));
  return out;
}

absl::StatusOr<ExitAssessment> Outcomes::HasExitAssessment(sql::Session& s,
                                                           absl::string_view case_id) const {
  ExitAssessment out;
  auto urine = s.Query(kExitUrineTest, {case_id, kPointExit, kRecordRecorded});
  if (!urine.ok()) return urine.status();
  if (!urine->empty()) {
    out.urine_test = true;
    out.urine_outcome = static_cast<int>(urine->front().Int("outcome"));
  }
  auto qol = s.Query(kScoredExitAssessment,
                     {case_id, kPointExit, kRecordRecorded, kScoringScored, kScoringPartial});
  if (!qol.ok()) return qol.status();
  out.quality_of_life = !qol->empty();
  return out;
}

std::vector<std::string> OutcomeTables() {
  // Urine tests and WHOQOL-BREF assessments of a case. `details` is the serialized record
  // (panel lines and explanations, or answers and domain scores; voiding): never queried by.
  std::vector<std::string> out = TableDdl(kUrineTests);
  for (std::string& ddl : TableDdl(kAssessments)) out.push_back(std::move(ddl));
  return out;
}

}  // namespace ibm::cases::store
