#include "cases/store/interventions.h"

#include <map>

#include "absl/strings/str_join.h"
#include "cases/store/tables.h"

namespace ibm::cases::store {
namespace {

constexpr int kRecorded = 1;  // v1::RECORD_STATE_RECORDED

// ---- Sessions.

constexpr char kSessionColumns[] =
    "id, unit_id, village_code, kind, format, session_date, state, attendee_count, "
    "attended_count, details, create_actor, version, create_time, update_time";
constexpr char kSelectSession[] =
    "SELECT %s FROM intervention_sessions WHERE unit_id = ? AND id = ?";
constexpr char kInsertSession[] =
    "INSERT INTO intervention_sessions (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateSession[] =
    "UPDATE intervention_sessions SET kind = ?, format = ?, session_date = ?, state = ?, "
    "attendee_count = ?, attended_count = ?, details = ?, version = ?, update_time = ? "
    "WHERE id = ?";
// The attendance: one row per (session, client), with the session's unit, date and state
// beside it so that a client's sessions and a unit's attendance count on an index alone.
constexpr char kAttendanceColumns[] =
    "session_id, entry_no, client_id, unit_id, case_id, session_date, state, attended";
constexpr char kSelectAttendance[] =
    "SELECT %s FROM intervention_attendance WHERE session_id IN %s ORDER BY session_id, entry_no";
constexpr char kInsertAttendanceHead[] =
    "INSERT INTO intervention_attendance (session_id, entry_no, client_id, unit_id, case_id, "
    "session_date, state, attended)";
constexpr char kDeleteAttendance[] = "DELETE FROM intervention_attendance WHERE session_id = ?";
constexpr char kListSessions[] =
    "SELECT %s FROM intervention_sessions WHERE %s ORDER BY session_date DESC, unit_id, id "
    "LIMIT ?";
constexpr char kSessionByUnit[] = "unit_id = ?";
constexpr char kSessionByClient[] =
    "id IN (SELECT session_id FROM intervention_attendance WHERE client_id = ?)";
constexpr char kSessionFromVillage[] = "village_code >= ?";
constexpr char kSessionToVillage[] = "village_code < ?";
constexpr char kSessionByKind[] = "kind = ?";
constexpr char kSessionFromDate[] = "session_date >= ?";
constexpr char kSessionToDate[] = "session_date <= ?";
constexpr char kSessionRecordedOnly[] = "state = ?";
constexpr char kAfterSession[] =
    "(session_date < ? OR (session_date = ? AND (unit_id > ? OR (unit_id = ? AND id > ?))))";

InterventionSession SessionFromRow(const sql::Row& row) {
  InterventionSession r;
  r.id = row.Text("id");
  r.unit_id = row.Text("unit_id");
  r.village_code = row.Text("village_code");
  r.kind = static_cast<int>(row.Int("kind"));
  r.format = static_cast<int>(row.Int("format"));
  r.session_date = row.Text("session_date");
  r.state = static_cast<int>(row.Int("state"));
  r.attendee_count = static_cast<int>(row.Int("attendee_count"));
  r.attended_count = static_cast<int>(row.Int("attended_count"));
  r.details = row.Blob("details");
  r.create_actor = row.Text("create_actor");
  r.version = row.Int("version");
  r.create_time_us = row.Int("create_time");
  r.update_time_us = row.Int("update_time");
  return r;
}

void CountAttendance(InterventionSession& r) {
  r.attendee_count = static_cast<int>(r.attendance.size());
  r.attended_count = 0;
  for (const SessionAttendee& a : r.attendance) r.attended_count += a.attended ? 1 : 0;
}

// Fills in the attendance of `sessions` (one query for all of them).
absl::Status LoadAttendance(sql::Session& s, std::vector<InterventionSession*> sessions) {
  if (sessions.empty()) return absl::OkStatus();
  std::map<std::string, InterventionSession*> by_id;
  sql::Params params;
  for (InterventionSession* r : sessions) {
    by_id[r->id] = r;
    params.push_back(r->id);
  }
  auto rows = s.Query(
      sql::Statement(kSelectAttendance, {kAttendanceColumns, sql::Placeholders(params.size())}),
      params);
  if (!rows.ok()) return rows.status();
  for (const sql::Row& row : *rows) {
    auto it = by_id.find(row.Text("session_id"));
    if (it == by_id.end()) continue;
    it->second->attendance.push_back(
        SessionAttendee{row.Text("client_id"), row.Text("case_id"), row.Int("attended") != 0});
  }
  return absl::OkStatus();
}

// ---- Contacts.

constexpr char kContactColumns[] =
    "id, unit_id, case_id, client_id, kind, mode, observation, contact_date, state, details, "
    "create_actor, version, create_time, update_time";
constexpr char kSelectContact[] =
    "SELECT %s FROM support_contacts WHERE unit_id = ? AND case_id = ? AND id = ?";
constexpr char kInsertContact[] =
    "INSERT INTO support_contacts (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kUpdateContact[] =
    "UPDATE support_contacts SET kind = ?, mode = ?, observation = ?, contact_date = ?, "
    "state = ?, details = ?, version = ?, update_time = ? WHERE id = ?";
constexpr char kListContacts[] =
    "SELECT %s FROM support_contacts WHERE %s ORDER BY contact_date DESC, case_id, id LIMIT ?";
constexpr char kContactByUnit[] = "unit_id = ?";
constexpr char kContactByCase[] = "case_id = ?";
constexpr char kContactByKind[] = "kind = ?";
constexpr char kContactFromDate[] = "contact_date >= ?";
constexpr char kContactToDate[] = "contact_date <= ?";
constexpr char kContactRecordedOnly[] = "state = ?";
constexpr char kAfterContact[] =
    "(contact_date < ? OR (contact_date = ? AND (case_id > ? OR (case_id = ? AND id > ?))))";

SupportContact ContactFromRow(const sql::Row& row) {
  SupportContact r;
  r.id = row.Text("id");
  r.unit_id = row.Text("unit_id");
  r.case_id = row.Text("case_id");
  r.client_id = row.Text("client_id");
  r.kind = static_cast<int>(row.Int("kind"));
  r.mode = static_cast<int>(row.Int("mode"));
  r.observation = static_cast<int>(row.Int("observation"));
  r.contact_date = row.Text("contact_date");
  r.state = static_cast<int>(row.Int("state"));
  r.details = row.Blob("details");
  r.create_actor = row.Text("create_actor");
  r.version = row.Int("version");
  r.create_time_us = row.Int("create_time");
  r.update_time_us = row.Int("update_time");
  return r;
}

}  // namespace

// ---- Sessions.

absl::StatusOr<InterventionSession> InterventionSessions::Get(sql::Session& s,
                                                              absl::string_view unit_id,
                                                              absl::string_view id,
                                                              absl::string_view name,
                                                              bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectSession, {kSessionColumns}, for_update ? dialect_.ForUpdate() : ""),
      {unit_id, id}, name);
  if (!row.ok()) return row.status();
  InterventionSession r = SessionFromRow(*row);
  if (auto st = LoadAttendance(s, {&r}); !st.ok()) return st;
  return r;
}

