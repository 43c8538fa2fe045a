#pragma once

// Prometheus metrics, served over HTTP at /metrics:
//   ibm_rpc_handled_total{service,method,code}         calls finished, by status code
//   ibm_rpc_duration_seconds{service,method}            latency histogram
//   ibm_executor_queued{service}                        calls waiting for a worker
//   ibm_db_connections{service,state="open"|"idle"}     the SQL pool
//   ibm_log_lines_dropped_total{service}                log lines dropped (stderr stalled)

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace prometheus {
class Registry;
class Exposer;
}  // namespace prometheus

namespace ibm::platform {

class Metrics {
 public:
  explicit Metrics(std::string service);
  ~Metrics();

  // Starts the HTTP endpoint ("0.0.0.0:9464"; port 0 picks one). UNAVAILABLE if it can't bind.
  absl::Status Serve(const std::string& address);
  int port() const;

  void ObserveCall(absl::string_view method, absl::string_view code, double seconds);
  void SetQueued(int queued);
  void SetDbConnections(int open, int idle);
  // The process's count of dropped log lines (DroppedLogLines), brought up to date.
  void SetLogLinesDropped(uint64_t total);

  // The text exposition of every metric (what /metrics serves).
  std::string Render() const;

 private:
  struct Families;
  std::string service_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace ibm::platform
