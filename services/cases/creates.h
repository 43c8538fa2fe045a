#pragma once

// The ten creates an agent's device may upload (sync.proto, UploadRecord), callable without
// gRPC: each is the body its method runs (the method calls it), with the same checks, access
// rules, idempotency and transaction. UploadBatch runs them record by record, on the caller
// of the batch.
//
// `replayed` (optional) is set to true when the request id had already made the resource
// (the caller's earlier create with the same request; the response is that resource).

#include "absl/status/status.h"
#include "cases/services.h"
#include "ibm/cases/v1/activities.pb.h"
#include "ibm/cases/v1/cases.pb.h"
#include "ibm/cases/v1/clients.pb.h"
#include "ibm/cases/v1/interventions.pb.h"
#include "ibm/cases/v1/outcomes.pb.h"
#include "ibm/cases/v1/screenings.pb.h"

namespace ibm::cases {

absl::Status CreateClient(const CorePtr& core, const Call& call, const v1::CreateClientRequest& req,
                          v1::Client* resp, bool* replayed = nullptr);
absl::Status CreateScreening(const CorePtr& core, const Call& call,
                             const v1::CreateScreeningRequest& req, v1::Screening* resp,
                             bool* replayed = nullptr);
absl::Status CreateCase(const CorePtr& core, const Call& call, const v1::CreateCaseRequest& req,
                        v1::Case* resp, bool* replayed = nullptr);
absl::Status CreateInterventionSession(const CorePtr& core, const Call& call,
                                       const v1::CreateInterventionSessionRequest& req,
                                       v1::InterventionSession* resp, bool* replayed = nullptr);
absl::Status CreateSupportContact(const CorePtr& core, const Call& call,
                                  const v1::CreateSupportContactRequest& req,
                                  v1::SupportContact* resp, bool* replayed = nullptr);
absl::Status CreateUrineTest(const CorePtr& core, const Call& call,
                             const v1::CreateUrineTestRequest& req, v1::UrineTest* resp,
                             bool* replayed = nullptr);
absl::Status CreateQualityOfLifeAssessment(const CorePtr& core, const Call& call,
                                           const v1::CreateQualityOfLifeAssessmentRequest& req,
                                           v1::QualityOfLifeAssessment* resp,
                                           bool* replayed = nullptr);
absl::Status CreateUnitActivity(const CorePtr& core, const Call& call,
                                const v1::CreateUnitActivityRequest& req, v1::UnitActivity* resp,
                                bool* replayed = nullptr);
absl::Status CreateSatkerActivity(const CorePtr& core, const Call& call,
                                  const v1::CreateSatkerActivityRequest& req,
                                  v1::SatkerActivity* resp, bool* replayed = nullptr);
absl::Status CreateCommunityReportTally(const CorePtr& core, const Call& call,
                                        const v1::CreateCommunityReportTallyRequest& req,
                                        v1::CommunityReportTally* resp, bool* replayed = nullptr);

}  // namespace ibm::cases
