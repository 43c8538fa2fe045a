#pragma once

// Checks of a request's fields, the same for every service: each adds a violation naming the
// field (FieldViolations), never echoing more of the input than a few bytes.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/status.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"

namespace ibm::resource {

// Text of at most `max` bytes, without control characters (a tab is allowed); `required`:
// not empty nor only spaces.
void CheckText(platform::FieldViolations& v, absl::string_view field, absl::string_view text,
               size_t max, bool required);
// A create's request_id: required, 1-100 letters, digits, '-', '_', '.', ':'.
void CheckRequestId(platform::FieldViolations& v, absl::string_view field,
                    absl::string_view request_id);
// A real calendar date from 1945 to 2200; `required` when it must be set.
void CheckDate(platform::FieldViolations& v, absl::string_view field, const google::type::Date& d,
               bool required);

std::string DateText(const google::type::Date& d);  // YYYY-MM-DD, as stored
google::type::Date ParseDateText(absl::string_view text);
google::protobuf::Timestamp ToTimestamp(int64_t micros);
// "Today" for a date a caller gives: the day in Indonesia's easternmost time zone (WIT,
// UTC+9), so that a day which has begun anywhere in the country is never "in the future".
absl::CivilDay Today(absl::Time now);  // stored times: µs since the epoch

}  // namespace ibm::resource
