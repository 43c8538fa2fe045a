// Program activities that are not casework (docs/api.md, Program activities and community
// reports): UnitActivityService (a unit's mapping reports, stakeholder meetings and KIE
// events), SatkerActivityService (a satker's own set-up and assistance work, recorded by its
// officers only) and CommunityReportService (the counts of reports agents receive from the
// community). Counts, titles and summaries only: never a person's name. Each handler:
// authorize, the scope on the name, the fields (each violation naming its field), one
// transaction, the response built from what was written once it committed.
#include "cases/store/activities.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/macros.h"
#include "cases/creates.h"
#include "cases/fields.h"
#include "cases/services.h"
#include "cases/store/cases.h"
#include "domain/satker_id.h"
#include "google/protobuf/util/field_mask_util.h"
#include "ibm/cases/v1/activities.grpc.pb.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/pages.h"
#include "resource/update_mask.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;
using Repeated = google::protobuf::RepeatedField<int>;

constexpr absl::string_view kUnitActivityPattern = "units/{unit}/activities/{activity}";
constexpr absl::string_view kSatkerActivityPattern = "satkers/{satker}/activities/{activity}";
constexpr absl::string_view kTallyPattern = "units/{unit}/communityReportTallies/{tally}";

constexpr absl::CivilDay kFirstSatkerActivityDay(2019, 1, 1);
constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxSummary = 4000;
constexpr size_t kMaxReason = 500;
constexpr int kMaxEvidence = 20;
constexpr int kMaxCount = 100000;  // an attendance count, an estimate of people using
constexpr int kMaxRiskPlaces = 10000;
constexpr int kMaxTallyCount = 10000;
constexpr int kMaxUnits = 50;
constexpr int kMaxOfficers = 20;
constexpr int kMaxCandidates = 50;
constexpr int kMaxRecordedBy = 5;
constexpr int kMaxTallyDays = 366;
constexpr int32_t kMaxFullPageSize = 100;  // a FULL record stays below 30 KiB: 100 < 3 MiB

// ---- Shared helpers.

// Today in the easternmost time zone of Indonesia (WIT, UTC+9): a record dated today
// anywhere in the country is never "in the future".
absl::CivilDay Today(absl::Time now) {
  return absl::ToCivilDay(now, absl::FixedTimeZone(9 * 60 * 60));
}
// A record date: a real date (`required`), not in the future, not before `first` (when set).
// The day when it holds.
std::optional<absl::CivilDay> CheckDay(FieldViolations& v, absl::string_view field,
                                       const google::type::Date& d, bool required,
                                       absl::CivilDay today,
                                       std::optional<absl::CivilDay> first = std::nullopt) {
  const size_t before = v.count();
  resource::CheckDate(v, field, d, required);
  if (v.count() != before || !IsSet(d)) return std::nullopt;
  const absl::CivilDay day = DayOf(d);
  if (day > today) {
    v.Add(field, "must not be in the future");
    return std::nullopt;
  }
  if (first && day < *first) {
    v.Add(field, absl::StrCat("must not be before ", absl::FormatCivilTime(*first)));
    return std::nullopt;
  }
  return day;
}

bool IsLowerHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

void CheckFunding(FieldViolations& v, const std::string& field, const Repeated& sources) {
  if (sources.empty()) {
    v.Add(field, "is required: at least one FundingSource");
    return;
  }
  if (sources.size() > v1::FundingSource_ARRAYSIZE) {
    v.Add(field, "must not repeat a source");
    return;
  }
  std::set<int> seen;
  for (int s : sources) {
    if (s == v1::FUNDING_SOURCE_UNSPECIFIED || !v1::FundingSource_IsValid(s)) {
      v.Add(field, "must hold FundingSource values");
      return;
    }
    if (!seen.insert(s).second) {
      v.Add(field, "must not repeat a source");
      return;
    }
  }
  if (seen.count(v1::FUNDING_SOURCE_NONE) && seen.size() > 1) {
    v.Add(field, "NONE must be the only source");
  }
}

void CheckEvidence(FieldViolations& v, const std::string& field,
                   const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  if (hashes.size() > kMaxEvidence) {
    v.Add(field, absl::StrCat("at most ", kMaxEvidence, " hashes"));
    return;
  }
  for (int i = 0; i < hashes.size(); ++i) {
    if (!IsLowerHex64(hashes[i])) {
      v.Add(absl::StrCat(field, "[", i, "]"), "must be a SHA-256: 64 lowercase hex digits");
    }
  }
}

// Counts only: total 1-100000, each part 0-100000, male + female and the role counts (each
// breakdown, as far as given) not over the total.
void CheckAttendance(FieldViolations& v, const std::string& p, const v1::AttendanceCounts& a) {
  if (a.total() < 1 || a.total() > kMaxCount) {
    v.Add(p + ".total", absl::StrCat("must be from 1 to ", kMaxCount));
  }
  struct Part {
    const char* name;
    bool has;
    int32_t value;
    bool role;
  };
  const Part parts[] = {
      {"male", a.has_male(), a.male(), false},
      {"female", a.has_female(), a.female(), false},
      {"village_officials", a.has_village_officials(), a.village_officials(), true},
      {"community_leaders", a.has_community_leaders(), a.community_leaders(), true},
      {"religious_leaders", a.has_religious_leaders(), a.religious_leaders(), true},
      {"youth_leaders", a.has_youth_leaders(), a.youth_leaders(), true},
      {"agency_officials", a.has_agency_officials(), a.agency_officials(), true},
      {"agents", a.has_agents(), a.agents(), true},
      {"bnn_officers", a.has_bnn_officers(), a.bnn_officers(), true},
      {"general_public", a.has_general_public(), a.general_public(), true},
  };
  int64_t sexes = 0, roles = 0;
  const char* last_sex = nullptr;
  const char* last_role = nullptr;
  bool bad = false;
  for (const Part& part : parts) {
    if (!part.has) continue;
    if (part.value < 0 || part.value > kMaxCount) {
      v.Add(absl::StrCat(p, ".", part.name), absl::StrCat("must be from 0 to ", kMaxCount));
      bad = true;
      continue;
    }
    (part.role ? roles : sexes) += part.value;
    (part.role ? last_role : last_sex) = part.name;
  }
  if (bad) return;
  if (last_sex != nullptr && sexes > a.total()) {
    v.Add(absl::StrCat(p, ".", last_sex), "male + female must not be over total");
  }
  if (last_role != nullptr && roles > a.total()) {
    v.Add(absl::StrCat(p, ".", last_role), "the role counts together must not be over total");
  }
}

// A repeated enum field: at least one (`required`), each a value of the enum, none twice.
void CheckEnums(FieldViolations& v, const std::string& field, const Repeated& values,
                bool (*valid)(int), int max, bool required) {
  if (values.empty()) {
    if (required) v.Add(field, "is required: at least one");
    return;
  }
  if (values.size() > max) {
    v.Add(field, "must not repeat a value");
    return;
  }
  std::set<int> seen;
  for (int x : values) {
    if (x == 0 || !valid(x)) {
      v.Add(field, "must hold values of its enum (not UNSPECIFIED)");
      return;
    }
    if (!seen.insert(x).second) {
      v.Add(field, "must not repeat a value");
      return;
    }
  }
}

absl::Status AlreadyVoided(absl::string_view name) {
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat(name, " is already voided: it takes no changes")),
      "ALREADY_VOIDED");
}

absl::Status OutOfScope(absl::string_view why) {
  return platform::WithReason(absl::PermissionDeniedError(why), "OUT_OF_SCOPE");
}

v1::Voiding MakeVoiding(absl::string_view reason, int64_t now, const Call& call) {
  v1::Voiding voiding;
  voiding.set_reason(std::string(reason));
  *voiding.mutable_void_time() = resource::ToTimestamp(now);
  voiding.set_actor(call.caller->subject.substr(0, 200));
  return voiding;
}

// A sealed page key "a|b|c": its three parts (our own key: anything else is a bug).
absl::StatusOr<std::vector<std::string>> PageKey(absl::string_view after) {
  std::vector<std::string> key = absl::StrSplit(after, '|');
  if (key.size() != 3) return IBM_BUG("a sealed page key is malformed");
  return key;
}

// The `units/-` part of a unit-keyed list's filter: an agent's own unit; a caller with a
// regional scope, its region; national callers, everything.
void EveryUnitInScope(const Call& call, const Grant& grant, std::string& unit_id,
                      std::string& scope_from, std::string& scope_to) {
  if (grant.cell == Cell::kOwnUnit) {
    unit_id = AgentUnit(*call.caller);
  } else if (grant.cell == Cell::kScope && !call.caller->scope.national()) {
    std::tie(scope_from, scope_to) = store::VillageRange(call.caller->scope.prefix());
  }
}

