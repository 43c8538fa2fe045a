#include "base/logging.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ibm::platform {
namespace {

std::atomic<LogLevel> min_level{LogLevel::kInfo};
std::atomic<bool> text_format{false};
std::atomic<uint64_t> dropped{0};

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

// The queue between callers and the one writer thread. Never destroyed (lines may be logged
// while the process exits).
class Writer {
 public:
  static Writer& Get() {
    static Writer* writer = [] {
      auto* w = new Writer();
      std::thread([w] { w->Run(); }).detach();
      std::atexit([] { FlushLogs(); });
      return w;
    }();
    return *writer;
  }

  void Push(std::string line) {
    absl::MutexLock lock(&mu_);
    if (capture_ != nullptr) {
      capture_->append(line).push_back('\n');
      return;
    }
    if (queue_.size() >= limit_) {
      dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    queue_.push_back(std::move(line));
  }

  void Flush() {
    absl::MutexLock lock(&mu_);
    ++flushing_;
    auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return paused_ || (queue_.empty() && writing_ == 0);
    };
    // Bounded: a stalled stderr must not hang the exit or a SIGTERM shutdown.
    mu_.AwaitWithTimeout(absl::Condition(&drained), absl::Seconds(5));
    --flushing_;
  }

  void SetCapture(std::string* capture) {
    absl::MutexLock lock(&mu_);
    capture_ = capture;
  }
  std::string Captured() const {
    absl::MutexLock lock(&mu_);
    return capture_ != nullptr ? *capture_ : "";
  }
  void SetLimit(size_t lines) {
    absl::MutexLock lock(&mu_);
    limit_ = lines;
  }
  void SetPaused(bool paused) {
    absl::MutexLock lock(&mu_);
    paused_ = paused;
  }

 private:
  void Run() {
    std::vector<std::string> batch;
    std::string buffer;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        writing_ = 0;
        auto ready = [this]()
                         ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !paused_ && !queue_.empty(); };
        mu_.Await(absl::Condition(&ready));
        // Then gather a batch: one wake-up and one write per kBatchWindow under load, rather
        // than a context switch per line (measured: a tenth of GetRegion's throughput).
        auto full = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return flushing_ > 0 || queue_.size() >= kBatchLines;
        };
        mu_.AwaitWithTimeout(absl::Condition(&full), kBatchWindow);
        if (paused_) continue;
        batch.swap(queue_);
        writing_ = batch.size();
      }
      buffer.clear();
      for (const std::string& line : batch) buffer.append(line).push_back('\n');
      batch.clear();
      if (!WriteAll(buffer)) {
        // What could not be written is lost: counted, as lines dropped on a full queue are.
        dropped.fetch_add(static_cast<uint64_t>(std::count(buffer.begin(), buffer.end(), '\n')),
                          std::memory_order_relaxed);
      }
    }
  }

  // False when stderr is gone or stays unwritable (a non-blocking pipe that is full).
  static bool WriteAll(absl::string_view text) {
    int waits = 0;
    while (!text.empty()) {
      ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waits++ < 50) {
        pollfd out{STDERR_FILENO, POLLOUT, 0};
        ::poll(&out, 1, 100);
        continue;
      }
      if (n <= 0) return false;
      text.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  mutable absl::Mutex mu_;
  std::vector<std::string> queue_ ABSL_GUARDED_BY(mu_);
  size_t writing_ ABSL_GUARDED_BY(mu_) = 0;
  size_t limit_ ABSL_GUARDED_BY(mu_) = 16384;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  int flushing_ ABSL_GUARDED_BY(mu_) = 0;  // callers waiting in Flush: write at once
  static constexpr size_t kBatchLines = 1024;
  static constexpr absl::Duration kBatchWindow = absl::Milliseconds(20);
  std::string* capture_ ABSL_GUARDED_BY(mu_) = nullptr;
};

absl::Mutex capture_mu;
std::string* capture_text ABSL_GUARDED_BY(capture_mu) = nullptr;

// A JSON string. Invalid UTF-8 is replaced (U+FFFD) rather than refused: a log line must
// never take a call down.
void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const unsigned char b = static_cast<unsigned char>(s[i + k]);
      ok = k == 1 ? (b >= lo && b <= hi) : (b & 0xC0) == 0x80;
    }
    if (ok) {
      out->append(s.data() + i, len);
      i += len;
    } else {
      out->append("\xEF\xBF\xBD");
      ++i;
    }
  }
  out->push_back('"');
}

