#pragma once

// A section of a document generated from code (e.g. a service's role x method matrix in
// docs/api.md, between two markers): the test fails when the document drifts from the code,
// and with IBM_WRITE_DOCS=1 rewrites the section instead (tools/gen-access-docs.sh).

#include <string>

namespace ibm::testing {

// Fails the current test when the text between `begin` and `end` in `path` is not
// `generated`; with IBM_WRITE_DOCS=1, writes `generated` there and skips.
void ExpectGeneratedSection(const std::string& path, const std::string& begin,
                            const std::string& end, const std::string& generated);

}  // namespace ibm::testing