// `region` (regions/{code}, any level) and `satker` (satkers/{id}) of a unit-keyed list:
// only with `units/-`. Sets the village range and the satker id.
void CheckUnitListFilters(FieldViolations& v, bool every_unit, absl::string_view region,
                          absl::string_view satker, std::string& village_from,
                          std::string& village_to, std::string& satker_id) {
  if (!region.empty()) {
    auto code = domain::RegionCode::Parse(absl::StripPrefix(region, "regions/"), "region");
    if (!every_unit) {
      v.Add("region", "is only for the parent units/-");
    } else if (!absl::StartsWith(region, "regions/") || !code.ok()) {
      v.Add("region", "must be a resource name like regions/32.73");
    } else {
      std::tie(village_from, village_to) = store::VillageRange(code->str());
    }
  }
  if (!satker.empty()) {
    auto ids = ParseName(satker, kSatkerPattern, "satker");
    if (!every_unit) {
      v.Add("satker", "is only for the parent units/-");
    } else if (!ids.ok()) {
      v.Add("satker", "must be a resource name like satkers/bnnk-32.73");
    } else {
      satker_id = (*ids)[0];
    }
  }
}

// An update's paths applied to the stored record (messages and lists replaced whole).
void ApplyMask(const google::protobuf::Message& from, const std::vector<std::string>& paths,
               google::protobuf::Message* to) {
  google::protobuf::FieldMask mask;
  for (const std::string& p : paths) mask.add_paths(p);
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(from, mask, options, to);
}

// The index of `path` (or of a subfield of it) in the request's mask, for naming it.
int PathIndex(const google::protobuf::FieldMask& mask, absl::string_view path) {
  for (int i = 0; i < mask.paths_size(); ++i) {
    if (mask.paths(i) == path || absl::StartsWith(mask.paths(i), absl::StrCat(path, "."))) {
      return i;
    }
  }
  return -1;
}

// A person who compiled a tally: an ACTIVE agent of the unit, or an officer of a satker whose
// scope covers it. Only what needs no registry here (see CheckRecordedByAgents).
void CheckPersonName(FieldViolations& v, const std::string& field, absl::string_view person,
                     absl::string_view unit_id) {
  if (auto agent = ParseName(person, kAgentPattern, field); agent.ok()) {
    if ((*agent)[0] != unit_id) v.Add(field, "must be an agent of the tally's unit");
    return;
  }
  if (auto officer = ParseName(person, kOfficerPattern, field); officer.ok()) {
    auto scope = auth::Scope::OfSatker((*officer)[0]);
    if (!scope.ok() || !scope->Covers(UnitVillage(unit_id))) {
      v.Add(field, "must be an officer of a satker whose scope covers the unit");
    }
    return;
  }
  v.Add(field,
        "must be an agent (units/{unit}/agents/{agent}) or an officer "
        "(satkers/{satker}/officers/{officer})");
}

// =========================================================================================
// Unit activities.

std::string UnitActivityName(absl::string_view unit_id, absl::string_view id) {
  return FormatName(kUnitActivityPattern, {std::string(unit_id), std::string(id)});
}

void ClearOutputOnly(v1::UnitActivity& a) {
  a.clear_name();
  a.clear_fiscal_year();
  a.clear_village();
  a.clear_state();
  a.clear_voiding();
  a.clear_create_time();
  a.clear_update_time();
  a.clear_create_actor();
  a.clear_etag();
}

// The whole activity (a create's, or an update's once applied), each violation naming its
// field under `unit_activity`.
void CheckUnitActivity(FieldViolations& v, const v1::UnitActivity& a, absl::CivilDay today) {
  const std::string p = "unit_activity";
  const int kind = a.kind();
  if (kind == v1::UnitActivity::KIND_UNSPECIFIED) {
    v.Add(p + ".kind", "is required");
  } else if (!v1::UnitActivity::Kind_IsValid(kind)) {
    v.Add(p + ".kind", "must be a UnitActivity.Kind value");
  }
  // The details of the kind, and none of another.
  struct Details {
    int kind;
    const char* field;
    bool has;
  };
  for (const Details& d :
       {Details{v1::UnitActivity::KIND_MAPPING_REPORT, "mapping", a.has_mapping()},
        Details{v1::UnitActivity::KIND_STAKEHOLDER_MEETING, "meeting", a.has_meeting()},
        Details{v1::UnitActivity::KIND_KIE_EVENT, "kie_event", a.has_kie_event()}}) {
    if (kind == d.kind && !d.has) {
      v.Add(absl::StrCat(p, ".", d.field), "is required for this kind");
    } else if (kind != d.kind && d.has) {
      v.Add(absl::StrCat(p, ".", d.field), "is for another kind of activity");
    }
  }
  const auto day = CheckDay(v, p + ".activity_date", a.activity_date(), true, today);
  CheckChars(v, p + ".title", a.title(), kMaxTitle, true);
  CheckChars(v, p + ".summary", a.summary(), kMaxSummary, false);
  if (a.has_attendance()) {
    CheckAttendance(v, p + ".attendance", a.attendance());
  } else if (kind == v1::UnitActivity::KIND_STAKEHOLDER_MEETING ||
             kind == v1::UnitActivity::KIND_KIE_EVENT) {
    v.Add(p + ".attendance", "is required for meetings and KIE events");
  }
  CheckFunding(v, p + ".funding_sources", a.funding_sources());
  CheckEvidence(v, p + ".evidence_sha256", a.evidence_sha256());
  if (a.has_mapping() && kind == v1::UnitActivity::KIND_MAPPING_REPORT) {
    const v1::MappingDetails& m = a.mapping();
    const auto start = CheckDay(v, p + ".mapping.period_start", m.period_start(), true, today);
    const auto end = CheckDay(v, p + ".mapping.period_end", m.period_end(), true, today);
    if (start && end && *end < *start) {
      v.Add(p + ".mapping.period_end", "must not be before period_start");
    } else if (end && day && *end > *day) {
      v.Add(p + ".mapping.period_end", "must not be after activity_date");
    }
    CheckEnums(v, p + ".mapping.substances_reported", m.substances_reported(),
               v1::Substance_IsValid, v1::Substance_ARRAYSIZE, false);
    if (m.has_estimated_people_using() &&
        (m.estimated_people_using() < 0 || m.estimated_people_using() > kMaxCount)) {
      v.Add(p + ".mapping.estimated_people_using", absl::StrCat("must be from 0 to ", kMaxCount));
    }
    if (m.has_risk_places() && (m.risk_places() < 0 || m.risk_places() > kMaxRiskPlaces)) {
      v.Add(p + ".mapping.risk_places", absl::StrCat("must be from 0 to ", kMaxRiskPlaces));
    }
  }
  if (a.has_meeting() && kind == v1::UnitActivity::KIND_STAKEHOLDER_MEETING) {
    CheckEnums(v, p + ".meeting.agenda", a.meeting().agenda(), v1::MeetingDetails::Agenda_IsValid,
               v1::MeetingDetails::Agenda_ARRAYSIZE, true);
    CheckChars(v, p + ".meeting.outcomes", a.meeting().outcomes(), kMaxSummary, false);
  }
  if (a.has_kie_event() && kind == v1::UnitActivity::KIND_KIE_EVENT) {
    const int channel = a.kie_event().channel();
    if (channel == v1::KieEventDetails::CHANNEL_UNSPECIFIED ||
        !v1::KieEventDetails::Channel_IsValid(channel)) {
      v.Add(p + ".kie_event.channel", "is required: a KieEventDetails.Channel value");
    }
    CheckEnums(v, p + ".kie_event.audiences", a.kie_event().audiences(),
               v1::KieEventDetails::Audience_IsValid, v1::KieEventDetails::Audience_ARRAYSIZE,
               true);
  }
}

// The row's columns follow the record.
void PackUnitActivity(const v1::UnitActivity& a, store::UnitActivity& row) {
  row.kind = a.kind();
  row.activity_date = resource::DateText(a.activity_date());
  row.fiscal_year = a.activity_date().year();
  row.funding_sources = store::JoinCodes({a.funding_sources().begin(), a.funding_sources().end()});
  v1::UnitActivity stored = a;
  ClearOutputOnly(stored);
  if (a.has_voiding()) *stored.mutable_voiding() = a.voiding();
  row.details = stored.SerializeAsString();
}

