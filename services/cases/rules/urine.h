#pragma once

// What a urine test panel says about use (DOMAIN.md, Instruments; docs/api.md, Scoring): each
// line reads positive, negative or invalid; a positive line for a medicine the client takes on
// prescription (methadone or buprenorphine in opioid agonist therapy, prescribed
// benzodiazepines) is explained and is not use. Pure: classes, readings and explanations are
// their ibm.cases.v1 numbers (DrugClass, PanelResult, PrescriptionExplanation.Kind); tested by
// tests/rules/urine_test.cc without gRPC or a database.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ibm::cases::rules {

// ibm.cases.v1.DrugClass numbers the rules name; every class is 1..kDrugClassOther.
inline constexpr int kDrugClassMethadone = 8;
inline constexpr int kDrugClassBuprenorphine = 9;
inline constexpr int kDrugClassBenzodiazepines = 11;
inline constexpr int kDrugClassOther = 14;

// A test has 1 to this many lines.
inline constexpr int kMaxPanelLines = 20;

// ibm.cases.v1.PanelResult, by number.
enum class PanelResult : int { kUnspecified = 0, kNegative = 1, kPositive = 2, kInvalid = 3 };

// ibm.cases.v1.PrescriptionExplanation.Kind, by number.
enum class Explanation : int {
  kUnspecified = 0,
  kMethadoneTherapy = 1,          // explains a METHADONE line only
  kBuprenorphineTherapy = 2,      // explains a BUPRENORPHINE line only
  kPrescribedBenzodiazepine = 3,  // explains a BENZODIAZEPINES line only
};

// ibm.cases.v1.UrineTestOutcome, by number.
enum class UrineOutcome : int { kNegative = 1, kPositive = 2, kInconclusive = 3 };

struct PanelLine {
  int drug_class = 0;       // ibm.cases.v1.DrugClass
  std::string other_class;  // what OTHER is; empty for every other class
  PanelResult result = PanelResult::kUnspecified;
  bool has_prescription = false;
  Explanation prescription = Explanation::kUnspecified;  // when has_prescription
};

// The reading of a test. Class lists hold each class once, in the order of the lines.
struct UrineReading {
  bool any_positive = false;
  std::vector<int> positive_classes;              // every POSITIVE line, explained or not
  std::vector<int> unexplained_positive_classes;  // POSITIVE without a prescription: use
  std::vector<int> explained_positive_classes;    // POSITIVE with a prescription
  bool any_invalid = false;
  // NEGATIVE: no unexplained positive and no invalid line; POSITIVE: an unexplained
  // positive, whatever else; INCONCLUSIVE: no unexplained positive but an invalid line.
  UrineOutcome outcome = UrineOutcome::kNegative;
};

// The class an explanation may explain (0 for kUnspecified).
int ExplainedClass(Explanation kind);

// Checks the lines and reads them. INVALID_ARGUMENT naming `field` + ".results" (none, or
// more than kMaxPanelLines), and per line `field` + ".results[i]" + ".drug_class" (unset,
// not a class, or repeated; OTHER repeated with the same other_class), ".other_class"
// (missing or over 50 characters for OTHER, given otherwise), ".result" (unset or not a
// reading), ".prescription" (on a line that is not POSITIVE), ".prescription.kind" (unset,
// unknown, or not matching the line's class).
absl::StatusOr<UrineReading> ReadUrineTest(const std::vector<PanelLine>& lines,
                                           const std::string& field);

}  // namespace ibm::cases::rules
