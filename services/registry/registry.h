#pragma once

// The registry service (ibm.registry.v1): regions, satker, IBM units, recovery agents,
// officers and the change log. `Spec()` is everything ServerMain needs to run it.

#include <vector>

#include "platform/server_main.h"
#include "sql/migrations.h"

namespace ibm::registry {

inline constexpr int kDefaultPort = 7001;
inline constexpr int kDefaultMetricsPort = 9001;

std::vector<sql::Migration> Migrations();
platform::ServiceSpec Spec();

}  // namespace ibm::registry
