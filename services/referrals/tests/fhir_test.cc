// The FHIR R4 mapping (docs/api.md, FHIR R4 mapping): the Bundle, the withdrawal patch, the
// Task read back, the OperationOutcome text. Schema validity of the Bundles is checked apart,
// by ctest referrals.fhir_schema (tests/fhir-validate.sh).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "referrals/fhir/bundle.h"
#include "referrals/fhir/examples.h"
#include "referrals/fhir/task.h"

namespace ibm::referrals::fhir {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using Json = nlohmann::json;

constexpr char kReferral[] = "referrals/k7d2mq9xva";
constexpr char kSearch[] = "identifier=https://ibm.bnn.go.id/fhir/referral|referrals/k7d2mq9xva";

std::string BundleOf(const v1::ProviderReferral& referral,
                     const v1::Provider& provider = ExampleProvider()) {
  return ReferralBundle(BundleInput{.referral = referral,
                                    .provider = provider,
                                    .last_modified = absl::FromUnixSeconds(1714702500)});
}
Json Parse(const std::string& text) { return Json::parse(text); }

std::vector<Json> Resources(const Json& bundle, const std::string& type) {
  std::vector<Json> out;
  for (const auto& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == type) out.push_back(entry["resource"]);
  }
  return out;
}
Json Only(const Json& bundle, const std::string& type) {
  std::vector<Json> found = Resources(bundle, type);
  EXPECT_THAT(found, SizeIs(1)) << type;
  return found.empty() ? Json() : found[0];
}
std::string FullUrlOf(const Json& bundle, const std::string& type) {
  for (const auto& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == type) return entry["fullUrl"];
  }
  return "";
}
std::vector<std::string> EntryTypes(const Json& bundle) {
  std::vector<std::string> types;
  for (const auto& entry : bundle["entry"]) types.push_back(entry["resource"]["resourceType"]);
  return types;
}
// The values of a resource's identifiers of `system`.
std::vector<std::string> IdentifierValues(const Json& resource, const std::string& system) {
  std::vector<std::string> values;
  for (const auto& id : resource.value("identifier", Json::array())) {
    if (id["system"] == system) values.push_back(id["value"]);
  }
  return values;
}
// The sub-extensions of the Patient's administrativeCode, as "name=code".
std::vector<std::string> AdministrativeCodes(const Json& patient) {
  std::vector<std::string> parts;
  for (const auto& ext : patient["address"][0]["extension"]) {
    EXPECT_EQ(ext["url"], std::string(kAdministrativeCodeExtension));
    for (const auto& part : ext["extension"]) {
      parts.push_back(part["url"].get<std::string>() + "=" + part["valueCode"].get<std::string>());
    }
  }
  return parts;
}

// Every element that FHIR forbids empty (json.html): "", [], {} or null.
void CollectEmpty(const Json& value, const std::string& path, std::vector<std::string>& out) {
  if (value.is_null() || (value.is_string() && value.get<std::string>().empty()) ||
      ((value.is_array() || value.is_object()) && value.empty())) {
    out.push_back(path);
    return;
  }
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) CollectEmpty(child, path + "." + key, out);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      CollectEmpty(value[i], path + "[" + std::to_string(i) + "]", out);
    }
  }
}
void CollectReferences(const Json& value, std::vector<std::string>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      if (key == "reference" && child.is_string()) out.push_back(child);
      CollectReferences(child, out);
    }
  } else if (value.is_array()) {
    for (const auto& child : value) CollectReferences(child, out);
  }
}

TEST(Bundle, IsATransactionOfConditionalCreatesOnTheReferral) {
  Json bundle = Parse(BundleOf(ExampleReferral()));
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "transaction");
  EXPECT_THAT(EntryTypes(bundle),
              ElementsAre("ServiceRequest", "Task", "Observation", "Observation", "Observation",
                          "Patient", "Organization"));
  std::set<std::string> full_urls;
  for (const auto& entry : bundle["entry"]) {
    const std::string type = entry["resource"]["resourceType"];
    SCOPED_TRACE(type);
    EXPECT_EQ(entry["request"]["method"], "POST");
    EXPECT_EQ(entry["request"]["url"], type);
    if (type == "Observation") {
      EXPECT_THAT(entry["request"]["ifNoneExist"].get<std::string>(),
                  ::testing::StartsWith(std::string(kSearch) +
                                        "&code=https://ibm.bnn.go.id/fhir/CodeSystem/"
                                        "assist-substance|"));
    } else {
      EXPECT_EQ(entry["request"]["ifNoneExist"], kSearch);
    }
    EXPECT_THAT(IdentifierValues(entry["resource"], std::string(kReferralSystem)),
                ElementsAre(kReferral));
    EXPECT_THAT(entry["fullUrl"].get<std::string>(),
                ::testing::MatchesRegex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]"
                                        "{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    full_urls.insert(entry["fullUrl"]);
  }
  EXPECT_THAT(full_urls, SizeIs(bundle["entry"].size()));

  Json sr = Only(bundle, "ServiceRequest");
  Json task = Only(bundle, "Task");
  EXPECT_EQ(task["basedOn"][0]["reference"], FullUrlOf(bundle, "ServiceRequest"));
  EXPECT_EQ(sr["subject"]["reference"], FullUrlOf(bundle, "Patient"));
  EXPECT_EQ(task["for"]["reference"], FullUrlOf(bundle, "Patient"));
  EXPECT_EQ(sr["requester"]["reference"], FullUrlOf(bundle, "Organization"));
  EXPECT_EQ(task["requester"]["reference"], FullUrlOf(bundle, "Organization"));
  EXPECT_THAT(IdentifierValues(sr, std::string(kReferralCodeSystem)), ElementsAre("RJK-7Q2MXK4P"));
  EXPECT_THAT(IdentifierValues(task, std::string(kReferralCodeSystem)),
              ElementsAre("RJK-7Q2MXK4P"));
}

