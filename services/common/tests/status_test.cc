// One mapping from absl::Status to grpc::Status, with google.rpc details both ways.

#include "platform/status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace ibm::platform {
namespace {

TEST(StatusTest, FieldViolationsTravelAsBadRequest) {
  FieldViolations v;
  v.Add("page_size", "must be between 0 and 1000");
  v.Add("unit.village_code", "must be a village code");
  absl::Status s = v.status();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);

  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  EXPECT_EQ(rpc.code(), 3);
  google::rpc::ErrorInfo info;
  google::rpc::BadRequest bad;
  bool saw_info = false, saw_bad = false;
  for (const auto& any : rpc.details()) {
    if (any.UnpackTo(&info)) saw_info = true;
    if (any.UnpackTo(&bad)) saw_bad = true;
  }
  ASSERT_TRUE(saw_info && saw_bad);
  EXPECT_EQ(info.domain(), "ibm.bnn.go.id");
  EXPECT_EQ(info.reason(), "INVALID_ARGUMENT");
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(1).field(), "unit.village_code");

  absl::Status back = FromGrpcStatus(g);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(back).size(), 2u);
  EXPECT_EQ(Describe(back),
            "INVALID_ARGUMENT: page_size must be between 0 and 1000; unit.village_code must be a "
            "village code [page_size: must be between 0 and 1000; unit.village_code: must be a "
            "village code]");
}

TEST(StatusTest, EveryErrorCarriesErrorInfoWithReason) {
  grpc::Status g = ToGrpcStatus(WithReason(absl::AbortedError("etag mismatch"), "ETAG_MISMATCH"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ErrorInfoOf(FromGrpcStatus(g)).reason(), "ETAG_MISMATCH");
  grpc::Status plain = ToGrpcStatus(absl::NotFoundError("unit not found"));
  EXPECT_EQ(ErrorInfoOf(FromGrpcStatus(plain)).reason(), "NOT_FOUND");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FieldViolations().status().ok());
}

}  // namespace
}  // namespace ibm::platform