absl::Status UnpackUnitActivity(const store::UnitActivity& row, bool full, v1::UnitActivity* out) {
  out->Clear();
  if (!out->ParseFromString(row.details)) return IBM_BUG("a stored unit activity does not parse");
  out->set_name(UnitActivityName(row.unit_id, row.id));
  out->set_fiscal_year(row.fiscal_year);
  out->set_village(absl::StrCat("regions/", row.village_code));
  out->set_state(static_cast<v1::RecordState>(row.state));
  *out->mutable_create_time() = resource::ToTimestamp(row.create_time_us);
  *out->mutable_update_time() = resource::ToTimestamp(row.update_time_us);
  out->set_create_actor(row.create_actor);
  out->set_etag(absl::StrCat(row.version));
  if (!full) {
    out->clear_summary();
    out->clear_evidence_sha256();
    if (out->has_meeting()) out->mutable_meeting()->clear_outcomes();
  }
  return absl::OkStatus();
}

class UnitActivityService final : public v1::UnitActivityService::CallbackService {
 public:
  UnitActivityService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::UnitActivityService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetUnitActivity(CallbackServerContext* ctx,
                                      const v1::GetUnitActivityRequest* req,
                                      v1::UnitActivity* resp) override {
    return calls_.Run(ctx, "GetUnitActivity", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "GetUnitActivity");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kUnitActivityPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      const store::UnitActivities activities(core_->dialect());
      store::UnitActivity row;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto found = activities.Get(s, (*ids)[0], (*ids)[1], req->name());
        if (!found.ok()) return found.status();
        row = *std::move(found);
        return absl::OkStatus();
      }));
      return UnpackUnitActivity(row, /*full=*/true, resp);
    });
  }

  ServerUnaryReactor* ListUnitActivities(CallbackServerContext* ctx,
                                         const v1::ListUnitActivitiesRequest* req,
                                         v1::ListUnitActivitiesResponse* resp) override {
    return calls_.Run(ctx, "ListUnitActivities", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ListUnitActivities");
      if (!grant.ok()) return grant.status();
      store::UnitActivityFilter f;
      const bool every_unit = req->parent() == "units/-";
      if (every_unit) {
        EveryUnitInScope(call, *grant, f.unit_id, f.scope_from, f.scope_to);
      } else {
        auto unit = ParseName(req->parent(), kUnitPattern, "parent");
        if (!unit.ok()) return unit.status();
        IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*unit)[0]));
        f.unit_id = (*unit)[0];
      }
      FieldViolations v;
      CheckUnitListFilters(v, every_unit, req->region(), req->satker(), f.village_from,
                           f.village_to, f.satker_id);
      if (grant->kind == CallerKind::kVillageFund && every_unit && req->region().empty()) {
        v.Add("region", "is required for village-fund callers");
      }
      if (!v1::UnitActivity::Kind_IsValid(req->kind())) {
        v.Add("kind", "must be a UnitActivity.Kind value");
      }
      if (req->fiscal_year() != 0 && (req->fiscal_year() < 2019 || req->fiscal_year() > 2100)) {
        v.Add("fiscal_year", "must be from 2019 to 2100");
      }
      if (!v1::FundingSource_IsValid(req->funding_source())) {
        v.Add("funding_source", "must be a FundingSource value");
      }
      if (!v1::RecordView_IsValid(req->view())) v.Add("view", "must be a RecordView value");
      if (!v.empty()) return v.status();
      f.kind = req->kind();
      f.fiscal_year = req->fiscal_year();
      f.funding_source = req->funding_source();
      f.show_voided = req->show_voided();
      const bool full = req->view() == v1::RECORD_VIEW_FULL;
      const std::string query =
          absl::StrCat("ListUnitActivities|", req->parent(), "|", req->region(), "|", req->satker(),
                       "|", f.kind, "|", f.fiscal_year, "|", f.funding_source, "|", f.show_voided,
                       "|", full ? "full" : "basic");
      auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
      if (!page.ok()) return page.status();
      if (full) page->size = std::min(page->size, kMaxFullPageSize);
      std::optional<store::UnitActivityPosition> after;
      if (!page->after.empty()) {
        auto key = PageKey(page->after);
        if (!key.ok()) return key.status();
        after = store::UnitActivityPosition{(*key)[0], (*key)[1], (*key)[2]};
      }
      const store::UnitActivities activities(core_->dialect());
      std::vector<store::UnitActivity> rows;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto listed = activities.List(s, f, after, page->size + 1);
        if (!listed.ok()) return listed.status();
        rows = *std::move(listed);
        return absl::OkStatus();
      }));
      resp->set_next_page_token(resource::TrimToPage(
          core_->pages(), query, rows, *page, [](const store::UnitActivity& r) {
            return absl::StrCat(r.activity_date, "|", r.unit_id, "|", r.id);
          }));
      for (const auto& row : rows) {
        IBM_RETURN_IF_ERROR(UnpackUnitActivity(row, full, resp->add_unit_activities()));
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateUnitActivity(CallbackServerContext* ctx,
                                         const v1::CreateUnitActivityRequest* req,
                                         v1::UnitActivity* resp) override {
    return calls_.Run(ctx, "CreateUnitActivity", [=, this](const Call& call) -> absl::Status {
      return Create(call, req, resp);
    });
  }

  // CreateUnitActivity without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateUnitActivityRequest* req,
                      v1::UnitActivity* resp, bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateUnitActivity");
    if (!grant.ok()) return grant.status();
    auto unit = ParseName(req->parent(), kUnitPattern, "parent");
    if (!unit.ok()) return unit.status();
    const std::string unit_id = (*unit)[0];
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
    v1::UnitActivity made = req->unit_activity();
    ClearOutputOnly(made);
    FieldViolations v;
    CheckUnitActivity(v, made, Today(core_->Now()));
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    auto facts = core_->RequireOpenUnit(call, unit_id, "parent");
    if (!facts.ok()) return facts.status();

    const store::UnitActivities activities(core_->dialect());
    store::UnitActivity row;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto done = core_->FindCreate(s, *call.caller, "CreateUnitActivity", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        if (replayed != nullptr) *replayed = true;
        auto ids = ParseName(**done, kUnitActivityPattern, "name");
        if (!ids.ok()) return IBM_BUG("remembered create of a malformed activity name");
        auto first = activities.Get(s, (*ids)[0], (*ids)[1], **done);
        if (!first.ok()) return first.status();
        row = *std::move(first);
        return absl::OkStatus();
      }
      const int64_t now = core_->NowMicros();
      row = store::UnitActivity{};
      row.id = NewId("");
      row.unit_id = unit_id;
      row.village_code = UnitVillage(unit_id).str();
      row.satker_id = facts->satker;
      row.state = v1::RECORD_STATE_RECORDED;
      PackUnitActivity(made, row);
      row.create_actor = call.caller->subject.substr(0, 200);
      row.version = 1;
      row.create_time_us = row.update_time_us = now;
      IBM_RETURN_IF_ERROR(activities.Insert(s, row));
      return core_->RememberCreate(s, *call.caller, "CreateUnitActivity", req->request_id(), *req,
                                   UnitActivityName(unit_id, row.id));
    }));
    return UnpackUnitActivity(row, /*full=*/true, resp);
  }

  ServerUnaryReactor* UpdateUnitActivity(CallbackServerContext* ctx,
                                         const v1::UpdateUnitActivityRequest* req,
                                         v1::UnitActivity* resp) override {
    return calls_.Run(ctx, "UpdateUnitActivity", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "UpdateUnitActivity");
      if (!grant.ok()) return grant.status();
      const v1::UnitActivity& in = req->unit_activity();
      auto ids = ParseName(in.name(), kUnitActivityPattern, "unit_activity.name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      auto paths = resource::MaskPaths(
          req->update_mask(),
          {"activity_date", "title", "summary", "attendance", "funding_sources", "evidence_sha256",
           "mapping", "mapping.period_start", "mapping.period_end", "mapping.substances_reported",
           "mapping.estimated_people_using", "mapping.risk_places", "meeting", "meeting.agenda",
           "meeting.outcomes", "kie_event", "kie_event.channel", "kie_event.audiences",
           "kie_event.included_urine_testing"});
      if (!paths.ok()) return paths.status();
      const absl::CivilDay today = Today(core_->Now());
      const store::UnitActivities activities(core_->dialect());
      store::UnitActivity row;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
        auto found = activities.Get(s, (*ids)[0], (*ids)[1], in.name(), /*for_update=*/true);
        if (!found.ok()) return found.status();
        row = *std::move(found);
        IBM_RETURN_IF_ERROR(resource::CheckEtag(in.etag(), row.version, "unit_activity.etag"));
        if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(in.name());
        v1::UnitActivity a;
        if (!a.ParseFromString(row.details))
          return IBM_BUG("a stored unit activity does not parse");
        // The kind cannot change: only its own details may be updated.
        FieldViolations v;
        for (const auto& [field, kind] :
             {std::pair<const char*, int>{"mapping", v1::UnitActivity::KIND_MAPPING_REPORT},
              {"meeting", v1::UnitActivity::KIND_STAKEHOLDER_MEETING},
              {"kie_event", v1::UnitActivity::KIND_KIE_EVENT}}) {
          const int i = PathIndex(req->update_mask(), field);
          if (i >= 0 && a.kind() != kind) {
            v.Add(absl::StrCat("update_mask.paths[", i, "]"),
                  "names the details of another kind: the kind cannot change");
          }
        }
        if (!v.empty()) return v.status();
        ApplyMask(in, *paths, &a);
        CheckUnitActivity(v, a, today);
        if (!v.empty()) return v.status();
        row.update_time_us = core_->NowMicros();
        PackUnitActivity(a, row);
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "UpdateUnitActivity", *req));
        return activities.Update(s, row);
      }));
      return UnpackUnitActivity(row, /*full=*/true, resp);
    });
  }

  ServerUnaryReactor* VoidUnitActivity(CallbackServerContext* ctx,
                                       const v1::VoidUnitActivityRequest* req,
                                       v1::UnitActivity* resp) override {
    return calls_.Run(ctx, "VoidUnitActivity", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "VoidUnitActivity");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kUnitActivityPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      FieldViolations v;
      CheckChars(v, "reason", req->reason(), kMaxReason, true);
      if (!v.empty()) return v.status();
      const store::UnitActivities activities(core_->dialect());
      store::UnitActivity row;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
        auto found = activities.Get(s, (*ids)[0], (*ids)[1], req->name(), /*for_update=*/true);
        if (!found.ok()) return found.status();
        row = *std::move(found);
        IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), row.version, "etag"));
        if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(req->name());
        v1::UnitActivity a;
        if (!a.ParseFromString(row.details))
          return IBM_BUG("a stored unit activity does not parse");
        const int64_t now = core_->NowMicros();
        *a.mutable_voiding() = MakeVoiding(req->reason(), now, call);
        row.state = v1::RECORD_STATE_VOIDED;
        row.update_time_us = now;
        PackUnitActivity(a, row);
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "VoidUnitActivity", *req));
        return activities.Update(s, row);
      }));
      return UnpackUnitActivity(row, /*full=*/true, resp);
    });
  }

 private:
  CorePtr core_;
  platform::UnaryCalls calls_;
};

