#include "registry/store/regions.h"

namespace ibm::registry::store {}  // namespace ibm::registry::store