TEST(Bundle, TheSameReferralMakesTheSameBytes) {
  EXPECT_EQ(BundleOf(ExampleReferral()), BundleOf(ExampleReferral()));
  v1::ProviderReferral other = ExampleReferral();
  other.set_name("referrals/a2b3c4d5e6");
  EXPECT_NE(FullUrlOf(Parse(BundleOf(other)), "Task"),
            FullUrlOf(Parse(BundleOf(ExampleReferral())), "Task"));
}

TEST(Bundle, TaskAndServiceRequestStatusFollowTheState) {
  struct Row {
    v1::ReferralState state;
    const char* task;
    const char* service_request;
  };
  const Row rows[] = {
      {v1::REFERRAL_STATE_DRAFT, "draft", "draft"},
      {v1::REFERRAL_STATE_REQUESTED, "requested", "active"},
      {v1::REFERRAL_STATE_RECEIVED, "received", "active"},
      {v1::REFERRAL_STATE_ACCEPTED, "accepted", "active"},
      {v1::REFERRAL_STATE_REJECTED, "rejected", "revoked"},
      {v1::REFERRAL_STATE_IN_PROGRESS, "in-progress", "active"},
      {v1::REFERRAL_STATE_COMPLETED, "completed", "completed"},
      {v1::REFERRAL_STATE_CANCELLED, "cancelled", "revoked"},
      {v1::REFERRAL_STATE_FAILED, "failed", "revoked"},
      {v1::REFERRAL_STATE_ENTERED_IN_ERROR, "entered-in-error", "entered-in-error"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(v1::ReferralState_Name(row.state));
    v1::ProviderReferral referral = ExampleReferral();
    referral.set_state(row.state);
    Json bundle = Parse(BundleOf(referral));
    EXPECT_EQ(Only(bundle, "Task")["status"], row.task);
    EXPECT_EQ(Only(bundle, "ServiceRequest")["status"], row.service_request);
    EXPECT_EQ(TaskStatus(row.state), row.task);
    EXPECT_EQ(ServiceRequestStatus(row.state), row.service_request);
  }
}

TEST(Bundle, CodesAreTheEnumNamesInKebabCase) {
  Json sr = Only(Parse(BundleOf(ExampleReferral())), "ServiceRequest");
  EXPECT_EQ(sr["intent"], "order");
  EXPECT_EQ(sr["category"][0]["coding"][0]["system"], std::string(kServiceTypeSystem));
  EXPECT_EQ(sr["category"][0]["coding"][0]["code"], "outpatient-rehabilitation");
  EXPECT_EQ(sr["code"]["coding"][0]["code"], "outpatient-rehabilitation");
  EXPECT_EQ(sr["priority"], "urgent");
  EXPECT_EQ(sr["reasonCode"][0]["coding"][0]["system"], std::string(kReferralReasonSystem));
  EXPECT_EQ(sr["reasonCode"][0]["coding"][0]["code"], "screening-risk");
  EXPECT_EQ(sr["reasonCode"][0]["text"], "Skor ASSIST tinggi untuk stimulan jenis amfetamin.");
  EXPECT_EQ(sr["reasonCode"][1]["coding"][0]["system"], "http://hl7.org/fhir/sid/icd-10");
  EXPECT_EQ(sr["reasonCode"][1]["coding"][0]["code"], "F15.2");
  EXPECT_EQ(sr["authoredOn"], "2024-05-03T02:15:00Z");
  EXPECT_EQ(sr["note"][0]["text"],
            "Memakai sabu sejak 2019, terakhir 3 hari lalu; ingin berhenti. Tidak ada obat rutin.");
  EXPECT_EQ(sr["performer"][0]["reference"], "Organization/10000004");
  EXPECT_EQ(sr["locationReference"][0]["reference"],
            "Location/b017aa54-f1df-4ec2-9d84-8823815d7228");

  struct Row {
    v1::Urgency urgency;
    const char* priority;  // nullptr: left out
  };
  for (const Row& row : {Row{v1::URGENCY_ROUTINE, "routine"}, Row{v1::URGENCY_URGENT, "urgent"},
                         Row{v1::URGENCY_ASAP, "asap"}, Row{v1::URGENCY_UNSPECIFIED, nullptr}}) {
    SCOPED_TRACE(v1::Urgency_Name(row.urgency));
    v1::ProviderReferral referral = ExampleReferral();
    referral.set_urgency(row.urgency);
    Json bundle = Parse(BundleOf(referral));
    for (const char* type : {"ServiceRequest", "Task"}) {
      Json resource = Only(bundle, type);
      if (row.priority == nullptr) {
        EXPECT_FALSE(resource.contains("priority")) << type;
      } else {
        EXPECT_EQ(resource["priority"], row.priority) << type;
      }
    }
  }

  EXPECT_EQ(EnumCode(v1::SERVICE_TYPE_SOCIAL_REHABILITATION_RESIDENTIAL),
            "social-rehabilitation-residential");
  EXPECT_EQ(EnumCode(v1::REFERRAL_REASON_LEGAL_ORDER), "legal-order");
  EXPECT_EQ(EnumCode(v1::ReferralOutcome::RESULT_REFERRED_ONWARD), "referred-onward");
  EXPECT_EQ(EnumCode(v1::ReferralOutcome::NEXT_STEP_RETURN_TO_UNIT), "return-to-unit");
  EXPECT_EQ(EnumCode(v1::Attendance::STATUS_DID_NOT_ATTEND), "did-not-attend");
  EXPECT_EQ(EnumCode(v1::SERVICE_TYPE_UNSPECIFIED), "");
  EXPECT_EQ(EnumFromCode<v1::ServiceType>("opioid-agonist-therapy"),
            v1::SERVICE_TYPE_OPIOID_AGONIST_THERAPY);
  EXPECT_EQ(EnumFromCode<v1::ServiceType>("unspecified"), v1::SERVICE_TYPE_UNSPECIFIED);
  EXPECT_EQ(EnumFromCode<v1::ServiceType>("OPIOID_AGONIST_THERAPY"), v1::SERVICE_TYPE_UNSPECIFIED);
}

// A pseudonymous Bundle must not let the provider find the person: asserted on the text
// itself, whatever element it might hide in.
void ExpectPseudonymous(const std::string& text) {
  EXPECT_THAT(text, Not(HasSubstr("kemkes.go.id/id/nik")));
  EXPECT_THAT(text, Not(HasSubstr("3273011403980001")));
  EXPECT_THAT(text, Not(HasSubstr("Budi")));
  EXPECT_THAT(text, Not(HasSubstr("2045-7781")));
  EXPECT_THAT(text, Not(HasSubstr("Cikutra")));
  EXPECT_THAT(text, Not(HasSubstr("3273021003")));
  EXPECT_THAT(text, Not(HasSubstr("32.73.02")));
  EXPECT_THAT(text, Not(HasSubstr("\"village\"")));
  EXPECT_THAT(text, Not(HasSubstr("\"district\"")));
  EXPECT_THAT(text, Not(HasSubstr("1998-03-14")));
  EXPECT_THAT(text, Not(HasSubstr("\"telecom\":[{\"system\":\"phone\",\"value\":\"+62 8")));
  // Nor the client's pseudonymous name in the suite (the screening's parent).
  EXPECT_THAT(text, Not(HasSubstr("clients/")));
}

TEST(Bundle, APseudonymousPatientIsTheReferralCodeSexYearAndRegency) {
  // An identified referral whose identity is no longer sent (closed, basis gone) is as
  // pseudonymous as one that never had it: the identity's presence alone decides.
  v1::ProviderReferral identified = ExampleReferral();
  *identified.mutable_subject()->mutable_identity() = ExampleIdentity();
  v1::ProviderReferral withheld = identified;
  withheld.mutable_subject()->clear_identity();
  for (const v1::ProviderReferral& referral : {ExampleReferral(), withheld}) {
    const std::string text = BundleOf(referral);
    ExpectPseudonymous(text);
    Json patient = Only(Parse(text), "Patient");
    EXPECT_THAT(IdentifierValues(patient, std::string(kReferralCodeSystem)),
                ElementsAre("RJK-7Q2MXK4P"));
    EXPECT_THAT(patient["identifier"], SizeIs(2));  // the referral's and its code
    EXPECT_FALSE(patient.contains("name"));
    EXPECT_FALSE(patient.contains("telecom"));
    EXPECT_FALSE(patient.contains("contact"));
    EXPECT_EQ(patient["gender"], "male");
    EXPECT_EQ(patient["birthDate"], "1998");
    EXPECT_FALSE(patient["address"][0].contains("line"));
    EXPECT_THAT(AdministrativeCodes(patient), ElementsAre("province=32", "city=3273"));
  }
  // A village where the regency belongs (a bug upstream) still goes no deeper than the city.
  v1::ProviderReferral too_precise = ExampleReferral();
  too_precise.mutable_subject()->set_home_regency("regions/32.73.02.1003");
  Json patient = Only(Parse(BundleOf(too_precise)), "Patient");
  EXPECT_THAT(AdministrativeCodes(patient), ElementsAre("province=32", "city=3273"));

  // And the identity does reach the provider when it is there.
  EXPECT_THAT(BundleOf(identified), HasSubstr("3273011403980001"));
}

TEST(Bundle, AnIdentifiedPatientCarriesTheIdentityWithUndottedRegionCodes) {
  v1::ProviderReferral referral = ExampleReferral();
  *referral.mutable_subject()->mutable_identity() = ExampleIdentity();
  Json patient = Only(Parse(BundleOf(referral)), "Patient");
  EXPECT_THAT(IdentifierValues(patient, std::string(kNikSystem)), ElementsAre("3273011403980001"));
  EXPECT_THAT(IdentifierValues(patient, std::string(kReferralCodeSystem)),
              ElementsAre("RJK-7Q2MXK4P"));
  EXPECT_EQ(patient["name"][0]["text"], "Budi Santoso");
  EXPECT_EQ(patient["telecom"][0]["value"], "+62 812-2045-7781");
  EXPECT_EQ(patient["birthDate"], "1998-03-14");
  EXPECT_EQ(patient["address"][0]["line"][0], "Jl. Cikutra Barat No. 12, RT 03/RW 05");
  EXPECT_THAT(AdministrativeCodes(patient),
              ElementsAre("province=32", "city=3273", "district=327302", "village=3273021003"));
  EXPECT_FALSE(patient.contains("contact"));

  // A minor's guardian is the Patient's contact.
  referral.mutable_subject()->mutable_identity()->set_guardian_name("Siti Aminah");
  referral.mutable_subject()->mutable_identity()->set_guardian_phone("+62 813-9021-4456");
  patient = Only(Parse(BundleOf(referral)), "Patient");
  EXPECT_EQ(patient["contact"][0]["relationship"][0]["coding"][0]["code"], "GUARD");
  EXPECT_EQ(patient["contact"][0]["name"]["text"], "Siti Aminah");
  EXPECT_EQ(patient["contact"][0]["telecom"][0]["value"], "+62 813-9021-4456");

  // An identity with the NIK alone: the birth year stands in for the date, the regency for
  // the village.
  v1::ProviderReferral nik_only = ExampleReferral();
  nik_only.mutable_subject()->mutable_identity()->set_nik("3273011403980001");
  patient = Only(Parse(BundleOf(nik_only)), "Patient");
  EXPECT_THAT(IdentifierValues(patient, std::string(kNikSystem)), ElementsAre("3273011403980001"));
  EXPECT_FALSE(patient.contains("name"));
  EXPECT_EQ(patient["birthDate"], "1998");
  EXPECT_THAT(AdministrativeCodes(patient), ElementsAre("province=32", "city=3273"));
}

TEST(Bundle, ObservationsAreTheListedSubstancesOnly) {
  Json bundle = Parse(BundleOf(ExampleReferral()));
  std::vector<Json> observations = Resources(bundle, "Observation");
  ASSERT_THAT(observations, SizeIs(3));
  struct Row {
    const char* code;
    int score;
    const char* risk;
  };
  const Row rows[] = {{"amphetamine-type-stimulants", 31, "high"},
                      {"cannabis", 12, "moderate"},
                      {"tobacco", 2, "low"}};
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(rows[i].code);
    const Json& obs = observations[i];
    EXPECT_EQ(obs["status"], "final");
    EXPECT_EQ(obs["category"][0]["coding"][0]["code"], "survey");
    EXPECT_EQ(obs["code"]["coding"][0]["system"], std::string(kAssistSubstanceSystem));
    EXPECT_EQ(obs["code"]["coding"][0]["code"], rows[i].code);
    EXPECT_EQ(obs["code"]["coding"][0]["display"],
              "ASSIST v3.1 specific substance involvement score");
    EXPECT_EQ(obs["valueInteger"], rows[i].score);
    EXPECT_EQ(obs["interpretation"][0]["coding"][0]["system"], std::string(kAssistRiskSystem));
    EXPECT_EQ(obs["interpretation"][0]["coding"][0]["code"], rows[i].risk);
    EXPECT_EQ(obs["method"]["text"], "assist-3.1");
    EXPECT_EQ(obs["effectiveDateTime"], "2024-05-02");
    EXPECT_EQ(obs["subject"]["reference"], FullUrlOf(bundle, "Patient"));
    EXPECT_EQ(Only(bundle, "ServiceRequest")["supportingInfo"][i]["reference"],
              bundle["entry"][2 + i]["fullUrl"]);
    EXPECT_EQ(
        bundle["entry"][2 + i]["request"]["ifNoneExist"],
        std::string(kSearch) + "&code=" + std::string(kAssistSubstanceSystem) + "|" + rows[i].code);
  }
  // The five ASSIST substances the client never used are not there.
  EXPECT_THAT(bundle.dump(), Not(HasSubstr("opioids")));

  // From the use history (no screening): no score, no risk, said so.
  v1::ProviderReferral unscreened = ExampleReferral();
  v1::ClinicalSummary* clinical = unscreened.mutable_clinical();
  clinical->clear_substances();
  clinical->clear_screening_date();
  clinical->clear_assist_scoring_version();
  clinical->add_substances()->set_substance_code("opioids");
  v1::SubstanceSummary* scored = clinical->add_substances();
  scored->set_substance_code("sedatives");
  scored->set_involvement_score(0);                           // a score of 0 is a score
  clinical->add_substances()->set_substance_code("opioids");  // listed twice: one Observation
  observations = Resources(Parse(BundleOf(unscreened)), "Observation");
  ASSERT_THAT(observations, SizeIs(2));
  EXPECT_FALSE(observations[0].contains("valueInteger"));
  EXPECT_FALSE(observations[0].contains("interpretation"));
  EXPECT_FALSE(observations[0].contains("effectiveDateTime"));
  EXPECT_FALSE(observations[0].contains("method"));
  EXPECT_EQ(observations[0]["dataAbsentReason"]["coding"][0]["code"], "not-performed");
  EXPECT_EQ(observations[1]["valueInteger"], 0);
  EXPECT_FALSE(observations[1].contains("interpretation"));
  EXPECT_FALSE(observations[1].contains("dataAbsentReason"));

  // No substances: no Observation, no supportingInfo.
  v1::ProviderReferral none = ExampleReferral();
  none.mutable_clinical()->clear_substances();
  bundle = Parse(BundleOf(none));
  EXPECT_THAT(Resources(bundle, "Observation"), SizeIs(0));
  EXPECT_FALSE(Only(bundle, "ServiceRequest").contains("supportingInfo"));
}

