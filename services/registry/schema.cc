// The registry's tables. Times are integer microseconds since the Unix epoch (UTC); dates
// are ISO text (YYYY-MM-DD); `version` counts updates and is the etag.
#include "audit/audit_log.h"
#include "registry/registry.h"

namespace ibm::registry {

std::vector<sql::Migration> Migrations() {
  return {
      {1,
       "registry: regions, satker, units, agents, officers, change log",
       {
           // A secret shared by all replicas: seals page tokens.
           "CREATE TABLE IF NOT EXISTS registry_secrets (name VARCHAR(40) PRIMARY KEY, "
           "secret {LONGBLOB} NOT NULL) {TABLE_OPTIONS}",

           // Kemendagri regions. Codes are never deleted: an edition that drops one marks it
           // retired, so references to it still resolve.
           "CREATE TABLE IF NOT EXISTS regions (code VARCHAR(13) PRIMARY KEY, level INT NOT NULL, "
           "parent_code VARCHAR(13), name VARCHAR(255) NOT NULL, "
           "first_edition VARCHAR(100) NOT NULL, last_edition VARCHAR(100) NOT NULL, "
           "retired_in VARCHAR(100)) {TABLE_OPTIONS}",
           "CREATE INDEX IF NOT EXISTS regions_by_parent ON regions (parent_code, code)",
           // Every word of every name (lowercased), for search by word prefix.
           "CREATE TABLE IF NOT EXISTS region_words (word VARCHAR(100) NOT NULL, "
           "code VARCHAR(13) NOT NULL, PRIMARY KEY (word, code)) {TABLE_OPTIONS}",
           // Imports: staged rows are invisible until the import commits.
           "CREATE TABLE IF NOT EXISTS region_imports (id VARCHAR(40) PRIMARY KEY, "
           "edition VARCHAR(100) NOT NULL, state INT NOT NULL, request_id VARCHAR(100), "
           "actor VARCHAR(200) NOT NULL, staged_rows BIGINT NOT NULL, staged_chunks INT NOT NULL, "
           "counts {LONGBLOB}, create_time BIGINT NOT NULL, commit_time BIGINT) {TABLE_OPTIONS}",
           "CREATE INDEX IF NOT EXISTS region_imports_by_commit ON region_imports (state, "
           "commit_time)",
           "CREATE TABLE IF NOT EXISTS region_import_chunks (import_id VARCHAR(40) NOT NULL, "
           "chunk_index INT NOT NULL, rows_count INT NOT NULL, "
           "PRIMARY KEY (import_id, chunk_index)) {TABLE_OPTIONS}",
           "CREATE TABLE IF NOT EXISTS region_import_rows (import_id VARCHAR(40) NOT NULL, "
           "code VARCHAR(13) NOT NULL, parent_code VARCHAR(13), name VARCHAR(255) NOT NULL, "
           "source_file VARCHAR(100) NOT NULL, source_line BIGINT NOT NULL, "
           "PRIMARY KEY (import_id, code)) {TABLE_OPTIONS}",

           // BNN work units: id "bnn", "bnnp-PP", "bnnk-PP.RR".
           "CREATE TABLE IF NOT EXISTS satkers (id VARCHAR(40) PRIMARY KEY, kind INT NOT NULL, "
           "region_code VARCHAR(13), parent_id VARCHAR(40), display_name VARCHAR(200) NOT NULL, "
           "address VARCHAR(500) NOT NULL, phone VARCHAR(30) NOT NULL, version BIGINT NOT NULL, "
           "create_time BIGINT NOT NULL, update_time BIGINT NOT NULL, "
           "FOREIGN KEY (region_code) REFERENCES regions (code), "
           "FOREIGN KEY (parent_id) REFERENCES satkers (id)) {TABLE_OPTIONS}",
           "CREATE INDEX IF NOT EXISTS satkers_by_parent ON satkers (parent_id, id)",

           // IBM units. `open_village` is the village code while the unit is not inactive:
           // its unique key allows one open unit per village on both engines.
           "CREATE TABLE IF NOT EXISTS units (id VARCHAR(40) PRIMARY KEY, "
           "village_code VARCHAR(13) NOT NULL, open_village VARCHAR(13) UNIQUE, "
           "satker_id VARCHAR(40) NOT NULL, status INT NOT NULL, "
           "inactive_reason VARCHAR(500) NOT NULL, formation_date VARCHAR(10) NOT NULL, "
           "fiscal_years VARCHAR(500) NOT NULL, desa_bersinar INT NOT NULL, "
           "high_risk INT NOT NULL, version BIGINT NOT NULL, create_time BIGINT NOT NULL, "
           "update_time BIGINT NOT NULL, "
           "FOREIGN KEY (village_code) REFERENCES regions (code), "
           "FOREIGN KEY (satker_id) REFERENCES satkers (id)) {TABLE_OPTIONS}",
           "CREATE INDEX IF NOT EXISTS units_by_satker ON units (satker_id, id)",

           // Recovery agents. Phone, address and the former-user flag are sensitive: they are
           // stored only inside contact_sealed, AES-256-GCM under the --field_keys key.
           "CREATE TABLE IF NOT EXISTS agents (id VARCHAR(40) PRIMARY KEY, "
           "unit_id VARCHAR(40) NOT NULL, display_name VARCHAR(200) NOT NULL, "
           "sk_number VARCHAR(100) NOT NULL, sk_date VARCHAR(10) NOT NULL, "
           "sk_valid_until VARCHAR(10) NOT NULL, sk_sha256 VARCHAR(64) NOT NULL, "
           "status INT NOT NULL, inactive_reason VARCHAR(500) NOT NULL, "
           "contact_sealed TEXT NOT NULL, "
           "version BIGINT NOT NULL, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL, "
           "FOREIGN KEY (unit_id) REFERENCES units (id)) {TABLE_OPTIONS}",
           "CREATE INDEX IF NOT EXISTS agents_by_unit ON agents (unit_id, id)",
           "CREATE TABLE IF NOT EXISTS agent_trainings (agent_id VARCHAR(40) NOT NULL, "
           "seq INT NOT NULL, training_date VARCHAR(10) NOT NULL, kind INT NOT NULL, "
           "hours DOUBLE NOT NULL, description VARCHAR(500) NOT NULL, "
           "PRIMARY KEY (agent_id, seq), FOREIGN KEY (agent_id) REFERENCES agents (id)) "
           "{TABLE_OPTIONS}",

           // Satker officers and the units they accompany.
           "CREATE TABLE IF NOT EXISTS officers (id VARCHAR(40) PRIMARY KEY, "
           "satker_id VARCHAR(40) NOT NULL, display_name VARCHAR(200) NOT NULL, "
           "nip VARCHAR(18) NOT NULL, position VARCHAR(200) NOT NULL, active INT NOT NULL, "
           "version BIGINT NOT NULL, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL, "
           "FOREIGN KEY (satker_id) REFERENCES satkers (id)) {TABLE_OPTIONS}",
           "CREATE INDEX IF NOT EXISTS officers_by_satker ON officers (satker_id, id)",
           "CREATE TABLE IF NOT EXISTS officer_units (officer_id VARCHAR(40) NOT NULL, "
           "unit_id VARCHAR(40) NOT NULL, PRIMARY KEY (officer_id, unit_id), "
           "FOREIGN KEY (officer_id) REFERENCES officers (id), "
           "FOREIGN KEY (unit_id) REFERENCES units (id)) {TABLE_OPTIONS}",

           // Creates already done, by request_id: a retry returns the first result.
           "CREATE TABLE IF NOT EXISTS create_requests (request_id VARCHAR(100) PRIMARY KEY, "
           "method VARCHAR(60) NOT NULL, fingerprint VARCHAR(64) NOT NULL, "
           "resource VARCHAR(200) NOT NULL, create_time BIGINT NOT NULL) {TABLE_OPTIONS}",

           // Who changed what, when. Never the values of sensitive fields.
           "CREATE TABLE IF NOT EXISTS changes (seq {AUTO_ID}, resource VARCHAR(200) NOT NULL, "
           "action INT NOT NULL, actor VARCHAR(200) NOT NULL, actor_satker VARCHAR(40) NOT NULL, "
           "change_time BIGINT NOT NULL, fields VARCHAR(1000) NOT NULL, "
           "summary VARCHAR(500) NOT NULL, request_id VARCHAR(100) NOT NULL) {TABLE_OPTIONS}",
           "CREATE INDEX IF NOT EXISTS changes_by_resource ON changes (resource, seq)",
       }},
      {2,
       "registry: exact ids (NO PAD), agents' inactive reason as a code, request ids expire",
       {
           // utf8mb4_bin is PAD SPACE: "units/...-1 " found the unit "...-1", and an audit
           // record could be filed under a name nobody would look up. SQLite's BINARY never
           // pads. Foreign keys link columns whose collation changes table by table.
           "{MYSQL_ONLY}SET FOREIGN_KEY_CHECKS = 0",
           "{MYSQL_ONLY}ALTER TABLE registry_secrets CONVERT TO CHARACTER SET utf8mb4 COLLATE "
           "{NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE regions CONVERT TO CHARACTER SET utf8mb4 COLLATE {NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE region_words CONVERT TO CHARACTER SET utf8mb4 COLLATE "
           "{NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE region_imports CONVERT TO CHARACTER SET utf8mb4 COLLATE "
           "{NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE region_import_chunks CONVERT TO CHARACTER SET utf8mb4 COLLATE "
           "{NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE region_import_rows CONVERT TO CHARACTER SET utf8mb4 COLLATE "
           "{NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE satkers CONVERT TO CHARACTER SET utf8mb4 COLLATE {NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE units CONVERT TO CHARACTER SET utf8mb4 COLLATE {NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE agents CONVERT TO CHARACTER SET utf8mb4 COLLATE {NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE agent_trainings CONVERT TO CHARACTER SET utf8mb4 COLLATE "
           "{NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE officers CONVERT TO CHARACTER SET utf8mb4 COLLATE {NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE officer_units CONVERT TO CHARACTER SET utf8mb4 COLLATE "
           "{NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE create_requests CONVERT TO CHARACTER SET utf8mb4 COLLATE "
           "{NOPAD_BIN}",
           "{MYSQL_ONLY}ALTER TABLE changes CONVERT TO CHARACTER SET utf8mb4 COLLATE {NOPAD_BIN}",
           "{MYSQL_ONLY}SET FOREIGN_KEY_CHECKS = 1",
           // An agent's inactive reason was free text in every view ("relapsed..." told what
           // the sealed former-user flag hides). It becomes a code; any text an officer adds
           // is sealed with the contact details. Old free text is not carried over in the
           // clear: it becomes OTHER and the column is emptied.
           "ALTER TABLE agents ADD COLUMN inactive_reason_code INT NOT NULL DEFAULT 0",
           "UPDATE agents SET inactive_reason_code = 6 WHERE status = 2",
           "UPDATE agents SET inactive_reason = ''",
           // Change summaries written before held names, decree numbers and free-text
           // reasons: from now on they hold codes only, and the old ones are emptied.
           "UPDATE changes SET summary = ''",
           // Request ids are now per caller (a hash of caller and id) and pruned by age.
           "CREATE INDEX IF NOT EXISTS create_requests_by_time ON create_requests (create_time)",
           // SearchRegions' bounded scan walks one level in code order.
           "CREATE INDEX IF NOT EXISTS regions_by_level ON regions (level, code)",
       }},
      // The change log becomes the audit log: every entry from here on is chained to the one
      // before it by an HMAC under a key derived from --field_keys (audit/audit_log.h).
      {3, "registry: the change log is a tamper-evident audit chain",
       audit::ChainMigration("changes")},
      // Entries are queued by the writer and chained by the sequencer (audit/audit_log.h).
      {4, "registry: the change log's queue", audit::QueueMigration("changes", 500)},
  };
}

}  // namespace ibm::registry
