// ASSIST v3.1 golden cases worked out by hand from DOMAIN.md, every skip rule, the bands.
#include "cases/rules/assist.h"

#include "base/status.h"
#include "gtest/gtest.h"

namespace ibm::cases::rules {
namespace {

using F = Frequency;
using R = Recency;

SubstanceAnswers Used(Substance s, F q2, std::optional<F> q3, std::optional<F> q4,
                      std::optional<F> q5, R q6, R q7) {
  SubstanceAnswers a;
  a.substance = s;
  a.q1_ever_used = true;
  a.q2_frequency = q2;
  a.q3_urge = q3;
  a.q4_problems = q4;
  a.q5_failed_expectations = q5;
  a.q6_concern_expressed = q6;
  a.q7_failed_to_cut_down = q7;
  return a;
}

SubstanceAnswers NeverUsed(Substance s) {
  SubstanceAnswers a;
  a.substance = s;
  a.q1_ever_used = false;
  return a;
}

struct Golden {
  const char* what;
  SubstanceAnswers answers;
  int involvement;
  RiskLevel risk;
};

TEST(AssistTest, GoldenCasesScoreAsWorkedByHand) {
  const Golden cases[] = {
      {"never used", NeverUsed(Substance::kOther), 0, RiskLevel::kLow},
      {"never used alcohol", NeverUsed(Substance::kAlcohol), 0, RiskLevel::kLow},
      // 4 (weekly) + 4 (monthly) + 4 (once or twice) + 6 (monthly) + 6 + 3 = 27
      {"cannabis, high at exactly 27",
       Used(Substance::kOther, F::kWeekly, F::kMonthly, F::kOnceOrTwice, F::kMonthly,
            R::kYesPast3Months, R::kYesNotPast3Months),
       27, RiskLevel::kHigh},
      // 3 + 0 + 4 + 0 + 0 + 3 = 10: low for alcohol (0-10), moderate for a drug (4-26)
      {"alcohol at 10 is low",
       Used(Substance::kAlcohol, F::kMonthly, F::kNever, F::kOnceOrTwice, F::kNever, R::kNever,
            R::kYesNotPast3Months),
       10, RiskLevel::kLow},
      {"a drug at 10 is moderate",
       Used(Substance::kOther, F::kMonthly, F::kNever, F::kOnceOrTwice, F::kNever, R::kNever,
            R::kYesNotPast3Months),
       10, RiskLevel::kModerate},
      // 3 + 0 + 5 + 0 + 3 + 0 = 11: moderate for alcohol
      {"alcohol at 11 is moderate",
       Used(Substance::kAlcohol, F::kMonthly, F::kNever, F::kMonthly, F::kNever,
            R::kYesNotPast3Months, R::kNever),
       11, RiskLevel::kModerate},
      // tobacco leaves out Q5: 6 + 6 + 0 + 6 + 6 = 24
      {"daily smoker",
       Used(Substance::kTobacco, F::kDailyOrAlmostDaily, F::kDailyOrAlmostDaily, F::kNever,
            std::nullopt, R::kYesPast3Months, R::kYesPast3Months),
       24, RiskLevel::kModerate},
      // not in the past 3 months: Q3-Q5 not asked; 0 + 3 + 0 = 3, still low for a drug
      {"used long ago, low at 3",
       Used(Substance::kOther, F::kNever, std::nullopt, std::nullopt, std::nullopt,
            R::kYesNotPast3Months, R::kNever),
       3, RiskLevel::kLow},
      // a concern expressed in the past 3 months: 0 + 6 + 0 = 6, moderate for a drug
      {"used long ago, concern now: moderate at 6",
       Used(Substance::kOther, F::kNever, std::nullopt, std::nullopt, std::nullopt,
            R::kYesPast3Months, R::kNever),
       6, RiskLevel::kModerate},
      // the most: 6 + 6 + 7 + 8 + 6 + 6 = 39
      {"every answer at its worst",
       Used(Substance::kOther, F::kDailyOrAlmostDaily, F::kDailyOrAlmostDaily,
            F::kDailyOrAlmostDaily, F::kDailyOrAlmostDaily, R::kYesPast3Months, R::kYesPast3Months),
       39, RiskLevel::kHigh},
      // once or twice everywhere: 2 + 3 + 4 + 5 + 3 + 3 = 20
      {"once or twice everywhere",
       Used(Substance::kOther, F::kOnceOrTwice, F::kOnceOrTwice, F::kOnceOrTwice, F::kOnceOrTwice,
            R::kYesNotPast3Months, R::kYesNotPast3Months),
       20, RiskLevel::kModerate},
  };
  for (const Golden& g : cases) {
    auto score = ScoreSubstance(g.answers, "substances[0]");
    ASSERT_TRUE(score.ok()) << g.what << ": " << score.status();
    EXPECT_EQ(score->involvement, g.involvement) << g.what;
    EXPECT_EQ(score->risk, g.risk) << g.what;
  }
}

TEST(AssistTest, EachQuestionsPointsAndTheBands) {
  const F all[] = {F::kNever, F::kOnceOrTwice, F::kMonthly, F::kWeekly, F::kDailyOrAlmostDaily};
  const int q2[] = {0, 2, 3, 4, 6}, q3[] = {0, 3, 4, 5, 6}, q4[] = {0, 4, 5, 6, 7},
            q5[] = {0, 5, 6, 7, 8};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Q2Points(all[i]), q2[i]);
    EXPECT_EQ(Q3Points(all[i]), q3[i]);
    EXPECT_EQ(Q4Points(all[i]), q4[i]);
    EXPECT_EQ(Q5Points(all[i]), q5[i]);
  }
  EXPECT_EQ(RecencyPoints(R::kNever), 0);
  EXPECT_EQ(RecencyPoints(R::kYesNotPast3Months), 3);
  EXPECT_EQ(RecencyPoints(R::kYesPast3Months), 6);
  struct Band {
    Substance s;
    int score;
    RiskLevel risk;
  };
  for (const Band& b : std::initializer_list<Band>{
           {Substance::kAlcohol, 0, RiskLevel::kLow},
           {Substance::kAlcohol, 10, RiskLevel::kLow},
           {Substance::kAlcohol, 11, RiskLevel::kModerate},
           {Substance::kAlcohol, 26, RiskLevel::kModerate},
           {Substance::kAlcohol, 27, RiskLevel::kHigh},
           {Substance::kOther, 3, RiskLevel::kLow},
           {Substance::kOther, 4, RiskLevel::kModerate},
           {Substance::kOther, 26, RiskLevel::kModerate},
           {Substance::kOther, 27, RiskLevel::kHigh},
           {Substance::kTobacco, 3, RiskLevel::kLow},
           {Substance::kTobacco, 4, RiskLevel::kModerate},
           {Substance::kTobacco, 27, RiskLevel::kHigh},
       }) {
    EXPECT_EQ(RiskOf(b.s, b.score), b.risk) << b.score;
  }
}

