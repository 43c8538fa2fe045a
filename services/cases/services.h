#pragma once

// The cases service's gRPC services, one factory per proto service. Each handler runs
// through platform::UnaryCalls (auth, bounded executor, status mapping, call log, metrics)
// and opens with Core::Authorize; the logic is in the .cc of each.

#include <memory>

#include "cases/core.h"
#include "grpcpp/impl/service_type.h"
#include "platform/calls.h"
#include "platform/server_main.h"

namespace ibm::cases::v1 {}

namespace ibm::cases {

namespace v1 = ::ibm::cases::v1;

using Services = std::vector<std::unique_ptr<grpc::Service>>;
using CorePtr = std::shared_ptr<const Core>;

// Every service on one Core (tests build them in-process with their own registry client).
absl::StatusOr<Services> BuildServices(platform::ServiceContext& context, Core::Keys keys,
                                       std::shared_ptr<const RegistryClient> registry);

std::unique_ptr<grpc::Service> NewClientService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewScreeningService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewRoutingPolicyService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewCaseService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewCaseEventService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewInterventionService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewRecoverySupportService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewOutcomeService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewUnitActivityService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewSatkerActivityService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewCommunityReportService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewUnitMetricsService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewBatchUploadService(CorePtr core, platform::Runtime runtime);
std::unique_ptr<grpc::Service> NewAuditLogService(CorePtr core, platform::Runtime runtime);

}  // namespace ibm::cases
