// One mapping from absl::Status to grpc::Status, with google.rpc details both ways.

#include "base/status.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
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

TEST(StatusTest, ViolationsAreCappedAndSayHowManyMore) {
  FieldViolations v;
  for (int i = 0; i < 1000; ++i) v.Add(absl::StrCat("unit.fiscal_years[", i, "]"), "is not a year");
  EXPECT_EQ(v.count(), 1000u);
  absl::Status s = v.status();
  EXPECT_EQ(FieldViolationsOf(s).size(), FieldViolations::kMaxFieldViolations);
  EXPECT_THAT(std::string(s.message()), ::testing::EndsWith("; and 990 more"));
  EXPECT_EQ(FieldViolationsOf(s).back().first, "unit.fiscal_years[9]");
}

TEST(StatusTest, EchoedInputIsCut) {
  FieldViolations v;
  v.Add(std::string(5000, 'f'), std::string(5000, 'd'));
  auto violations = FieldViolationsOf(v.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first.size(), FieldViolations::kMaxFieldBytes);
  EXPECT_EQ(violations[0].second.size(), FieldViolations::kMaxDescriptionBytes);
  grpc::Status g = ToGrpcStatus(absl::NotFoundError(std::string(100000, 'n')));
  EXPECT_EQ(g.error_message().size(), kMaxStatusMessageBytes);
  // However a status was built, its details stay within the budget.
  google::rpc::BadRequest many;
  for (int i = 0; i < 1000; ++i) {
    auto* fv = many.add_field_violations();
    fv->set_field(std::string(100, 'f'));
    fv->set_description(std::string(150, 'd'));
  }
  absl::Status built = absl::InvalidArgumentError("built by hand");
  built.SetPayload("type.googleapis.com/google.rpc.BadRequest",
                   absl::Cord(many.SerializeAsString()));
  g = ToGrpcStatus(built);
  EXPECT_LE(g.error_details().size(), kMaxStatusDetailsBytes);
  EXPECT_GT(FieldViolationsOf(FromGrpcStatus(g)).size(), 5u);
}

TEST(StatusTest, TruncatedNeverSplitsACharacter) {
  EXPECT_EQ(Truncated("short", 10), "short");
  EXPECT_EQ(Truncated("abcdefghij", 8), "abcde...");
  // "é" is two bytes: cutting inside it backs up to before it.
  EXPECT_EQ(Truncated("aaaa\xc3\xa9zzzzzz", 8), "aaaa...");
  EXPECT_EQ(Truncated("aaa\xc3\xa9zzzzzz", 8), "aaa\xc3\xa9...");
}

}  // namespace
}  // namespace ibm::platform
