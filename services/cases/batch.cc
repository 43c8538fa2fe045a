// BatchUploadService: an agent's app keeps records on the device where there is no signal and
// uploads them in one call when it can (sync.proto; docs/api.md, Offline batch upload). Each
// record runs as its own create call (creates.h: same checks, access rules, idempotency and
// transaction); a record may name a client, case or screening an earlier record of the batch
// created, as `requestIds/{request_id}`.
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/macros.h"
#include "base/status.h"
#include "cases/creates.h"
#include "cases/services.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "ibm/cases/v1/sync.grpc.pb.h"

namespace ibm::cases {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

constexpr int kMaxRecords = 500;
constexpr size_t kMaxDeviceText = 100;
constexpr absl::string_view kReferencePrefix = "requestIds/";

// The create request a record carries (nullptr: none) and its field, e.g. `create_client`.
const FieldDescriptor* RequestField(const v1::UploadRecord& record) {
  static const auto* oneof = v1::UploadRecord::descriptor()->FindOneofByName("request");
  return record.GetReflection()->GetOneofFieldDescriptor(record, oneof);
}

const std::string& RequestIdOf(const Message& request) {
  const FieldDescriptor* f = request.GetDescriptor()->FindFieldByName("request_id");
  static const std::string kNone;
  return f == nullptr ? kNone : request.GetReflection()->GetStringReference(request, f, nullptr);
}

absl::Status ReferenceFailed(absl::string_view field, absl::string_view why) {
  return platform::WithMetadata(
      platform::WithReason(absl::FailedPreconditionError(absl::StrCat(field, ": ", why)),
                           "REFERENCED_RECORD_FAILED"),
      "field", field);
}

// Failures of the server or the call rather than of a record: the batch stops there and the
// call fails (the records before it are stored; sending the whole batch again is safe).
bool StopsTheBatch(const absl::Status& st) {
  return absl::IsUnavailable(st) || absl::IsDeadlineExceeded(st) || absl::IsCancelled(st);
}

class BatchUploadService final : public v1::BatchUploadService::CallbackService {
 public:
  BatchUploadService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::BatchUploadService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* UploadBatch(CallbackServerContext* ctx, const v1::UploadBatchRequest* req,
                                  v1::UploadBatchResponse* resp) override {
    return calls_.Run(ctx, "UploadBatch", [=, this](const Call& call) -> absl::Status {
      absl::flat_hash_map<std::string, int> record_of;  // request_id -> its record's index
      if (auto st = CheckEnvelope(*req, record_of); !st.ok()) return st;
      auto grant = core_->Authorize(call, "UploadBatch");
      if (!grant.ok()) return grant.status();
      for (int i = 0; i < req->records_size(); ++i) {
        if (absl::Now() >= call.deadline) {
          return absl::DeadlineExceededError(absl::StrCat(
              "the deadline passed before records[", i,
              "]: the records before it are stored; send the batch again to finish it"));
        }
        v1::UploadResult* result = resp->add_results();
        absl::Status st = Upload(call, *req, i, record_of, *resp, *result);
        if (StopsTheBatch(st)) {
          return absl::Status(st.code(), absl::StrCat("records[", i, "]: ", st.message(),
                                                      " (the records before it are stored; "
                                                      "sending the batch again is safe)"));
        }
        if (!st.ok() && (absl::IsInternal(st) || absl::IsUnknown(st) || absl::IsDataLoss(st))) {
          platform::Log(platform::LogLevel::kError, "batch record failed",
                        {{"request_id", call.request_id},
                         {"record", i},
                         {"error", platform::Truncated(st.message(), 300)}});
        }
        if (st.ok()) {
          resp->set_succeeded(resp->succeeded() + 1);
        } else {
          resp->set_failed(resp->failed() + 1);
        }
        *result->mutable_status() = ToRpcStatus(st);
      }
      // The device, for support (the records themselves are never logged).
      platform::Log(platform::LogLevel::kInfo, "batch uploaded",
                    {{"request_id", call.request_id},
                     {"caller", call.caller->subject},
                     {"device_id", req->device_id()},
                     {"client_version", req->client_version()},
                     {"records", req->records_size()},
                     {"succeeded", resp->succeeded()},
                     {"failed", resp->failed()}});
      return absl::OkStatus();
    });
  }