absl::Status InterventionSessions::InsertAttendance(sql::Session& s,
                                                    const InterventionSession& r) const {
  if (r.attendance.empty()) return absl::OkStatus();
  sql::Params values;
  values.reserve(r.attendance.size() * 8);
  for (size_t i = 0; i < r.attendance.size(); ++i) {
    const SessionAttendee& a = r.attendance[i];
    values.insert(values.end(), {r.id, static_cast<int64_t>(i), a.client_id, r.unit_id, a.case_id,
                                 r.session_date, r.state, a.attended ? 1 : 0});
  }
  return s.InsertRows(kInsertAttendanceHead, 8, values);
}

absl::Status InterventionSessions::Insert(sql::Session& s, InterventionSession& r) const {
  CountAttendance(r);
  auto done = s.Exec(sql::Statement(kInsertSession, {kSessionColumns}),
                     {r.id, r.unit_id, r.village_code, r.kind, r.format, r.session_date, r.state,
                      r.attendee_count, r.attended_count, sql::Bytes{r.details}, r.create_actor,
                      r.version, r.create_time_us, r.update_time_us});
  if (!done.ok()) return done.status();
  return InsertAttendance(s, r);
}

absl::Status InterventionSessions::Update(sql::Session& s, InterventionSession& r) const {
  CountAttendance(r);
  r.version += 1;
  auto done = s.Exec(kUpdateSession,
                     {r.kind, r.format, r.session_date, r.state, r.attendee_count, r.attended_count,
                      sql::Bytes{r.details}, r.version, r.update_time_us, r.id});
  if (!done.ok()) return done.status();
  // The attendance follows the session whole: its rows carry the date and the state.
  if (auto gone = s.Exec(kDeleteAttendance, {r.id}); !gone.ok()) return gone.status();
  return InsertAttendance(s, r);
}

