#pragma once

// Errors: handlers and stores return absl::Status; one function turns it into a grpc::Status
// whose details carry google.rpc.ErrorInfo (always) and google.rpc.BadRequest (when fields
// were wrong), so every client, in any language, can show which field failed and why.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/support/status.h"

namespace ibm::platform {

// The ErrorInfo domain of every error the suite returns.
inline constexpr absl::string_view kErrorDomain = "ibm.bnn.go.id";

// Collects field violations while a request is validated, then yields one
// INVALID_ARGUMENT naming them all (or OK). Field paths follow AIP: "unit.village_code",
// "agents[2].sk_number".
//
//   FieldViolations v;
//   if (req.name().empty()) v.Add("name", "is required");
//   if (auto s = v.status(); !s.ok()) return s;
class FieldViolations {
 public:
  void Add(absl::string_view field, absl::string_view description);
  bool empty() const { return violations_.empty(); }
  absl::Status status() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
};

// An INVALID_ARGUMENT for one field.
absl::Status InvalidField(absl::string_view field, absl::string_view description);

// Sets the machine-readable reason of an error (ErrorInfo.reason, UPPER_SNAKE_CASE, e.g.
// "ETAG_MISMATCH", "OUT_OF_SCOPE"); without one, the reason is the status code's name.
absl::Status WithReason(absl::Status status, absl::string_view reason);

// The gRPC status for an absl::Status, with google.rpc.Status details.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The reverse, for clients (ibmctl, tests, service-to-service calls): keeps the details.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The details of a status produced by ToGrpcStatus or FromGrpcStatus.
google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status);
std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const absl::Status& status);

// A one-line human rendering: "INVALID_ARGUMENT: ... [region_code: must be ...; page_size: ...]".
std::string Describe(const absl::Status& status);

}  // namespace ibm::platform
