// ScreeningService: WHO ASSIST v3.1 screenings (SIL, Skrining Intervensi Lapangan) of a
// client. The caller sends answers; the server checks the skip rules, computes every score
// and risk level (rules/assist.h), the drug-only risk summary and the recommendation of the
// routing policy ACTIVE at that moment (rules/routing.h), and stores them with the rules'
// version: a stored screening is never rescored. Screenings are never edited: a correction
// is a new screening with `supersedes`, which voids the old one in the same transaction.
#include "cases/store/screenings.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/macros.h"
#include "cases/creates.h"
#include "cases/fields.h"
#include "cases/rules/assist.h"
#include "cases/rules/routing.h"
#include "cases/services.h"
#include "cases/store/cases.h"
#include "cases/store/clients.h"
#include "ibm/cases/v1/clients.pb.h"
#include "ibm/cases/v1/screenings.grpc.pb.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/pages.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;

// No screening predates the program's records (docs/api.md, CreateScreening).
constexpr absl::CivilDay kFirstScreeningDay(2019, 1, 1);
// The nine named substances, tobacco to opioids: each exactly once in every screening.
constexpr int kFirstNamed = v1::SUBSTANCE_TOBACCO;
constexpr int kLastNamed = v1::SUBSTANCE_OPIOIDS;
constexpr int kMaxSubstances = v1::SUBSTANCE_OTHER;  // the nine and OTHER
constexpr int kMaxVoidReason = 500;                  // characters
constexpr int kMaxOtherSubstance = 100;              // characters
// Output of a FULL list stays far below the 3 MiB page bound: a screening is ~1-2 KiB, so
// the lowered page size (100) is the only bound a FULL page needs.
constexpr int32_t kMaxFullPageSize = 100;

std::string ScreeningName(absl::string_view client_id, absl::string_view id) {
  return FormatName(kScreeningPattern, {std::string(client_id), std::string(id)});
}
std::string PolicyName(absl::string_view id) { return absl::StrCat("routingPolicies/", id); }

// Today in the easternmost time zone of Indonesia (WIT, UTC+9): a screening dated today
// anywhere in the country is never "in the future".
absl::CivilDay Today(absl::Time now) {
  return absl::ToCivilDay(now, absl::FixedTimeZone(9 * 60 * 60));
}

// ---- The mapping of the contract's answers onto the pure rules.

rules::Substance RulesSubstance(int s) {
  if (s == v1::SUBSTANCE_TOBACCO) return rules::Substance::kTobacco;
  if (s == v1::SUBSTANCE_ALCOHOL) return rules::Substance::kAlcohol;
  return rules::Substance::kOther;
}

std::optional<rules::Frequency> RulesFrequency(v1::FrequencyAnswer a) {
  switch (a) {
    case v1::FREQUENCY_ANSWER_NEVER:
      return rules::Frequency::kNever;
    case v1::FREQUENCY_ANSWER_ONCE_OR_TWICE:
      return rules::Frequency::kOnceOrTwice;
    case v1::FREQUENCY_ANSWER_MONTHLY:
      return rules::Frequency::kMonthly;
    case v1::FREQUENCY_ANSWER_WEEKLY:
      return rules::Frequency::kWeekly;
    case v1::FREQUENCY_ANSWER_DAILY_OR_ALMOST_DAILY:
      return rules::Frequency::kDailyOrAlmostDaily;
    default:
      return std::nullopt;
  }
}

std::optional<rules::Recency> RulesRecency(v1::RecencyAnswer a) {
  switch (a) {
    case v1::RECENCY_ANSWER_NEVER:
      return rules::Recency::kNever;
    case v1::RECENCY_ANSWER_YES_PAST_3_MONTHS:
      return rules::Recency::kYesPast3Months;
    case v1::RECENCY_ANSWER_YES_NOT_PAST_3_MONTHS:
      return rules::Recency::kYesNotPast3Months;
    default:
      return std::nullopt;
  }
}

v1::RiskLevel ProtoRisk(rules::RiskLevel r) {
  switch (r) {
    case rules::RiskLevel::kLow:
      return v1::RISK_LEVEL_LOW;
    case rules::RiskLevel::kModerate:
      return v1::RISK_LEVEL_MODERATE;
    case rules::RiskLevel::kHigh:
      return v1::RISK_LEVEL_HIGH;
  }
  return v1::RISK_LEVEL_UNSPECIFIED;
}