 private:
  // The call's own input: 1-500 records, each with a create request, a request_id unique in
  // the batch and a capture_time; the device's texts within 100 characters. Nothing is
  // processed unless it all holds.
  static absl::Status CheckEnvelope(const v1::UploadBatchRequest& req,
                                    absl::flat_hash_map<std::string, int>& record_of) {
    platform::FieldViolations v;
    if (req.device_id().size() > kMaxDeviceText) v.Add("device_id", "at most 100 characters");
    if (req.client_version().size() > kMaxDeviceText) {
      v.Add("client_version", "at most 100 characters");
    }
    if (req.records_size() == 0) {
      v.Add("records", "is required: 1-500 records");
      return v.status();
    }
    if (req.records_size() > kMaxRecords) {
      v.Add("records", absl::StrCat("at most 500 records per call (", req.records_size(),
                                    " sent): send the rest in another call"));
      return v.status();
    }
    for (int i = 0; i < req.records_size(); ++i) {
      const v1::UploadRecord& record = req.records(i);
      const std::string at = absl::StrCat("records[", i, "]");
      if (!record.has_capture_time()) v.Add(absl::StrCat(at, ".capture_time"), "is required");
      const FieldDescriptor* f = RequestField(record);
      if (f == nullptr) {
        v.Add(absl::StrCat(at, ".request"), "is required: one create request");
        continue;
      }
      const std::string field = absl::StrCat(at, ".", f->name(), ".request_id");
      const std::string& id = RequestIdOf(record.GetReflection()->GetMessage(record, f));
      if (id.empty()) {
        v.Add(field, "is required in a batch: records refer to each other by it");
      } else if (auto [it, added] = record_of.emplace(id, i); !added) {
        v.Add(field, absl::StrCat("repeats the request_id of records[", it->second,
                                  "]: each record needs its own"));
      }
    }
    return v.status();
  }

  // Record `i`: its references resolved, then its create, as its method would run it.
  absl::Status Upload(const Call& call, const v1::UploadBatchRequest& req, int i,
                      const absl::flat_hash_map<std::string, int>& record_of,
                      const v1::UploadBatchResponse& so_far, v1::UploadResult& result) const {
    v1::UploadRecord record = req.records(i);
    const FieldDescriptor* f = RequestField(record);
    Message* request = record.GetReflection()->MutableMessage(&record, f);
    result.set_index(i);
    result.set_request_id(RequestIdOf(*request));
    if (auto st = Resolve(*request, "", i, record_of, so_far); !st.ok()) return st;
    std::string resource;
    bool replayed = false;
    absl::Status st;
    switch (record.request_case()) {
      case v1::UploadRecord::kCreateClient:
        st = Run(CreateClient, call, record.create_client(), resource, replayed);
        break;
      case v1::UploadRecord::kCreateScreening:
        st = Run(CreateScreening, call, record.create_screening(), resource, replayed);
        break;
      case v1::UploadRecord::kCreateCase:
        st = Run(CreateCase, call, record.create_case(), resource, replayed);
        break;
      case v1::UploadRecord::kCreateInterventionSession:
        st = Run(CreateInterventionSession, call, record.create_intervention_session(), resource,
                 replayed);
        break;
      case v1::UploadRecord::kCreateSupportContact:
        st = Run(CreateSupportContact, call, record.create_support_contact(), resource, replayed);
        break;
      case v1::UploadRecord::kCreateUrineTest:
        st = Run(CreateUrineTest, call, record.create_urine_test(), resource, replayed);
        break;
      case v1::UploadRecord::kCreateQualityOfLifeAssessment:
        st = Run(CreateQualityOfLifeAssessment, call, record.create_quality_of_life_assessment(),
                 resource, replayed);
        break;
      case v1::UploadRecord::kCreateUnitActivity:
        st = Run(CreateUnitActivity, call, record.create_unit_activity(), resource, replayed);
        break;
      case v1::UploadRecord::kCreateSatkerActivity:
        st = Run(CreateSatkerActivity, call, record.create_satker_activity(), resource, replayed);
        break;
      case v1::UploadRecord::kCreateCommunityReportTally:
        st = Run(CreateCommunityReportTally, call, record.create_community_report_tally(), resource,
                 replayed);
        break;
      case v1::UploadRecord::REQUEST_NOT_SET:
        return absl::InternalError("a record without a request passed the envelope check");
    }
    if (!st.ok()) return st;
    result.set_resource(resource);
    result.set_replayed(replayed);
    return absl::OkStatus();
  }

