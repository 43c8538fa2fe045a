// Recovery agents (Agen Pemulihan), appointed by village decree. Phone, address and the
// former-user flag are sensitive: stored sealed (AES-256-GCM, bound to the agent's name),
// opened only for GetAgent's FULL view, to officers in scope, and each such read is written
// to the change log (who, when, which fields). Every other response is the BASIC view; no
// log line and no change record ever holds their values.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "platform/crypto.h"
#include "platform/macros.h"
#include "registry/services.h"

namespace ibm::registry {
namespace {

using platform::Call;
using platform::FieldViolations;
using platform::InvalidField;

constexpr char kAgentColumns[] =
    "id, unit_id, display_name, sk_number, sk_date, sk_valid_until, sk_sha256, status, "
    "inactive_reason_code, contact_sealed, version, create_time, update_time";
constexpr int kVersionColumn = 10;

// What is sealed, and the context it is bound to (so it opens only as this agent's contact).
std::string ContactContext(absl::string_view agent) {
  return absl::StrCat("ibm.registry.v1.Agent.contact|", agent);
}
// Training records an agent may collect (a bound on the rows one call may add to a read).
constexpr int kMaxTrainingsPerAgent = 200;

std::string SealContact(const Core& core, const std::string& agent, const v1::Agent& given) {
  v1::Agent contact;
  contact.set_phone(given.phone());
  contact.set_address(given.address());
  contact.set_former_user(given.former_user());
  contact.set_inactive_details(given.inactive_details());
  return core.sealer().Seal(contact.SerializeAsString(), ContactContext(agent));
}
absl::Status OpenContact(const platform::FieldSealer& sealer, absl::string_view sealed,
                         v1::Agent* a) {
  auto plain = sealer.Open(sealed, ContactContext(a->name()));
  v1::Agent contact;
  if (!plain.ok() || !contact.ParseFromString(*plain)) {
    return absl::DataLossError(absl::StrCat(
        "the contact details of ", a->name(),
        " cannot be opened: ", plain.ok() ? "not a contact record" : plain.status().message()));
  }
  a->set_phone(contact.phone());
  a->set_address(contact.address());
  a->set_former_user(contact.former_user());
  a->set_inactive_details(contact.inactive_details());
  return absl::OkStatus();
}

// `contact` opens the sealed contact details (the FULL view); null leaves them out.
absl::Status ToAgent(sql::Session& s, const sql::Row& row, const platform::FieldSealer* contact,
                     v1::Agent* a) {
  a->set_name(AgentName(row.Text(1), row.Text(0)));
  a->set_display_name(row.Text(2));
  auto* decree = a->mutable_decree();
  decree->set_number(row.Text(3));
  *decree->mutable_date() = ParseDateText(row.Text(4));
  *decree->mutable_valid_until() = ParseDateText(row.Text(5));
  decree->set_document_sha256(row.Text(6));
  a->set_status(static_cast<v1::AgentStatus>(row.Int(7)));
  const int64_t reason = row.Int(8);
  a->set_inactive_reason(v1::AgentInactiveReason_IsValid(static_cast<int>(reason))
                             ? static_cast<v1::AgentInactiveReason>(reason)
                             : v1::AGENT_INACTIVE_REASON_OTHER);
  if (contact != nullptr) {
    if (auto st = OpenContact(*contact, row.Text(9), a); !st.ok()) return st;
  }
  a->set_etag(absl::StrCat(row.Int(kVersionColumn)));
  *a->mutable_create_time() = ToTimestamp(row.Int(11));
  *a->mutable_update_time() = ToTimestamp(row.Int(12));
  auto trainings = s.Query(
      "SELECT training_date, kind, hours, description FROM agent_trainings WHERE agent_id = ? "
      "ORDER BY seq",
      {row.Text(0)});
  if (!trainings.ok()) return trainings.status();
  for (const auto& t : *trainings) {
    auto* training = a->add_trainings();
    *training->mutable_date() = ParseDateText(t.Text(0));
    training->set_kind(static_cast<v1::TrainingRecord::Kind>(t.Int(1)));
    training->set_hours(t.Double(2));
    training->set_description(t.Text(3));
  }
  return absl::OkStatus();
}

absl::StatusOr<sql::Row> LoadAgent(sql::Session& s, const ChildName& name, bool for_update,
                                   const sql::Dialect& d) {
  return s.QueryOne(
      absl::StrCat("SELECT ", kAgentColumns, " FROM agents WHERE id = ? AND unit_id = ?",
                   for_update ? d.ForUpdate() : ""),
      {name.id, name.parent_id}, AgentName(name.parent_id, name.id));
}

absl::Status Respond(sql::Session& s, const Core& core, const ChildName& name, bool full,
                     v1::Agent* resp) {
  auto row = LoadAgent(s, name, false, core.dialect());
  if (!row.ok()) return row.status();
  resp->Clear();
  return ToAgent(s, *row, full ? &core.sealer() : nullptr, resp);
}

void CheckDecree(FieldViolations& v, const v1::AppointmentDecree& d) {
  CheckText(v, "agent.decree.number", d.number(), 100, true);
  CheckDate(v, "agent.decree.date", d.date(), true);
  CheckDate(v, "agent.decree.valid_until", d.valid_until(), true);
  if (d.has_date() && d.has_valid_until() && DateText(d.valid_until()) < DateText(d.date())) {
    v.Add("agent.decree.valid_until", "must be on or after agent.decree.date");
  }
  if (!d.document_sha256().empty()) {
    bool hex = d.document_sha256().size() == 64;
    for (char c : d.document_sha256())
      hex = hex && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
    if (!hex) v.Add("agent.decree.document_sha256", "must be 64 lowercase hex digits (SHA-256)");
  }
}

void CheckContact(FieldViolations& v, const v1::Agent& a) {
  CheckText(v, "agent.address", a.address(), 500, false);
  if (a.phone().size() > 30) {
    v.Add("agent.phone", "must be at most 30 characters");
  } else {
    for (char c : a.phone()) {
      if (!absl::ascii_isdigit(c) && c != ' ' && c != '+' && c != '-') {
        v.Add("agent.phone", "may only contain digits, spaces, '+' and '-'");
        break;
      }
    }
  }
}

}  // namespace

AgentService::AgentService(std::shared_ptr<const Core> core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::AgentService::service_full_name(), std::move(runtime)) {}

ServerUnaryReactor* AgentService::GetAgent(CallbackServerContext* ctx,
                                           const v1::GetAgentRequest* req, v1::Agent* resp) {
  return calls_.Run(ctx, "GetAgent", [=, this](const Call& call) -> absl::Status {
    if (!v1::AgentView_IsValid(req->view())) return InvalidField("view", "is not an agent view");
    auto name = ParseAgentName(req->name(), "name");
    if (!name.ok()) return name.status();
    if (auto s = RequireAccess(*call.caller,
                               req->view() == v1::AGENT_VIEW_FULL ? "GetAgent(FULL)" : "GetAgent");
        !s.ok()) {
      return s;
    }
    if (auto s = RequireScope(*call.caller, UnitVillage(name->parent_id)); !s.ok()) return s;
    if (req->view() != v1::AGENT_VIEW_FULL) {
      return core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        return Respond(s, *core_, *name, false, resp);
      });
    }
    // The FULL view: the read and its record in the change log commit together.
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      if (auto st = Respond(s, *core_, *name, true, resp); !st.ok()) return st;
      // Filed under the name built from the stored row, never the request's spelling.
      return core_->RecordChange(s, *call.caller,
                                 {resp->name(),
                                  v1::Change::ACTION_SENSITIVE_READ,
                                  {"phone", "address", "former_user", "inactive_details"},
                                  "FULL view",
                                  ""});
    });
  });
}