v1::Routing ProtoRouting(rules::Routing r) {
  switch (r) {
    case rules::Routing::kVillage:
      return v1::ROUTING_VILLAGE;
    case rules::Routing::kRefer:
      return v1::ROUTING_REFER;
    case rules::Routing::kNoEnrollment:
      return v1::ROUTING_NO_ENROLLMENT;
  }
  return v1::ROUTING_UNSPECIFIED;
}

rules::Routing RulesRouting(int r) {
  if (r == v1::ROUTING_REFER) return rules::Routing::kRefer;
  if (r == v1::ROUTING_NO_ENROLLMENT) return rules::Routing::kNoEnrollment;
  return rules::Routing::kVillage;
}

// An answer outside its enum (proto3 keeps unknown numbers) is refused, never scored.
void CheckEnum(FieldViolations& v, const std::string& field, int value, bool (*valid)(int)) {
  if (!valid(value)) v.Add(field, "must be one of the answer values");
}

// ---- Checks of a new screening.

// Who screened, or gave the brief intervention: an ACTIVE agent of `unit_id`, or an officer
// of a satker whose scope covers it. Asked of the registry on the caller's behalf.
absl::Status CheckPerson(const Core& core, const Call& call, FieldViolations& v,
                         absl::string_view field, absl::string_view person,
                         absl::string_view unit_id) {
  if (auto agent = ParseName(person, kAgentPattern, field); agent.ok()) {
    if ((*agent)[0] != unit_id) {
      v.Add(field, "must be an agent of the screening's unit");
      return absl::OkStatus();
    }
    auto active = core.registry().AgentActive(call, (*agent)[0], (*agent)[1]);
    if (!active.ok()) return active.status();
    if (!*active) v.Add(field, "must be an ACTIVE agent of the screening's unit");
    return absl::OkStatus();
  }
  if (auto officer = ParseName(person, kOfficerPattern, field); officer.ok()) {
    auto scope = auth::Scope::OfSatker((*officer)[0]);
    if (!scope.ok() || !scope->Covers(UnitVillage(unit_id))) {
      v.Add(field, "must be an officer of a satker whose scope covers the screening's unit");
    }
    return absl::OkStatus();
  }
  v.Add(field,
        "must be an agent (units/{unit}/agents/{agent}) or an officer "
        "(satkers/{satker}/officers/{officer})");
  return absl::OkStatus();
}

// The answers of one substance, mapped and checked against the skip rules; the score when
// they hold.
std::optional<rules::SubstanceScore> CheckAnswers(FieldViolations& v, const std::string& field,
                                                  const v1::SubstanceAnswers& a) {
  const size_t before = v.count();
  CheckEnum(v, field + ".q1_ever_used", a.q1_ever_used(), v1::LifetimeAnswer_IsValid);
  CheckEnum(v, field + ".q2_frequency", a.q2_frequency(), v1::FrequencyAnswer_IsValid);
  CheckEnum(v, field + ".q3_urge", a.q3_urge(), v1::FrequencyAnswer_IsValid);
  CheckEnum(v, field + ".q4_problems", a.q4_problems(), v1::FrequencyAnswer_IsValid);
  CheckEnum(v, field + ".q5_failed_expectations", a.q5_failed_expectations(),
            v1::FrequencyAnswer_IsValid);
  CheckEnum(v, field + ".q6_concern_expressed", a.q6_concern_expressed(),
            v1::RecencyAnswer_IsValid);
  CheckEnum(v, field + ".q7_failed_to_cut_down", a.q7_failed_to_cut_down(),
            v1::RecencyAnswer_IsValid);
  if (v.count() != before) return std::nullopt;
  rules::SubstanceAnswers r;
  r.substance = RulesSubstance(a.substance());
  if (a.q1_ever_used() != v1::LIFETIME_ANSWER_UNSPECIFIED) {
    r.q1_ever_used = a.q1_ever_used() == v1::LIFETIME_ANSWER_YES;
  }
  r.q2_frequency = RulesFrequency(a.q2_frequency());
  r.q3_urge = RulesFrequency(a.q3_urge());
  r.q4_problems = RulesFrequency(a.q4_problems());
  r.q5_failed_expectations = RulesFrequency(a.q5_failed_expectations());
  r.q6_concern_expressed = RulesRecency(a.q6_concern_expressed());
  r.q7_failed_to_cut_down = RulesRecency(a.q7_failed_to_cut_down());
  auto score = rules::ScoreSubstance(r, field);
  if (!score.ok()) {
    for (const auto& [f, d] : platform::FieldViolationsOf(score.status())) v.Add(f, d);
    return std::nullopt;
  }
  return *score;
}

