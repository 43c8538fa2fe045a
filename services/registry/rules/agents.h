#pragma once

// The agents' pure rules: no I/O, no protos where a plain value will do; tested by
// tests/rules/agents_test.cc without gRPC or a database.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/status.h"
#include "ibm/registry/v1/registry.pb.h"

namespace ibm::registry::rules {

// Training records an agent may collect (a bound on the rows one call may add to a read).
inline constexpr size_t kMaxTrainingsPerAgent = 200;

// ---- Fields of a request. Each adds its violations to `v`, naming the request's field.

// The village decree (SK): number (1-100 characters), date and valid_until (real dates,
// valid_until on or after date), and an optional SHA-256 of the scan (64 lowercase hex).
void CheckDecree(platform::FieldViolations& v, const v1::AppointmentDecree& decree);
// The contact details: an address of at most 500 characters; a phone of at most 30
// characters, only digits, spaces, '+' and '-'.
void CheckContact(platform::FieldViolations& v, absl::string_view phone, absl::string_view address);
// CreateAgent's agent: a display name (1-200 characters), the decree that appoints the
// agent (required), the contact details; inactive_details is output only.
void CheckNewAgent(platform::FieldViolations& v, const v1::Agent& agent);
// UpdateAgent's agent: the display name and decree when `paths` (the update mask) name
// them; the contact details always.
void CheckAgentUpdate(platform::FieldViolations& v, const v1::Agent& agent,
                      const std::vector<std::string>& paths);
// RecordAgentTraining's training: a date, a kind, 0.5-200 hours, a description of at most
// 500 characters.
void CheckTraining(platform::FieldViolations& v, const v1::TrainingRecord& training);
// SetAgentStatus' request: ACTIVE or INACTIVE; a reason (and optional details of at most
// 500 characters) when becoming inactive, neither when becoming active.
void CheckStatusRequest(platform::FieldViolations& v, v1::AgentStatus status,
                        v1::AgentInactiveReason reason, absl::string_view details);

// ---- Rules on the stored state.

// Agents are appointed to open units only: FAILED_PRECONDITION naming `unit` when its
// status (a v1::UnitStatus) is INACTIVE.
absl::Status CheckUnitTakesAgents(absl::string_view unit, int unit_status);
// FAILED_PRECONDITION when an agent holding `held` trainings may not get another.
absl::Status CheckTrainingRoom(size_t held);

// What SetAgentStatus writes when an agent goes from `current` to `wanted` (a request that
// passed CheckStatusRequest).
struct StatusChange {
  v1::AgentStatus status = v1::AGENT_STATUS_UNSPECIFIED;
  v1::AgentInactiveReason reason = v1::AGENT_INACTIVE_REASON_UNSPECIFIED;  // while inactive
  std::string details;  // sealed with the contact details; "" while active
  std::string summary;  // for the change log: codes only, never the officer's words
};
// FAILED_PRECONDITION naming `agent` when it is already in `wanted`.
absl::StatusOr<StatusChange> ChangeStatus(absl::string_view agent, v1::AgentStatus current,
                                          v1::AgentStatus wanted, v1::AgentInactiveReason reason,
                                          absl::string_view details);

// ---- Words and codes.

// The reason a stored code stands for: a code this build does not know reads as OTHER.
v1::AgentInactiveReason InactiveReason(int64_t code);
// The method whose access rule governs GetAgent in `view` ("GetAgent(FULL)" or "GetAgent").
absl::string_view GetAgentMethod(v1::AgentView view);
// The change log's summary of a training: "training KIND_BRIEFING on 2025-06-01".
std::string TrainingSummary(const v1::TrainingRecord& training);

}  // namespace ibm::registry::rules
