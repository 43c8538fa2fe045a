#pragma once

// The load machinery the suite's benchmarks share (ibm-bench, ibm-bench-cases): calls kept in
// flight at a fixed concurrency, measured windows, p50/p99, the servers under test started as
// processes, and a private MariaDB server. Programs, not tests: a setup failure ends the
// program with exit status 1 (Die, then RunMain).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/status.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "testing/process.h"

namespace ibm::bench {

// The program's name in its messages ("ibm-bench" unless set).
void SetProgramName(std::string name);
void Say(const std::string& what);

// A setup failure (a server that would not start, a call that had to work). Die throws it
// rather than exiting on the spot, so that on the way out to RunMain the servers started so
// far are stopped, a private MariaDB shut down and temp dirs removed.
struct SetupFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void Die(const std::string& what);
// Runs the program's `main`: its exit status, or 1 after saying what failed in setup.
int RunMain(const std::function<int()>& main);

// --- Load ------------------------------------------------------------------------------

// Issues one call for a slot (at most one in flight per slot) and reports its status.
class Workload {
 public:
  virtual ~Workload() = default;
  virtual void Issue(int slot, std::function<void(absl::Status)> done) = 0;
};

// A unary gRPC method over several channels; `fill` prepares each call's request and context.
template <typename Stub, typename Req, typename Resp>
class UnaryWorkload : public Workload {
 public:
  using Send =
      std::function<void(typename Stub::StubInterface::async_interface*, grpc::ClientContext*,
                         const Req*, Resp*, std::function<void(grpc::Status)>)>;
  using Fill = std::function<void(int slot, Req*, grpc::ClientContext*)>;

  UnaryWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels, int slots, Send send,
                Fill fill)
      : send_(std::move(send)), fill_(std::move(fill)), calls_(slots) {
    for (const auto& c : channels) stubs_.push_back(Stub::NewStub(c));
  }

  void Issue(int slot, std::function<void(absl::Status)> done) override {
    CallState& c = calls_[slot];
    c.ctx = std::make_unique<grpc::ClientContext>();
    c.ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    c.req.Clear();
    fill_(slot, &c.req, c.ctx.get());
    send_(stubs_[slot % stubs_.size()]->async(), c.ctx.get(), &c.req, &c.resp,
          [done = std::move(done)](grpc::Status s) { done(platform::FromGrpcStatus(s)); });
  }

 private:
  struct CallState {
    std::unique_ptr<grpc::ClientContext> ctx;
    Req req;
    Resp resp;
  };
  Send send_;
  Fill fill_;
  std::vector<std::unique_ptr<typename Stub::Stub>> stubs_;
  std::vector<CallState> calls_;
};

// A blocking call (a database transaction, say) per slot, each slot on a thread of its own:
// `slots` client threads, as many as calls in flight.
class BlockingWorkload : public Workload {
 public:
  using Call = std::function<absl::Status(int slot)>;
  BlockingWorkload(int slots, Call call);
  ~BlockingWorkload() override;

  void Issue(int slot, std::function<void(absl::Status)> done) override;

 private:
  struct Slot {
    std::mutex mu;
    std::condition_variable wake;
    std::function<void(absl::Status)> pending;  // the next call's completion, if issued
    bool stop = false;
    std::thread thread;
  };
  void Serve(int slot);

  Call call_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

// What the measured windows of one load saw: OK calls' latencies, errors, time measured.
struct Sample {
  std::vector<int32_t> latency_us;
  int64_t errors = 0;
  std::string first_error;
  absl::Duration measured;
};

// Keeps `concurrency` calls in flight for `warmup` + `duration`; adds to `into` the calls
// that started and ended inside the measured window.
void RunPhase(Workload& w, int concurrency, absl::Duration warmup, absl::Duration duration,
              Sample* into);

struct LoadResult {
  std::string name;
  int64_t ok = 0, errors = 0;
  double qps = 0, p50_ms = 0, p99_ms = 0;
  std::string first_error;
};

LoadResult Summarize(const std::string& name, Sample sample);

// The table of loads: a header line, then a row per load (and its first error, if any).
void PrintLoads(std::ostream& out, const std::vector<LoadResult>& loads);

// "met" or "MISSED".
const char* Verdict(bool met);

// --- gRPC ------------------------------------------------------------------------------

// `count` channels to 127.0.0.1:port, each its own connection.
std::vector<std::shared_ptr<grpc::Channel>> Channels(int port, int count);

// A caller as --insecure_dev_auth servers take it: the x-dev-* headers.
struct DevCaller {
  std::string role, satker, subject;
};
void DevAuth(grpc::ClientContext* ctx, const DevCaller& caller);

// ibm-smoke's public EchoService/Echo ("ping"): the bare gRPC baseline.
std::unique_ptr<Workload> EchoLoad(int port, int channels, int concurrency);

// --- Servers ---------------------------------------------------------------------------

struct ServerOptions {
  int workers = 16;
  int max_queued = 256;
  std::string log_level = "info";
  std::vector<std::string> extra_args;  // the service's own flags (--registry=...)
};

// The flags every server under test runs with: loopback on an ephemeral port, no metrics
// endpoint, dev auth, the given field keys, `options`.
std::vector<std::string> ServerArgs(const std::string& dsn, const std::string& field_keys,
                                    const ServerOptions& options);

// Starts `binary` on `dsn` (with a field key file of this process) and waits until it serves.
std::unique_ptr<testing::ServerProcess> StartServer(const std::string& binary,
                                                    const std::string& dsn,
                                                    const ServerOptions& options);

// A private MariaDB server in `dir` (tests/mariadb-server.sh), stopped when this goes away.
class MariaDb {
 public:
  explicit MariaDb(std::string dir);
  ~MariaDb();
  // Its account may create databases named ibm_test_*; this one is ibm_test.
  const std::string& dsn() const { return dsn_; }

 private:
  std::string dir_, dsn_;
};

}  // namespace ibm::bench