// The substances: the nine named ones exactly once, OTHER at most once (with what it is),
// each scored. Returns the scored ones, in the order sent.
std::vector<rules::ScoredSubstance> CheckSubstances(FieldViolations& v, v1::Screening& s) {
  std::vector<rules::ScoredSubstance> scored;
  if (s.substances_size() > kMaxSubstances) {  // the size first: never item by item
    v.Add("screening.substances", "at most 10 substances (the nine named ones and OTHER)");
    return scored;
  }
  std::set<int> seen;
  for (int i = 0; i < s.substances_size(); ++i) {
    v1::SubstanceAnswers& a = *s.mutable_substances(i);
    const std::string field = absl::StrCat("screening.substances[", i, "]");
    const int substance = a.substance();
    if (substance == v1::SUBSTANCE_UNSPECIFIED || !v1::Substance_IsValid(substance)) {
      v.Add(field + ".substance", "is required: a Substance value");
      continue;
    }
    if (!seen.insert(substance).second) {
      v.Add(field + ".substance", "repeats an earlier substance: each at most once");
      continue;
    }
    if (substance == v1::SUBSTANCE_OTHER) {
      CheckChars(v, field + ".other_substance", a.other_substance(), kMaxOtherSubstance, true);
    } else if (!a.other_substance().empty()) {
      v.Add(field + ".other_substance", "must be empty unless the substance is OTHER");
    }
    auto score = CheckAnswers(v, field, a);
    if (!score) continue;
    a.set_involvement_score(score->involvement);
    a.set_risk_level(ProtoRisk(score->risk));
    scored.push_back({substance, *score});
  }
  std::vector<std::string> missing;
  for (int n = kFirstNamed; n <= kLastNamed; ++n) {
    if (seen.count(n) == 0) missing.push_back(v1::Substance_Name(n));
  }
  if (!missing.empty()) {
    v.Add("screening.substances",
          absl::StrCat("must include each of the nine named substances; missing: ",
                       absl::StrJoin(missing, ", ")));
  }
  return scored;
}

void CheckBriefIntervention(FieldViolations& v, const v1::BriefIntervention& b,
                            const std::set<int>& screened) {
  constexpr absl::string_view kField = "screening.brief_intervention";
  if (b.level() == v1::BriefIntervention::LEVEL_UNSPECIFIED) {
    v.Add(absl::StrCat(kField, ".level"), "is required");
  } else if (!v1::BriefIntervention::Level_IsValid(b.level())) {
    v.Add(absl::StrCat(kField, ".level"), "must be a BriefIntervention.Level value");
  }
  if (b.has_duration()) {
    const absl::Duration d =
        absl::Seconds(b.duration().seconds()) + absl::Nanoseconds(b.duration().nanos());
    if (d < absl::Minutes(1) || d > absl::Hours(2)) {
      v.Add(absl::StrCat(kField, ".duration"), "must be from 1 minute to 2 hours");
    }
  }
  const std::string discussed = absl::StrCat(kField, ".substances_discussed");
  if (b.substances_discussed_size() > kMaxSubstances) {
    v.Add(discussed, "at most 10 substances");
    return;
  }
  std::set<int> seen;
  for (int i = 0; i < b.substances_discussed_size(); ++i) {
    const int s = b.substances_discussed(i);
    if (s == v1::SUBSTANCE_UNSPECIFIED || !v1::Substance_IsValid(s)) {
      v.Add(discussed, absl::StrCat("[", i, "] must be a Substance value"));
    } else if (!seen.insert(s).second) {
      v.Add(discussed, absl::StrCat("[", i, "] repeats an earlier substance"));
    } else if (screened.count(s) == 0) {
      v.Add(discussed, absl::StrCat("[", i, "] was not screened"));
    }
  }
}

// The routing policy a screening is scored under, as the rules take it; nullopt: none.
rules::RoutingPolicy RulesPolicy(const store::RoutingPolicy& p) {
  rules::RoutingPolicy out;
  out.low_risk = RulesRouting(p.low_risk);
  out.moderate_risk = RulesRouting(p.moderate_risk);
  out.high_risk = RulesRouting(p.high_risk);
  out.recent_injecting = RulesRouting(p.recent_injecting);
  out.counted_substances.insert(p.counted_substances.begin(), p.counted_substances.end());
  return out;
}

