#include "referrals/fhir/bundle.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "base/crypto.h"
#include "domain/region_code.h"

namespace ibm::referrals::fhir {
namespace {

// Insertion-ordered, so resources read as the FHIR spec lists their elements.
using Json = nlohmann::ordered_json;
using domain::RegionCode;
using domain::RegionLevel;

// The docs' display of every ASSIST Observation's code.
constexpr absl::string_view kAssistScoreDisplay =
    "ASSIST v3.1 specific substance involvement score";
// R4 Appointment (app-2, app-3) wants an end with the start of a booked appointment; the
// provider gives only the time, so the slot is a nominal hour.
constexpr absl::Duration kNominalAppointmentLength = absl::Hours(1);

// FHIR forbids empty strings, arrays and objects (json.html): every element goes through
// Put or Append, which leave an empty value out rather than write it.
bool IsEmpty(const Json& value) {
  if (value.is_null()) return true;
  if (value.is_string()) return value.get_ref<const std::string&>().empty();
  if (value.is_array() || value.is_object()) return value.empty();
  return false;
}
void Put(Json& object, const char* key, Json value) {
  if (!IsEmpty(value)) object[key] = std::move(value);
}
void Append(Json& array, Json value) {
  if (!IsEmpty(value)) array.push_back(std::move(value));
}
Json ArrayOf(Json value) {
  Json array = Json::array();
  Append(array, std::move(value));
  return array;
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}
// FHIR instant (and dateTime), always in UTC with 'Z'.
std::string Instant(absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}
std::string Instant(const google::protobuf::Timestamp& t) { return Instant(FromProto(t)); }
// FHIR date, as precise as the Date is (a year alone, a month, a day); "" without a year.
std::string FhirDate(const google::type::Date& d) {
  if (d.year() <= 0) return "";
  if (d.month() <= 0) return absl::StrFormat("%04d", d.year());
  if (d.day() <= 0) return absl::StrFormat("%04d-%02d", d.year(), d.month());
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

Json Coding(absl::string_view system, absl::string_view code, absl::string_view display = "") {
  if (code.empty()) return nullptr;
  Json coding = {{"system", std::string(system)}, {"code", std::string(code)}};
  Put(coding, "display", std::string(display));
  return coding;
}
Json Concept(Json coding, absl::string_view text = "") {
  Json codeable = Json::object();
  Put(codeable, "coding", ArrayOf(std::move(coding)));
  Put(codeable, "text", std::string(text));
  return codeable;
}
Json Identifier(absl::string_view system, absl::string_view value) {
  if (value.empty()) return nullptr;
  return {{"system", std::string(system)}, {"value", std::string(value)}};
}
Json Reference(absl::string_view reference) { return {{"reference", std::string(reference)}}; }

// fullUrls are urn:uuid (the transaction's placeholders for ids the server assigns), derived
// from the referral's name so that the same referral always makes the same Bundle: an RFC
// 9562 version 8 UUID (custom: a name-based one over SHA-256).
std::string UrnUuid(absl::string_view referral, absl::string_view part) {
  std::string h = platform::Sha256Hex(absl::StrCat("ibm-fhir-bundle\n", referral, "\n", part));
  h[12] = '8';
  h[16] = "89ab"[(h[16] <= '9' ? h[16] - '0' : h[16] - 'a' + 10) & 3];
  return absl::StrCat("urn:uuid:", h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4), "-",
                      h.substr(16, 4), "-", h.substr(20, 12));
}

std::string ReferralSearch(absl::string_view referral) {
  return absl::StrCat("identifier=", kReferralSystem, "|", referral);
}

// A conditional create: POST unless a resource of the type matches `if_none_exist`.
Json Entry(absl::string_view full_url, Json resource, std::string if_none_exist) {
  std::string type = resource["resourceType"];
  return {{"fullUrl", std::string(full_url)},
          {"resource", std::move(resource)},
          {"request", {{"method", "POST"}, {"url", type}, {"ifNoneExist", if_none_exist}}}};
}

absl::string_view Priority(v1::Urgency urgency) {
  switch (urgency) {
    case v1::URGENCY_ROUTINE:
      return "routine";
    case v1::URGENCY_URGENT:
      return "urgent";
    case v1::URGENCY_ASAP:
      return "asap";
    default:
      return "";
  }
}

absl::string_view Gender(v1::SubjectSex sex) {
  switch (sex) {
    case v1::SUBJECT_SEX_MALE:
      return "male";
    case v1::SUBJECT_SEX_FEMALE:
      return "female";
    default:
      return "";  // not given: left out rather than claimed `unknown`
  }
}

// The administrativeCode extension (SATUSEHAT) of a `regions/{code}`, down to `deepest`:
// province `32`, city `3273`, district `327304`, village `3273041001`.
Json AdministrativeCode(absl::string_view region_name, RegionLevel deepest) {
  absl::string_view code = region_name;
  if (!absl::ConsumePrefix(&code, "regions/")) return nullptr;
  auto region = RegionCode::Parse(code);
  if (!region.ok()) return nullptr;
  static constexpr const char* kParts[] = {"province", "city", "district", "village"};
  Json parts = Json::array();
  int levels = std::min(static_cast<int>(region->level()), static_cast<int>(deepest));
  for (int level = 1; level <= levels; ++level) {
    std::string undotted =
        absl::StrReplaceAll(region->Ancestor(static_cast<RegionLevel>(level)).str(), {{".", ""}});
    parts.push_back({{"url", kParts[level - 1]}, {"valueCode", undotted}});
  }
  return {{"url", std::string(kAdministrativeCodeExtension)}, {"extension", std::move(parts)}};
}

// The two identifiers of the referral itself (ServiceRequest, Task).
Json ReferralIdentifiers(const v1::ProviderReferral& r) {
  Json ids = Json::array();
  Append(ids, Identifier(kReferralSystem, r.name()));
  Append(ids, Identifier(kReferralCodeSystem, r.referral_code()));
  return ids;
}

// The provider as performer and owner: its SATUSEHAT Organization when it has one, and its
// directory name either way, so the reference is never empty.
Json ProviderReference(const v1::Provider& provider) {
  Json ref = Json::object();
  if (!provider.satusehat_organization_id().empty()) {
    ref["reference"] = absl::StrCat("Organization/", provider.satusehat_organization_id());
  } else {
    ref["type"] = "Organization";
  }
  Put(ref, "identifier", Identifier(kProviderSystem, provider.name()));
  Put(ref, "display", provider.display_name());
  return ref;
}

Json ServiceConcept(v1::ServiceType type) {
  return Concept(Coding(kServiceTypeSystem, EnumCode(type)));
}

// The resources' fullUrls within one Bundle.
struct Urls {
  std::string service_request, task, patient, organization, appointment;
};

Json ServiceRequest(const BundleInput& in, const Urls& urls, const Json& observation_urls) {
  const v1::ProviderReferral& r = in.referral;
  Json sr = {{"resourceType", "ServiceRequest"}};
  Put(sr, "identifier", ReferralIdentifiers(r));
  sr["status"] = std::string(ServiceRequestStatus(r.state()));
  sr["intent"] = "order";
  Put(sr, "category", ArrayOf(ServiceConcept(r.service_type())));
  Put(sr, "priority", std::string(Priority(r.urgency())));
  Put(sr, "code", ServiceConcept(r.service_type()));
  sr["subject"] = Reference(urls.patient);
  if (r.has_submit_time()) Put(sr, "authoredOn", Instant(r.submit_time()));
  sr["requester"] = Reference(urls.organization);
  Put(sr, "performer", ArrayOf(ProviderReference(in.provider)));
  if (!in.provider.satusehat_location_id().empty()) {
    sr["locationReference"] =
        Json::array({Reference(absl::StrCat("Location/", in.provider.satusehat_location_id()))});
  }
  Json reasons = Json::array();
  Append(reasons, Concept(Coding(kReferralReasonSystem, EnumCode(r.reason())), r.reason_detail()));
  Append(reasons, Concept(Coding(kIcd10System, r.clinical().diagnosis_icd10())));
  Put(sr, "reasonCode", std::move(reasons));
  Json supporting = Json::array();
  for (const auto& url : observation_urls) supporting.push_back(Reference(url.get<std::string>()));
  Put(sr, "supportingInfo", std::move(supporting));
  if (!r.clinical().note().empty()) sr["note"] = Json::array({{{"text", r.clinical().note()}}});
  return sr;
}

Json StatusReason(const BundleInput& in) {
  switch (in.referral.state()) {
    case v1::REFERRAL_STATE_REJECTED:
      return Concept(Coding(kRejectionReasonSystem, EnumCode(in.rejection_reason)),
                     in.state_reason_detail);
    case v1::REFERRAL_STATE_FAILED:
      return Concept(Coding(kFailureReasonSystem, EnumCode(in.failure_reason)),
                     in.state_reason_detail);
    case v1::REFERRAL_STATE_CANCELLED:
    case v1::REFERRAL_STATE_ENTERED_IN_ERROR:
      return Concept(nullptr, in.referral.withdrawal_reason());
    default:
      return nullptr;
  }
}

// Task.output: the provider's report, one output per part.
Json Outputs(const v1::ReferralOutcome& outcome) {
  Json outputs = Json::array();
  auto add = [&outputs](absl::string_view part, const char* value_key, Json value) {
    if (IsEmpty(value)) return;
    outputs.push_back(
        {{"type", Concept(Coding(kTaskOutputSystem, part))}, {value_key, std::move(value)}});
  };
  add("result", "valueCodeableConcept",
      Concept(Coding(kOutcomeResultSystem, EnumCode(outcome.result()))));
  add("next-step", "valueCodeableConcept",
      Concept(Coding(kNextStepSystem, EnumCode(outcome.next_step()))));
  for (const auto& code : outcome.diagnoses_icd10()) {
    add("diagnosis", "valueCodeableConcept", Concept(Coding(kIcd10System, code)));
  }
  add("summary", "valueString", outcome.summary());
  // The docs ask for "a new ServiceRequest reference": that order is the provider's to make
  // (one of ours would collide with this referral's conditional create), so the output names
  // the onward provider, the one thing this referral knows of it.
  if (!outcome.onward_provider().empty()) {
    add("onward-provider", "valueReference",
        {{"type", "Organization"},
         {"identifier", Identifier(kProviderSystem, outcome.onward_provider())}});
  }
  return outputs;
}

Json Task(const BundleInput& in, const Urls& urls) {
  const v1::ProviderReferral& r = in.referral;
  Json task = {{"resourceType", "Task"}};
  Put(task, "identifier", ReferralIdentifiers(r));
  task["basedOn"] = Json::array({Reference(urls.service_request)});
  task["status"] = std::string(TaskStatus(r.state()));
  Put(task, "statusReason", StatusReason(in));

  // The latest attendance, and the first visit (the start of service).
  const v1::Attendance* latest = nullptr;
  std::optional<absl::Time> first_visit;
  for (const auto& a : r.attendances()) {
    if (latest == nullptr || FromProto(a.visit_time()) >= FromProto(latest->visit_time())) {
      latest = &a;
    }
    if (a.status() == v1::Attendance::STATUS_ATTENDED &&
        (!first_visit || FromProto(a.visit_time()) < *first_visit)) {
      first_visit = FromProto(a.visit_time());
    }
  }
  if (latest != nullptr) {
    Put(task, "businessStatus", Concept(Coding(kAttendanceSystem, EnumCode(latest->status()))));
  }
  task["intent"] = "order";
  Put(task, "priority", std::string(Priority(r.urgency())));
  task["for"] = Reference(urls.patient);
  Json period = Json::object();
  if (first_visit) Put(period, "start", Instant(*first_visit));
  if (r.has_outcome()) Put(period, "end", FhirDate(r.outcome().end_date()));
  Put(task, "executionPeriod", std::move(period));
  if (r.has_submit_time()) Put(task, "authoredOn", Instant(r.submit_time()));
  Put(task, "lastModified", Instant(in.last_modified));
  task["requester"] = Reference(urls.organization);
  Put(task, "owner", ProviderReference(in.provider));
  Json notes = Json::array();
  for (const auto& a : r.attendances()) {
    if (a.note().empty()) continue;
    Json note = Json::object();
    if (a.has_visit_time()) note["time"] = Instant(a.visit_time());
    note["text"] = a.note();
    notes.push_back(std::move(note));
  }
  Put(task, "note", std::move(notes));
  if (r.has_outcome()) Put(task, "output", Outputs(r.outcome()));
  return task;
}

Json Observation(const BundleInput& in, const v1::SubstanceSummary& substance, const Urls& urls) {
  const v1::ClinicalSummary& clinical = in.referral.clinical();
  Json obs = {{"resourceType", "Observation"}};
  Put(obs, "identifier", ArrayOf(Identifier(kReferralSystem, in.referral.name())));
  obs["status"] = "final";
  obs["category"] = Json::array(
      {Concept(Coding("http://terminology.hl7.org/CodeSystem/observation-category", "survey"))});
  obs["code"] =
      Concept(Coding(kAssistSubstanceSystem, substance.substance_code(), kAssistScoreDisplay));
  obs["subject"] = Reference(urls.patient);
  if (clinical.has_screening_date()) {
    Put(obs, "effectiveDateTime", FhirDate(clinical.screening_date()));
  }
  if (substance.has_involvement_score()) {
    obs["valueInteger"] = substance.involvement_score();
  } else {
    // Used (from the case's use history) but not screened: say so rather than leave the
    // provider to guess why there is no score.
    obs["dataAbsentReason"] = Concept(
        Coding("http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-performed"));
  }
  Put(obs, "interpretation",
      ArrayOf(Concept(Coding(kAssistRiskSystem, EnumCode(substance.risk())))));
  if (!clinical.assist_scoring_version().empty()) {
    obs["method"] = {{"text", clinical.assist_scoring_version()}};
  }
  return obs;
}

Json Appointment(const BundleInput& in, const Urls& urls) {
  const v1::ProviderReferral& r = in.referral;
  absl::Time start = FromProto(r.appointment_time());
  Json appointment = {{"resourceType", "Appointment"}};
  Put(appointment, "identifier", ArrayOf(Identifier(kReferralSystem, r.name())));
  appointment["status"] = "booked";
  Put(appointment, "serviceType", ArrayOf(ServiceConcept(r.service_type())));
  appointment["start"] = Instant(start);
  appointment["end"] = Instant(start + kNominalAppointmentLength);
  appointment["basedOn"] = Json::array({Reference(urls.service_request)});
  Json participants = Json::array({{{"actor", Reference(urls.patient)}, {"status", "accepted"}}});
  if (!in.provider.satusehat_location_id().empty()) {
    participants.push_back(
        {{"actor", Reference(absl::StrCat("Location/", in.provider.satusehat_location_id()))},
         {"status", "accepted"}});
  }
  appointment["participant"] = std::move(participants);
  return appointment;
}

// The client: a pseudonym unless `subject.identity` is there.
Json Patient(const v1::ProviderReferral& r) {
  const v1::ReferralSubject& subject = r.subject();
  const bool identified = subject.has_identity();
  const v1::ReferralIdentity& identity = subject.identity();
  Json patient = {{"resourceType", "Patient"}};
  Json ids = Json::array();
  Append(ids, Identifier(kReferralSystem, r.name()));
  if (identified) Append(ids, Identifier(kNikSystem, identity.nik()));
  Append(ids, Identifier(kReferralCodeSystem, r.referral_code()));
  Put(patient, "identifier", std::move(ids));
  if (identified && !identity.full_name().empty()) {
    patient["name"] = Json::array({{{"use", "official"}, {"text", identity.full_name()}}});
  }
  if (identified && !identity.phone().empty()) {
    patient["telecom"] =
        Json::array({{{"system", "phone"}, {"value", identity.phone()}, {"use", "mobile"}}});
  }
  Put(patient, "gender", std::string(Gender(subject.sex())));
  std::string birth_date = identified ? FhirDate(identity.birth_date()) : "";
  if (birth_date.empty() && subject.birth_year() > 0) {
    birth_date = absl::StrFormat("%04d", subject.birth_year());
  }
  Put(patient, "birthDate", birth_date);

  // The home: the village and street only when identified (a village can single a person
  // out), else the regency.
  Json address = {{"use", "home"}};
  Json region;
  if (identified) {
    region = AdministrativeCode(identity.home_village(), RegionLevel::kVillage);
    if (!identity.address_line().empty()) {
      address["line"] = Json::array({identity.address_line()});
    }
  }
  if (region.is_null()) region = AdministrativeCode(subject.home_regency(), RegionLevel::kRegency);
  Put(address, "extension", ArrayOf(std::move(region)));
  if (address.size() > 1) patient["address"] = Json::array({std::move(address)});

  if (identified && (!identity.guardian_name().empty() || !identity.guardian_phone().empty())) {
    Json guardian = {
        {"relationship",
         Json::array({Concept(
             Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "GUARD", "guardian"))})}};
    if (!identity.guardian_name().empty()) {
      guardian["name"] = {{"text", identity.guardian_name()}};
    }
    if (!identity.guardian_phone().empty()) {
      guardian["telecom"] =
          Json::array({{{"system", "phone"}, {"value", identity.guardian_phone()}}});
    }
    patient["contact"] = Json::array({std::move(guardian)});
  }
  return patient;
}

// The referring satker, as this referral's requester, with the officer to contact.
Json Organization(const BundleInput& in) {
  const v1::ProviderReferral& r = in.referral;
  Json org = {{"resourceType", "Organization"}};
  Json ids = Json::array();
  Append(ids, Identifier(kSatkerSystem, r.referring_satker()));
  Append(ids, Identifier(kReferralSystem, r.name()));
  Put(org, "identifier", std::move(ids));
  org["type"] = Json::array(
      {Concept(Coding("http://terminology.hl7.org/CodeSystem/organization-type", "govt"))});
  Put(org, "name", in.satker_display_name);
  Json contact = Json::object();
  Json officer = Identifier(kOfficerSystem, r.referrer_officer());
  if (!officer.is_null()) {
    contact["extension"] = Json::array(
        {{{"url", std::string(kReferrerOfficerExtension)}, {"valueIdentifier", officer}}});
  }
  if (!in.officer_display_name.empty()) contact["name"] = {{"text", in.officer_display_name}};
  if (!in.officer_phone.empty()) {
    contact["telecom"] =
        Json::array({{{"system", "phone"}, {"value", in.officer_phone}, {"use", "work"}}});
  }
  Put(org, "contact", ArrayOf(std::move(contact)));
  return org;
}

std::string UpperSnake(absl::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    if (i > 0 && absl::ascii_isupper(camel[i])) out.push_back('_');
    out.push_back(absl::ascii_toupper(camel[i]));
  }
  return out;
}

}  // namespace

