// Table-driven tests of cases/rules/urine.h: the outcome of a panel from its lines and their
// prescription explanations, and each refusal naming its field. No gRPC, no database.
#include "cases/rules/urine.h"

#include <string>
#include <vector>

#include "base/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ibm::cases::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using R = PanelResult;
using E = Explanation;

// DrugClass numbers used below (ibm.cases.v1).
constexpr int kAmphetamine = 1;
constexpr int kMethamphetamine = 2;
constexpr int kCannabis = 4;
constexpr int kOpiates = 7;
constexpr int kMethadone = kDrugClassMethadone;
constexpr int kBuprenorphine = kDrugClassBuprenorphine;
constexpr int kBenzodiazepines = kDrugClassBenzodiazepines;
constexpr int kOther = kDrugClassOther;

PanelLine L(int drug_class, R result) {
  PanelLine l;
  l.drug_class = drug_class;
  l.result = result;
  return l;
}
PanelLine Explained(int drug_class, E kind, R result = R::kPositive) {
  PanelLine l = L(drug_class, result);
  l.has_prescription = true;
  l.prescription = kind;
  return l;
}
PanelLine Other(const std::string& what, R result) {
  PanelLine l = L(kOther, result);
  l.other_class = what;
  return l;
}

struct Reading {
  const char* name;
  std::vector<PanelLine> lines;
  UrineOutcome outcome;
  bool any_positive;
  bool any_invalid;
  std::vector<int> positive, unexplained, explained;
};

TEST(UrineTest, OutcomeFromTheLinesAndTheirExplanations) {
  const std::vector<Reading> cases = {
      {"all negative",
       {L(kAmphetamine, R::kNegative), L(kMethamphetamine, R::kNegative),
        L(kCannabis, R::kNegative)},
       UrineOutcome::kNegative,
       false,
       false,
       {},
       {},
       {}},
      {"one unexplained positive",
       {L(kAmphetamine, R::kNegative), L(kMethamphetamine, R::kPositive)},
       UrineOutcome::kPositive,
       true,
       false,
       {kMethamphetamine},
       {kMethamphetamine},
       {}},
      {"methadone in opioid agonist therapy is not use",
       {L(kOpiates, R::kNegative), Explained(kMethadone, E::kMethadoneTherapy)},
       UrineOutcome::kNegative,
       true,
       false,
       {kMethadone},
       {},
       {kMethadone}},
      {"buprenorphine in therapy is not use",
       {Explained(kBuprenorphine, E::kBuprenorphineTherapy), L(kCannabis, R::kNegative)},
       UrineOutcome::kNegative,
       true,
       false,
       {kBuprenorphine},
       {},
       {kBuprenorphine}},
      {"prescribed benzodiazepines are not use",
       {Explained(kBenzodiazepines, E::kPrescribedBenzodiazepine)},
       UrineOutcome::kNegative,
       true,
       false,
       {kBenzodiazepines},
       {},
       {kBenzodiazepines}},
      {"an explained positive beside an unexplained one: positive",
       {Explained(kMethadone, E::kMethadoneTherapy), L(kCannabis, R::kPositive)},
       UrineOutcome::kPositive,
       true,
       false,
       {kMethadone, kCannabis},
       {kCannabis},
       {kMethadone}},
      {"an unexplained positive wins over an invalid line",
       {L(kCannabis, R::kPositive), L(kOpiates, R::kInvalid)},
       UrineOutcome::kPositive,
       true,
       true,
       {kCannabis},
       {kCannabis},
       {}},
      {"an invalid line and nothing unexplained: inconclusive",
       {L(kCannabis, R::kNegative), L(kOpiates, R::kInvalid)},
       UrineOutcome::kInconclusive,
       false,
       true,
       {},
       {},
       {}},
      {"explained positive and an invalid line: inconclusive",
       {Explained(kMethadone, E::kMethadoneTherapy), L(kOpiates, R::kInvalid)},
       UrineOutcome::kInconclusive,
       true,
       true,
       {kMethadone},
       {},
       {kMethadone}},
      {"two OTHER classes, one positive (never explainable)",
       {Other("pregabalin", R::kPositive), Other("gabapentin", R::kNegative)},
       UrineOutcome::kPositive,
       true,
       false,
       {kOther},
       {kOther},
       {}},
  };
  for (const Reading& c : cases) {
    auto r = ReadUrineTest(c.lines, "urine_test");
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status();
    EXPECT_EQ(r->outcome, c.outcome) << c.name;
    EXPECT_EQ(r->any_positive, c.any_positive) << c.name;
    EXPECT_EQ(r->any_invalid, c.any_invalid) << c.name;
    EXPECT_THAT(r->positive_classes, ElementsAreArray(c.positive)) << c.name;
    EXPECT_THAT(r->unexplained_positive_classes, ElementsAreArray(c.unexplained)) << c.name;
    EXPECT_THAT(r->explained_positive_classes, ElementsAreArray(c.explained)) << c.name;
  }
}

