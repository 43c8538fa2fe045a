#pragma once

// Representative referrals and the Bundles they make: what ibm-fhir-examples writes for the
// schema check (tests/fhir-validate.sh, ctest referrals.fhir_schema) and what
// tests/fhir_test.cc starts from. Made-up people and places; a NIK of the right shape only.

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "referrals/fhir/bundle.h"

namespace ibm::referrals::fhir {

// One referral as a provider would receive it, with what BundleInput adds to it.
struct Example {
  std::string name;  // the file's stem, e.g. "requested-identified"
  v1::ProviderReferral referral;
  v1::Provider provider;
  absl::Time last_modified;
  v1::RejectionReason rejection_reason = v1::REJECTION_REASON_UNSPECIFIED;
  v1::FailureReason failure_reason = v1::FAILURE_REASON_UNSPECIFIED;
  std::string state_reason_detail;

  BundleInput Input() const;
};

// A pseudonymous REQUESTED referral with a screening of three substances, for an outpatient
// rehabilitation at a Puskesmas with SATUSEHAT ids (ExampleProvider).
v1::ProviderReferral ExampleReferral();
// The identity an identified referral carries (home village regions/32.73.02.1003).
v1::ReferralIdentity ExampleIdentity();
// A FHIR_REST Puskesmas with SATUSEHAT Organization and Location ids.
v1::Provider ExampleProvider();

// Every state; pseudonymous and identified (a minor with a guardian, a NIK alone); with and
// without a screening, an appointment, attendances, an outcome; a provider without
// SATUSEHAT ids.
std::vector<Example> Examples();

// The JSON Patch of each withdrawal, named "withdrawal-cancelled" and
// "withdrawal-entered-in-error".
std::vector<std::pair<std::string, std::string>> ExamplePatches();

}  // namespace ibm::referrals::fhir
