#include "smoke/smoke_service.h"

#include "base/status.h"

namespace ibm::smoke {

using ibm::platform::v1::EchoRequest;
using ibm::platform::v1::EchoResponse;
using ibm::platform::v1::GetServerInfoRequest;
using ibm::platform::v1::ServerInfo;

EchoService::EchoService(platform::Runtime runtime)
    : calls_(ibm::platform::v1::EchoService::service_full_name(), std::move(runtime)) {}

grpc::ServerUnaryReactor* EchoService::Echo(grpc::CallbackServerContext* ctx,
                                            const EchoRequest* request, EchoResponse* response) {
  return calls_.Run(
      ctx, "Echo",
      [request, response](const platform::Call&) {
        if (request->message().size() > kMaxMessageBytes) {
          return platform::InvalidField("message", "must be at most 1024 bytes");
        }
        response->set_message(request->message());
        return absl::OkStatus();
      },
      platform::Access::kPublic, platform::Execution::kInline);
}

DiagnosticsService::DiagnosticsService(const platform::ServiceContext& context)
    : calls_(ibm::platform::v1::DiagnosticsService::service_full_name(), context.runtime),
      service_(context.service),
      db_(context.db),
      start_time_(context.start_time) {}

grpc::ServerUnaryReactor* DiagnosticsService::GetServerInfo(grpc::CallbackServerContext* ctx,
                                                            const GetServerInfoRequest*,
                                                            ServerInfo* response) {
  return calls_.Run(
      ctx, "GetServerInfo", [this, response](const platform::Call& call) -> absl::Status {
        auto rows = db_->Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!rows.ok()) return rows.status();
        response->set_service(service_);
        response->set_version("0.1.0");
        response->set_storage_engine(std::string(db_->dialect().name()));
        response->set_schema_version(rows->front().Int(0));
        response->mutable_start_time()->set_seconds(absl::ToUnixSeconds(start_time_));
        const auth::Principal& p = *call.caller;
        auto* caller = response->mutable_caller();
        caller->set_subject(p.subject);
        caller->set_role(std::string(auth::RoleName(p.role)));
        caller->set_satker(p.satker);
        caller->set_scope(p.scope.prefix());
        caller->set_insecure_dev_auth(p.insecure_dev);
        return absl::OkStatus();
      });
}

platform::ServiceSpec Spec() {
  platform::ServiceSpec spec;
  spec.name = "smoke";
  spec.summary = "the IBM platform's smoke server: echo, diagnostics, health and reflection";
  spec.default_port = 7000;
  spec.default_metrics_port = 9000;
  spec.migrations = {
      {1,
       "platform smoke marker",
       {"CREATE TABLE IF NOT EXISTS smoke_marker (id BIGINT PRIMARY KEY, note VARCHAR(100)) "
        "{TABLE_OPTIONS}"}},
  };
  spec.build = [](platform::ServiceContext& context)
      -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<EchoService>(context.runtime));
    services.push_back(std::make_unique<DiagnosticsService>(context));
    return services;
  };
  return spec;
}

}  // namespace ibm::smoke
