#pragma once

// What the rules tests share: what they read off a FieldViolations or a status (the fields
// named, in order, a field's description, the ErrorInfo reason) and a date builder.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/status.h"
#include "google/type/date.pb.h"

namespace ibm::registry::rules {

using Fields = std::vector<std::string>;

inline Fields FieldsOf(const absl::Status& s) {
  Fields out;
  for (const auto& [field, description] : platform::FieldViolationsOf(s)) out.push_back(field);
  return out;
}
inline Fields FieldsOf(const platform::FieldViolations& v) { return FieldsOf(v.status()); }

// The description of the first violation of `field`; "" when there is none.
inline std::string DescriptionOf(const absl::Status& s, const std::string& field) {
  for (const auto& [f, description] : platform::FieldViolationsOf(s)) {
    if (f == field) return description;
  }
  return "";
}
inline std::string DescriptionOf(const platform::FieldViolations& v, const std::string& field) {
  return DescriptionOf(v.status(), field);
}

inline std::string ReasonOf(const absl::Status& s) { return platform::ErrorInfoOf(s).reason(); }

inline google::type::Date Day(int year, int month, int day) {
  google::type::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

}  // namespace ibm::registry::rules
