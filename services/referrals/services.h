#pragma once

// The referrals service's gRPC services, one factory per proto service. Each handler runs
// through platform::UnaryCalls (auth, bounded executor, status mapping, call log, metrics)
// and opens with Core::Authorize; the logic is in the .cc of each.

#include <memory>
#include <vector>

#include "grpcpp/impl/service_type.h"
#include "platform/calls.h"
#include "platform/server_main.h"
#include "referrals/core.h"

namespace ibm::referrals::v1 {}

namespace ibm::referrals {

namespace v1 = ::ibm::referrals::v1;

using Services = std::vector<std::unique_ptr<grpc::Service>>;
using CorePtr = std::shared_ptr<const Core>;

// Every service on one Core (tests build them in-process with their own registry client).
absl::StatusOr<Services> BuildServices(platform::ServiceContext& context,
                                       std::shared_ptr<const RegistryClient> registry);

std::unique_ptr<grpc::Service> NewProviderService(CorePtr core, platform::Runtime runtime);

}  // namespace ibm::referrals
