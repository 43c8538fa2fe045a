#include "cases/service.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "base/macros.h"
#include "cases/nik_index.h"
#include "cases/services.h"
#include "resource/secrets.h"

ABSL_FLAG(std::string, nik_index_keys, "",
          "file of keys for the NIK index (the format of --field_keys, its own file and "
          "custody): NIKs are found by an HMAC under its first key, never stored in clear");

namespace ibm::cases {
namespace {

absl::StatusOr<std::shared_ptr<const platform::FieldSealer>> NikIndexKeys() {
  const std::string path = absl::GetFlag(FLAGS_nik_index_keys);
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "--nik_index_keys is required: the key file of the NIK index (not the field keys)");
  }
  return platform::FieldSealer::FromKeyFile(path);
}

}  // namespace

platform::ServiceSpec Spec() {
  platform::ServiceSpec spec;
  spec.name = "cases";
  spec.summary =
      "IBM case management: clients (identity sealed), ASSIST screenings and routing, cases, "
      "interventions, recovery support and outcomes";
  spec.default_port = kDefaultPort;
  spec.default_metrics_port = kDefaultMetricsPort;
  spec.migrations = Migrations();
  spec.seals_fields = true;  // client identity
  spec.flags = {"registry", "registry_cache_ttl", "nik_index_keys"};
  spec.check_flags = []() -> absl::Status {
    IBM_RETURN_IF_ERROR(registry::CheckRegistryFlags());
    return NikIndexKeys().status();
  };
  spec.build = [](platform::ServiceContext& context) -> absl::StatusOr<Services> {
    if (context.sealer == nullptr) {
      return absl::FailedPreconditionError("the cases service needs field keys (--field_keys)");
    }
    auto nik_keys = NikIndexKeys();
    if (!nik_keys.ok()) return nik_keys.status();
    auto registry = registry::RegistryClientFromFlags();
    return BuildServices(context, Core::Keys{context.sealer, *nik_keys}, std::move(registry));
  };
  return spec;
}

absl::StatusOr<Services> BuildServices(platform::ServiceContext& context, Core::Keys keys,
                                       std::shared_ptr<const RegistryClient> registry) {
  auto tokens = resource::LoadPageTokens(*context.db, "cases_secrets");
  if (!tokens.ok()) return tokens.status();
  auto core = std::make_shared<const Core>(context.db, *std::move(tokens), context.runtime.clock,
                                           std::move(keys), std::move(registry));
  if (auto rekeyed = RekeyNikIndex(*core); !rekeyed.ok()) return rekeyed.status();
  Services services;
  services.push_back(NewClientService(core, context.runtime));
  services.push_back(NewScreeningService(core, context.runtime));
  services.push_back(NewRoutingPolicyService(core, context.runtime));
  services.push_back(NewCaseService(core, context.runtime));
  services.push_back(NewCaseEventService(core, context.runtime));
  services.push_back(NewInterventionService(core, context.runtime));
  services.push_back(NewRecoverySupportService(core, context.runtime));
  services.push_back(NewOutcomeService(core, context.runtime));
  services.push_back(NewUnitActivityService(core, context.runtime));
  services.push_back(NewSatkerActivityService(core, context.runtime));
  services.push_back(NewCommunityReportService(core, context.runtime));
  services.push_back(NewUnitMetricsService(core, context.runtime));
  services.push_back(NewBatchUploadService(core, context.runtime));
  services.push_back(NewAuditLogService(core, context.runtime));
  return services;
}

}  // namespace ibm::cases
