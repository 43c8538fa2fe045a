// TODO(issue 9): the screenings store. A placeholder so that the skeleton builds.
#include "cases/store/tables.h"

namespace ibm::cases::store {

std::vector<std::string> ScreeningTables() { return {}; }

}  // namespace ibm::cases::store
