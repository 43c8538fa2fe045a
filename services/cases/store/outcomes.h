#pragma once

// The outcomes' store: urine tests and WHOQOL-BREF assessments of a case, every SQL statement
// about them named, rows mapped by column name into one plain struct. A record's panel lines
// or answers, scores, kit and voiding are one serialized blob (`details`); the columns beside
// it are what lists, CompleteCase and the unit metrics query by: the case, the assessment
// point, the state, the date, and the computed result (a urine test's outcome, an
// assessment's scoring status). No protos, no callers, no access rules: the handler's.
//
// What CompleteCase and the metrics ask is one indexed query per measure, on
// (case_id, assessment_point, state):
//   urine_tests:                 case_id, assessment_point = 2 (EXIT), state = 1 (RECORDED),
//                                outcome (1 NEGATIVE, 2 POSITIVE, 3 INCONCLUSIVE)
//   quality_of_life_assessments: case_id, assessment_point = 2, state = 1,
//                                scoring_status IN (1 SCORED, 2 PARTIAL) ("scored")
// At most one non-voided BASELINE and one EXIT per case and measure is kept by the database
// itself: `single_point` is the point while the record is RECORDED at BASELINE or EXIT, NULL
// otherwise, and (case_id, single_point) is unique.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::cases::store {

// Which measure (and so which table).
enum class Measure { kUrineTest, kQualityOfLife };

// The numbers the store's constraints and queries use (ibm.cases.v1).
inline constexpr int kPointBaseline = 1;  // AssessmentPoint
inline constexpr int kPointExit = 2;
inline constexpr int kRecordRecorded = 1;  // RecordState
inline constexpr int kRecordVoided = 2;
inline constexpr int kUrineNegative = 1;  // UrineTestOutcome
inline constexpr int kScoringScored = 1;  // QualityOfLifeAssessment.ScoringStatus
inline constexpr int kScoringPartial = 2;

// A urine test or an assessment as stored.
struct Outcome {
  std::string id;
  std::string unit_id;  // the name is units/{unit_id}/cases/{case_id}/<collection>/{id}
  std::string case_id;
  int assessment_point = 0;  // v1::AssessmentPoint
  std::string date;          // test_date / assessment_date, YYYY-MM-DD
  int state = 0;             // v1::RecordState
  int result = 0;            // urine: v1::UrineTestOutcome; WHOQOL-BREF: ScoringStatus
  std::string details;       // serialized v1::UrineTest / v1::QualityOfLifeAssessment
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// ListUrineTests' and ListQualityOfLifeAssessments' filters.
struct OutcomeFilter {
  std::string unit_id;       // required
  std::string case_id;       // empty: every case of the unit
  int assessment_point = 0;  // 0: every point
  bool show_voided = false;
};

// Where a page ends: lists run newest date first, then by name (case, then id), so a page
// resumes strictly after this position.
struct OutcomePosition {
  std::string date;
  std::string case_id;
  std::string id;
};

// What CompleteCase needs of a case: a non-voided EXIT urine test, a scored (SCORED or
// PARTIAL, not DISCARDED) non-voided EXIT WHOQOL-BREF.
struct ExitAssessment {
  bool urine_test = false;
  bool quality_of_life = false;
  int urine_outcome = 0;  // the EXIT test's v1::UrineTestOutcome when urine_test
};

class Outcomes {
 public:
  explicit Outcomes(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when the case has no such record. `for_update` locks it.
  absl::StatusOr<Outcome> Get(sql::Session& s, Measure m, absl::string_view unit_id,
                              absl::string_view case_id, absl::string_view id,
                              absl::string_view name, bool for_update = false) const;
  // ALREADY_EXISTS when the case already has a RECORDED record at the row's BASELINE or
  // EXIT point (the handler checks first; this is the database's guard).
  absl::Status Insert(sql::Session& s, Measure m, const Outcome& row) const;
  // Writes state and details, one version up; `row.version` becomes the new one. A voided
  // record frees its point.
  absl::Status Update(sql::Session& s, Measure m, Outcome& row) const;
  // The case's RECORDED record at `point` (BASELINE or EXIT: at most one), if any.
  absl::StatusOr<std::optional<Outcome>> AtPoint(sql::Session& s, Measure m,
                                                 absl::string_view case_id, int point) const;
  // At most `limit` records matching `filter`, after `after` (the first page: nullopt).
  absl::StatusOr<std::vector<Outcome>> List(sql::Session& s, Measure m, const OutcomeFilter& filter,
                                            const std::optional<OutcomePosition>& after,
                                            int limit) const;
  // The case's exit assessments: one indexed query per measure.
  absl::StatusOr<ExitAssessment> HasExitAssessment(sql::Session& s,
                                                   absl::string_view case_id) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