std::string EnumCode(const google::protobuf::EnumDescriptor& type, int number) {
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByNumber(number);
  if (number == 0 || value == nullptr) return "";
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, absl::StrCat(UpperSnake(type.name()), "_"));
  std::string code = absl::AsciiStrToLower(name);
  std::replace(code.begin(), code.end(), '_', '-');
  return code;
}

int EnumNumber(const google::protobuf::EnumDescriptor& type, absl::string_view code) {
  if (code.empty()) return 0;
  for (int i = 0; i < type.value_count(); ++i) {
    int number = type.value(i)->number();
    if (number != 0 && EnumCode(type, number) == code) return number;
  }
  return 0;
}

absl::string_view TaskStatus(v1::ReferralState state) {
  switch (state) {
    case v1::REFERRAL_STATE_DRAFT:
      return "draft";
    case v1::REFERRAL_STATE_REQUESTED:
      return "requested";
    case v1::REFERRAL_STATE_RECEIVED:
      return "received";
    case v1::REFERRAL_STATE_ACCEPTED:
      return "accepted";
    case v1::REFERRAL_STATE_REJECTED:
      return "rejected";
    case v1::REFERRAL_STATE_IN_PROGRESS:
      return "in-progress";
    case v1::REFERRAL_STATE_COMPLETED:
      return "completed";
    case v1::REFERRAL_STATE_CANCELLED:
      return "cancelled";
    case v1::REFERRAL_STATE_FAILED:
      return "failed";
    case v1::REFERRAL_STATE_ENTERED_IN_ERROR:
      return "entered-in-error";
    default:
      return "draft";
  }
}

