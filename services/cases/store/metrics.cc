#include "cases/store/metrics.h"

#include "absl/strings/str_join.h"

namespace ibm::cases::store {
namespace {

// The numbers of the contract's enums these counts compare with (ibm.cases.v1).
constexpr int kRecorded = 1;       // RecordState RECORDED
constexpr int kCaseVoided = 8;     // CaseState VOIDED
constexpr int kCaseCompleted = 5;  // CaseState COMPLETED
constexpr int kExit = 2;           // AssessmentPoint EXIT
constexpr int kNegative = 1;       // UrineTestOutcome NEGATIVE
constexpr int kScored = 1;         // QualityOfLifeAssessment SCORED
constexpr int kPartial = 2;        // QualityOfLifeAssessment PARTIAL (scored, not all)
constexpr int kAttemptFailed = 6;  // ContactMode ATTEMPT_FAILED

// ---- The units of `units/-`: each table holding a unit's records, its conditions ANDed.
constexpr char kUnits[] =
    "SELECT unit_id FROM (SELECT unit_id FROM cases UNION SELECT unit_id FROM screenings "
    "UNION SELECT unit_id FROM unit_activities UNION SELECT unit_id FROM "
    "community_report_tallies) AS u WHERE %s ORDER BY unit_id LIMIT ?";
constexpr char kUnitIs[] = "unit_id = ?";
constexpr char kUnitIn[] = "unit_id >= ? AND unit_id < ?";
constexpr char kUnitAfter[] = "unit_id > ?";
constexpr char kUnitOfSatker[] =
    "unit_id IN (SELECT unit_id FROM cases WHERE satker_id = ? UNION SELECT unit_id FROM "
    "unit_activities WHERE satker_id = ? UNION SELECT unit_id FROM community_report_tallies "
    "WHERE satker_id = ?)";
constexpr char kLatestSatker[] =
    "SELECT satker_id, create_time FROM cases WHERE unit_id = ? UNION ALL "
    "SELECT satker_id, create_time FROM unit_activities WHERE unit_id = ? UNION ALL "
    "SELECT satker_id, create_time FROM community_report_tallies WHERE unit_id = ? "
    "ORDER BY create_time DESC LIMIT 1";

// ---- The counts.
constexpr char kScreenings[] =
    "SELECT COUNT(*) AS n, COUNT(DISTINCT client_id) AS clients FROM screenings "
    "WHERE unit_id = ? AND state = ? AND screening_date >= ? AND screening_date <= ?";
constexpr char kScreeningDetails[] =
    "SELECT details FROM screenings WHERE unit_id = ? AND state = ? AND screening_date >= ? "
    "AND screening_date <= ?";
constexpr char kEnrolledCases[] =
    "SELECT details FROM cases WHERE unit_id = ? AND state <> ? AND enrollment_date >= ? AND "
    "enrollment_date <= ?";
// Open at any time in [start, end]: enrolled by the end, and still open or ended on or after
// the start.
constexpr char kOpenCasesWhere[] =
    "FROM cases WHERE unit_id = ? AND state <> ? AND enrollment_date <= ? AND "
    "(end_date = '' OR end_date >= ?)";
constexpr char kCountOpenCases[] = "SELECT COUNT(*) AS n %s";
constexpr char kOpenCaseDetails[] = "SELECT details %s";
constexpr char kEndedCases[] =
    "SELECT COUNT(*) AS n FROM cases WHERE unit_id = ? AND state = ? AND end_date >= ? AND "
    "end_date <= ?";
constexpr char kCompletedWith[] =
    "SELECT COUNT(*) AS n FROM cases c WHERE c.unit_id = ? AND c.state = ? AND "
    "c.end_date >= ? AND c.end_date <= ? AND %s";
constexpr char kHasExitUrineTest[] =
    "EXISTS (SELECT 1 FROM urine_tests u WHERE u.case_id = c.id AND u.assessment_point = ? "
    "AND u.state = ?)";
constexpr char kHasNegativeExitUrineTest[] =
    "EXISTS (SELECT 1 FROM urine_tests u WHERE u.case_id = c.id AND u.assessment_point = ? "
    "AND u.state = ? AND u.outcome = ?)";
constexpr char kHasScoredExitAssessment[] =
    "EXISTS (SELECT 1 FROM quality_of_life_assessments q WHERE q.case_id = c.id AND "
    "q.assessment_point = ? AND q.state = ? AND q.scoring_status IN (?, ?))";
constexpr char kSessions[] =
    "SELECT COUNT(*) AS n FROM intervention_sessions WHERE unit_id = ? AND state = ? AND "
    "session_date >= ? AND session_date <= ?";
constexpr char kAttendance[] =
    "SELECT COUNT(*) AS n, COALESCE(SUM(attended), 0) AS attended FROM intervention_attendance "
    "WHERE unit_id = ? AND state = ? AND session_date >= ? AND session_date <= ?";
constexpr char kReachedContacts[] =
    "SELECT COUNT(*) AS n FROM support_contacts WHERE unit_id = ? AND state = ? AND "
    "mode <> ? AND contact_date >= ? AND contact_date <= ?";
constexpr char kActivities[] =
    "SELECT COUNT(*) AS n FROM unit_activities WHERE unit_id = ? AND state = ? AND kind = ? "
    "AND activity_date >= ? AND activity_date <= ?";
constexpr char kCommunityReports[] =
    "SELECT COALESCE(SUM(reports_received), 0) AS n FROM community_report_tallies "
    "WHERE unit_id = ? AND state = ? AND period_end >= ? AND period_end <= ?";

absl::StatusOr<int64_t> Count(sql::Session& s, absl::string_view sql, const sql::Params& params) {
  auto rows = s.Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return 0;
  return rows->front().Int("n");
}

absl::StatusOr<std::vector<std::string>> Details(sql::Session& s, absl::string_view sql,
                                                 const sql::Params& params) {
  auto rows = s.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(row.Blob("details"));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> Metrics::Units(sql::Session& s, const MetricsUnitFilter& f,
                                                        absl::string_view after, int limit) const {
  std::vector<absl::string_view> where;
  sql::Params params;
  if (!f.unit_id.empty()) {
    where.push_back(kUnitIs);
    params.push_back(f.unit_id);
  }
  if (!f.region_from.empty()) {
    where.push_back(kUnitIn);
    params.insert(params.end(), {f.region_from, f.region_to});
  }
  if (!f.scope_from.empty()) {
    where.push_back(kUnitIn);
    params.insert(params.end(), {f.scope_from, f.scope_to});
  }
  if (!f.satker_id.empty()) {
    where.push_back(kUnitOfSatker);
    params.insert(params.end(), {f.satker_id, f.satker_id, f.satker_id});
  }
  if (!after.empty()) {
    where.push_back(kUnitAfter);
    params.push_back(after);
  }
  params.push_back(limit);
  const std::string conditions = where.empty() ? "1 = 1" : absl::StrJoin(where, " AND ");
  auto rows = s.Query(sql::Statement(kUnits, {conditions}), params);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(row.Text("unit_id"));
  return out;
}

absl::StatusOr<std::string> Metrics::LatestSatker(sql::Session& s,
                                                  absl::string_view unit_id) const {
  auto rows = s.Query(kLatestSatker, {unit_id, unit_id, unit_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::string();
  return rows->front().Text("satker_id");
}

absl::StatusOr<std::pair<int64_t, int64_t>> Metrics::Screenings(sql::Session& s,
                                                                absl::string_view unit,
                                                                const Period& p) const {
  auto rows = s.Query(kScreenings, {unit, kRecorded, p.start, p.end});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::pair<int64_t, int64_t>{0, 0};
  return std::pair<int64_t, int64_t>{rows->front().Int("n"), rows->front().Int("clients")};
}

absl::StatusOr<std::vector<std::string>> Metrics::ScreeningDetails(sql::Session& s,
                                                                   absl::string_view unit,
                                                                   const Period& p) const {
  return Details(s, kScreeningDetails, {unit, kRecorded, p.start, p.end});
}

absl::StatusOr<std::vector<std::string>> Metrics::EnrolledCaseDetails(sql::Session& s,
                                                                      absl::string_view unit,
                                                                      const Period& p) const {
  return Details(s, kEnrolledCases, {unit, kCaseVoided, p.start, p.end});
}

absl::StatusOr<int64_t> Metrics::CasesOpen(sql::Session& s, absl::string_view unit,
                                           const Period& p) const {
  return Count(s, sql::Statement(kCountOpenCases, {kOpenCasesWhere}),
               {unit, kCaseVoided, p.end, p.start});
}

absl::StatusOr<std::vector<std::string>> Metrics::OpenCaseDetails(sql::Session& s,
                                                                  absl::string_view unit,
                                                                  const Period& p) const {
  return Details(s, sql::Statement(kOpenCaseDetails, {kOpenCasesWhere}),
                 {unit, kCaseVoided, p.end, p.start});
}

absl::StatusOr<int64_t> Metrics::CasesEnded(sql::Session& s, absl::string_view unit, int state,
                                            const Period& p) const {
  return Count(s, kEndedCases, {unit, state, p.start, p.end});
}

absl::StatusOr<int64_t> Metrics::CompletedWithExitUrineTest(sql::Session& s, absl::string_view unit,
                                                            const Period& p) const {
  return Count(s, sql::Statement(kCompletedWith, {kHasExitUrineTest}),
               {unit, kCaseCompleted, p.start, p.end, kExit, kRecorded});
}

absl::StatusOr<int64_t> Metrics::CompletedWithNegativeExitUrineTest(sql::Session& s,
                                                                    absl::string_view unit,
                                                                    const Period& p) const {
  return Count(s, sql::Statement(kCompletedWith, {kHasNegativeExitUrineTest}),
               {unit, kCaseCompleted, p.start, p.end, kExit, kRecorded, kNegative});
}

absl::StatusOr<int64_t> Metrics::CompletedWithExitAssessments(sql::Session& s,
                                                              absl::string_view unit,
                                                              const Period& p) const {
  const std::string both = absl::StrJoin({kHasExitUrineTest, kHasScoredExitAssessment}, " AND ");
  return Count(s, sql::Statement(kCompletedWith, {both}),
               {unit, kCaseCompleted, p.start, p.end, kExit, kRecorded, kExit, kRecorded, kScored,
                kPartial});
}

absl::StatusOr<int64_t> Metrics::Sessions(sql::Session& s, absl::string_view unit,
                                          const Period& p) const {
  return Count(s, kSessions, {unit, kRecorded, p.start, p.end});
}

absl::StatusOr<std::pair<int64_t, int64_t>> Metrics::Attendance(sql::Session& s,
                                                                absl::string_view unit,
                                                                const Period& p) const {
  auto rows = s.Query(kAttendance, {unit, kRecorded, p.start, p.end});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::pair<int64_t, int64_t>{0, 0};
  return std::pair<int64_t, int64_t>{rows->front().Int("attended"), rows->front().Int("n")};
}

absl::StatusOr<int64_t> Metrics::ReachedContacts(sql::Session& s, absl::string_view unit,
                                                 const Period& p) const {
  return Count(s, kReachedContacts, {unit, kRecorded, kAttemptFailed, p.start, p.end});
}

absl::StatusOr<int64_t> Metrics::Activities(sql::Session& s, absl::string_view unit, int kind,
                                            const Period& p) const {
  return Count(s, kActivities, {unit, kRecorded, kind, p.start, p.end});
}

absl::StatusOr<int64_t> Metrics::CommunityReports(sql::Session& s, absl::string_view unit,
                                                  const Period& p) const {
  return Count(s, kCommunityReports, {unit, kRecorded, p.start, p.end});
}

}  // namespace ibm::cases::store
