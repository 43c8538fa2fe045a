#pragma once

// How every handler runs. A handler on the callback API does nothing but
//
//   grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* ctx, const GetRequest* req,
//                                 Thing* resp) override {
//     return calls_.Run(ctx, "GetThing", [=](const Call& call) {
//       if (auto s = auth::RequireScope(*call.caller, ...); !s.ok()) return s;
//       return store_->Get(...);                       // runs on the executor, may block
//     });
//   }
//
// and the runner does the rest, the same way for every method of every service:
// authenticate the caller (UNAUTHENTICATED before any work), queue the body on the bounded
// executor (RESOURCE_EXHAUSTED at once when full), skip it if the deadline already passed
// or the client went away, map its absl::Status to a gRPC status with details, and write
// one log line and the metrics of the call.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "auth/authenticator.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "platform/executor.h"
#include "platform/metrics.h"

namespace ibm::platform {

// What the platform lends every service: process-wide, outlives the server.
struct Runtime {
  const auth::Authenticator* authenticator = nullptr;
  Executor* executor = nullptr;
  Metrics* metrics = nullptr;  // optional
  // The services' clock for what they record (create and update times, retention); tests
  // inject their own. Deadlines and call durations always use real time.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // The database is embedded (SQLite): a short read never waits on a network, so kShortRead
  // bodies run on gRPC's thread instead of paying two thread hand-offs.
  bool embedded_database = false;
};

// What a handler body knows about its call.
struct Call {
  std::optional<auth::Principal> caller;  // always set for authenticated methods
  std::string request_id;                 // x-request-id, given or generated
  absl::Time deadline;                    // the client's deadline (InfiniteFuture if none)
  absl::Time received;                    // real time
  // The caller's credentials as they came (`authorization`; the x-dev-* headers in insecure
  // development mode), to forward when this call asks another service of the suite on the
  // caller's behalf, so that service enforces the same scope. Never logged.
  std::vector<std::pair<std::string, std::string>> credentials;
};

enum class Access {
  kAuthenticated,  // the default: a verified caller is required
  kPublic,         // no credentials needed (echo, diagnostics of the platform itself)
};

enum class Execution {
  kExecutor,  // the default: the body may block (SQL)
  kInline,    // the body never blocks: run it on gRPC's thread
  // The body is one indexed read of a few rows: inline on an embedded database, where it
  // takes microseconds (measured: GetRegion's throughput 0.45 -> 0.6-0.75 of a bare echo on
  // SQLite), on the executor when the database is a server across the network.
  kShortRead,
};

class UnaryCalls {
 public:
  using Body = std::function<absl::Status(const Call&)>;

  // `service` is the full proto service name, e.g. "ibm.registry.v1.RegistryService".
  UnaryCalls(std::string service, Runtime runtime);

  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx, absl::string_view method,
                                Body body, Access access = Access::kAuthenticated,
                                Execution execution = Execution::kExecutor) const;

  const Runtime& runtime() const { return runtime_; }

 private:
  void Finish(grpc::CallbackServerContext* ctx, grpc::ServerUnaryReactor* reactor,
              const std::string& method, const Call& call, const absl::Status& status) const;

  const std::string service_;
  const Runtime runtime_;
};

}  // namespace ibm::platform
