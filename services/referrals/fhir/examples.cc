#include "referrals/fhir/examples.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "google/protobuf/text_format.h"
#include "referrals/fhir/task.h"

namespace ibm::referrals::fhir {
namespace {

// The examples are constants of this file: one that does not parse is a bug here.
template <typename Message>
Message With(Message message, const char* text) {
  if (!google::protobuf::TextFormat::MergeFromString(text, &message)) {
    std::fprintf(stderr, "examples.cc: bad text proto: %s\n", text);
    std::abort();
  }
  return message;
}

absl::Time At(int64_t unix_seconds) { return absl::FromUnixSeconds(unix_seconds); }

// The timeline of the examples (UTC; the Puskesmas is at UTC+7).
constexpr const char* kAccepted = R"pb(
  state: REFERRAL_STATE_ACCEPTED
  provider_reference: "TASK-2024-000451"
  appointment_time { seconds: 1715308200 }  # 2024-05-10 09:30 WIB
)pb";
constexpr const char* kFirstVisit = R"pb(
  attendances {
    status: STATUS_ATTENDED
    visit_time { seconds: 1715308200 }
    note: "Hadir; konseling pertama, rencana rawat jalan 8 minggu."
    recorded_by: "puskesmas-cibeunying-kidul"
  }
  appointment_time { seconds: 1715567400 }
)pb";
constexpr const char* kMissedVisit = R"pb(
  attendances {
    status: STATUS_DID_NOT_ATTEND
    visit_time { seconds: 1715913000 }
    recorded_by: "puskesmas-cibeunying-kidul"
  }
)pb";
constexpr const char* kOutcome = R"pb(
  state: REFERRAL_STATE_COMPLETED
  outcome {
    result: RESULT_SERVICE_COMPLETED
    end_date { year: 2024 month: 6 day: 28 }
    diagnoses_icd10: "F15.2"
    diagnoses_icd10: "F12.1"
    next_step: NEXT_STEP_RETURN_TO_UNIT
    summary: "Rawat jalan selesai; urin negatif 4 minggu terakhir. Lanjut pendampingan IBM."
    recorded_by: "puskesmas-cibeunying-kidul"
  }
)pb";

}  // namespace

BundleInput Example::Input() const {
  return BundleInput{.referral = referral,
                     .provider = provider,
                     .last_modified = last_modified,
                     .rejection_reason = rejection_reason,
                     .failure_reason = failure_reason,
                     .state_reason_detail = state_reason_detail,
                     .satker_display_name = "BNN Kota Bandung",
                     .officer_display_name = "Rina Marlina, S.Psi.",
                     .officer_phone = "+62 22 7207437"};
}

v1::ProviderReferral ExampleReferral() {
  return With(v1::ProviderReferral(), R"pb(
    name: "referrals/k7d2mq9xva"
    referral_code: "RJK-7Q2MXK4P"
    provider: "providers/p3x7k2m9qa"
    state: REFERRAL_STATE_REQUESTED
    service_type: SERVICE_TYPE_OUTPATIENT_REHABILITATION
    reason: REFERRAL_REASON_SCREENING_RISK
    reason_detail: "Skor ASSIST tinggi untuk stimulan jenis amfetamin."
    urgency: URGENCY_URGENT
    subject { sex: SUBJECT_SEX_MALE birth_year: 1998 home_regency: "regions/32.73" }
    clinical {
      screening: "clients/c5n2xq7b4k/screenings/s9d3k2m7qa"
      screening_date { year: 2024 month: 5 day: 2 }
      substances {
        substance_code: "amphetamine-type-stimulants"
        involvement_score: 31
        risk: ASSIST_RISK_HIGH
      }
      substances { substance_code: "cannabis" involvement_score: 12 risk: ASSIST_RISK_MODERATE }
      substances { substance_code: "tobacco" involvement_score: 2 risk: ASSIST_RISK_LOW }
      diagnosis_icd10: "F15.2"
      note: "Memakai sabu sejak 2019, terakhir 3 hari lalu; ingin berhenti. Tidak ada obat rutin."
      assist_scoring_version: "assist-3.1"
    }
    consent { disclosure: IDENTITY_DISCLOSURE_PSEUDONYMOUS basis: DISCLOSURE_BASIS_NONE }
    referring_satker: "satkers/bnnk-32.73"
    referrer_officer: "satkers/bnnk-32.73/officers/o4k2m7x9qa"
    submit_time { seconds: 1714702500 }
  )pb");
}

