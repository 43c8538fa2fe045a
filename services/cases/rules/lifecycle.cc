#include "cases/rules/lifecycle.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ibm::cases::rules {
namespace {

absl::Status Refused(absl::string_view reason, absl::string_view message) {
  return platform::WithReason(absl::FailedPreconditionError(message), reason);
}

absl::string_view MoveName(CaseMove move) {
  switch (move) {
    case CaseMove::kStartIntervention:
      return "StartCaseIntervention";
    case CaseMove::kStartRecoverySupport:
      return "StartCaseRecoverySupport";
    case CaseMove::kRefer:
      return "ReferCase";
    case CaseMove::kResume:
      return "ResumeCase";
    case CaseMove::kComplete:
      return "CompleteCase";
    case CaseMove::kDropOut:
      return "DropOutCase";
    case CaseMove::kTransfer:
      return "TransferCase";
    case CaseMove::kVoid:
      return "VoidCase";
  }
  return "?";
}

std::string DayText(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

}  // namespace

bool IsOpen(CaseState state) {
  switch (state) {
    case CaseState::kEnrolled:
    case CaseState::kInIntervention:
    case CaseState::kRecoverySupport:
    case CaseState::kReferred:
      return true;
    default:
      return false;
  }
}

absl::string_view StateName(CaseState state) {
  switch (state) {
    case CaseState::kUnspecified:
      return "UNSPECIFIED";
    case CaseState::kEnrolled:
      return "ENROLLED";
    case CaseState::kInIntervention:
      return "IN_INTERVENTION";
    case CaseState::kRecoverySupport:
      return "RECOVERY_SUPPORT";
    case CaseState::kReferred:
      return "REFERRED";
    case CaseState::kCompleted:
      return "COMPLETED";
    case CaseState::kDroppedOut:
      return "DROPPED_OUT";
    case CaseState::kTransferred:
      return "TRANSFERRED";
    case CaseState::kVoided:
      return "VOIDED";
  }
  return "UNKNOWN";
}

std::optional<CaseState> NextState(CaseState from, CaseMove move, CaseState resume_to) {
  using S = CaseState;
  switch (move) {
    case CaseMove::kStartIntervention:
      if (from == S::kEnrolled || from == S::kRecoverySupport) return S::kInIntervention;
      return std::nullopt;
    case CaseMove::kStartRecoverySupport:
      if (from == S::kEnrolled || from == S::kInIntervention) return S::kRecoverySupport;
      return std::nullopt;
    case CaseMove::kRefer:
      if (from == S::kEnrolled || from == S::kInIntervention || from == S::kRecoverySupport) {
        return S::kReferred;
      }
      return std::nullopt;
    case CaseMove::kResume:
      if (from == S::kReferred &&
          (resume_to == S::kInIntervention || resume_to == S::kRecoverySupport)) {
        return resume_to;
      }
      return std::nullopt;
    case CaseMove::kComplete:
      if (from == S::kInIntervention || from == S::kRecoverySupport || from == S::kReferred) {
        return S::kCompleted;
      }
      return std::nullopt;
    case CaseMove::kDropOut:
      if (IsOpen(from)) return S::kDroppedOut;
      return std::nullopt;
    case CaseMove::kTransfer:
      if (IsOpen(from)) return S::kTransferred;
      return std::nullopt;
    case CaseMove::kVoid:
      if (from != S::kVoided && from != S::kUnspecified) return S::kVoided;
      return std::nullopt;
  }
  return std::nullopt;
}

absl::Status CheckMove(CaseState from, CaseMove move, int transitions, CaseState resume_to) {
  if (move == CaseMove::kVoid && from == CaseState::kVoided) {
    return Refused("ALREADY_VOIDED", "the case is already VOIDED");
  }
  std::optional<CaseState> to = NextState(from, move, resume_to);
  if (!to) {
    return Refused(
        "ILLEGAL_TRANSITION",
        absl::StrCat(MoveName(move), " is not a move from the case's state ", StateName(from),
                     IsOpen(from) ? "" : " (a final state: nothing moves it but VoidCase)"));
  }
  // Only moves to an open state count against the limit: a case can always be ended.
  if (IsOpen(*to) && transitions >= kOpenMoveLimit) {
    return Refused(
        "TRANSITION_LIMIT",
        absl::StrCat("the case has ", transitions, " transitions, at most ", kMaxTransitions,
                     " fit: end or void it and open a new case for the client"));
  }
  return absl::OkStatus();
}

void CheckEffectiveDate(platform::FieldViolations& v, absl::string_view field, absl::CivilDay date,
                        absl::CivilDay today, absl::CivilDay last) {
  if (date > today) {
    v.Add(field, "must not be in the future");
  } else if (date < last) {
    v.Add(field, absl::StrCat("must not be before the previous transition's effective date (",
                              DayText(last), ")"));
  }
}

void CheckEnrollmentDate(platform::FieldViolations& v, absl::string_view field, absl::CivilDay date,
                         absl::CivilDay today, std::optional<absl::CivilDay> next) {
  if (date > today) {
    v.Add(field, "must not be in the future");
  } else if (next && date > *next) {
    v.Add(field, absl::StrCat("must not be after the effective date of a later transition (",
                              DayText(*next), ")"));
  }
}

}  // namespace ibm::cases::rules
