#include "base/status.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/status.pb.h"

namespace ibm::platform {
namespace {

constexpr absl::string_view kBadRequestUrl = "type.googleapis.com/google.rpc.BadRequest";
constexpr absl::string_view kErrorInfoUrl = "type.googleapis.com/google.rpc.ErrorInfo";

template <typename Message>
bool ReadPayload(const absl::Status& status, absl::string_view url, Message* out) {
  auto payload = status.GetPayload(url);
  return payload.has_value() && out->ParseFromString(std::string(*payload));
}

}  // namespace

std::string Truncated(absl::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  constexpr absl::string_view kMark = "...";
  size_t cut = max > kMark.size() ? max - kMark.size() : 0;
  // Back up to the start of a UTF-8 character (never leave half of one).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(text.substr(0, cut), kMark);
}

void FieldViolations::Add(absl::string_view field, absl::string_view description) {
  if (violations_.size() >= kMaxFieldViolations) {
    ++dropped_;
    return;
  }
  violations_.emplace_back(Truncated(field, kMaxFieldBytes),
                           Truncated(description, kMaxDescriptionBytes));
}

absl::Status FieldViolations::status() const {
  if (empty()) return absl::OkStatus();
  google::rpc::BadRequest bad;
  std::vector<std::string> parts;
  for (const auto& [field, description] : violations_) {
    auto* v = bad.add_field_violations();
    v->set_field(field);
    v->set_description(description);
    parts.push_back(absl::StrCat(field, " ", description));
  }
  std::string message = absl::StrJoin(parts, "; ");
  if (dropped_ > 0) absl::StrAppend(&message, "; and ", dropped_, " more");
  absl::Status s = absl::InvalidArgumentError(message);
  s.SetPayload(kBadRequestUrl, absl::Cord(bad.SerializeAsString()));
  return s;
}

absl::Status InvalidField(absl::string_view field, absl::string_view description) {
  FieldViolations v;
  v.Add(field, description);
  return v.status();
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info = ErrorInfoOf(status);
  info.set_reason(std::string(reason));
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status WithMetadata(absl::Status status, absl::string_view key, absl::string_view value) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info = ErrorInfoOf(status);
  (*info.mutable_metadata())[std::string(key)] = std::string(value);
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  if (!ReadPayload(status, kErrorInfoUrl, &info)) {
    info.set_reason(absl::StatusCodeToString(status.code()));
    absl::AsciiStrToUpper(info.mutable_reason());
  }
  info.set_domain(std::string(kErrorDomain));
  return info;
}

std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> out;
  google::rpc::BadRequest bad;
  if (ReadPayload(status, kBadRequestUrl, &bad)) {
    for (const auto& v : bad.field_violations()) out.emplace_back(v.field(), v.description());
  }
  return out;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(Truncated(status.message(), kMaxStatusMessageBytes));
  rpc.add_details()->PackFrom(ErrorInfoOf(status));
  google::rpc::BadRequest bad;
  if (ReadPayload(status, kBadRequestUrl, &bad)) {
    // Whatever built the status, the details stay within the trailer budget.
    while (bad.field_violations_size() > 0 &&
           rpc.ByteSizeLong() + bad.ByteSizeLong() + 16 > kMaxStatusDetailsBytes) {
      bad.mutable_field_violations()->RemoveLast();
    }
    rpc.add_details()->PackFrom(bad);
  }
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), rpc.message(),
                      rpc.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status rpc;
  if (!status.error_details().empty() && rpc.ParseFromString(status.error_details())) {
    for (const auto& any : rpc.details()) {
      if (any.Is<google::rpc::BadRequest>()) {
        out.SetPayload(kBadRequestUrl, absl::Cord(std::string(any.value())));
      } else if (any.Is<google::rpc::ErrorInfo>()) {
        out.SetPayload(kErrorInfoUrl, absl::Cord(std::string(any.value())));
      }
    }
  }
  return out;
}

std::string Describe(const absl::Status& status) {
  if (status.ok()) return "OK";
  std::string out = absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
  auto violations = FieldViolationsOf(status);
  if (!violations.empty()) {
    absl::StrAppend(&out, " [",
                    absl::StrJoin(violations, "; ",
                                  [](std::string* o, const auto& v) {
                                    absl::StrAppend(o, v.first, ": ", v.second);
                                  }),
                    "]");
  }
  return out;
}

}  // namespace ibm::platform
