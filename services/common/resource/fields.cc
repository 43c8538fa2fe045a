#include "resource/fields.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace ibm::resource {

void CheckText(platform::FieldViolations& v, absl::string_view field, absl::string_view text,
               size_t max, bool required) {
  if (required && absl::StripAsciiWhitespace(text).empty()) {
    v.Add(field, "is required");
  } else if (text.size() > max) {
    v.Add(field, absl::StrCat("must be at most ", max, " bytes"));
  } else {
    for (unsigned char c : text) {
      if (c < 0x20 && c != '\t') {
        v.Add(field, "must not contain control characters");
        return;
      }
    }
  }
}

void CheckRequestId(platform::FieldViolations& v, absl::string_view field,
                    absl::string_view request_id) {
  if (request_id.empty()) {
    v.Add(field,
          "is required: a unique id for this create (a UUID), so that a retry never "
          "creates twice");
    return;
  }
  if (request_id.size() > 100) {
    v.Add(field, "must be at most 100 characters (a UUID is recommended)");
    return;
  }
  for (char c : request_id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != ':') {
      v.Add(field, "may only contain letters, digits, '-', '_', '.' and ':'");
      return;
    }
  }
}

void CheckDate(platform::FieldViolations& v, absl::string_view field, const google::type::Date& d,
               bool required) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) {
    if (required) v.Add(field, "is required");
    return;
  }
  absl::CivilDay day(d.year(), d.month(), d.day());
  if (d.year() < 1945 || d.year() > 2200 || day.year() != d.year() || day.month() != d.month() ||
      day.day() != d.day()) {
    v.Add(field, "must be a real calendar date between 1945 and 2200");
  }
}

std::string DateText(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

google::type::Date ParseDateText(absl::string_view text) {
  google::type::Date d;
  absl::CivilDay day;
  if (absl::ParseCivilTime(text, &day)) {
    d.set_year(static_cast<int32_t>(day.year()));
    d.set_month(day.month());
    d.set_day(day.day());
  }
  return d;
}

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  google::protobuf::Timestamp t;
  t.set_seconds(micros / 1000000);
  t.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return t;
}

absl::CivilDay Today(absl::Time now) {
  static const absl::TimeZone kWit = absl::FixedTimeZone(9 * 60 * 60);
  return absl::ToCivilDay(now, kWit);
}

}  // namespace ibm::resource