absl::StatusOr<std::vector<InterventionSession>> InterventionSessions::List(
    sql::Session& s, const SessionFilter& f, const std::optional<SessionPosition>& after, int limit,
    bool with_attendance) const {
  std::vector<absl::string_view> where;
  sql::Params params;
  if (!f.unit_id.empty()) {
    where.push_back(kSessionByUnit);
    params.push_back(f.unit_id);
  }
  if (!f.client_id.empty()) {
    where.push_back(kSessionByClient);
    params.push_back(f.client_id);
  }
  if (!f.village_from.empty()) {
    where.push_back(kSessionFromVillage);
    params.push_back(f.village_from);
    where.push_back(kSessionToVillage);
    params.push_back(f.village_to);
  }
  if (f.kind != 0) {
    where.push_back(kSessionByKind);
    params.push_back(f.kind);
  }
  if (!f.start_date.empty()) {
    where.push_back(kSessionFromDate);
    params.push_back(f.start_date);
  }
  if (!f.end_date.empty()) {
    where.push_back(kSessionToDate);
    params.push_back(f.end_date);
  }
  if (!f.show_voided) {
    where.push_back(kSessionRecordedOnly);
    params.push_back(kRecorded);
  }
  if (after) {
    where.push_back(kAfterSession);
    for (const std::string* p : {&after->session_date, &after->session_date, &after->unit_id,
                                 &after->unit_id, &after->id}) {
      params.push_back(*p);
    }
  }
  const std::string conditions = where.empty() ? "1 = 1" : absl::StrJoin(where, " AND ");
  params.push_back(limit);
  auto rows = s.Query(sql::Statement(kListSessions, {kSessionColumns, conditions}), params);
  if (!rows.ok()) return rows.status();
  std::vector<InterventionSession> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(SessionFromRow(row));
  if (with_attendance) {
    std::vector<InterventionSession*> all;
    for (InterventionSession& r : out) all.push_back(&r);
    if (auto st = LoadAttendance(s, all); !st.ok()) return st;
  }
  return out;
}

// ---- Contacts.

absl::StatusOr<SupportContact> SupportContacts::Get(sql::Session& s, absl::string_view unit_id,
                                                    absl::string_view case_id, absl::string_view id,
                                                    absl::string_view name, bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectContact, {kContactColumns}, for_update ? dialect_.ForUpdate() : ""),
      {unit_id, case_id, id}, name);
  if (!row.ok()) return row.status();
  return ContactFromRow(*row);
}

absl::Status SupportContacts::Insert(sql::Session& s, const SupportContact& r) const {
  return s
      .Exec(sql::Statement(kInsertContact, {kContactColumns}),
            {r.id, r.unit_id, r.case_id, r.client_id, r.kind, r.mode, r.observation, r.contact_date,
             r.state, sql::Bytes{r.details}, r.create_actor, r.version, r.create_time_us,
             r.update_time_us})
      .status();
}

absl::Status SupportContacts::Update(sql::Session& s, SupportContact& r) const {
  r.version += 1;
  return s
      .Exec(kUpdateContact, {r.kind, r.mode, r.observation, r.contact_date, r.state,
                             sql::Bytes{r.details}, r.version, r.update_time_us, r.id})
      .status();
}