TEST(Bundle, AnAppointmentOnlyOnceOneIsSet) {
  Json bundle = Parse(BundleOf(ExampleReferral()));
  EXPECT_THAT(Resources(bundle, "Appointment"), SizeIs(0));

  v1::ProviderReferral accepted = ExampleReferral();
  accepted.set_state(v1::REFERRAL_STATE_ACCEPTED);
  accepted.mutable_appointment_time()->set_seconds(1715308200);
  bundle = Parse(BundleOf(accepted));
  EXPECT_THAT(EntryTypes(bundle),
              ElementsAre("ServiceRequest", "Task", "Observation", "Observation", "Observation",
                          "Appointment", "Patient", "Organization"));
  Json appointment = Only(bundle, "Appointment");
  EXPECT_EQ(appointment["status"], "booked");
  EXPECT_EQ(appointment["start"], "2024-05-10T02:30:00Z");
  EXPECT_EQ(appointment["end"], "2024-05-10T03:30:00Z");
  EXPECT_EQ(appointment["basedOn"][0]["reference"], FullUrlOf(bundle, "ServiceRequest"));
  ASSERT_THAT(appointment["participant"], SizeIs(2));
  EXPECT_EQ(appointment["participant"][0]["actor"]["reference"], FullUrlOf(bundle, "Patient"));
  EXPECT_EQ(appointment["participant"][1]["actor"]["reference"],
            "Location/b017aa54-f1df-4ec2-9d84-8823815d7228");
  EXPECT_EQ(bundle["entry"][5]["request"]["ifNoneExist"], kSearch);
  // The appointment is not Task.restriction (the requester's limit on fulfilment).
  EXPECT_FALSE(Only(bundle, "Task").contains("restriction"));
}

