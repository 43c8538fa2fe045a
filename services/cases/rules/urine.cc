#include "cases/rules/urine.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status.h"

namespace ibm::cases::rules {
namespace {

constexpr size_t kMaxOtherClass = 50;  // characters

// Characters (UTF-8 code points), as the contract counts text lengths.
size_t Chars(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

void AddOnce(std::vector<int>& classes, int c) {
  if (std::find(classes.begin(), classes.end(), c) == classes.end()) classes.push_back(c);
}

}  // namespace

int ExplainedClass(Explanation kind) {
  switch (kind) {
    case Explanation::kMethadoneTherapy:
      return kDrugClassMethadone;
    case Explanation::kBuprenorphineTherapy:
      return kDrugClassBuprenorphine;
    case Explanation::kPrescribedBenzodiazepine:
      return kDrugClassBenzodiazepines;
    case Explanation::kUnspecified:
      break;
  }
  return 0;
}

absl::StatusOr<UrineReading> ReadUrineTest(const std::vector<PanelLine>& lines,
                                           const std::string& field) {
  platform::FieldViolations v;
  const std::string results = absl::StrCat(field, ".results");
  if (lines.empty()) return platform::InvalidField(results, "is required: 1-20 panel lines");
  if (lines.size() > static_cast<size_t>(kMaxPanelLines)) {  // the size first, never per line
    return platform::InvalidField(results, "at most 20 panel lines");
  }
  std::set<std::pair<int, std::string>> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    const PanelLine& l = lines[i];
    const std::string line = absl::StrCat(results, "[", i, "]");
    const bool known_class = l.drug_class >= 1 && l.drug_class <= kDrugClassOther;
    if (!known_class) {
      v.Add(line + ".drug_class", "is required: a DrugClass value");
    } else if (l.drug_class == kDrugClassOther) {
      if (l.other_class.empty()) {
        v.Add(line + ".other_class", "is required for OTHER (1-50 characters)");
      } else if (Chars(l.other_class) > kMaxOtherClass) {
        v.Add(line + ".other_class", "must be at most 50 characters");
      }
    } else if (!l.other_class.empty()) {
      v.Add(line + ".other_class", "must be empty unless the class is OTHER");
    }
    if (known_class && !seen.insert({l.drug_class, l.other_class}).second) {
      v.Add(line + ".drug_class", "repeats an earlier line: each class at most once per test");
    }
    const bool known_result = l.result == PanelResult::kNegative ||
                              l.result == PanelResult::kPositive ||
                              l.result == PanelResult::kInvalid;
    if (!known_result) v.Add(line + ".result", "is required: NEGATIVE, POSITIVE or INVALID");
    if (!l.has_prescription) continue;
    if (known_result && l.result != PanelResult::kPositive) {
      v.Add(line + ".prescription", "only a POSITIVE line may be explained by a prescription");
      continue;
    }
    const int explains = ExplainedClass(l.prescription);
    if (explains == 0) {
      v.Add(line + ".prescription.kind", "is required: a PrescriptionExplanation.Kind");
    } else if (known_class && explains != l.drug_class) {
      v.Add(line + ".prescription.kind",
            "does not explain this class (methadone: METHADONE, buprenorphine: BUPRENORPHINE, "
            "benzodiazepine: BENZODIAZEPINES)");
    }
  }
  if (!v.empty()) return v.status();

  UrineReading r;
  for (const PanelLine& l : lines) {
    if (l.result == PanelResult::kInvalid) r.any_invalid = true;
    if (l.result != PanelResult::kPositive) continue;
    r.any_positive = true;
    AddOnce(r.positive_classes, l.drug_class);
    AddOnce(l.has_prescription ? r.explained_positive_classes : r.unexplained_positive_classes,
            l.drug_class);
  }
  if (!r.unexplained_positive_classes.empty()) {
    r.outcome = UrineOutcome::kPositive;
  } else if (r.any_invalid) {
    r.outcome = UrineOutcome::kInconclusive;
  } else {
    r.outcome = UrineOutcome::kNegative;
  }
  return r;
}

}  // namespace ibm::cases::rules
