// The fixture itself: both services up, the registry reachable on the callers' behalf.
#include "cases/tests/cases_fixture.h"

namespace ibm::cases {
namespace {

class CasesFixtureTest : public CasesTest {};

TEST_P(CasesFixtureTest, RegistryAnswersOnTheCallersBehalf) {
  platform::Call call;
  call.caller = auth::Principal{"officer-1", auth::Role::kOfficer, "bnnk-32.73",
                                *auth::Scope::OfSatker("bnnk-32.73")};
  call.credentials = {
      {"authorization", "Bearer " + cases_server_->tokens().Sign(
                                        cases_server_->tokens().Claims("officer", "bnnk-32.73"))}};
  call.deadline = absl::Now() + absl::Seconds(5);
  const std::string unit_id = unit_.name().substr(6);
  auto unit = registry_client_->Unit(call, unit_id, "unit");
  ASSERT_TRUE(unit.ok()) << unit.status();
  EXPECT_EQ(unit->satker, "bnnk-32.73");
  EXPECT_FALSE(unit->inactive);
  auto missing = registry_client_->Unit(call, "32.73.04.1002-1", "client.unit");
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_THAT(std::string(missing.status().message()), ::testing::HasSubstr("client.unit"));
  // Credentials the registry does not accept are its refusal, not an outage.
  call.credentials = {{"authorization", "Bearer not-a-token"}};
  auto refused = registry_client_->Unit(call, "32.73.04.1001-9", "unit");
  EXPECT_TRUE(absl::IsUnauthenticated(refused.status())) << refused.status();
}

IBM_ON_BOTH_ENGINES(CasesFixtureTest);

}  // namespace
}  // namespace ibm::cases
