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
//
// An error stays small whatever the request: at most kMaxFieldViolations are kept (the
// message ends "... and N more"), and each field path and description is cut to a bound,
// so a huge request can never make a huge error, trailer or log line. The bounds keep the
// whole status (message, percent-encoded, plus details, base64) under gRPC's default 8 KiB
// limit on received metadata: a larger one reaches the client as RESOURCE_EXHAUSTED instead.
class FieldViolations {
 public:
  static constexpr size_t kMaxFieldViolations = 10;
  static constexpr size_t kMaxFieldBytes = 100;
  static constexpr size_t kMaxDescriptionBytes = 150;

  void Add(absl::string_view field, absl::string_view description);
  bool empty() const { return violations_.empty() && dropped_ == 0; }
  // Violations added, kept or not.
  size_t count() const { return violations_.size() + dropped_; }
  absl::Status status() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
  size_t dropped_ = 0;
};

// The largest status message sent to a client or written to a log line; longer ones are cut.
inline constexpr size_t kMaxStatusMessageBytes = 800;
// The largest serialized google.rpc.Status sent as details; violations that would not fit
// are left out (the message still counts them).
inline constexpr size_t kMaxStatusDetailsBytes = 3500;

// `text` cut to at most `max` bytes (on a UTF-8 character boundary), marked with "..." when
// cut. For every piece of input echoed into an error or a log.
std::string Truncated(absl::string_view text, size_t max);

// An INVALID_ARGUMENT for one field.
absl::Status InvalidField(absl::string_view field, absl::string_view description);

// Sets the machine-readable reason of an error (ErrorInfo.reason, UPPER_SNAKE_CASE, e.g.
// "ETAG_MISMATCH", "OUT_OF_SCOPE"); without one, the reason is the status code's name.
absl::Status WithReason(absl::Status status, absl::string_view reason);
// Adds ErrorInfo.metadata[key] = value (e.g. the existing resource of an ALREADY_EXISTS).
// Set the reason first.
absl::Status WithMetadata(absl::Status status, absl::string_view key, absl::string_view value);

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
