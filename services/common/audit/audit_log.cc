#include "audit/audit_log.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/crypto.h"
#include "base/logging.h"
#include "base/macros.h"

namespace ibm::audit {
namespace {

// The columns of an entry, in the order they are read back.
constexpr char kColumns[] =
    "seq, resource, action, actor, actor_satker, change_time, fields, summary, request_id, "
    "chain_key, chain_hash";

// The columns of a queued entry, in the order they are read back.
constexpr char kQueueColumns[] =
    "qid, resource, action, actor, actor_satker, change_time, fields, summary, request_id, "
    "entry_key, entry_mac";

// Length-prefixed, so that no two different entries have the same canonical form.
void AppendField(std::string* out, absl::string_view field) {
  absl::StrAppend(out, field.size(), ":", field, "|");
}

std::string Canonical(const Entry& e) {
  std::string canonical;
  AppendField(&canonical, e.resource);
  AppendField(&canonical, absl::StrCat(e.action));
  AppendField(&canonical, e.actor);
  AppendField(&canonical, e.actor_satker);
  AppendField(&canonical, absl::StrCat(e.time_us));
  AppendField(&canonical, e.fields);
  AppendField(&canonical, e.summary);
  AppendField(&canonical, e.request_id);
  return canonical;
}

Entry EntryFromRow(const sql::Row& row) {
  return Entry{row.Text("resource"),   static_cast<int>(row.Int("action")),
               row.Text("actor"),      row.Text("actor_satker"),
               row.Int("change_time"), row.Text("fields"),
               row.Text("summary"),    row.Text("request_id")};
}

// Multi-row statements of a few fixed sizes only, so that each connection prepares at
// most three shapes of them (sql::kMaxCachedStatements).
constexpr size_t kChunks[] = {64, 8, 1};

}  // namespace

std::vector<std::string> ChainMigration(absl::string_view table) {
  const std::string t(table);
  return {
      absl::StrCat("ALTER TABLE ", t, " ADD COLUMN chain_key VARCHAR(40) NOT NULL DEFAULT ''"),
      absl::StrCat("ALTER TABLE ", t, " ADD COLUMN chain_hash VARCHAR(64) NOT NULL DEFAULT ''"),
      absl::StrCat("CREATE TABLE IF NOT EXISTS ", t,
                   "_head (id INT PRIMARY KEY, start_seq BIGINT NOT NULL, last_seq BIGINT NOT "
                   "NULL, last_hash VARCHAR(64) NOT NULL, head_key VARCHAR(40) NOT NULL, "
                   "head_mac VARCHAR(64) NOT NULL) {TABLE_OPTIONS}"),
      // Entries already there are before the chain: it starts after the last of them. The
      // head's MAC is written when the first entry is chained, as the key is not in the
      // database; until then the unsealed head is genuine only while it is empty.
      absl::StrCat("INSERT INTO ", t, "_head (id, start_seq, last_seq, last_hash, head_key, ",
                   "head_mac) SELECT 1, COALESCE(MAX(seq), 0), COALESCE(MAX(seq), 0), '', '', '' ",
                   "FROM ", t, " WHERE NOT EXISTS (SELECT 1 FROM ", t, "_head)"),
  };
}

std::vector<std::string> QueueMigration(absl::string_view table, int summary_chars) {
  return {absl::StrCat(
      "CREATE TABLE IF NOT EXISTS ", table, "_queue (qid {AUTO_ID}, ",
      "resource VARCHAR(200) NOT NULL, action INT NOT NULL, actor VARCHAR(200) NOT NULL, ",
      "actor_satker VARCHAR(40) NOT NULL, change_time BIGINT NOT NULL, ",
      "fields VARCHAR(1000) NOT NULL, summary VARCHAR(", summary_chars, ") NOT NULL, ",
      "request_id VARCHAR(100) NOT NULL, entry_key VARCHAR(40) NOT NULL, ",
      "entry_mac VARCHAR(64) NOT NULL) {TABLE_OPTIONS}")};
}

AuditLog::AuditLog(std::string table, std::string service,
                   std::shared_ptr<const platform::FieldSealer> keys, sql::Dialect dialect)
    : table_(std::move(table)),
      head_(table_ + "_head"),
      queue_(table_ + "_queue"),
      service_(std::move(service)),
      keys_(std::move(keys)),
      dialect_(dialect),
      doorbell_(std::make_shared<Doorbell>()) {}

std::string AuditLog::Hash(absl::string_view key_id, absl::string_view previous, int64_t seq,
                           const Entry& e) const {
  auto key = keys_->DerivedKey(key_id, absl::StrCat("audit-chain|", service_));
  if (!key.ok()) return "";  // an unknown key never verifies
  std::string canonical;
  AppendField(&canonical, previous);
  AppendField(&canonical, absl::StrCat(seq));
  canonical += Canonical(e);
  AppendField(&canonical, key_id);
  return absl::BytesToHexString(platform::HmacSha256(*key, canonical));
}

std::string AuditLog::EntryMac(absl::string_view key_id, const Entry& e) const {
  auto key = keys_->DerivedKey(key_id, absl::StrCat("audit-queue|", service_));
  if (!key.ok()) return "";
  std::string canonical = Canonical(e);
  AppendField(&canonical, key_id);
  return absl::BytesToHexString(platform::HmacSha256(*key, canonical));
}

std::string AuditLog::HeadMac(absl::string_view key_id, int64_t start_seq, int64_t last_seq,
                              absl::string_view last_hash) const {
  auto key = keys_->DerivedKey(key_id, absl::StrCat("audit-head|", service_));
  if (!key.ok()) return "";
  std::string canonical;
  AppendField(&canonical, absl::StrCat(start_seq));
  AppendField(&canonical, absl::StrCat(last_seq));
  AppendField(&canonical, last_hash);
  AppendField(&canonical, key_id);
  return absl::BytesToHexString(platform::HmacSha256(*key, canonical));
}

// A head is genuine when its MAC verifies, or when it is the unsealed head the migration
// made and nothing was chained since (no MAC, no hash, last = start).
bool AuditLog::GenuineHead(const sql::Row& head) const {
  const std::string mac = head.Text("head_mac");
  if (mac.empty()) {
    return head.Text("last_hash").empty() && head.Int("last_seq") == head.Int("start_seq");
  }
  const std::string expected = HeadMac(head.Text("head_key"), head.Int("start_seq"),
                                       head.Int("last_seq"), head.Text("last_hash"));
  return !expected.empty() && expected == mac;
}

absl::Status AuditLog::Append(sql::Session& s, const Entry& e) const {
  const std::string& key_id = keys_->sealing_key_id();
  const std::string mac = EntryMac(key_id, e);
  if (mac.empty()) return IBM_BUG("the sealing key cannot derive the audit queue key");
  auto r = s.Exec(absl::StrCat("INSERT INTO ", queue_,
                               " (resource, action, actor, actor_satker, change_time, fields, "
                               "summary, request_id, entry_key, entry_mac) VALUES (?, ?, ?, ?, ?, "
                               "?, ?, ?, ?, ?)"),
                  {e.resource, e.action, e.actor, e.actor_satker, e.time_us, e.fields, e.summary,
                   e.request_id, key_id, mac});
  if (!r.ok()) return r.status();
  s.AfterCommit([bell = doorbell_] { bell->Ring(); });
  return absl::OkStatus();
}

absl::StatusOr<int64_t> AuditLog::Sequence(sql::Database& db, int64_t limit) const {
  int64_t chained = 0;
  IBM_RETURN_IF_ERROR(db.Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
    auto n = SequenceIn(s, limit);
    if (!n.ok()) return n.status();
    chained = *n;
    return absl::OkStatus();
  }));
  return chained;
}

