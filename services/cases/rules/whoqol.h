#pragma once

// WHOQOL-BREF scoring, exactly as DOMAIN.md gives it: 26 items scored 1-5, Q3, Q4 and Q26
// reversed (6 - x); each domain the mean of its items x 4 (4-20) and on 0-100
// (score - 4) x 100 / 16; missing data as the WHO rules say. Pure: no protos, no I/O.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ibm::cases::rules {

// The rule set's version, stored with every form it scored.
inline constexpr char kWhoqolScoringVersion[] = "whoqol-bref/1";

// Answers to Q1..Q26 (index 0 is Q1); nullopt = missing.
using WhoqolAnswers = std::array<std::optional<int>, 26>;

enum class WhoqolDomain { kPhysical, kPsychological, kSocial, kEnvironment };

struct DomainScore {
  // Absent when the domain has too many missing items: "not scored" is never 0.
  std::optional<double> score;              // 4-20
  std::optional<double> transformed_score;  // 0-100
};

struct WhoqolScore {
  std::optional<int> q1_overall_quality;  // the two global items, as answered
  std::optional<int> q2_overall_health;
  DomainScore physical, psychological, social, environment;
};

// The items of a domain, 1-based: physical 3,4,10,15,16,17,18; psychological
// 5,6,7,11,19,26; social 20,21,22; environment 8,9,12,13,14,23,24,25.
const std::vector<int>& DomainItems(WhoqolDomain domain);

// Scores a form. INVALID_ARGUMENT naming `field` + ".q<n>" for an answer outside 1-5, and
// naming `field` when more than 20% of the 26 items (more than 5) are missing: the form is
// discarded. A domain with at most 2 missing items (social: at most 1) uses the mean of
// the answered ones; a domain missing more is not scored.
absl::StatusOr<WhoqolScore> ScoreWhoqol(const WhoqolAnswers& answers, const std::string& field);

}  // namespace ibm::cases::rules
