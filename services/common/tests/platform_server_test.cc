// The server platform end to end, in process: a test service on the EchoService contract
// whose handler can be told to block, behind real JWT auth, executor, health and metrics.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "base/logging.h"
#include "base/macros.h"
#include "base/status.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "ibm/platform/v1/platform.grpc.pb.h"
#include "platform/server_main.h"
#include "testing/test_database.h"
#include "testing/test_server.h"

namespace ibm::platform {
namespace {

using ibm::platform::v1::EchoRequest;
using ibm::platform::v1::EchoResponse;
using ::testing::Contains;
using ::testing::HasSubstr;

// Echo that obeys its message: "block" waits for release, "sleep" takes 300 ms, "bad" fails
// validation, "whoami" answers with the caller, "throw"/"throw-int" throw, "bug" hits an
// IBM_BUG, and more than 1,000 bytes fail with one violation per byte.
class TestEcho final : public ibm::platform::v1::EchoService::CallbackService {
 public:
  explicit TestEcho(Runtime runtime, Execution execution = Execution::kExecutor)
      : calls_(ibm::platform::v1::EchoService::service_full_name(), std::move(runtime)),
        execution_(execution) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* resp) override {
    return calls_.Run(
        ctx, "Echo",
        [this, req, resp](const Call& call) -> absl::Status {
          ++entered;
          const std::string& m = req->message();
          if (m == "block") release.WaitForNotificationWithTimeout(absl::Seconds(10));
          if (m == "sleep") absl::SleepFor(absl::Milliseconds(300));
          if (m == "bad") return InvalidField("message", "must not be 'bad'");
          if (m == "throw") throw std::out_of_range("sql: column 7 is not an integer");
          if (m == "throw-int") throw 42;
          if (m == "bug") return IBM_BUG("a unit row without a village: ", m);
          if (m.size() > 1000) {  // every byte a violation, and a message echoing the input
            FieldViolations v;
            v.Add(m, m);  // a field path that echoes the input
            for (size_t i = 0; i < m.size(); ++i) v.Add(absl::StrCat("message[", i, "]"), m);
            return v.status();
          }
          resp->set_message(m == "whoami" ? call.caller->Describe() : m);
          return absl::OkStatus();
        },
        Access::kAuthenticated, execution_);
  }

  void Release() {
    if (!release.HasBeenNotified()) release.Notify();
  }

  std::atomic<int> entered{0};
  absl::Notification release;

 private:
  UnaryCalls calls_;
  Execution execution_;
};

class PlatformServerTest : public ::testing::Test {
 protected:
  void Start(testing::TestServer::Options options = {},
             Execution execution = Execution::kExecutor) {
    auto db = sql::Open("sqlite::memory:");
    ASSERT_TRUE(db.ok());
    db_ = *std::move(db);
    server_ = std::make_unique<testing::TestServer>(db_.get(), options);
    echo_ = std::make_unique<TestEcho>(server_->runtime(), execution);
    server_->Start({echo_.get()});
    stub_ = ibm::platform::v1::EchoService::NewStub(server_->channel());
  }
  void TearDown() override {
    if (echo_) echo_->Release();
  }

  grpc::Status Call(const std::string& message, EchoResponse* resp = nullptr,
                    grpc::ClientContext* ctx = nullptr) {
    EchoRequest req;
    req.set_message(message);
    EchoResponse ignored;
    auto own = server_->As("officer", "bnnp-32");
    return stub_->Echo(ctx ? ctx : own.get(), req, resp ? resp : &ignored);
  }

  // A call started without waiting for it, as a BNN central officer.
  struct Pending {
    grpc::ClientContext ctx;
    EchoResponse resp;
    grpc::Status status;
    absl::Notification done;
  };
  std::unique_ptr<Pending> CallAsync(const std::string& message) {
    auto p = std::make_unique<Pending>();
    p->ctx.AddMetadata("authorization", server_->tokens().Bearer("officer", "bnn"));
    auto* req = new EchoRequest();
    req->set_message(message);
    stub_->async()->Echo(&p->ctx, req, &p->resp, [req, p = p.get()](grpc::Status s) {
      delete req;
      p->status = s;
      p->done.Notify();
    });
    return p;
  }

