#pragma once

// The clients' pure rules: the checks of a client's pseudonymous record, consent, legal
// order and identity (NIK), and the coarse form for national callers. No I/O; tested by
// tests/rules/clients_test.cc without gRPC or a database.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/status.h"
#include "ibm/cases/v1/clients.pb.h"

namespace ibm::cases::rules {

namespace v1 = ::ibm::cases::v1;

inline constexpr int kMaxConsentHistory = 50;
inline constexpr int kMaxJustification = 500;
// Consent times may run ahead of the server's clock by this much (a phone's clock).
inline constexpr absl::Duration kClockSkew = absl::Minutes(5);

bool IsVoluntary(v1::AdmissionPath path);

// A NIK: 16 digits: district (6), birth date as DDMMYY with 40 added to a woman's day (6),
// sequence (4, not 0000). The value is never echoed in the violation.
void CheckNik(platform::FieldViolations& v, absl::string_view field, absl::string_view nik);

// sex, birth_year (1900..this year), admission_path, as CreateClient and UpdateClient check
// them (`prefix` "client").
void CheckClientFacts(platform::FieldViolations& v, const v1::Client& c, int current_year);

// A consent record (`prefix` "client.consent" or "consent"). `unit_id`: the client's unit,
// whose agents, or the officers of a satker whose scope covers it, may obtain consent.
void CheckConsent(platform::FieldViolations& v, absl::string_view prefix,
                  const v1::ConsentRecord& c, int birth_year, absl::string_view unit_id,
                  absl::Time now);

// A legal order (`prefix` "identity.legal_order" or "legal_order").
void CheckLegalOrder(platform::FieldViolations& v, absl::string_view prefix,
                     const v1::LegalOrder& order, absl::Time now);

// The identity's fields but the NIK and the legal order (`prefix` "identity"); a birth date
// must fall in `birth_year`.
void CheckIdentityFields(platform::FieldViolations& v, absl::string_view prefix,
                         const v1::ClientIdentity& identity, int birth_year, absl::Time now);

// A withdrawal of consent (`prefix` "withdrawal").
void CheckWithdrawal(platform::FieldViolations& v, const v1::ConsentWithdrawal& w, absl::Time now);

// A document hash: 64 lowercase hex characters.
bool IsSha256Hex(absl::string_view text);

// The age band of someone born in `birth_year`, in `current_year` (ibm.integration.v1's).
v1::AgeBand AgeBandOf(int birth_year, int current_year);

// The coarse form for national callers: no birth year, no home village (age band and home
// regency stay), coarsened = true.
void Coarsen(v1::Client& client);

}  // namespace ibm::cases::rules
