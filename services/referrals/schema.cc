// The referrals service's migrations: the tables of each area (store/) and what every
// service keeps (secrets, request ids, the change log).
#include "audit/audit_log.h"
#include "referrals/service.h"
#include "referrals/store/providers.h"

namespace ibm::referrals {

std::vector<sql::Migration> Migrations() {
  std::vector<std::string> first = {
      // Secrets shared by all replicas: the page-token key.
      "CREATE TABLE IF NOT EXISTS referrals_secrets (name VARCHAR(40) PRIMARY KEY, "
      "secret {LONGBLOB} NOT NULL) {TABLE_OPTIONS}",
      // Creates already done, by (caller, request_id): a retry returns the first result.
      "CREATE TABLE IF NOT EXISTS create_requests (request_id VARCHAR(100) PRIMARY KEY, "
      "method VARCHAR(60) NOT NULL, fingerprint VARCHAR(64) NOT NULL, "
      "resource VARCHAR(200) NOT NULL, create_time BIGINT NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS create_requests_by_time ON create_requests (create_time)",
      // Every change to a record (Core::RecordChange): names, codes and field names only.
      "CREATE TABLE IF NOT EXISTS changes (seq {AUTO_ID}, resource VARCHAR(200) NOT NULL, "
      "action INT NOT NULL, actor VARCHAR(200) NOT NULL, actor_satker VARCHAR(40) NOT NULL, "
      "change_time BIGINT NOT NULL, fields VARCHAR(1000) NOT NULL, "
      "summary VARCHAR(500) NOT NULL, request_id VARCHAR(100) NOT NULL) {TABLE_OPTIONS}",
      "CREATE INDEX IF NOT EXISTS changes_by_resource ON changes (resource, seq)",
  };
  for (const auto& area : {store::ProviderTables()}) {
    first.insert(first.end(), area.begin(), area.end());
  }
  for (std::string& chain : audit::ChainMigration("changes")) first.push_back(std::move(chain));
  for (std::string& q : audit::QueueMigration("changes", 500)) first.push_back(std::move(q));
  return {{1, "referrals: the provider directory, the change log", first}};
}

}  // namespace ibm::referrals
