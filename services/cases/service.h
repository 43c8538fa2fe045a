#pragma once

// The cases service (ibm.cases.v1): clients with protected identity, screenings and routing,
// cases and what happens in them. `Spec()` is everything ServerMain needs to run it.

#include <vector>

#include "platform/server_main.h"
#include "sql/migrations.h"

namespace ibm::cases {

inline constexpr int kDefaultPort = 7002;
inline constexpr int kDefaultMetricsPort = 9002;

std::vector<sql::Migration> Migrations();
platform::ServiceSpec Spec();

}  // namespace ibm::cases
