#pragma once

// The case lifecycle (docs/api.md, State machines, Case): which move is legal from which
// state, the transition limit, and the rules of a transition's effective date. Pure: states
// are their ibm.cases.v1.CaseState numbers, dates absl::CivilDay; tested by
// tests/rules/lifecycle_test.cc without gRPC or a database.

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/status.h"
#include "resource/fields.h"

namespace ibm::cases::rules {

// ibm.cases.v1.CaseState, by number.
enum class CaseState : int {
  kUnspecified = 0,
  kEnrolled = 1,
  kInIntervention = 2,
  kRecoverySupport = 3,
  kReferred = 4,
  kCompleted = 5,
  kDroppedOut = 6,
  kTransferred = 7,
  kVoided = 8,
};

// The moves of the state table, one per custom method of CaseService (WithdrawClientConsent
// ending an open case is a drop-out).
enum class CaseMove {
  kStartIntervention,     // ENROLLED, RECOVERY_SUPPORT -> IN_INTERVENTION
  kStartRecoverySupport,  // ENROLLED, IN_INTERVENTION -> RECOVERY_SUPPORT
  kRefer,                 // ENROLLED, IN_INTERVENTION, RECOVERY_SUPPORT -> REFERRED
  kResume,                // REFERRED -> IN_INTERVENTION or RECOVERY_SUPPORT (the caller's)
  kComplete,              // IN_INTERVENTION, RECOVERY_SUPPORT, REFERRED -> COMPLETED
  kDropOut,               // any open -> DROPPED_OUT
  kTransfer,              // any open -> TRANSFERRED (and a new case elsewhere)
  kVoid,                  // any but VOIDED -> VOIDED
};

// A case holds at most this many transitions, the creation included.
inline constexpr int kMaxTransitions = 100;
// A move to an open state needs fewer transitions than this, so that a final move (and a
// void after it) always fits: ending a case is never blocked by the limit.
inline constexpr int kOpenMoveLimit = 98;

// ENROLLED, IN_INTERVENTION, RECOVERY_SUPPORT and REFERRED are open; the others final.
bool IsOpen(CaseState state);
// The proto's name without its prefix ("IN_INTERVENTION"), for messages.
absl::string_view StateName(CaseState state);

// The state `move` leads to from `from` (nullopt when the state table has no such move).
// `resume_to` is ResumeCase's resume_state (ignored by the other moves).
std::optional<CaseState> NextState(CaseState from, CaseMove move,
                                   CaseState resume_to = CaseState::kUnspecified);

// Whether `move` may be made on a case in `from` with `transitions` transitions so far:
// FAILED_PRECONDITION with reason ALREADY_VOIDED (a void of a VOIDED case),
// ILLEGAL_TRANSITION naming the current state (any other move not in the table), or
// TRANSITION_LIMIT (a move to an open state on a case with kOpenMoveLimit transitions).
absl::Status CheckMove(CaseState from, CaseMove move, int transitions,
                       CaseState resume_to = CaseState::kUnspecified);

// ---- Dates.

using resource::Today;  // the day in WIT: resource/fields.h

// A transition's effective date (given and a real date, which the caller checks): not after
// `today`, not before `last` (the previous transition's effective date). Adds a violation
// naming `field` otherwise.
void CheckEffectiveDate(platform::FieldViolations& v, absl::string_view field, absl::CivilDay date,
                        absl::CivilDay today, absl::CivilDay last);

// A case's enrollment date: not after `today`; when the case has later transitions, not
// after the earliest of their effective dates (`next`).
void CheckEnrollmentDate(platform::FieldViolations& v, absl::string_view field, absl::CivilDay date,
                         absl::CivilDay today, std::optional<absl::CivilDay> next);

}  // namespace ibm::cases::rules
