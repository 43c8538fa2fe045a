#include "registry/store/agents.h"

namespace ibm::registry::store {}  // namespace ibm::registry::store
