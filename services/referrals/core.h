#pragma once

// What every referrals handler shares: the database, the clock, page tokens, idempotent
// creates, the change log, the registry, and the access checks that open every handler.

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
#include "google/protobuf/message.h"
#include "platform/calls.h"
#include "referrals/access.h"
#include "referrals/names.h"
#include "registry/client/registry_client.h"
#include "resource/idempotency.h"
#include "sql/database.h"

namespace ibm::referrals {

using auth::Principal;
using auth::Role;
using platform::Call;
using registry::RegistryClient;

class Core {
 public:
  Core(sql::Database* db, platform::PageTokens tokens, std::function<absl::Time()> clock,
       std::shared_ptr<const platform::FieldSealer> sealer,
       std::shared_ptr<const RegistryClient> registry);

  sql::Database& db() const { return *db_; }
  const sql::Dialect& dialect() const { return db_->dialect(); }
  const platform::PageTokens& pages() const { return tokens_; }
  const platform::FieldSealer& sealer() const { return *sealer_; }
  const RegistryClient& registry() const { return *registry_; }
  absl::Time Now() const { return clock_(); }
  int64_t NowMicros() const { return absl::ToUnixMicros(clock_()); }

  // ---- Access. The first step of every handler: RequireAccess on the table, then, for an
  // agent, that its record is ACTIVE in the registry (PERMISSION_DENIED AGENT_INACTIVE).
  absl::StatusOr<Grant> Authorize(const Call& call, absl::string_view method) const;

  // ---- Idempotent creates (AIP-155), per caller; request ids kept for 7 days.
  absl::StatusOr<std::optional<std::string>> FindCreate(
      sql::Session& s, const Principal& caller, absl::string_view method,
      absl::string_view request_id, const google::protobuf::Message& request) const;
  absl::Status RememberCreate(sql::Session& s, const Principal& caller, absl::string_view method,
                              absl::string_view request_id,
                              const google::protobuf::Message& request,
                              absl::string_view resource) const;

  // ---- The change log (tamper-evident): who changed which record, when, by which method,
  // which fields. Names and codes only; never values.
  enum class ChangeAction { kCreate = 1, kUpdate = 2, kStateChange = 3 };
  absl::Status RecordChange(sql::Session& s, const Principal& caller, absl::string_view resource,
                            ChangeAction action, absl::string_view method,
                            const std::vector<std::string>& fields = {},
                            absl::string_view request_id = "") const;
  const audit::AuditLog& change_log() const { return change_log_; }

 private:
  sql::Database* db_;
  platform::PageTokens tokens_;
  std::function<absl::Time()> clock_;
  std::shared_ptr<const platform::FieldSealer> sealer_;
  std::shared_ptr<const RegistryClient> registry_;
  audit::AuditLog change_log_;
  resource::CreateRequests creates_;
  std::unique_ptr<audit::Sequencer> sequencer_;  // last: stopped before the log goes
};

// The role as the change log names it: "officer", "provider", "system:supervision".
std::string ActorRole(const Principal& caller);

}  // namespace ibm::referrals
