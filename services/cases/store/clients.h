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
  int state = 0;             // v1::Client::State
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

// A NIK match notice as stored; `details` is the serialized NikMatchNotice.
struct Notice {
  std::string id;
  std::string satker_id;  // the holding satker it is filed under
  std::string client_id;  // the holder's client
  std::string requester_satker;
  int state = 1;  // v1::NikMatchNotice::State
  std::string details;
  int64_t version = 1;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
};

// An entry of the identity access log as stored (Core::LogIdentityAccess writes them).
struct IdentityAccessRow {
  int64_t seq = 0;
  std::string resource;  // clients/{id}, or clients/- for a lookup that found nobody
  int action = 0;
  std::string actor;
  std::string actor_satker;
  int64_t time_us = 0;
  std::string fields;  // comma-separated
  std::string
      summary;  // "role=...;purpose=N;lookup=N[;probed=1][;referral=..][;notice=..][;j=sealed]"
};

// What ListClients filters on; empty / 0 / nullopt: no filter.
struct ClientFilter {
  std::string unit_id;
  std::string satker_id;
  std::string village_prefix;  // the caller's scope ("32.73"); "" national
  std::string home_prefix;     // home_region's code prefix ("32.73")
  int state = 0;
  int admission_path = 0;
  bool nik_review_pending = false;
};

class Clients {
 public:
  explicit Clients(const sql::Dialect& dialect) : dialect_(dialect) {}

  // NOT_FOUND naming `name` when there is no such client. `for_update` locks the row.
  absl::StatusOr<Client> Get(sql::Session& s, absl::string_view id, absl::string_view name,
                             bool for_update = false) const;
  absl::Status Insert(sql::Session& s, const Client& c) const;
  // A page of clients by id after `after_id`: at most `limit` rows.
  absl::StatusOr<std::vector<Client>> List(sql::Session& s, const ClientFilter& f,
                                           absl::string_view after_id, int limit) const;
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
  // Index entries made under another key than `key_id` (after a rotation): at most `limit`
  // client ids, for re-indexing.
  absl::StatusOr<std::vector<std::string>> ClientsIndexedUnderOtherKey(sql::Session& s,
                                                                       absl::string_view key_id,
                                                                       int limit) const;

  // ---- The identity access log (read side; the audit chain writes it).
  // A page by seq after `after_seq`: of one resource ("" for every entry), of one actor ("":
  // any), from `start_us` to `end_us` (0: open).
  absl::StatusOr<std::vector<IdentityAccessRow>> IdentityAccess(sql::Session& s,
                                                                absl::string_view resource,
                                                                absl::string_view actor,
                                                                int64_t start_us, int64_t end_us,
                                                                int64_t after_seq, int limit) const;
  // The lookups (action 4) `actor` made since `since_us`: the hourly allowance.
  absl::StatusOr<int64_t> CountLookups(sql::Session& s, absl::string_view actor,
                                       int64_t since_us) const;
  // The unit ids of these clients, by client id (for scope checks of a page).
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> UnitsOf(
      sql::Session& s, const std::vector<std::string>& client_ids) const;

  // ---- NIK match notices.
  absl::StatusOr<Notice> GetNotice(sql::Session& s, absl::string_view satker_id,
                                   absl::string_view id, absl::string_view name,
                                   bool for_update = false) const;
  // The OPEN notice for this holder's client and requester satker, if any (locked).
  absl::StatusOr<std::optional<Notice>> FindOpenNotice(sql::Session& s, absl::string_view client_id,
                                                       absl::string_view requester_satker) const;
  absl::Status InsertNotice(sql::Session& s, const Notice& n) const;
  absl::Status UpdateNotice(sql::Session& s, Notice& n) const;
  // A page of a satker's notices by id (state 0: any).
  absl::StatusOr<std::vector<Notice>> ListNotices(sql::Session& s, absl::string_view satker_id,
                                                  int state, absl::string_view after_id,
                                                  int limit) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
