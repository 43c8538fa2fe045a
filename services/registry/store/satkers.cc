#include "registry/store/satkers.h"

namespace ibm::registry::store {}  // namespace ibm::registry::store