void AppendJsonValue(std::string* out, const LogField& f) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          AppendJsonString(out, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          out->append(v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v)) {
            absl::StrAppend(out, v);
          } else {
            out->append("null");
          }
        } else {
          absl::StrAppend(out, v);
        }
      },
      f.value);
}

// For a terminal: printable ASCII and UTF-8 kept, control characters (escape sequences
// included) shown as '?'; values with spaces quoted.
void AppendTextValue(std::string* out, const LogField& f) {
  std::string v;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          v = x;
        } else if constexpr (std::is_same_v<T, bool>) {
          v = x ? "true" : "false";
        } else {
          v = absl::StrCat(x);
        }
      },
      f.value);
  for (char& c : v) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (v.find(' ') != std::string::npos || v.empty()) {
    absl::StrAppend(out, "\"", v, "\"");
  } else {
    out->append(v);
  }
}

}  // namespace

namespace internal {

std::string JsonLine(absl::string_view ts, LogLevel level, absl::string_view msg,
                     std::initializer_list<LogField> fields) {
  std::string out;
  out.reserve(256);
  out.append("{\"ts\":");
  AppendJsonString(&out, ts);
  absl::StrAppend(&out, ",\"level\":\"", LevelName(level), "\",\"msg\":");
  AppendJsonString(&out, msg);
  for (const LogField& f : fields) {
    out.push_back(',');
    AppendJsonString(&out, f.key);
    out.push_back(':');
    AppendJsonValue(&out, f);
  }
  out.push_back('}');
  return out;
}

std::string TextLine(absl::string_view ts, LogLevel level, absl::string_view msg,
                     std::initializer_list<LogField> fields) {
  std::string level_text(LevelName(level));
  absl::AsciiStrToUpper(&level_text);
  level_text.resize(5, ' ');
  std::string out = absl::StrCat(ts, " ", level_text, " ", msg);
  for (const LogField& f : fields) {
    // Empty and false fields say nothing to a person reading along.
    if (const auto* s = std::get_if<std::string>(&f.value); s != nullptr && s->empty()) continue;
    if (const auto* b = std::get_if<bool>(&f.value); b != nullptr && !*b) continue;
    absl::StrAppend(&out, " ", f.key, "=");
    AppendTextValue(&out, f);
  }
  return out;
}

void SetLogQueueLimitForTesting(size_t lines) { Writer::Get().SetLimit(lines); }
void PauseLogWriterForTesting(bool paused) { Writer::Get().SetPaused(paused); }

}  // namespace internal

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (LevelName(l) == name) return l;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("log level '", name, "' must be debug, info, warn or error"));
}

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "auto") return LogFormat::kAuto;
  if (name == "json") return LogFormat::kJson;
  if (name == "text") return LogFormat::kText;
  return absl::InvalidArgumentError(
      absl::StrCat("log format '", name, "' must be auto, json or text"));
}

void InitLogging(LogLevel level, LogFormat format) {
  min_level = level;
  text_format =
      format == LogFormat::kText || (format == LogFormat::kAuto && ::isatty(STDERR_FILENO));
  Writer::Get();
}

void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields) {
  if (level < min_level.load(std::memory_order_relaxed)) return;
  LogAlways(level, msg, fields);
}

void LogAlways(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields) {
  const absl::Time now = absl::Now();
  if (text_format.load(std::memory_order_relaxed)) {
    Writer::Get().Push(internal::TextLine(
        absl::FormatTime("%H:%M:%E3S", now, absl::LocalTimeZone()), level, msg, fields));
  } else {
    Writer::Get().Push(internal::JsonLine(
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()), level, msg, fields));
  }
}

void FlushLogs() { Writer::Get().Flush(); }

uint64_t DroppedLogLines() { return dropped.load(std::memory_order_relaxed); }

LogCapture::LogCapture() {
  absl::MutexLock lock(&capture_mu);
  capture_text = new std::string();
  Writer::Get().SetCapture(capture_text);
}

LogCapture::~LogCapture() {
  absl::MutexLock lock(&capture_mu);
  Writer::Get().SetCapture(nullptr);
  delete capture_text;
  capture_text = nullptr;
}

std::string LogCapture::text() const { return Writer::Get().Captured(); }

}  // namespace ibm::platform
