#pragma once

// A test that runs once on each engine: derive from EngineTest, write TEST_P, and
// instantiate with IBM_ON_BOTH_ENGINES(Suite). Each test gets a fresh database of its own;
// the MySQL run skips (visibly) when no test server is set up (ctest starts one).

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "sql/database.h"
#include "testing/test_database.h"

namespace ibm::testing {

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql" && !MysqlAvailable()) {
      GTEST_SKIP() << "IBM_TEST_MYSQL_DSN not set: run through ctest, which starts MariaDB";
    }
    auto t = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status();
    test_db_ = *std::move(t);
    auto db = test_db_->Open();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<sql::Database> db_;
};

}  // namespace ibm::testing

#define IBM_ON_BOTH_ENGINES(suite)                          \
  INSTANTIATE_TEST_SUITE_P(                                 \
      Engines, suite, ::testing::Values("sqlite", "mysql"), \
      [](const ::testing::TestParamInfo<std::string>& info) { return info.param; })
