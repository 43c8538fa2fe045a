#pragma once

// The end of a list query: queries fetch one row more than the page size; TrimPage drops
// it and returns the next page token (empty at the end), sealed to the query and keyed by
// the last row's `key` (by default its first column).

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "base/paging.h"
#include "sql/value.h"

namespace ibm::resource {

std::string TrimPage(const platform::PageTokens& tokens, absl::string_view query,
                     std::vector<sql::Row>& rows, const platform::Page& page,
                     const std::function<std::string(const sql::Row&)>& key = nullptr);

// The same for lists read into structs: drops the extra item and returns the next page's
// token (empty at the end), keyed by `key` of the page's last item.
template <class T, class Key>
std::string TrimToPage(const platform::PageTokens& tokens, absl::string_view query,
                       std::vector<T>& items, const platform::Page& page, Key key) {
  if (items.size() <= static_cast<size_t>(page.size)) return "";
  items.resize(page.size);
  return tokens.Next(query, key(items.back()));
}

}  // namespace ibm::resource