TEST(Bundle, TheTaskCarriesReasonsAttendanceAndOutcome) {
  std::map<std::string, Json> tasks;
  for (const Example& e : Examples())
    tasks[e.name] = Only(Parse(ReferralBundle(e.Input())), "Task");

  Json requested = tasks["requested-pseudonymous"];
  EXPECT_EQ(requested["intent"], "order");
  EXPECT_EQ(requested["authoredOn"], "2024-05-03T02:15:00Z");
  EXPECT_EQ(requested["lastModified"], "2024-05-03T02:15:00Z");
  EXPECT_EQ(requested["owner"]["reference"], "Organization/10000004");
  for (const char* absent :
       {"statusReason", "businessStatus", "executionPeriod", "output", "note"}) {
    EXPECT_FALSE(requested.contains(absent)) << absent;
  }
  EXPECT_FALSE(tasks["draft"].contains("authoredOn"));

  Json rejected = tasks["rejected"];
  EXPECT_EQ(rejected["statusReason"]["coding"][0]["system"], std::string(kRejectionReasonSystem));
  EXPECT_EQ(rejected["statusReason"]["coding"][0]["code"], "no-capacity");
  EXPECT_EQ(rejected["statusReason"]["text"],
            "Konselor adiksi cuti sampai Juli; coba Puskesmas Padasuka.");
  EXPECT_EQ(tasks["failed-did-not-attend"]["statusReason"]["coding"][0]["code"],
            "client-did-not-attend");
  EXPECT_EQ(tasks["cancelled"]["statusReason"],
            Json({{"text", "Klien pindah ke Kabupaten Garut."}}));
  EXPECT_EQ(tasks["entered-in-error"]["statusReason"]["text"],
            "Rujukan dibuat untuk klien yang salah.");

  Json in_progress = tasks["in-progress"];
  // The latest attendance is the missed one; service started at the first visit.
  EXPECT_EQ(in_progress["businessStatus"]["coding"][0]["system"], std::string(kAttendanceSystem));
  EXPECT_EQ(in_progress["businessStatus"]["coding"][0]["code"], "did-not-attend");
  EXPECT_EQ(in_progress["executionPeriod"], Json({{"start", "2024-05-10T02:30:00Z"}}));
  ASSERT_THAT(in_progress["note"], SizeIs(1));
  EXPECT_EQ(in_progress["note"][0]["time"], "2024-05-10T02:30:00Z");
  EXPECT_EQ(in_progress["note"][0]["text"],
            "Hadir; konseling pertama, rencana rawat jalan 8 minggu.");

  // A missed first appointment, then a visit, reported out of order: service starts at the
  // visit, and the latest attendance is the visit.
  v1::ProviderReferral rescheduled = ExampleReferral();
  rescheduled.set_state(v1::REFERRAL_STATE_IN_PROGRESS);
  v1::Attendance* visit = rescheduled.add_attendances();
  visit->set_status(v1::Attendance::STATUS_ATTENDED);
  visit->mutable_visit_time()->set_seconds(1715567400);
  v1::Attendance* missed = rescheduled.add_attendances();
  missed->set_status(v1::Attendance::STATUS_DID_NOT_ATTEND);
  missed->mutable_visit_time()->set_seconds(1715308200);
  Json task = Only(Parse(BundleOf(rescheduled)), "Task");
  EXPECT_EQ(task["executionPeriod"]["start"], "2024-05-13T02:30:00Z");
  EXPECT_EQ(task["businessStatus"]["coding"][0]["code"], "attended");
  EXPECT_FALSE(task.contains("note"));

  Json completed = tasks["completed-outcome"];
  EXPECT_EQ(completed["executionPeriod"]["end"], "2024-06-28");
  std::vector<std::string> outputs;
  for (const auto& output : completed["output"]) {
    std::string part = output["type"]["coding"][0]["code"];
    if (output.contains("valueCodeableConcept")) {
      outputs.push_back(part + "=" +
                        output["valueCodeableConcept"]["coding"][0]["code"].get<std::string>());
    } else {
      outputs.push_back(part + "=" + output["valueString"].get<std::string>());
    }
  }
  EXPECT_THAT(outputs,
              ElementsAre("result=service-completed", "next-step=return-to-unit", "diagnosis=F15.2",
                          "diagnosis=F12.1",
                          "summary=Rawat jalan selesai; urin negatif 4 minggu terakhir. Lanjut "
                          "pendampingan IBM."));
  Json onward = tasks["completed-referred-onward"]["output"];
  EXPECT_EQ(onward[0]["valueCodeableConcept"]["coding"][0]["code"], "referred-onward");
  EXPECT_EQ(onward.back()["valueReference"]["identifier"]["value"], "providers/r8k2m4x7qa");
}

