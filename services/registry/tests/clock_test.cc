// The registry on an injected clock: what it records takes the services' clock (create and
// update times, the 7-day life of a request id), and a test can move it by hand.
#include "registry/tests/registry_fixture.h"

namespace ibm::registry {
namespace {

class ClockTest : public RegistryTest {
 protected:
  ClockTest() { server_options_.clock = clock_.AsFunction(); }
  testing::ManualClock clock_;
};

v1::CreateOfficerRequest NewOfficer(const std::string& request_id) {
  v1::CreateOfficerRequest req;
  req.set_parent("satkers/bnnk-32.73");
  req.mutable_officer()->set_display_name("Dedi Kurniawan");
  req.set_request_id(request_id);
  return req;
}

TEST_P(ClockTest, TimesAreTheInjectedClocks) {
  if (IsSkipped()) return;
  SeedRegionsAndSatkers();
  const absl::Time created_at = clock_.Now();
  v1::Officer officer;
  ASSERT_TRUE(officers_->CreateOfficer(Central().get(), NewOfficer("r-1"), &officer).ok());
  EXPECT_EQ(officer.create_time().seconds(), absl::ToUnixSeconds(created_at));
  EXPECT_EQ(officer.update_time().seconds(), absl::ToUnixSeconds(created_at));

  clock_.Advance(absl::Hours(3));
  v1::UpdateOfficerRequest update;
  *update.mutable_officer() = officer;
  update.mutable_officer()->set_position("Penyuluh");
  update.mutable_update_mask()->add_paths("position");
  v1::Officer updated;
  ASSERT_TRUE(officers_->UpdateOfficer(Central().get(), update, &updated).ok());
  EXPECT_EQ(updated.create_time().seconds(), absl::ToUnixSeconds(created_at));
  EXPECT_EQ(updated.update_time().seconds(), absl::ToUnixSeconds(created_at + absl::Hours(3)));
}

TEST_P(ClockTest, ARequestIdIsRememberedForSevenDaysThenFree) {
  if (IsSkipped()) return;
  SeedRegionsAndSatkers();
  v1::Officer first;
  ASSERT_TRUE(officers_->CreateOfficer(Central().get(), NewOfficer("weekly"), &first).ok());

  clock_.Advance(absl::Hours(24 * 7) - absl::Minutes(1));  // a retry within the week
  v1::Officer retried;
  ASSERT_TRUE(officers_->CreateOfficer(Central().get(), NewOfficer("weekly"), &retried).ok());
  EXPECT_EQ(retried.name(), first.name());

  clock_.Advance(absl::Minutes(2));  // past the retention: the same id creates anew
  v1::Officer later;
  ASSERT_TRUE(officers_->CreateOfficer(Central().get(), NewOfficer("weekly"), &later).ok());
  EXPECT_NE(later.name(), first.name());
}

IBM_ON_BOTH_ENGINES(ClockTest);

}  // namespace
}  // namespace ibm::registry
