// OutcomeService: urine tests and WHOQOL-BREF assessments of a case, at baseline, during the
// case (monitoring), at exit and at follow-up. The caller sends the panel lines or the
// answers; the server reads the panel (rules/urine.h: a positive explained by a prescription
// is not use) or scores the form (rules/whoqol.h, with the rules' version), and stores both.
// Measurements are never edited: a correction is a new record with `supersedes`, which voids
// the old one in the same transaction. Every write locks the case row first, as CompleteCase
// does, so "the case has its exit assessments" is decided against committed outcomes only.
#include "cases/store/outcomes.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/macros.h"
#include "cases/creates.h"
#include "cases/fields.h"
#include "cases/rules/lifecycle.h"
#include "cases/rules/urine.h"
#include "cases/rules/whoqol.h"
#include "cases/services.h"
#include "cases/store/cases.h"
#include "cases/store/clients.h"
#include "ibm/cases/v1/clients.pb.h"
#include "ibm/cases/v1/outcomes.grpc.pb.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/pages.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;

constexpr absl::string_view kUrineTestPattern = "units/{unit}/cases/{case}/urineTests/{test}";
constexpr absl::string_view kAssessmentPattern =
    "units/{unit}/cases/{case}/qualityOfLifeAssessments/{assessment}";
// A unit's records, every case (AIP-159).
constexpr absl::string_view kEveryCasePattern = "units/{unit}/cases/-";

constexpr size_t kMaxVoidReason = 500;  // characters
constexpr size_t kMaxProduct = 200;
constexpr size_t kMaxLotNumber = 100;
constexpr size_t kMaxFacility = 200;
constexpr size_t kMaxPrescriber = 200;
constexpr size_t kMaxFormVersion = 100;
constexpr int kWhoqolItems = 26;
constexpr int kMostMissingItems = 5;  // more than 20% of 26 (a sixth) discards the form
// A record is at most a few KiB, so the lowered page size keeps a FULL page far below 3 MiB.
constexpr int32_t kMaxFullPageSize = 100;

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// A record's date: given, real, not in the future (the day in WIT, rules::Today).
void CheckRecordDate(FieldViolations& v, absl::string_view field, const google::type::Date& d,
                     absl::CivilDay today) {
  const size_t before = v.count();
  resource::CheckDate(v, field, d, true);
  if (v.count() == before && DayOf(d) > today) v.Add(field, "must not be in the future");
}

void CheckPoint(FieldViolations& v, absl::string_view field, int point) {
  if (point == v1::ASSESSMENT_POINT_UNSPECIFIED) {
    v.Add(field, "is required");
  } else if (!v1::AssessmentPoint_IsValid(point)) {
    v.Add(field, "must be an AssessmentPoint value");
  }
}

absl::string_view PointName(int point) {
  return absl::StripPrefix(v1::AssessmentPoint_Name(point), "ASSESSMENT_POINT_");
}

// An officer of a satker whose scope covers the unit (`field` otherwise).
void CheckOfficer(FieldViolations& v, absl::string_view field, absl::string_view person,
                  absl::string_view unit_id) {
  auto officer = ParseName(person, kOfficerPattern, field);
  if (!officer.ok()) {
    v.Add(field, "must be an officer (satkers/{satker}/officers/{officer})");
    return;
  }
  auto scope = auth::Scope::OfSatker((*officer)[0]);
  if (!scope.ok() || !scope->Covers(UnitVillage(unit_id))) {
    v.Add(field, "must be an officer of a satker whose scope covers the case's unit");
  }
}

// An ACTIVE agent of the unit or an officer in scope, the agent asked of the registry on the
// caller's behalf.
absl::Status CheckPerson(const Core& core, const Call& call, FieldViolations& v,
                         absl::string_view field, absl::string_view person,
                         absl::string_view unit_id) {
  if (auto agent = ParseName(person, kAgentPattern, field); agent.ok()) {
    if ((*agent)[0] != unit_id) {
      v.Add(field, "must be an agent of the case's unit");
      return absl::OkStatus();
    }
    auto active = core.registry().AgentActive(call, (*agent)[0], (*agent)[1]);
    if (!active.ok()) return active.status();
    if (!*active) v.Add(field, "must be an ACTIVE agent of the case's unit");
    return absl::OkStatus();
  }
  if (ParseName(person, kOfficerPattern, field).ok()) {
    CheckOfficer(v, field, person, unit_id);
    return absl::OkStatus();
  }
  v.Add(field,
        "must be an agent (units/{unit}/agents/{agent}) or an officer "
        "(satkers/{satker}/officers/{officer})");
  return absl::OkStatus();
}

// ---- The two measures, for the code they share.

