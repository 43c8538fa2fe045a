#pragma once

// A real server in the test process for service tests: port 0 on loopback, real JWTs
// signed by a per-test key, a real executor, metrics and health.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "auth/authenticator.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "platform/calls.h"
#include "platform/executor.h"
#include "platform/metrics.h"
#include "platform/server.h"
#include "platform/server_main.h"
#include "testing/token_issuer.h"

namespace ibm::testing {

// A fresh request id ("test-<n>"), unique within the test process.
std::string NextRequestId();

// `request` with a fresh request_id when it has none: every create of the suite requires
// one, and tests that are not about idempotency should not have to invent them.
template <class Request>
Request WithRequestId(Request request) {
  if (request.request_id().empty()) request.set_request_id(NextRequestId());
  return request;
}

// A clock a test moves by hand: thread-safe, starts at `start`.
class ManualClock {
 public:
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1767225600))  // 2026-01-01
      : now_(start) {}
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  // For TestServer::Options::clock; the ManualClock must outlive the server.
  std::function<absl::Time()> AsFunction() const {
    return [this] { return Now(); };
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

class TestServer {
 public:
  struct Options {
    int workers = 4;
    int max_queued = 64;
    absl::Duration health_interval = absl::Milliseconds(100);
    // What the services take for now (Runtime::clock); real time unless a test injects one,
    // e.g. a ManualClock.
    std::function<absl::Time()> clock;
    // Runtime::embedded_database: kShortRead bodies run inline (as on SQLite).
    bool embedded_database = false;
  };

  // `db` (optional) drives readiness and is what ServiceContext hands to services.
  explicit TestServer(sql::Database* db);
  TestServer(sql::Database* db, Options options);
  ~TestServer();

  // The key file line ("test <base64>") that every test server's context seals with: one
  // random key per test process.
  static const std::string& FieldKeyLine();

  const platform::Runtime& runtime() const { return runtime_; }
  platform::ServiceContext Context(const std::string& service, int schema_version = 0);

  // Starts serving; `services` must outlive the server.
  void Start(const std::vector<grpc::Service*>& services);
  void Shutdown(absl::Duration grace);

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  platform::Server& server() { return *server_; }
  platform::Metrics& metrics() { return metrics_; }
  platform::Executor& executor() { return executor_; }
  TokenIssuer& tokens() { return tokens_; }

  // A client context carrying a valid token for role@satker (subject "officer-1" unless
  // given), with a 10 s deadline.
  std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& satker,
                                          const std::string& subject = "officer-1") const;
  // A client context carrying a valid token with exactly these claims (tokens().Claims(...)
  // edited: a system's `system` claim, an organisation's `org`), with a 10 s deadline.
  std::unique_ptr<grpc::ClientContext> WithClaims(const nlohmann::json& claims) const;

 private:
  Options options_;
  sql::Database* db_;
  TempDir dir_;
  TokenIssuer& tokens_;  // one per test process (ProcessTokens)
  std::unique_ptr<auth::Authenticator> authenticator_;
  platform::Executor executor_;
  platform::Metrics metrics_;
  platform::Runtime runtime_;
  std::unique_ptr<platform::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// The service names a server lists through gRPC server reflection (grpc.reflection.v1alpha),
// asked the way grpcurl asks.
absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel);

// grpc.health.v1 Check: "SERVING", "NOT_SERVING", or the error.
std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service);

}  // namespace ibm::testing
