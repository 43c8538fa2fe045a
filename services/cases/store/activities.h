#pragma once

// The activities' store: unit activities (mapping reports, stakeholder meetings, KIE events),
// satker activities (set-up steps 1-3 and 6) and community report tallies. Every SQL
// statement named; rows mapped by column name into plain structs. Each record itself is one
// serialized protobuf (`details`); the columns beside it are what lists filter and sort on
// and what the unit metrics count. No protos, no callers, no access rules: those are the
// handler's.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::cases::store {

// ---- Unit activities.

struct UnitActivity {
  std::string id;
  std::string unit_id;          // the name is units/{unit_id}/activities/{id}
  std::string village_code;     // the unit's village: what scope and region filters compare
  std::string satker_id;        // the satker fostering the unit when it was recorded
  int kind = 0;                 // v1::UnitActivity::Kind
  std::string activity_date;    // YYYY-MM-DD
  int fiscal_year = 0;          // the year of activity_date
  std::string funding_sources;  // the FundingSource numbers, ",1,3," (LIKE-searchable)
  int state = 0;                // v1::RecordState
  std::string details;          // serialized v1::UnitActivity
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// ListUnitActivities' filters; empty (0) ones do not filter.
struct UnitActivityFilter {
  std::string unit_id;
  // Village codes in [from, to): a region (VillageRange), and the caller's scope.
  std::string village_from, village_to;
  std::string scope_from, scope_to;
  std::string satker_id;
  int kind = 0;
  int fiscal_year = 0;
  int funding_source = 0;
  bool show_voided = false;
};

// The position of an activity in the lists' order: newest activity_date first, then name.
struct UnitActivityPosition {
  std::string activity_date, unit_id, id;
};

// The funding sources as stored: ",1,3,".
std::string JoinCodes(const std::vector<int>& codes);

class UnitActivities {
 public:
  explicit UnitActivities(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when the unit has no such activity. `for_update` locks it.
  absl::StatusOr<UnitActivity> Get(sql::Session& s, absl::string_view unit_id, absl::string_view id,
                                   absl::string_view name, bool for_update = false) const;
  absl::Status Insert(sql::Session& s, const UnitActivity& a) const;
  // Writes every changeable column, one version up; `a.version` becomes the new one.
  absl::Status Update(sql::Session& s, UnitActivity& a) const;
  absl::StatusOr<std::vector<UnitActivity>> List(sql::Session& s, const UnitActivityFilter& f,
                                                 const std::optional<UnitActivityPosition>& after,
                                                 int limit) const;

 private:
  sql::Dialect dialect_;
};

// ---- Satker activities.

struct SatkerActivity {
  std::string id;
  std::string satker_id;    // the name is satkers/{satker_id}/activities/{id}
  std::string region_code;  // the satker's region ("32", "32.73"); "" for BNN central
  int kind = 0;             // v1::SatkerActivity::Kind
  std::string activity_date;
  int state = 0;
  std::vector<std::string> unit_ids;  // the units it names (kept in their own table)
  std::string details;                // serialized v1::SatkerActivity
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

struct SatkerActivityFilter {
  std::string satker_id;
  // Region codes in [from, to): the satker inside a region, and inside the caller's scope
  // (BNN central, region "", lies in no range: national callers set none).
  std::string region_from, region_to;
  std::string scope_from, scope_to;
  std::string unit_id;  // only activities naming this unit
  int kind = 0;
  std::string start_date, end_date;  // YYYY-MM-DD, inclusive
  bool show_voided = false;
};

struct SatkerActivityPosition {
  std::string activity_date, satker_id, id;
};

class SatkerActivities {
 public:
  explicit SatkerActivities(const sql::Dialect& dialect) : dialect_(dialect) {}

  absl::StatusOr<SatkerActivity> Get(sql::Session& s, absl::string_view satker_id,
                                     absl::string_view id, absl::string_view name,
                                     bool for_update = false) const;
  absl::Status Insert(sql::Session& s, const SatkerActivity& a) const;
  // Writes the columns and the units, one version up.
  absl::Status Update(sql::Session& s, SatkerActivity& a) const;
  absl::StatusOr<std::vector<SatkerActivity>> List(
      sql::Session& s, const SatkerActivityFilter& f,
      const std::optional<SatkerActivityPosition>& after, int limit) const;

 private:
  absl::Status WriteUnits(sql::Session& s, const SatkerActivity& a) const;
  absl::StatusOr<std::vector<std::string>> Units(sql::Session& s, absl::string_view id) const;
  sql::Dialect dialect_;
};

// ---- Community report tallies.

struct Tally {
  std::string id;
  std::string unit_id;  // the name is units/{unit_id}/communityReportTallies/{id}
  std::string village_code;
  std::string satker_id;
  std::string period_start, period_end;  // YYYY-MM-DD
  int64_t reports_received = 0;
  int state = 0;
  std::string details;  // serialized v1::CommunityReportTally
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

struct TallyFilter {
  std::string unit_id;
  std::string village_from, village_to;
  std::string scope_from, scope_to;
  std::string satker_id;
  std::string end_from, end_to;  // period_end in [end_from, end_to], inclusive
  bool show_voided = false;
};

// Newest period_end first, then name.
struct TallyPosition {
  std::string period_end, unit_id, id;
};

class Tallies {
 public:
  explicit Tallies(const sql::Dialect& dialect) : dialect_(dialect) {}

  absl::StatusOr<Tally> Get(sql::Session& s, absl::string_view unit_id, absl::string_view id,
                            absl::string_view name, bool for_update = false) const;
  absl::Status Insert(sql::Session& s, const Tally& t) const;
  absl::Status Update(sql::Session& s, Tally& t) const;
  absl::StatusOr<std::vector<Tally>> List(sql::Session& s, const TallyFilter& f,
                                          const std::optional<TallyPosition>& after,
                                          int limit) const;
  // The id of a RECORDED tally of the unit, other than `except_id`, whose period overlaps
  // [start, end]; nullopt when none does. Locks what it reads (MariaDB: the index range too,
  // so that two overlapping creates queue).
  absl::StatusOr<std::optional<std::string>> Overlapping(sql::Session& s, absl::string_view unit_id,
                                                         absl::string_view start,
                                                         absl::string_view end,
                                                         absl::string_view except_id) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
