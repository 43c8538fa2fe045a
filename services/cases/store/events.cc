// TODO(issue 9): the events store. A placeholder so that the skeleton builds.
#include "cases/store/tables.h"

namespace ibm::cases::store {

std::vector<std::string> EventTables() { return {}; }

}  // namespace ibm::cases::store
