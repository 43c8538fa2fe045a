#include "referrals/service.h"

#include "referrals/services.h"
#include "resource/secrets.h"

namespace ibm::referrals {

platform::ServiceSpec Spec() {
  platform::ServiceSpec spec;
  spec.name = "referrals";
  spec.summary =
      "IBM referrals: the provider directory, closed-loop referrals to health and social "
      "services, delivery to the providers' endpoints";
  spec.default_port = kDefaultPort;
  spec.default_metrics_port = kDefaultMetricsPort;
  spec.migrations = Migrations();
  spec.seals_fields = true;  // referrals' health data (clinical summary, notes, outcomes)
  spec.flags = {"registry", "registry_cache_ttl"};
  spec.check_flags = registry::CheckRegistryFlags;
  spec.build = [](platform::ServiceContext& context) -> absl::StatusOr<Services> {
    if (context.sealer == nullptr) {
      return absl::FailedPreconditionError("the referrals service needs field keys (--field_keys)");
    }
    auto registry = registry::RegistryClientFromFlags();
    return BuildServices(context, std::move(registry));
  };
  return spec;
}

absl::StatusOr<Services> BuildServices(platform::ServiceContext& context,
                                       std::shared_ptr<const RegistryClient> registry) {
  auto tokens = resource::LoadPageTokens(*context.db, "referrals_secrets");
  if (!tokens.ok()) return tokens.status();
  auto core = std::make_shared<const Core>(context.db, *std::move(tokens), context.runtime.clock,
                                           context.sealer, std::move(registry));
  Services services;
  services.push_back(NewProviderService(core, context.runtime));
  return services;
}

}  // namespace ibm::referrals