absl::Status AuditLog::SequenceAll(sql::Database& db) const {
  constexpr int64_t kBatch = 500;
  // Only what is queued now: entries appended meanwhile are the sequencer's.
  auto queued = db.Query(absl::StrCat("SELECT COUNT(*) AS n FROM ", queue_));
  if (!queued.ok()) return queued.status();
  for (int64_t left = queued->front().Int("n"); left > 0;) {
    auto n = Sequence(db, kBatch);
    if (!n.ok()) return n.status();
    if (*n < kBatch) break;
    left -= *n;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> AuditLog::SequenceIn(sql::Session& s, int64_t limit) const {
  // The head row is the chain's lock: one sequencer at a time (of any replica), in order.
  // With it, how many entries lie past the head (the subquery reads without locking).
  auto head =
      s.Query(absl::StrCat("SELECT start_seq, last_seq, last_hash, head_key, head_mac, ",
                           "(SELECT COUNT(*) FROM ", table_, " WHERE seq > h.last_seq) ",
                           "AS past FROM ", head_, " h WHERE id = 1", dialect_.ForUpdate()));
  if (!head.ok()) return head.status();
  if (head->empty()) return IBM_BUG("the audit head row of ", table_, " is missing");
  if (!GenuineHead(head->front())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the audit log's head was changed outside the service; run 'ibmctl audit verify'"));
  }
  auto queued = s.Query(
      absl::StrCat("SELECT ", kQueueColumns, " FROM ", queue_, " ORDER BY qid LIMIT ?"), {limit});
  if (!queued.ok()) return queued.status();
  if (queued->empty()) return 0;
  const int64_t start = head->front().Int("start_seq");
  int64_t seq = head->front().Int("last_seq");
  std::string previous = head->front().Text("last_hash");
  // Entries written past the head were not chained (a replica of an older version still
  // writing during an upgrade): stop rather than collide with them.
  if (head->front().Int("past") > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the audit log has entries past its head (", seq,
                     "): something wrote them outside the chain, e.g. an older replica during "
                     "an upgrade; stop it, then run 'ibmctl audit verify'"));
  }
  const std::string& key_id = keys_->sealing_key_id();
  sql::Params rows;
  std::vector<int64_t> qids;
  for (const sql::Row& row : *queued) {
    Entry e = EntryFromRow(row);
    const std::string expected = EntryMac(row.Text("entry_key"), e);
    if (expected.empty() || expected != row.Text("entry_mac")) {
      // Changed (or forged) while queued: never chained as it stands. The chain records,
      // in its place, that queue position N was tampered with.
      platform::Log(platform::LogLevel::kError,
                    "audit: a queued entry was changed before it was chained",
                    {{"table", table_}, {"queue_position", row.Int("qid")}});
      e = Entry{absl::StrCat(table_, "_queue/", row.Int("qid")),
                kTamperedQueueEntry,
                "audit-sequencer",
                service_,
                e.time_us,
                "",
                "queued entry changed before it was chained",
                ""};
    }
    ++seq;
    const std::string hash = Hash(key_id, previous, seq, e);
    if (hash.empty()) return IBM_BUG("the sealing key cannot derive the audit chain key");
    for (sql::Value v : sql::Params{seq, e.resource, e.action, e.actor, e.actor_satker, e.time_us,
                                    e.fields, e.summary, e.request_id, key_id, hash}) {
      rows.push_back(std::move(v));
    }
    qids.push_back(row.Int("qid"));
    previous = hash;
  }
  constexpr size_t kColumnCount = 11;
  const std::string insert = absl::StrCat("INSERT INTO ", table_, " (", kColumns, ")");
  for (size_t at = 0, left = qids.size(); left > 0;) {
    for (size_t chunk : kChunks) {
      if (chunk > left) continue;
      sql::Params part(rows.begin() + at * kColumnCount,
                       rows.begin() + (at + chunk) * kColumnCount);
      IBM_RETURN_IF_ERROR(s.InsertRows(insert, kColumnCount, part, chunk));
      sql::Params ids(qids.begin() + at, qids.begin() + at + chunk);
      auto gone = s.Exec(
          absl::StrCat("DELETE FROM ", queue_, " WHERE qid IN ", sql::Placeholders(chunk)), ids);
      if (!gone.ok()) return gone.status();
      if (*gone != static_cast<int64_t>(chunk)) {
        return absl::AbortedError("audit queue entries went away while being chained");
      }
      at += chunk;
      left -= chunk;
      break;
    }
  }
  const std::string mac = HeadMac(key_id, start, seq, previous);
  auto r = s.Exec(
      absl::StrCat("UPDATE ", head_,
                   " SET last_seq = ?, last_hash = ?, head_key = ?, head_mac = ? WHERE id = 1"),
      {seq, previous, key_id, mac});
  if (!r.ok()) return r.status();
  return static_cast<int64_t>(qids.size());
}

void AuditLog::Doorbell::Ring() {
  absl::MutexLock lock(&mu_);
  rung_ = true;
}

bool AuditLog::Doorbell::Wait(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return rung_ || stopped_; };
  mu_.AwaitWithTimeout(absl::Condition(&woken), timeout);
  rung_ = false;
  return !stopped_;
}

