// The cases service's migrations: the tables of each area (store/tables.h) and what every
// service keeps (secrets, request ids, the identity access log).
#include "audit/audit_log.h"
#include "cases/service.h"
#include "cases/store/tables.h"

namespace ibm::cases {

std::vector<sql::Migration> Migrations() {
  std::vector<std::string> first = {
      // Secrets shared by all replicas: the page-token key.
      "CREATE TABLE IF NOT EXISTS cases_secrets (name VARCHAR(40) PRIMARY KEY, "
      "secret {LONGBLOB} NOT NULL) {TABLE_OPTIONS}",
      // Creates already done, by (caller, request_id): a retry returns the first result.
      "CREATE TABLE IF NOT EXISTS create_requests (request_id VARCHAR(100) PRIMARY KEY, "
      "method VARCHAR(60) NOT NULL, fingerprint VARCHAR(64) NOT NULL, "
      "resource VARCHAR(200) NOT NULL, create_time BIGINT NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS create_requests_by_time ON create_requests (create_time)",
      // Every read, write, erasure and lookup of an identity (Core::LogIdentityAccess):
      // codes, names and field names, the justification sealed; chained (audit/audit_log.h).
      "CREATE TABLE IF NOT EXISTS identity_access (seq {AUTO_ID}, "
      "resource VARCHAR(200) NOT NULL, action INT NOT NULL, actor VARCHAR(200) NOT NULL, "
      "actor_satker VARCHAR(40) NOT NULL, change_time BIGINT NOT NULL, "
      "fields VARCHAR(1000) NOT NULL, summary VARCHAR(2000) NOT NULL, "
      "request_id VARCHAR(100) NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS identity_access_by_resource ON identity_access (resource, seq)",
      // Every change to a record (Core::RecordChange): names, codes and field names only.
      "CREATE TABLE IF NOT EXISTS changes (seq {AUTO_ID}, resource VARCHAR(200) NOT NULL, "
      "action INT NOT NULL, actor VARCHAR(200) NOT NULL, actor_satker VARCHAR(40) NOT NULL, "
      "change_time BIGINT NOT NULL, fields VARCHAR(1000) NOT NULL, "
      "summary VARCHAR(500) NOT NULL, request_id VARCHAR(100) NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS changes_by_resource ON changes (resource, seq)",
      "CREATE INDEX IF NOT EXISTS identity_access_by_actor ON identity_access (actor, change_time)",
  };
  for (const auto& area :
       {store::ClientTables(), store::ScreeningTables(), store::CaseTables(), store::EventTables(),
        store::InterventionTables(), store::OutcomeTables(), store::ActivityTables()}) {
    first.insert(first.end(), area.begin(), area.end());
  }
  for (const char* log : {"identity_access", "changes"}) {
    for (std::string& chain : audit::ChainMigration(log)) first.push_back(std::move(chain));
  }
  // Entries are queued by the writer and chained by the sequencer (audit/audit_log.h). The
  // NIK lookups an officer made in the last hour are counted in both.
  std::vector<std::string> queues = audit::QueueMigration("identity_access", 2000);
  for (std::string& q : audit::QueueMigration("changes", 500)) queues.push_back(std::move(q));
  queues.push_back(
      "CREATE INDEX IF NOT EXISTS identity_access_queue_by_actor ON identity_access_queue "
      "(actor, change_time)");
  return {{1, "cases: clients, identity, screenings, routing, cases, events", first},
          {2, "cases: the audit logs' queues", queues}};
}

}  // namespace ibm::cases