// =========================================================================================
// Satker activities.

std::string SatkerActivityName(absl::string_view satker_id, absl::string_view id) {
  return FormatName(kSatkerActivityPattern, {std::string(satker_id), std::string(id)});
}

// The satker's region ("" for BNN central); the id is a parsed one.
std::string SatkerRegion(absl::string_view satker_id) {
  auto id = domain::SatkerId::Parse(satker_id);
  return id.ok() && id->region() ? id->region()->str() : "";
}

// Reads (✓): the satker's region within the caller's scope (BNN central's own: national
// callers only); ✓n national; writes (✓o): officers of the satker itself.
absl::Status RequireSatkerScope(const Call& call, const Grant& grant, absl::string_view satker_id) {
  switch (grant.cell) {
    case Cell::kNational:
    case Cell::kEverywhere:
      return absl::OkStatus();
    case Cell::kScope: {
      auto scope = auth::Scope::OfSatker(satker_id);
      if (scope.ok() && call.caller->scope.Covers(*scope)) return absl::OkStatus();
      return OutOfScope("the satker's activities are outside the caller's scope");
    }
    case Cell::kOwnSatker:
      if (call.caller->satker == satker_id) return absl::OkStatus();
      return OutOfScope("only officers of the satker itself record its activities");
    default:
      return IBM_BUG("no satker scope rule for this cell");
  }
}

void ClearOutputOnly(v1::SatkerActivity& a) {
  a.clear_name();
  a.clear_fiscal_year();
  a.clear_region();
  a.clear_state();
  a.clear_voiding();
  a.clear_create_time();
  a.clear_update_time();
  a.clear_create_actor();
  a.clear_etag();
}

bool NeedsUnits(int kind) {
  return kind == v1::SatkerActivity::KIND_ACCOMPANIMENT_VISIT ||
         kind == v1::SatkerActivity::KIND_TECHNICAL_GUIDANCE ||
         kind == v1::SatkerActivity::KIND_MONITORING_VISIT;
}
bool NeedsAttendance(int kind) {
  return kind == v1::SatkerActivity::KIND_STAKEHOLDER_COORDINATION ||
         kind == v1::SatkerActivity::KIND_VILLAGE_SELECTION ||
         kind == v1::SatkerActivity::KIND_OFFICER_BRIEFING ||
         kind == v1::SatkerActivity::KIND_TECHNICAL_GUIDANCE;
}

// The whole activity, but for the registry's facts (CheckSatkerRegistry). Returns the unit ids
// and the candidate villages that passed, for the registry to check.
struct SatkerRefs {
  std::vector<std::pair<std::string, std::string>> units;     // field, unit id
  std::vector<std::pair<std::string, std::string>> villages;  // field, village code
};
SatkerRefs CheckSatkerActivity(FieldViolations& v, const v1::SatkerActivity& a,
                               absl::string_view satker_id, absl::CivilDay today) {
  const std::string p = "satker_activity";
  SatkerRefs refs;
  const int kind = a.kind();
  if (kind == v1::SatkerActivity::KIND_UNSPECIFIED) {
    v.Add(p + ".kind", "is required");
  } else if (!v1::SatkerActivity::Kind_IsValid(kind)) {
    v.Add(p + ".kind", "must be a SatkerActivity.Kind value");
  }
  CheckDay(v, p + ".activity_date", a.activity_date(), true, today, kFirstSatkerActivityDay);
  CheckChars(v, p + ".title", a.title(), kMaxTitle, true);
  CheckChars(v, p + ".summary", a.summary(), kMaxSummary, false);
  auto satker_scope = auth::Scope::OfSatker(satker_id);
  // Units: required for the step-6 kinds; each in the satker's scope (fostering: registry).
  if (a.units().empty()) {
    if (NeedsUnits(kind)) v.Add(p + ".units", "is required for visits and technical guidance");
  } else if (a.units_size() > kMaxUnits) {
    v.Add(p + ".units", absl::StrCat("at most ", kMaxUnits, " units"));
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < a.units_size(); ++i) {
      const std::string field = absl::StrCat(p, ".units[", i, "]");
      auto ids = ParseName(a.units(i), kUnitPattern, field);
      if (!ids.ok()) {
        v.Add(field, "must be a resource name like units/32.73.04.1001-1");
      } else if (!seen.insert((*ids)[0]).second) {
        v.Add(field, "repeats an earlier unit");
      } else if (!satker_scope.ok() || !satker_scope->Covers(UnitVillage((*ids)[0]))) {
        v.Add(field, "must be a unit the satker fosters");
      } else {
        refs.units.emplace_back(field, (*ids)[0]);
      }
    }
  }
  if (a.officers().empty() || a.officers_size() > kMaxOfficers) {
    v.Add(p + ".officers", absl::StrCat("must name 1 to ", kMaxOfficers, " officers"));
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < a.officers_size(); ++i) {
      const std::string field = absl::StrCat(p, ".officers[", i, "]");
      auto ids = ParseName(a.officers(i), kOfficerPattern, field);
      if (!ids.ok()) {
        v.Add(field, "must be a resource name like satkers/bnnk-32.73/officers/{officer}");
      } else if ((*ids)[0] != satker_id) {
        v.Add(field, "must be an officer of this satker");
      } else if (!seen.insert(a.officers(i)).second) {
        v.Add(field, "repeats an earlier officer");
      }
    }
  }
  if (a.has_attendance()) {
    CheckAttendance(v, p + ".attendance", a.attendance());
  } else if (NeedsAttendance(kind)) {
    v.Add(p + ".attendance",
          "is required for coordination, village selection, briefing and technical guidance");
  }
  CheckFunding(v, p + ".funding_sources", a.funding_sources());
  CheckEvidence(v, p + ".evidence_sha256", a.evidence_sha256());
  const std::string vs = p + ".village_selection";
  if (kind != v1::SatkerActivity::KIND_VILLAGE_SELECTION) {
    if (a.has_village_selection()) v.Add(vs, "is only for VILLAGE_SELECTION");
    return refs;
  }
  if (!a.has_village_selection()) {
    v.Add(vs, "is required for VILLAGE_SELECTION");
    return refs;
  }
  const v1::VillageSelectionDetails& sel = a.village_selection();
  if (sel.candidate_villages().empty() || sel.candidate_villages_size() > kMaxCandidates) {
    v.Add(vs + ".candidate_villages", absl::StrCat("must name 1 to ", kMaxCandidates, " villages"));
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < sel.candidate_villages_size(); ++i) {
      const std::string field = absl::StrCat(vs, ".candidate_villages[", i, "]");
      const std::string& name = sel.candidate_villages(i);
      auto code = domain::RegionCode::Parse(absl::StripPrefix(name, "regions/"), field);
      if (!absl::StartsWith(name, "regions/") || !code.ok() ||
          code->level() != domain::RegionLevel::kVillage) {
        v.Add(field, "must be a village, like regions/32.73.04.1001");
      } else if (!seen.insert(name).second) {
        v.Add(field, "repeats an earlier village");
      } else if (!satker_scope.ok() || !satker_scope->Covers(*code)) {
        v.Add(field, "must be a village inside the satker's region");
      } else {
        refs.villages.emplace_back(field, code->str());
      }
    }
  }
  CheckEnums(v, vs + ".criteria", sel.criteria(), v1::VillageSelectionDetails::Criterion_IsValid,
             v1::VillageSelectionDetails::Criterion_ARRAYSIZE, true);
  if (!sel.selected_village().empty() &&
      std::find(sel.candidate_villages().begin(), sel.candidate_villages().end(),
                sel.selected_village()) == sel.candidate_villages().end()) {
    v.Add(vs + ".selected_village", "must be one of candidate_villages");
  }
  return refs;
}

