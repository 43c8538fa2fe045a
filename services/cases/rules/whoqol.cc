#include "cases/rules/whoqol.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status.h"

namespace ibm::cases::rules {
namespace {

constexpr int kItems = 26;
constexpr int kMostMissingItems = 5;  // 20% of 26 is 5.2: a sixth missing item discards

bool Reversed(int item) { return item == 3 || item == 4 || item == 26; }

DomainScore ScoreDomain(const WhoqolAnswers& answers, WhoqolDomain domain) {
  const std::vector<int>& items = DomainItems(domain);
  const int most_missing = domain == WhoqolDomain::kSocial ? 1 : 2;
  int answered = 0;
  int sum = 0;
  for (int item : items) {
    const std::optional<int>& a = answers[item - 1];
    if (!a) continue;
    ++answered;
    sum += Reversed(item) ? 6 - *a : *a;
  }
  DomainScore out;
  if (static_cast<int>(items.size()) - answered > most_missing) return out;
  const double score = 4.0 * sum / answered;
  out.score = score;
  out.transformed_score = (score - 4.0) * 100.0 / 16.0;
  return out;
}

}  // namespace

const std::vector<int>& DomainItems(WhoqolDomain domain) {
  static const std::vector<int> kPhysical = {3, 4, 10, 15, 16, 17, 18};
  static const std::vector<int> kPsychological = {5, 6, 7, 11, 19, 26};
  static const std::vector<int> kSocial = {20, 21, 22};
  static const std::vector<int> kEnvironment = {8, 9, 12, 13, 14, 23, 24, 25};
  switch (domain) {
    case WhoqolDomain::kPhysical:
      return kPhysical;
    case WhoqolDomain::kPsychological:
      return kPsychological;
    case WhoqolDomain::kSocial:
      return kSocial;
    case WhoqolDomain::kEnvironment:
      return kEnvironment;
  }
  return kPhysical;
}

absl::StatusOr<WhoqolScore> ScoreWhoqol(const WhoqolAnswers& answers, const std::string& field) {
  platform::FieldViolations v;
  int missing = 0;
  for (int i = 0; i < kItems; ++i) {
    if (!answers[i]) {
      ++missing;
    } else if (*answers[i] < 1 || *answers[i] > 5) {
      v.Add(absl::StrCat(field, ".q", i + 1), "must be from 1 to 5");
    }
  }
  if (!v.empty()) return v.status();
  if (missing > kMostMissingItems) {
    return platform::InvalidField(
        field, absl::StrCat(missing, " of 26 items missing: more than 20% (", kMostMissingItems,
                            "), so the form cannot be scored"));
  }
  WhoqolScore out;
  out.q1_overall_quality = answers[0];
  out.q2_overall_health = answers[1];
  out.physical = ScoreDomain(answers, WhoqolDomain::kPhysical);
  out.psychological = ScoreDomain(answers, WhoqolDomain::kPsychological);
  out.social = ScoreDomain(answers, WhoqolDomain::kSocial);
  out.environment = ScoreDomain(answers, WhoqolDomain::kEnvironment);
  return out;
}

}  // namespace ibm::cases::rules
