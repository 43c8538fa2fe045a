// The registry's resource-name grammar (core.h): only the canonical form of each name
// parses, so that one resource never has two names (issue 8, defect 1). No gRPC, no database.
#include "gtest/gtest.h"
#include "registry/core.h"

namespace ibm::registry {
namespace {

struct NameCase {
  const char* name;
  bool parses;
};

TEST(NamesTest, UnitNamesAreCanonical) {
  for (const NameCase& c : std::initializer_list<NameCase>{
           {"units/32.73.04.1001-1", true},
           {"units/32.73.04.1001-12", true},
           {"units/32.73.04.1001-01", false},
           {"units/32.73.04.1001-0", false},
           {"units/32.73.04.1001-+1", false},
           {"units/32.73.04.1001-1 ", false},
           {"units/32.73.04.1001- 1", false},
           {"units/32.73.04.1001-", false},
           {"units/32.73.04.1001", false},
           {"units/32.73.04-1", false},
           {"unit/32.73.04.1001-1", false},
           {"units/32.73.04.1001-1/", false},
           {"units/32.73.04.1001-99999999999999999999", false},
       }) {
    EXPECT_EQ(ParseUnitName(c.name, "name").ok(), c.parses) << c.name;
  }
}

TEST(NamesTest, RegionNamesAreCanonicalAndOfTheAskedLevel) {
  EXPECT_TRUE(ParseRegionName("regions/32", "f").ok());
  EXPECT_TRUE(ParseRegionName("regions/32.73.04.1001", "f").ok());
  for (const char* bad : {"regions/32.", "regions/3", "regions/32.73.4", "regions/32 ",
                          "regions/+32", "region/32", "regions/", "32.73"}) {
    EXPECT_FALSE(ParseRegionName(bad, "f").ok()) << bad;
  }
  auto wrong_level =
      ParseRegionName("regions/32.73", "unit.village", domain::RegionLevel::kVillage);
  ASSERT_FALSE(wrong_level.ok());
  EXPECT_NE(wrong_level.status().message().find("unit.village"), std::string::npos);
}

TEST(NamesTest, SatkerAgentAndOfficerNames) {
  EXPECT_TRUE(ParseSatkerName("satkers/bnn", "f").ok());
  EXPECT_TRUE(ParseSatkerName("satkers/bnnp-32", "f").ok());
  EXPECT_TRUE(ParseSatkerName("satkers/bnnk-32.73", "f").ok());
  for (const char* bad : {"satkers/bnnk-32", "satkers/bnnp-32.73", "satkers/BNN", "satkers/bnn ",
                          "satkers/bnnk-32.73.04", "satkers/"}) {
    EXPECT_FALSE(ParseSatkerName(bad, "f").ok()) << bad;
  }
  auto agent = ParseAgentName("units/32.73.04.1001-1/agents/a1", "f");
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ(agent->parent_id, "32.73.04.1001-1");
  EXPECT_EQ(agent->id, "a1");
  for (const char* bad : {"units/32.73.04.1001-01/agents/a1", "units/32.73.04.1001-1/agents/a-1",
                          "units/32.73.04.1001-1/agents/", "units/32.73.04.1001-1/officers/a1",
                          "units/32.73.04.1001-1/agents/a1/x"}) {
    EXPECT_FALSE(ParseAgentName(bad, "f").ok()) << bad;
  }
  EXPECT_TRUE(ParseOfficerName("satkers/bnnk-32.73/officers/o1", "f").ok());
  EXPECT_FALSE(ParseOfficerName("satkers/bnnk-32.73/agents/o1", "f").ok());
}

TEST(NamesTest, NamesRoundTrip) {
  EXPECT_EQ(UnitName(*ParseUnitName("units/32.73.04.1001-3", "f")), "units/32.73.04.1001-3");
  EXPECT_EQ(UnitVillage("32.73.04.1001-3").str(), "32.73.04.1001");
  EXPECT_EQ(AgentName("32.73.04.1001-3", "a"), "units/32.73.04.1001-3/agents/a");
  EXPECT_EQ(SatkerRegion("bnnk-32.73")->str(), "32.73");
  EXPECT_FALSE(SatkerRegion("bnn").has_value());
}

}  // namespace
}  // namespace ibm::registry
