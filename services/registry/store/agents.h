#pragma once

// The agents store: every SQL statement about agents, named, and rows mapped by column name into
// plain structs. No protos, no callers, no access rules: those are the handler's.
//
// The contact details are stored and returned as the sealed bytes the handler made: the store
// never seals, opens or sees them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::registry::store {

// One training an agent received.
struct Training {
  std::string date;  // YYYY-MM-DD
  int kind = 0;      // a v1::TrainingRecord::Kind
  double hours = 0;
  std::string description;
};

// A recovery agent (Agen Pemulihan) as stored.
struct Agent {
  std::string id;
  std::string unit_id;
  std::string display_name;
  // The village decree (SK) that appoints the agent.
  std::string sk_number;
  std::string sk_date;         // YYYY-MM-DD
  std::string sk_valid_until;  // YYYY-MM-DD
  std::string sk_sha256;       // "" when not given
  int status = 0;              // a v1::AgentStatus
  int inactive_reason = 0;     // a v1::AgentInactiveReason code; 0 while active
  // Phone, address, the former-user flag and the inactive details, sealed (by the handler).
  std::string contact_sealed;
  int64_t version = 1;  // the etag
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  std::vector<Training> trainings;  // oldest first
};

class Agents {
 public:
  explicit Agents(const sql::Dialect& dialect) : dialect_(dialect) {}

  // The agent with its trainings; NOT_FOUND naming `name` when the unit has no such agent.
  // `for_update` locks the agent's row.
  absl::StatusOr<Agent> Get(sql::Session& s, absl::string_view unit_id, absl::string_view id,
                            absl::string_view name, bool for_update = false) const;
  // A page of a unit's agents by id, after `after_id`: at most `limit` rows, only those in
  // `status` when given, trainings included (two queries, whatever the page size).
  absl::StatusOr<std::vector<Agent>> List(sql::Session& s, absl::string_view unit_id,
                                          std::optional<int> status, absl::string_view after_id,
                                          int limit) const;
  // A new agent (its trainings are not written: an agent starts with none).
  absl::Status Insert(sql::Session& s, const Agent& a) const;
  // Writes the name, decree, status, reason and sealed contact of `a`, one version up;
  // `a.version` becomes the new one.
  absl::Status Update(sql::Session& s, Agent& a) const;
  // Adds `t` after the agent's trainings (`a.trainings` must hold them all, as Get loads
  // them), one version up: `t` joins `a.trainings` and `a.version` becomes the new one.
  absl::Status AddTraining(sql::Session& s, Agent& a, Training t) const;

  // The unit's status (a v1::UnitStatus), its row locked until the transaction ends;
  // nullopt when there is no such unit.
  absl::StatusOr<std::optional<int>> LockUnitStatus(sql::Session& s,
                                                    absl::string_view unit_id) const;
  absl::StatusOr<bool> UnitExists(sql::Session& s, absl::string_view unit_id) const;

 private:
  absl::Status LoadTrainings(sql::Session& s, std::vector<Agent>& agents) const;

  sql::Dialect dialect_;
};

}  // namespace ibm::registry::store