TEST(Bundle, AProviderWithoutSatusehatIdsIsReferredToByItsDirectoryName) {
  v1::Provider provider = ExampleProvider();
  provider.clear_satusehat_organization_id();
  provider.clear_satusehat_location_id();
  v1::ProviderReferral accepted = ExampleReferral();
  accepted.mutable_appointment_time()->set_seconds(1715308200);
  Json bundle = Parse(BundleOf(accepted, provider));
  Json performer = Only(bundle, "ServiceRequest")["performer"][0];
  EXPECT_FALSE(performer.contains("reference"));
  EXPECT_EQ(performer["type"], "Organization");
  EXPECT_EQ(performer["identifier"]["value"], "providers/p3x7k2m9qa");
  EXPECT_EQ(performer["display"], "Puskesmas Cibeunying Kidul");
  EXPECT_EQ(Only(bundle, "Task")["owner"], performer);
  EXPECT_FALSE(Only(bundle, "ServiceRequest").contains("locationReference"));
  EXPECT_THAT(Only(bundle, "Appointment")["participant"], SizeIs(1));
}

TEST(Bundle, TheRequesterIsTheSatkerWithItsOfficer) {
  Example example = Examples()[1];
  ASSERT_EQ(example.name, "requested-pseudonymous");
  Json org = Only(Parse(ReferralBundle(example.Input())), "Organization");
  EXPECT_THAT(IdentifierValues(org, std::string(kSatkerSystem)), ElementsAre("satkers/bnnk-32.73"));
  EXPECT_EQ(org["name"], "BNN Kota Bandung");
  EXPECT_EQ(org["contact"][0]["extension"][0]["valueIdentifier"]["value"],
            "satkers/bnnk-32.73/officers/o4k2m7x9qa");
  EXPECT_EQ(org["contact"][0]["name"]["text"], "Rina Marlina, S.Psi.");
  EXPECT_EQ(org["contact"][0]["telecom"][0]["value"], "+62 22 7207437");
}

