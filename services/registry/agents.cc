// Recovery agents (Agen Pemulihan), appointed by village decree. Phone, address and the
// former-user flag are sensitive: stored sealed (AES-256-GCM, bound to the agent's name),
// opened only for GetAgent's FULL view, to officers in scope, and each such read is written
// to the change log (who, when, which fields). Every other response is the BASIC view; no
// log line and no change record ever holds their values.
#include "registry/rules/agents.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "base/crypto.h"
#include "base/macros.h"
#include "registry/services.h"
#include "registry/store/agents.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;
using platform::InvalidField;

// ---- The sealed part of an agent: sealing and opening stay here, the store keeps bytes.

struct Contact {
  std::string phone;
  std::string address;
  bool former_user = false;
  std::string inactive_details;
};

Contact ContactOf(const v1::Agent& given) {
  return {given.phone(), given.address(), given.former_user(), given.inactive_details()};
}

// What is sealed is bound to the agent's name, so it opens only as this agent's contact.
std::string ContactContext(absl::string_view agent) {
  return absl::StrCat("ibm.registry.v1.Agent.contact|", agent);
}

// Seals `c` (as a v1::Agent holding only the four fields) into `a.contact_sealed`.
void SealContact(const platform::FieldSealer& sealer, const Contact& c, store::Agent& a) {
  v1::Agent contact;
  contact.set_phone(c.phone);
  contact.set_address(c.address);
  contact.set_former_user(c.former_user);
  contact.set_inactive_details(c.inactive_details);
  a.contact_sealed =
      sealer.Seal(contact.SerializeAsString(), ContactContext(AgentName(a.unit_id, a.id)));
}

// DATA_LOSS (without any of the value) when the sealed bytes do not open as `a`'s contact.
absl::StatusOr<Contact> OpenContact(const platform::FieldSealer& sealer, const store::Agent& a) {
  const std::string name = AgentName(a.unit_id, a.id);
  auto plain = sealer.Open(a.contact_sealed, ContactContext(name));
  v1::Agent contact;
  if (!plain.ok() || !contact.ParseFromString(*plain)) {
    return absl::DataLossError(absl::StrCat(
        "the contact details of ", name,
        " cannot be opened: ", plain.ok() ? "not a contact record" : plain.status().message()));
  }
  return ContactOf(contact);
}

// ---- The response, built after the transaction committed: the BASIC view, or with
// `contact` (opened in the transaction) the FULL one.

void ToProto(const store::Agent& a, const Contact* contact, v1::Agent* out) {
  out->Clear();
  out->set_name(AgentName(a.unit_id, a.id));
  out->set_display_name(a.display_name);
  auto* decree = out->mutable_decree();
  decree->set_number(a.sk_number);
  *decree->mutable_date() = ParseDateText(a.sk_date);
  *decree->mutable_valid_until() = ParseDateText(a.sk_valid_until);
  decree->set_document_sha256(a.sk_sha256);
  out->set_status(static_cast<v1::AgentStatus>(a.status));
  out->set_inactive_reason(rules::InactiveReason(a.inactive_reason));
  if (contact != nullptr) {
    out->set_phone(contact->phone);
    out->set_address(contact->address);
    out->set_former_user(contact->former_user);
    out->set_inactive_details(contact->inactive_details);
  }
  out->set_etag(absl::StrCat(a.version));
  *out->mutable_create_time() = ToTimestamp(a.create_time_us);
  *out->mutable_update_time() = ToTimestamp(a.update_time_us);
  for (const store::Training& t : a.trainings) {
    auto* training = out->add_trainings();
    *training->mutable_date() = ParseDateText(t.date);
    training->set_kind(static_cast<v1::TrainingRecord::Kind>(t.kind));
    training->set_hours(t.hours);
    training->set_description(t.description);
  }
}

// ---- From the request to the plain struct.

void SetDecree(const v1::AppointmentDecree& d, store::Agent& a) {
  a.sk_number = d.number();
  a.sk_date = DateText(d.date());
  a.sk_valid_until = DateText(d.valid_until());
  a.sk_sha256 = d.document_sha256();
}

store::Agent NewAgent(const std::string& unit, const v1::Agent& given, int64_t now) {
  store::Agent a;
  a.id = "ap" + platform::RandomId(5);
  a.unit_id = unit;
  a.display_name = given.display_name();
  SetDecree(given.decree(), a);
  a.status = v1::AGENT_STATUS_ACTIVE;
  a.create_time_us = now;
  a.update_time_us = now;
  return a;
}