// The registry's facts, asked on the caller's behalf: each unit exists, is not INACTIVE and,
// for a BNNK, is fostered by it (BNN central and a BNNP: any unit in their scope); each
// candidate village exists and is not retired.
absl::Status CheckSatkerRegistry(const Core& core, const Call& call, FieldViolations& v,
                                 const SatkerRefs& refs, absl::string_view satker_id) {
  auto satker = domain::SatkerId::Parse(satker_id);
  const bool regency = satker.ok() && satker->kind() == domain::SatkerKind::kRegency;
  for (const auto& [field, unit_id] : refs.units) {
    auto unit = core.registry().Unit(call, unit_id, field);
    if (absl::IsNotFound(unit.status())) {
      v.Add(field, "is not a unit in the registry");
      continue;
    }
    if (!unit.ok()) return unit.status();
    if (unit->inactive) {
      v.Add(field, "is INACTIVE");
    } else if (regency && unit->satker != satker_id) {
      v.Add(field, "must be a unit the satker fosters");
    }
  }
  for (const auto& [field, code] : refs.villages) {
    auto parsed = domain::RegionCode::Parse(code);
    if (!parsed.ok()) continue;
    absl::Status st = core.registry().CheckVillage(call, *parsed, field);
    if (absl::IsInvalidArgument(st)) {
      v.Add(field, "must be a village code that exists and is not retired");
    } else if (!st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

void PackSatkerActivity(const v1::SatkerActivity& a, store::SatkerActivity& row) {
  row.kind = a.kind();
  row.activity_date = resource::DateText(a.activity_date());
  row.unit_ids.clear();
  for (const std::string& u : a.units()) row.unit_ids.push_back(u.substr(6));  // "units/"
  v1::SatkerActivity stored = a;
  ClearOutputOnly(stored);
  if (a.has_voiding()) *stored.mutable_voiding() = a.voiding();
  row.details = stored.SerializeAsString();
}

absl::Status UnpackSatkerActivity(const store::SatkerActivity& row, bool full,
                                  v1::SatkerActivity* out) {
  out->Clear();
  if (!out->ParseFromString(row.details)) {
    return IBM_BUG("a stored satker activity does not parse");
  }
  out->set_name(SatkerActivityName(row.satker_id, row.id));
  out->set_fiscal_year(out->activity_date().year());
  out->set_region(row.region_code.empty() ? "" : absl::StrCat("regions/", row.region_code));
  out->set_state(static_cast<v1::RecordState>(row.state));
  *out->mutable_create_time() = resource::ToTimestamp(row.create_time_us);
  *out->mutable_update_time() = resource::ToTimestamp(row.update_time_us);
  out->set_create_actor(row.create_actor);
  out->set_etag(absl::StrCat(row.version));
  if (!full) {
    out->clear_summary();
    out->clear_evidence_sha256();
    out->clear_village_selection();
  }
  return absl::OkStatus();
}

class SatkerActivityService final : public v1::SatkerActivityService::CallbackService {
 public:
  SatkerActivityService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::SatkerActivityService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetSatkerActivity(CallbackServerContext* ctx,
                                        const v1::GetSatkerActivityRequest* req,
                                        v1::SatkerActivity* resp) override {
    return calls_.Run(ctx, "GetSatkerActivity", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "GetSatkerActivity");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kSatkerActivityPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(RequireSatkerScope(call, *grant, (*ids)[0]));
      const store::SatkerActivities activities(core_->dialect());
      store::SatkerActivity row;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto found = activities.Get(s, (*ids)[0], (*ids)[1], req->name());
        if (!found.ok()) return found.status();
        row = *std::move(found);
        return absl::OkStatus();
      }));
      return UnpackSatkerActivity(row, /*full=*/true, resp);
    });
  }

  ServerUnaryReactor* ListSatkerActivities(CallbackServerContext* ctx,
                                           const v1::ListSatkerActivitiesRequest* req,
                                           v1::ListSatkerActivitiesResponse* resp) override {
    return calls_.Run(ctx, "ListSatkerActivities", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ListSatkerActivities");
      if (!grant.ok()) return grant.status();
      store::SatkerActivityFilter f;
      const bool every_satker = req->parent() == "satkers/-";
      if (every_satker) {
        // Every satker whose region lies in the caller's scope (BNN central's own: national
        // callers only, who filter nothing).
        if (grant->cell == Cell::kScope && !call.caller->scope.national()) {
          std::tie(f.scope_from, f.scope_to) = store::VillageRange(call.caller->scope.prefix());
        }
      } else {
        auto satker = ParseName(req->parent(), kSatkerPattern, "parent");
        if (!satker.ok()) return satker.status();
        IBM_RETURN_IF_ERROR(RequireSatkerScope(call, *grant, (*satker)[0]));
        f.satker_id = (*satker)[0];
      }
      FieldViolations v;
      if (!req->region().empty()) {
        auto code =
            domain::RegionCode::Parse(absl::StripPrefix(req->region(), "regions/"), "region");
        if (!every_satker) {
          v.Add("region", "is only for the parent satkers/-");
        } else if (!absl::StartsWith(req->region(), "regions/") || !code.ok() ||
                   code->level() > domain::RegionLevel::kRegency) {
          v.Add("region", "must be a province or regency, like regions/32.73");
        } else {
          std::tie(f.region_from, f.region_to) = store::VillageRange(code->str());
        }
      }
      if (!req->unit().empty()) {
        auto unit = ParseName(req->unit(), kUnitPattern, "unit");
        if (unit.ok()) {
          f.unit_id = (*unit)[0];
        } else {
          v.Add("unit", "must be a resource name like units/32.73.04.1001-1");
        }
      }
      if (!v1::SatkerActivity::Kind_IsValid(req->kind())) {
        v.Add("kind", "must be a SatkerActivity.Kind value");
      }
      const size_t dates = v.count();
      resource::CheckDate(v, "start_date", req->start_date(), false);
      resource::CheckDate(v, "end_date", req->end_date(), false);
      if (v.count() == dates && IsSet(req->start_date()) && IsSet(req->end_date()) &&
          DayOf(req->start_date()) > DayOf(req->end_date())) {
        v.Add("start_date", "must not be after end_date");
      }
      if (!v1::RecordView_IsValid(req->view())) v.Add("view", "must be a RecordView value");
      if (!v.empty()) return v.status();
      f.kind = req->kind();
      if (IsSet(req->start_date())) f.start_date = resource::DateText(req->start_date());
      if (IsSet(req->end_date())) f.end_date = resource::DateText(req->end_date());
      f.show_voided = req->show_voided();
      const bool full = req->view() == v1::RECORD_VIEW_FULL;
      const std::string query = absl::StrCat(
          "ListSatkerActivities|", req->parent(), "|", req->region(), "|", req->unit(), "|", f.kind,
          "|", f.start_date, "|", f.end_date, "|", f.show_voided, "|", full ? "full" : "basic");
      auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
      if (!page.ok()) return page.status();
      if (full) page->size = std::min(page->size, kMaxFullPageSize);
      std::optional<store::SatkerActivityPosition> after;
      if (!page->after.empty()) {
        auto key = PageKey(page->after);
        if (!key.ok()) return key.status();
        after = store::SatkerActivityPosition{(*key)[0], (*key)[1], (*key)[2]};
      }
      const store::SatkerActivities activities(core_->dialect());
      std::vector<store::SatkerActivity> rows;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto listed = activities.List(s, f, after, page->size + 1);
        if (!listed.ok()) return listed.status();
        rows = *std::move(listed);
        return absl::OkStatus();
      }));
      resp->set_next_page_token(resource::TrimToPage(
          core_->pages(), query, rows, *page, [](const store::SatkerActivity& r) {
            return absl::StrCat(r.activity_date, "|", r.satker_id, "|", r.id);
          }));
      for (const auto& row : rows) {
        IBM_RETURN_IF_ERROR(UnpackSatkerActivity(row, full, resp->add_satker_activities()));
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateSatkerActivity(CallbackServerContext* ctx,
                                           const v1::CreateSatkerActivityRequest* req,
                                           v1::SatkerActivity* resp) override {
    return calls_.Run(ctx, "CreateSatkerActivity", [=, this](const Call& call) -> absl::Status {
      return Create(call, req, resp);
    });
  }

  // CreateSatkerActivity without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateSatkerActivityRequest* req,
                      v1::SatkerActivity* resp, bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateSatkerActivity");
    if (!grant.ok()) return grant.status();
    auto satker = ParseName(req->parent(), kSatkerPattern, "parent");
    if (!satker.ok()) return satker.status();
    const std::string satker_id = (*satker)[0];
    IBM_RETURN_IF_ERROR(RequireSatkerScope(call, *grant, satker_id));
    v1::SatkerActivity made = req->satker_activity();
    ClearOutputOnly(made);
    FieldViolations v;
    const SatkerRefs refs = CheckSatkerActivity(v, made, satker_id, Today(core_->Now()));
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    IBM_RETURN_IF_ERROR(CheckSatkerRegistry(*core_, call, v, refs, satker_id));
    if (!v.empty()) return v.status();

    const store::SatkerActivities activities(core_->dialect());
    store::SatkerActivity row;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto done =
          core_->FindCreate(s, *call.caller, "CreateSatkerActivity", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        if (replayed != nullptr) *replayed = true;
        auto ids = ParseName(**done, kSatkerActivityPattern, "name");
        if (!ids.ok()) return IBM_BUG("remembered create of a malformed activity name");
        auto first = activities.Get(s, (*ids)[0], (*ids)[1], **done);
        if (!first.ok()) return first.status();
        row = *std::move(first);
        return absl::OkStatus();
      }
      const int64_t now = core_->NowMicros();
      row = store::SatkerActivity{};
      row.id = NewId("");
      row.satker_id = satker_id;
      row.region_code = SatkerRegion(satker_id);
      row.state = v1::RECORD_STATE_RECORDED;
      PackSatkerActivity(made, row);
      row.create_actor = call.caller->subject.substr(0, 200);
      row.version = 1;
      row.create_time_us = row.update_time_us = now;
      IBM_RETURN_IF_ERROR(activities.Insert(s, row));
      return core_->RememberCreate(s, *call.caller, "CreateSatkerActivity", req->request_id(), *req,
                                   SatkerActivityName(satker_id, row.id));
    }));
    return UnpackSatkerActivity(row, /*full=*/true, resp);
  }

  ServerUnaryReactor* UpdateSatkerActivity(CallbackServerContext* ctx,
                                           const v1::UpdateSatkerActivityRequest* req,
                                           v1::SatkerActivity* resp) override {
    return calls_.Run(ctx, "UpdateSatkerActivity", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "UpdateSatkerActivity");
      if (!grant.ok()) return grant.status();
      const v1::SatkerActivity& in = req->satker_activity();
      auto ids = ParseName(in.name(), kSatkerActivityPattern, "satker_activity.name");
      if (!ids.ok()) return ids.status();
      const std::string satker_id = (*ids)[0];
      IBM_RETURN_IF_ERROR(RequireSatkerScope(call, *grant, satker_id));
      auto paths = resource::MaskPaths(
          req->update_mask(), {"activity_date", "title", "summary", "units", "officers",
                               "attendance", "funding_sources", "evidence_sha256",
                               "village_selection", "village_selection.candidate_villages",
                               "village_selection.criteria", "village_selection.selected_village"});
      if (!paths.ok()) return paths.status();
      const absl::CivilDay today = Today(core_->Now());
      // The registry's facts about what the update names (units, villages), asked before the
      // transaction: they depend on the request and the satker only.
      {
        v1::SatkerActivity named;
        ApplyMask(in, *paths, &named);
        FieldViolations ignored;
        named.set_kind(v1::SatkerActivity::KIND_VILLAGE_SELECTION);  // every reference checked
        SatkerRefs refs = CheckSatkerActivity(ignored, named, satker_id, today);
        FieldViolations v;
        IBM_RETURN_IF_ERROR(CheckSatkerRegistry(*core_, call, v, refs, satker_id));
        if (!v.empty()) return v.status();
      }
      const store::SatkerActivities activities(core_->dialect());
      store::SatkerActivity row;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
        auto found = activities.Get(s, satker_id, (*ids)[1], in.name(), /*for_update=*/true);
        if (!found.ok()) return found.status();
        row = *std::move(found);
        IBM_RETURN_IF_ERROR(resource::CheckEtag(in.etag(), row.version, "satker_activity.etag"));
        if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(in.name());
        v1::SatkerActivity a;
        if (!a.ParseFromString(row.details)) {
          return IBM_BUG("a stored satker activity does not parse");
        }
        ApplyMask(in, *paths, &a);
        FieldViolations v;
        CheckSatkerActivity(v, a, satker_id, today);
        if (!v.empty()) return v.status();
        row.update_time_us = core_->NowMicros();
        PackSatkerActivity(a, row);
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "UpdateSatkerActivity", *req));
        return activities.Update(s, row);
      }));
      return UnpackSatkerActivity(row, /*full=*/true, resp);
    });
  }

  ServerUnaryReactor* VoidSatkerActivity(CallbackServerContext* ctx,
                                         const v1::VoidSatkerActivityRequest* req,
                                         v1::SatkerActivity* resp) override {
    return calls_.Run(ctx, "VoidSatkerActivity", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "VoidSatkerActivity");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kSatkerActivityPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(RequireSatkerScope(call, *grant, (*ids)[0]));
      FieldViolations v;
      CheckChars(v, "reason", req->reason(), kMaxReason, true);
      if (!v.empty()) return v.status();
      const store::SatkerActivities activities(core_->dialect());
      store::SatkerActivity row;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
        auto found = activities.Get(s, (*ids)[0], (*ids)[1], req->name(), /*for_update=*/true);
        if (!found.ok()) return found.status();
        row = *std::move(found);
        IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), row.version, "etag"));
        if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(req->name());
        v1::SatkerActivity a;
        if (!a.ParseFromString(row.details)) {
          return IBM_BUG("a stored satker activity does not parse");
        }
        const int64_t now = core_->NowMicros();
        *a.mutable_voiding() = MakeVoiding(req->reason(), now, call);
        row.state = v1::RECORD_STATE_VOIDED;
        row.update_time_us = now;
        PackSatkerActivity(a, row);
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "VoidSatkerActivity", *req));
        return activities.Update(s, row);
      }));
      return UnpackSatkerActivity(row, /*full=*/true, resp);
    });
  }

 private:
  CorePtr core_;
  platform::UnaryCalls calls_;
};

