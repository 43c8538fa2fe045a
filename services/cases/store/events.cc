#include "cases/store/events.h"

#include "cases/store/tables.h"

namespace ibm::cases::store {

std::vector<std::string> EventTables() {
  return {
      // The feed: each event written in the transaction of its change (the transactional
      // outbox), with the sequence the counter below gave it (events.cc says why publishing
      // happens there rather than in a later pass).
      "CREATE TABLE IF NOT EXISTS case_events (sequence BIGINT PRIMARY KEY, "
      "event_id VARCHAR(40) NOT NULL UNIQUE, type INT NOT NULL, publish_time BIGINT NOT NULL, "
      "event {LONGBLOB} NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS case_events_by_time ON case_events (publish_time)",
      // The feed's counter: one row, the last sequence handed out. It outlives pruned events,
      // so latest_sequence never goes back.
      "CREATE TABLE IF NOT EXISTS case_event_feed (id INT PRIMARY KEY, "
      "last_sequence BIGINT NOT NULL) {TABLE_OPTIONS}",
      "INSERT INTO case_event_feed (id, last_sequence) SELECT 1, 0 FROM (SELECT 1 AS one) seed "
      "WHERE NOT EXISTS (SELECT 1 FROM case_event_feed WHERE id = 1)",
      // Subscriptions are configured with the deployment, one per consuming system: today
      // only the referrals system's. Re-running this (MySQL after a crash) adds nothing.
      "CREATE TABLE IF NOT EXISTS case_event_subscriptions (id VARCHAR(40) PRIMARY KEY, "
      "system_name VARCHAR(40) NOT NULL, acknowledged_sequence BIGINT NOT NULL, "
      "acknowledge_time BIGINT NULL) {TABLE_OPTIONS}",
      "INSERT INTO case_event_subscriptions (id, system_name, acknowledged_sequence) "
      "SELECT 'referrals', 'referrals', 0 FROM (SELECT 1 AS one) seed "
      "WHERE NOT EXISTS (SELECT 1 FROM case_event_subscriptions WHERE id = 'referrals')",
  };
}

namespace {

constexpr char kBumpSequence[] =
    "UPDATE case_event_feed SET last_sequence = last_sequence + 1 WHERE id = 1";
constexpr char kSelectSequence[] = "SELECT last_sequence FROM case_event_feed WHERE id = 1";
constexpr char kInsertEvent[] =
    "INSERT INTO case_events (sequence, event_id, type, publish_time, event) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr char kSelectEvents[] =
    "SELECT sequence, event_id, type, publish_time, event FROM case_events "
    "WHERE sequence > ? ORDER BY sequence LIMIT ?";
constexpr char kSelectSubscription[] =
    "SELECT id, system_name, acknowledged_sequence, acknowledge_time "
    "FROM case_event_subscriptions WHERE id = ?";
constexpr char kAcknowledge[] =
    "UPDATE case_event_subscriptions SET acknowledged_sequence = ?, acknowledge_time = ? "
    "WHERE id = ?";
constexpr char kPrune[] =
    "DELETE FROM case_events WHERE publish_time < ? AND sequence <= "
    "(SELECT MIN(acknowledged_sequence) FROM case_event_subscriptions)";

}  // namespace

absl::StatusOr<int64_t> Events::NextSequence(sql::Session& s) const {
  auto bumped = s.Exec(kBumpSequence);
  if (!bumped.ok()) return bumped.status();
  if (*bumped != 1) return absl::InternalError("the case event feed's counter row is missing");
  return LatestSequence(s);
}

absl::StatusOr<int64_t> Events::LatestSequence(sql::Session& s) const {
  auto row = s.QueryOne(kSelectSequence, {}, "the case event feed's counter");
  if (!row.ok()) return row.status();
  return row->Int("last_sequence");
}

absl::Status Events::Append(sql::Session& s, const Event& e) const {
  return s
      .Exec(kInsertEvent, {e.sequence, e.event_id, e.type, e.publish_time_us, sql::Bytes{e.body}})
      .status();
}

absl::StatusOr<std::vector<Event>> Events::After(sql::Session& s, int64_t after, int limit) const {
  auto rows = s.Query(kSelectEvents, {after, limit});
  if (!rows.ok()) return rows.status();
  std::vector<Event> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) {
    out.push_back(Event{row.Int("sequence"), row.Text("event_id"),
                        static_cast<int>(row.Int("type")), row.Int("publish_time"),
                        row.Blob("event")});
  }
  return out;
}

absl::StatusOr<Subscription> Events::GetSubscription(sql::Session& s, absl::string_view id,
                                                     absl::string_view name,
                                                     bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectSubscription, {}, for_update ? dialect_.ForUpdate() : ""), {id}, name);
  if (!row.ok()) return row.status();
  return Subscription{row->Text("id"), row->Text("system_name"), row->Int("acknowledged_sequence"),
                      row->OptInt("acknowledge_time")};
}

absl::Status Events::Acknowledge(sql::Session& s, absl::string_view id, int64_t sequence,
                                 int64_t time_us) const {
  return s.Exec(kAcknowledge, {sequence, time_us, id}).status();
}

absl::StatusOr<int64_t> Events::Prune(sql::Session& s, int64_t published_before_us) const {
  return s.Exec(kPrune, {published_before_us});
}

}  // namespace ibm::cases::store