v1::ReferralIdentity ExampleIdentity() {
  return With(v1::ReferralIdentity(), R"pb(
    nik: "3273011403980001"
    full_name: "Budi Santoso"
    birth_date { year: 1998 month: 3 day: 14 }
    phone: "+62 812-2045-7781"
    home_village: "regions/32.73.02.1003"
    address_line: "Jl. Cikutra Barat No. 12, RT 03/RW 05"
  )pb");
}

v1::Provider ExampleProvider() {
  return With(v1::Provider(), R"pb(
    name: "providers/p3x7k2m9qa"
    display_name: "Puskesmas Cibeunying Kidul"
    kind: PROVIDER_KIND_PUSKESMAS
    offerings { service_type: SERVICE_TYPE_OUTPATIENT_REHABILITATION }
    offerings { service_type: SERVICE_TYPE_ASSESSMENT }
    location: "regions/32.73.04.1001"
    coverage: "regions/32.73"
    satusehat_organization_id: "10000004"
    satusehat_location_id: "b017aa54-f1df-4ec2-9d84-8823815d7228"
    facility_code: "1032731"
    delivery {
      mode: MODE_FHIR_REST
      fhir_base_url: "https://fhir.puskesmas-cibeunying-kidul.example/fhir/R4"
      oauth2_token_url: "https://fhir.puskesmas-cibeunying-kidul.example/oauth2/token"
      oauth2_client_id: "bnn-ibm"
      oauth2_secret_name: "pkm-cibeunying-kidul"
    }
    state: STATE_ACTIVE
    satker: "satkers/bnnk-32.73"
  )pb");
}

