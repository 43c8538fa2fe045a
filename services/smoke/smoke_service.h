#pragma once

// The platform's smoke server: the platform with two small services, so that the run
// command has something real to serve until the registry joins it. EchoService is public
// and never blocks; DiagnosticsService needs a caller and reads the database.

#include "ibm/platform/v1/platform.grpc.pb.h"
#include "platform/calls.h"
#include "platform/server_main.h"

namespace ibm::smoke {

class EchoService final : public ibm::platform::v1::EchoService::CallbackService {
 public:
  // Messages longer than this are refused with a field violation on `message`.
  static constexpr size_t kMaxMessageBytes = 1024;

  explicit EchoService(platform::Runtime runtime);
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx,
                                 const ibm::platform::v1::EchoRequest* request,
                                 ibm::platform::v1::EchoResponse* response) override;

 private:
  platform::UnaryCalls calls_;
};

class DiagnosticsService final : public ibm::platform::v1::DiagnosticsService::CallbackService {
 public:
  DiagnosticsService(const platform::ServiceContext& context);
  grpc::ServerUnaryReactor* GetServerInfo(grpc::CallbackServerContext* ctx,
                                          const ibm::platform::v1::GetServerInfoRequest* request,
                                          ibm::platform::v1::ServerInfo* response) override;

 private:
  platform::UnaryCalls calls_;
  std::string service_;
  sql::Database* db_;
  absl::Time start_time_;
};

// The smoke server as ServerMain runs it.
platform::ServiceSpec Spec();

}  // namespace ibm::smoke
