#include "testing/test_server.h"

#include <google/protobuf/unknown_field_set.h>

#include <atomic>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"

namespace ibm::testing {

std::string NextRequestId() {
  static std::atomic<int64_t> next{0};
  return absl::StrCat("test-", next.fetch_add(1) + 1);
}
namespace {

std::unique_ptr<auth::Authenticator> Jwt(const TokenIssuer& tokens) {
  auth::JwtOptions o;
  o.public_key_files = {tokens.public_key_file()};
  o.issuer = TokenIssuer::kIssuer;
  o.audience = TokenIssuer::kAudience;
  auto a = auth::NewJwtAuthenticator(o);
  if (!a.ok()) std::abort();
  return *std::move(a);
}

// One signing key per test process: every test server trusts it, so a service that forwards
// its caller's token to another (cases to the registry) works as in production, where both
// trust BNN's identity provider.
TokenIssuer& ProcessTokens() {
  static TempDir* const dir = new TempDir();
  static TokenIssuer* const tokens = new TokenIssuer(dir->path());
  return *tokens;
}

}  // namespace

TestServer::TestServer(sql::Database* db) : TestServer(db, Options()) {}

TestServer::TestServer(sql::Database* db, Options options)
    : options_(options),
      db_(db),
      tokens_(ProcessTokens()),
      authenticator_(Jwt(tokens_)),
      executor_(options.workers, options.max_queued),
      metrics_("test"),
      runtime_{authenticator_.get(), &executor_, &metrics_,
               options.clock ? options.clock : [] { return absl::Now(); },
               options.embedded_database} {}

TestServer::~TestServer() {
  if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
  server_.reset();
  executor_.Stop();
}

const std::string& TestServer::FieldKeyLine() {
  static const std::string* const line = new std::string(platform::FieldSealer::NewKeyLine("test"));
  return *line;
}

platform::ServiceContext TestServer::Context(const std::string& service, int schema_version) {
  static const auto* const sealer = new std::shared_ptr<const platform::FieldSealer>(
      *platform::FieldSealer::FromKeyText(FieldKeyLine(), "test keys"));
  return platform::ServiceContext{service, db_, runtime_, schema_version, absl::Now(), *sealer};
}

void TestServer::Start(const std::vector<grpc::Service*>& services) {
  platform::ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.health_interval = options_.health_interval;
  auto s = platform::Server::Start(o, services, db_, &metrics_);
  if (!s.ok()) std::abort();
  server_ = *std::move(s);
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                 grpc::InsecureChannelCredentials());
}

void TestServer::Shutdown(absl::Duration grace) {
  server_->Shutdown(grace);
  server_->Wait();
}

std::unique_ptr<grpc::ClientContext> TestServer::As(const std::string& role,
                                                    const std::string& satker,
                                                    const std::string& subject) const {
  return WithClaims(tokens_.Claims(role, satker, subject));
}

std::unique_ptr<grpc::ClientContext> TestServer::WithClaims(const nlohmann::json& claims) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", "Bearer " + tokens_.Sign(claims));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) return absl::StrCat("error ", s.error_code(), ": ", s.error_message());
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  auto step = [&](intptr_t want) {
    return cq.Next(&tag, &ok) && ok && reinterpret_cast<intptr_t>(tag) == want;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (!step(1)) return absl::UnavailableError("reflection: call did not start");
  // ServerReflectionRequest{list_services = ""}: field 7, length-delimited, empty.
  const std::string request("\x3a\x00", 2);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  if (!step(2)) return absl::UnavailableError("reflection: write failed");
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  if (!step(3)) return absl::UnavailableError("reflection: no response");
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  std::vector<grpc::Slice> slices;
  in.Dump(&slices);
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // ServerReflectionResponse.list_services_response (6) -> repeated service (1) -> name (1).
  google::protobuf::UnknownFieldSet response, list;
  if (!response.ParseFromString(bytes)) return absl::InternalError("reflection: bad response");
  std::vector<std::string> names;
  for (int i = 0; i < response.field_count(); ++i) {
    if (response.field(i).number() != 6) continue;
    list.Clear();
    if (!list.ParseFromString(response.field(i).length_delimited())) continue;
    for (int j = 0; j < list.field_count(); ++j) {
      google::protobuf::UnknownFieldSet service;
      if (list.field(j).number() == 1 &&
          service.ParseFromString(list.field(j).length_delimited()) && service.field_count() > 0) {
        names.push_back(service.field(0).length_delimited());
      }
    }
  }
  return names;
}

}  // namespace ibm::testing