struct UrineTests {
  using Record = v1::UrineTest;
  static constexpr store::Measure kMeasure = store::Measure::kUrineTest;
  static constexpr absl::string_view kPattern = kUrineTestPattern;
  static constexpr absl::string_view kField = "urine_test";
  static constexpr absl::string_view kNoun = "urine test";
  static constexpr absl::string_view kDateField = "urine_test.test_date";
  static const google::type::Date& DateOf(const Record& r) { return r.test_date(); }
  // BASIC leaves out the kit and the lines (the outcome and the class lists stay).
  static void Basic(Record& r) {
    r.clear_kit();
    r.clear_results();
  }
};

struct Assessments {
  using Record = v1::QualityOfLifeAssessment;
  static constexpr store::Measure kMeasure = store::Measure::kQualityOfLife;
  static constexpr absl::string_view kPattern = kAssessmentPattern;
  static constexpr absl::string_view kField = "quality_of_life_assessment";
  static constexpr absl::string_view kNoun = "WHOQOL-BREF assessment";
  static constexpr absl::string_view kDateField = "quality_of_life_assessment.assessment_date";
  static const google::type::Date& DateOf(const Record& r) { return r.assessment_date(); }
  // BASIC leaves out the answers (scoring status and domain scores stay).
  static void Basic(Record& r) { r.clear_answers(); }
};

template <class M>
std::string RecordName(absl::string_view unit_id, absl::string_view case_id, absl::string_view id) {
  return FormatName(M::kPattern, {std::string(unit_id), std::string(case_id), std::string(id)});
}

// The response: the stored record, whole (FULL) or BASIC.
template <class M>
absl::Status ToProto(const store::Outcome& row, bool full, typename M::Record* out) {
  out->Clear();
  if (!out->ParseFromString(row.details)) {
    return IBM_BUG(absl::StrCat("a stored ", M::kNoun, " does not parse"));
  }
  out->set_name(RecordName<M>(row.unit_id, row.case_id, row.id));
  out->set_state(static_cast<v1::RecordState>(row.state));
  out->set_etag(absl::StrCat(row.version));
  out->set_create_actor(row.create_actor);
  *out->mutable_create_time() = resource::ToTimestamp(row.create_time_us);
  if (!full) M::Basic(*out);
  return absl::OkStatus();
}

// Voids `row` (its voiding kept in the record), one version up.
template <class M>
absl::Status VoidRow(const Core& core, sql::Session& s, store::Outcome& row,
                     absl::string_view reason, absl::string_view superseded_by, const Call& call) {
  typename M::Record details;
  if (!details.ParseFromString(row.details)) {
    return IBM_BUG(absl::StrCat("a stored ", M::kNoun, " does not parse"));
  }
  v1::Voiding* voiding = details.mutable_voiding();
  voiding->set_reason(std::string(reason));
  *voiding->mutable_void_time() = resource::ToTimestamp(core.NowMicros());
  voiding->set_actor(call.caller->subject.substr(0, 200));
  voiding->set_superseded_by(std::string(superseded_by));
  row.details = details.SerializeAsString();
  row.state = v1::RECORD_STATE_VOIDED;
  row.update_time_us = core.NowMicros();
  IBM_RETURN_IF_ERROR(core.RecordChange(
      s, *call.caller, RecordName<M>(row.unit_id, row.case_id, row.id),
      Core::ChangeAction::kStateChange,
      M::kMeasure == store::Measure::kUrineTest ? "VoidUrineTest" : "VoidQualityOfLifeAssessment",
      {}, call.request_id));
  return store::Outcomes(core.dialect()).Update(s, M::kMeasure, row);
}

absl::Status AlreadyVoided(absl::string_view what) {
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat(what, " is already voided")), "ALREADY_VOIDED");
}

// Which points a case in `state` takes (docs/api.md, State machines): an open case BASELINE,
// MONITORING and EXIT; a COMPLETED case EXIT and FOLLOW_UP; any other case nothing.
absl::Status RequirePointAllowed(const store::Case& c, absl::string_view case_name, int point) {
  const auto state = static_cast<rules::CaseState>(c.state);
  const bool open = rules::IsOpen(state);
  const bool completed = state == rules::CaseState::kCompleted;
  std::string why;
  if (open && point == v1::ASSESSMENT_POINT_FOLLOW_UP) {
    why = "FOLLOW_UP outcomes are recorded on a COMPLETED case only";
  } else if (completed &&
             (point == v1::ASSESSMENT_POINT_BASELINE || point == v1::ASSESSMENT_POINT_MONITORING)) {
    why = absl::StrCat(PointName(point),
                       " outcomes are recorded while the case is open; a "
                       "COMPLETED case takes EXIT and FOLLOW_UP only");
  } else if (!open && !completed) {
    why = "the case takes no new outcomes";
  } else {
    return absl::OkStatus();
  }
  return platform::WithReason(absl::FailedPreconditionError(absl::StrCat(
                                  case_name, " is ", rules::StateName(state), ": ", why)),
                              "CASE_NOT_OPEN");
}

