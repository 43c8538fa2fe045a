#pragma once

// Secrets a service keeps in its own database, shared by all its replicas: created at random
// on first start (whichever replica comes first wins), read by every replica after.
//
// The table (one per service):
//   CREATE TABLE <t> (name VARCHAR(40) PRIMARY KEY, secret LONGBLOB NOT NULL)

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/paging.h"
#include "sql/database.h"

namespace ibm::resource {

// The secret `name` of `table`: 32 random bytes, made on first use.
absl::StatusOr<std::string> LoadSharedSecret(sql::Database& db, absl::string_view table,
                                             absl::string_view name);

// The page-token secret ("page_tokens" of `table`).
absl::StatusOr<platform::PageTokens> LoadPageTokens(sql::Database& db, absl::string_view table);

}  // namespace ibm::resource
