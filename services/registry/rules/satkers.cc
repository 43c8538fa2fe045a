#include "registry/rules/satkers.h"

namespace ibm::registry::rules {}  // namespace ibm::registry::rules
