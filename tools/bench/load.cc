#include "bench/load.h"

#include <algorithm>
#include <cstdio>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "ibm/platform/v1/platform.grpc.pb.h"
#include "testing/test_database.h"
#include "testing/token_issuer.h"

namespace ibm::bench {

namespace pv1 = ibm::platform::v1;

namespace {
std::string& ProgramName() {
  static std::string name = "ibm-bench";
  return name;
}
}  // namespace

void SetProgramName(std::string name) { ProgramName() = std::move(name); }

void Say(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", ProgramName().c_str(), what.c_str());
}

void Die(const std::string& what) { throw SetupFailure(what); }

int RunMain(const std::function<int()>& main) {
  try {
    return main();
  } catch (const SetupFailure& failure) {
    Say(failure.what());
    return 1;
  }
}

// --- Load ------------------------------------------------------------------------------

BlockingWorkload::BlockingWorkload(int slots, Call call) : call_(std::move(call)) {
  for (int i = 0; i < slots; ++i) {
    slots_.push_back(std::make_unique<Slot>());
    slots_.back()->thread = std::thread([this, i] { Serve(i); });
  }
}

BlockingWorkload::~BlockingWorkload() {
  for (auto& s : slots_) {
    {
      std::lock_guard<std::mutex> l(s->mu);
      s->stop = true;
    }
    s->wake.notify_one();
  }
  for (auto& s : slots_) s->thread.join();
}

void BlockingWorkload::Issue(int slot, std::function<void(absl::Status)> done) {
  Slot& s = *slots_[slot];
  {
    std::lock_guard<std::mutex> l(s.mu);
    s.pending = std::move(done);
  }
  s.wake.notify_one();
}

// A slot's thread: runs each call issued to it. The completion usually issues the next call
// from this very thread, so that, once going, a slot hands nothing over between threads.
void BlockingWorkload::Serve(int slot) {
  Slot& s = *slots_[slot];
  while (true) {
    std::function<void(absl::Status)> done;
    {
      std::unique_lock<std::mutex> l(s.mu);
      s.wake.wait(l, [&] { return s.stop || s.pending != nullptr; });
      if (s.pending == nullptr) return;  // stopped, nothing left to run
      done = std::move(s.pending);
      s.pending = nullptr;
    }
    done(call_(slot));
  }
}

void RunPhase(Workload& w, int concurrency, absl::Duration warmup, absl::Duration duration,
              Sample* into) {
  const absl::Time measure_start = absl::Now() + warmup;
  const absl::Time measure_end = measure_start + duration;
  std::vector<Sample> stats(concurrency);  // one per slot: its callbacks never overlap
  absl::Mutex mu;
  int active = concurrency;
  std::function<void(int)> issue = [&](int slot) {
    const absl::Time t0 = absl::Now();
    w.Issue(slot, [&, slot, t0](absl::Status s) {
      const absl::Time t1 = absl::Now();
      if (t0 >= measure_start && t1 <= measure_end) {
        Sample& st = stats[slot];
        if (s.ok()) {
          st.latency_us.push_back(static_cast<int32_t>(absl::ToInt64Microseconds(t1 - t0)));
        } else if (++st.errors == 1) {
          st.first_error = platform::Describe(s);
        }
      }
      if (t1 < measure_end) {
        issue(slot);
      } else {
        absl::MutexLock l(&mu);
        --active;
      }
    });
  };
  for (int i = 0; i < concurrency; ++i) issue(i);
  {
    absl::MutexLock l(&mu);
    mu.Await(absl::Condition(
        +[](int* a) { return *a == 0; }, &active));
  }
  for (const Sample& st : stats) {
    into->latency_us.insert(into->latency_us.end(), st.latency_us.begin(), st.latency_us.end());
    into->errors += st.errors;
    if (into->first_error.empty()) into->first_error = st.first_error;
  }
  into->measured += duration;
}

LoadResult Summarize(const std::string& name, Sample sample) {
  LoadResult r;
  r.name = name;
  std::vector<int32_t>& all = sample.latency_us;
  std::sort(all.begin(), all.end());
  r.ok = static_cast<int64_t>(all.size());
  r.errors = sample.errors;
  r.first_error = sample.first_error;
  r.qps = static_cast<double>(r.ok) / absl::ToDoubleSeconds(sample.measured);
  if (!all.empty()) {
    r.p50_ms = all[all.size() / 2] / 1000.0;
    r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)] / 1000.0;
  }
  return r;
}

