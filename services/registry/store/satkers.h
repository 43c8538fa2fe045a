#pragma once

// The satkers store: every SQL statement about satkers, named, and rows mapped by column name into
// plain structs. No protos, no callers, no access rules: those are the handler's.

namespace ibm::registry::store {}  // namespace ibm::registry::store
