#pragma once

// AIP-155 idempotent creates. Every create carries a request_id (required in the suite);
// the first create with an id stores (caller, id) -> the resource it made, in the same
// transaction, so that a retry returns that resource instead of creating twice. Ids are
// each caller's own (keyed by the token's subject), remembered for 7 days, then pruned.
//
// The table (one per service):
//   CREATE TABLE <t> (request_id VARCHAR(100) PRIMARY KEY, method VARCHAR(60) NOT NULL,
//     fingerprint VARCHAR(64) NOT NULL, resource VARCHAR(200) NOT NULL,
//     create_time BIGINT NOT NULL)   plus an index on create_time.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "sql/database.h"

namespace ibm::resource {

class CreateRequests {
 public:
  CreateRequests(std::string table, sql::Dialect dialect)
      : table_(std::move(table)), dialect_(dialect) {}

  // Before creating: the resource this caller's create with `request_id` already made
  // within the retention (nullopt if none); INVALID_ARGUMENT on request_id when the caller
  // used it for another request (another method, or other fields). The row is locked (MySQL)
  // so that two concurrent retries serialize: the second sees the first's create.
  absl::StatusOr<std::optional<std::string>> Find(sql::Session& s, absl::string_view caller,
                                                  absl::string_view method,
                                                  absl::string_view request_id,
                                                  const google::protobuf::Message& request,
                                                  int64_t now_us) const;
  // After creating, in the same transaction, once Find found nothing (an expired record of
  // the id makes way; a live one is ALREADY_EXISTS). Now and then prunes ids past retention.
  absl::Status Remember(sql::Session& s, absl::string_view caller, absl::string_view method,
                        absl::string_view request_id, const google::protobuf::Message& request,
                        absl::string_view resource, int64_t now_us) const;

 private:
  std::string table_;
  sql::Dialect dialect_;
};

}  // namespace ibm::resource