// =========================================================================================
// Community report tallies.

std::string TallyName(absl::string_view unit_id, absl::string_view id) {
  return FormatName(kTallyPattern, {std::string(unit_id), std::string(id)});
}

void ClearOutputOnly(v1::CommunityReportTally& t) {
  t.clear_name();
  t.clear_state();
  t.clear_voiding();
  t.clear_create_time();
  t.clear_update_time();
  t.clear_create_actor();
  t.clear_etag();
}

// The whole tally, but for the registry's facts (the agents' status). Returns the agents
// named in recorded_by (field, agent id) for the registry to check.
std::vector<std::pair<std::string, std::string>> CheckTally(FieldViolations& v,
                                                            const v1::CommunityReportTally& t,
                                                            absl::string_view unit_id,
                                                            absl::CivilDay today) {
  const std::string p = "community_report_tally";
  std::vector<std::pair<std::string, std::string>> agents;
  const auto start = CheckDay(v, p + ".period_start", t.period_start(), true, today);
  const auto end = CheckDay(v, p + ".period_end", t.period_end(), true, today);
  if (start && end) {
    if (*end < *start) {
      v.Add(p + ".period_end", "must not be before period_start");
    } else if (*end - *start > kMaxTallyDays) {
      v.Add(p + ".period_end",
            absl::StrCat("must be at most ", kMaxTallyDays, " days after period_start"));
    }
  }
  auto in_range = [&](const char* name, bool has, int32_t value) {
    if (has && (value < 0 || value > kMaxTallyCount)) {
      v.Add(absl::StrCat(p, ".", name), absl::StrCat("must be from 0 to ", kMaxTallyCount));
      return false;
    }
    return has;
  };
  bool received = false;
  if (!t.has_reports_received()) {
    v.Add(p + ".reports_received", "is required (0 is a count: none came)");
  } else {
    received = in_range("reports_received", true, t.reports_received());
  }
  struct Source {
    const char* name;
    bool has;
    int32_t value;
  };
  const Source sources[] = {{"from_self", t.has_from_self(), t.from_self()},
                            {"from_family", t.has_from_family(), t.from_family()},
                            {"from_neighbours", t.has_from_neighbours(), t.from_neighbours()},
                            {"from_leaders", t.has_from_leaders(), t.from_leaders()},
                            {"from_agencies", t.has_from_agencies(), t.from_agencies()},
                            {"from_other", t.has_from_other(), t.from_other()}};
  int64_t sum = 0;
  const char* last = nullptr;
  bool sources_ok = true;
  for (const Source& s : sources) {
    if (!s.has) continue;
    if (!in_range(s.name, s.has, s.value)) {
      sources_ok = false;
      continue;
    }
    sum += s.value;
    last = s.name;
  }
  if (received && sources_ok && last != nullptr && sum > t.reports_received()) {
    v.Add(absl::StrCat(p, ".", last), "the sources together must not be over reports_received");
  }
  const bool followed = in_range("followed_up", t.has_followed_up(), t.followed_up());
  if (followed && received && t.followed_up() > t.reports_received()) {
    v.Add(p + ".followed_up", "must not be over reports_received");
  }
  if (in_range("led_to_screening", t.has_led_to_screening(), t.led_to_screening())) {
    if (followed && t.led_to_screening() > t.followed_up()) {
      v.Add(p + ".led_to_screening", "must not be over followed_up");
    } else if (received && t.led_to_screening() > t.reports_received()) {
      v.Add(p + ".led_to_screening", "must not be over reports_received");
    }
  }
  if (t.recorded_by().empty() || t.recorded_by_size() > kMaxRecordedBy) {
    v.Add(p + ".recorded_by", absl::StrCat("must name 1 to ", kMaxRecordedBy, " people"));
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < t.recorded_by_size(); ++i) {
      const std::string field = absl::StrCat(p, ".recorded_by[", i, "]");
      if (!seen.insert(t.recorded_by(i)).second) {
        v.Add(field, "repeats an earlier person");
        continue;
      }
      const size_t before = v.count();
      CheckPersonName(v, field, t.recorded_by(i), unit_id);
      if (v.count() != before) continue;
      if (auto agent = ParseName(t.recorded_by(i), kAgentPattern, field); agent.ok()) {
        agents.emplace_back(field, (*agent)[1]);
      }
    }
  }
  return agents;
}

