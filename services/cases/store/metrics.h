#pragma once

// The unit metrics' store: the counting SQL of QueryUnitMetrics, over the tables of every area
// by name (screenings, cases, intervention sessions and their attendance, support contacts,
// urine tests, WHOQOL-BREF assessments, unit activities, community report tallies). Only
// RECORDED records count (voided ones never do); "in the period" is the record's own date
// in [start, end] (YYYY-MM-DD, inclusive). Where a metric needs what lives in a record's
// serialized details (a screening's brief intervention, a case's transitions), the store
// returns the details and the handler reads them. No protos, no callers, no access rules.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::cases::store {

struct Period {
  std::string start, end;  // YYYY-MM-DD, inclusive
};

// Which units QueryUnitMetrics' `units/-` covers: those with any record in this service
// (a case, a screening, an activity, a tally), by unit id.
struct MetricsUnitFilter {
  std::string unit_id;  // an agent: its own unit only
  // Unit ids in [from, to): a unit id starts with its village code, so a region's range
  // (VillageRange) holds exactly its units. A second range for the caller's scope.
  std::string region_from, region_to;
  std::string scope_from, scope_to;
  std::string satker_id;  // units some record of which names this fostering satker
};

class Metrics {
 public:
  explicit Metrics(const sql::Dialect& dialect) : dialect_(dialect) {}

  // Units matching `f`, by id, after `after` ("" from the start), at most `limit`.
  absl::StatusOr<std::vector<std::string>> Units(sql::Session& s, const MetricsUnitFilter& f,
                                                 absl::string_view after, int limit) const;
  // The fostering satker the unit's latest case, activity or tally was recorded under; ""
  // when it has none.
  absl::StatusOr<std::string> LatestSatker(sql::Session& s, absl::string_view unit_id) const;

  // SCREENINGS and CLIENTS_SCREENED: {screenings, distinct clients}.
  absl::StatusOr<std::pair<int64_t, int64_t>> Screenings(sql::Session& s, absl::string_view unit,
                                                         const Period& p) const;
  // The details of the unit's RECORDED screenings in the period (BRIEF_INTERVENTION_SHARE).
  absl::StatusOr<std::vector<std::string>> ScreeningDetails(sql::Session& s, absl::string_view unit,
                                                            const Period& p) const;
  // The details of the unit's non-voided cases enrolled in the period (CASES_ENROLLED: the
  // handler leaves out those made by TransferCase).
  absl::StatusOr<std::vector<std::string>> EnrolledCaseDetails(sql::Session& s,
                                                               absl::string_view unit,
                                                               const Period& p) const;
  // CASES_OPEN: non-voided cases enrolled on or before the end and not ended before the
  // start.
  absl::StatusOr<int64_t> CasesOpen(sql::Session& s, absl::string_view unit, const Period& p) const;
  // The details of those cases (CASES_REFERRED: the handler counts their moves).
  absl::StatusOr<std::vector<std::string>> OpenCaseDetails(sql::Session& s, absl::string_view unit,
                                                           const Period& p) const;
  // Cases that reached the final `state` (v1::CaseState) in the period (their end_date).
  absl::StatusOr<int64_t> CasesEnded(sql::Session& s, absl::string_view unit, int state,
                                     const Period& p) const;
  // Of the cases COMPLETED in the period: those with a RECORDED EXIT urine test; those whose
  // EXIT urine test is NEGATIVE; those with both an EXIT urine test and a scored (SCORED or
  // PARTIAL, not DISCARDED) EXIT WHOQOL-BREF.
  absl::StatusOr<int64_t> CompletedWithExitUrineTest(sql::Session& s, absl::string_view unit,
                                                     const Period& p) const;
  absl::StatusOr<int64_t> CompletedWithNegativeExitUrineTest(sql::Session& s,
                                                             absl::string_view unit,
                                                             const Period& p) const;
  absl::StatusOr<int64_t> CompletedWithExitAssessments(sql::Session& s, absl::string_view unit,
                                                       const Period& p) const;
  // INTERVENTION_SESSIONS.
  absl::StatusOr<int64_t> Sessions(sql::Session& s, absl::string_view unit, const Period& p) const;
  // SESSION_ATTENDANCE_SHARE: {entries attended, entries} over the period's sessions.
  absl::StatusOr<std::pair<int64_t, int64_t>> Attendance(sql::Session& s, absl::string_view unit,
                                                         const Period& p) const;
  // Support contacts in the period that reached the client (mode not ATTEMPT_FAILED).
  absl::StatusOr<int64_t> ReachedContacts(sql::Session& s, absl::string_view unit,
                                          const Period& p) const;
  // Unit activities of `kind` (v1::UnitActivity::Kind) dated in the period.
  absl::StatusOr<int64_t> Activities(sql::Session& s, absl::string_view unit, int kind,
                                     const Period& p) const;
  // COMMUNITY_REPORTS: reports_received summed over the tallies ending in the period.
  absl::StatusOr<int64_t> CommunityReports(sql::Session& s, absl::string_view unit,
                                           const Period& p) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
