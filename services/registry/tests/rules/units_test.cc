// Table-driven tests of registry/rules/units.h: no gRPC, no database.
#include "registry/rules/units.h"

#include "gtest/gtest.h"
