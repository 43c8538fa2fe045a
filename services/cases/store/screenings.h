#pragma once

// The screenings' store: every SQL statement about screenings and routing policies, named;
// rows mapped by column name into plain structs. No protos, no callers, no access rules:
// those are the handler's. A screening's answers, scores, recommendation, brief intervention
// and voiding are one serialized blob (`details`): the service never queries by them; the
// columns are what lists filter and sort on (client, unit, date, state, time).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::cases::store {

// A screening as stored.
struct Screening {
  std::string id;
  std::string client_id;
  std::string unit_id;         // the unit that screened
  std::string screening_date;  // YYYY-MM-DD
  int state = 0;               // v1::RecordState
  std::string details;         // serialized v1::Screening (all but name, state and etag)
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// Where a page of screenings ends: lists run newest screening_date first, then newest
// create_time, then id (descending), so a page resumes strictly after this position.
struct ScreeningPosition {
  std::string screening_date;
  int64_t create_time_us = 0;
  std::string id;
};

// What ListScreenings filters on. Empty strings filter nothing; at least one of client_id
// and unit_id is set (the handler's rule), so every list runs on an index.
struct ScreeningFilter {
  std::string client_id;
  std::string unit_id;
  std::string start_date;  // YYYY-MM-DD, inclusive
  std::string end_date;    // YYYY-MM-DD, inclusive
  bool show_voided = false;
};

class Screenings {
 public:
  explicit Screenings(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when the client has no such screening. `for_update` locks it.
  absl::StatusOr<Screening> Get(sql::Session& s, absl::string_view client_id, absl::string_view id,
                                absl::string_view name, bool for_update = false) const;
  absl::Status Insert(sql::Session& s, const Screening& row) const;
  // Writes state and details, one version up; `row.version` becomes the new one.
  absl::Status Update(sql::Session& s, Screening& row) const;
  // At most `limit` screenings matching `filter`, after `after` (the first page: nullopt).
  absl::StatusOr<std::vector<Screening>> List(sql::Session& s, const ScreeningFilter& filter,
                                              const std::optional<ScreeningPosition>& after,
                                              int limit) const;

 private:
  sql::Dialect dialect_;
};

// A routing policy as stored: immutable but for its state and times.
struct RoutingPolicy {
  std::string id;
  std::string display_name;
  std::string source;
  int low_risk = 0;  // v1::Routing
  int moderate_risk = 0;
  int high_risk = 0;
  int recent_injecting = 0;
  std::vector<int> counted_substances;  // v1::Substance numbers, resolved, in order
  int state = 0;                        // v1::RoutingPolicy::State
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t activate_time_us = 0;  // 0: never active
  int64_t retire_time_us = 0;    // 0: not retired
};

// Where a page of policies ends: newest create_time first, then id (descending).
struct RoutingPolicyPosition {
  int64_t create_time_us = 0;
  std::string id;
};

class RoutingPolicies {
 public:
  // The state number that marks the active policy (v1::RoutingPolicy::STATE_ACTIVE): the
  // store keeps at most one row in it (a unique index), whatever the handlers do.
  static constexpr int kActive = 2;

  explicit RoutingPolicies(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when there is no such policy. `for_update` locks it.
  absl::StatusOr<RoutingPolicy> Get(sql::Session& s, absl::string_view id, absl::string_view name,
                                    bool for_update = false) const;
  // The ACTIVE policy; nullopt when none is.
  absl::StatusOr<std::optional<RoutingPolicy>> GetActive(sql::Session& s,
                                                         bool for_update = false) const;
  // ALREADY_EXISTS when the id was used before (or, for an ACTIVE row, one is active).
  absl::Status Insert(sql::Session& s, const RoutingPolicy& p) const;
  // Writes state and times, one version up; `p.version` becomes the new one.
  absl::Status UpdateState(sql::Session& s, RoutingPolicy& p) const;
  // Inserts `p` only when the table holds no policy at all, and then skips silently if a
  // concurrent starter inserted the same id (or an active one) first. True when inserted.
  absl::StatusOr<bool> InsertIfNone(sql::Session& s, const RoutingPolicy& p) const;
  // At most `limit` policies after `after`, newest first.
  absl::StatusOr<std::vector<RoutingPolicy>> List(sql::Session& s,
                                                  const std::optional<RoutingPolicyPosition>& after,
                                                  int limit) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
