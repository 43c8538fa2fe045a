#pragma once

// Structured logs: one JSON object per line on stderr (what Kubernetes collects). Messages
// and fields are for operators: never a request payload, never personal data.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ibm::platform {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);

// Sets the level below which lines are dropped. Safe to call again (tests).
void InitLogging(LogLevel level);

struct LogField {
  LogField(absl::string_view k, absl::string_view v) : key(k), value(std::string(v)) {}
  LogField(absl::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(absl::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(absl::string_view k, int64_t v) : key(k), value(v) {}
  LogField(absl::string_view k, int v) : key(k), value(int64_t{v}) {}
  LogField(absl::string_view k, double v) : key(k), value(v) {}
  LogField(absl::string_view k, bool v) : key(k), value(v) {}
  absl::string_view key;
  std::variant<std::string, int64_t, double, bool> value;
};

// {"ts":"...","level":"info","msg":"...", fields...}
void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});

// Where lines go: stderr unless a test captures them (nullptr restores stderr).
void SetLogSinkForTesting(std::string* captured);

}  // namespace ibm::platform