TEST(Bundle, NoExampleHasAnEmptyElementOrADanglingReference) {
  for (const Example& example : Examples()) {
    SCOPED_TRACE(example.name);
    const std::string text = ReferralBundle(example.Input());
    Json bundle = Parse(text);
    std::vector<std::string> empty;
    CollectEmpty(bundle, "Bundle", empty);
    EXPECT_THAT(empty, SizeIs(0)) << ::testing::PrintToString(empty);
    std::set<std::string> full_urls;
    for (const auto& entry : bundle["entry"]) full_urls.insert(entry["fullUrl"]);
    std::vector<std::string> references;
    CollectReferences(bundle, references);
    for (const std::string& ref : references) {
      if (ref.rfind("urn:uuid:", 0) == 0) {
        EXPECT_TRUE(full_urls.count(ref)) << ref;
      }
    }
    // Region codes go out undotted, never as the suite's resource names.
    EXPECT_THAT(text, Not(HasSubstr("regions/")));
    if (!example.referral.subject().has_identity()) ExpectPseudonymous(text);
  }
}

TEST(WithdrawalPatch, IsAJsonPatchOfTheTasksStatusReasonAndTime) {
  EXPECT_EQ(kJsonPatchContentType, "application/json-patch+json");
  EXPECT_EQ(Parse(WithdrawalPatch(Withdrawal::kCancelled, "Klien pindah.",
                                  absl::FromUnixSeconds(1715000000))),
            Json::parse(R"([
              {"op": "replace", "path": "/status", "value": "cancelled"},
              {"op": "add", "path": "/statusReason", "value": {"text": "Klien pindah."}},
              {"op": "add", "path": "/lastModified", "value": "2024-05-06T12:53:20Z"}
            ])"));
  EXPECT_EQ(Parse(WithdrawalPatch(Withdrawal::kEnteredInError, "", absl::InfinitePast())),
            Json::parse(R"([{"op": "replace", "path": "/status", "value": "entered-in-error"}])"));
}

// A provider's Task with `status` and what else is given.
std::string TaskJson(const std::string& status, Json more = Json::object()) {
  Json task = {{"resourceType", "Task"}, {"status", status}, {"intent", "order"}};
  task.update(more);
  return task.dump();
}

