#include "registry/rules/regions.h"

namespace ibm::registry::rules {}  // namespace ibm::registry::rules
