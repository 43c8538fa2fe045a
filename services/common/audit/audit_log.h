#pragma once

// The suite's audit log: append-only and tamper-evident. Each service keeps its entries in
// one table of its own database; every entry carries a hash chained to the one before it:
//
//   chain_hash = hex(HMAC-SHA256(chain key, previous chain_hash || canonical entry))
//
// The chain key is derived from the service's field-encryption key (--field_keys), which
// lives outside the database and its backups: someone who can write the database can
// change or delete entries but cannot make a chain that verifies. A one-row head table
// holds the last sequence and hash, so a truncated log is found too. Appends serialize on
// that row (SELECT ... FOR UPDATE on MySQL; SQLite writers are serialized anyway). The head
// is MAC'd under the same key, so moving the chain's start, or cutting the end and
// rewriting the head, is found too. What the database alone cannot show is a rollback of
// the whole log to an older consistent state (older entries with their older head):
// compare the head sequence 'ibmctl audit verify' prints with one recorded elsewhere.
//
// Keys: each entry names the key that chained it (the first --field_keys line then). Keep
// every key an entry names in the key file, or those entries cannot be verified.
//
// Verify() walks the chain in order and reports the first broken entry: a changed or
// forged entry (its hash), a deleted one (a gap in the sequence), or a cut end (the head).
// Entries written before a service adopted the chain (its migration) are reported as such
// and not verified.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/sealing.h"
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

// The columns an audit table must have (besides the service's own):
//   seq BIGINT primary key, resource, action, actor, actor_satker, change_time, fields,
//   summary, request_id, chain_key VARCHAR(40), chain_hash VARCHAR(64)
// and a head table (`<table>_head`: id INT PRIMARY KEY, start_seq, last_seq, last_hash).
// ChainMigration() gives the statements that add them to an existing table.
std::vector<std::string> ChainMigration(absl::string_view table);

struct VerifyReport {
  int64_t verified = 0;        // entries whose hash and sequence were checked
  int64_t unchained = 0;       // entries from before the chain (not verifiable)
  int64_t head_seq = 0;        // the last sequence the head records
  int64_t broken_seq = 0;      // the first broken entry (0: none found)
  std::string problem;         // what is wrong with it
  int64_t next_after_seq = 0;  // where to continue (0: the end was reached)
};

class AuditLog {
 public:
  // `table`: the service's audit table; `service`: its name (part of the chain key).
  AuditLog(std::string table, std::string service,
           std::shared_ptr<const platform::FieldSealer> keys, sql::Dialect dialect);

  // Appends `entry` in the caller's transaction (committed, or rolled back, with it).
  absl::Status Append(sql::Session& s, const Entry& entry) const;

  // Verifies at most `limit` entries after `after_seq` (0: from the start). Continue with
  // next_after_seq until it is 0; the head is checked when the end is reached.
  absl::StatusOr<VerifyReport> Verify(sql::Database& db, int64_t after_seq, int64_t limit,
                                      absl::Time deadline) const;

  const std::string& table() const { return table_; }

 private:
  std::string Hash(absl::string_view key_id, absl::string_view previous, int64_t seq,
                   const Entry& e) const;
  std::string HeadMac(absl::string_view key_id, int64_t start_seq, int64_t last_seq,
                      absl::string_view last_hash) const;
  bool GenuineHead(const sql::Row& head) const;

  absl::Status VerifyIn(sql::Session& s, int64_t after_seq, int64_t limit, absl::Time deadline,
                        VerifyReport* report) const;

  std::string table_, head_, service_;
  std::shared_ptr<const platform::FieldSealer> keys_;
  sql::Dialect dialect_;
};

}  // namespace ibm::audit