TEST(ReadBack, EachTaskStatusMovesTheReferralOrNot) {
  const Json outcome = {
      {"output",
       Json::array({{{"type",
                      {{"coding", Json::array({{{"system", std::string(kTaskOutputSystem)},
                                                {"code", "result"}}})}}},
                     {"valueCodeableConcept",
                      {{"coding", Json::array({{{"system", std::string(kOutcomeResultSystem)},
                                                {"code", "left-against-advice"}}})}}}}})}};
  struct Row {
    const char* status;
    v1::ReferralState current;
    v1::ReferralState want;
    bool problem;
    Json more = Json::object();
  };
  using S = v1::ReferralState;
  const S requested = v1::REFERRAL_STATE_REQUESTED, received = v1::REFERRAL_STATE_RECEIVED,
          accepted = v1::REFERRAL_STATE_ACCEPTED, in_progress = v1::REFERRAL_STATE_IN_PROGRESS,
          none = v1::REFERRAL_STATE_UNSPECIFIED;
  const Row rows[] = {
      {"draft", requested, none, false},
      {"requested", requested, none, false},
      {"received", requested, v1::REFERRAL_STATE_RECEIVED, false},
      {"accepted", received, v1::REFERRAL_STATE_ACCEPTED, false},
      {"rejected", received, v1::REFERRAL_STATE_REJECTED, false},
      {"ready", received, none, false},
      {"in-progress", accepted, v1::REFERRAL_STATE_IN_PROGRESS, false},
      {"on-hold", in_progress, none, false},
      {"completed", in_progress, v1::REFERRAL_STATE_COMPLETED, false, outcome},
      {"completed", in_progress, none, true},  // without an outcome result
      {"cancelled", accepted, none, false},
      {"entered-in-error", accepted, none, false},
      {"failed", requested, v1::REFERRAL_STATE_REJECTED, false},
      {"failed", received, v1::REFERRAL_STATE_REJECTED, false},
      {"failed", accepted, none, true},
      {"failed", in_progress, none, true},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.status) + " from " + v1::ReferralState_Name(row.current));
    auto read = ParseTaskReadBack(TaskJson(row.status, row.more), row.current);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->status, row.status);
    EXPECT_EQ(read->state, row.want);
    EXPECT_EQ(read->problem.empty(), !row.problem) << read->problem;
    EXPECT_EQ(read->rejection_reason, row.want == v1::REFERRAL_STATE_REJECTED
                                          ? v1::REJECTION_REASON_OTHER
                                          : v1::REJECTION_REASON_UNSPECIFIED);
  }
}

TEST(ReadBack, AFailedTaskBeforeAcceptanceIsARejectionWithItsReason) {
  auto read = ParseTaskReadBack(
      TaskJson("failed", {{"statusReason", {{"text", "Tidak ada psikiater bulan ini"}}}}),
      v1::REFERRAL_STATE_RECEIVED);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state, v1::REFERRAL_STATE_REJECTED);
  EXPECT_EQ(read->rejection_reason, v1::REJECTION_REASON_OTHER);
  EXPECT_EQ(read->status_reason, "Tidak ada psikiater bulan ini");

  read =
      ParseTaskReadBack(TaskJson("failed", {{"statusReason", {{"text", "Klien dirujuk ke RSJ"}}}}),
                        v1::REFERRAL_STATE_ACCEPTED);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state, v1::REFERRAL_STATE_UNSPECIFIED);
  EXPECT_EQ(read->problem,
            "the provider's Task is failed after acceptance (not applied): Klien dirujuk ke RSJ");
}

TEST(ReadBack, ReadsBackWhatTheBundleWrites) {
  std::map<std::string, Example> examples;
  for (Example& e : Examples()) examples.emplace(e.name, std::move(e));
  auto task_of = [&](const std::string& name) {
    return Only(Parse(ReferralBundle(examples.at(name).Input())), "Task").dump();
  };

  auto rejected = ParseTaskReadBack(task_of("rejected"), v1::REFERRAL_STATE_RECEIVED);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->state, v1::REFERRAL_STATE_REJECTED);
  EXPECT_EQ(rejected->rejection_reason, v1::REJECTION_REASON_NO_CAPACITY);
  EXPECT_EQ(rejected->status_reason, "Konselor adiksi cuti sampai Juli; coba Puskesmas Padasuka.");

  auto in_progress = ParseTaskReadBack(task_of("in-progress"), v1::REFERRAL_STATE_ACCEPTED);
  ASSERT_TRUE(in_progress.ok()) << in_progress.status();
  EXPECT_EQ(in_progress->state, v1::REFERRAL_STATE_IN_PROGRESS);
  EXPECT_EQ(in_progress->business_status, "did-not-attend");
  EXPECT_EQ(in_progress->execution_start, absl::FromUnixSeconds(1715308200));
  EXPECT_FALSE(in_progress->execution_end.has_value());
  EXPECT_FALSE(in_progress->outcome.has_value());

  auto completed = ParseTaskReadBack(task_of("completed-outcome"), v1::REFERRAL_STATE_IN_PROGRESS);
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_EQ(completed->state, v1::REFERRAL_STATE_COMPLETED);
  ASSERT_TRUE(completed->outcome.has_value());
  const v1::ReferralOutcome& want = examples.at("completed-outcome").referral.outcome();
  EXPECT_EQ(completed->outcome->result(), want.result());
  EXPECT_EQ(completed->outcome->next_step(), want.next_step());
  EXPECT_THAT(completed->outcome->diagnoses_icd10(), ElementsAre("F15.2", "F12.1"));
  EXPECT_EQ(completed->outcome->summary(), want.summary());
  EXPECT_EQ(completed->outcome->end_date().year(), 2024);
  EXPECT_EQ(completed->outcome->end_date().month(), 6);
  EXPECT_EQ(completed->outcome->end_date().day(), 28);
  EXPECT_EQ(completed->execution_end, absl::FromUnixSeconds(1719532800));  // 2024-06-28

  auto onward =
      ParseTaskReadBack(task_of("completed-referred-onward"), v1::REFERRAL_STATE_IN_PROGRESS);
  ASSERT_TRUE(onward.ok()) << onward.status();
  EXPECT_EQ(onward->outcome->result(), v1::ReferralOutcome::RESULT_REFERRED_ONWARD);
  EXPECT_EQ(onward->outcome->onward_provider(), "providers/r8k2m4x7qa");
}