  void WaitEntered(int n) {
    for (int i = 0; i < 500 && echo_->entered < n; ++i) absl::SleepFor(absl::Milliseconds(10));
    ASSERT_GE(echo_->entered, n);
  }

  std::unique_ptr<sql::Database> db_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<TestEcho> echo_;
  std::unique_ptr<ibm::platform::v1::EchoService::Stub> stub_;
};

TEST_F(PlatformServerTest, AuthenticatedCallSeesItsPrincipal) {
  Start();
  EchoResponse resp;
  grpc::Status s = Call("whoami", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.message(), "officer-1 (officer@bnnp-32)");
}

TEST_F(PlatformServerTest, AnExceptionFailsOnlyItsCallAsInternalAndIsLogged) {
  Start();
  LogCapture capture;
  for (const char* message : {"throw", "throw-int", "bug"}) {
    auto ctx = server_->As("officer", "bnnp-32");
    ctx->AddMetadata("x-request-id", absl::StrCat("req-", message));
    grpc::Status s = Call(message, nullptr, ctx.get());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL) << message;
    // The client learns that it failed and what to quote, not the internals.
    EXPECT_THAT(s.error_message(), HasSubstr("request id")) << message;
    EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("column"))) << message;
    EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr(".cc"))) << message;
  }
  EchoResponse resp;
  ASSERT_TRUE(Call("still serving", &resp).ok());
  EXPECT_EQ(resp.message(), "still serving");
  const std::string log = capture.text();
  EXPECT_THAT(
      log,
      HasSubstr(
          R"("request_id":"req-throw","kind":"exception","what":"sql: column 7 is not an integer")"));
  EXPECT_THAT(log, HasSubstr(R"("request_id":"req-throw-int","kind":"unknown exception")"));
  EXPECT_THAT(log,
              HasSubstr(R"("msg":"bug","where":"services/common/tests/platform_server_test.cc:)"));
}

TEST_F(PlatformServerTest, AHugeBadRequestGetsASmallErrorAndASmallLogLine) {
  Start();
  LogCapture capture;
  const std::string huge(1 << 18, 'x');  // 256 KB, a violation per byte
  grpc::Status s = Call(huge);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LE(s.error_message().size(), kMaxStatusMessageBytes);
  EXPECT_LE(s.error_details().size(), kMaxStatusDetailsBytes);
  auto violations = FieldViolationsOf(FromGrpcStatus(s));
  EXPECT_EQ(violations.size(), FieldViolations::kMaxFieldViolations);
  EXPECT_THAT(s.error_message(), HasSubstr("..."));
  const std::string log = capture.text();
  EXPECT_LE(log.size(), 4000u);
  EXPECT_THAT(log, HasSubstr("INVALID_ARGUMENT"));
}

TEST_F(PlatformServerTest, MissingOrBadTokenIsUnauthenticatedBeforeAnyWork) {
  Start();
  grpc::ClientContext none;
  EXPECT_EQ(Call("whoami", nullptr, &none).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext forged;
  forged.AddMetadata("authorization", "Bearer eyJhbGciOiJub25lIn0.e30.");
  grpc::Status s = Call("whoami", nullptr, &forged);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorInfoOf(FromGrpcStatus(s)).reason(), "INVALID_TOKEN");
  EXPECT_EQ(echo_->entered, 0);
}

TEST_F(PlatformServerTest, FieldViolationsReachTheClientAsDetails) {
  Start();
  grpc::Status s = Call("bad");
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  absl::Status back = FromGrpcStatus(s);
  auto violations = FieldViolationsOf(back);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "message");
  EXPECT_EQ(ErrorInfoOf(back).domain(), "ibm.bnn.go.id");
}