TEST(UrineTest, EachExplanationExplainsItsOwnClassOnly) {
  EXPECT_EQ(ExplainedClass(E::kMethadoneTherapy), kMethadone);
  EXPECT_EQ(ExplainedClass(E::kBuprenorphineTherapy), kBuprenorphine);
  EXPECT_EQ(ExplainedClass(E::kPrescribedBenzodiazepine), kBenzodiazepines);
  EXPECT_EQ(ExplainedClass(E::kUnspecified), 0);
}

struct Bad {
  const char* name;
  std::vector<PanelLine> lines;
  std::string field;
};

TEST(UrineTest, BadLinesNameTheirField) {
  const std::vector<Bad> cases = {
      {"no lines", {}, "urine_test.results"},
      {"21 lines", std::vector<PanelLine>(21, L(kCannabis, R::kNegative)), "urine_test.results"},
      {"class unset", {L(0, R::kNegative)}, "urine_test.results[0].drug_class"},
      {"unknown panel drug",
       {L(kCannabis, R::kNegative), L(15, R::kNegative)},
       "urine_test.results[1].drug_class"},
      {"negative class number", {L(-1, R::kNegative)}, "urine_test.results[0].drug_class"},
      {"class repeated",
       {L(kCannabis, R::kNegative), L(kCannabis, R::kPositive)},
       "urine_test.results[1].drug_class"},
      {"OTHER repeated with the same name",
       {Other("pregabalin", R::kNegative), Other("pregabalin", R::kNegative)},
       "urine_test.results[1].drug_class"},
      {"OTHER without its name", {Other("", R::kNegative)}, "urine_test.results[0].other_class"},
      {"OTHER name over 50",
       {Other(std::string(51, 'x'), R::kNegative)},
       "urine_test.results[0].other_class"},
      {"other_class on a named class",
       {[] {
         PanelLine l = L(kCannabis, R::kNegative);
         l.other_class = "ganja";
         return l;
       }()},
       "urine_test.results[0].other_class"},
      {"result unset", {L(kCannabis, R::kUnspecified)}, "urine_test.results[0].result"},
      {"result unknown", {L(kCannabis, static_cast<R>(7))}, "urine_test.results[0].result"},
      {"an explanation for a negative line",
       {Explained(kMethadone, E::kMethadoneTherapy, R::kNegative)},
       "urine_test.results[0].prescription"},
      {"an explanation for an invalid line",
       {Explained(kMethadone, E::kMethadoneTherapy, R::kInvalid)},
       "urine_test.results[0].prescription"},
      {"explanation kind unset",
       {Explained(kMethadone, E::kUnspecified)},
       "urine_test.results[0].prescription.kind"},
      {"explanation kind unknown",
       {Explained(kMethadone, static_cast<E>(9))},
       "urine_test.results[0].prescription.kind"},
      {"methadone therapy explaining opiates",
       {Explained(kOpiates, E::kMethadoneTherapy)},
       "urine_test.results[0].prescription.kind"},
      {"buprenorphine therapy explaining methadone",
       {Explained(kMethadone, E::kBuprenorphineTherapy)},
       "urine_test.results[0].prescription.kind"},
      {"benzodiazepine prescription explaining OTHER",
       {[] {
         PanelLine l = Explained(kOther, E::kPrescribedBenzodiazepine);
         l.other_class = "zolpidem";
         return l;
       }()},
       "urine_test.results[0].prescription.kind"},
  };
  for (const Bad& c : cases) {
    auto r = ReadUrineTest(c.lines, "urine_test");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    auto violations = platform::FieldViolationsOf(r.status());
    ASSERT_EQ(violations.size(), 1u) << c.name << ": " << r.status();
    EXPECT_EQ(violations[0].first, c.field) << c.name;
  }
}

TEST(UrineTest, EveryBadLineIsNamedAtOnce) {
  auto r = ReadUrineTest({L(0, R::kNegative), L(kCannabis, R::kUnspecified),
                          Explained(kOpiates, E::kMethadoneTherapy)},
                         "urine_test");
  ASSERT_FALSE(r.ok());
  std::vector<std::string> fields;
  for (const auto& [f, d] : platform::FieldViolationsOf(r.status())) fields.push_back(f);
  EXPECT_THAT(fields,
              ElementsAre("urine_test.results[0].drug_class", "urine_test.results[1].result",
                          "urine_test.results[2].prescription.kind"));
}

TEST(UrineTest, TwentyLinesAreAllowed) {
  std::vector<PanelLine> lines;
  for (int c = 1; c <= 13; ++c) lines.push_back(L(c, R::kNegative));
  for (int i = 0; i < 7; ++i) lines.push_back(Other("x" + std::to_string(i), R::kNegative));
  auto r = ReadUrineTest(lines, "urine_test");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, UrineOutcome::kNegative);
  EXPECT_THAT(r->positive_classes, IsEmpty());
}

}  // namespace
}  // namespace ibm::cases::rules
