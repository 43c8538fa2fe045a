// WHOQOL-BREF golden cases worked out by hand from DOMAIN.md, and each missing-data limit.
#include "cases/rules/whoqol.h"

#include "base/status.h"
#include "gtest/gtest.h"

namespace ibm::cases::rules {
namespace {

WhoqolAnswers All(int value) {
  WhoqolAnswers a;
  a.fill(value);
  return a;
}

// Sets Q<item> (1-based).
void Set(WhoqolAnswers& a, int item, std::optional<int> value) { a[item - 1] = value; }

TEST(WhoqolTest, AllThreesScoreTwelveAndFiftyInEveryDomain) {
  auto s = ScoreWhoqol(All(3), "form");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const DomainScore* d : {&s->physical, &s->psychological, &s->social, &s->environment}) {
    ASSERT_TRUE(d->score.has_value());
    EXPECT_DOUBLE_EQ(*d->score, 12.0);
    EXPECT_DOUBLE_EQ(*d->transformed_score, 50.0);
  }
  EXPECT_EQ(s->q1_overall_quality, 3);
}

TEST(WhoqolTest, ReversedItemsAndDomainMeans) {
  WhoqolAnswers a = All(3);
  // Physical: Q3=1 (reversed 5), Q4=2 (reversed 4), Q10=3, Q15=4, Q16=5, Q17=4, Q18=3:
  // 28 / 7 = 4, x 4 = 16; (16 - 4) x 100 / 16 = 75.
  for (auto [item, value] : std::initializer_list<std::pair<int, int>>{
           {3, 1}, {4, 2}, {10, 3}, {15, 4}, {16, 5}, {17, 4}, {18, 3}}) {
    Set(a, item, value);
  }
  // Psychological: Q5, Q6, Q7, Q11, Q19 = 5 and Q26 = 5 (reversed 1): 26 / 6 x 4 = 17.33.
  for (int item : {5, 6, 7, 11, 19, 26}) Set(a, item, 5);
  // Environment all 1: 4; 0 on 0-100 (a valid score, not "missing").
  for (int item : DomainItems(WhoqolDomain::kEnvironment)) Set(a, item, 1);
  auto s = ScoreWhoqol(a, "form");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_DOUBLE_EQ(*s->physical.score, 16.0);
  EXPECT_DOUBLE_EQ(*s->physical.transformed_score, 75.0);
  EXPECT_NEAR(*s->psychological.score, 4.0 * 26 / 6, 1e-9);
  EXPECT_NEAR(*s->psychological.transformed_score, (4.0 * 26 / 6 - 4) * 100 / 16, 1e-9);
  EXPECT_DOUBLE_EQ(*s->environment.score, 4.0);
  ASSERT_TRUE(s->environment.transformed_score.has_value());
  EXPECT_DOUBLE_EQ(*s->environment.transformed_score, 0.0);
}

TEST(WhoqolTest, MissingItemsUseTheMeanOfTheAnsweredUpToEachDomainsLimit) {
  WhoqolAnswers a = All(3);
  for (auto [item, value] :
       std::initializer_list<std::pair<int, int>>{{3, 1}, {4, 2}, {16, 5}, {17, 4}, {18, 3}}) {
    Set(a, item, value);
  }
  // Physical missing Q10 and Q15 (2: allowed): 5 + 4 + 5 + 4 + 3 = 21 / 5 x 4 = 16.8 -> 80.
  Set(a, 10, std::nullopt);
  Set(a, 15, std::nullopt);
  // Social missing one of three (allowed): Q20 = 4, Q21 = 2 -> 3 x 4 = 12.
  Set(a, 20, 4);
  Set(a, 21, 2);
  Set(a, 22, std::nullopt);
  auto s = ScoreWhoqol(a, "form");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_DOUBLE_EQ(*s->physical.score, 16.8);
  EXPECT_DOUBLE_EQ(*s->physical.transformed_score, 80.0);
  EXPECT_DOUBLE_EQ(*s->social.score, 12.0);

  // A third missing physical item and a second missing social item: those domains are not
  // scored (absent, never 0); the others still are.
  Set(a, 16, std::nullopt);
  Set(a, 21, std::nullopt);
  s = ScoreWhoqol(a, "form");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->physical.score.has_value());
  EXPECT_FALSE(s->physical.transformed_score.has_value());
  EXPECT_FALSE(s->social.score.has_value());
  EXPECT_TRUE(s->psychological.score.has_value());
  EXPECT_TRUE(s->environment.score.has_value());
}

TEST(WhoqolTest, MoreThanTwentyPercentMissingDiscardsTheForm) {
  WhoqolAnswers a = All(4);
  for (int item : {1, 2, 8, 9, 12}) Set(a, item, std::nullopt);  // 5 of 26: scored
  EXPECT_TRUE(ScoreWhoqol(a, "form").ok());
  Set(a, 13, std::nullopt);  // 6 of 26 > 20%
  auto s = ScoreWhoqol(a, "form");
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  auto v = platform::FieldViolationsOf(s.status());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].first, "form");
}

TEST(WhoqolTest, AnswersOutsideOneToFiveAreRefusedByItem) {
  WhoqolAnswers a = All(3);
  Set(a, 7, 0);
  Set(a, 26, 6);
  auto s = ScoreWhoqol(a, "exit_whoqol");
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  auto v = platform::FieldViolationsOf(s.status());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].first, "exit_whoqol.q7");
  EXPECT_EQ(v[1].first, "exit_whoqol.q26");
}

}  // namespace
}  // namespace ibm::cases::rules