  template <class Request, class Resource>
  absl::Status Run(absl::Status (*create)(const CorePtr&, const Call&, const Request&, Resource*,
                                          bool*),
                   const Call& call, const Request& request, std::string& resource,
                   bool& replayed) const {
    Resource made;
    absl::Status st = create(core_, call, request, &made, &replayed);
    if (st.ok()) resource = made.name();
    return st;
  }

  // Every `requestIds/{id}` among the request's strings (at any depth) becomes the name of the
  // resource that an earlier record of this batch created; FAILED_PRECONDITION
  // REFERENCED_RECORD_FAILED naming the field when that record failed, comes later or is not
  // in the batch. `path` is the field path of `m` in the create request.
  absl::Status Resolve(Message& m, const std::string& path, int i,
                       const absl::flat_hash_map<std::string, int>& record_of,
                       const v1::UploadBatchResponse& so_far) const {
    const auto* reflection = m.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    reflection->ListFields(m, &fields);
    for (const FieldDescriptor* f : fields) {
      const std::string name = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (f->is_map()) continue;  // no create request has a map of names
        if (f->is_repeated()) {
          for (int k = 0; k < reflection->FieldSize(m, f); ++k) {
            IBM_RETURN_IF_ERROR(Resolve(*reflection->MutableRepeatedMessage(&m, f, k),
                                        absl::StrCat(name, "[", k, "]"), i, record_of, so_far));
          }
        } else {
          IBM_RETURN_IF_ERROR(
              Resolve(*reflection->MutableMessage(&m, f), name, i, record_of, so_far));
        }
        continue;
      }
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING || f->name() == "request_id") continue;
      if (f->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(m, f); ++k) {
          std::string value = reflection->GetRepeatedString(m, f, k);
          if (!absl::StartsWith(value, kReferencePrefix)) continue;
          auto named = Referenced(value, absl::StrCat(name, "[", k, "]"), i, record_of, so_far);
          if (!named.ok()) return named.status();
          reflection->SetRepeatedString(&m, f, k, *named);
        }
      } else {
        std::string value = reflection->GetString(m, f);
        if (!absl::StartsWith(value, kReferencePrefix)) continue;
        auto named = Referenced(value, name, i, record_of, so_far);
        if (!named.ok()) return named.status();
        reflection->SetString(&m, f, *named);
      }
    }
    return absl::OkStatus();
  }

  static absl::StatusOr<std::string> Referenced(
      absl::string_view reference, const std::string& field, int i,
      const absl::flat_hash_map<std::string, int>& record_of,
      const v1::UploadBatchResponse& so_far) {
    const std::string id(reference.substr(kReferencePrefix.size()));
    auto it = record_of.find(id);
    if (it == record_of.end()) {
      return ReferenceFailed(field,
                             "names no record of this batch (requestIds/{request_id} "
                             "refers to an earlier record of the same batch)");
    }
    const int j = it->second;
    if (j >= i) {
      return ReferenceFailed(field, absl::StrCat("names records[", j,
                                                 "], which is not before it: records are "
                                                 "created in order"));
    }
    const v1::UploadResult& earlier = so_far.results(j);
    if (earlier.status().code() != 0) {
      return ReferenceFailed(field, absl::StrCat("records[", j, "] failed"));
    }
    return earlier.resource();
  }

  // The record's status as UploadResult carries it: the google.rpc.Status the method would
  // have sent (code, message, ErrorInfo, BadRequest).
  static google::rpc::Status ToRpcStatus(const absl::Status& st) {
    google::rpc::Status out;
    if (st.ok()) return out;
    const grpc::Status sent = platform::ToGrpcStatus(st);
    if (!out.ParseFromString(sent.error_details())) {
      out.Clear();
      out.set_code(static_cast<int>(st.code()));
      out.set_message(sent.error_message());
    }
    return out;
  }

  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewBatchUploadService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<BatchUploadService>(std::move(core), std::move(runtime));
}

}  // namespace ibm::cases
