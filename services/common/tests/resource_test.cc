// The shared resource toolkit (services/common/resource, domain/satker_id): pure rules
// table-driven, idempotent creates on both engines.
#include "base/status.h"
#include "domain/satker_id.h"
#include "gmock/gmock.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/idempotency.h"
#include "resource/update_mask.h"
#include "sql/migrations.h"
#include "testing/engine_test.h"
#include "testing/test_database.h"

namespace ibm::resource {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> FieldsOf(const platform::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& [f, d] : platform::FieldViolationsOf(v.status())) out.push_back(f);
  return out;
}

TEST(FieldsTest, TextRules) {
  struct Case {
    std::string text;
    size_t max;
    bool required;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"Ani", 200, true, true},
      {"", 200, false, true},
      {"", 200, true, false},
      {"   ", 200, true, false},
      {std::string(201, 'a'), 200, false, false},
      {std::string(200, 'a'), 200, false, true},
      {"tab\tok", 200, true, true},
      {"bell\x07", 200, true, false},
      {"new\nline", 200, true, false},
      {"Soka\"an, Cibinong", 200, true, true},
  };
  for (const Case& c : cases) {
    platform::FieldViolations v;
    CheckText(v, "x", c.text, c.max, c.required);
    EXPECT_EQ(v.empty(), c.ok) << "'" << c.text << "'";
  }
}

TEST(FieldsTest, RequestIdRules) {
  for (const char* good : {"a", "550e8400-e29b-41d4-a716-446655440000", "ibmctl-x.y:z_1"}) {
    platform::FieldViolations v;
    CheckRequestId(v, "request_id", good);
    EXPECT_TRUE(v.empty()) << good;
  }
  for (const std::string& bad : {std::string(""), std::string("has space"), std::string(101, 'a'),
                                 std::string("semi;colon")}) {
    platform::FieldViolations v;
    CheckRequestId(v, "request_id", bad);
    EXPECT_THAT(FieldsOf(v), ElementsAre("request_id")) << bad;
  }
}