ServerUnaryReactor* AgentService::ListAgents(CallbackServerContext* ctx,
                                             const v1::ListAgentsRequest* req,
                                             v1::ListAgentsResponse* resp) {
  return calls_.Run(ctx, "ListAgents", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "ListAgents"); !s.ok()) return s;
    auto unit = ParseUnitName(req->parent(), "parent");
    if (!unit.ok()) return unit.status();
    if (auto s = RequireScope(*call.caller, UnitVillage(*unit)); !s.ok()) return s;
    const std::string query = absl::StrCat("ListAgents|", *unit, "|", req->show_inactive());
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    return core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
      auto exists = s.QueryOne("SELECT 1 FROM units WHERE id = ?", {*unit}, req->parent());
      if (!exists.ok()) return exists.status();
      auto rows = s.Query(
          absl::StrCat("SELECT ", kAgentColumns, " FROM agents WHERE unit_id = ? AND id > ?",
                       req->show_inactive() ? "" : " AND status = 1", " ORDER BY id LIMIT ?"),
          {*unit, page->after, page->size + 1});
      if (!rows.ok()) return rows.status();
      resp->set_next_page_token(TrimPage(*core_, query, *rows, *page));
      for (const auto& row : *rows) {
        if (auto st = ToAgent(s, row, nullptr, resp->add_agents()); !st.ok()) return st;
      }
      return absl::OkStatus();
    });
  });
}

