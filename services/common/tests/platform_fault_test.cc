// Readiness follows the database: the MariaDB server is killed under a running server and
// brought back. Runs alone (RUN_SERIAL): it takes the shared test server down.

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ibm/platform/v1/platform.grpc.pb.h"
#include "testing/test_database.h"
#include "testing/test_server.h"

namespace ibm::platform {
namespace {

void Control(const char* action) {
  ASSERT_EQ(std::system(
                absl::StrCat(IBM_TEST_MARIADB_CTL, " ", action, " ", IBM_TEST_MARIADB_DIR).c_str()),
            0);
}

std::string WaitForHealth(const std::shared_ptr<grpc::Channel>& ch, const std::string& want) {
  std::string got;
  for (int i = 0; i < 100; ++i) {
    got = testing::HealthOf(ch, "");
    if (got == want) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return got;
}

TEST(PlatformFaultTest, ReadinessFollowsTheDatabaseLivenessDoesNot) {
  if (!testing::MysqlAvailable()) GTEST_SKIP() << "IBM_TEST_MYSQL_DSN not set";
  auto t = testing::TestDatabase::Create("mysql");
  ASSERT_TRUE(t.ok()) << t.status();
  auto db = (*t)->Open();
  ASSERT_TRUE(db.ok()) << db.status();
  testing::TestServer server(db->get());
  ibm::platform::v1::EchoService::CallbackService unused;  // any service will do
  server.Start({&unused});
  EXPECT_EQ(WaitForHealth(server.channel(), "SERVING"), "SERVING");

  Control("kill");
  EXPECT_EQ(WaitForHealth(server.channel(), "NOT_SERVING"), "NOT_SERVING");
  EXPECT_EQ(testing::HealthOf(server.channel(), kLivenessService), "SERVING");

  Control("start");
  EXPECT_EQ(WaitForHealth(server.channel(), "SERVING"), "SERVING");
}

}  // namespace
}  // namespace ibm::platform
