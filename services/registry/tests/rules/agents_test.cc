// Table-driven tests of registry/rules/agents.h: no gRPC, no database.
#include "registry/rules/agents.h"

#include "gtest/gtest.h"