void AuditLog::Doorbell::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

Sequencer::Sequencer(sql::Database* db, std::vector<const AuditLog*> logs, Options options)
    : db_(db), options_(options), logs_(std::move(logs)) {
  for (const AuditLog* log : logs_) threads_.emplace_back([this, log] { Run(log); });
}

Sequencer::~Sequencer() {
  for (const AuditLog* log : logs_) log->doorbell().Stop();
  for (std::thread& t : threads_) t.join();
}

void Sequencer::Run(const AuditLog* log) {
  bool running = true;
  while (running) {
    // At start (what a crash left), when rung, at every tick; a last pass when stopped.
    absl::Status s = log->SequenceAll(*db_);
    if (!s.ok()) {
      platform::Log(platform::LogLevel::kError,
                    "audit: chaining queued entries failed; retried at the next tick",
                    {{"table", log->table()}, {"error", std::string(s.message())}});
    }
    running = log->doorbell().Wait(options_.tick);
    if (running) absl::SleepFor(options_.gather);
  }
  if (absl::Status s = log->SequenceAll(*db_); !s.ok()) {
    platform::Log(platform::LogLevel::kError,
                  "audit: entries left queued at stop; chained at the next start",
                  {{"table", log->table()}, {"error", std::string(s.message())}});
  }
}

