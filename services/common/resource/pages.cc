#include "resource/pages.h"

namespace ibm::resource {

std::string TrimPage(const platform::PageTokens& tokens, absl::string_view query,
                     std::vector<sql::Row>& rows, const platform::Page& page,
                     const std::function<std::string(const sql::Row&)>& key) {
  if (rows.size() <= static_cast<size_t>(page.size)) return "";
  rows.erase(rows.begin() + page.size, rows.end());
  return tokens.Next(query, key ? key(rows.back()) : rows.back().Text(0));
}

}  // namespace ibm::resource
