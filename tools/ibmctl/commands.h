#pragma once

// ibmctl's resources and commands (commands.cc).

#include <vector>

#include "ibmctl/cli.h"

namespace ibm::ibmctl {

const std::vector<Resource>& Resources();
const std::vector<Command>& Commands();

}  // namespace ibm::ibmctl
