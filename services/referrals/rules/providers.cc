#include "referrals/rules/providers.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "resource/fields.h"

namespace ibm::referrals::rules {
namespace {

using platform::FieldViolations;

constexpr int kMaxOfferings = 20;
constexpr int kMaxCoverage = 200;
constexpr int kMaxPrincipals = 20;
constexpr size_t kMaxCaPemBytes = 16 * 1024;

bool IdChars(absl::string_view s, absl::string_view extra) {
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && extra.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

void CheckId(FieldViolations& v, absl::string_view field, absl::string_view id, size_t max,
             absl::string_view extra, bool required) {
  if (id.empty()) {
    if (required) v.Add(field, "is required");
    return;
  }
  if (id.size() > max || !IdChars(id, extra)) {
    v.Add(field, absl::StrCat("must be 1-", max, " characters of letters, digits and ", extra));
  }
}

// A host name or IPv4 address: letters, digits, '-' and '.', 1-253 characters.
bool IsHost(absl::string_view host) {
  return !host.empty() && host.size() <= 253 && IdChars(host, "-.") && host.front() != '.' &&
         host.front() != '-';
}

// `dns:///host:port`, the only target form a PUSH endpoint may have.
bool IsDnsTarget(absl::string_view target) {
  if (!absl::ConsumePrefix(&target, "dns:///")) return false;
  const size_t colon = target.rfind(':');
  if (colon == absl::string_view::npos) return false;
  int port = 0;
  return IsHost(target.substr(0, colon)) && absl::SimpleAtoi(target.substr(colon + 1), &port) &&
         port > 0 && port < 65536;
}

// An https URL with a host; nothing else is checked here (the channel's client reads it).
bool IsHttpsUrl(absl::string_view url) {
  if (url.size() > 500 || !absl::ConsumePrefix(&url, "https://")) return false;
  const absl::string_view host = url.substr(0, url.find_first_of("/:?#"));
  if (!IsHost(host)) return false;
  for (char c : url) {
    if (absl::ascii_iscntrl(c) || c == ' ') return false;
  }
  return true;
}

void CheckDelivery(FieldViolations& v, const v1::DeliveryChannel& d) {
  using Mode = v1::DeliveryChannel;
  const bool push = d.mode() == Mode::MODE_PUSH;
  const bool fhir = d.mode() == Mode::MODE_FHIR_REST;
  if (d.mode() == Mode::MODE_UNSPECIFIED || !v1::DeliveryChannel::Mode_IsValid(d.mode())) {
    v.Add("provider.delivery.mode", "is required: PUSH, PULL, FHIR_REST or MANUAL");
  }
  if (push) {
    if (d.endpoint().empty()) {
      v.Add("provider.delivery.endpoint", "is required for PUSH");
    } else if (!IsDnsTarget(d.endpoint())) {
      v.Add("provider.delivery.endpoint", "must be a gRPC target dns:///host:port");
    }
    if (!d.tls_server_name().empty() && !IsHost(d.tls_server_name())) {
      v.Add("provider.delivery.tls_server_name", "must be a host name");
    }
    if (d.tls_ca_pem().size() > kMaxCaPemBytes) {
      v.Add("provider.delivery.tls_ca_pem", "must be at most 16 KiB");
    } else if (!d.tls_ca_pem().empty() &&
               !absl::StrContains(d.tls_ca_pem(), "-----BEGIN CERTIFICATE-----")) {
      v.Add("provider.delivery.tls_ca_pem", "must be PEM certificates (BEGIN CERTIFICATE)");
    }
    if (d.call_timeout_seconds() < 0 || d.call_timeout_seconds() > 60) {
      v.Add("provider.delivery.call_timeout_seconds", "must be 1-60 (0: the default, 15)");
    }
  } else {
    if (!d.endpoint().empty()) v.Add("provider.delivery.endpoint", "is for PUSH only");
    if (!d.tls_server_name().empty()) {
      v.Add("provider.delivery.tls_server_name", "is for PUSH only");
    }
    if (!d.tls_ca_pem().empty()) v.Add("provider.delivery.tls_ca_pem", "is for PUSH only");
    if (d.call_timeout_seconds() != 0) {
      v.Add("provider.delivery.call_timeout_seconds", "is for PUSH only");
    }
  }
  if (d.mode() == Mode::MODE_MANUAL && d.delivery_deadline_hours() != 0) {
    v.Add("provider.delivery.delivery_deadline_hours",
          "must be 0 for MANUAL: a MANUAL referral never expires on delivery");
  } else if (d.delivery_deadline_hours() < 0 || d.delivery_deadline_hours() > 720) {
    v.Add("provider.delivery.delivery_deadline_hours", "must be 1-720 (0: the default, 72)");
  }
  if (fhir) {
    if (!IsHttpsUrl(d.fhir_base_url())) {
      v.Add("provider.delivery.fhir_base_url", "is required for FHIR_REST: an https URL");
    }
    if (!IsHttpsUrl(d.oauth2_token_url())) {
      v.Add("provider.delivery.oauth2_token_url", "is required for FHIR_REST: an https URL");
    }
    resource::CheckText(v, "provider.delivery.oauth2_client_id", d.oauth2_client_id(), 200,
                        /*required=*/true);
    CheckId(v, "provider.delivery.oauth2_secret_name", d.oauth2_secret_name(), 100, "-_.",
            /*required=*/true);
  } else {
    for (const auto& [field, value] :
         {std::pair<absl::string_view, absl::string_view>{"fhir_base_url", d.fhir_base_url()},
          {"oauth2_token_url", d.oauth2_token_url()},
          {"oauth2_client_id", d.oauth2_client_id()},
          {"oauth2_secret_name", d.oauth2_secret_name()}}) {
      if (!value.empty()) v.Add(absl::StrCat("provider.delivery.", field), "is for FHIR_REST only");
    }
  }
}

void CheckCoverage(FieldViolations& v, const v1::Provider& p) {
  if (p.coverage().empty()) {
    v.Add("provider.coverage",
          "is required: at least one region the provider takes referrals from");
    return;
  }
  if (p.coverage_size() > kMaxCoverage) {
    v.Add("provider.coverage", "must list at most 200 regions");
    return;
  }
  std::vector<std::pair<int, domain::RegionCode>> parsed;
  for (int i = 0; i < p.coverage_size(); ++i) {
    const std::string field = absl::StrCat("provider.coverage[", i, "]");
    auto code = ParseRegionName(p.coverage(i), field);
    if (!code.ok()) {
      v.Add(field, "must be regions/{code}, a region of any level");
      continue;
    }
    bool clash = false;
    for (const auto& [j, other] : parsed) {
      if (other.Contains(*code) || code->Contains(other)) {
        v.Add(field, absl::StrCat(other == *code ? "repeats" : "overlaps", " provider.coverage[", j,
                                  "]: list each area once, none inside another"));
        clash = true;
        break;
      }
    }
    if (!clash) parsed.emplace_back(i, *std::move(code));
  }
}

}  // namespace

absl::StatusOr<domain::RegionCode> ParseRegionName(absl::string_view name,
                                                   absl::string_view field) {
  absl::string_view code = name;
  if (!absl::ConsumePrefix(&code, "regions/")) {
    return platform::InvalidField(field, "must be regions/{code}, e.g. regions/32.73");
  }
  return domain::RegionCode::Parse(code, field);
}

void CheckProvider(FieldViolations& v, const v1::Provider& p, absl::CivilDay today) {
  resource::CheckText(v, "provider.display_name", p.display_name(), 200, /*required=*/true);
  if (p.kind() == v1::PROVIDER_KIND_UNSPECIFIED || !v1::ProviderKind_IsValid(p.kind())) {
    v.Add("provider.kind", "is required");
  }
  if (p.offerings().empty()) {
    v.Add("provider.offerings", "is required: at least one service offered");
  } else if (p.offerings_size() > kMaxOfferings) {
    v.Add("provider.offerings", "must list at most 20 services");
  } else {
    absl::flat_hash_set<int> seen;
    for (int i = 0; i < p.offerings_size(); ++i) {
      const v1::ProviderOffering& o = p.offerings(i);
      const std::string field = absl::StrCat("provider.offerings[", i, "]");
      if (o.service_type() == v1::SERVICE_TYPE_UNSPECIFIED ||
          !v1::ServiceType_IsValid(o.service_type())) {
        v.Add(absl::StrCat(field, ".service_type"), "is required");
      } else if (!seen.insert(o.service_type()).second) {
        v.Add(absl::StrCat(field, ".service_type"), "repeats a service type listed before");
      }
      resource::CheckText(v, absl::StrCat(field, ".description"), o.description(), 1000, false);
    }
  }
  if (p.has_ipwl_designation()) {
    const v1::IpwlDesignation& d = p.ipwl_designation();
    resource::CheckText(v, "provider.ipwl_designation.decree_number", d.decree_number(), 100,
                        /*required=*/true);
    resource::CheckDate(v, "provider.ipwl_designation.decree_date", d.decree_date(), true);
    const auto day = [](const google::type::Date& g) {
      return absl::CivilDay(g.year(), g.month(), g.day());
    };
    if (d.decree_date().year() > 0 && day(d.decree_date()) > today) {
      v.Add("provider.ipwl_designation.decree_date", "must not be in the future");
    }
    resource::CheckDate(v, "provider.ipwl_designation.valid_until", d.valid_until(), false);
    if (d.valid_until().year() > 0 && d.decree_date().year() > 0 &&
        day(d.valid_until()) < day(d.decree_date())) {
      v.Add("provider.ipwl_designation.valid_until", "must not be before decree_date");
    }
  } else if (p.kind() == v1::PROVIDER_KIND_IPWL) {
    v.Add("provider.ipwl_designation", "is required for kind IPWL");
  }
  if (p.location().empty()) {
    v.Add("provider.location", "is required: regions/{village code}");
  } else if (auto at = ParseRegionName(p.location(), "provider.location");
             !at.ok() || at->level() != domain::RegionLevel::kVillage) {
    v.Add("provider.location", "must be regions/{village code}, e.g. regions/32.73.04.1001");
  }
  resource::CheckText(v, "provider.address_line", p.address_line(), 500, false);
  const bool phone_chars =
      std::all_of(p.public_phone().begin(), p.public_phone().end(), [](char c) {
        return absl::ascii_isdigit(c) ||
               absl::string_view(" +-()").find(c) != absl::string_view::npos;
      });
  if (p.public_phone().size() > 30 || !phone_chars) {
    v.Add("provider.public_phone", "must be at most 30 of digits, spaces, + - ( )");
  }
  CheckCoverage(v, p);
  const bool system_channel = p.delivery().mode() == v1::DeliveryChannel::MODE_PUSH ||
                              p.delivery().mode() == v1::DeliveryChannel::MODE_PULL;
  const bool health_facility = p.kind() == v1::PROVIDER_KIND_PUSKESMAS ||
                               p.kind() == v1::PROVIDER_KIND_HOSPITAL ||
                               p.kind() == v1::PROVIDER_KIND_CLINIC;
  CheckId(v, "provider.satusehat_organization_id", p.satusehat_organization_id(), 64, "-",
          /*required=*/health_facility && system_channel);
  CheckId(v, "provider.satusehat_location_id", p.satusehat_location_id(), 64, "-", false);
  CheckId(v, "provider.facility_code", p.facility_code(), 20, "-.", false);
  if (!p.has_delivery()) {
    v.Add("provider.delivery", "is required: how referrals reach the provider");
  } else {
    CheckDelivery(v, p.delivery());
  }
  if (p.principals_size() > kMaxPrincipals) {
    v.Add("provider.principals", "must list at most 20 subjects");
  } else {
    absl::flat_hash_set<std::string> seen;
    for (int i = 0; i < p.principals_size(); ++i) {
      const std::string field = absl::StrCat("provider.principals[", i, "]");
      resource::CheckText(v, field, p.principals(i), 200, /*required=*/true);
      if (!seen.insert(p.principals(i)).second) v.Add(field, "repeats a subject listed before");
    }
  }
  if (system_channel && p.principals().empty()) {
    v.Add("provider.principals",
          "is required for PUSH and PULL: the token subjects that act as the provider");
  }
}

std::vector<std::string> CoveringCodes(const domain::RegionCode& code) {
  std::vector<std::string> out;
  for (int level = 1; level <= static_cast<int>(code.level()); ++level) {
    out.push_back(code.Ancestor(static_cast<domain::RegionLevel>(level)).str());
  }
  return out;
}

bool Covers(const google::protobuf::RepeatedPtrField<std::string>& coverage,
            const domain::RegionCode& code) {
  for (const std::string& name : coverage) {
    auto area = ParseRegionName(name, "coverage");
    if (area.ok() && area->Contains(code)) return true;
  }
  return false;
}

int64_t OfferingMask(const v1::Provider& p) {
  int64_t mask = 0;
  for (const v1::ProviderOffering& o : p.offerings()) mask |= ServiceTypeBit(o.service_type());
  return mask;
}

absl::Status CheckProviderMove(v1::Provider::State from, v1::Provider::State to) {
  using P = v1::Provider;
  const bool legal =
      (from == P::STATE_ACTIVE && to == P::STATE_SUSPENDED) ||
      (from == P::STATE_SUSPENDED && to == P::STATE_ACTIVE) ||
      ((from == P::STATE_ACTIVE || from == P::STATE_SUSPENDED) && to == P::STATE_CLOSED);
  if (legal) return absl::OkStatus();
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat("a provider cannot move from ",
                                                 P::State_Name(from), " to ", P::State_Name(to))),
      "ILLEGAL_TRANSITION");
}

}  // namespace ibm::referrals::rules
