#pragma once

// The satkers store: every SQL statement about satkers, named, and rows mapped by column name into
// plain structs. No protos, no callers, no access rules: those are the handler's.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::registry::store {

// A satker (BNN work unit) as stored.
struct Satker {
  std::string id;                          // "bnn", "bnnp-32", "bnnk-32.73"
  int kind = 0;                            // a v1::SatkerKind
  std::optional<std::string> region_code;  // nullopt for BNN central
  std::optional<std::string> parent_id;    // nullopt for BNN central
  std::string display_name;
  std::string address;
  std::string phone;
  int64_t version = 1;  // the etag
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// A page of ListSatkers: satkers by id after `after_id`, at most `limit`, filtered.
struct SatkerQuery {
  std::string after_id;
  std::string parent_id;         // when not empty: only its direct children
  bool all_but_central = false;  // every satker but BNN central
  bool none = false;             // no satker at all
  // When `id_to` is not empty: only ids in [id_from, id_to).
  std::string id_from;
  std::string id_to;
  int kind = 0;  // 0: any
  int limit = 0;
};

// A current (not retired) province.
struct Province {
  std::string code;
  std::string name;
};

class Satkers {
 public:
  explicit Satkers(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when there is no such satker. `for_update` locks the row.
  absl::StatusOr<Satker> Get(sql::Session& s, absl::string_view id, absl::string_view name,
                             bool for_update = false) const;
  // One query, whatever the page size.
  absl::StatusOr<std::vector<Satker>> List(sql::Session& s, const SatkerQuery& q) const;
  absl::StatusOr<bool> Exists(sql::Session& s, absl::string_view id) const;
  // ALREADY_EXISTS when the id is taken; FAILED_PRECONDITION when the region or the parent
  // is missing.
  absl::Status Insert(sql::Session& s, const Satker& satker) const;
  // Writes the contact fields of `satker`, one version up; `satker.version` becomes the new one.
  absl::Status Update(sql::Session& s, Satker& satker) const;
  // The ids of BNN central (if it exists) and of every satker of `kind`.
  absl::StatusOr<std::set<std::string>> CentralAndKind(sql::Session& s, int kind) const;

  // ---- The regions satkers sit on.

  // The current name of the region `code`; nullopt when the registry lacks it or retired it.
  absl::StatusOr<std::optional<std::string>> CurrentRegionName(sql::Session& s,
                                                               absl::string_view code) const;
  absl::StatusOr<std::vector<Province>> CurrentProvinces(sql::Session& s) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::registry::store
