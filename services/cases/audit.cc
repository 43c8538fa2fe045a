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
      auto grant = core_->Authorize(call, "VerifyAuditLog");
      if (!grant.ok()) return grant.status();
      if (!call.caller->scope.national()) {
        return platform::WithReason(
            absl::PermissionDeniedError(
                absl::StrCat("an audit log's chain spans every satker: only BNN central's "
                             "callers may verify it; the caller's scope is ",
                             call.caller->scope.prefix())),
            "OUT_OF_SCOPE");
      }
      platform::FieldViolations v;
      const audit::AuditLog* log = nullptr;
      if (req->log() == v1::AUDIT_LOG_CHANGES) {
        log = &core_->change_log();
      } else if (req->log() == v1::AUDIT_LOG_IDENTITY_ACCESS) {
        log = &core_->identity_log();
      } else {
        v.Add("log", "is required: AUDIT_LOG_CHANGES or AUDIT_LOG_IDENTITY_ACCESS");
      }
      if (req->after_sequence() < 0) v.Add("after_sequence", "must not be negative");
      if (req->max_entries() < 0 || req->max_entries() > 1000000) {
        v.Add("max_entries", "must be 0-1,000,000 (0: 100,000)");
      }
      if (!v.empty()) return v.status();
      auto report = log->ChainAndVerify(core_->db(), req->after_sequence(),
                                        req->max_entries() == 0 ? 100000 : req->max_entries(),
                                        call.deadline);
      if (!report.ok()) return report.status();
      resp->set_verified_entries(report->verified);
      resp->set_head_sequence(report->head_seq);
      resp->set_broken_sequence(report->broken_seq);
      resp->set_problem(report->problem);
      resp->set_next_after_sequence(report->next_after_seq);
      resp->set_queued_entries(report->queued);
      return absl::OkStatus();
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
