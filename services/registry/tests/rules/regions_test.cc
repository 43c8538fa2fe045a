// Table-driven tests of registry/rules/regions.h: no gRPC, no database.
#include "registry/rules/regions.h"

#include "gtest/gtest.h"
