#pragma once

// What every cases handler shares: the database, the clock, page tokens, idempotent
// creates, the sealed identity and its keyed NIK index, the identity access log, the
// registry, and the access checks that open every handler.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "audit/audit_log.h"
#include "auth/principal.h"
#include "base/paging.h"
#include "base/sealing.h"
#include "base/status.h"
#include "cases/access.h"
#include "cases/names.h"
#include "google/protobuf/message.h"
#include "platform/calls.h"
#include "registry/client/registry_client.h"
#include "resource/idempotency.h"
#include "sql/database.h"

namespace ibm::cases {

using auth::Principal;
using auth::Role;
using platform::Call;
using registry::CheckFormedBy;
using registry::RegistryClient;
using registry::UnitFacts;

// The unit of an agent's token ("units/{unit}/agents/{agent}" -> unit id); "" otherwise.
std::string AgentUnit(const Principal& caller);

class Core {
 public:
  struct Keys {
    std::shared_ptr<const platform::FieldSealer> sealer;     // --field_keys
    std::shared_ptr<const platform::FieldSealer> nik_index;  // --nik_index_keys
  };
  Core(sql::Database* db, platform::PageTokens tokens, std::function<absl::Time()> clock, Keys keys,
       std::shared_ptr<const RegistryClient> registry);

  sql::Database& db() const { return *db_; }
  const sql::Dialect& dialect() const { return db_->dialect(); }
  const platform::PageTokens& pages() const { return tokens_; }
  const platform::FieldSealer& sealer() const { return *keys_.sealer; }
  const RegistryClient& registry() const { return *registry_; }
  absl::Time Now() const { return clock_(); }
  int64_t NowMicros() const { return absl::ToUnixMicros(clock_()); }

  // The keyed index of a NIK: hex HMAC-SHA256 under the first key of the NIK-index key file
  // (its own file, apart from the field keys: docs/operations.md, Re-keying the NIK index).
  // The NIK itself is never stored in clear and never compared in SQL.
  std::string NikIndex(absl::string_view nik) const;
  // The id of the key NikIndex uses; stored with each index entry.
  const std::string& NikIndexKeyId() const { return keys_.nik_index->sealing_key_id(); }

  // ---- Access. The first step of every handler.

  // RequireAccess on the table, then, for an agent, that its record is ACTIVE in the
  // registry (PERMISSION_DENIED AGENT_INACTIVE otherwise).
  absl::StatusOr<Grant> Authorize(const Call& call, absl::string_view method) const;
  // The scope check on a unit the request names, for the cells that have one: ✓ (the
  // caller's satker scope covers the unit's village), ✓u (the agent's own unit), ✓f (the
  // caller's satker fosters the unit, asked of the registry), ✓n / ✓* (anywhere). Any other
  // cell is the handler's to check (INTERNAL here). PERMISSION_DENIED OUT_OF_SCOPE.
  absl::Status RequireUnitScope(const Call& call, const Grant& grant,
                                absl::string_view unit_id) const;
  // The unit, which must exist and not be INACTIVE (FAILED_PRECONDITION UNIT_INACTIVE
  // naming `field`): for every new record under it.
  absl::StatusOr<UnitFacts> RequireOpenUnit(const Call& call, absl::string_view unit_id,
                                            absl::string_view field) const;

  // People a record names (facilitators, staff): each an ACTIVE agent of `unit_id` (asked of
  // the registry on the caller's behalf) or an officer of a satker whose scope covers it;
  // violations named `list_field[i]`. Other shapes are the caller's to refuse.
  absl::Status CheckUnitPeople(const Call& call, platform::FieldViolations& v,
                               absl::string_view list_field,
                               const google::protobuf::RepeatedPtrField<std::string>& people,
                               absl::string_view unit_id) const;

  // ---- Idempotent creates (AIP-155), per caller; request ids kept for 7 days.
  absl::StatusOr<std::optional<std::string>> FindCreate(
      sql::Session& s, const Principal& caller, absl::string_view method,
      absl::string_view request_id, const google::protobuf::Message& request) const;
  absl::Status RememberCreate(sql::Session& s, const Principal& caller, absl::string_view method,
                              absl::string_view request_id,
                              const google::protobuf::Message& request,
                              absl::string_view resource) const;

  // ---- The change log (tamper-evident, like the registry's): who changed which record,
  // when, by which method, which fields. Names and codes only; never values. Every create
  // is logged by RememberCreate; updates, voids and moves call RecordChange.
  enum class ChangeAction { kCreate = 1, kUpdate = 2, kStateChange = 3 };
  absl::Status RecordChange(sql::Session& s, const Principal& caller, absl::string_view resource,
                            ChangeAction action, absl::string_view method,
                            const std::vector<std::string>& fields = {},
                            absl::string_view request_id = "") const;
  // The same for an update, void or move, from its request: the resource is the request's
  // `name` (or its record's, for an update), the fields its update_mask's paths.
  absl::Status RecordRequestChange(sql::Session& s, const Call& call, absl::string_view method,
                                   const google::protobuf::Message& request) const;
  const audit::AuditLog& change_log() const { return change_log_; }

  // ---- The identity access log (tamper-evident; docs/api.md, Sensitive fields).
  struct IdentityAccess {
    std::string client;  // clients/{id}; "" for a lookup that found nobody
    int action = 0;      // v1::IdentityAccessRecord::Action
    int purpose = 0;     // v1::IdentityAccessPurpose
    std::string justification;
    std::vector<std::string> fields;  // field names, never values
    int lookup_result = 0;            // v1::LookupClientByNikResponse::Result
    std::string probed_client;
    std::string referral;
    std::string nik_match_notice;
  };
  // Appends in the caller's transaction: the entry exists exactly when the access committed.
  absl::Status LogIdentityAccess(sql::Session& s, const Call& call,
                                 const IdentityAccess& access) const;
  const audit::AuditLog& identity_log() const { return identity_log_; }

 private:
  sql::Database* db_;
  platform::PageTokens tokens_;
  std::function<absl::Time()> clock_;
  Keys keys_;
  std::shared_ptr<const RegistryClient> registry_;
  audit::AuditLog identity_log_;
  audit::AuditLog change_log_;
  resource::CreateRequests creates_;
  std::unique_ptr<audit::Sequencer> sequencer_;  // last: stopped before the logs go
};

// The role as the identity access log names it: "officer", "agent", "system:referrals".
std::string ActorRole(const Principal& caller);

}  // namespace ibm::cases
