#pragma once

// Field helpers every cases handler shares: dates as the contract carries them, and text
// lengths counted in characters (UTF-8 code points), as the contract counts them.

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "base/status.h"
#include "google/type/date.pb.h"
#include "resource/fields.h"

namespace ibm::cases {

inline absl::CivilDay DayOf(const google::type::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

inline bool IsSet(const google::type::Date& d) {
  return d.year() != 0 || d.month() != 0 || d.day() != 0;
}

// Characters (UTF-8 code points) of `text`.
inline size_t Chars(absl::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// Free text of at most `max` characters (1-`max` when `required`) without control
// characters; never echoed.
inline void CheckChars(platform::FieldViolations& v, absl::string_view field,
                       absl::string_view text, size_t max, bool required) {
  const size_t before = v.count();
  resource::CheckText(v, field, text, 4 * max, required);
  if (v.count() == before && Chars(text) > max) {
    v.Add(field, absl::StrCat("must be at most ", max, " characters"));
  }
}

}  // namespace ibm::cases