// The fields an INVALID_ARGUMENT names.
std::vector<std::string> FieldsOf(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& [field, description] : platform::FieldViolationsOf(s)) out.push_back(field);
  return out;
}

TEST(AssistTest, SkipRulesAreEnforcedNamingTheQuestion) {
  using Fields = std::vector<std::string>;
  SubstanceAnswers no_q1;
  EXPECT_EQ(FieldsOf(ScoreSubstance(no_q1, "s[2]").status()), Fields{"s[2].q1_ever_used"});

  SubstanceAnswers never = NeverUsed(Substance::kOther);
  never.q2_frequency = F::kWeekly;
  never.q6_concern_expressed = R::kNever;
  EXPECT_EQ(FieldsOf(ScoreSubstance(never, "s").status()),
            (Fields{"s.q2_frequency", "s.q6_concern_expressed"}));

  // Used, but Q2, Q6, Q7 missing.
  SubstanceAnswers bare;
  bare.q1_ever_used = true;
  EXPECT_EQ(FieldsOf(ScoreSubstance(bare, "s").status()),
            (Fields{"s.q2_frequency", "s.q6_concern_expressed", "s.q7_failed_to_cut_down"}));

  // Not in the past 3 months: Q3-Q5 must not be there.
  auto long_ago =
      Used(Substance::kOther, F::kNever, F::kNever, std::nullopt, F::kWeekly, R::kNever, R::kNever);
  EXPECT_EQ(FieldsOf(ScoreSubstance(long_ago, "s").status()),
            (Fields{"s.q3_urge", "s.q5_failed_expectations"}));

  // In the past 3 months: Q3, Q4 (and Q5 but for tobacco) are required.
  auto recent = Used(Substance::kOther, F::kWeekly, std::nullopt, std::nullopt, std::nullopt,
                     R::kNever, R::kNever);
  EXPECT_EQ(FieldsOf(ScoreSubstance(recent, "s").status()),
            (Fields{"s.q3_urge", "s.q4_problems", "s.q5_failed_expectations"}));

  // Tobacco is never asked Q5.
  auto smoker =
      Used(Substance::kTobacco, F::kWeekly, F::kNever, F::kNever, F::kNever, R::kNever, R::kNever);
  auto refused = ScoreSubstance(smoker, "s");
  EXPECT_EQ(FieldsOf(refused.status()), Fields{"s.q5_failed_expectations"});
  EXPECT_NE(std::string(refused.status().message()).find("tobacco"), std::string::npos);
}

}  // namespace
}  // namespace ibm::cases::rules