// What a create has made of its request before the transaction: the record to store (checked,
// read or scored) with its point, date and computed result.
template <class M>
struct NewRecord {
  std::string unit_id, case_id;
  typename M::Record record;
  int result = 0;
  bool replayed = false;  // the request id had already made it (CreateRecord)
};

// The transaction of every create: the idempotent retry, the case (locked) and its state,
// the client, the date against the enrollment, the one BASELINE / EXIT, the superseded record
// voided, the insert. `row` is what was stored (or, on a retry, first stored).
template <class M, class Request>
absl::Status CreateRecord(const Core& core, const Call& call, absl::string_view method,
                          const Request& req, NewRecord<M>& made, store::Outcome& row) {
  const store::Outcomes outcomes(core.dialect());
  const store::Cases cases(core.dialect());
  const typename M::Record& r = made.record;
  const int point = r.assessment_point();
  return core.db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
    auto done = core.FindCreate(s, *call.caller, method, req.request_id(), req);
    if (!done.ok()) return done.status();
    if (*done) {
      made.replayed = true;
      auto ids = ParseName(**done, M::kPattern, "name");
      if (!ids.ok()) return IBM_BUG("remembered create of a malformed name");
      auto first = outcomes.Get(s, M::kMeasure, (*ids)[0], (*ids)[1], (*ids)[2], **done);
      if (!first.ok()) return first.status();
      row = *std::move(first);
      return absl::OkStatus();
    }
    auto c = cases.Get(s, made.unit_id, made.case_id, req.parent(), /*for_update=*/true);
    if (!c.ok()) return c.status();
    IBM_RETURN_IF_ERROR(RequirePointAllowed(*c, req.parent(), point));
    auto client = store::Clients(core.dialect()).Get(s, c->client_id, ClientName(c->client_id));
    if (!client.ok()) return client.status();
    if (client->state != v1::Client::STATE_ACTIVE) {
      return platform::WithReason(
          absl::FailedPreconditionError(
              absl::StrCat("the case's client is ",
                           absl::StripPrefix(v1::Client::State_Name(client->state), "STATE_"),
                           ": it takes no new records")),
          "CLIENT_NOT_ACTIVE");
    }
    const std::string date = resource::DateText(M::DateOf(r));
    if (date < c->enrollment_date) {
      return platform::InvalidField(M::kDateField, "must not be before the case's enrollment_date");
    }
    // The record it corrects: a RECORDED one of the same case and measure.
    std::optional<store::Outcome> old;
    if (!r.supersedes().empty()) {
      const std::string field = absl::StrCat(M::kField, ".supersedes");
      auto ids = ParseName(r.supersedes(), M::kPattern, field);
      if (!ids.ok()) return ids.status();
      auto found = outcomes.Get(s, M::kMeasure, made.unit_id, made.case_id, (*ids)[2],
                                r.supersedes(), /*for_update=*/true);
      if (absl::IsNotFound(found.status())) {
        return platform::InvalidField(
            field, absl::StrCat("must be a RECORDED ", M::kNoun, " of the case"));
      }
      if (!found.ok()) return found.status();
      if (found->state == v1::RECORD_STATE_VOIDED) {
        return AlreadyVoided(absl::StrCat(field, " (correct the record that replaced it)"));
      }
      old = *std::move(found);
    }
    // One BASELINE and one EXIT per case, unless this one replaces it.
    if (point == v1::ASSESSMENT_POINT_BASELINE || point == v1::ASSESSMENT_POINT_EXIT) {
      auto taken = outcomes.AtPoint(s, M::kMeasure, made.case_id, point);
      if (!taken.ok()) return taken.status();
      if (*taken && (!old || (*taken)->id != old->id)) {
        const std::string existing = RecordName<M>(made.unit_id, made.case_id, (*taken)->id);
        absl::Status st = platform::WithReason(
            absl::AlreadyExistsError(
                absl::StrCat("the case already has a ", PointName(point), " ", M::kNoun, " (",
                             existing, "): correct it with supersedes, or void it first")),
            "ASSESSMENT_POINT_TAKEN");
        return platform::WithMetadata(st, "existing", existing);
      }
    }
    const int64_t now = core.NowMicros();
    row = store::Outcome{};
    row.id = NewId("");
    row.unit_id = made.unit_id;
    row.case_id = made.case_id;
    row.assessment_point = point;
    row.date = date;
    row.state = v1::RECORD_STATE_RECORDED;
    row.result = made.result;
    row.details = r.SerializeAsString();
    row.create_actor = call.caller->subject.substr(0, 200);
    row.version = 1;
    row.create_time_us = now;
    row.update_time_us = now;
    if (old) {  // voided first: its point is free for the new record
      IBM_RETURN_IF_ERROR(VoidRow<M>(core, s, *old, "superseded by a correction",
                                     RecordName<M>(row.unit_id, row.case_id, row.id), call));
    }
    IBM_RETURN_IF_ERROR(outcomes.Insert(s, M::kMeasure, row));
    return core.RememberCreate(s, *call.caller, method, req.request_id(), req,
                               RecordName<M>(row.unit_id, row.case_id, row.id));
  });
}