// Fills in the risk summary and the recommendation of `policy` (nullopt: none active).
void Score(v1::Screening& s, const std::vector<rules::ScoredSubstance>& scored,
           const std::optional<store::RoutingPolicy>& policy) {
  std::vector<int> counted;
  if (policy) {
    counted = policy->counted_substances;
  } else {
    for (int n = v1::SUBSTANCE_ALCOHOL; n <= v1::SUBSTANCE_OTHER; ++n) counted.push_back(n);
  }
  const rules::RiskSummary risk =
      rules::Summarize(std::set<int>(counted.begin(), counted.end()), scored);
  s.clear_counted_substances();
  for (int n : counted) s.add_counted_substances(static_cast<v1::Substance>(n));
  // No counted substance screened (a policy counting only OTHER, say): routed as LOW, so
  // reported as LOW.
  s.set_highest_drug_risk_level(ProtoRisk(risk.highest_drug_risk.value_or(rules::RiskLevel::kLow)));
  s.clear_highest_drug_risk_substances();
  if (risk.highest_drug_risk.value_or(rules::RiskLevel::kLow) != rules::RiskLevel::kLow) {
    for (int n : risk.highest_drug_risk_substances) {
      s.add_highest_drug_risk_substances(static_cast<v1::Substance>(n));
    }
  }
  if (risk.tobacco_risk) s.set_tobacco_risk_level(ProtoRisk(*risk.tobacco_risk));
  if (risk.alcohol_risk) s.set_alcohol_risk_level(ProtoRisk(*risk.alcohol_risk));
  v1::RoutingRecommendation* rec = s.mutable_recommendation();
  rec->Clear();
  if (!policy) return;  // still stored: routing UNSPECIFIED says no policy was active
  const rules::RoutingDecision d = rules::Route(
      RulesPolicy(*policy), risk, s.q8_injecting() == v1::RECENCY_ANSWER_YES_PAST_3_MONTHS);
  rec->set_routing(ProtoRouting(d.routing));
  rec->set_routing_policy(PolicyName(policy->id));
  rec->set_rule(d.rule);
  if (d.risk_level) rec->set_risk_level(ProtoRisk(*d.risk_level));
}

// The output-only fields a caller may have sent: ignored (AIP-203), never stored.
void ClearOutputOnly(v1::Screening& s) {
  s.clear_name();
  s.clear_instrument();
  s.clear_recommendation();
  s.clear_state();
  s.clear_voiding();
  s.clear_create_time();
  s.clear_create_actor();
  s.clear_etag();
  s.clear_highest_drug_risk_level();
  s.clear_highest_drug_risk_substances();
  s.clear_tobacco_risk_level();
  s.clear_alcohol_risk_level();
  s.clear_counted_substances();
  s.clear_scoring_version();
}

// ---- Reading.

// The response: the stored record, whole (FULL) or without the per-substance answers.
absl::Status ToProto(const store::Screening& row, bool full, v1::Screening* out) {
  out->Clear();
  if (!out->ParseFromString(row.details)) {
    return IBM_BUG("a stored screening does not parse");
  }
  out->set_name(ScreeningName(row.client_id, row.id));
  out->set_state(static_cast<v1::RecordState>(row.state));
  out->set_etag(absl::StrCat(row.version));
  out->set_create_actor(row.create_actor);
  *out->mutable_create_time() = resource::ToTimestamp(row.create_time_us);
  if (!full) out->clear_substances();
  return absl::OkStatus();
}

// The client behind a screening or list, which must be in the caller's scope: its current
// unit, for officers also a unit where it has been served (docs/api.md, Scope), or the unit
// that did the screening being read (`screening_unit`, may be empty). NOT_FOUND naming
// `name` when there is no such client.
absl::StatusOr<store::Client> LoadClientInScope(const Core& core, sql::Session& s, const Call& call,
                                                const Grant& grant, absl::string_view client_id,
                                                absl::string_view name,
                                                absl::string_view screening_unit = "") {
  auto client = store::Clients(core.dialect()).Get(s, client_id, name);
  if (!client.ok()) return client.status();
  absl::Status first = core.RequireUnitScope(call, grant, client->unit_id);
  if (first.ok()) return client;
  std::vector<std::string> units;
  if (!screening_unit.empty()) units.emplace_back(screening_unit);
  if (grant.cell == Cell::kScope) {
    auto served = store::Clients(core.dialect()).Units(s, client_id);
    if (!served.ok()) return served.status();
    units.insert(units.end(), served->begin(), served->end());
  }
  for (const std::string& unit : units) {
    if (core.RequireUnitScope(call, grant, unit).ok()) return client;
  }
  return first;
}