ServerUnaryReactor* AgentService::CreateAgent(CallbackServerContext* ctx,
                                              const v1::CreateAgentRequest* req, v1::Agent* resp) {
  return calls_.Run(ctx, "CreateAgent", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "CreateAgent"); !s.ok()) return s;
    auto unit = ParseUnitName(req->parent(), "parent");
    if (!unit.ok()) return unit.status();
    if (auto s = RequireScope(*call.caller, UnitVillage(*unit)); !s.ok()) return s;
    const v1::Agent& given = req->agent();
    FieldViolations v;
    CheckText(v, "agent.display_name", given.display_name(), 200, true);
    if (!given.has_decree()) {
      v.Add("agent.decree", "is required: the village decree (SK) that appoints the agent");
    } else {
      CheckDecree(v, given.decree());
    }
    CheckContact(v, given);
    if (!given.inactive_details().empty()) {
      v.Add("agent.inactive_details", "is output only (set with SetAgentStatus)");
    }
    CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto done = core_->FindCreate(s, *call.caller, "CreateAgent", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        auto made = ParseAgentName(**done, "name");
        if (!made.ok()) return IBM_BUG("remembered create of a malformed agent name");
        return Respond(s, *core_, *made, false, resp);
      }
      auto status = s.QueryOne(
          absl::StrCat("SELECT status FROM units WHERE id = ?", core_->dialect().ForUpdate()),
          {*unit}, req->parent());
      if (!status.ok()) return status.status();
      if (status->Int(0) == v1::UNIT_STATUS_INACTIVE) {
        return absl::FailedPreconditionError(
            absl::StrCat(req->parent(), " is inactive: agents are appointed to open units only"));
      }
      ChildName name{*unit, "ap" + platform::RandomId(5)};
      const std::string resource = AgentName(name.parent_id, name.id);
      int64_t now = core_->NowMicros();
      const auto& d = given.decree();
      auto r = s.Exec(
          "INSERT INTO agents (id, unit_id, display_name, sk_number, sk_date, sk_valid_until, "
          "sk_sha256, status, inactive_reason, inactive_reason_code, contact_sealed, version, "
          "create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, 1, ?, ?)",
          {name.id, *unit, given.display_name(), d.number(), DateText(d.date()),
           DateText(d.valid_until()), d.document_sha256(),
           static_cast<int>(v1::AGENT_STATUS_ACTIVE), SealContact(*core_, resource, given), now,
           now});
      if (!r.ok()) return r.status();
      if (auto st = core_->RememberCreate(s, *call.caller, "CreateAgent", req->request_id(), *req,
                                          resource);
          !st.ok()) {
        return st;
      }
      if (auto st =
              core_->RecordChange(s, *call.caller,
                                  {resource,
                                   v1::Change::ACTION_CREATE,
                                   {"display_name", "decree", "phone", "address", "former_user"},
                                   "appointed by village decree",
                                   req->request_id()});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, name, false, resp);
    });
  });
}