TEST(ReadBack, AProvidersOwnTimesAndDatesAreRead) {
  auto read = ParseTaskReadBack(
      TaskJson(
          "completed",
          {{"executionPeriod",
            {{"start", "2024-05-10T09:30:00+07:00"}, {"end", "2024-06-28T16:00:00+07:00"}}},
           {"businessStatus", {{"text", "selesai"}}},
           {"output",
            Json::array({{{"type", {{"text", "catatan"}}}, {"valueString", "?"}},
                         {{"type", {{"text", "hasil"}}},
                          {"valueCodeableConcept",
                           {{"coding", Json::array({{{"system", std::string(kOutcomeResultSystem)},
                                                     {"code", "disengaged"}}})}}}}})}}),
      v1::REFERRAL_STATE_IN_PROGRESS);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->execution_start, absl::FromUnixSeconds(1715308200));
  EXPECT_EQ(read->business_status, "selesai");
  EXPECT_EQ(read->outcome->result(), v1::ReferralOutcome::RESULT_DISENGAGED);
  // A string is the summary only when the output says so.
  EXPECT_EQ(read->outcome->summary(), "");
  // The last day of service is the provider's own day, not UTC's.
  EXPECT_EQ(read->outcome->end_date().day(), 28);
}

TEST(ReadBack, MisshapenOptionalElementsDoNotHoldUpTheStatus) {
  auto read = ParseTaskReadBack(TaskJson("accepted", {{"note", 5},
                                                      {"statusReason", "busy"},
                                                      {"executionPeriod", {{"start", "soon"}}},
                                                      {"output", {{"type", 1}}},
                                                      {"businessStatus", Json::array()}}),
                                v1::REFERRAL_STATE_RECEIVED);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state, v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ(read->status_reason, "");
  EXPECT_FALSE(read->execution_start.has_value());
  EXPECT_FALSE(read->outcome.has_value());
}

TEST(ReadBack, WhatIsNotATaskIsInvalidArgumentWithoutItsContent) {
  const std::string not_tasks[] = {
      "",
      "{",
      "Budi Santoso 3273011403980001",
      "[]",
      R"({"resourceType": "Patient", "name": [{"text": "Budi Santoso"}]})",
      R"({"resourceType": "Task", "note": [{"text": "Budi Santoso"}]})",
      R"({"resourceType": "Task", "status": "Budi Santoso"})",
      R"({"resourceType": "Task", "status": 3})",
      R"({"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]})",
  };
  for (const std::string& text : not_tasks) {
    SCOPED_TRACE(text);
    auto read = ParseTaskReadBack(text, v1::REFERRAL_STATE_RECEIVED);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(read.status().message(), Not(HasSubstr("Budi")));
    EXPECT_THAT(read.status().message(), Not(HasSubstr("3273")));
    EXPECT_LE(read.status().message().size(), 80u);
  }
}

TEST(OperationOutcomeText, IsTheIssuesTextOnOneBoundedLine) {
  EXPECT_EQ(OperationOutcomeText(R"({"resourceType": "OperationOutcome", "issue": [
      {"severity": "error", "code": "invalid", "details": {"text": "Patient.birthDate: bad"},
       "diagnostics": "at line 3"},
      {"severity": "error", "code": "required", "diagnostics": "Task.owner\nis required"},
      {"severity": "warning", "code": "processing",
       "details": {"coding": [{"system": "x", "code": "MSG_X", "display": "Unknown code"}]}},
      {"severity": "information", "code": "informational"}]})"),
            "Patient.birthDate: bad; Task.owner is required; Unknown code");

  std::string long_text(2000, 'x');
  std::string cut = OperationOutcomeText(
      Json({{"resourceType", "OperationOutcome"},
            {"issue", Json::array({{{"severity", "error"}, {"diagnostics", long_text}}})}})
          .dump());
  EXPECT_EQ(cut.size(), 500u);
  EXPECT_THAT(cut, ::testing::EndsWith("..."));

  EXPECT_EQ(OperationOutcomeText(""), "");
  EXPECT_EQ(OperationOutcomeText("<html>502 Bad Gateway</html>"), "");
  EXPECT_EQ(OperationOutcomeText(R"({"resourceType": "Task", "status": "failed"})"), "");
  EXPECT_EQ(OperationOutcomeText(R"({"resourceType": "OperationOutcome"})"), "");
  EXPECT_EQ(OperationOutcomeText(R"({"resourceType": "OperationOutcome", "issue": "x"})"), "");
}

}  // namespace
}  // namespace ibm::referrals::fhir