absl::StatusOr<std::vector<SupportContact>> SupportContacts::List(
    sql::Session& s, const ContactFilter& f, const std::optional<ContactPosition>& after,
    int limit) const {
  std::vector<absl::string_view> where = {kContactByUnit};
  sql::Params params;
  params.push_back(f.unit_id);
  if (!f.case_id.empty()) {
    where.push_back(kContactByCase);
    params.push_back(f.case_id);
  }
  if (f.kind != 0) {
    where.push_back(kContactByKind);
    params.push_back(f.kind);
  }
  if (!f.start_date.empty()) {
    where.push_back(kContactFromDate);
    params.push_back(f.start_date);
  }
  if (!f.end_date.empty()) {
    where.push_back(kContactToDate);
    params.push_back(f.end_date);
  }
  if (!f.show_voided) {
    where.push_back(kContactRecordedOnly);
    params.push_back(kRecorded);
  }
  if (after) {
    where.push_back(kAfterContact);
    for (const std::string* p : {&after->contact_date, &after->contact_date, &after->case_id,
                                 &after->case_id, &after->id}) {
      params.push_back(*p);
    }
  }
  params.push_back(limit);
  auto rows = s.Query(
      sql::Statement(kListContacts, {kContactColumns, absl::StrJoin(where, " AND ")}), params);
  if (!rows.ok()) return rows.status();
  std::vector<SupportContact> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(ContactFromRow(row));
  return out;
}

std::vector<std::string> InterventionTables() {
  return {
      // Intervention sessions, under their unit. `details` is the serialized session without
      // its attendance (duration, facilitators, counts of others, topic, notes, voiding):
      // never queried by. The columns are what lists and the unit metrics use
      // (INTERVENTION_SESSIONS: RECORDED sessions of a unit by session_date).
      "CREATE TABLE IF NOT EXISTS intervention_sessions (id VARCHAR(40) PRIMARY KEY, "
      "unit_id VARCHAR(40) NOT NULL, village_code VARCHAR(20) NOT NULL, kind INT NOT NULL, "
      "format INT NOT NULL, session_date VARCHAR(10) NOT NULL, state INT NOT NULL, "
      "attendee_count INT NOT NULL, attended_count INT NOT NULL, details {LONGBLOB} NOT NULL, "
      "create_actor VARCHAR(200) NOT NULL, version BIGINT NOT NULL, "
      "create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS intervention_sessions_by_unit ON intervention_sessions "
      "(unit_id, session_date, id)",
      "CREATE INDEX IF NOT EXISTS intervention_sessions_by_village ON intervention_sessions "
      "(village_code, session_date)",
      // A session's attendance: one row per (session, client), in the caller's order
      // (`entry_no`), with the session's unit, date and state copied beside it (rewritten
      // with the session): a client's sessions are listed, and a unit's attendance entries
      // and attended ones counted (SESSION_ATTENDANCE_SHARE), on an index.
      "CREATE TABLE IF NOT EXISTS intervention_attendance (session_id VARCHAR(40) NOT NULL, "
      "entry_no INT NOT NULL, client_id VARCHAR(40) NOT NULL, unit_id VARCHAR(40) NOT NULL, "
      "case_id VARCHAR(40) NOT NULL, session_date VARCHAR(10) NOT NULL, state INT NOT NULL, "
      "attended INT NOT NULL, PRIMARY KEY (session_id, client_id)) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS intervention_attendance_by_client ON intervention_attendance "
      "(client_id, session_date)",
      "CREATE INDEX IF NOT EXISTS intervention_attendance_by_unit ON intervention_attendance "
      "(unit_id, session_date, state)",
      // Recovery support contacts, under their case. `details` is the serialized contact
      // (duration, staff, referral_suggested, notes, voiding). SUPPORT_CONTACTS_PER_OPEN_CASE
      // counts a unit's RECORDED contacts by contact_date whose mode is not ATTEMPT_FAILED.
      "CREATE TABLE IF NOT EXISTS support_contacts (id VARCHAR(40) PRIMARY KEY, "
      "unit_id VARCHAR(40) NOT NULL, case_id VARCHAR(40) NOT NULL, "
      "client_id VARCHAR(40) NOT NULL, kind INT NOT NULL, mode INT NOT NULL, "
      "observation INT NOT NULL, contact_date VARCHAR(10) NOT NULL, state INT NOT NULL, "
      "details {LONGBLOB} NOT NULL, create_actor VARCHAR(200) NOT NULL, "
      "version BIGINT NOT NULL, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL) "
      "{TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS support_contacts_by_case ON support_contacts "
      "(unit_id, case_id, contact_date, id)",
      "CREATE INDEX IF NOT EXISTS support_contacts_by_unit ON support_contacts "
      "(unit_id, contact_date, case_id, id)",
  };
}

}  // namespace ibm::cases::store
