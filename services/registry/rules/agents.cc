#include "registry/rules/agents.h"

namespace ibm::registry::rules {}  // namespace ibm::registry::rules