std::vector<Example> Examples() {
  const v1::ProviderReferral base = ExampleReferral();
  const v1::Provider provider = ExampleProvider();
  v1::ProviderReferral identified = base;
  *identified.mutable_subject()->mutable_identity() = ExampleIdentity();
  identified = With(identified, R"pb(
    consent {
      disclosure: IDENTITY_DISCLOSURE_IDENTIFIED
      basis: DISCLOSURE_BASIS_CONSENT
      consent_document_sha256: "9f2c4e1a7b3d5f608192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
      consent_time { seconds: 1714615200 }
      check_time { seconds: 1714702500 }
    }
  )pb");
  const v1::ProviderReferral accepted = With(base, kAccepted);
  const v1::ProviderReferral in_progress =
      With(With(With(accepted, kFirstVisit), kMissedVisit), "state: REFERRAL_STATE_IN_PROGRESS");

  std::vector<Example> out;
  auto add = [&](std::string name, v1::ProviderReferral referral, absl::Time last_modified) {
    out.push_back(Example{.name = std::move(name),
                          .referral = std::move(referral),
                          .provider = provider,
                          .last_modified = last_modified});
    return &out.back();
  };
  v1::ProviderReferral draft = With(base, "state: REFERRAL_STATE_DRAFT");
  draft.clear_submit_time();
  add("draft", draft, At(1714699800));
  add("requested-pseudonymous", base, At(1714702500));
  add("requested-identified", identified, At(1714702500));
  {
    v1::ProviderReferral minor = With(identified, R"pb(
      subject {
        birth_year: 2008
        minor: true
        identity {
          birth_date { year: 2008 month: 11 day: 2 }
          guardian_name: "Siti Aminah"
          guardian_phone: "+62 813-9021-4456"
        }
      }
      service_type: SERVICE_TYPE_ASSESSMENT
      reason: REFERRAL_REASON_ASSESSMENT_NEEDED
      urgency: URGENCY_ROUTINE
    )pb");
    minor.clear_reason_detail();
    add("requested-identified-minor", minor, At(1714702500));
  }
  {
    // A unit that has only the NIK (the client's KTP seen, nothing else recorded).
    v1::ProviderReferral nik_only = base;
    nik_only.mutable_subject()->mutable_identity()->set_nik("3273011403980001");
    nik_only = With(nik_only, R"pb(
      consent {
        disclosure: IDENTITY_DISCLOSURE_IDENTIFIED
        basis: DISCLOSURE_BASIS_LEGAL_OBLIGATION
        legal_order_number: "B/123/V/2024/Satresnarkoba"
      }
      subject { compulsory: true }
      reason: REFERRAL_REASON_LEGAL_ORDER
      service_type: SERVICE_TYPE_ASSESSMENT
    )pb");
    add("requested-identified-nik-only", nik_only, At(1714702500));
  }
  {
    // No screening: substances from the case's use history, without scores or risks.
    v1::ProviderReferral unscreened = base;
    v1::ClinicalSummary* clinical = unscreened.mutable_clinical();
    clinical->clear_screening();
    clinical->clear_screening_date();
    clinical->clear_assist_scoring_version();
    clinical->clear_diagnosis_icd10();
    clinical->clear_substances();
    clinical->add_substances()->set_substance_code("opioids");
    clinical->add_substances()->set_substance_code("sedatives");
    unscreened = With(unscreened, R"pb(
      service_type: SERVICE_TYPE_OPIOID_AGONIST_THERAPY
      reason: REFERRAL_REASON_WITHDRAWAL_RISK
      urgency: URGENCY_ASAP
    )pb");
    add("requested-unscreened", unscreened, At(1714702500));
  }
  {
    // The least a referral has: no clinical summary, no detail; a social office with no
    // SATUSEHAT ids.
    v1::ProviderReferral bare = base;
    bare.clear_clinical();
    bare.clear_reason_detail();
    bare = With(bare, R"pb(
      service_type: SERVICE_TYPE_SOCIAL_ASSISTANCE
      reason: REFERRAL_REASON_SOCIAL_NEEDS
      urgency: URGENCY_ROUTINE
      subject { sex: SUBJECT_SEX_FEMALE }
    )pb");
    Example* e = add("requested-bare-social-office", bare, At(1714702500));
    e->provider.clear_satusehat_organization_id();
    e->provider.clear_satusehat_location_id();
    e->provider.clear_facility_code();
    e->provider.set_display_name("Dinas Sosial Kota Bandung");
    e->provider.set_kind(v1::PROVIDER_KIND_SOCIAL_OFFICE);
  }
  add("received", With(base, "state: REFERRAL_STATE_RECEIVED"), At(1714708800));
  add("accepted-appointment", accepted, At(1714792800));
  {
    Example* e = add("rejected", With(base, "state: REFERRAL_STATE_REJECTED"), At(1714792800));
    e->rejection_reason = v1::REJECTION_REASON_NO_CAPACITY;
    e->state_reason_detail = "Konselor adiksi cuti sampai Juli; coba Puskesmas Padasuka.";
  }
  add("in-progress", in_progress, At(1715913000));
  add("completed-outcome", With(in_progress, kOutcome), At(1719561600));
  // Final: identity is no longer sent (only while the referral is open).
  add("completed-referred-onward", With(accepted, kFirstVisit), At(1719561600));
  out.back().referral = With(out.back().referral, R"pb(
    state: REFERRAL_STATE_COMPLETED
    outcome {
      result: RESULT_REFERRED_ONWARD
      end_date { year: 2024 month: 6 day: 14 }
      next_step: NEXT_STEP_CONTINUE_AT_PROVIDER
      onward_provider: "providers/r8k2m4x7qa"
    }
  )pb");
  add("cancelled", With(accepted, R"pb(state: REFERRAL_STATE_CANCELLED
                                       withdrawal_reason: "Klien pindah ke Kabupaten Garut.")pb"),
      At(1715000000));
  {
    Example* e =
        add("failed-did-not-attend",
            With(With(accepted, kMissedVisit), "state: REFERRAL_STATE_FAILED"), At(1715913000));
    e->failure_reason = v1::FAILURE_REASON_CLIENT_DID_NOT_ATTEND;
  }
  {
    Example* e =
        add("failed-delivery-expired", With(base, "state: REFERRAL_STATE_FAILED"), At(1714961700));
    e->failure_reason = v1::FAILURE_REASON_DELIVERY_EXPIRED;
  }
  add("entered-in-error",
      With(base, R"pb(state: REFERRAL_STATE_ENTERED_IN_ERROR
                      withdrawal_reason: "Rujukan dibuat untuk klien yang salah.")pb"),
      At(1714710000));
  return out;
}

std::vector<std::pair<std::string, std::string>> ExamplePatches() {
  return {
      {"withdrawal-cancelled",
       WithdrawalPatch(Withdrawal::kCancelled, "Klien pindah ke Kabupaten Garut.", At(1715000000))},
      {"withdrawal-entered-in-error",
       WithdrawalPatch(Withdrawal::kEnteredInError, "Rujukan dibuat untuk klien yang salah.",
                       At(1714710000))}};
}

}  // namespace ibm::referrals::fhir