absl::StatusOr<VerifyReport> AuditLog::ChainAndVerify(sql::Database& db, int64_t after_seq,
                                                      int64_t limit, absl::Time deadline) const {
  absl::Status chained = SequenceAll(db);
  if (!chained.ok() && chained.code() != absl::StatusCode::kFailedPrecondition) return chained;
  return Verify(db, after_seq, limit, deadline);
}

absl::StatusOr<VerifyReport> AuditLog::Verify(sql::Database& db, int64_t after_seq, int64_t limit,
                                              absl::Time deadline) const {
  // One read-only transaction: the head and the entries are of the same moment, whatever
  // is appended meanwhile.
  VerifyReport report;
  absl::Status s = db.Transact(sql::TxMode::kReadOnly, [&](sql::Session& session) {
    report = VerifyReport{};
    return VerifyIn(session, after_seq, limit, deadline, &report);
  });
  if (!s.ok()) return s;
  return report;
}

absl::Status AuditLog::VerifyIn(sql::Session& db, int64_t after_seq, int64_t limit,
                                absl::Time deadline, VerifyReport* out) const {
  VerifyReport& report = *out;
  auto head = db.Query(absl::StrCat(
      "SELECT start_seq, last_seq, last_hash, head_key, head_mac FROM ", head_, " WHERE id = 1"));
  if (!head.ok()) return head.status();
  if (head->empty()) return IBM_BUG("the audit head row of ", table_, " is missing");
  const int64_t start = head->front().Int("start_seq");
  report.head_seq = head->front().Int("last_seq");
  auto queued = db.Query(absl::StrCat("SELECT COUNT(*) AS n FROM ", queue_));
  if (!queued.ok()) return queued.status();
  report.queued = queued->front().Int("n");
  const std::string head_hash = head->front().Text("last_hash");
  if (!GenuineHead(head->front())) {
    report.broken_seq = report.head_seq;
    report.problem =
        "the log's head (its last sequence and hash, or where the chain starts) was changed";
    return absl::OkStatus();
  }
  if (after_seq < start) {
    // Entries before the chain hold no hash; one that does was chained and is now being
    // passed off as older than the chain.
    auto old = db.Query(absl::StrCat("SELECT COUNT(*) AS n, MIN(CASE WHEN chain_hash <> '' THEN ",
                                     "seq END) AS first_chained FROM ", table_, " WHERE seq <= ?"),
                        {start});
    if (!old.ok()) return old.status();
    report.unchained = old->front().Int("n");
    if (!old->front().IsNull("first_chained")) {
      report.broken_seq = old->front().Int("first_chained");
      report.problem = "a chained entry lies before the chain's start";
      return absl::OkStatus();
    }
    after_seq = start;
  }
  // The hash the next entry must chain to: the one of `after_seq` (none at the start).
  std::string previous;
  if (after_seq > start) {
    auto row =
        db.Query(absl::StrCat("SELECT chain_hash FROM ", table_, " WHERE seq = ?"), {after_seq});
    if (!row.ok()) return row.status();
    if (row->empty()) {
      report.broken_seq = after_seq;
      report.problem = "the entry to continue after is missing";
      return absl::OkStatus();
    }
    previous = row->front().Text(0);
  }
  int64_t expected = after_seq + 1;
  constexpr int64_t kBatch = 1000;
  while (report.verified < limit) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError("verification ran out of time; continue after " +
                                         absl::StrCat(expected - 1));
    }
    const int64_t n = std::min(kBatch, limit - report.verified);
    auto rows = db.Query(
        absl::StrCat("SELECT ", kColumns, " FROM ", table_, " WHERE seq > ? ORDER BY seq LIMIT ?"),
        {expected - 1, n});
    if (!rows.ok()) return rows.status();
    for (const sql::Row& row : *rows) {
      const int64_t seq = row.Int(0);
      if (seq != expected) {
        report.broken_seq = expected;
        report.problem = absl::StrCat("entry ", expected, " is missing (the next is ", seq, ")");
        return absl::OkStatus();
      }
      Entry e{row.Text(1), static_cast<int>(row.Int(2)),
              row.Text(3), row.Text(4),
              row.Int(5),  row.Text(6),
              row.Text(7), row.Text(8)};
      const std::string key_id = row.Text(9);
      const std::string hash = Hash(key_id, previous, seq, e);
      if (hash.empty() || hash != row.Text(10)) {
        report.broken_seq = seq;
        report.problem =
            keys_->DerivedKey(key_id, "").ok()
                ? "its content or its place in the chain was changed"
                : absl::StrCat("it names key '", key_id, "', which is not in the key file");
        return absl::OkStatus();
      }
      if (e.action == kTamperedQueueEntry) {
        report.broken_seq = seq;
        report.problem = absl::StrCat("it records that ", e.resource,
                                      " was changed in the queue before it was chained");
        return absl::OkStatus();
      }
      previous = row.Text(10);
      ++report.verified;
      ++expected;
    }
    if (rows->size() < static_cast<size_t>(n)) {
      // The end: it must be where the head says.
      if (expected - 1 != report.head_seq || previous != head_hash) {
        report.broken_seq = expected - 1 < report.head_seq ? expected : expected - 1;
        report.problem = absl::StrCat("the log ends at ", expected - 1, " but its head records ",
                                      report.head_seq,
                                      ": entries were removed from the end, or the head changed");
      }
      return absl::OkStatus();
    }
  }
  report.next_after_seq = expected - 1;
  return absl::OkStatus();
}

}  // namespace ibm::audit
