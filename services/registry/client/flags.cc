// The flags of every service that asks the registry (ServiceSpec::flags "registry" and
// "registry_cache_ttl"), defined once for all of them.
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "registry/client/registry_client.h"

ABSL_FLAG(std::string, registry, "127.0.0.1:7001",
          "the registry's gRPC address (host:port): the units, agents, villages and satkers a "
          "request names are checked there, on behalf of each caller");
ABSL_FLAG(absl::Duration, registry_cache_ttl, absl::Seconds(30),
          "how long the registry's answers about units, agents, villages and satkers are "
          "reused (0: ask every time)");

namespace ibm::registry {

absl::Status CheckRegistryFlags() {
  if (absl::GetFlag(FLAGS_registry).empty()) {
    return absl::InvalidArgumentError("--registry: the registry's address is required");
  }
  if (absl::GetFlag(FLAGS_registry_cache_ttl) < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--registry_cache_ttl must not be negative");
  }
  return absl::OkStatus();
}

std::shared_ptr<RegistryClient> RegistryClientFromFlags() {
  return std::make_shared<RegistryClient>(
      grpc::CreateChannel(absl::GetFlag(FLAGS_registry), grpc::InsecureChannelCredentials()),
      absl::GetFlag(FLAGS_registry_cache_ttl));
}

}  // namespace ibm::registry