TEST_F(PlatformServerTest, ServesHealthAndReflection) {
  Start();
  EXPECT_EQ(testing::HealthOf(server_->channel(), ""), "SERVING");
  EXPECT_EQ(testing::HealthOf(server_->channel(), kLivenessService), "SERVING");
  auto names = testing::ListServicesByReflection(server_->channel());
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, Contains("ibm.platform.v1.EchoService"));
  EXPECT_THAT(*names, Contains("grpc.health.v1.Health"));
}

TEST_F(PlatformServerTest, OverloadIsAFastResourceExhausted) {
  Start({.workers = 1, .max_queued = 1});
  auto first = CallAsync("block");  // takes the only worker
  WaitEntered(1);
  auto second = CallAsync("block");  // fills the queue
  for (int i = 0; i < 500 && server_->executor().queued() < 1; ++i)
    absl::SleepFor(absl::Milliseconds(5));
  absl::Time start = absl::Now();
  grpc::Status third = Call("hello");
  EXPECT_EQ(third.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << third.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_EQ(ErrorInfoOf(FromGrpcStatus(third)).reason(), "SERVER_BUSY");
  echo_->Release();
  first->done.WaitForNotification();
  second->done.WaitForNotification();
  EXPECT_TRUE(first->status.ok());
  EXPECT_TRUE(second->status.ok());
}

// A short read runs on gRPC's thread when the database is embedded, else on the executor:
// with the executor stopped, only the first still answers.
TEST_F(PlatformServerTest, ShortReadsRunInlineOnAnEmbeddedDatabase) {
  testing::TestServer::Options options;
  options.embedded_database = true;
  Start(options, Execution::kShortRead);
  server_->executor().Stop();
  EchoResponse resp;
  ASSERT_TRUE(Call("hello", &resp).ok());
  EXPECT_EQ(resp.message(), "hello");
}

TEST_F(PlatformServerTest, ShortReadsQueueOnTheExecutorWhenTheDatabaseIsAServer) {
  Start({}, Execution::kShortRead);
  server_->executor().Stop();
  EXPECT_EQ(Call("hello").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(PlatformServerTest, ShutdownDrainsAnInFlightCall) {
  Start();
  auto call = CallAsync("sleep");
  WaitEntered(1);
  absl::Time start = absl::Now();
  server_->Shutdown(absl::Seconds(5));
  absl::Duration took = absl::Now() - start;
  call->done.WaitForNotification();
  EXPECT_TRUE(call->status.ok()) << call->status.error_message();  // finished, not cut off
  EXPECT_EQ(call->resp.message(), "sleep");
  EXPECT_LT(took, absl::Seconds(4));
  // Once shut down, nothing more is served.
  EXPECT_NE(Call("hello").error_code(), grpc::StatusCode::OK);
}

TEST_F(PlatformServerTest, ShutdownCancelsCallsStillRunningAfterTheGrace) {
  Start();
  auto call = CallAsync("block");
  WaitEntered(1);
  std::thread stopper([&] { server_->Shutdown(absl::Milliseconds(200)); });
  // The client hears of it when the grace ends, not when the handler finally returns.
  EXPECT_TRUE(call->done.WaitForNotificationWithTimeout(absl::Seconds(3)));
  EXPECT_FALSE(call->status.ok());
  echo_->Release();
  stopper.join();
}

TEST_F(PlatformServerTest, CallWhoseDeadlinePassedInTheQueueIsNotRun) {
  Start({.workers = 1, .max_queued = 8});
  auto blocker = CallAsync("block");
  WaitEntered(1);
  auto late = server_->As("officer", "bnn");
  late->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  EXPECT_EQ(Call("never", nullptr, late.get()).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  absl::SleepFor(absl::Milliseconds(100));
  echo_->Release();
  blocker->done.WaitForNotification();
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(echo_->entered, 1);  // the late call's handler never ran
}

TEST_F(PlatformServerTest, OneJsonLogLinePerCallWithoutThePayload) {
  Start();
  std::optional<LogCapture> capture(std::in_place);
  auto ctx = server_->As("officer", "bnnk-32.04");
  ctx->AddMetadata("x-request-id", "req-42");
  grpc::Status s = Call("NIK 3273014101900001", nullptr, ctx.get());
  grpc::ClientContext anonymous;
  anonymous.AddMetadata("x-request-id", "req-43");
  Call("hello", nullptr, &anonymous);
  const std::string captured = capture->text();
  capture.reset();
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(captured, ::testing::Not(HasSubstr("3273014101900001")));
  std::vector<nlohmann::json> lines;
  for (absl::string_view l : absl::StrSplit(captured, '\n', absl::SkipEmpty())) {
    lines.push_back(nlohmann::json::parse(l));
  }
  ASSERT_EQ(lines.size(), 2u) << captured;
  EXPECT_EQ(lines[0]["msg"], "call");
  EXPECT_EQ(lines[0]["method"], "/ibm.platform.v1.EchoService/Echo");
  EXPECT_EQ(lines[0]["code"], "OK");
  EXPECT_EQ(lines[0]["caller"], "officer-1");
  EXPECT_EQ(lines[0]["satker"], "bnnk-32.04");
  EXPECT_EQ(lines[0]["request_id"], "req-42");
  EXPECT_TRUE(lines[0]["duration_ms"].is_number());
  EXPECT_EQ(lines[1]["code"], "UNAUTHENTICATED");
  EXPECT_EQ(lines[1]["request_id"], "req-43");
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  if (write(fd, req.data(), req.size()) < 0) return "";
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  close(fd);
  return out;
}

TEST_F(PlatformServerTest, MetricsCountCallsByMethodAndCodeOverHttp) {
  Start();
  ASSERT_TRUE(server_->metrics().Serve("127.0.0.1:0").ok());
  ASSERT_TRUE(Call("hello").ok());
  ASSERT_TRUE(Call("hello").ok());
  grpc::ClientContext none;
  Call("hello", nullptr, &none);
  std::string body = HttpGet(server_->metrics().port(), "/metrics");
  EXPECT_THAT(body, HasSubstr("200 OK"));
  EXPECT_THAT(body, HasSubstr("ibm_rpc_handled_total{code=\"OK\",method=\"/"
                              "ibm.platform.v1.EchoService/Echo\",service=\"test\"} 2"));
  EXPECT_THAT(body, HasSubstr("code=\"UNAUTHENTICATED\""));
  EXPECT_THAT(body, HasSubstr("ibm_rpc_duration_seconds_bucket"));
}

TEST_F(PlatformServerTest, OversizedRequestIsRefused) {
  Start();
  EchoRequest req;
  req.set_message(std::string(5 << 20, 'x'));  // over the 4 MiB default
  EchoResponse resp;
  auto ctx = server_->As("officer", "bnn");
  EXPECT_EQ(stub_->Echo(ctx.get(), req, &resp).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(echo_->entered, 0);
}

// Self-signed material from the openssl command line: a CA, and a leaf it signs.
class TlsFiles {
 public:
  TlsFiles() {
    const std::string d = dir_.path();
    Run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ibm-test-ca -keyout " + d +
        "/ca.key -out " + d + "/ca.pem");
    for (const char* who : {"server", "client"}) {
      const std::string p = d + "/" + who;
      Run("openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + p + ".key -out " +
          p + ".csr");
      Run("printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > " + p + ".ext");
      Run("openssl x509 -req -days 1 -in " + p + ".csr -CA " + d + "/ca.pem -CAkey " + d +
          "/ca.key -CAcreateserial -extfile " + p + ".ext -out " + p + ".pem");
    }
  }
  std::string path(const std::string& name) const { return dir_.path() + "/" + name; }
  std::string read(const std::string& name) const {
    std::ifstream in(path(name));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  static void Run(const std::string& cmd) {
    ASSERT_EQ(std::system((cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
  }
  testing::TempDir dir_;
};

TEST(TlsTest, ServesTlsAndWithAClientCaRequiresClientCertificates) {
  TlsFiles files;
  ServerOptions o;
  o.tls_cert_file = files.path("server.pem");
  o.tls_key_file = files.path("server.key");
  auto tls = Server::Start(o, {}, nullptr, nullptr);
  ASSERT_TRUE(tls.ok()) << tls.status();
  const std::string target = absl::StrCat("localhost:", (*tls)->port());
  grpc::SslCredentialsOptions trust;
  trust.pem_root_certs = files.read("ca.pem");
  EXPECT_EQ(testing::HealthOf(grpc::CreateChannel(target, grpc::SslCredentials(trust)), ""),
            "SERVING");
  EXPECT_NE(testing::HealthOf(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()), ""),
            "SERVING");

  o.tls_client_ca_file = files.path("ca.pem");
  auto mtls = Server::Start(o, {}, nullptr, nullptr);
  ASSERT_TRUE(mtls.ok()) << mtls.status();
  const std::string mtarget = absl::StrCat("localhost:", (*mtls)->port());
  EXPECT_NE(testing::HealthOf(grpc::CreateChannel(mtarget, grpc::SslCredentials(trust)), ""),
            "SERVING");
  grpc::SslCredentialsOptions with_cert = trust;
  with_cert.pem_private_key = files.read("client.key");
  with_cert.pem_cert_chain = files.read("client.pem");
  EXPECT_EQ(testing::HealthOf(grpc::CreateChannel(mtarget, grpc::SslCredentials(with_cert)), ""),
            "SERVING");
}

TEST(ServerTest, PortInUseIsUnavailableNotACrash) {
  auto first = Server::Start(ServerOptions(), {}, nullptr, nullptr);
  ASSERT_TRUE(first.ok());
  ServerOptions same;
  same.listen = absl::StrCat("127.0.0.1:", (*first)->port());
  auto second = Server::Start(same, {}, nullptr, nullptr);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

TEST(TlsTest, HalfATlsConfigurationIsRefused) {
  ServerOptions o;
  o.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_EQ(CheckServerOptions(o).code(), absl::StatusCode::kInvalidArgument);
  o.tls_key_file = "/nonexistent/key.pem";
  EXPECT_EQ(CheckServerOptions(o).code(), absl::StatusCode::kNotFound);
  ServerOptions ca_only;
  ca_only.tls_client_ca_file = "/x.pem";
  EXPECT_EQ(CheckServerOptions(ca_only).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckServerOptions(ServerOptions()).ok());
}

TEST(LoggingTest, JsonLinesAreValidJsonWhateverTheInput) {
  const std::string line =
      internal::JsonLine("2026-12-02T05:00:00.000Z", LogLevel::kWarn, "say \"hi\"\n",
                         {{"ctl", std::string("a\x01b\x7f\tc")},
                          {"bad_utf8", std::string("ok \xc3\xa9 \xff\xc3 \xed\xa0\x80 end")},
                          {"n", int64_t{-42}},
                          {"x", 0.25},
                          {"inf", std::numeric_limits<double>::infinity()},
                          {"yes", true}});
  nlohmann::json j = nlohmann::json::parse(line);  // throws on invalid JSON or UTF-8
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["msg"], "say \"hi\"\n");
  EXPECT_EQ(j["ctl"], "a\x01b\x7f\tc");
  EXPECT_EQ(j["bad_utf8"],
            "ok \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
  EXPECT_EQ(j["n"], -42);
  EXPECT_EQ(j["x"], 0.25);
  EXPECT_TRUE(j["inf"].is_null());
  EXPECT_EQ(j["yes"], true);
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LoggingTest, TextLinesAreShortAndCannotDriveTheTerminal) {
  const std::string line =
      internal::TextLine("05:00:00.000", LogLevel::kInfo, "call",
                         {{"method", "/ibm.registry.v1.RegionService/GetRegion"},
                          {"code", "OK"},
                          {"caller", ""},
                          {"error", std::string("\x1b[31mred")},
                          {"insecure_dev_auth", false},
                          {"duration_ms", 0.5}});
  EXPECT_EQ(line,
            "05:00:00.000 INFO  call method=/ibm.registry.v1.RegionService/GetRegion code=OK "
            "error=?[31mred duration_ms=0.5");
}

TEST(LoggingTest, AStalledStderrDropsAndCountsLinesInsteadOfBlockingCallers) {
  const uint64_t before = DroppedLogLines();
  internal::PauseLogWriterForTesting(true);
  internal::SetLogQueueLimitForTesting(5);
  const absl::Time start = absl::Now();
  for (int i = 0; i < 1000; ++i) Log(LogLevel::kError, "stalled", {{"i", i}});
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));  // never waits for the writer
  EXPECT_GE(DroppedLogLines() - before, 995u);
  internal::SetLogQueueLimitForTesting(16384);
  internal::PauseLogWriterForTesting(false);
  FlushLogs();
}

TEST(LoggingTest, CaptureEndsWithItsScopeEvenWhenATestFailsInside) {
  // stderr goes to a file for the length of this test.
  testing::TempDir dir;
  const std::string path = dir.path() + "/stderr";
  FlushLogs();
  const int saved = ::dup(STDERR_FILENO);
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  ::dup2(file, STDERR_FILENO);
  {
    LogCapture capture;
    Log(LogLevel::kWarn, "captured line");
    EXPECT_THAT(capture.text(), HasSubstr("captured line"));
  }
  Log(LogLevel::kWarn, "after the capture");  // the capture is gone: this goes to stderr
  FlushLogs();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(file);
  std::ifstream in(path);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_THAT(written.str(), HasSubstr("after the capture"));
  EXPECT_THAT(written.str(), ::testing::Not(HasSubstr("captured line")));
}

TEST(ConfigTest, EnvironmentFillsFlagsAndTheCommandLineWins) {
  std::string a0 = "ibm-x", a1 = "--db=sqlite::memory:";
  char* argv[] = {a0.data(), a1.data()};
  auto env = [](const char* name) -> const char* {
    if (std::string(name) == "IBM_DB") return "mysql://u:p@h/db";
    if (std::string(name) == "IBM_LOG_LEVEL") return "debug";
    return nullptr;
  };
  auto args = ArgsWithEnvironment(2, argv, {"db", "log_level", "listen"}, env);
  ASSERT_EQ(args.size(), 4u);
  EXPECT_EQ(args[1], "--db=mysql://u:p@h/db");
  EXPECT_EQ(args[2], "--log_level=debug");
  EXPECT_EQ(args[3], "--db=sqlite::memory:");  // later wins in absl's parser (checked end to
                                               // end by the smoke server's --check_config test)
  EXPECT_EQ(EnvVarForFlag("jwt_public_keys"), "IBM_JWT_PUBLIC_KEYS");
}

TEST(ConfigTest, UnknownVariablesAreFoundAndLoopbackIsRecognised) {
  std::string a = "IBM_DB=x", b = "IBM_LISTNE=y", c = "PATH=/bin", d = "IBM_TEST_MYSQL_DSN=z",
              e = "IBM_DATA_DIR=var";
  char* env[] = {a.data(), b.data(), c.data(), d.data(), e.data(), nullptr};
  EXPECT_THAT(UnknownEnvironmentVariables({"db", "listen"}, env),
              ::testing::ElementsAre("IBM_LISTNE"));
  for (const char* local :
       {"127.0.0.1:7001", "127.1.2.3:1", "localhost:7001", "[::1]:7001", "unix:/tmp/s.sock"}) {
    EXPECT_TRUE(IsLoopbackAddress(local)) << local;
  }
  for (const char* remote :
       {"0.0.0.0:7001", "[::]:7001", "10.0.0.5:7001", ":7001", "ibm-registry:7001", "128.0.0.1:1",
        "127.example.org:7001", "127.0.0.1.nip.io:7001"}) {
    EXPECT_FALSE(IsLoopbackAddress(remote)) << remote;
  }
}

}  // namespace
}  // namespace ibm::platform
