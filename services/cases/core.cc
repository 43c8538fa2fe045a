#include "cases/core.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/crypto.h"
#include "base/macros.h"
#include "google/protobuf/field_mask.pb.h"

namespace ibm::cases {
namespace {

absl::Status OutOfScope(absl::string_view why) {
  return platform::WithReason(absl::PermissionDeniedError(why), "OUT_OF_SCOPE");
}

}  // namespace

std::string AgentUnit(const Principal& caller) {
  if (caller.role != Role::kAgent) return "";
  std::vector<std::string> p = absl::StrSplit(caller.subject, '/');
  return p.size() == 4 && p[0] == "units" && p[2] == "agents" ? p[1] : "";
}

std::string ActorRole(const Principal& caller) {
  if (caller.role == Role::kSystem) return absl::StrCat("system:", caller.system);
  return std::string(auth::RoleName(caller.role));
}

Core::Core(sql::Database* db, platform::PageTokens tokens, std::function<absl::Time()> clock,
           Keys keys, std::shared_ptr<const RegistryClient> registry)
    : db_(db),
      tokens_(std::move(tokens)),
      clock_(std::move(clock)),
      keys_(std::move(keys)),
      registry_(std::move(registry)),
      identity_log_("identity_access", "cases", keys_.sealer, db->dialect()),
      change_log_("changes", "cases", keys_.sealer, db->dialect()),
      creates_("create_requests", db->dialect()),
      sequencer_(std::make_unique<audit::Sequencer>(
          db, std::vector<const audit::AuditLog*>{&identity_log_, &change_log_})) {}

std::string Core::NikIndex(absl::string_view nik) const {
  auto key = keys_.nik_index->DerivedKey(NikIndexKeyId(), "nik-index");
  // The sealing key is always in its own file: DerivedKey cannot miss it.
  return absl::BytesToHexString(platform::HmacSha256(key.ok() ? *key : "", nik));
}

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

absl::Status Core::RequireUnitScope(const Call& call, const Grant& grant,
                                    absl::string_view unit_id) const {
  const Principal& caller = *call.caller;
  switch (grant.cell) {
    case Cell::kEverywhere:
    case Cell::kNational:
    case Cell::kCentral:
      return absl::OkStatus();
    case Cell::kScope:
      return auth::RequireScope(caller, UnitVillage(unit_id));
    case Cell::kOwnUnit:
      if (AgentUnit(caller) == unit_id) return absl::OkStatus();
      return OutOfScope("an agent acts in its own unit only");
    case Cell::kFostering: {
      IBM_RETURN_IF_ERROR(auth::RequireScope(caller, UnitVillage(unit_id)));
      auto unit = registry_->Unit(call, unit_id, "unit");
      if (!unit.ok()) return unit.status();
      if (unit->satker == caller.satker) return absl::OkStatus();
      return OutOfScope("only officers of the satker fostering the unit may do this");
    }
    default:
      return IBM_BUG("no unit scope rule for this cell");
  }
}

absl::Status Core::CheckUnitPeople(const Call& call, platform::FieldViolations& v,
                                   absl::string_view list_field,
                                   const google::protobuf::RepeatedPtrField<std::string>& people,
                                   absl::string_view unit_id) const {
  for (int i = 0; i < people.size(); ++i) {
    const std::string field = absl::StrCat(list_field, "[", i, "]");
    if (auto agent = ParseName(people[i], kAgentPattern, field); agent.ok()) {
      if ((*agent)[0] != unit_id) {
        v.Add(field, "must be an agent of the record's unit");
        continue;
      }
      auto active = registry_->AgentActive(call, (*agent)[0], (*agent)[1]);
      if (!active.ok()) return active.status();
      if (!*active) v.Add(field, "must be an ACTIVE agent of the record's unit");
    } else if (auto officer = ParseName(people[i], kOfficerPattern, field); officer.ok()) {
      auto scope = auth::Scope::OfSatker((*officer)[0]);
      if (!scope.ok() || !scope->Covers(UnitVillage(unit_id))) {
        v.Add(field, "must be an officer of a satker whose scope covers the record's unit");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<UnitFacts> Core::RequireOpenUnit(const Call& call, absl::string_view unit_id,
                                                absl::string_view field) const {
  auto unit = registry_->Unit(call, unit_id, field);
  if (!unit.ok()) return unit.status();
  if (unit->inactive) {
    return platform::WithReason(
        absl::FailedPreconditionError(
            absl::StrCat(field, ": units/", unit_id, " is INACTIVE: it takes no new records")),
        "UNIT_INACTIVE");
  }
  return unit;
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

absl::Status Core::RecordRequestChange(sql::Session& s, const Call& call, absl::string_view method,
                                       const google::protobuf::Message& request) const {
  using google::protobuf::FieldDescriptor;
  const auto* d = request.GetDescriptor();
  const auto* r = request.GetReflection();
  std::string resource;
  std::vector<std::string> fields;
  if (const FieldDescriptor* name = d->FindFieldByName("name");
      name != nullptr && name->type() == FieldDescriptor::TYPE_STRING) {
    resource = r->GetString(request, name);
  }
  for (int i = 0; i < d->field_count() && resource.empty(); ++i) {  // Update: its record's
    const FieldDescriptor* f = d->field(i);
    if (f->type() != FieldDescriptor::TYPE_MESSAGE || f->is_repeated()) continue;
    const auto& record = r->GetMessage(request, f);
    if (const FieldDescriptor* name = record.GetDescriptor()->FindFieldByName("name");
        name != nullptr && name->type() == FieldDescriptor::TYPE_STRING) {
      resource = record.GetReflection()->GetString(record, name);
    }
  }
  if (const FieldDescriptor* mask = d->FindFieldByName("update_mask"); mask != nullptr) {
    const auto& m = static_cast<const google::protobuf::FieldMask&>(r->GetMessage(request, mask));
    fields.assign(m.paths().begin(), m.paths().end());
  }
  const bool update = absl::StartsWith(method, "Update");
  return RecordChange(s, *call.caller, resource,
                      update ? ChangeAction::kUpdate : ChangeAction::kStateChange, method, fields,
                      call.request_id);
}

absl::Status Core::LogIdentityAccess(sql::Session& s, const Call& call,
                                     const IdentityAccess& a) const {
  const Principal& caller = *call.caller;
  // Codes and names only; the justification (free text) sealed. The chain covers it all.
  std::vector<std::string> summary = {absl::StrCat("role=", ActorRole(caller)),
                                      absl::StrCat("purpose=", a.purpose),
                                      absl::StrCat("lookup=", a.lookup_result)};
  // A lookup that matched a client outside the caller's scope is filed under that client
  // (so that its data subject can learn of it), marked as probed.
  if (!a.probed_client.empty()) summary.push_back("probed=1");
  if (!a.referral.empty()) summary.push_back(absl::StrCat("referral=", a.referral));
  if (!a.nik_match_notice.empty()) summary.push_back(absl::StrCat("notice=", a.nik_match_notice));
  if (!a.justification.empty()) {
    summary.push_back(absl::StrCat("j=", keys_.sealer->Seal(a.justification, "identity_access")));
  }
  return identity_log_.Append(
      s, audit::Entry{!a.client.empty()          ? a.client
                      : !a.probed_client.empty() ? a.probed_client
                                                 : "clients/-",
                      a.action, caller.subject.substr(0, 200), caller.satker.substr(0, 40),
                      NowMicros(), absl::StrJoin(a.fields, ","), absl::StrJoin(summary, ";"),
                      call.request_id});
}

}  // namespace ibm::cases
