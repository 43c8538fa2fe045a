#include "registry/registry.h"

#include "registry/services.h"
#include "resource/secrets.h"

namespace ibm::registry {

platform::ServiceSpec Spec() {
  platform::ServiceSpec spec;
  spec.name = "registry";
  spec.summary =
      "the IBM registry: Indonesia's regions, BNN satker, IBM units, recovery agents, officers";
  spec.default_port = kDefaultPort;
  spec.default_metrics_port = kDefaultMetricsPort;
  spec.migrations = Migrations();
  spec.seals_fields = true;  // agents' contact details
  spec.build = [](platform::ServiceContext& context)
      -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    auto tokens = resource::LoadPageTokens(*context.db, "registry_secrets");
    if (!tokens.ok()) return tokens.status();
    if (context.sealer == nullptr) {
      return absl::FailedPreconditionError("the registry needs field keys (--field_keys)");
    }
    auto core = std::make_shared<Core>(context.db, std::move(*tokens), context.runtime.clock,
                                       context.sealer);
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<RegionService>(core, context.runtime));
    services.push_back(std::make_unique<SatkerService>(core, context.runtime));
    services.push_back(std::make_unique<UnitService>(core, context.runtime));
    services.push_back(std::make_unique<AgentService>(core, context.runtime));
    services.push_back(std::make_unique<OfficerService>(core, context.runtime));
    services.push_back(std::make_unique<ChangeLogService>(core, context.runtime));
    return services;
  };
  return spec;
}

}  // namespace ibm::registry
