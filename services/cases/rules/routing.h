#pragma once

// Routing a screened person (issue 9, finding 2: tobacco must not drive routing). The risk
// that routes is the highest over the substances the policy counts (never tobacco; by
// default every other substance); tobacco and alcohol risk are reported on their own.
// Pure: substances are their ibm.cases.v1.Substance numbers.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cases/rules/assist.h"

namespace ibm::cases::rules {

// ibm.cases.v1.Substance numbers the rules must know.
inline constexpr int kSubstanceTobacco = 1;
inline constexpr int kSubstanceAlcohol = 2;

enum class Routing { kVillage, kRefer, kNoEnrollment };

struct RoutingPolicy {
  Routing low_risk = Routing::kVillage;
  Routing moderate_risk = Routing::kVillage;
  Routing high_risk = Routing::kRefer;
  Routing recent_injecting = Routing::kRefer;
  std::set<int> counted_substances;  // never tobacco
};

struct ScoredSubstance {
  int substance = 0;  // ibm.cases.v1.Substance
  SubstanceScore score;
};

struct RiskSummary {
  // Over the counted substances; absent when none of them was screened.
  std::optional<RiskLevel> highest_drug_risk;
  std::vector<int> highest_drug_risk_substances;  // those at that level, in screening order
  std::optional<RiskLevel> tobacco_risk;
  std::optional<RiskLevel> alcohol_risk;
};

RiskSummary Summarize(const std::set<int>& counted, const std::vector<ScoredSubstance>& scored);

struct RoutingDecision {
  Routing routing = Routing::kVillage;
  std::string rule;  // "recent_injecting", "high_risk", "moderate_risk", "low_risk"
  std::optional<RiskLevel> risk_level;  // what decided; absent when recent injecting did
};

// Recent injecting (Q8: yes, in the past 3 months) decides first, whatever the scores;
// otherwise the highest counted risk (LOW when no counted substance was screened).
RoutingDecision Route(const RoutingPolicy& policy, const RiskSummary& risk,
                      bool injected_past_3_months);

}  // namespace ibm::cases::rules
