#pragma once

// The officers' store: every SQL statement about officers, named, and rows mapped by column
// name into plain structs. No protos, no callers, no access rules: those are the handler's.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::registry::store {

// An officer (petugas pendamping) as stored.
struct Officer {
  std::string id;
  std::string satker_id;
  std::string display_name;
  std::string nip;  // "" when not given
  std::string position;
  bool active = true;
  int64_t version = 1;  // the etag
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  std::vector<std::string> unit_ids;  // the units the officer accompanies, sorted
};

class Officers {
 public:
  explicit Officers(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when the satker has no such officer. `for_update` locks the row.
  absl::StatusOr<Officer> Get(sql::Session& s, absl::string_view satker_id, absl::string_view id,
                              absl::string_view name, bool for_update = false) const;
  // A page of a satker's officers by id, after `after_id`: at most `limit` rows, units
  // included (two queries, whatever the page size).
  absl::StatusOr<std::vector<Officer>> List(sql::Session& s, absl::string_view satker_id,
                                            absl::string_view after_id, int limit) const;
  absl::Status Insert(sql::Session& s, const Officer& o) const;
  // Writes the fields and units of `o`, one version up; `o.version` becomes the new one.
  absl::Status Update(sql::Session& s, Officer& o) const;
  // The satker that fosters the unit; nullopt when there is no such unit.
  absl::StatusOr<std::optional<std::string>> FosteringSatker(sql::Session& s,
                                                             absl::string_view unit_id) const;
  absl::StatusOr<bool> SatkerExists(sql::Session& s, absl::string_view satker_id) const;

 private:
  absl::Status ReplaceUnits(sql::Session& s, const Officer& o) const;
  absl::Status LoadUnits(sql::Session& s, std::vector<Officer>& officers) const;

  sql::Dialect dialect_;
};

}  // namespace ibm::registry::store
