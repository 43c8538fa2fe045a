#include "cases/rules/routing.h"

namespace ibm::cases::rules {

RiskSummary Summarize(const std::set<int>& counted, const std::vector<ScoredSubstance>& scored) {
  RiskSummary out;
  for (const ScoredSubstance& s : scored) {
    if (s.substance == kSubstanceTobacco) out.tobacco_risk = s.score.risk;
    if (s.substance == kSubstanceAlcohol) out.alcohol_risk = s.score.risk;
    if (s.substance == kSubstanceTobacco || counted.count(s.substance) == 0) continue;
    if (!out.highest_drug_risk || s.score.risk > *out.highest_drug_risk) {
      out.highest_drug_risk = s.score.risk;
      out.highest_drug_risk_substances.clear();
    }
    if (s.score.risk == *out.highest_drug_risk) {
      out.highest_drug_risk_substances.push_back(s.substance);
    }
  }
  return out;
}

RoutingDecision Route(const RoutingPolicy& policy, const RiskSummary& risk,
                      bool injected_past_3_months) {
  if (injected_past_3_months) return {policy.recent_injecting, "recent_injecting", std::nullopt};
  const RiskLevel level = risk.highest_drug_risk.value_or(RiskLevel::kLow);
  switch (level) {
    case RiskLevel::kHigh:
      return {policy.high_risk, "high_risk", level};
    case RiskLevel::kModerate:
      return {policy.moderate_risk, "moderate_risk", level};
    case RiskLevel::kLow:
      break;
  }
  return {policy.low_risk, "low_risk", RiskLevel::kLow};
}

}  // namespace ibm::cases::rules
