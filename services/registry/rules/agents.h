#pragma once

// The agents' pure rules: no I/O, no protos where a plain value will do; tested by
// tests/rules/agents_test.cc without gRPC or a database.

namespace ibm::registry::rules {}  // namespace ibm::registry::rules