void PrintLoads(std::ostream& out, const std::vector<LoadResult>& loads) {
  out << absl::StrFormat("%-48s %10s %10s %8s %8s %7s\n", "load", "calls OK", "QPS", "p50 ms",
                         "p99 ms", "errors");
  for (const LoadResult& r : loads) {
    out << absl::StrFormat("%-48s %10d %10.0f %8.2f %8.2f %7d\n", r.name, r.ok, r.qps, r.p50_ms,
                           r.p99_ms, r.errors);
    if (!r.first_error.empty()) out << "    first error: " << r.first_error << "\n";
  }
}

const char* Verdict(bool met) { return met ? "met" : "MISSED"; }

// --- gRPC ------------------------------------------------------------------------------

std::vector<std::shared_ptr<grpc::Channel>> Channels(int port, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < std::max(1, count); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("ibm.bench.channel", i);  // distinct arguments: a connection of its own
    out.push_back(grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                            grpc::InsecureChannelCredentials(), args));
  }
  return out;
}

void DevAuth(grpc::ClientContext* ctx, const DevCaller& caller) {
  ctx->AddMetadata("x-dev-role", caller.role);
  ctx->AddMetadata("x-dev-satker", caller.satker);
  ctx->AddMetadata("x-dev-subject", caller.subject);
}

std::unique_ptr<Workload> EchoLoad(int port, int channels, int concurrency) {
  using W = UnaryWorkload<pv1::EchoService, pv1::EchoRequest, pv1::EchoResponse>;
  return std::make_unique<W>(
      Channels(port, channels), concurrency,
      [](auto* stub, auto* ctx, auto* req, auto* resp, auto done) {
        stub->Echo(ctx, req, resp, std::move(done));
      },
      [](int, pv1::EchoRequest* req, grpc::ClientContext*) { req->set_message("ping"); });
}

// --- Servers ---------------------------------------------------------------------------

std::vector<std::string> ServerArgs(const std::string& dsn, const std::string& field_keys,
                                    const ServerOptions& options) {
  std::vector<std::string> args = {"--listen=127.0.0.1:0",
                                   "--log_level=" + options.log_level,
                                   "--metrics_listen=off",
                                   "--db=" + dsn,
                                   "--field_keys=" + field_keys,
                                   "--insecure_dev_auth",
                                   absl::StrCat("--workers=", options.workers),
                                   absl::StrCat("--max_queued=", options.max_queued),
                                   "--shutdown_grace=2s"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  return args;
}

std::unique_ptr<testing::ServerProcess> StartServer(const std::string& binary,
                                                    const std::string& dsn,
                                                    const ServerOptions& options) {
  static const testing::TempDir keys_dir;  // removed at exit
  static const std::string field_keys = testing::WriteFieldKeyFile(keys_dir.path());
  auto p = testing::ServerProcess::Start(binary, ServerArgs(dsn, field_keys, options), {},
                                         absl::Seconds(60));
  if (!p.ok()) Die(absl::StrCat("cannot start ", binary, ": ", p.status().ToString()));
  return std::move(*p);
}

namespace {
// tests/mariadb-server.sh `args`: its output, or why it failed.
absl::StatusOr<std::string> RunScript(const std::vector<std::string>& args) {
  const std::string ctl = IBM_TEST_MARIADB_CTL;
  auto r = testing::RunToExit(ctl, args, {}, absl::Seconds(180));
  if (r.exit_code != 0) {
    return absl::InternalError(
        absl::StrCat(ctl, " ", args[0], " failed (", r.exit_code, "): ", r.output));
  }
  return std::string(absl::StripAsciiWhitespace(r.output));
}
}  // namespace

MariaDb::MariaDb(std::string dir) : dir_(std::move(dir)) {
  Say("starting a private MariaDB server in " + dir_);
  auto started = RunScript({"start", dir_});
  if (!started.ok()) {
    RunScript({"stop", dir_}).IgnoreError();  // whatever half started
    Die(std::string(started.status().message()));
  }
  auto dsn = RunScript({"dsn", dir_});
  if (!dsn.ok()) {
    RunScript({"stop", dir_}).IgnoreError();
    Die(std::string(dsn.status().message()));
  }
  dsn_ = *std::move(dsn);
}

MariaDb::~MariaDb() {
  // Never throws: this also runs on the way out of a setup failure.
  if (auto stopped = RunScript({"stop", dir_}); !stopped.ok()) {
    Say(std::string(stopped.status().message()));
  }
}

}  // namespace ibm::bench
