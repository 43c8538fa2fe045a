#include "testing/docs_section.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace ibm::testing {

void ExpectGeneratedSection(const std::string& path, const std::string& begin,
                            const std::string& end, const std::string& generated) {
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string docs = buffer.str();
  const size_t from = docs.find(begin);
  const size_t to = docs.find(end);
  ASSERT_NE(from, std::string::npos) << path << " lacks the marker " << begin;
  ASSERT_NE(to, std::string::npos) << path << " lacks the marker " << end;
  const std::string shown = docs.substr(from + begin.size(), to - from - begin.size());
  const char* write = std::getenv("IBM_WRITE_DOCS");
  if (write != nullptr && std::string(write) == "1") {
    docs.replace(from + begin.size(), to - from - begin.size(), generated);
    std::ofstream(path) << docs;
    GTEST_SKIP() << "rewrote the section of " << path;
  }
  EXPECT_EQ(shown, generated) << path << " between " << begin
                              << " is not what the code generates: run tools/gen-access-docs.sh";
}

}  // namespace ibm::testing