absl::Status RequireActiveClient(const store::Client& c, absl::string_view parent) {
  if (c.state == v1::Client::STATE_ACTIVE) return absl::OkStatus();
  return platform::WithReason(
      absl::FailedPreconditionError(
          absl::StrCat(parent, " is ", absl::StripPrefix(v1::Client::State_Name(c.state), "STATE_"),
                       ": it takes no new records and no changes")),
      "CLIENT_NOT_ACTIVE");
}

class ScreeningService final : public v1::ScreeningService::CallbackService {
 public:
  ScreeningService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::ScreeningService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetScreening(CallbackServerContext* ctx, const v1::GetScreeningRequest* req,
                                   v1::Screening* resp) override {
    return calls_.Run(ctx, "GetScreening", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "GetScreening");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kScreeningPattern, "name");
      if (!ids.ok()) return ids.status();
      const store::Screenings screenings(core_->dialect());
      store::Screening found;
      auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
        // A client that does not exist has no screening: the same NOT_FOUND either way.
        auto row = screenings.Get(s, (*ids)[0], (*ids)[1], req->name());
        if (!row.ok()) return row.status();
        found = *std::move(row);
        return LoadClientInScope(*core_, s, call, *grant, (*ids)[0], req->name(), found.unit_id)
            .status();
      });
      if (!st.ok()) return st;
      return ToProto(found, /*full=*/true, resp);
    });
  }

  ServerUnaryReactor* ListScreenings(CallbackServerContext* ctx,
                                     const v1::ListScreeningsRequest* req,
                                     v1::ListScreeningsResponse* resp) override {
    return calls_.Run(ctx, "ListScreenings", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ListScreenings");
      if (!grant.ok()) return grant.status();
      store::ScreeningFilter filter;
      const bool every_client = req->parent() == "clients/-";
      if (!every_client) {
        auto client = ParseName(req->parent(), kClientPattern, "parent");
        if (!client.ok()) return client.status();
        filter.client_id = (*client)[0];
      } else if (grant->kind == CallerKind::kReferrals) {
        // The referrals system reads the screenings of the client it refers, by name only.
        return platform::WithReason(
            absl::PermissionDeniedError(
                "the referrals system lists one client's screenings only: parent "
                "clients/{client}, not clients/-"),
            "ROLE_NOT_ALLOWED");
      }
      if (!req->unit().empty()) {
        auto unit = ParseName(req->unit(), kUnitPattern, "unit");
        if (!unit.ok()) return unit.status();
        filter.unit_id = (*unit)[0];
      } else if (every_client) {
        return platform::InvalidField("unit", "is required with parent clients/-");
      }
      if (every_client) {
        if (auto st = core_->RequireUnitScope(call, *grant, filter.unit_id); !st.ok()) return st;
      }
      FieldViolations v;
      resource::CheckDate(v, "start_date", req->start_date(), false);
      resource::CheckDate(v, "end_date", req->end_date(), false);
      if (v.empty() && IsSet(req->start_date()) && IsSet(req->end_date()) &&
          DayOf(req->start_date()) > DayOf(req->end_date())) {
        v.Add("start_date", "must not be after end_date");
      }
      if (!v1::RecordView_IsValid(req->view())) v.Add("view", "must be a RecordView value");
      if (!v.empty()) return v.status();
      if (IsSet(req->start_date())) filter.start_date = resource::DateText(req->start_date());
      if (IsSet(req->end_date())) filter.end_date = resource::DateText(req->end_date());
      filter.show_voided = req->show_voided();
      const bool full = req->view() == v1::RECORD_VIEW_FULL;
      // Every filter and the view shape the pages: a token is good for this query only.
      const std::string query = absl::StrCat("ListScreenings|", req->parent(), "|", filter.unit_id,
                                             "|", filter.start_date, "|", filter.end_date, "|",
                                             filter.show_voided, "|", full ? "full" : "basic");
      auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
      if (!page.ok()) return page.status();
      if (full) page->size = std::min(page->size, kMaxFullPageSize);
      std::optional<store::ScreeningPosition> after;
      if (!page->after.empty()) {
        // Our own sealed key, "date|create_time|id": a malformed one is a bug.
        std::vector<std::string> key = absl::StrSplit(page->after, '|');
        store::ScreeningPosition pos;
        if (key.size() != 3 || !absl::SimpleAtoi(key[1], &pos.create_time_us)) {
          return IBM_BUG("a sealed screening page key is malformed");
        }
        pos.screening_date = key[0];
        pos.id = key[2];
        after = pos;
      }
      const store::Screenings screenings(core_->dialect());
      std::vector<store::Screening> found;
      auto st = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
        if (!every_client) {
          auto client = LoadClientInScope(*core_, s, call, *grant, filter.client_id, req->parent());
          if (!client.ok()) return client.status();
        }
        auto listed = screenings.List(s, filter, after, page->size + 1);
        if (!listed.ok()) return listed.status();
        found = *std::move(listed);
        return absl::OkStatus();
      });
      if (!st.ok()) return st;
      resp->set_next_page_token(
          resource::TrimToPage(core_->pages(), query, found, *page, [](const store::Screening& r) {
            return absl::StrCat(r.screening_date, "|", r.create_time_us, "|", r.id);
          }));
      for (const auto& row : found) {
        if (auto st = ToProto(row, full, resp->add_screenings()); !st.ok()) return st;
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateScreening(CallbackServerContext* ctx,
                                      const v1::CreateScreeningRequest* req,
                                      v1::Screening* resp) override {
    return calls_.Run(ctx, "CreateScreening", [=, this](const Call& call) -> absl::Status {
      return Create(call, req, resp);
    });
  }

  // CreateScreening without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateScreeningRequest* req, v1::Screening* resp,
                      bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateScreening");
    if (!grant.ok()) return grant.status();
    auto parent = ParseName(req->parent(), kClientPattern, "parent");
    if (!parent.ok()) return parent.status();
    const std::string client_id = (*parent)[0];
    // The names that give the scope first (the client, the unit), before any other field.
    auto scope = core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
      return LoadClientInScope(*core_, s, call, *grant, client_id, req->parent()).status();
    });
    if (!scope.ok()) return scope;
    v1::Screening made = req->screening();
    ClearOutputOnly(made);
    auto unit = ParseName(made.unit(), kUnitPattern, "screening.unit");
    if (!unit.ok()) return unit.status();
    const std::string unit_id = (*unit)[0];
    if (auto st = core_->RequireUnitScope(call, *grant, unit_id); !st.ok()) return st;

    FieldViolations v;
    const std::vector<rules::ScoredSubstance> scored = CheckFields(v, made, client_id);
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    // The registry's facts: the unit takes new records; the people named are of it.
    auto open_unit = core_->RequireOpenUnit(call, unit_id, "screening.unit");
    if (!open_unit.ok()) return open_unit.status();
    if (auto st = CheckPerson(*core_, call, v, "screening.screener", made.screener(), unit_id);
        !st.ok()) {
      return st;
    }
    if (!made.brief_intervention().given_by().empty()) {
      if (auto st = CheckPerson(*core_, call, v, "screening.brief_intervention.given_by",
                                made.brief_intervention().given_by(), unit_id);
          !st.ok()) {
        return st;
      }
    }
    if (!v.empty()) return v.status();

    const store::Screenings screenings(core_->dialect());
    const store::Clients clients(core_->dialect());
    const store::RoutingPolicies policies(core_->dialect());
    store::Screening row;
    auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
      auto done = core_->FindCreate(s, *call.caller, "CreateScreening", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        if (replayed != nullptr) *replayed = true;
        auto ids = ParseName(**done, kScreeningPattern, "name");
        if (!ids.ok()) return IBM_BUG("remembered create of a malformed screening name");
        auto first = screenings.Get(s, (*ids)[0], (*ids)[1], **done);
        if (!first.ok()) return first.status();
        row = *std::move(first);
        return absl::OkStatus();
      }
      auto client = clients.Get(s, client_id, req->parent(), /*for_update=*/true);
      if (!client.ok()) return client.status();
      if (auto st = RequireActiveClient(*client, req->parent()); !st.ok()) return st;
      if (auto st = CheckCase(s, made, client_id); !st.ok()) return st;
      auto policy = policies.GetActive(s);
      if (!policy.ok()) return policy.status();
      v1::Screening scored_screening = made;
      Score(scored_screening, scored, *policy);
      scored_screening.set_instrument("WHO ASSIST v3.1");
      scored_screening.set_scoring_version(rules::kAssistScoringVersion);
      const int64_t now = core_->NowMicros();
      row.id = NewId("");
      row.client_id = client_id;
      row.unit_id = unit_id;
      row.screening_date = resource::DateText(made.screening_date());
      row.state = v1::RECORD_STATE_RECORDED;
      row.details = scored_screening.SerializeAsString();
      row.create_actor = call.caller->subject.substr(0, 200);
      row.version = 1;
      row.create_time_us = now;
      row.update_time_us = now;
      if (!made.supersedes().empty()) {
        if (auto st = Supersede(s, made.supersedes(), client_id, row, call); !st.ok()) {
          return st;
        }
      }
      if (auto st = screenings.Insert(s, row); !st.ok()) return st;
      return core_->RememberCreate(s, *call.caller, "CreateScreening", req->request_id(), *req,
                                   ScreeningName(row.client_id, row.id));
    });
    if (!st.ok()) return st;
    return ToProto(row, /*full=*/true, resp);
  }

  ServerUnaryReactor* VoidScreening(CallbackServerContext* ctx, const v1::VoidScreeningRequest* req,
                                    v1::Screening* resp) override {
    return calls_.Run(ctx, "VoidScreening", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "VoidScreening");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kScreeningPattern, "name");
      if (!ids.ok()) return ids.status();
      const store::Screenings screenings(core_->dialect());
      store::Screening row;
      auto st = core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
        auto found = screenings.Get(s, (*ids)[0], (*ids)[1], req->name(), /*for_update=*/true);
        if (!found.ok()) return found.status();
        row = *std::move(found);
        auto client =
            LoadClientInScope(*core_, s, call, *grant, (*ids)[0], req->name(), row.unit_id);
        if (!client.ok()) return client.status();
        FieldViolations v;
        CheckChars(v, "reason", req->reason(), kMaxVoidReason, true);
        if (!v.empty()) return v.status();
        if (auto st = resource::CheckEtag(req->etag(), row.version, "etag"); !st.ok()) return st;
        if (row.state == v1::RECORD_STATE_VOIDED) {
          return platform::WithReason(
              absl::FailedPreconditionError(absl::StrCat(req->name(), " is already voided")),
              "ALREADY_VOIDED");
        }
        if (auto st = RequireActiveClient(*client, FormatName(kClientPattern, {(*ids)[0]}));
            !st.ok()) {
          return st;
        }
        return Void(s, row, req->reason(), "", call);
      });
      if (!st.ok()) return st;
      return ToProto(row, /*full=*/true, resp);
    });
  }

 private:
  // The fields of a new screening, but for the registry's facts (screener, given_by) and
  // what needs the database (case, supersedes): each violation names its field. Returns the
  // scored substances; fills in each substance's score.
  std::vector<rules::ScoredSubstance> CheckFields(FieldViolations& v, v1::Screening& s,
                                                  absl::string_view client_id) const {
    if (s.screener().empty()) v.Add("screening.screener", "is required");
    const size_t dates = v.count();
    resource::CheckDate(v, "screening.screening_date", s.screening_date(), true);
    if (v.count() == dates) {
      const absl::CivilDay day = DayOf(s.screening_date());
      if (day < kFirstScreeningDay) {
        v.Add("screening.screening_date", "must not be before 2019-01-01");
      } else if (day > Today(core_->Now())) {
        v.Add("screening.screening_date", "must not be in the future");
      }
    }
    const v1::ScreeningOccasion occasion = s.occasion();
    if (occasion == v1::SCREENING_OCCASION_UNSPECIFIED) {
      v.Add("screening.occasion", "is required");
    } else if (!v1::ScreeningOccasion_IsValid(occasion)) {
      v.Add("screening.occasion", "must be a ScreeningOccasion value");
    }
    const bool case_required = occasion == v1::SCREENING_OCCASION_REVIEW ||
                               occasion == v1::SCREENING_OCCASION_EXIT ||
                               occasion == v1::SCREENING_OCCASION_FOLLOW_UP;
    if (s.case_().empty()) {
      if (case_required) v.Add("screening.case", "is required for REVIEW, EXIT and FOLLOW_UP");
    } else if (!ParseName(s.case_(), kCasePattern, "screening.case").ok()) {
      v.Add("screening.case", "must be a resource name like units/32.73.04.1001-1/cases/{case}");
    }
    std::vector<rules::ScoredSubstance> scored = CheckSubstances(v, s);
    if (s.q8_injecting() == v1::RECENCY_ANSWER_UNSPECIFIED) {
      v.Add("screening.q8_injecting", "is required");
    } else if (!v1::RecencyAnswer_IsValid(s.q8_injecting())) {
      v.Add("screening.q8_injecting", "must be a RecencyAnswer value");
    }
    const bool injecting = s.q8_injecting() == v1::RECENCY_ANSWER_YES_PAST_3_MONTHS;
    if (!v1::InjectingFrequency_IsValid(s.injecting_frequency())) {
      v.Add("screening.injecting_frequency", "must be an InjectingFrequency value");
    } else if (injecting && s.injecting_frequency() == v1::INJECTING_FREQUENCY_UNSPECIFIED) {
      v.Add("screening.injecting_frequency", "is required when q8_injecting is YES_PAST_3_MONTHS");
    } else if (!injecting && s.injecting_frequency() != v1::INJECTING_FREQUENCY_UNSPECIFIED) {
      v.Add("screening.injecting_frequency",
            "must be unset unless q8_injecting is YES_PAST_3_MONTHS (not asked)");
    }
    if (s.has_brief_intervention()) {
      std::set<int> screened;
      for (const auto& a : s.substances()) screened.insert(a.substance());
      CheckBriefIntervention(v, s.brief_intervention(), screened);
    }
    if (!s.supersedes().empty()) {
      auto old = ParseName(s.supersedes(), kScreeningPattern, "screening.supersedes");
      if (!old.ok() || (*old)[0] != client_id) {
        v.Add("screening.supersedes", "must be a screening of the same client");
      }
    }
    return scored;
  }

  // The case a screening names must be this client's (INVALID_ARGUMENT screening.case).
  absl::Status CheckCase(sql::Session& s, const v1::Screening& made,
                         absl::string_view client_id) const {
    if (made.case_().empty()) return absl::OkStatus();
    auto ids = ParseName(made.case_(), kCasePattern, "screening.case");
    if (!ids.ok()) return ids.status();
    auto found = store::Cases(core_->dialect()).Get(s, (*ids)[0], (*ids)[1], made.case_());
    if (absl::IsNotFound(found.status()) || (found.ok() && found->client_id != client_id)) {
      return platform::InvalidField("screening.case", "must be a case of this client");
    }
    return found.status();
  }

  // The screening `old_name` (a RECORDED screening of the client) voided in favour of `row`.
  absl::Status Supersede(sql::Session& s, absl::string_view old_name, absl::string_view client_id,
                         const store::Screening& row, const Call& call) const {
    auto ids = ParseName(old_name, kScreeningPattern, "screening.supersedes");
    if (!ids.ok()) return ids.status();
    const store::Screenings screenings(core_->dialect());
    auto old = screenings.Get(s, client_id, (*ids)[1], old_name, /*for_update=*/true);
    if (absl::IsNotFound(old.status())) {
      return platform::InvalidField("screening.supersedes",
                                    "must be a RECORDED screening of the same client");
    }
    if (!old.ok()) return old.status();
    if (old->state == v1::RECORD_STATE_VOIDED) {
      return platform::WithReason(
          absl::FailedPreconditionError(
              "screening.supersedes is already voided: correct the screening that replaced it"),
          "ALREADY_VOIDED");
    }
    return Void(s, *old, "superseded by a correction", ScreeningName(row.client_id, row.id), call);
  }

  // Voids `row` (its voiding kept in the record), one version up.
  absl::Status Void(sql::Session& s, store::Screening& row, absl::string_view reason,
                    absl::string_view superseded_by, const Call& call) const {
    v1::Screening details;
    if (!details.ParseFromString(row.details)) return IBM_BUG("a stored screening does not parse");
    v1::Voiding* voiding = details.mutable_voiding();
    voiding->set_reason(std::string(reason));
    *voiding->mutable_void_time() = resource::ToTimestamp(core_->NowMicros());
    voiding->set_actor(call.caller->subject.substr(0, 200));
    voiding->set_superseded_by(std::string(superseded_by));
    row.details = details.SerializeAsString();
    row.state = v1::RECORD_STATE_VOIDED;
    row.update_time_us = core_->NowMicros();
    IBM_RETURN_IF_ERROR(core_->RecordChange(s, *call.caller, ScreeningName(row.client_id, row.id),
                                            Core::ChangeAction::kStateChange, "VoidScreening", {},
                                            call.request_id));
    return store::Screenings(core_->dialect()).Update(s, row);
  }

  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewScreeningService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<ScreeningService>(std::move(core), std::move(runtime));
}

absl::Status CreateScreening(const CorePtr& core, const Call& call,
                             const v1::CreateScreeningRequest& req, v1::Screening* resp,
                             bool* replayed) {
  return ScreeningService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

}  // namespace ibm::cases
