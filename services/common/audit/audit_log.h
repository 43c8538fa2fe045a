#pragma once

// The suite's audit log: append-only and tamper-evident. Each service keeps its entries in
// one table of its own database; every entry carries a hash chained to the one before it:
//
//   chain_hash = hex(HMAC-SHA256(chain key, previous chain_hash || canonical entry))
//
// The chain key is derived from the service's field-encryption key (--field_keys), which
// lives outside the database and its backups: someone who can write the database can
// change or delete entries but cannot make a chain that verifies. A one-row head table
// holds the last sequence and hash, so a truncated log is found too. The head is MAC'd
// under the same key, so moving the chain's start, or cutting the end and rewriting the
// head, is found too. What the database alone cannot show is a rollback of the whole log to
// an older consistent state (older entries with their older head): compare the head
// sequence 'ibmctl audit verify' prints with one recorded elsewhere.
//
// Appending and chaining are two steps, as in a transparency log's queue and sequencer
// (Trillian's): Append() writes the entry into the log's queue (`<table>_queue`) in the
// writer's own transaction, so the entry exists exactly when the change committed, with a
// MAC of its own under the chain key. A Sequencer then chains what is queued, in queue
// order, many entries per transaction, under the head row's lock. Writers therefore never
// wait on each other for the head (which held every writer's commit, flush included, one at
// a time), and several replicas' sequencers take turns on the head row. Between its commit
// and its chaining (milliseconds; at most --tick after a crash, at the next start) an entry
// is protected by its own MAC: a changed queued entry is never chained as it stands, but
// replaced in the chain by a record of the tampering (Verify reports it); a queued entry
// deleted in that window is not found.
//
// Keys: each entry names the key that chained it (the first --field_keys line then). Keep
// every key an entry names in the key file, or those entries cannot be verified.
//
// Verify() walks the chain in order and reports the first broken entry: a changed or
// forged entry (its hash), a deleted one (a gap in the sequence), a cut end (the head), or
// the chained record of a queued entry that was changed. Entries written before a service
// adopted the chain (its migration) are reported as such and not verified.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "base/sealing.h"
#include "base/status.h"
#include "sql/database.h"

namespace ibm::audit {

struct Entry {
  std::string resource;      // "units/32.73.04.1001-1"
  int action = 0;            // the service's enum value
  std::string actor;         // the token's subject
  std::string actor_satker;  // "bnnk-32.73"
  int64_t time_us = 0;       // microseconds since the Unix epoch
  std::string fields;        // comma-separated field paths
  std::string summary;       // codes and actions only: never names or free text
  std::string request_id;
};

// The action of the chained record that replaces a queued entry found changed before it
// was chained (its summary names the queue position).
inline constexpr int kTamperedQueueEntry = -1;

// The columns an audit table must have (besides the service's own):
//   seq BIGINT primary key, resource, action, actor, actor_satker, change_time, fields,
//   summary, request_id, chain_key VARCHAR(40), chain_hash VARCHAR(64)
// and a head table (`<table>_head`: id INT PRIMARY KEY, start_seq, last_seq, last_hash).
// ChainMigration() gives the statements that add them to an existing table.
std::vector<std::string> ChainMigration(absl::string_view table);
// The queue (`<table>_queue`): entries appended and not chained yet, with the columns of an
// entry as the audit table has them (resource VARCHAR(200), actor VARCHAR(200), actor_satker
// VARCHAR(40), fields VARCHAR(1000), request_id VARCHAR(100); the summary's length is the
// table's own), so that whatever was queued fits the table.
std::vector<std::string> QueueMigration(absl::string_view table, int summary_chars);

struct VerifyReport {
  int64_t verified = 0;        // entries whose hash and sequence were checked
  int64_t unchained = 0;       // entries from before the chain (not verifiable)
  int64_t head_seq = 0;        // the last sequence the head records
  int64_t broken_seq = 0;      // the first broken entry (0: none found)
  std::string problem;         // what is wrong with it
  int64_t next_after_seq = 0;  // where to continue (0: the end was reached)
  int64_t queued = 0;          // entries committed and not chained yet
};

class AuditLog {
 public:
  // `table`: the service's audit table; `service`: its name (part of the chain key).
  AuditLog(std::string table, std::string service,
           std::shared_ptr<const platform::FieldSealer> keys, sql::Dialect dialect);

  // Appends `entry` to the queue in the caller's transaction (committed, or rolled back,
  // with it); once it commits, the sequencer, if one runs, is told.
  absl::Status Append(sql::Session& s, const Entry& entry) const;

