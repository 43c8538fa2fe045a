#pragma once

// The cases' store: every SQL statement about cases, named; rows mapped by column name into
// plain structs. The case itself (agents, officer, use history, transitions, voiding...) is
// one serialized ibm.cases.v1.Case in `details`; the columns beside it are what the service
// queries or constrains by. No protos, no callers, no access rules: those are the handler's.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::cases::store {

struct Case {
  std::string id;
  std::string unit_id;  // the serving unit: the name is units/{unit_id}/cases/{id}
  std::string client_id;
  std::string village_code;     // the unit's village: what scope and region filters compare
  std::string satker_id;        // the satker fostering the unit when the case was created
  int state = 0;                // v1::CaseState
  bool open = false;            // an open state: the client's one open case (unique key)
  std::string enrollment_date;  // YYYY-MM-DD
  std::string end_date;         // YYYY-MM-DD once final, else ""
  std::string details;          // serialized v1::Case
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// ListCases' filters; empty ones do not filter.
struct CaseFilter {
  std::string unit_id;
  std::string client_id;
  std::vector<int> states;  // required: at least one
  // Village codes from `village_from` (inclusive) to `village_to` (exclusive): a region and
  // everything inside it (see VillageRange).
  std::string village_from, village_to;
  // A second such range (the caller's scope, when a region narrows it further).
  std::string scope_from, scope_to;
  std::string satker_id;
  std::string enrolled_after;   // YYYY-MM-DD, inclusive
  std::string enrolled_before;  // YYYY-MM-DD, inclusive
};

// The page position of a case in ListCases' order (newest enrollment first, then by name).
struct CaseKey {
  std::string enrollment_date, unit_id, id;
};

// The village codes inside region `code` (dotted, e.g. "32.73"): [code, code + "/"). Codes
// are fixed-width segments joined by dots, so every code below the region starts with
// code + "." and sorts inside, and no other code does.
std::pair<std::string, std::string> VillageRange(absl::string_view code);

class Cases {
 public:
  explicit Cases(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when the unit has no such case. `for_update` locks the row.
  absl::StatusOr<Case> Get(sql::Session& s, absl::string_view unit_id, absl::string_view id,
                           absl::string_view name, bool for_update = false) const;
  // The client's open case, if any (locked with `for_update`).
  absl::StatusOr<std::optional<Case>> OpenCaseOf(sql::Session& s, absl::string_view client_id,
                                                 bool for_update = false) const;
  // ALREADY_EXISTS when the client already has an open case (the unique key on open_client).
  absl::Status Insert(sql::Session& s, const Case& c) const;
  // Writes every field of `c`, one version up; `c.version` becomes the new one.
  absl::Status Update(sql::Session& s, Case& c) const;
  // The date (YYYY-MM-DD) of the case's earliest non-voided record: a session its client
  // attended or was listed for, a recovery-support contact, a urine test or a WHOQOL-BREF;
  // nullopt when it has none. An enrollment date may not move past it.
  absl::StatusOr<std::optional<std::string>> EarliestRecordDate(sql::Session& s,
                                                                const Case& c) const;
  // In ListCases' order, after `after` (nullopt: from the start), at most `limit`.
  absl::StatusOr<std::vector<Case>> List(sql::Session& s, const CaseFilter& filter,
                                         const std::optional<CaseKey>& after, int limit) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
