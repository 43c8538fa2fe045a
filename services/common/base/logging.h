#pragma once

// Structured logs: one line per event on stderr (what Kubernetes collects). Messages and
// fields are for operators: never a request payload, never personal data.
//
// Writing never blocks a caller on a slow stderr: Log() formats the line and queues it; one
// writer thread writes what is queued in batches. When the queue is full (stderr stalled),
// the line is dropped and counted (DroppedLogLines, the metric ibm_log_lines_dropped_total)
// rather than stalling calls. FlushLogs() (called at exit) writes what is queued.
//
// Format: JSON, {"ts":"...","level":"info","msg":"...", fields...}, everywhere by default;
// short human lines ("12:03:04.567 INFO  call method=... code=OK") when asked, or with
// LogFormat::kAuto when stderr is a terminal (a person running the suite in the foreground).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ibm::platform {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kAuto, kJson, kText };

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// Sets the level below which lines are dropped, and the format. Safe to call again (tests).
void InitLogging(LogLevel level, LogFormat format = LogFormat::kJson);

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

// Queues one line (formatted now, written soon).
void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});
// The same, whatever --log_level says: for the few lines of a server's life (serving,
// stopped) that tools and operators wait for.
void LogAlways(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});

// Writes every queued line to stderr and returns when done.
void FlushLogs();

// Lines dropped because the queue was full, since the process started.
uint64_t DroppedLogLines();

// While alive, every line is appended to this capture (synchronously) instead of stderr.
// One at a time; its destructor restores stderr, also when the test fails part-way.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Everything logged since it began.
  std::string text() const;
};

namespace internal {
// The pieces of a line, exposed for tests of the formats.
std::string JsonLine(absl::string_view ts, LogLevel level, absl::string_view msg,
                     std::initializer_list<LogField> fields);
std::string TextLine(absl::string_view ts, LogLevel level, absl::string_view msg,
                     std::initializer_list<LogField> fields);
// Bounds the queue (tests of dropping); the default is 16,384 lines.
void SetLogQueueLimitForTesting(size_t lines);
// Stops (true) or restarts (false) the writer, as a stalled stderr would.
void PauseLogWriterForTesting(bool paused);
}  // namespace internal

}  // namespace ibm::platform