absl::Status CheckAgentsActive(const Core& core, const Call& call, FieldViolations& v,
                               const std::vector<std::pair<std::string, std::string>>& agents,
                               absl::string_view unit_id) {
  for (const auto& [field, agent_id] : agents) {
    auto active = core.registry().AgentActive(call, unit_id, agent_id);
    if (!active.ok()) return active.status();
    if (!*active) v.Add(field, "must be an ACTIVE agent of the unit");
  }
  return absl::OkStatus();
}

void PackTally(const v1::CommunityReportTally& t, store::Tally& row) {
  row.period_start = resource::DateText(t.period_start());
  row.period_end = resource::DateText(t.period_end());
  row.reports_received = t.reports_received();
  v1::CommunityReportTally stored = t;
  ClearOutputOnly(stored);
  if (t.has_voiding()) *stored.mutable_voiding() = t.voiding();
  row.details = stored.SerializeAsString();
}

absl::Status UnpackTally(const store::Tally& row, v1::CommunityReportTally* out) {
  out->Clear();
  if (!out->ParseFromString(row.details)) return IBM_BUG("a stored tally does not parse");
  out->set_name(TallyName(row.unit_id, row.id));
  out->set_state(static_cast<v1::RecordState>(row.state));
  *out->mutable_create_time() = resource::ToTimestamp(row.create_time_us);
  *out->mutable_update_time() = resource::ToTimestamp(row.update_time_us);
  out->set_create_actor(row.create_actor);
  out->set_etag(absl::StrCat(row.version));
  return absl::OkStatus();
}

absl::Status Overlap(absl::string_view unit_id, absl::string_view existing) {
  return platform::WithMetadata(
      platform::WithReason(
          absl::FailedPreconditionError(
              "the period overlaps another tally of the unit: periods may not overlap"),
          "PERIOD_OVERLAP"),
      "existing", TallyName(unit_id, existing));
}

