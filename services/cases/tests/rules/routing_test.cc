// Routing on the drug-only maximum: a smoker is not routed by tobacco (issue 9, finding 2).
#include "cases/rules/routing.h"

#include "gtest/gtest.h"

namespace ibm::cases::rules {
namespace {

constexpr int kCannabis = 3;
constexpr int kAts = 5;
constexpr int kSedatives = 7;

ScoredSubstance At(int substance, RiskLevel risk) { return {substance, {0, risk}}; }

// The default policy: every substance but tobacco counts (alcohol, cannabis ... other).
RoutingPolicy Default() {
  RoutingPolicy p;
  for (int s = 2; s <= 10; ++s) p.counted_substances.insert(s);
  p.low_risk = Routing::kNoEnrollment;
  p.moderate_risk = Routing::kVillage;
  p.high_risk = Routing::kRefer;
  p.recent_injecting = Routing::kRefer;
  return p;
}

TEST(RoutingTest, AHeavySmokerWithNoDrugRiskIsRoutedAsLowRisk) {
  const std::vector<ScoredSubstance> scored = {At(kSubstanceTobacco, RiskLevel::kHigh),
                                               At(kSubstanceAlcohol, RiskLevel::kLow),
                                               At(kCannabis, RiskLevel::kLow)};
  const RiskSummary risk = Summarize(Default().counted_substances, scored);
  EXPECT_EQ(risk.tobacco_risk, RiskLevel::kHigh);
  EXPECT_EQ(risk.alcohol_risk, RiskLevel::kLow);
  EXPECT_EQ(risk.highest_drug_risk, RiskLevel::kLow);
  EXPECT_EQ(risk.highest_drug_risk_substances, (std::vector<int>{kSubstanceAlcohol, kCannabis}));
  const RoutingDecision d = Route(Default(), risk, false);
  EXPECT_EQ(d.routing, Routing::kNoEnrollment);
  EXPECT_EQ(d.rule, "low_risk");
}

TEST(RoutingTest, TheHighestCountedSubstanceRoutes) {
  const std::vector<ScoredSubstance> scored = {
      At(kSubstanceTobacco, RiskLevel::kHigh), At(kCannabis, RiskLevel::kModerate),
      At(kAts, RiskLevel::kHigh), At(kSedatives, RiskLevel::kHigh)};
  const RiskSummary risk = Summarize(Default().counted_substances, scored);
  EXPECT_EQ(risk.highest_drug_risk, RiskLevel::kHigh);
  EXPECT_EQ(risk.highest_drug_risk_substances, (std::vector<int>{kAts, kSedatives}));
  const RoutingDecision d = Route(Default(), risk, false);
  EXPECT_EQ(d.routing, Routing::kRefer);
  EXPECT_EQ(d.rule, "high_risk");
  EXPECT_EQ(d.risk_level, RiskLevel::kHigh);

  // A "narkoba only" policy (alcohol not counted) reads the same screening otherwise.
  RoutingPolicy narkoba = Default();
  narkoba.counted_substances.erase(kSubstanceAlcohol);
  const std::vector<ScoredSubstance> drinker = {At(kSubstanceAlcohol, RiskLevel::kHigh),
                                                At(kCannabis, RiskLevel::kModerate)};
  const RiskSummary only_drugs = Summarize(narkoba.counted_substances, drinker);
  EXPECT_EQ(only_drugs.highest_drug_risk, RiskLevel::kModerate);
  EXPECT_EQ(only_drugs.alcohol_risk, RiskLevel::kHigh);
  EXPECT_EQ(Route(narkoba, only_drugs, false).routing, Routing::kVillage);
  EXPECT_EQ(Route(Default(), Summarize(Default().counted_substances, drinker), false).routing,
            Routing::kRefer);
}

TEST(RoutingTest, RecentInjectingDecidesFirstWhateverTheScores) {
  const RiskSummary low = Summarize(Default().counted_substances, {At(kCannabis, RiskLevel::kLow)});
  const RoutingDecision d = Route(Default(), low, true);
  EXPECT_EQ(d.routing, Routing::kRefer);
  EXPECT_EQ(d.rule, "recent_injecting");
  EXPECT_FALSE(d.risk_level.has_value());
}

TEST(RoutingTest, TobaccoNeverCountsEvenIfAPolicyListsIt) {
  RoutingPolicy p = Default();
  p.counted_substances.insert(kSubstanceTobacco);
  const RiskSummary risk =
      Summarize(p.counted_substances, {At(kSubstanceTobacco, RiskLevel::kHigh)});
  EXPECT_FALSE(risk.highest_drug_risk.has_value());
  EXPECT_EQ(Route(p, risk, false).rule, "low_risk");
}

}  // namespace
}  // namespace ibm::cases::rules
