#include "cases/rules/clients.h"

#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "domain/satker_id.h"
#include "domain/unit_id.h"
#include "resource/fields.h"

namespace ibm::cases::rules {
namespace {

int Digits(absl::string_view text) {
  int n = 0;
  for (char c : text) n = n * 10 + (c - '0');
  return n;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

bool InFuture(const google::type::Date& d, absl::Time now) {
  const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  return absl::CivilDay(d.year(), d.month(), d.day()) > today;
}

// A time that must be set and not in the future (beyond the clock skew).
void CheckPastTime(platform::FieldViolations& v, const std::string& field, bool has,
                   const google::protobuf::Timestamp& t, absl::Time now) {
  if (!has) {
    v.Add(field, "is required");
  } else if (TimeOf(t) > now + kClockSkew) {
    v.Add(field, "must not be in the future");
  }
}

void CheckHash(platform::FieldViolations& v, const std::string& field, absl::string_view hash,
               bool required) {
  if (hash.empty()) {
    if (required) v.Add(field, "is required: the SHA-256 of the signed document");
  } else if (!IsSha256Hex(hash)) {
    v.Add(field, "must be 64 lowercase hex characters (SHA-256)");
  }
}

// Who may obtain consent: an agent of the client's unit, or an officer of a satker whose
// scope covers it (a name only; the person's record is the registry's).
bool MayObtainConsent(absl::string_view who, absl::string_view unit_id) {
  std::vector<absl::string_view> p = absl::StrSplit(who, '/');
  if (p.size() != 4 || p[3].empty()) return false;
  if (p[0] == "units" && p[2] == "agents") return p[1] == unit_id;
  if (p[0] != "satkers" || p[2] != "officers") return false;
  auto satker = domain::SatkerId::Parse(p[1]);
  auto unit = domain::UnitId::Parse(unit_id);
  if (!satker.ok() || !unit.ok()) return false;
  return !satker->region() || satker->region()->Contains(unit->village());
}

bool ValidPhone(absl::string_view phone) {
  if (phone.size() > 30) return false;
  for (char c : phone) {
    if (!absl::ascii_isdigit(c) && c != ' ' && c != '+' && c != '-') return false;
  }
  return true;
}

}  // namespace

bool IsVoluntary(v1::AdmissionPath path) {
  return path == v1::ADMISSION_PATH_VOLUNTARY_SELF_REPORT ||
         path == v1::ADMISSION_PATH_VOLUNTARY_FAMILY ||
         path == v1::ADMISSION_PATH_VOLUNTARY_COMMUNITY;
}

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

void CheckNik(platform::FieldViolations& v, absl::string_view field, absl::string_view nik) {
  bool digits = nik.size() == 16;
  for (char c : nik) digits = digits && absl::ascii_isdigit(c);
  if (!digits) {
    v.Add(field, "must be 16 digits (NIK)");
    return;
  }
  const int day = Digits(nik.substr(6, 2));
  const int month = Digits(nik.substr(8, 2));
  const bool day_ok = (day >= 1 && day <= 31) || (day >= 41 && day <= 71);
  if (!day_ok || month < 1 || month > 12) {
    v.Add(field, "must carry a possible birth date (day 01-31, or 41-71 for women; month 01-12)");
  } else if (nik.substr(12, 4) == "0000") {
    v.Add(field, "must not end in sequence 0000");
  }
}

void CheckClientFacts(platform::FieldViolations& v, const v1::Client& c, int current_year) {
  if (c.sex() != v1::SEX_MALE && c.sex() != v1::SEX_FEMALE) {
    v.Add("client.sex", "is required: SEX_MALE or SEX_FEMALE");
  }
  if (!c.has_birth_year()) {
    v.Add("client.birth_year", "is required");
  } else if (c.birth_year() < 1900 || c.birth_year() > current_year) {
    v.Add("client.birth_year", absl::StrCat("must be from 1900 to ", current_year));
  }
  if (!v1::AdmissionPath_IsValid(c.admission_path()) ||
      c.admission_path() == v1::ADMISSION_PATH_UNSPECIFIED) {
    v.Add("client.admission_path", "is required");
  }
}

void CheckConsent(platform::FieldViolations& v, absl::string_view prefix,
                  const v1::ConsentRecord& c, int birth_year, absl::string_view unit_id,
                  absl::Time now) {
  const std::string p(prefix);
  CheckPastTime(v, p + ".consent_time", c.has_consent_time(), c.consent_time(), now);
  const bool method_ok =
      v1::ConsentMethod_IsValid(c.method()) && c.method() != v1::CONSENT_METHOD_UNSPECIFIED;
  if (!method_ok) v.Add(p + ".method", "is required");
  if (!MayObtainConsent(c.obtained_by(), unit_id)) {
    v.Add(p + ".obtained_by",
          "must name an agent of the client's unit (units/{unit}/agents/{agent}) or an officer "
          "whose satker covers it (satkers/{satker}/officers/{officer})");
  }
  resource::CheckText(v, p + ".form_version", c.form_version(), 50, true);
  std::set<int> purposes;
  bool purposes_ok = c.purposes_size() > 0;
  for (int purpose : c.purposes()) {
    purposes_ok = purposes_ok && v1::ConsentPurpose_IsValid(purpose) &&
                  purpose != v1::CONSENT_PURPOSE_UNSPECIFIED && purposes.insert(purpose).second;
  }
  if (!purposes_ok || !purposes.count(v1::CONSENT_PURPOSE_SERVICES)) {
    v.Add(p + ".purposes", "must list SERVICES and other purposes once each");
  }
  const bool verbal = c.method() == v1::CONSENT_METHOD_VERBAL_WITNESSED;
  CheckHash(v, p + ".document_sha256", c.document_sha256(), method_ok && !verbal);
  if (verbal && c.witness().empty()) {
    v.Add(p + ".witness", "is required for verbal consent");
  } else if (!verbal && !c.witness().empty()) {
    v.Add(p + ".witness", "is only for verbal consent");
  } else {
    resource::CheckText(v, p + ".witness", c.witness(), 200, false);
  }
  if (c.has_consent_time()) {
    const int year = absl::ToCivilYear(TimeOf(c.consent_time()), absl::UTCTimeZone()).year();
    const int age = year - birth_year;  // to a year: the birth date is identity
    if (!c.subject_is_minor() && age <= 17) {
      v.Add(p + ".subject_is_minor", "must be true: the client was a minor at consent");
    } else if (c.subject_is_minor() && age >= 19) {
      v.Add(p + ".subject_is_minor", "must be false: the client was an adult at consent");
    }
  }
  const std::string g = p + ".guardian_consent";
  if (c.subject_is_minor() && !c.has_guardian_consent()) {
    v.Add(g, "is required for a minor");
  } else if (!c.subject_is_minor() && c.has_guardian_consent()) {
    v.Add(g, "is only for a minor");
  } else if (c.has_guardian_consent()) {
    const v1::GuardianConsent& gc = c.guardian_consent();
    if (gc.relationship() == v1::GuardianConsent::RELATIONSHIP_UNSPECIFIED ||
        !v1::GuardianConsent::Relationship_IsValid(gc.relationship())) {
      v.Add(g + ".relationship", "is required");
    }
    CheckPastTime(v, g + ".consent_time", gc.has_consent_time(), gc.consent_time(), now);
    if (gc.method() == v1::CONSENT_METHOD_UNSPECIFIED ||
        gc.method() == v1::CONSENT_METHOD_VERBAL_WITNESSED ||
        !v1::ConsentMethod_IsValid(gc.method())) {
      v.Add(g + ".method", "must be a written, thumbprint or electronic consent");
    }
    CheckHash(v, g + ".document_sha256", gc.document_sha256(), true);
  }
}

void CheckLegalOrder(platform::FieldViolations& v, absl::string_view prefix,
                     const v1::LegalOrder& o, absl::Time now) {
  const std::string p(prefix);
  if (o.kind() == v1::LegalOrder::KIND_UNSPECIFIED || !v1::LegalOrder::Kind_IsValid(o.kind())) {
    v.Add(p + ".kind", "is required");
  }
  resource::CheckText(v, p + ".number", o.number(), 100, true);
  resource::CheckDate(v, p + ".date", o.date(), true);
  if (o.has_date() && InFuture(o.date(), now)) v.Add(p + ".date", "must not be in the future");
  resource::CheckText(v, p + ".issuer", o.issuer(), 200, true);
  CheckHash(v, p + ".document_sha256", o.document_sha256(), false);
}

void CheckIdentityFields(platform::FieldViolations& v, absl::string_view prefix,
                         const v1::ClientIdentity& id, int birth_year, absl::Time now) {
  const std::string p(prefix);
  resource::CheckText(v, p + ".full_name", id.full_name(), 200, false);
  resource::CheckText(v, p + ".known_as", id.known_as(), 100, false);
  resource::CheckText(v, p + ".address", id.address(), 500, false);
  resource::CheckText(v, p + ".guardian_name", id.guardian_name(), 200, false);
  if (!ValidPhone(id.phone())) v.Add(p + ".phone", "must be digits, spaces, + or - (at most 30)");
  if (!ValidPhone(id.guardian_phone())) {
    v.Add(p + ".guardian_phone", "must be digits, spaces, + or - (at most 30)");
  }
  if (id.has_birth_date()) {
    resource::CheckDate(v, p + ".birth_date", id.birth_date(), true);
    if (id.birth_date().year() != birth_year) {
      v.Add(p + ".birth_date", "must fall in the client's birth_year");
    } else if (InFuture(id.birth_date(), now)) {
      v.Add(p + ".birth_date", "must not be in the future");
    }
  }
}

void CheckWithdrawal(platform::FieldViolations& v, const v1::ConsentWithdrawal& w, absl::Time now) {
  CheckPastTime(v, "withdrawal.withdraw_time", w.has_withdraw_time(), w.withdraw_time(), now);
  const bool method_ok =
      v1::ConsentMethod_IsValid(w.method()) && w.method() != v1::CONSENT_METHOD_UNSPECIFIED;
  if (!method_ok) v.Add("withdrawal.method", "is required");
  const bool verbal = w.method() == v1::CONSENT_METHOD_VERBAL_WITNESSED;
  CheckHash(v, "withdrawal.document_sha256", w.document_sha256(), method_ok && !verbal);
  if (verbal && w.witness().empty())
    v.Add("withdrawal.witness", "is required for verbal withdrawal");
  if (!verbal && !w.witness().empty()) v.Add("withdrawal.witness", "is only for verbal withdrawal");
}

v1::AgeBand AgeBandOf(int birth_year, int current_year) {
  const int age = current_year - birth_year;
  if (age < 18) return v1::AGE_BAND_UNDER_18;
  if (age <= 24) return v1::AGE_BAND_18_TO_24;
  if (age <= 34) return v1::AGE_BAND_25_TO_34;
  if (age <= 44) return v1::AGE_BAND_35_TO_44;
  return v1::AGE_BAND_45_AND_OVER;
}

void Coarsen(v1::Client& client) {
  client.clear_birth_year();
  client.clear_home_village();
  client.set_coarsened(true);
}

}  // namespace ibm::cases::rules
