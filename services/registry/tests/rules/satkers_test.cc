// Table-driven tests of registry/rules/satkers.h: no gRPC, no database.
#include "registry/rules/satkers.h"

#include "gtest/gtest.h"