// ---- Urine tests.

// The output-only fields a caller may have sent: ignored (AIP-203), never stored.
void ClearOutputOnly(v1::UrineTest& t) {
  t.clear_name();
  t.clear_any_positive();
  t.clear_positive_classes();
  t.clear_any_invalid();
  t.clear_state();
  t.clear_voiding();
  t.clear_create_time();
  t.clear_create_actor();
  t.clear_etag();
  t.clear_outcome();
  t.clear_unexplained_positive_classes();
  t.clear_explained_positive_classes();
}

// The fields of a new urine test but for what needs the database (the case's state and
// enrollment, supersedes' record); fills in the reading. Returns the outcome number.
int CheckUrineTest(FieldViolations& v, v1::UrineTest& t, absl::string_view unit_id,
                   absl::string_view case_id, absl::CivilDay today) {
  CheckPoint(v, "urine_test.assessment_point", t.assessment_point());
  const size_t dates = v.count();
  CheckRecordDate(v, "urine_test.test_date", t.test_date(), today);
  const bool date_ok = v.count() == dates;
  CheckChars(v, "urine_test.kit.product", t.kit().product(), kMaxProduct, true);
  CheckChars(v, "urine_test.kit.lot_number", t.kit().lot_number(), kMaxLotNumber, false);
  if (IsSet(t.kit().expiry_date())) {
    const size_t before = v.count();
    resource::CheckDate(v, "urine_test.kit.expiry_date", t.kit().expiry_date(), false);
    if (v.count() == before && date_ok && DayOf(t.kit().expiry_date()) < DayOf(t.test_date())) {
      v.Add("urine_test.kit.expiry_date", "must not be before the test_date (an expired kit)");
    }
  }
  if (t.tested_by().empty()) {
    v.Add("urine_test.tested_by", "is required");
  } else {
    CheckOfficer(v, "urine_test.tested_by", t.tested_by(), unit_id);
  }
  CheckChars(v, "urine_test.facility", t.facility(), kMaxFacility, false);
  if (!t.supersedes().empty()) {
    auto old = ParseName(t.supersedes(), kUrineTestPattern, "urine_test.supersedes");
    if (!old.ok() || (*old)[0] != unit_id || (*old)[1] != case_id) {
      v.Add("urine_test.supersedes", "must be a urine test of the same case");
    }
  }
  // The lines: the rules check classes, readings and explanations (sizes first).
  std::vector<rules::PanelLine> lines;
  lines.reserve(t.results_size());
  for (int i = 0; i < t.results_size() && i <= rules::kMaxPanelLines; ++i) {
    const v1::UrinePanelResult& r = t.results(i);
    rules::PanelLine l;
    l.drug_class = r.drug_class();
    l.other_class = r.other_class();
    l.result = static_cast<rules::PanelResult>(r.result());
    l.has_prescription = r.has_prescription();
    l.prescription = static_cast<rules::Explanation>(r.prescription().kind());
    lines.push_back(std::move(l));
  }
  auto reading = rules::ReadUrineTest(lines, "urine_test");
  if (!reading.ok()) {
    for (const auto& [f, d] : platform::FieldViolationsOf(reading.status())) v.Add(f, d);
  }
  if (t.results_size() <= rules::kMaxPanelLines) {
    for (int i = 0; i < t.results_size(); ++i) {
      if (!t.results(i).has_prescription()) continue;
      const v1::PrescriptionExplanation& p = t.results(i).prescription();
      const std::string field = absl::StrCat("urine_test.results[", i, "].prescription");
      if (!p.document_sha256().empty() && !IsSha256Hex(p.document_sha256())) {
        v.Add(field + ".document_sha256", "must be 64 lowercase hex digits (SHA-256)");
      }
      CheckChars(v, field + ".prescriber", p.prescriber(), kMaxPrescriber, false);
    }
  }
  if (!reading.ok()) return 0;
  t.set_any_positive(reading->any_positive);
  for (int c : reading->positive_classes) t.add_positive_classes(static_cast<v1::DrugClass>(c));
  t.set_any_invalid(reading->any_invalid);
  for (int c : reading->unexplained_positive_classes) {
    t.add_unexplained_positive_classes(static_cast<v1::DrugClass>(c));
  }
  for (int c : reading->explained_positive_classes) {
    t.add_explained_positive_classes(static_cast<v1::DrugClass>(c));
  }
  t.set_outcome(static_cast<v1::UrineTestOutcome>(reading->outcome));
  return static_cast<int>(reading->outcome);
}

