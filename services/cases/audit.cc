// AuditLogService: verifies the hash chain of the change log or of the identity access log
// (docs/api.md, Audit logs). The whole chain spans every satker, so only BNN central's
// officers and national auditors may ask; the answer is sequence numbers and counts.
#include "cases/services.h"
#include "ibm/cases/v1/audit.grpc.pb.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

class AuditLogService final : public v1::AuditLogService::CallbackService {
 public:
  AuditLogService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::AuditLogService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* VerifyAuditLog(CallbackServerContext* ctx,
                                     const v1::VerifyAuditLogRequest* req,
                                     v1::VerifyAuditLogResponse* resp) override {
    return calls_.Run(ctx, "VerifyAuditLog", [=, this](const platform::Call& call) {
      // A kCentral cell: BNN central's callers only (the chain spans every satker).
      auto grant = core_->Authorize(call, "VerifyAuditLog");
      if (!grant.ok()) return grant.status();
      platform::FieldViolations v;
      const bool identity = req->log() == v1::AUDIT_LOG_IDENTITY_ACCESS;
      if (!identity && req->log() != v1::AUDIT_LOG_CHANGES) {
        v.Add("log", "is required: AUDIT_LOG_CHANGES or AUDIT_LOG_IDENTITY_ACCESS");
      }
      return audit::AnswerVerify(identity ? core_->identity_log() : core_->change_log(),
                                 core_->db(), *req, call.deadline, v, resp);
    });
  }

 private:
  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewAuditLogService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<AuditLogService>(std::move(core), std::move(runtime));
}

}  // namespace ibm::cases
