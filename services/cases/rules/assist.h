#pragma once

// WHO ASSIST v3.1 scoring, exactly as DOMAIN.md gives it: the answers of one substance, the
// skip rules they must obey, the substance involvement score and its risk band. Pure: no
// protos, no I/O; the cases service maps ibm.cases.v1 answers onto these values.

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace ibm::cases::rules {

// The rule set's version, stored with every screening it scored ("assist-3.1/1").
inline constexpr char kAssistScoringVersion[] = "assist-3.1/1";

enum class Substance {
  kTobacco,  // Q5 is not asked
  kAlcohol,  // its own risk bands
  kOther,    // cannabis, cocaine, ATS, inhalants, sedatives, hallucinogens, opioids, other
};

// Q2-Q5: in the past three months.
enum class Frequency { kNever, kOnceOrTwice, kMonthly, kWeekly, kDailyOrAlmostDaily };
// Q6, Q7: ever.
enum class Recency { kNever, kYesNotPast3Months, kYesPast3Months };

// One substance's answers. Unset means not asked (or not answered).
struct SubstanceAnswers {
  Substance substance = Substance::kOther;
  std::optional<bool> q1_ever_used;
  std::optional<Frequency> q2_frequency;
  std::optional<Frequency> q3_urge;
  std::optional<Frequency> q4_problems;
  std::optional<Frequency> q5_failed_expectations;
  std::optional<Recency> q6_concern_expressed;
  std::optional<Recency> q7_failed_to_cut_down;
};

enum class RiskLevel { kLow, kModerate, kHigh };

struct SubstanceScore {
  int involvement = 0;  // Q2+Q3+Q4+Q5+Q6+Q7 (tobacco without Q5); 0 when never used
  RiskLevel risk = RiskLevel::kLow;
};

// Each question's points (DOMAIN.md): Q2 0/2/3/4/6, Q3 0/3/4/5/6, Q4 0/4/5/6/7,
// Q5 0/5/6/7/8, Q6 and Q7 0/3/6.
int Q2Points(Frequency f);
int Q3Points(Frequency f);
int Q4Points(Frequency f);
int Q5Points(Frequency f);
int RecencyPoints(Recency r);

// The band of an involvement score: alcohol low 0-10, moderate 11-26, high 27+; every other
// substance (tobacco included) low 0-3, moderate 4-26, high 27+.
RiskLevel RiskOf(Substance substance, int involvement);

// Scores one substance after checking the skip rules: Q1 is required; with Q1 = no, Q2-Q7
// are not asked; with Q1 = yes, Q2, Q6 and Q7 are required; with Q2 = never, Q3-Q5 are not
// asked; otherwise Q3 and Q4 are required, and Q5 for every substance but tobacco (for
// tobacco it is never asked). INVALID_ARGUMENT naming `field` + ".q<n>_..." otherwise.
absl::StatusOr<SubstanceScore> ScoreSubstance(const SubstanceAnswers& a, const std::string& field);

}  // namespace ibm::cases::rules
