#pragma once

// What one area of the cases service does to another inside the same transaction: the case
// events' outbox (every change other services must react to), and the case lifecycle's
// effects of a client's change (consent withdrawn ends the open case). Implemented by the
// area that owns them (events.cc, cases.cc); called by the others.

#include <string>

#include "absl/status/statusor.h"
#include "cases/core.h"
#include "ibm/cases/v1/events.pb.h"
#include "sql/database.h"

namespace ibm::cases {

namespace v1 = ::ibm::cases::v1;

// Writes `event` to the transactional outbox in the caller's transaction: it is published
// (sequence, publish_time) after the commit, and exists exactly when the change committed.
// The caller sets type, client, case, satker and the details; event_id and commit_time are
// set here.
absl::Status EnqueueCaseEvent(const Core& core, sql::Session& s, v1::CaseEvent event);

// Ends the client's open case, if any, as DROPPED_OUT with reason CONSENT_WITHDRAWN on
// `effective_date` (YYYY-MM-DD), with its CASE_ENDED event; returns the ended case's name
// ("" when none was open). For WithdrawClientConsent, in its transaction.
absl::StatusOr<std::string> EndOpenCaseOnConsentWithdrawal(const Core& core, sql::Session& s,
                                                           const Call& call,
                                                           absl::string_view client_id,
                                                           absl::string_view effective_date);

}  // namespace ibm::cases