absl::string_view ServiceRequestStatus(v1::ReferralState state) {
  switch (state) {
    case v1::REFERRAL_STATE_DRAFT:
      return "draft";
    case v1::REFERRAL_STATE_REQUESTED:
    case v1::REFERRAL_STATE_RECEIVED:
    case v1::REFERRAL_STATE_ACCEPTED:
    case v1::REFERRAL_STATE_IN_PROGRESS:
      return "active";
    case v1::REFERRAL_STATE_COMPLETED:
      return "completed";
    case v1::REFERRAL_STATE_REJECTED:
    case v1::REFERRAL_STATE_CANCELLED:
    case v1::REFERRAL_STATE_FAILED:
      return "revoked";
    case v1::REFERRAL_STATE_ENTERED_IN_ERROR:
      return "entered-in-error";
    default:
      return "unknown";
  }
}

std::string ReferralBundle(const BundleInput& in) {
  const v1::ProviderReferral& r = in.referral;
  const std::string& name = r.name();
  Urls urls{.service_request = UrnUuid(name, "ServiceRequest"),
            .task = UrnUuid(name, "Task"),
            .patient = UrnUuid(name, "Patient"),
            .organization = UrnUuid(name, "Organization"),
            .appointment = UrnUuid(name, "Appointment")};
  const std::string search = ReferralSearch(name);

  // One Observation per substance code: Observations share the referral's identifier, so
  // their conditional creates also search on the code, and a code listed twice would make
  // that search ambiguous (412 on every retry).
  Json observations = Json::array();
  Json observation_urls = Json::array();
  std::set<std::string> seen;
  for (const auto& substance : r.clinical().substances()) {
    const std::string& code = substance.substance_code();
    if (code.empty() || !seen.insert(code).second) continue;
    std::string url = UrnUuid(name, absl::StrCat("Observation/", code));
    observations.push_back(
        Entry(url, Observation(in, substance, urls),
              absl::StrCat(search, "&code=", kAssistSubstanceSystem, "|", code)));
    observation_urls.push_back(url);
  }

  Json entries = Json::array();
  entries.push_back(
      Entry(urls.service_request, ServiceRequest(in, urls, observation_urls), search));
  entries.push_back(Entry(urls.task, Task(in, urls), search));
  for (auto& entry : observations) entries.push_back(std::move(entry));
  if (r.has_appointment_time()) {
    entries.push_back(Entry(urls.appointment, Appointment(in, urls), search));
  }
  entries.push_back(Entry(urls.patient, Patient(r), search));
  entries.push_back(Entry(urls.organization, Organization(in), search));

  Json bundle = {{"resourceType", "Bundle"}, {"type", "transaction"}, {"entry", entries}};
  // Proto strings set in C++ need not be UTF-8: replace a bad byte rather than throw.
  return bundle.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ibm::referrals::fhir
