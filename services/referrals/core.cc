#include "referrals/core.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/macros.h"

namespace ibm::referrals {

std::string ActorRole(const Principal& caller) {
  if (caller.role == Role::kSystem) return absl::StrCat("system:", caller.system);
  return std::string(auth::RoleName(caller.role));
}

Core::Core(sql::Database* db, platform::PageTokens tokens, std::function<absl::Time()> clock,
           std::shared_ptr<const platform::FieldSealer> sealer,
           std::shared_ptr<const RegistryClient> registry)
    : db_(db),
      tokens_(std::move(tokens)),
      clock_(std::move(clock)),
      sealer_(std::move(sealer)),
      registry_(std::move(registry)),
      change_log_("changes", "referrals", sealer_, db->dialect()),
      creates_("create_requests", db->dialect()),
      sequencer_(std::make_unique<audit::Sequencer>(
          db, std::vector<const audit::AuditLog*>{&change_log_})) {}

absl::StatusOr<Grant> Core::Authorize(const Call& call, absl::string_view method) const {
  if (!call.caller) return IBM_BUG("an authenticated method without a caller");
  auto grant = RequireAccess(*call.caller, method);
  if (!grant.ok()) return grant.status();
  if (grant->kind == CallerKind::kAgent) {
    std::vector<std::string> p = absl::StrSplit(call.caller->subject, '/');
    auto active = registry_->AgentActive(call, p[1], p[3]);
    if (!active.ok()) return active.status();
    if (!*active) {
      return platform::WithReason(
          absl::PermissionDeniedError("the agent is not an ACTIVE agent of its unit"),
          "AGENT_INACTIVE");
    }
  }
  return grant;
}

absl::StatusOr<std::optional<std::string>> Core::FindCreate(
    sql::Session& s, const Principal& caller, absl::string_view method,
    absl::string_view request_id, const google::protobuf::Message& request) const {
  return creates_.Find(s, caller.subject, method, request_id, request, NowMicros());
}

absl::Status Core::RememberCreate(sql::Session& s, const Principal& caller,
                                  absl::string_view method, absl::string_view request_id,
                                  const google::protobuf::Message& request,
                                  absl::string_view resource) const {
  IBM_RETURN_IF_ERROR(
      creates_.Remember(s, caller.subject, method, request_id, request, resource, NowMicros()));
  return RecordChange(s, caller, resource, ChangeAction::kCreate, method, {}, request_id);
}

absl::Status Core::RecordChange(sql::Session& s, const Principal& caller,
                                absl::string_view resource, ChangeAction action,
                                absl::string_view method, const std::vector<std::string>& fields,
                                absl::string_view request_id) const {
  return change_log_.Append(
      s,
      audit::Entry{std::string(resource), static_cast<int>(action), caller.subject.substr(0, 200),
                   caller.satker.empty() ? ActorRole(caller) : caller.satker.substr(0, 40),
                   NowMicros(), absl::StrJoin(fields, ",").substr(0, 1000),
                   absl::StrCat("method=", method), std::string(request_id)});
}

}  // namespace ibm::referrals