// UpdateAgent's mask applied to the stored agent and its opened contact.
void Merge(const v1::Agent& given, const std::vector<std::string>& paths, store::Agent& a,
           Contact& c) {
  if (HasPath(paths, "display_name")) a.display_name = given.display_name();
  if (HasPath(paths, "decree")) SetDecree(given.decree(), a);
  if (HasPath(paths, "phone")) c.phone = given.phone();
  if (HasPath(paths, "address")) c.address = given.address();
  if (HasPath(paths, "former_user")) c.former_user = given.former_user();
}

store::Training TrainingOf(const v1::TrainingRecord& t) {
  return {DateText(t.date()), static_cast<int>(t.kind()), t.hours(), t.description()};
}

}  // namespace

AgentService::AgentService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::AgentService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* AgentService::GetAgent(CallbackServerContext* ctx,
                                           const v1::GetAgentRequest* req, v1::Agent* resp) {
  // The BASIC view only reads; the FULL view writes its read to the change log.
  const bool full = req->view() == v1::AGENT_VIEW_FULL;
  return calls_.Run(
      ctx, "GetAgent",
      [=, this](const Call& call) -> absl::Status {
        if (!v1::AgentView_IsValid(req->view())) {
          return InvalidField("view", "is not an agent view");
        }
        IBM_ASSIGN_OR_RETURN(const ChildName name, ParseAgentName(req->name(), "name"));
        IBM_RETURN_IF_ERROR(RequireAccess(*call.caller, rules::GetAgentMethod(req->view())));
        IBM_RETURN_IF_ERROR(RequireScope(*call.caller, UnitVillage(name.parent_id)));
        const store::Agents agents(core_->dialect());
        store::Agent found;
        std::optional<Contact> contact;
        // FULL: the read and its record in the change log commit together, or neither does.
        IBM_RETURN_IF_ERROR(core_->db().Transact(
            full ? sql::TxMode::kReadWrite : sql::TxMode::kReadOnly,
            [&](sql::Session& s) -> absl::Status {
              IBM_ASSIGN_OR_RETURN(found, agents.Get(s, name.parent_id, name.id,
                                                     AgentName(name.parent_id, name.id)));
              if (!full) return absl::OkStatus();
              IBM_ASSIGN_OR_RETURN(contact, OpenContact(core_->sealer(), found));
              // Filed under the name built from the stored row, never the request's spelling.
              return core_->RecordChange(s, *call.caller,
                                         {AgentName(found.unit_id, found.id),
                                          v1::Change::ACTION_SENSITIVE_READ,
                                          {"phone", "address", "former_user", "inactive_details"},
                                          "FULL view",
                                          ""});
            }));
        ToProto(found, contact ? &*contact : nullptr, resp);
        return absl::OkStatus();
      },
      platform::Access::kAuthenticated,
      full ? platform::Execution::kExecutor : platform::Execution::kShortRead);
}

