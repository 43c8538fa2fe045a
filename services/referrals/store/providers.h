#pragma once

// The provider directory's store: every SQL statement about providers, named; rows mapped by
// column name into plain structs. The provider's input fields are one serialized
// ibm.referrals.v1.Provider in `details`; the columns beside it are what the directory
// filters and constrains by (its coverage and principals in their own tables: a subject
// acts for one provider only, by the database's unique key). No protos, no callers.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::referrals::store {

std::vector<std::string> ProviderTables();

struct Provider {
  std::string id;
  std::string display_name;
  int kind = 0;               // v1::ProviderKind
  std::string location;       // its village's code, "32.73.04.1001"
  std::string satker_id;      // the satker whose scope covers the location
  int state = 0;              // v1::Provider::State
  bool ipwl = false;          // a designated IPWL
  int64_t service_types = 0;  // one bit per v1::ServiceType offered
  int mode = 0;               // v1::DeliveryChannel::Mode
  std::string details;        // serialized v1::Provider: input fields and state_reason
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  std::vector<std::string> coverage;    // region codes, dotted
  std::vector<std::string> principals;  // token subjects
};

// ListProviders' filters; empty ones do not filter.
struct ProviderFilter {
  std::vector<std::string> covering_codes;  // a region and every region enclosing it
  std::string located_in;                   // a region code: the location inside it
  int kind = 0;
  int64_t service_type_bit = 0;
  bool ipwl_only = false;
  std::vector<int> states;  // required: at least one
};

// The page position of a provider in ListProviders' order (display name, then id).
struct ProviderKey {
  std::string display_name, id;
};

class Providers {
 public:
  explicit Providers(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when there is no such provider. `for_update` locks the row.
  absl::StatusOr<Provider> Get(sql::Session& s, absl::string_view id, absl::string_view name,
                               bool for_update = false) const;
  // With its coverage and principals. ALREADY_EXISTS when a principal acts for another
  // provider already.
  absl::Status Insert(sql::Session& s, const Provider& p) const;
  // Writes every field of `p` and replaces its coverage and principals, one version up;
  // `p.version` becomes the new one.
  absl::Status Update(sql::Session& s, Provider& p) const;
  // In ListProviders' order, after `after` (nullopt: from the start), at most `limit`.
  absl::StatusOr<std::vector<Provider>> List(sql::Session& s, const ProviderFilter& filter,
                                             const std::optional<ProviderKey>& after,
                                             int limit) const;
  // The provider a token subject acts for, if any.
  absl::StatusOr<std::optional<std::string>> ProviderOfPrincipal(sql::Session& s,
                                                                 absl::string_view subject) const;
  // The provider another provider already lists `subject` for (nullopt: none but `id`).
  absl::StatusOr<std::optional<std::string>> OtherHolderOf(sql::Session& s,
                                                           absl::string_view subject,
                                                           absl::string_view id) const;

 private:
  absl::Status WriteChildren(sql::Session& s, const Provider& p) const;
  sql::Dialect dialect_;
};

}  // namespace ibm::referrals::store