ServerUnaryReactor* AgentService::UpdateAgent(CallbackServerContext* ctx,
                                              const v1::UpdateAgentRequest* req, v1::Agent* resp) {
  return calls_.Run(ctx, "UpdateAgent", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "UpdateAgent"); !s.ok()) return s;
    auto name = ParseAgentName(req->agent().name(), "agent.name");
    if (!name.ok()) return name.status();
    if (auto s = RequireScope(*call.caller, UnitVillage(name->parent_id)); !s.ok()) return s;
    auto paths = MaskPaths(req->update_mask(),
                           {"display_name", "decree", "phone", "address", "former_user"});
    if (!paths.ok()) return paths.status();
    FieldViolations v;
    if (HasPath(*paths, "display_name")) {
      CheckText(v, "agent.display_name", req->agent().display_name(), 200, true);
    }
    if (HasPath(*paths, "decree")) CheckDecree(v, req->agent().decree());
    CheckContact(v, req->agent());
    if (!v.empty()) return v.status();
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto row = LoadAgent(s, *name, true, core_->dialect());
      if (!row.ok()) return row.status();
      if (auto st = CheckEtag(req->agent().etag(), row->Int(kVersionColumn), "agent.etag");
          !st.ok()) {
        return st;
      }
      v1::Agent merged;
      if (auto st = ToAgent(s, *row, &core_->sealer(), &merged); !st.ok()) return st;
      const v1::Agent& given = req->agent();
      if (HasPath(*paths, "display_name")) merged.set_display_name(given.display_name());
      if (HasPath(*paths, "decree")) *merged.mutable_decree() = given.decree();
      if (HasPath(*paths, "phone")) merged.set_phone(given.phone());
      if (HasPath(*paths, "address")) merged.set_address(given.address());
      if (HasPath(*paths, "former_user")) merged.set_former_user(given.former_user());
      const auto& d = merged.decree();
      auto r = s.Exec(
          "UPDATE agents SET display_name = ?, sk_number = ?, sk_date = ?, sk_valid_until = ?, "
          "sk_sha256 = ?, contact_sealed = ?, version = version + 1, update_time = ? "
          "WHERE id = ?",
          {merged.display_name(), d.number(), DateText(d.date()), DateText(d.valid_until()),
           d.document_sha256(), SealContact(*core_, merged.name(), merged), core_->NowMicros(),
           name->id});
      if (!r.ok()) return r.status();
      if (auto st = core_->RecordChange(s, *call.caller,
                                        {merged.name(), v1::Change::ACTION_UPDATE, *paths, "", ""});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, *name, false, resp);
    });
  });
}

ServerUnaryReactor* AgentService::RecordAgentTraining(CallbackServerContext* ctx,
                                                      const v1::RecordAgentTrainingRequest* req,
                                                      v1::Agent* resp) {
  return calls_.Run(ctx, "RecordAgentTraining", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "RecordAgentTraining"); !s.ok()) return s;
    auto name = ParseAgentName(req->name(), "name");
    if (!name.ok()) return name.status();
    if (auto s = RequireScope(*call.caller, UnitVillage(name->parent_id)); !s.ok()) return s;
    const v1::TrainingRecord& t = req->training();
    FieldViolations v;
    CheckDate(v, "training.date", t.date(), true);
    if (t.kind() == v1::TrainingRecord::KIND_UNSPECIFIED ||
        !v1::TrainingRecord::Kind_IsValid(t.kind())) {
      v.Add("training.kind", "is required");
    }
    if (!(t.hours() >= 0.5 && t.hours() <= 200)) v.Add("training.hours", "must be 0.5-200 hours");
    CheckText(v, "training.description", t.description(), 500, false);
    if (!v.empty()) return v.status();
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto row = LoadAgent(s, *name, true, core_->dialect());
      if (!row.ok()) return row.status();
      if (auto st = CheckEtag(req->etag(), row->Int(kVersionColumn), "etag"); !st.ok()) return st;
      auto count = s.Query("SELECT COUNT(*) FROM agent_trainings WHERE agent_id = ?", {name->id});
      if (!count.ok()) return count.status();
      if (count->front().Int(0) >= kMaxTrainingsPerAgent) {
        return absl::FailedPreconditionError(
            absl::StrCat("an agent holds at most ", kMaxTrainingsPerAgent, " training records"));
      }
      auto r = s.Exec(
          "INSERT INTO agent_trainings (agent_id, seq, training_date, kind, hours, description) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          {name->id, count->front().Int(0) + 1, DateText(t.date()), static_cast<int>(t.kind()),
           t.hours(), t.description()});
      if (!r.ok()) return r.status();
      r = s.Exec("UPDATE agents SET version = version + 1, update_time = ? WHERE id = ?",
                 {core_->NowMicros(), name->id});
      if (!r.ok()) return r.status();
      if (auto st = core_->RecordChange(
              s, *call.caller,
              {AgentName(row->Text(1), row->Text(0)),
               v1::Change::ACTION_UPDATE,
               {"trainings"},
               absl::StrCat("training ", v1::TrainingRecord::Kind_Name(t.kind()), " on ",
                            DateText(t.date())),
               ""});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, *name, false, resp);
    });
  });
}

