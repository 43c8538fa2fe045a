#pragma once

// The end of a list query: queries fetch one item more than the page size; TrimToPage drops
// it and returns the next page token (empty at the end), sealed to the query and keyed by
// the page's last item.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "base/paging.h"

namespace ibm::resource {

// For rows or structs alike: `key` names the last item's position (its id, its sequence).
template <class T, class Key>
std::string TrimToPage(const platform::PageTokens& tokens, absl::string_view query,
                       std::vector<T>& items, const platform::Page& page, Key key) {
  if (items.size() <= static_cast<size_t>(page.size)) return "";
  items.erase(items.begin() + page.size, items.end());
  return tokens.Next(query, key(items.back()));
}

}  // namespace ibm::resource