class CommunityReportService final : public v1::CommunityReportService::CallbackService {
 public:
  CommunityReportService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::CommunityReportService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetCommunityReportTally(CallbackServerContext* ctx,
                                              const v1::GetCommunityReportTallyRequest* req,
                                              v1::CommunityReportTally* resp) override {
    return calls_.Run(ctx, "GetCommunityReportTally", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "GetCommunityReportTally");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kTallyPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      const store::Tallies tallies(core_->dialect());
      store::Tally row;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto found = tallies.Get(s, (*ids)[0], (*ids)[1], req->name());
        if (!found.ok()) return found.status();
        row = *std::move(found);
        return absl::OkStatus();
      }));
      return UnpackTally(row, resp);
    });
  }

  ServerUnaryReactor* ListCommunityReportTallies(
      CallbackServerContext* ctx, const v1::ListCommunityReportTalliesRequest* req,
      v1::ListCommunityReportTalliesResponse* resp) override {
    return calls_.Run(
        ctx, "ListCommunityReportTallies", [=, this](const Call& call) -> absl::Status {
          auto grant = core_->Authorize(call, "ListCommunityReportTallies");
          if (!grant.ok()) return grant.status();
          store::TallyFilter f;
          const bool every_unit = req->parent() == "units/-";
          if (every_unit) {
            EveryUnitInScope(call, *grant, f.unit_id, f.scope_from, f.scope_to);
          } else {
            auto unit = ParseName(req->parent(), kUnitPattern, "parent");
            if (!unit.ok()) return unit.status();
            IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*unit)[0]));
            f.unit_id = (*unit)[0];
          }
          FieldViolations v;
          CheckUnitListFilters(v, every_unit, req->region(), req->satker(), f.village_from,
                               f.village_to, f.satker_id);
          const size_t dates = v.count();
          resource::CheckDate(v, "start_date", req->start_date(), false);
          resource::CheckDate(v, "end_date", req->end_date(), false);
          if (v.count() == dates && IsSet(req->start_date()) && IsSet(req->end_date()) &&
              DayOf(req->start_date()) > DayOf(req->end_date())) {
            v.Add("start_date", "must not be after end_date");
          }
          if (!v.empty()) return v.status();
          if (IsSet(req->start_date())) f.end_from = resource::DateText(req->start_date());
          if (IsSet(req->end_date())) f.end_to = resource::DateText(req->end_date());
          f.show_voided = req->show_voided();
          const std::string query =
              absl::StrCat("ListCommunityReportTallies|", req->parent(), "|", req->region(), "|",
                           req->satker(), "|", f.end_from, "|", f.end_to, "|", f.show_voided);
          auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
          if (!page.ok()) return page.status();
          std::optional<store::TallyPosition> after;
          if (!page->after.empty()) {
            auto key = PageKey(page->after);
            if (!key.ok()) return key.status();
            after = store::TallyPosition{(*key)[0], (*key)[1], (*key)[2]};
          }
          const store::Tallies tallies(core_->dialect());
          std::vector<store::Tally> rows;
          IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
            auto listed = tallies.List(s, f, after, page->size + 1);
            if (!listed.ok()) return listed.status();
            rows = *std::move(listed);
            return absl::OkStatus();
          }));
          resp->set_next_page_token(
              resource::TrimToPage(core_->pages(), query, rows, *page, [](const store::Tally& r) {
                return absl::StrCat(r.period_end, "|", r.unit_id, "|", r.id);
              }));
          for (const auto& row : rows) {
            IBM_RETURN_IF_ERROR(UnpackTally(row, resp->add_community_report_tallies()));
          }
          return absl::OkStatus();
        });
  }

  ServerUnaryReactor* CreateCommunityReportTally(CallbackServerContext* ctx,
                                                 const v1::CreateCommunityReportTallyRequest* req,
                                                 v1::CommunityReportTally* resp) override {
    return calls_.Run(
        ctx, "CreateCommunityReportTally",
        [=, this](const Call& call) -> absl::Status { return Create(call, req, resp); });
  }

  // CreateCommunityReportTally without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateCommunityReportTallyRequest* req,
                      v1::CommunityReportTally* resp, bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateCommunityReportTally");
    if (!grant.ok()) return grant.status();
    auto unit = ParseName(req->parent(), kUnitPattern, "parent");
    if (!unit.ok()) return unit.status();
    const std::string unit_id = (*unit)[0];
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
    v1::CommunityReportTally made = req->community_report_tally();
    ClearOutputOnly(made);
    FieldViolations v;
    const auto agents = CheckTally(v, made, unit_id, Today(core_->Now()));
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    auto facts = core_->RequireOpenUnit(call, unit_id, "parent");
    if (!facts.ok()) return facts.status();
    CheckFormedBy(v, *facts, "community_report_tally.period_start", DayOf(made.period_start()));
    IBM_RETURN_IF_ERROR(CheckAgentsActive(*core_, call, v, agents, unit_id));
    if (!v.empty()) return v.status();

    const store::Tallies tallies(core_->dialect());
    store::Tally row;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto done =
          core_->FindCreate(s, *call.caller, "CreateCommunityReportTally", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        if (replayed != nullptr) *replayed = true;
        auto ids = ParseName(**done, kTallyPattern, "name");
        if (!ids.ok()) return IBM_BUG("remembered create of a malformed tally name");
        auto first = tallies.Get(s, (*ids)[0], (*ids)[1], **done);
        if (!first.ok()) return first.status();
        row = *std::move(first);
        return absl::OkStatus();
      }
      row = store::Tally{};
      row.id = NewId("");
      PackTally(made, row);
      auto existing = tallies.Overlapping(s, unit_id, row.period_start, row.period_end, row.id);
      if (!existing.ok()) return existing.status();
      if (*existing) return Overlap(unit_id, **existing);
      const int64_t now = core_->NowMicros();
      row.unit_id = unit_id;
      row.village_code = UnitVillage(unit_id).str();
      row.satker_id = facts->satker;
      row.state = v1::RECORD_STATE_RECORDED;
      row.create_actor = call.caller->subject.substr(0, 200);
      row.version = 1;
      row.create_time_us = row.update_time_us = now;
      IBM_RETURN_IF_ERROR(tallies.Insert(s, row));
      return core_->RememberCreate(s, *call.caller, "CreateCommunityReportTally", req->request_id(),
                                   *req, TallyName(unit_id, row.id));
    }));
    return UnpackTally(row, resp);
  }

  ServerUnaryReactor* UpdateCommunityReportTally(CallbackServerContext* ctx,
                                                 const v1::UpdateCommunityReportTallyRequest* req,
                                                 v1::CommunityReportTally* resp) override {
    return calls_.Run(
        ctx, "UpdateCommunityReportTally", [=, this](const Call& call) -> absl::Status {
          auto grant = core_->Authorize(call, "UpdateCommunityReportTally");
          if (!grant.ok()) return grant.status();
          const v1::CommunityReportTally& in = req->community_report_tally();
          auto ids = ParseName(in.name(), kTallyPattern, "community_report_tally.name");
          if (!ids.ok()) return ids.status();
          const std::string unit_id = (*ids)[0];
          IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
          auto paths = resource::MaskPaths(
              req->update_mask(),
              {"period_start", "period_end", "reports_received", "from_self", "from_family",
               "from_neighbours", "from_leaders", "from_agencies", "from_other", "followed_up",
               "led_to_screening", "recorded_by"});
          if (!paths.ok()) return paths.status();
          const absl::CivilDay today = Today(core_->Now());
          if (resource::HasPath(*paths, "recorded_by")) {
            // The agents named, asked of the registry before the transaction.
            FieldViolations ignored;
            const auto agents = CheckTally(ignored, in, unit_id, today);
            FieldViolations v;
            IBM_RETURN_IF_ERROR(CheckAgentsActive(*core_, call, v, agents, unit_id));
            if (!v.empty()) return v.status();
          }
          if (resource::HasPath(*paths, "period_start")) {
            // A valid new start, not before the unit's formation (the rest is checked with
            // the merged tally).
            FieldViolations date, v;
            resource::CheckDate(date, "community_report_tally.period_start", in.period_start(),
                                /*required=*/true);
            if (date.empty()) {
              auto unit = core_->registry().Unit(call, unit_id, "community_report_tally.name");
              if (!unit.ok()) return unit.status();
              CheckFormedBy(v, *unit, "community_report_tally.period_start",
                            DayOf(in.period_start()));
              if (!v.empty()) return v.status();
            }
          }
          const store::Tallies tallies(core_->dialect());
          store::Tally row;
          IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
            auto found = tallies.Get(s, unit_id, (*ids)[1], in.name(), /*for_update=*/true);
            if (!found.ok()) return found.status();
            row = *std::move(found);
            IBM_RETURN_IF_ERROR(
                resource::CheckEtag(in.etag(), row.version, "community_report_tally.etag"));
            if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(in.name());
            v1::CommunityReportTally t;
            if (!t.ParseFromString(row.details)) return IBM_BUG("a stored tally does not parse");
            ApplyMask(in, *paths, &t);
            FieldViolations v;
            CheckTally(v, t, unit_id, today);
            if (!v.empty()) return v.status();
            PackTally(t, row);
            auto existing =
                tallies.Overlapping(s, unit_id, row.period_start, row.period_end, row.id);
            if (!existing.ok()) return existing.status();
            if (*existing) return Overlap(unit_id, **existing);
            row.update_time_us = core_->NowMicros();
            IBM_RETURN_IF_ERROR(
                core_->RecordRequestChange(s, call, "UpdateCommunityReportTally", *req));
            return tallies.Update(s, row);
          }));
          return UnpackTally(row, resp);
        });
  }

  ServerUnaryReactor* VoidCommunityReportTally(CallbackServerContext* ctx,
                                               const v1::VoidCommunityReportTallyRequest* req,
                                               v1::CommunityReportTally* resp) override {
    return calls_.Run(ctx, "VoidCommunityReportTally", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "VoidCommunityReportTally");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kTallyPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      FieldViolations v;
      CheckChars(v, "reason", req->reason(), kMaxReason, true);
      if (!v.empty()) return v.status();
      const store::Tallies tallies(core_->dialect());
      store::Tally row;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
        auto found = tallies.Get(s, (*ids)[0], (*ids)[1], req->name(), /*for_update=*/true);
        if (!found.ok()) return found.status();
        row = *std::move(found);
        IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), row.version, "etag"));
        if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(req->name());
        v1::CommunityReportTally t;
        if (!t.ParseFromString(row.details)) return IBM_BUG("a stored tally does not parse");
        const int64_t now = core_->NowMicros();
        *t.mutable_voiding() = MakeVoiding(req->reason(), now, call);
        row.state = v1::RECORD_STATE_VOIDED;
        row.update_time_us = now;
        PackTally(t, row);
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "VoidCommunityReportTally", *req));
        return tallies.Update(s, row);
      }));
      return UnpackTally(row, resp);
    });
  }

 private:
  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewUnitActivityService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<UnitActivityService>(std::move(core), std::move(runtime));
}
std::unique_ptr<grpc::Service> NewSatkerActivityService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<SatkerActivityService>(std::move(core), std::move(runtime));
}
std::unique_ptr<grpc::Service> NewCommunityReportService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<CommunityReportService>(std::move(core), std::move(runtime));
}

absl::Status CreateUnitActivity(const CorePtr& core, const Call& call,
                                const v1::CreateUnitActivityRequest& req, v1::UnitActivity* resp,
                                bool* replayed) {
  return UnitActivityService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

absl::Status CreateSatkerActivity(const CorePtr& core, const Call& call,
                                  const v1::CreateSatkerActivityRequest& req,
                                  v1::SatkerActivity* resp, bool* replayed) {
  return SatkerActivityService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

absl::Status CreateCommunityReportTally(const CorePtr& core, const Call& call,
                                        const v1::CreateCommunityReportTallyRequest& req,
                                        v1::CommunityReportTally* resp, bool* replayed) {
  return CommunityReportService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

}  // namespace ibm::cases