ServerUnaryReactor* AgentService::SetAgentStatus(CallbackServerContext* ctx,
                                                 const v1::SetAgentStatusRequest* req,
                                                 v1::Agent* resp) {
  return calls_.Run(ctx, "SetAgentStatus", [=, this](const Call& call) -> absl::Status {
    if (auto s = RequireAccess(*call.caller, "SetAgentStatus"); !s.ok()) return s;
    auto name = ParseAgentName(req->name(), "name");
    if (!name.ok()) return name.status();
    if (auto s = RequireScope(*call.caller, UnitVillage(name->parent_id)); !s.ok()) return s;
    FieldViolations v;
    const bool inactive = req->status() == v1::AGENT_STATUS_INACTIVE;
    if (req->status() != v1::AGENT_STATUS_ACTIVE && !inactive) {
      v.Add("status", "is required: AGENT_STATUS_ACTIVE or AGENT_STATUS_INACTIVE");
    } else if (inactive) {
      if (req->reason() == v1::AGENT_INACTIVE_REASON_UNSPECIFIED ||
          !v1::AgentInactiveReason_IsValid(req->reason())) {
        v.Add("reason", "is required when the agent becomes inactive: an AgentInactiveReason");
      }
      CheckText(v, "details", req->details(), 500, false);
    } else {
      if (req->reason() != v1::AGENT_INACTIVE_REASON_UNSPECIFIED) {
        v.Add("reason", "must be empty when the agent becomes active");
      }
      if (!req->details().empty()) v.Add("details", "must be empty when the agent becomes active");
    }
    if (!v.empty()) return v.status();
    return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto row = LoadAgent(s, *name, true, core_->dialect());
      if (!row.ok()) return row.status();
      if (auto st = CheckEtag(req->etag(), row->Int(kVersionColumn), "etag"); !st.ok()) return st;
      v1::Agent current;
      if (auto st = ToAgent(s, *row, &core_->sealer(), &current); !st.ok()) return st;
      if (current.status() == req->status()) {
        return absl::FailedPreconditionError(
            absl::StrCat(current.name(), " is already ", v1::AgentStatus_Name(current.status())));
      }
      // The details are sealed with the contact details (FULL view only).
      current.set_inactive_details(inactive ? req->details() : "");
      auto r = s.Exec(
          "UPDATE agents SET status = ?, inactive_reason_code = ?, contact_sealed = ?, "
          "version = version + 1, update_time = ? WHERE id = ?",
          {static_cast<int>(req->status()), inactive ? static_cast<int>(req->reason()) : 0,
           SealContact(*core_, current.name(), current), core_->NowMicros(), name->id});
      if (!r.ok()) return r.status();
      // The change log says what happened in codes, never the officer's words.
      if (auto st = core_->RecordChange(
              s, *call.caller,
              {current.name(),
               v1::Change::ACTION_TRANSITION,
               {"status", "inactive_reason", "inactive_details"},
               absl::StrCat(
                   "status ", v1::AgentStatus_Name(current.status()), " -> ",
                   v1::AgentStatus_Name(req->status()),
                   inactive ? absl::StrCat(" (", v1::AgentInactiveReason_Name(req->reason()), ")")
                            : ""),
               ""});
          !st.ok()) {
        return st;
      }
      return Respond(s, *core_, *name, false, resp);
    });
  });
}

}  // namespace ibm::registry
