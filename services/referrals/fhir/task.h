#pragma once

// After the Bundle (bundle.h): what the delivery worker sends and reads about a FHIR_REST
// provider's Task (docs/api.md, Delivery, FHIR_REST). A withdrawal is a PATCH of the Task;
// the Task is read back every 15 minutes while the referral is open and its status applied;
// a refusal's OperationOutcome is shown to the referrer. Pure: JSON text in and out.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "referrals/fhir/bundle.h"

namespace ibm::referrals::fhir {

// FHIR R4 REST (http.html#patch) takes JSON Patch (RFC 6902) with this media type; the
// Parameters form (FHIRPath Patch) would be sent as application/fhir+json.
inline constexpr absl::string_view kJsonPatchContentType = "application/json-patch+json";

// The two ways a referral is withdrawn from a provider (event 2, docs/api.md, Delivery).
enum class Withdrawal {
  kCancelled,       // CancelReferral, the case ended, the client's consent withdrawn
  kEnteredInError,  // MarkReferralEnteredInError, the case or client voided
};

// The JSON Patch that withdraws the provider's Task: status `cancelled` or
// `entered-in-error`, statusReason.text = `reason` (left out when empty), lastModified =
// `time` (when finite). Pass the event's time, not now, so a retry sends the same body.
std::string WithdrawalPatch(Withdrawal withdrawal, absl::string_view reason, absl::Time time);

// A provider's Task as read back, and what it means for the referral.
struct TaskReadBack {
  // Task.status as read (a code of http://hl7.org/fhir/task-status).
  std::string status;
  // Task.statusReason.text, else the display or code of its first coding.
  std::string status_reason;
  // Task.businessStatus: the code of its first coding, else its text (`attended`,
  // `did-not-attend` when the provider follows the mapping).
  std::string business_status;
  // Task.executionPeriod, when readable.
  std::optional<absl::Time> execution_start;
  std::optional<absl::Time> execution_end;
  // Task.output read as the outcome (result, next_step, diagnoses_icd10, summary,
  // onward_provider) with end_date = the date of executionPeriod.end; present when any
  // output was recognised.
  std::optional<v1::ReferralOutcome> outcome;

  // The state the Task moves the referral to; UNSPECIFIED = no change. Whether the move is
  // legal from the referral's state is the state machine's to decide, not this mapping's.
  v1::ReferralState state = v1::REFERRAL_STATE_UNSPECIFIED;
  // With state REJECTED: the reason (the Task's statusReason coding in kRejectionReasonSystem,
  // else OTHER with status_reason as its detail).
  v1::RejectionReason rejection_reason = v1::REJECTION_REASON_UNSPECIFIED;
  // For the referrer when the Task says something that is not applied (`failed` once the
  // referral was accepted, `completed` without an outcome result), at most 500 bytes; empty
  // otherwise.
  std::string problem;
};

// Reads a provider's Task (`task_json`, a FHIR R4 Task resource) for a referral now in
// `current` state. `received`, `accepted`, `rejected`, `in-progress` and `completed` name
// the referral's next state; `failed` before acceptance (REQUESTED, RECEIVED) is a rejection
// (OTHER, the statusReason as detail), after it a problem; any other status is no change.
// INVALID_ARGUMENT (a short message, none of the Task's content) when the text is not JSON,
// not a Task, or has no known Task.status. Other elements of the wrong shape are skipped:
// a badly written note must not hold up an acceptance.
absl::StatusOr<TaskReadBack> ParseTaskReadBack(absl::string_view task_json,
                                               v1::ReferralState current);

// The text of an OperationOutcome (the body of a refused POST), for the referrer's
// error_detail: each issue's details.text, else its diagnostics, joined with "; ", on one
// line, at most 500 bytes. "" when `body` is not an OperationOutcome or says nothing.
std::string OperationOutcomeText(absl::string_view body);

}  // namespace ibm::referrals::fhir