ServerUnaryReactor* AgentService::ListAgents(CallbackServerContext* ctx,
                                             const v1::ListAgentsRequest* req,
                                             v1::ListAgentsResponse* resp) {
  return calls_.Run(ctx, "ListAgents", [=, this](const Call& call) -> absl::Status {
    IBM_RETURN_IF_ERROR(RequireAccess(*call.caller, "ListAgents"));
    IBM_ASSIGN_OR_RETURN(const std::string unit, ParseUnitName(req->parent(), "parent"));
    IBM_RETURN_IF_ERROR(RequireScope(*call.caller, UnitVillage(unit)));
    const std::string query = absl::StrCat("ListAgents|", unit, "|", req->show_inactive());
    IBM_ASSIGN_OR_RETURN(const platform::Page page,
                         core_->pages().Read(req->page_size(), req->page_token(), query));
    const std::optional<int> status =
        req->show_inactive() ? std::nullopt : std::optional<int>(v1::AGENT_STATUS_ACTIVE);
    const store::Agents agents(core_->dialect());
    std::vector<store::Agent> found;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(const bool exists, agents.UnitExists(s, unit));
          if (!exists) return absl::NotFoundError(absl::StrCat(req->parent(), " not found"));
          IBM_ASSIGN_OR_RETURN(found, agents.List(s, unit, status, page.after, page.size + 1));
          return absl::OkStatus();
        }));
    resp->set_next_page_token(resource::TrimToPage(core_->pages(), query, found, page,
                                                   [](const auto& item) { return item.id; }));
    for (const store::Agent& a : found) ToProto(a, nullptr, resp->add_agents());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* AgentService::CreateAgent(CallbackServerContext* ctx,
                                              const v1::CreateAgentRequest* req, v1::Agent* resp) {
  return calls_.Run(ctx, "CreateAgent", [=, this](const Call& call) -> absl::Status {
    IBM_RETURN_IF_ERROR(RequireAccess(*call.caller, "CreateAgent"));
    IBM_ASSIGN_OR_RETURN(const std::string unit, ParseUnitName(req->parent(), "parent"));
    IBM_RETURN_IF_ERROR(RequireScope(*call.caller, UnitVillage(unit)));
    FieldViolations v;
    rules::CheckNewAgent(v, req->agent());
    CheckRequestId(v, "request_id", req->request_id());
    IBM_RETURN_IF_ERROR(v.status());
    const store::Agents agents(core_->dialect());
    store::Agent made;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(
              const std::optional<std::string> done,
              core_->FindCreate(s, *call.caller, "CreateAgent", req->request_id(), *req));
          if (done) {  // a retry: the agent the first call made, as it is now
            auto name = ParseAgentName(*done, "name");
            if (!name.ok()) return IBM_BUG("remembered create of a malformed agent name");
            IBM_ASSIGN_OR_RETURN(made, agents.Get(s, name->parent_id, name->id,
                                                  AgentName(name->parent_id, name->id)));
            return absl::OkStatus();
          }
          IBM_ASSIGN_OR_RETURN(const std::optional<int> unit_status,
                               agents.LockUnitStatus(s, unit));
          if (!unit_status) return absl::NotFoundError(absl::StrCat(req->parent(), " not found"));
          IBM_RETURN_IF_ERROR(rules::CheckUnitTakesAgents(req->parent(), *unit_status));
          made = NewAgent(unit, req->agent(), core_->NowMicros());
          SealContact(core_->sealer(), ContactOf(req->agent()), made);
          IBM_RETURN_IF_ERROR(agents.Insert(s, made));
          const std::string resource = AgentName(made.unit_id, made.id);
          IBM_RETURN_IF_ERROR(core_->RememberCreate(s, *call.caller, "CreateAgent",
                                                    req->request_id(), *req, resource));
          return core_->RecordChange(s, *call.caller,
                                     {resource,
                                      v1::Change::ACTION_CREATE,
                                      {"display_name", "decree", "phone", "address", "former_user"},
                                      "appointed by village decree",
                                      req->request_id()});
        }));
    ToProto(made, nullptr, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* AgentService::UpdateAgent(CallbackServerContext* ctx,
                                              const v1::UpdateAgentRequest* req, v1::Agent* resp) {
  return calls_.Run(ctx, "UpdateAgent", [=, this](const Call& call) -> absl::Status {
    IBM_RETURN_IF_ERROR(RequireAccess(*call.caller, "UpdateAgent"));
    IBM_ASSIGN_OR_RETURN(const ChildName name, ParseAgentName(req->agent().name(), "agent.name"));
    IBM_RETURN_IF_ERROR(RequireScope(*call.caller, UnitVillage(name.parent_id)));
    IBM_ASSIGN_OR_RETURN(const std::vector<std::string> paths,
                         MaskPaths(req->update_mask(),
                                   {"display_name", "decree", "phone", "address", "former_user"}));
    FieldViolations v;
    rules::CheckAgentUpdate(v, req->agent(), paths);
    IBM_RETURN_IF_ERROR(v.status());
    const store::Agents agents(core_->dialect());
    store::Agent merged;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(merged, agents.Get(s, name.parent_id, name.id,
                                                  AgentName(name.parent_id, name.id), true));
          IBM_RETURN_IF_ERROR(CheckEtag(req->agent().etag(), merged.version, "agent.etag"));
          // Always opened and sealed again: a rotated key reseals what it writes.
          IBM_ASSIGN_OR_RETURN(Contact contact, OpenContact(core_->sealer(), merged));
          Merge(req->agent(), paths, merged, contact);
          SealContact(core_->sealer(), contact, merged);
          merged.update_time_us = core_->NowMicros();
          IBM_RETURN_IF_ERROR(agents.Update(s, merged));
          return core_->RecordChange(
              s, *call.caller,
              {AgentName(merged.unit_id, merged.id), v1::Change::ACTION_UPDATE, paths, "", ""});
        }));
    ToProto(merged, nullptr, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* AgentService::RecordAgentTraining(CallbackServerContext* ctx,
                                                      const v1::RecordAgentTrainingRequest* req,
                                                      v1::Agent* resp) {
  return calls_.Run(ctx, "RecordAgentTraining", [=, this](const Call& call) -> absl::Status {
    IBM_RETURN_IF_ERROR(RequireAccess(*call.caller, "RecordAgentTraining"));
    IBM_ASSIGN_OR_RETURN(const ChildName name, ParseAgentName(req->name(), "name"));
    IBM_RETURN_IF_ERROR(RequireScope(*call.caller, UnitVillage(name.parent_id)));
    FieldViolations v;
    rules::CheckTraining(v, req->training());
    IBM_RETURN_IF_ERROR(v.status());
    const store::Agents agents(core_->dialect());
    store::Agent agent;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(agent, agents.Get(s, name.parent_id, name.id,
                                                 AgentName(name.parent_id, name.id), true));
          IBM_RETURN_IF_ERROR(CheckEtag(req->etag(), agent.version, "etag"));
          IBM_RETURN_IF_ERROR(rules::CheckTrainingRoom(agent.trainings.size()));
          agent.update_time_us = core_->NowMicros();
          IBM_RETURN_IF_ERROR(agents.AddTraining(s, agent, TrainingOf(req->training())));
          return core_->RecordChange(s, *call.caller,
                                     {AgentName(agent.unit_id, agent.id),
                                      v1::Change::ACTION_UPDATE,
                                      {"trainings"},
                                      rules::TrainingSummary(req->training()),
                                      ""});
        }));
    ToProto(agent, nullptr, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* AgentService::SetAgentStatus(CallbackServerContext* ctx,
                                                 const v1::SetAgentStatusRequest* req,
                                                 v1::Agent* resp) {
  return calls_.Run(ctx, "SetAgentStatus", [=, this](const Call& call) -> absl::Status {
    IBM_RETURN_IF_ERROR(RequireAccess(*call.caller, "SetAgentStatus"));
    IBM_ASSIGN_OR_RETURN(const ChildName name, ParseAgentName(req->name(), "name"));
    IBM_RETURN_IF_ERROR(RequireScope(*call.caller, UnitVillage(name.parent_id)));
    FieldViolations v;
    rules::CheckStatusRequest(v, req->status(), req->reason(), req->details());
    IBM_RETURN_IF_ERROR(v.status());
    const store::Agents agents(core_->dialect());
    store::Agent agent;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          IBM_ASSIGN_OR_RETURN(agent, agents.Get(s, name.parent_id, name.id,
                                                 AgentName(name.parent_id, name.id), true));
          IBM_RETURN_IF_ERROR(CheckEtag(req->etag(), agent.version, "etag"));
          IBM_ASSIGN_OR_RETURN(Contact contact, OpenContact(core_->sealer(), agent));
          IBM_ASSIGN_OR_RETURN(const rules::StatusChange change,
                               rules::ChangeStatus(AgentName(agent.unit_id, agent.id),
                                                   static_cast<v1::AgentStatus>(agent.status),
                                                   req->status(), req->reason(), req->details()));
          agent.status = change.status;
          agent.inactive_reason = change.reason;
          // The details are sealed with the contact details (FULL view only).
          contact.inactive_details = change.details;
          SealContact(core_->sealer(), contact, agent);
          agent.update_time_us = core_->NowMicros();
          IBM_RETURN_IF_ERROR(agents.Update(s, agent));
          // The change log says what happened in codes, never the officer's words.
          return core_->RecordChange(s, *call.caller,
                                     {AgentName(agent.unit_id, agent.id),
                                      v1::Change::ACTION_TRANSITION,
                                      {"status", "inactive_reason", "inactive_details"},
                                      change.summary,
                                      ""});
        }));
    ToProto(agent, nullptr, resp);
    return absl::OkStatus();
  });
}

}  // namespace ibm::registry
