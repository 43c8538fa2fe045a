// The MySQL driver when the server dies under it: kills the test server (SIGKILL), checks
// that calls fail fast with UNAVAILABLE and nothing crashes, restarts it, and checks that
// the same pool recovers. Runs alone (RUN_SERIAL): it takes the shared server down.

#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sql/database.h"
#include "testing/test_database.h"

namespace ibm::sql {
namespace {

void Control(const char* action) {
  ASSERT_EQ(std::system(
                absl::StrCat(IBM_TEST_MARIADB_CTL, " ", action, " ", IBM_TEST_MARIADB_DIR).c_str()),
            0)
      << action;
}

class MysqlFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::MysqlAvailable()) GTEST_SKIP() << "IBM_TEST_MYSQL_DSN not set";
    auto t = testing::TestDatabase::Create("mysql");
    ASSERT_TRUE(t.ok()) << t.status();
    test_db_ = *std::move(t);
    OpenOptions opts;
    opts.pool_size = 4;
    auto db = test_db_->Open(opts);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->Exec("CREATE TABLE visit (id BIGINT PRIMARY KEY, note VARCHAR(50))").ok());
  }
  void TearDown() override {
    Control("start");  // whatever happened, leave the server up for the other tests
  }

  std::unique_ptr<testing::TestDatabase> test_db_;
  std::unique_ptr<Database> db_;
};

TEST_F(MysqlFaultTest, ServerKilledMidTransactionThenBackAgain) {
  ASSERT_TRUE(db_->Exec("INSERT INTO visit VALUES (1, 'before')").ok());

  // The server dies between two statements of one transaction.
  absl::Status tx = db_->Transact(TxMode::kReadWrite, [&](Session& s) -> absl::Status {
    if (auto r = s.Exec("INSERT INTO visit VALUES (2, 'lost')"); !r.ok()) return r.status();
    Control("kill");
    return s.Exec("INSERT INTO visit VALUES (3, 'lost')").status();
  });
  EXPECT_EQ(tx.code(), absl::StatusCode::kUnavailable) << tx;
  EXPECT_NE(tx.message().find("unreachable"), absl::string_view::npos) << tx;

  // While it is down: every call fails fast and clearly, health says so.
  absl::Time start = absl::Now();
  EXPECT_EQ(db_->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(db_->Query("SELECT id FROM visit").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));

  Control("start");

  // Back: the same pool serves again; the half-done transaction left nothing behind.
  absl::StatusOr<std::vector<Row>> rows;
  for (int i = 0; i < 50; ++i) {
    rows = db_->Query("SELECT id FROM visit ORDER BY id");
    if (rows.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().Int(0), 1);
  EXPECT_TRUE(db_->Ping().ok());
  EXPECT_GT(db_->stats().discarded, 0);
  EXPECT_TRUE(db_->Exec("INSERT INTO visit VALUES (4, 'after')").ok());
}

TEST_F(MysqlFaultTest, IdleConnectionsAreValidatedAfterARestart) {
  // Fill the pool with idle connections, restart the server, wait past the validation window.
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      db_->Transact(TxMode::kReadOnly,
                    [](Session& s) {
                      absl::SleepFor(absl::Milliseconds(50));
                      return s.Query("SELECT 1").status();
                    })
          .IgnoreError();
    });
  }
  for (auto& t : threads) t.join();
  Control("restart");
  absl::SleepFor(absl::Milliseconds(600));
  // Checkout validation drops the dead idle connections: the first call already succeeds.
  auto rows = db_->Query("SELECT COUNT(*) FROM visit");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_GE(db_->stats().discarded, 1);
}

}  // namespace
}  // namespace ibm::sql
