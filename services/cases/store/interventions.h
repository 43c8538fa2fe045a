#pragma once

// The interventions' store: intervention sessions (with their attendance, one row per
// session and client) and recovery support contacts; every SQL statement named, rows mapped
// by column name into plain structs. No protos, no callers, no access rules: those are the
// handler's. A record's free parts (duration, facilitators or staff, topic, notes, voiding)
// are one serialized blob (`details`); the columns are what lists filter and sort on and
// what the unit metrics count (INTERVENTION_SESSIONS, SESSION_ATTENDANCE_SHARE,
// SUPPORT_CONTACTS_PER_OPEN_CASE): unit, date, state, kind, mode, attended.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::cases::store {

// One client a session was for, and whether they came.
struct SessionAttendee {
  std::string client_id;
  std::string case_id;  // the client's case in the session's unit the session counts for
  bool attended = false;
};

// An intervention session as stored. `attendance` is the child table's rows, in the order
// the caller gave them; `attendee_count` and `attended_count` follow them.
struct InterventionSession {
  std::string id;
  std::string unit_id;
  std::string village_code;  // the unit's village: what an officer's scope compares
  int kind = 0;              // v1::InterventionKind
  int format = 0;            // v1::SessionFormat
  std::string session_date;  // YYYY-MM-DD
  int state = 0;             // v1::RecordState
  int attendee_count = 0;
  int attended_count = 0;
  std::string details;  // serialized v1::InterventionSession without attendance
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  std::vector<SessionAttendee> attendance;
};

// Where a page of sessions ends: newest session_date first, then unit and id (the name).
struct SessionPosition {
  std::string session_date;
  std::string unit_id;
  std::string id;
};

// What ListInterventionSessions filters on; empty / 0 filters nothing. At least one of
// unit_id and client_id is set (the handler's rule), so every list runs on an index.
struct SessionFilter {
  std::string unit_id;
  std::string client_id;  // sessions listing this client in their attendance
  // Village codes from `village_from` (inclusive) to `village_to` (exclusive): the caller's
  // scope for `units/-` (see VillageRange in store/cases.h).
  std::string village_from, village_to;
  int kind = 0;
  std::string start_date;  // YYYY-MM-DD, inclusive
  std::string end_date;    // YYYY-MM-DD, inclusive
  bool show_voided = false;
};

class InterventionSessions {
 public:
  explicit InterventionSessions(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when the unit has no such session; with its attendance.
  // `for_update` locks the row.
  absl::StatusOr<InterventionSession> Get(sql::Session& s, absl::string_view unit_id,
                                          absl::string_view id, absl::string_view name,
                                          bool for_update = false) const;
  // The session and its attendance rows; the counts are taken from `row.attendance`.
  absl::Status Insert(sql::Session& s, InterventionSession& row) const;
  // Writes every field and replaces the attendance, one version up; `row.version` becomes
  // the new one.
  absl::Status Update(sql::Session& s, InterventionSession& row) const;
  // At most `limit` sessions matching `filter`, after `after` (the first page: nullopt).
  // With `with_attendance`, each carries its attendance (FULL lists); otherwise none.
  absl::StatusOr<std::vector<InterventionSession>> List(sql::Session& s,
                                                        const SessionFilter& filter,
                                                        const std::optional<SessionPosition>& after,
                                                        int limit, bool with_attendance) const;

 private:
  absl::Status InsertAttendance(sql::Session& s, const InterventionSession& row) const;
  sql::Dialect dialect_;
};

// A recovery support contact as stored.
struct SupportContact {
  std::string id;
  std::string unit_id;
  std::string case_id;  // the name is units/{unit_id}/cases/{case_id}/supportContacts/{id}
  std::string client_id;
  int kind = 0;              // v1::SupportKind
  int mode = 0;              // v1::ContactMode (ATTEMPT_FAILED did not reach the client)
  int observation = 0;       // v1::RecoveryObservation
  std::string contact_date;  // YYYY-MM-DD
  int state = 0;             // v1::RecordState
  std::string details;       // serialized v1::SupportContact
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// Where a page of contacts ends: newest contact_date first, then case and id (the name).
struct ContactPosition {
  std::string contact_date;
  std::string case_id;
  std::string id;
};

// What ListSupportContacts filters on; unit_id is always set, case_id "" for every case.
struct ContactFilter {
  std::string unit_id;
  std::string case_id;
  int kind = 0;
  std::string start_date;  // YYYY-MM-DD, inclusive
  std::string end_date;    // YYYY-MM-DD, inclusive
  bool show_voided = false;
};

class SupportContacts {
 public:
  explicit SupportContacts(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when the case has no such contact. `for_update` locks it.
  absl::StatusOr<SupportContact> Get(sql::Session& s, absl::string_view unit_id,
                                     absl::string_view case_id, absl::string_view id,
                                     absl::string_view name, bool for_update = false) const;
  absl::Status Insert(sql::Session& s, const SupportContact& row) const;
  // Writes every field, one version up; `row.version` becomes the new one.
  absl::Status Update(sql::Session& s, SupportContact& row) const;
  absl::StatusOr<std::vector<SupportContact>> List(sql::Session& s, const ContactFilter& filter,
                                                   const std::optional<ContactPosition>& after,
                                                   int limit) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
