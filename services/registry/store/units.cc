#include "registry/store/units.h"

namespace ibm::registry::store {}  // namespace ibm::registry::store
