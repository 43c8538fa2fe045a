#pragma once

// The referrals service (ibm.referrals.v1): the provider directory and closed-loop
// referrals. `Spec()` is everything ServerMain needs to run it.

#include <vector>

#include "platform/server_main.h"
#include "sql/migrations.h"

namespace ibm::referrals {

inline constexpr int kDefaultPort = 7003;
inline constexpr int kDefaultMetricsPort = 9003;

std::vector<sql::Migration> Migrations();
platform::ServiceSpec Spec();

}  // namespace ibm::referrals