// ---- WHOQOL-BREF.

void ClearOutputOnly(v1::QualityOfLifeAssessment& a) {
  a.clear_name();
  a.clear_scoring_status();
  a.clear_missing_items();
  a.clear_physical();
  a.clear_psychological();
  a.clear_social_relationships();
  a.clear_environment();
  a.clear_state();
  a.clear_voiding();
  a.clear_create_time();
  a.clear_create_actor();
  a.clear_etag();
  a.clear_scoring_version();
}

// The answers as the rules take them: q1..q26 by field name (absent = missing).
rules::WhoqolAnswers AnswersOf(const v1::WhoqolBrefAnswers& answers) {
  rules::WhoqolAnswers out;
  const auto* descriptor = answers.GetDescriptor();
  const auto* reflection = answers.GetReflection();
  for (int i = 0; i < kWhoqolItems; ++i) {
    const auto* field = descriptor->FindFieldByName(absl::StrCat("q", i + 1));
    if (field != nullptr && reflection->HasField(answers, field)) {
      out[i] = reflection->GetInt32(answers, field);
    }
  }
  return out;
}

void SetDomain(v1::WhoqolDomainScore* out, const rules::WhoqolAnswers& answers,
               rules::WhoqolDomain domain, const rules::DomainScore* score) {
  int answered = 0;
  const std::vector<int>& items = rules::DomainItems(domain);
  for (int item : items) answered += answers[item - 1].has_value();
  out->set_answered_items(answered);
  out->set_missing_items(static_cast<int>(items.size()) - answered);
  out->set_scored(score != nullptr && score->score.has_value());
  if (out->scored()) {
    out->set_score(*score->score);
    out->set_transformed_score(*score->transformed_score);
  }
}

// The fields of a new assessment but for the registry's facts (administered_by) and what
// needs the database; fills in the scores. Returns the scoring status number.
int CheckAssessment(FieldViolations& v, v1::QualityOfLifeAssessment& a, absl::string_view unit_id,
                    absl::string_view case_id, absl::CivilDay today) {
  constexpr absl::string_view kField = "quality_of_life_assessment";
  CheckPoint(v, absl::StrCat(kField, ".assessment_point"), a.assessment_point());
  if (a.mode() == v1::QualityOfLifeAssessment::MODE_UNSPECIFIED) {
    v.Add(absl::StrCat(kField, ".mode"), "is required");
  } else if (!v1::QualityOfLifeAssessment::Mode_IsValid(a.mode())) {
    v.Add(absl::StrCat(kField, ".mode"), "must be a QualityOfLifeAssessment.Mode value");
  }
  CheckRecordDate(v, absl::StrCat(kField, ".assessment_date"), a.assessment_date(), today);
  if (a.administered_by().empty()) v.Add(absl::StrCat(kField, ".administered_by"), "is required");
  CheckChars(v, absl::StrCat(kField, ".form_version"), a.form_version(), kMaxFormVersion, true);
  if (!a.supersedes().empty()) {
    auto old = ParseName(a.supersedes(), kAssessmentPattern, "supersedes");
    if (!old.ok() || (*old)[0] != unit_id || (*old)[1] != case_id) {
      v.Add(absl::StrCat(kField, ".supersedes"),
            "must be a WHOQOL-BREF assessment of the same case");
    }
  }
  if (!a.has_answers()) {
    v.Add(absl::StrCat(kField, ".answers"), "is required");
    return 0;
  }
  const rules::WhoqolAnswers answers = AnswersOf(a.answers());
  int missing = 0;
  bool in_range = true;
  for (int i = 0; i < kWhoqolItems; ++i) {
    if (!answers[i]) {
      ++missing;
    } else if (*answers[i] < 1 || *answers[i] > 5) {
      in_range = false;
      v.Add(absl::StrCat(kField, ".answers.q", i + 1),
            "must be from 1 to 5 (leave a missing item out; 0 is not an answer)");
    }
  }
  if (!in_range) return 0;
  a.set_missing_items(missing);
  if (missing > kMostMissingItems) {
    // More than 20% missing: stored, DISCARDED, no domain scored.
    SetDomain(a.mutable_physical(), answers, rules::WhoqolDomain::kPhysical, nullptr);
    SetDomain(a.mutable_psychological(), answers, rules::WhoqolDomain::kPsychological, nullptr);
    SetDomain(a.mutable_social_relationships(), answers, rules::WhoqolDomain::kSocial, nullptr);
    SetDomain(a.mutable_environment(), answers, rules::WhoqolDomain::kEnvironment, nullptr);
    a.set_scoring_status(v1::QualityOfLifeAssessment::SCORING_STATUS_DISCARDED);
    a.set_scoring_version(rules::kWhoqolScoringVersion);
    return a.scoring_status();
  }
  auto score = rules::ScoreWhoqol(answers, absl::StrCat(kField, ".answers"));
  if (!score.ok()) {  // the checks above leave the rules nothing to refuse
    for (const auto& [f, d] : platform::FieldViolationsOf(score.status())) v.Add(f, d);
    return 0;
  }
  SetDomain(a.mutable_physical(), answers, rules::WhoqolDomain::kPhysical, &score->physical);
  SetDomain(a.mutable_psychological(), answers, rules::WhoqolDomain::kPsychological,
            &score->psychological);
  SetDomain(a.mutable_social_relationships(), answers, rules::WhoqolDomain::kSocial,
            &score->social);
  SetDomain(a.mutable_environment(), answers, rules::WhoqolDomain::kEnvironment,
            &score->environment);
  const int scored = a.physical().scored() + a.psychological().scored() +
                     a.social_relationships().scored() + a.environment().scored();
  a.set_scoring_status(scored == 4   ? v1::QualityOfLifeAssessment::SCORING_STATUS_SCORED
                       : scored == 0 ? v1::QualityOfLifeAssessment::SCORING_STATUS_DISCARDED
                                     : v1::QualityOfLifeAssessment::SCORING_STATUS_PARTIAL);
  a.set_scoring_version(rules::kWhoqolScoringVersion);
  return a.scoring_status();
}

