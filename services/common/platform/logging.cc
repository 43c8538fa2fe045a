#include "platform/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ibm::platform {
namespace {

std::atomic<LogLevel> min_level{LogLevel::kInfo};

absl::Mutex sink_mu;
std::string* capture_target ABSL_GUARDED_BY(sink_mu) = nullptr;

std::shared_ptr<spdlog::logger> Logger() {
  // stderr, lines written whole under spdlog's lock; our JSON is the entire line.
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("ibm");
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

constexpr absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (LevelName(l) == name) return l;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("log level '", name, "' must be debug, info, warn or error"));
}

void InitLogging(LogLevel level) {
  min_level = level;
  Logger();
}

void SetLogSinkForTesting(std::string* captured) {
  absl::MutexLock lock(&sink_mu);
  capture_target = captured;
}

void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields) {
  if (level < min_level.load(std::memory_order_relaxed)) return;
  nlohmann::ordered_json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  line["msg"] = std::string(msg);
  for (const LogField& f : fields) {
    std::visit([&](const auto& v) { line[std::string(f.key)] = v; }, f.value);
  }
  // Invalid UTF-8 is replaced rather than thrown: a log line must never take a call down.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  {
    absl::MutexLock lock(&sink_mu);
    if (capture_target != nullptr) {
      capture_target->append(text).append("\n");
      return;
    }
  }
  Logger()->info(text);
}

}  // namespace ibm::platform
