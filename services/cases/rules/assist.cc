#include "cases/rules/assist.h"

#include "absl/strings/str_cat.h"
#include "base/status.h"

namespace ibm::cases::rules {
namespace {

int Index(Frequency f) { return static_cast<int>(f); }

constexpr int kQ2[] = {0, 2, 3, 4, 6};
constexpr int kQ3[] = {0, 3, 4, 5, 6};
constexpr int kQ4[] = {0, 4, 5, 6, 7};
constexpr int kQ5[] = {0, 5, 6, 7, 8};
constexpr int kQ6Q7[] = {0, 3, 6};

// A question that must be answered, or must not be (skipped): the violation, if any.
template <class T>
void Expect(platform::FieldViolations& v, const std::string& field, const std::optional<T>& answer,
            bool asked, const char* why_not_asked) {
  if (asked && !answer) v.Add(field, "is required");
  if (!asked && answer) v.Add(field, absl::StrCat("must be unset: not asked ", why_not_asked));
}

}  // namespace

int Q2Points(Frequency f) { return kQ2[Index(f)]; }
int Q3Points(Frequency f) { return kQ3[Index(f)]; }
int Q4Points(Frequency f) { return kQ4[Index(f)]; }
int Q5Points(Frequency f) { return kQ5[Index(f)]; }
int RecencyPoints(Recency r) { return kQ6Q7[static_cast<int>(r)]; }

RiskLevel RiskOf(Substance substance, int involvement) {
  if (involvement >= 27) return RiskLevel::kHigh;
  const int lowest_moderate = substance == Substance::kAlcohol ? 11 : 4;
  return involvement >= lowest_moderate ? RiskLevel::kModerate : RiskLevel::kLow;
}

absl::StatusOr<SubstanceScore> ScoreSubstance(const SubstanceAnswers& a, const std::string& field) {
  platform::FieldViolations v;
  if (!a.q1_ever_used) {
    v.Add(absl::StrCat(field, ".q1_ever_used"), "is required");
    return v.status();
  }
  const bool used = *a.q1_ever_used;
  const bool recent = used && a.q2_frequency && *a.q2_frequency != Frequency::kNever;
  const bool tobacco = a.substance == Substance::kTobacco;
  Expect(v, absl::StrCat(field, ".q2_frequency"), a.q2_frequency, used, "when never used");
  Expect(v, absl::StrCat(field, ".q3_urge"), a.q3_urge, recent,
         "when not used in the past 3 months");
  Expect(v, absl::StrCat(field, ".q4_problems"), a.q4_problems, recent,
         "when not used in the past 3 months");
  Expect(v, absl::StrCat(field, ".q5_failed_expectations"), a.q5_failed_expectations,
         recent && !tobacco, tobacco ? "for tobacco" : "when not used in the past 3 months");
  Expect(v, absl::StrCat(field, ".q6_concern_expressed"), a.q6_concern_expressed, used,
         "when never used");
  Expect(v, absl::StrCat(field, ".q7_failed_to_cut_down"), a.q7_failed_to_cut_down, used,
         "when never used");
  if (!v.empty()) return v.status();

  SubstanceScore score;
  if (used) {
    score.involvement = Q2Points(*a.q2_frequency) + RecencyPoints(*a.q6_concern_expressed) +
                        RecencyPoints(*a.q7_failed_to_cut_down);
    if (recent) {
      score.involvement += Q3Points(*a.q3_urge) + Q4Points(*a.q4_problems);
      if (!tobacco) score.involvement += Q5Points(*a.q5_failed_expectations);
    }
  }
  score.risk = RiskOf(a.substance, score.involvement);
  return score;
}

}  // namespace ibm::cases::rules