  // Chains at most `limit` queued entries, in queue order, in one transaction of its own;
  // yields how many it chained (fewer than `limit`: the queue is empty for now).
  absl::StatusOr<int64_t> Sequence(sql::Database& db, int64_t limit = 500) const;
  // Chains everything queued now: before a read that must see every committed entry.
  absl::Status SequenceAll(sql::Database& db) const;

  // Verifies at most `limit` entries after `after_seq` (0: from the start). Continue with
  // next_after_seq until it is 0; the head is checked when the end is reached.
  absl::StatusOr<VerifyReport> Verify(sql::Database& db, int64_t after_seq, int64_t limit,
                                      absl::Time deadline) const;
  // What a Verify method of a service does: chains what is queued first (a tampered log
  // refuses to chain and keeps its entries queued: the report then names the damage and
  // counts them), then Verify.
  absl::StatusOr<VerifyReport> ChainAndVerify(sql::Database& db, int64_t after_seq, int64_t limit,
                                              absl::Time deadline) const;

  const std::string& table() const { return table_; }

  // Rung after each commit that appended (the sequencer waits on it).
  class Doorbell {
   public:
    void Ring();
    // Waits until rung or `timeout` passed; false when Stop() was called.
    bool Wait(absl::Duration timeout);
    void Stop();

   private:
    absl::Mutex mu_;
    bool rung_ ABSL_GUARDED_BY(mu_) = false;
    bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  };
  Doorbell& doorbell() const { return *doorbell_; }

 private:
  std::string Hash(absl::string_view key_id, absl::string_view previous, int64_t seq,
                   const Entry& e) const;
  std::string HeadMac(absl::string_view key_id, int64_t start_seq, int64_t last_seq,
                      absl::string_view last_hash) const;
  std::string EntryMac(absl::string_view key_id, const Entry& e) const;
  absl::StatusOr<int64_t> SequenceIn(sql::Session& s, int64_t limit) const;
  bool GenuineHead(const sql::Row& head) const;

  absl::Status VerifyIn(sql::Session& s, int64_t after_seq, int64_t limit, absl::Time deadline,
                        VerifyReport* report) const;

  std::string table_, head_, queue_, service_;
  std::shared_ptr<const platform::FieldSealer> keys_;
  sql::Dialect dialect_;
  std::shared_ptr<Doorbell> doorbell_;
};

// Chains a service's audit logs in the background: when entries are appended (after a
// short pause that lets a burst gather into one transaction), and every `tick` in any case
// (entries left by a crash, or by another replica whose sequencer stopped). Errors are
// logged and retried at the next tick. The destructor stops it, after a last pass.
class Sequencer {
 public:
  struct Options {
    absl::Duration gather = absl::Milliseconds(5);
    absl::Duration tick = absl::Milliseconds(500);
  };
  // `db` and the logs must outlive the sequencer.
  Sequencer(sql::Database* db, std::vector<const AuditLog*> logs, Options options);
  Sequencer(sql::Database* db, std::vector<const AuditLog*> logs)
      : Sequencer(db, std::move(logs), Options{}) {}
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

 private:
  void Run(const AuditLog* log);
  sql::Database* db_;
  Options options_;
  std::vector<const AuditLog*> logs_;
  std::vector<std::thread> threads_;
};

// A service's Verify method over `log`: checks the request's `after_sequence` (not negative)
// and `max_entries` (0-1,000,000; 0: 100,000) into `v`, which may already hold the caller's
// own violations, then ChainAndVerify, and fills the response. The services' messages share
// these field names (ibm.registry.v1 VerifyChanges, ibm.cases.v1 VerifyAuditLog); a log born
// chained has no `unchained_entries`.
template <typename Request, typename Response>
absl::Status AnswerVerify(const AuditLog& log, sql::Database& db, const Request& req,
                          absl::Time deadline, platform::FieldViolations& v, Response* resp) {
  if (req.after_sequence() < 0) v.Add("after_sequence", "must not be negative");
  if (req.max_entries() < 0 || req.max_entries() > 1000000) {
    v.Add("max_entries", "must be 0-1,000,000 (0: 100,000)");
  }
  if (!v.empty()) return v.status();
  auto report = log.ChainAndVerify(db, req.after_sequence(),
                                   req.max_entries() == 0 ? 100000 : req.max_entries(), deadline);
  if (!report.ok()) return report.status();
  resp->set_verified_entries(report->verified);
  if constexpr (requires { resp->set_unchained_entries(0); }) {
    resp->set_unchained_entries(report->unchained);
  }
  resp->set_head_sequence(report->head_seq);
  resp->set_broken_sequence(report->broken_seq);
  resp->set_problem(report->problem);
  resp->set_next_after_sequence(report->next_after_seq);
  resp->set_queued_entries(report->queued);
  return absl::OkStatus();
}

}  // namespace ibm::audit
