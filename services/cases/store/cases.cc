// TODO(issue 9): the cases store. A placeholder so that the skeleton builds.
#include "cases/store/tables.h"

namespace ibm::cases::store {

std::vector<std::string> CaseTables() { return {}; }

}  // namespace ibm::cases::store
