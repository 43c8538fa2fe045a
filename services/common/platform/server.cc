#include "platform/server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/logging.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "platform/metrics.h"

namespace ibm::platform {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " file ", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& o) {
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both a certificate and a key file");
  }
  if (o.tls_cert_file.empty()) {
    if (!o.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("a client CA (mTLS) needs a server certificate and key");
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions ssl(
      o.tls_client_ca_file.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                   : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  auto cert = ReadFile(o.tls_cert_file, "TLS certificate");
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(o.tls_key_file, "TLS key");
  if (!key.ok()) return key.status();
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!o.tls_client_ca_file.empty()) {
    auto ca = ReadFile(o.tls_client_ca_file, "TLS client CA");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
  }
  return grpc::SslServerCredentials(ssl);
}

// Both must happen before the first ServerBuilder is created, once per process.
void InitGrpcOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  });
}

}  // namespace

absl::Status CheckServerOptions(const ServerOptions& options) {
  if (options.max_message_bytes < 1024) {
    return absl::InvalidArgumentError("max_message_bytes must be at least 1024");
  }
  return Credentials(options).status();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                      const std::vector<grpc::Service*>& services,
                                                      sql::Database* db, Metrics* metrics) {
  InitGrpcOnce();
  auto creds = Credentials(options);
  if (!creds.ok()) return creds.status();

  auto server = std::unique_ptr<Server>(new Server());
  server->db_ = db;
  server->metrics_ = metrics;
  server->health_interval_ = options.health_interval;

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *creds, &server->port_);
  // gRPC sets SO_REUSEPORT by default: a second server on a taken port would then start and
  // silently share its traffic. A taken port must be an error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Clients may ping every 10 s without data before the server calls it abuse.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_AGE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.max_connection_age)));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30000);
  for (grpc::Service* s : services) {
    builder.RegisterService(s);
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  server->SetReadiness(db == nullptr || db->Ping().code() != absl::StatusCode::kUnavailable);
  if (db != nullptr)
    server->health_thread_ = std::thread([s = server.get()] { s->MonitorHealth(); });
  return server;
}

Server::~Server() {
  if (server_ == nullptr) return;  // never started (e.g. the port was taken)
  Shutdown(absl::ZeroDuration());
  Wait();
}

void Server::SetReadiness(bool serving) {
  if (serving != ready_) {
    Log(serving ? LogLevel::kInfo : LogLevel::kWarn,
        serving ? "ready: database reachable" : "not ready: database unreachable");
  }
  ready_ = serving;
  // "" is the whole server (readiness). Setting it sets every name, so liveness is put back.
  server_->GetHealthCheckService()->SetServingStatus(serving);
  server_->GetHealthCheckService()->SetServingStatus(kLivenessService, true);
}

void Server::MonitorHealth() {
  while (!stopping_.WaitForNotificationWithTimeout(health_interval_)) {
    // A busy pool (RESOURCE_EXHAUSTED) still means a reachable database: only a lost
    // server takes the pod out of rotation, so load never flaps readiness.
    absl::Status ping = db_->Ping();
    SetReadiness(ping.code() != absl::StatusCode::kUnavailable);
    if (metrics_ != nullptr) {
      sql::PoolStats stats = db_->stats();
      metrics_->SetDbConnections(stats.open, stats.idle);
      metrics_->SetLogLinesDropped(DroppedLogLines());
    }
  }
}

void Server::Shutdown(absl::Duration grace, absl::Duration lame_duck) {
  std::call_once(shutdown_once_, [&] {
    Log(LogLevel::kInfo, "shutting down",
        {{"lame_duck_ms", absl::ToInt64Milliseconds(lame_duck)},
         {"grace_ms", absl::ToInt64Milliseconds(grace)}});
    stopping_.Notify();
    if (health_thread_.joinable()) health_thread_.join();
    // Every health name NOT_SERVING (and stays so); calls are still served while the
    // lame-duck period lasts; then drain.
    server_->GetHealthCheckService()->Shutdown();
    if (lame_duck > absl::ZeroDuration()) absl::SleepFor(lame_duck);
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    stopped_.Notify();
  });
}

void Server::Wait() {
  stopped_.WaitForNotification();
  server_->Wait();
}

}  // namespace ibm::platform