google::type::Date Day(int y, int m, int d) {
  google::type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

TEST(FieldsTest, DateRules) {
  struct Case {
    google::type::Date date;
    bool required, ok;
  };
  const std::vector<Case> cases = {
      {Day(2025, 3, 14), true, true},   {Day(2024, 2, 29), true, true},
      {Day(2025, 2, 29), true, false},  {Day(2025, 13, 1), true, false},
      {Day(1944, 12, 31), true, false}, {Day(1945, 1, 1), true, true},
      {Day(2200, 12, 31), true, true},  {Day(2201, 1, 1), true, false},
      {Day(0, 0, 0), false, true},      {Day(0, 0, 0), true, false},
      {Day(2025, 0, 1), false, false},
  };
  for (const Case& c : cases) {
    platform::FieldViolations v;
    CheckDate(v, "d", c.date, c.required);
    EXPECT_EQ(v.empty(), c.ok) << DateText(c.date) << " required=" << c.required;
  }
  EXPECT_EQ(DateText(Day(2025, 3, 4)), "2025-03-04");
  EXPECT_EQ(ParseDateText("2025-03-04").day(), 4);
  EXPECT_EQ(ToTimestamp(1500001).nanos(), 500001000);
}

TEST(UpdateMaskTest, PathsMustBeUpdatableAndTheMaskSmall) {
  google::protobuf::FieldMask mask;
  EXPECT_THAT(platform::FieldViolationsOf(MaskPaths(mask, {"a", "b"}).status()),
              ElementsAre(::testing::Pair("update_mask", ::testing::_)));
  mask.add_paths("b");
  auto paths = MaskPaths(mask, {"a", "b"});
  ASSERT_TRUE(paths.ok());
  EXPECT_TRUE(HasPath(*paths, "b"));
  EXPECT_FALSE(HasPath(*paths, "a"));
  mask.add_paths("c");
  EXPECT_THAT(platform::FieldViolationsOf(MaskPaths(mask, {"a", "b"}).status()),
              ElementsAre(::testing::Pair("update_mask.paths[1]", ::testing::_)));
  for (int i = 0; i < 5; ++i) mask.add_paths("a");
  EXPECT_THAT(platform::FieldViolationsOf(MaskPaths(mask, {"a", "b"}).status()),
              ElementsAre(::testing::Pair("update_mask.paths", ::testing::_)));
}

TEST(EtagTest, EmptySkipsStaleAborts) {
  EXPECT_TRUE(CheckEtag("", 7, "etag").ok());
  EXPECT_TRUE(CheckEtag("7", 7, "etag").ok());
  absl::Status stale = CheckEtag("6", 7, "unit.etag");
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(platform::ErrorInfoOf(stale).reason(), "ETAG_MISMATCH");
}

TEST(SatkerIdTest, OnlyTheThreeFormsParse) {
  auto central = domain::SatkerId::Parse("bnn");
  ASSERT_TRUE(central.ok());
  EXPECT_FALSE(central->region().has_value());
  auto bnnk = domain::SatkerId::Parse("bnnk-32.73");
  ASSERT_TRUE(bnnk.ok());
  EXPECT_EQ(bnnk->kind(), domain::SatkerKind::kRegency);
  EXPECT_EQ(bnnk->region()->str(), "32.73");
  EXPECT_EQ(domain::SatkerId::Parse("bnnp-32")->kind(), domain::SatkerKind::kProvince);
  for (const char* bad : {"", "BNN", "bnn ", "bnnp-32.73", "bnnk-32", "bnnk-32.73 ", "bnnx-32",
                          "bnnp-", "bnnp-3", "bnnk-32.7", "bnn-32"}) {
    auto id = domain::SatkerId::Parse(bad, "satker.name");
    EXPECT_THAT(platform::FieldViolationsOf(id.status()),
                ElementsAre(::testing::Pair("satker.name", ::testing::_)))
        << "'" << bad << "'";
  }
}

class CreateRequestsTest : public testing::EngineTest {};

TEST_P(CreateRequestsTest, ARetryFindsTheFirstCreateOfTheSameCallerOnly) {
  ASSERT_TRUE(sql::Migrate(*db_, {{1,
                                   "requests",
                                   {"CREATE TABLE reqs (request_id VARCHAR(100) PRIMARY KEY, "
                                    "method VARCHAR(60) NOT NULL, fingerprint VARCHAR(64) NOT "
                                    "NULL, resource VARCHAR(200) NOT NULL, create_time BIGINT "
                                    "NOT NULL) {TABLE_OPTIONS}"}}})
                  .ok());
  CreateRequests creates("reqs", db_->dialect());
  google::rpc::Status request;
  request.set_message("create x");
  auto in_tx = [&](auto fn) { return db_->Transact(sql::TxMode::kReadWrite, fn); };
  ASSERT_TRUE(in_tx([&](sql::Session& s) {
                return creates.Remember(s, "alice", "CreateThing", "r1", request, "things/1", 1);
              }).ok());
  std::optional<std::string> found;
  int64_t now = 1;
  auto find = [&](absl::string_view caller, absl::string_view method,
                  const google::protobuf::Message& req) {
    return in_tx([&](sql::Session& s) -> absl::Status {
      auto f = creates.Find(s, caller, method, "r1", req, now);
      if (!f.ok()) return f.status();
      found = *f;
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(find("alice", "CreateThing", request).ok());
  EXPECT_EQ(found, "things/1");
  ASSERT_TRUE(find("bob", "CreateThing", request).ok());
  EXPECT_EQ(found, std::nullopt);  // bob's r1 is not alice's
  google::rpc::Status other = request;
  other.set_code(3);
  EXPECT_THAT(platform::FieldViolationsOf(find("alice", "CreateThing", other)),
              ElementsAre(::testing::Pair("request_id", ::testing::_)));
  EXPECT_THAT(platform::FieldViolationsOf(find("alice", "CreateOther", request)),
              ElementsAre(::testing::Pair("request_id", ::testing::_)));
  // Past the 7-day retention the id is free again, pruned or not.
  now = 1 + absl::ToInt64Microseconds(absl::Hours(24 * 7)) + 1;
  ASSERT_TRUE(find("alice", "CreateThing", request).ok());
  EXPECT_EQ(found, std::nullopt);
  ASSERT_TRUE(in_tx([&](sql::Session& s) {
                return creates.Remember(s, "alice", "CreateThing", "r1", request, "things/2", now);
              }).ok());
  ASSERT_TRUE(find("alice", "CreateThing", request).ok());
  EXPECT_EQ(found, "things/2");
  // A live record is never replaced (two creates of one id racing past Find): the second
  // insert fails on the key.
  EXPECT_TRUE(absl::IsAlreadyExists(in_tx([&](sql::Session& s) {
    return creates.Remember(s, "alice", "CreateThing", "r1", request, "things/3", now + 1);
  })));
  ASSERT_TRUE(find("alice", "CreateThing", request).ok());
  EXPECT_EQ(found, "things/2");
}

IBM_ON_BOTH_ENGINES(CreateRequestsTest);

}  // namespace
}  // namespace ibm::resource
