#include "registry/rules/agents.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "resource/fields.h"
#include "resource/update_mask.h"

namespace ibm::registry::rules {

using platform::FieldViolations;
using resource::CheckDate;
using resource::CheckText;
using resource::DateText;

void CheckDecree(FieldViolations& v, const v1::AppointmentDecree& d) {
  CheckText(v, "agent.decree.number", d.number(), 100, true);
  CheckDate(v, "agent.decree.date", d.date(), true);
  CheckDate(v, "agent.decree.valid_until", d.valid_until(), true);
  if (d.has_date() && d.has_valid_until() && DateText(d.valid_until()) < DateText(d.date())) {
    v.Add("agent.decree.valid_until", "must be on or after agent.decree.date");
  }
  if (!d.document_sha256().empty()) {
    bool hex = d.document_sha256().size() == 64;
    for (char c : d.document_sha256()) {
      hex = hex && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
    }
    if (!hex) v.Add("agent.decree.document_sha256", "must be 64 lowercase hex digits (SHA-256)");
  }
}

void CheckContact(FieldViolations& v, absl::string_view phone, absl::string_view address) {
  CheckText(v, "agent.address", address, 500, false);
  if (phone.size() > 30) {
    v.Add("agent.phone", "must be at most 30 characters");
    return;
  }
  for (char c : phone) {
    if (!absl::ascii_isdigit(c) && c != ' ' && c != '+' && c != '-') {
      v.Add("agent.phone", "may only contain digits, spaces, '+' and '-'");
      return;
    }
  }
}

void CheckNewAgent(FieldViolations& v, const v1::Agent& a) {
  CheckText(v, "agent.display_name", a.display_name(), 200, true);
  if (!a.has_decree()) {
    v.Add("agent.decree", "is required: the village decree (SK) that appoints the agent");
  } else {
    CheckDecree(v, a.decree());
  }
  CheckContact(v, a.phone(), a.address());
  if (!a.inactive_details().empty()) {
    v.Add("agent.inactive_details", "is output only (set with SetAgentStatus)");
  }
}

void CheckAgentUpdate(FieldViolations& v, const v1::Agent& a,
                      const std::vector<std::string>& paths) {
  if (resource::HasPath(paths, "display_name")) {
    CheckText(v, "agent.display_name", a.display_name(), 200, true);
  }
  if (resource::HasPath(paths, "decree")) CheckDecree(v, a.decree());
  CheckContact(v, a.phone(), a.address());
}

void CheckTraining(FieldViolations& v, const v1::TrainingRecord& t) {
  CheckDate(v, "training.date", t.date(), true);
  if (t.kind() == v1::TrainingRecord::KIND_UNSPECIFIED ||
      !v1::TrainingRecord::Kind_IsValid(t.kind())) {
    v.Add("training.kind", "is required");
  }
  // Written so that NaN fails too.
  if (!(t.hours() >= 0.5 && t.hours() <= 200)) v.Add("training.hours", "must be 0.5-200 hours");
  CheckText(v, "training.description", t.description(), 500, false);
}

void CheckStatusRequest(FieldViolations& v, v1::AgentStatus status, v1::AgentInactiveReason reason,
                        absl::string_view details) {
  if (status == v1::AGENT_STATUS_INACTIVE) {
    if (reason == v1::AGENT_INACTIVE_REASON_UNSPECIFIED ||
        !v1::AgentInactiveReason_IsValid(reason)) {
      v.Add("reason", "is required when the agent becomes inactive: an AgentInactiveReason");
    }
    CheckText(v, "details", details, 500, false);
  } else if (status == v1::AGENT_STATUS_ACTIVE) {
    if (reason != v1::AGENT_INACTIVE_REASON_UNSPECIFIED) {
      v.Add("reason", "must be empty when the agent becomes active");
    }
    if (!details.empty()) v.Add("details", "must be empty when the agent becomes active");
  } else {
    v.Add("status", "is required: AGENT_STATUS_ACTIVE or AGENT_STATUS_INACTIVE");
  }
}

absl::Status CheckUnitTakesAgents(absl::string_view unit, int unit_status) {
  if (unit_status == v1::UNIT_STATUS_INACTIVE) {
    return absl::FailedPreconditionError(
        absl::StrCat(unit, " is inactive: agents are appointed to open units only"));
  }
  return absl::OkStatus();
}

absl::Status CheckTrainingRoom(size_t held) {
  if (held >= kMaxTrainingsPerAgent) {
    return absl::FailedPreconditionError(
        absl::StrCat("an agent holds at most ", kMaxTrainingsPerAgent, " training records"));
  }
  return absl::OkStatus();
}

absl::StatusOr<StatusChange> ChangeStatus(absl::string_view agent, v1::AgentStatus current,
                                          v1::AgentStatus wanted, v1::AgentInactiveReason reason,
                                          absl::string_view details) {
  if (current == wanted) {
    return absl::FailedPreconditionError(
        absl::StrCat(agent, " is already ", v1::AgentStatus_Name(current)));
  }
  const bool inactive = wanted == v1::AGENT_STATUS_INACTIVE;
  StatusChange change;
  change.status = wanted;
  change.reason = inactive ? reason : v1::AGENT_INACTIVE_REASON_UNSPECIFIED;
  change.details = inactive ? std::string(details) : "";
  change.summary =
      absl::StrCat("status ", v1::AgentStatus_Name(current), " -> ", v1::AgentStatus_Name(wanted),
                   inactive ? absl::StrCat(" (", v1::AgentInactiveReason_Name(reason), ")") : "");
  return change;
}

v1::AgentInactiveReason InactiveReason(int64_t code) {
  return v1::AgentInactiveReason_IsValid(static_cast<int>(code))
             ? static_cast<v1::AgentInactiveReason>(code)
             : v1::AGENT_INACTIVE_REASON_OTHER;
}

absl::string_view GetAgentMethod(v1::AgentView view) {
  return view == v1::AGENT_VIEW_FULL ? "GetAgent(FULL)" : "GetAgent";
}

std::string TrainingSummary(const v1::TrainingRecord& t) {
  return absl::StrCat("training ", v1::TrainingRecord::Kind_Name(t.kind()), " on ",
                      DateText(t.date()));
}

}  // namespace ibm::registry::rules
