#pragma once

// A gRPC server with everything the suite's services share: health (readiness follows the
// database), reflection, keepalive and message limits, optional TLS, and a graceful
// shutdown that drains in-flight calls.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/server.h"
#include "sql/database.h"

namespace ibm::platform {

class Metrics;

// The health service name that stays SERVING while the process runs (the liveness probe);
// "" and each service's own name follow the database (the readiness probe).
inline constexpr const char* kLivenessService = "liveness";

struct ServerOptions {
  std::string listen = "127.0.0.1:0";
  std::string tls_cert_file;  // with tls_key_file: serve TLS
  std::string tls_key_file;
  std::string tls_client_ca_file;  // also: require and verify client certificates (mTLS)
  int max_message_bytes = 4 << 20;
  absl::Duration health_interval = absl::Seconds(2);
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Connections are closed (gracefully) after this long, so clients re-resolve and load
  // spreads over new pods.
  absl::Duration max_connection_age = absl::Minutes(5);
};

// INVALID_ARGUMENT / NOT_FOUND when the options cannot work (TLS halves, unreadable files):
// checked at start-up before anything else is done.
absl::Status CheckServerOptions(const ServerOptions& options);

class Server {
 public:
  // Builds and starts the server. `services` must outlive it; `db` (optional) drives
  // readiness; `metrics` (optional) gets the pool gauges. UNAVAILABLE if it cannot bind.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                       const std::vector<grpc::Service*>& services,
                                                       sql::Database* db, Metrics* metrics);
  ~Server();

  int port() const { return port_; }

  // Every health name goes NOT_SERVING; for `lame_duck` the server still answers calls (so
  // load balancers and clients see it leave before the port closes); then new calls are
  // refused, in-flight calls may finish until `grace` has passed, and the rest are
  // cancelled. Idempotent.
  void Shutdown(absl::Duration grace, absl::Duration lame_duck = absl::ZeroDuration());
  // Blocks until Shutdown has completed.
  void Wait();

 private:
  Server() = default;
  void MonitorHealth();
  void SetReadiness(bool serving);

  std::unique_ptr<grpc::Server> server_;
  sql::Database* db_ = nullptr;
  Metrics* metrics_ = nullptr;
  absl::Duration health_interval_;
  int port_ = 0;
  bool ready_ = false;
  absl::Notification stopping_;
  absl::Notification stopped_;
  std::once_flag shutdown_once_;
  std::thread health_thread_;
};

}  // namespace ibm::platform
