#pragma once

// The units store: every SQL statement about units, named, and rows mapped by column name into
// plain structs. No protos, no callers, no access rules: those are the handler's.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sql/database.h"

namespace ibm::registry::store {

// The years sorted, each once: the order a unit keeps and shows them in.
std::vector<int32_t> SortedYears(absl::Span<const int32_t> years);
// As stored: sorted, each once, comma-separated ("2024,2025"; "" for none).
std::string FiscalYearsText(absl::Span<const int32_t> years);
// The stored text back: the years in their order, skipping empty items and non-numbers.
std::vector<int32_t> ParseFiscalYearsText(absl::string_view text);

// An IBM unit as stored.
struct Unit {
  std::string id;            // "{village code}-{n}"
  std::string village_code;  // "32.73.04.1001"
  std::string satker_id;     // the fostering satker
  int status = 0;            // a v1::UnitStatus
  std::string inactive_reason;
  std::string formation_date;         // YYYY-MM-DD
  std::vector<int32_t> fiscal_years;  // sorted, each once (as written)
  bool desa_bersinar = false;
  bool high_risk = false;
  int64_t version = 1;  // the etag
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// A page of ListUnits: units by id after `after_id`, at most `limit`, filtered.
struct UnitQuery {
  std::string after_id;
  // When `id_to` is not empty: only ids in [id_from, id_to) (the units inside a region).
  std::string id_from;
  std::string id_to;
  std::string satker_id;  // "": any
  int status = 0;         // 0: any
  int limit = 0;
};

// A region as a place for a new unit.
struct VillageState {
  bool exists = false;
  bool retired = false;
};

class Units {
 public:
  explicit Units(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when there is no such unit. `for_update` locks the row.
  absl::StatusOr<Unit> Get(sql::Session& s, absl::string_view id, absl::string_view name,
                           bool for_update = false) const;
  // One query, whatever the page size.
  absl::StatusOr<std::vector<Unit>> List(sql::Session& s, const UnitQuery& q) const;
  // A new unit: open, so it holds its village (the one-open-unit-per-village key).
  // ALREADY_EXISTS when the village has an open unit or the id is taken. The fiscal years of
  // `u` become the ones written (sorted, each once).
  absl::Status Insert(sql::Session& s, Unit& u) const;
  // Writes the formation date, fiscal years and flags of `u`, one version up; `u.version`
  // becomes the new one and its fiscal years the ones written.
  absl::Status Update(sql::Session& s, Unit& u) const;
  // Writes the status and inactive reason of `u`, one version up (`u.version` becomes the
  // new one). `closes`: the unit no longer holds its village.
  absl::Status UpdateStatus(sql::Session& s, Unit& u, bool closes) const;

  // ---- What forming a unit reads.

  // Whether the registry has the region `code`, and whether an edition retired it.
  absl::StatusOr<VillageState> Village(sql::Session& s, absl::string_view code) const;
  // Of the satkers `a` and `b`, those that exist, by id.
  absl::StatusOr<std::vector<std::string>> ExistingSatkers(sql::Session& s, absl::string_view a,
                                                           absl::string_view b) const;
  // The id of the village's open unit (the row locked), if it has one.
  absl::StatusOr<std::optional<std::string>> OpenUnitIn(sql::Session& s,
                                                        absl::string_view village_code) const;
  // How many units the village has had, inactive ones included.
  absl::StatusOr<int64_t> CountInVillage(sql::Session& s, absl::string_view village_code) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::registry::store
