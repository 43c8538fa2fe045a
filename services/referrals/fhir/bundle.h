#pragma once

// The FHIR R4 face of a referral (docs/api.md, FHIR R4 mapping (SATUSEHAT)): the transaction
// Bundle the delivery worker POSTs to a FHIR_REST provider. Pure: protos in, JSON text out, no
// I/O; task.h reads the provider's answers. Every Bundle emitted validates against the
// official R4 JSON schema (tests/fhir-validate.sh, ctest referrals.fhir_schema).
//
// What a provider learns is what ProviderReferral carries, nothing more: without
// `subject.identity` the Patient is a pseudonym (the referral code, sex, birth year, the home
// regency), never a NIK, a name or a village.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ibm/referrals/v1/provider_api.pb.h"
#include "ibm/referrals/v1/providers.pb.h"
#include "ibm/referrals/v1/referrals.pb.h"

namespace ibm::referrals::fhir {

namespace v1 = ::ibm::referrals::v1;

// The media type of the Bundle (FHIR R4 http.html#mime-type).
inline constexpr absl::string_view kFhirJsonContentType = "application/fhir+json";

// Identifier systems. Every resource of a referral carries kReferralSystem = the referral's
// name: the conditional creates of the Bundle search on it, so a retried POST creates
// nothing twice, and `identifier=kReferralSystem|referrals/x` finds all of a referral.
inline constexpr absl::string_view kReferralSystem = "https://ibm.bnn.go.id/fhir/referral";
inline constexpr absl::string_view kReferralCodeSystem = "https://ibm.bnn.go.id/fhir/referral-code";
inline constexpr absl::string_view kSatkerSystem = "https://ibm.bnn.go.id/fhir/satker";
// Not in the docs' table: the names of the directory's providers and of the referring
// officers, for the references that have no SATUSEHAT id to point at.
inline constexpr absl::string_view kProviderSystem = "https://ibm.bnn.go.id/fhir/provider";
inline constexpr absl::string_view kOfficerSystem = "https://ibm.bnn.go.id/fhir/officer";
inline constexpr absl::string_view kNikSystem = "https://fhir.kemkes.go.id/id/nik";
inline constexpr absl::string_view kAdministrativeCodeExtension =
    "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode";
inline constexpr absl::string_view kReferrerOfficerExtension =
    "https://ibm.bnn.go.id/fhir/StructureDefinition/referrer-officer";

// CodeSystems published with the suite. Their codes are the proto enum value names without
// the enum's prefix, lower case, '_' as '-' (EnumCode below).
inline constexpr absl::string_view kServiceTypeSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/service-type";
inline constexpr absl::string_view kReferralReasonSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/referral-reason";
inline constexpr absl::string_view kAssistSubstanceSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/assist-substance";
inline constexpr absl::string_view kAssistRiskSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/assist-risk";
// The docs name no CodeSystem for these; they follow the same rule.
inline constexpr absl::string_view kRejectionReasonSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/rejection-reason";
inline constexpr absl::string_view kFailureReasonSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/failure-reason";
inline constexpr absl::string_view kAttendanceSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/attendance-status";
inline constexpr absl::string_view kOutcomeResultSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/referral-outcome";
inline constexpr absl::string_view kNextStepSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/next-step";
// Task.output.type: which part of the outcome an output is (EnumCode-style codes `result`,
// `next-step`, `diagnosis`, `summary`, `onward-provider`).
inline constexpr absl::string_view kTaskOutputSystem =
    "https://ibm.bnn.go.id/fhir/CodeSystem/task-output";
inline constexpr absl::string_view kIcd10System = "http://hl7.org/fhir/sid/icd-10";

// What the Bundle is made of.
struct BundleInput {
  // What the provider may see: `subject.identity` only when identified with a valid basis.
  const v1::ProviderReferral& referral;
  // Its SATUSEHAT Organization and Location ids, display name.
  const v1::Provider& provider;
  // The referral's last transition (Task.lastModified); not emitted when infinite.
  absl::Time last_modified = absl::InfinitePast();
  // Task.statusReason of a REJECTED or FAILED referral: the Referral's rejection_reason,
  // failure_reason and state_reason_detail, which ProviderReferral does not carry.
  v1::RejectionReason rejection_reason = v1::REJECTION_REASON_UNSPECIFIED;
  v1::FailureReason failure_reason = v1::FAILURE_REASON_UNSPECIFIED;
  std::string state_reason_detail;
  // Optional, from ibm.registry.v1: the referring satker's name and the referrer officer's
  // name and work phone, so the provider's staff know whom to call.
  std::string satker_display_name;
  std::string officer_display_name;
  std::string officer_phone;
};

// The FHIR R4 transaction Bundle (JSON) of a referral: ServiceRequest, Task (basedOn the
// ServiceRequest), one Observation per substance of the clinical summary, an Appointment
// when one is set, the Patient and the requesting satker's Organization, each a conditional
// create (`ifNoneExist` on kReferralSystem). The same input gives the same bytes, fullUrls
// included, so every retry sends the same body.
std::string ReferralBundle(const BundleInput& in);

// The Task.status code of a state (docs/api.md: one to one). UNSPECIFIED, never a stored
// referral's state, is `draft`: a Task nobody should act on.
absl::string_view TaskStatus(v1::ReferralState state);
// The ServiceRequest.status of a state (`unknown` for UNSPECIFIED).
absl::string_view ServiceRequestStatus(v1::ReferralState state);

// The code of a proto enum value in the suite's CodeSystems: the value's name without the
// enum's prefix, lower case with '-' (SERVICE_TYPE_OUTPATIENT_REHABILITATION ->
// `outpatient-rehabilitation`, ReferralOutcome.RESULT_REFERRED_ONWARD -> `referred-onward`).
// "" for 0 (UNSPECIFIED) and for numbers the enum does not have.
std::string EnumCode(const google::protobuf::EnumDescriptor& type, int number);
// The number whose EnumCode is `code`, 0 when none.
int EnumNumber(const google::protobuf::EnumDescriptor& type, absl::string_view code);

template <typename E>
std::string EnumCode(E value) {
  return EnumCode(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}
template <typename E>
E EnumFromCode(absl::string_view code) {
  return static_cast<E>(EnumNumber(*google::protobuf::GetEnumDescriptor<E>(), code));
}

}  // namespace ibm::referrals::fhir