// ---- The service.

class OutcomeService final : public v1::OutcomeService::CallbackService {
 public:
  OutcomeService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::OutcomeService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetUrineTest(CallbackServerContext* ctx, const v1::GetUrineTestRequest* req,
                                   v1::UrineTest* resp) override {
    return calls_.Run(ctx, "GetUrineTest", [=, this](const Call& call) {
      return Get<UrineTests>(call, "GetUrineTest", req->name(), resp);
    });
  }

  ServerUnaryReactor* ListUrineTests(CallbackServerContext* ctx,
                                     const v1::ListUrineTestsRequest* req,
                                     v1::ListUrineTestsResponse* resp) override {
    return calls_.Run(ctx, "ListUrineTests", [=, this](const Call& call) -> absl::Status {
      std::string next;
      bool full = false;
      auto rows = List<UrineTests>(call, "ListUrineTests", *req, full, next);
      if (!rows.ok()) return rows.status();
      resp->set_next_page_token(next);
      for (const auto& row : *rows) {
        IBM_RETURN_IF_ERROR(ToProto<UrineTests>(row, full, resp->add_urine_tests()));
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateUrineTest(CallbackServerContext* ctx,
                                      const v1::CreateUrineTestRequest* req,
                                      v1::UrineTest* resp) override {
    return calls_.Run(ctx, "CreateUrineTest", [=, this](const Call& call) -> absl::Status {
      return Create(call, req, resp);
    });
  }

  // CreateUrineTest without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateUrineTestRequest* req, v1::UrineTest* resp,
                      bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateUrineTest");
    if (!grant.ok()) return grant.status();
    NewRecord<UrineTests> made;
    IBM_RETURN_IF_ERROR(ParseParent(call, *grant, req->parent(), made.unit_id, made.case_id));
    made.record = req->urine_test();
    ClearOutputOnly(made.record);
    FieldViolations v;
    made.result =
        CheckUrineTest(v, made.record, made.unit_id, made.case_id, rules::Today(core_->Now()));
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    auto unit = core_->RequireOpenUnit(call, made.unit_id, "parent");
    if (!unit.ok()) return unit.status();
    store::Outcome row;
    IBM_RETURN_IF_ERROR(CreateRecord<UrineTests>(*core_, call, "CreateUrineTest", *req, made, row));
    if (replayed != nullptr) *replayed = made.replayed;
    return ToProto<UrineTests>(row, /*full=*/true, resp);
  }

  ServerUnaryReactor* VoidUrineTest(CallbackServerContext* ctx, const v1::VoidUrineTestRequest* req,
                                    v1::UrineTest* resp) override {
    return calls_.Run(ctx, "VoidUrineTest", [=, this](const Call& call) {
      return Void<UrineTests>(call, "VoidUrineTest", req->name(), req->reason(), req->etag(), resp);
    });
  }

  ServerUnaryReactor* GetQualityOfLifeAssessment(CallbackServerContext* ctx,
                                                 const v1::GetQualityOfLifeAssessmentRequest* req,
                                                 v1::QualityOfLifeAssessment* resp) override {
    return calls_.Run(ctx, "GetQualityOfLifeAssessment", [=, this](const Call& call) {
      return Get<Assessments>(call, "GetQualityOfLifeAssessment", req->name(), resp);
    });
  }

  ServerUnaryReactor* ListQualityOfLifeAssessments(
      CallbackServerContext* ctx, const v1::ListQualityOfLifeAssessmentsRequest* req,
      v1::ListQualityOfLifeAssessmentsResponse* resp) override {
    return calls_.Run(
        ctx, "ListQualityOfLifeAssessments", [=, this](const Call& call) -> absl::Status {
          std::string next;
          bool full = false;
          auto rows = List<Assessments>(call, "ListQualityOfLifeAssessments", *req, full, next);
          if (!rows.ok()) return rows.status();
          resp->set_next_page_token(next);
          for (const auto& row : *rows) {
            IBM_RETURN_IF_ERROR(
                ToProto<Assessments>(row, full, resp->add_quality_of_life_assessments()));
          }
          return absl::OkStatus();
        });
  }

  ServerUnaryReactor* CreateQualityOfLifeAssessment(
      CallbackServerContext* ctx, const v1::CreateQualityOfLifeAssessmentRequest* req,
      v1::QualityOfLifeAssessment* resp) override {
    return calls_.Run(
        ctx, "CreateQualityOfLifeAssessment",
        [=, this](const Call& call) -> absl::Status { return Create(call, req, resp); });
  }

  // CreateQualityOfLifeAssessment without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateQualityOfLifeAssessmentRequest* req,
                      v1::QualityOfLifeAssessment* resp, bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateQualityOfLifeAssessment");
    if (!grant.ok()) return grant.status();
    NewRecord<Assessments> made;
    IBM_RETURN_IF_ERROR(ParseParent(call, *grant, req->parent(), made.unit_id, made.case_id));
    made.record = req->quality_of_life_assessment();
    ClearOutputOnly(made.record);
    FieldViolations v;
    made.result =
        CheckAssessment(v, made.record, made.unit_id, made.case_id, rules::Today(core_->Now()));
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    auto unit = core_->RequireOpenUnit(call, made.unit_id, "parent");
    if (!unit.ok()) return unit.status();
    IBM_RETURN_IF_ERROR(CheckPerson(*core_, call, v, "quality_of_life_assessment.administered_by",
                                    made.record.administered_by(), made.unit_id));
    if (!v.empty()) return v.status();
    store::Outcome row;
    IBM_RETURN_IF_ERROR(
        CreateRecord<Assessments>(*core_, call, "CreateQualityOfLifeAssessment", *req, made, row));
    if (replayed != nullptr) *replayed = made.replayed;
    return ToProto<Assessments>(row, /*full=*/true, resp);
  }

  ServerUnaryReactor* VoidQualityOfLifeAssessment(CallbackServerContext* ctx,
                                                  const v1::VoidQualityOfLifeAssessmentRequest* req,
                                                  v1::QualityOfLifeAssessment* resp) override {
    return calls_.Run(ctx, "VoidQualityOfLifeAssessment", [=, this](const Call& call) {
      return Void<Assessments>(call, "VoidQualityOfLifeAssessment", req->name(), req->reason(),
                               req->etag(), resp);
    });
  }

 private:
  // A create's parent, `units/{unit}/cases/{case}`, in the caller's scope.
  absl::Status ParseParent(const Call& call, const Grant& grant, const std::string& parent,
                           std::string& unit_id, std::string& case_id) const {
    auto ids = ParseName(parent, kCasePattern, "parent");
    if (!ids.ok()) return ids.status();
    unit_id = (*ids)[0];
    case_id = (*ids)[1];
    return core_->RequireUnitScope(call, grant, unit_id);
  }

  template <class M>
  absl::Status Get(const Call& call, absl::string_view method, const std::string& name,
                   typename M::Record* resp) const {
    auto grant = core_->Authorize(call, method);
    if (!grant.ok()) return grant.status();
    auto ids = ParseName(name, M::kPattern, "name");
    if (!ids.ok()) return ids.status();
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
    const store::Outcomes outcomes(core_->dialect());
    store::Outcome found;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
          auto row = outcomes.Get(s, M::kMeasure, (*ids)[0], (*ids)[1], (*ids)[2], name);
          if (!row.ok()) return row.status();
          found = *std::move(row);
          return absl::OkStatus();
        }));
    return ToProto<M>(found, /*full=*/true, resp);
  }

  // A page of a case's or a unit's records, newest date first; `next` the next page token.
  template <class M, class Request>
  absl::StatusOr<std::vector<store::Outcome>> List(const Call& call, absl::string_view method,
                                                   const Request& req, bool& full,
                                                   std::string& next) const {
    auto grant = core_->Authorize(call, method);
    if (!grant.ok()) return grant.status();
    store::OutcomeFilter filter;
    if (auto every = ParseName(req.parent(), kEveryCasePattern, "parent"); every.ok()) {
      filter.unit_id = (*every)[0];
    } else if (auto one = ParseName(req.parent(), kCasePattern, "parent"); one.ok()) {
      filter.unit_id = (*one)[0];
      filter.case_id = (*one)[1];
    } else {
      return platform::InvalidField(
          "parent",
          "must be a resource name like units/32.73.04.1001-1/cases/{case} or "
          "units/32.73.04.1001-1/cases/-");
    }
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, filter.unit_id));
    FieldViolations v;
    if (!v1::AssessmentPoint_IsValid(req.assessment_point())) {
      v.Add("assessment_point", "must be an AssessmentPoint value");
    }
    if (!v1::RecordView_IsValid(req.view())) v.Add("view", "must be a RecordView value");
    if (!v.empty()) return v.status();
    filter.assessment_point = req.assessment_point();
    filter.show_voided = req.show_voided();
    full = req.view() == v1::RECORD_VIEW_FULL;
    // Every filter and the view shape the pages: a token is good for this query only.
    const std::string query = absl::StrCat(method, "|", req.parent(), "|", filter.assessment_point,
                                           "|", filter.show_voided, "|", full ? "full" : "basic");
    auto page = core_->pages().Read(req.page_size(), req.page_token(), query);
    if (!page.ok()) return page.status();
    if (full) page->size = std::min(page->size, kMaxFullPageSize);
    std::optional<store::OutcomePosition> after;
    if (!page->after.empty()) {
      // Our own sealed key, "date|case|id": a malformed one is a bug.
      std::vector<std::string> key = absl::StrSplit(page->after, '|');
      if (key.size() != 3) return IBM_BUG("a sealed outcome page key is malformed");
      after = store::OutcomePosition{key[0], key[1], key[2]};
    }
    const store::Outcomes outcomes(core_->dialect());
    std::vector<store::Outcome> found;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
          if (!filter.case_id.empty()) {  // a case that does not exist has no records
            auto c =
                store::Cases(core_->dialect()).Get(s, filter.unit_id, filter.case_id, req.parent());
            if (!c.ok()) return c.status();
          }
          auto listed = outcomes.List(s, M::kMeasure, filter, after, page->size + 1);
          if (!listed.ok()) return listed.status();
          found = *std::move(listed);
          return absl::OkStatus();
        }));
    next = resource::TrimToPage(core_->pages(), query, found, *page, [](const store::Outcome& r) {
      return absl::StrCat(r.date, "|", r.case_id, "|", r.id);
    });
    return found;
  }

  template <class M>
  absl::Status Void(const Call& call, absl::string_view method, const std::string& name,
                    const std::string& reason, const std::string& etag,
                    typename M::Record* resp) const {
    auto grant = core_->Authorize(call, method);
    if (!grant.ok()) return grant.status();
    auto ids = ParseName(name, M::kPattern, "name");
    if (!ids.ok()) return ids.status();
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
    FieldViolations v;
    CheckChars(v, "reason", reason, kMaxVoidReason, true);
    if (!v.empty()) return v.status();
    const store::Outcomes outcomes(core_->dialect());
    store::Outcome row;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          // The case first, locked, as every outcome write and CompleteCase lock it.
          auto c = store::Cases(core_->dialect()).Get(s, (*ids)[0], (*ids)[1], name, true);
          if (!c.ok()) return c.status();
          auto found = outcomes.Get(s, M::kMeasure, (*ids)[0], (*ids)[1], (*ids)[2], name, true);
          if (!found.ok()) return found.status();
          row = *std::move(found);
          IBM_RETURN_IF_ERROR(resource::CheckEtag(etag, row.version, "etag"));
          if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(name);
          return VoidRow<M>(*core_, s, row, reason, "", call);
        }));
    return ToProto<M>(row, /*full=*/true, resp);
  }

  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewOutcomeService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<OutcomeService>(std::move(core), std::move(runtime));
}

absl::Status CreateUrineTest(const CorePtr& core, const Call& call,
                             const v1::CreateUrineTestRequest& req, v1::UrineTest* resp,
                             bool* replayed) {
  return OutcomeService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

absl::Status CreateQualityOfLifeAssessment(const CorePtr& core, const Call& call,
                                           const v1::CreateQualityOfLifeAssessmentRequest& req,
                                           v1::QualityOfLifeAssessment* resp, bool* replayed) {
  return OutcomeService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

}  // namespace ibm::cases
