#include "referrals/fhir/task.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status.h"

namespace ibm::referrals::fhir {
namespace {

using Json = nlohmann::json;

// What the referrer sees of a provider's text, at most (DeliveryAttempt.error_detail).
constexpr size_t kMaxReferrerText = 500;

// The string at `key` of an object, "" when there is none or it is not a string: what the
// provider wrote in the wrong shape is read as absent.
std::string StringAt(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}
const Json& At(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it != object.end() ? *it : kNull;
}
// The codings of a CodeableConcept (none when it is not one).
std::vector<const Json*> Codings(const Json& codeable) {
  std::vector<const Json*> out;
  const Json& codings = At(codeable, "coding");
  if (!codings.is_array()) return out;
  for (const auto& coding : codings) {
    if (coding.is_object()) out.push_back(&coding);
  }
  return out;
}
// The code of the concept's coding in `system`, "" when it has none.
std::string CodeIn(const Json& codeable, absl::string_view system) {
  for (const Json* coding : Codings(codeable)) {
    if (StringAt(*coding, "system") == system) return StringAt(*coding, "code");
  }
  return "";
}
// A concept as words: its text, else its first coding's display, else that coding's code.
std::string ConceptText(const Json& codeable) {
  if (std::string text = StringAt(codeable, "text"); !text.empty()) return text;
  for (const Json* coding : Codings(codeable)) {
    if (std::string display = StringAt(*coding, "display"); !display.empty()) return display;
    if (std::string code = StringAt(*coding, "code"); !code.empty()) return code;
  }
  return "";
}

// A FHIR dateTime or instant precise to the day or better ("2024-05-02",
// "2024-05-02T09:30:00+07:00"); a year or a month alone is no point in time.
std::optional<absl::Time> ParseDateTime(const std::string& text) {
  absl::Time t;
  std::string error;
  if (text.find('T') != std::string::npos) {
    if (absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return t;
  } else if (text.size() == 10 &&
             absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &error)) {
    return t;
  }
  return std::nullopt;
}

// The calendar date a dateTime starts with, as the provider wrote it (its own day, not
// UTC's): the last day of service.
std::optional<google::type::Date> DatePart(const std::string& text) {
  absl::Time t;
  std::string error;
  if (text.size() < 10 ||
      !absl::ParseTime("%Y-%m-%d", text.substr(0, 10), absl::UTCTimeZone(), &t, &error)) {
    return std::nullopt;
  }
  absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  google::type::Date date;
  date.set_year(static_cast<int>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

// Task.output read as the outcome (bundle.codeable, Outputs, writes it): values are recognised by
// their CodeSystem whatever the output's type says; a string only as the `summary`.
std::optional<v1::ReferralOutcome> ReadOutcome(const Json& task) {
  const Json& outputs = At(task, "output");
  if (!outputs.is_array()) return std::nullopt;
  v1::ReferralOutcome outcome;
  bool any = false;
  for (const auto& output : outputs) {
    std::string part = CodeIn(At(output, "type"), kTaskOutputSystem);
    const Json& value = At(output, "valueCodeableConcept");
    if (auto result =
            EnumFromCode<v1::ReferralOutcome::Result>(CodeIn(value, kOutcomeResultSystem));
        result != v1::ReferralOutcome::RESULT_UNSPECIFIED) {
      outcome.set_result(result);
      any = true;
    }
    if (auto step = EnumFromCode<v1::ReferralOutcome::NextStep>(CodeIn(value, kNextStepSystem));
        step != v1::ReferralOutcome::NEXT_STEP_UNSPECIFIED) {
      outcome.set_next_step(step);
      any = true;
    }
    if (std::string icd10 = CodeIn(value, kIcd10System); !icd10.empty()) {
      outcome.add_diagnoses_icd10(icd10);
      any = true;
    }
    if (std::string summary = StringAt(output, "valueString");
        part == "summary" && !summary.empty()) {
      outcome.set_summary(summary);
      any = true;
    }
    const Json& identifier = At(At(output, "valueReference"), "identifier");
    if (StringAt(identifier, "system") == kProviderSystem &&
        !StringAt(identifier, "value").empty()) {
      outcome.set_onward_provider(StringAt(identifier, "value"));
      any = true;
    }
  }
  if (!any) return std::nullopt;
  if (auto end = DatePart(StringAt(At(task, "executionPeriod"), "end"))) {
    *outcome.mutable_end_date() = *end;
  }
  return outcome;
}

bool IsTaskStatus(absl::string_view code) {
  // FHIR R4 task-status: the ten the referral states map to, and the two they do not use.
  if (code == "ready" || code == "on-hold") return true;
  for (int s = v1::ReferralState_MIN; s <= v1::ReferralState_MAX; ++s) {
    if (s != v1::REFERRAL_STATE_UNSPECIFIED &&
        TaskStatus(static_cast<v1::ReferralState>(s)) == code) {
      return true;
    }
  }
  return false;
}

bool BeforeAcceptance(v1::ReferralState state) {
  return state == v1::REFERRAL_STATE_REQUESTED || state == v1::REFERRAL_STATE_RECEIVED;
}

}  // namespace

std::string WithdrawalPatch(Withdrawal withdrawal, absl::string_view reason, absl::Time time) {
  v1::ReferralState state = withdrawal == Withdrawal::kCancelled
                                ? v1::REFERRAL_STATE_CANCELLED
                                : v1::REFERRAL_STATE_ENTERED_IN_ERROR;
  // `replace` for status, which every Task has; `add` (which also replaces, RFC 6902 4.1)
  // for what the provider's Task may lack.
  Json patch = Json::array(
      {{{"op", "replace"}, {"path", "/status"}, {"value", std::string(TaskStatus(state))}}});
  if (!reason.empty()) {
    patch.push_back(
        {{"op", "add"}, {"path", "/statusReason"}, {"value", {{"text", std::string(reason)}}}});
  }
  if (time != absl::InfinitePast() && time != absl::InfiniteFuture()) {
    patch.push_back(
        {{"op", "add"},
         {"path", "/lastModified"},
         {"value", absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone())}});
  }
  return patch.dump(-1, ' ', false, Json::error_handler_t::replace);
}

absl::StatusOr<TaskReadBack> ParseTaskReadBack(absl::string_view task_json,
                                               v1::ReferralState current) {
  // The messages name what is wrong, never what the provider wrote (it may be anyone's data).
  Json task = Json::parse(task_json.begin(), task_json.end(), nullptr, /*allow_exceptions=*/false);
  if (task.is_discarded()) return absl::InvalidArgumentError("the provider's Task is not JSON");
  if (StringAt(task, "resourceType") != "Task") {
    return absl::InvalidArgumentError("the provider's answer is not a FHIR Task");
  }
  TaskReadBack out;
  out.status = StringAt(task, "status");
  if (out.status.empty()) return absl::InvalidArgumentError("the provider's Task has no status");
  if (!IsTaskStatus(out.status)) {
    return absl::InvalidArgumentError("the provider's Task.status is not a FHIR R4 task-status");
  }
  const Json& status_reason = At(task, "statusReason");
  out.status_reason = ConceptText(status_reason);
  const Json& business = At(task, "businessStatus");
  out.business_status = Codings(business).empty() ? StringAt(business, "text")
                                                  : StringAt(*Codings(business)[0], "code");
  const Json& period = At(task, "executionPeriod");
  out.execution_start = ParseDateTime(StringAt(period, "start"));
  out.execution_end = ParseDateTime(StringAt(period, "end"));
  out.outcome = ReadOutcome(task);

  if (out.status == "received") {
    out.state = v1::REFERRAL_STATE_RECEIVED;
  } else if (out.status == "accepted") {
    out.state = v1::REFERRAL_STATE_ACCEPTED;
  } else if (out.status == "in-progress") {
    out.state = v1::REFERRAL_STATE_IN_PROGRESS;
  } else if (out.status == "rejected") {
    out.state = v1::REFERRAL_STATE_REJECTED;
    out.rejection_reason =
        EnumFromCode<v1::RejectionReason>(CodeIn(status_reason, kRejectionReasonSystem));
    if (out.rejection_reason == v1::REJECTION_REASON_UNSPECIFIED) {
      out.rejection_reason = v1::REJECTION_REASON_OTHER;
    }
  } else if (out.status == "completed") {
    // The referral completes with the outcome (result required) or not at all.
    if (out.outcome && out.outcome->result() != v1::ReferralOutcome::RESULT_UNSPECIFIED) {
      out.state = v1::REFERRAL_STATE_COMPLETED;
    } else {
      out.problem = "the provider's Task is completed without an outcome result in Task.output";
    }
  } else if (out.status == "failed") {
    if (BeforeAcceptance(current)) {
      out.state = v1::REFERRAL_STATE_REJECTED;
      out.rejection_reason = v1::REJECTION_REASON_OTHER;
    } else if (current == v1::REFERRAL_STATE_ACCEPTED ||
               current == v1::REFERRAL_STATE_IN_PROGRESS) {
      // Once accepted, only an outcome ends the service (docs/api.md, FHIR mapping).
      out.problem = platform::Truncated(
          absl::StrCat("the provider's Task is failed after acceptance (not applied)",
                       out.status_reason.empty() ? "" : ": ", out.status_reason),
          kMaxReferrerText);
    }
  }
  return out;
}

std::string OperationOutcomeText(absl::string_view body) {
  Json outcome = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (outcome.is_discarded() || StringAt(outcome, "resourceType") != "OperationOutcome") {
    return "";
  }
  std::vector<std::string> texts;
  const Json& issues = At(outcome, "issue");
  if (issues.is_array()) {
    for (const auto& issue : issues) {
      std::string text = StringAt(At(issue, "details"), "text");
      if (text.empty()) text = StringAt(issue, "diagnostics");
      if (text.empty()) text = ConceptText(At(issue, "details"));
      if (!text.empty()) texts.push_back(std::move(text));
    }
  }
  // One line: the referrer reads it in a table cell, and logs split on newlines.
  std::string line = absl::StrJoin(texts, "; ");
  for (char& c : line) {
    if (absl::ascii_iscntrl(c)) c = ' ';
  }
  return platform::Truncated(line, kMaxReferrerText);
}

}  // namespace ibm::referrals::fhir
