#pragma once

// ibmctl's case-management commands (cases_commands.cc): clients, screenings, cases.

#include <vector>

#include "ibmctl/cli.h"

namespace ibm::ibmctl {

const std::vector<Resource>& CasesResources();
const std::vector<Command>& CasesCommands();

}  // namespace ibm::ibmctl
