#include "registry/rules/units.h"

namespace ibm::registry::rules {}  // namespace ibm::registry::rules
