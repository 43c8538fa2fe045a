#pragma once

// The clients' store: every SQL statement about clients, their sealed identity, the NIK
// index and NIK match notices, named; rows mapped by column name into plain structs. No
// protos, no callers, no access rules: those are the handler's.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::cases::store {

// A client as stored (the pseudonymous record; identity is apart).
struct Client {
  std::string id;
  std::string unit_id;       // the serving unit now
  std::string satker_id;     // the satker fostering that unit (from the registry)
  std::string village_code;  // the unit's village: what scope is checked against
  int sex = 0;
  std::optional<int> birth_year;
  std::string home_village;  // a village code, or ""
  int admission_path = 0;
  int legal_basis = 0;
  int state = 0;  // v1::Client::State
  int legal_order_kind = 0;  // 0: no legal order recorded
  bool has_identity = false;
  bool has_nik = false;
  bool nik_review_pending = false;
  std::string duplicate_of;  // a client id, or ""
  std::string open_case;     // the open case's name, or ""
  std::string details;       // serialized v1::Client with consent, history, withdrawal, voiding
  std::string create_actor;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// A client's identity as stored: one sealed value.
struct Identity {
  std::string client_id;
  std::string sealed;  // "" once erased
  bool erased = false;
  int64_t erase_time_us = 0;
  int64_t version = 1;
  int64_t update_time_us = 0;
};

class Clients {
 public:
  explicit Clients(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when there is no such client. `for_update` locks the row.
  absl::StatusOr<Client> Get(sql::Session& s, absl::string_view id, absl::string_view name,
                             bool for_update = false) const;
  absl::Status Insert(sql::Session& s, const Client& c) const;
  // Writes every field of `c`, one version up; `c.version` becomes the new one.
  absl::Status Update(sql::Session& s, Client& c) const;

  // The units where the client has been served (its scope for satkers that served it).
  absl::Status AddUnit(sql::Session& s, absl::string_view client_id,
                       absl::string_view unit_id) const;
  absl::StatusOr<std::vector<std::string>> Units(sql::Session& s,
                                                 absl::string_view client_id) const;

  // ---- Identity.
  absl::StatusOr<std::optional<Identity>> GetIdentity(sql::Session& s, absl::string_view client_id,
                                                      bool for_update = false) const;
  absl::Status PutIdentity(sql::Session& s, const Identity& identity) const;

  // ---- The NIK index (HMACs only).
  absl::StatusOr<std::vector<std::string>> ClientsWithNik(sql::Session& s,
                                                          absl::string_view nik_hmac) const;
  absl::Status IndexNik(sql::Session& s, absl::string_view nik_hmac, absl::string_view client_id,
                        absl::string_view key_id) const;
  absl::Status DropNik(sql::Session& s, absl::string_view client_id) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
