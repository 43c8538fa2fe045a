// Cases: a client's enrollment in an IBM unit and its lifecycle (docs/api.md, State machines,
// Case). Each handler: authorize, parse the name, scope on the case's unit, check the fields,
// then one transaction that reads the case locked, checks the etag, the move and its date,
// writes the case (and the client, and the event of an end, a transfer or a void), and the
// response is built from what was written once it committed.
#include "cases/store/cases.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/macros.h"
#include "cases/case_effects.h"
#include "cases/creates.h"
#include "cases/fields.h"
#include "cases/rules/lifecycle.h"
#include "cases/services.h"
#include "cases/store/clients.h"
#include "cases/store/outcomes.h"
#include "cases/store/screenings.h"
#include "ibm/cases/v1/cases.grpc.pb.h"
#include "ibm/cases/v1/clients.pb.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/update_mask.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;
using rules::CaseMove;
using State = rules::CaseState;

constexpr int kMaxAgents = 5;
constexpr size_t kMaxReason = 500;
constexpr int kMaxEpisodes = 20;
constexpr int kFullPageSize = 100;                 // RecordView FULL: at most 100 a page
constexpr size_t kMaxPageBytes = 3 * 1024 * 1024;  // and never past 3 MiB

State StateOf(const v1::Case& c) { return static_cast<State>(c.state()); }
google::type::Date DateOf(absl::CivilDay day) {
  google::type::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}
std::string CaseName(absl::string_view unit_id, absl::string_view id) {
  return FormatName(kCasePattern, {std::string(unit_id), std::string(id)});
}
std::string SatkerName(absl::string_view id) {
  return FormatName(kSatkerPattern, {std::string(id)});
}

struct CaseRef {
  std::string unit_id, id;
};
absl::StatusOr<CaseRef> ParseCaseName(absl::string_view name, absl::string_view field) {
  auto ids = ParseName(name, kCasePattern, field);
  if (!ids.ok()) return ids.status();
  return CaseRef{(*ids)[0], (*ids)[1]};
}

// ---- The stored case and its proto.

// A case as read: the row (its columns and version) and the record in it.
struct Loaded {
  store::Case row;
  v1::Case c;
};

absl::StatusOr<v1::Case> Unpack(const store::Case& row) {
  v1::Case c;
  if (!c.ParseFromString(row.details)) {
    return absl::InternalError(absl::StrCat("the stored case ", row.id, " does not parse"));
  }
  c.set_etag(absl::StrCat(row.version));
  return c;
}

absl::StatusOr<Loaded> Load(const store::Cases& cases, sql::Session& s, const CaseRef& ref,
                            absl::string_view name, bool for_update) {
  auto row = cases.Get(s, ref.unit_id, ref.id, name, for_update);
  if (!row.ok()) return row.status();
  auto c = Unpack(*row);
  if (!c.ok()) return c.status();
  return Loaded{*std::move(row), *std::move(c)};
}

// The record's columns follow the record; the etag is the row's version (set on read).
void Pack(v1::Case& c, int64_t now, store::Case& row) {
  row.state = c.state();
  row.open = rules::IsOpen(StateOf(c));
  row.enrollment_date = resource::DateText(c.enrollment_date());
  row.end_date = IsSet(c.end_date()) ? resource::DateText(c.end_date()) : "";
  row.update_time_us = now;
  *c.mutable_update_time() = resource::ToTimestamp(now);
  c.clear_etag();
  row.details = c.SerializeAsString();
}

// Writes the case one version up and leaves `c` as the response: with its new etag.
absl::Status Save(const store::Cases& cases, sql::Session& s, int64_t now, Loaded& l) {
  Pack(l.c, now, l.row);
  IBM_RETURN_IF_ERROR(cases.Update(s, l.row));
  l.c.set_etag(absl::StrCat(l.row.version));
  return absl::OkStatus();
}

v1::CaseTransition* AppendTransition(v1::Case& c, State to, absl::CivilDay effective, int64_t now,
                                     const auth::Principal& caller, absl::string_view method,
                                     absl::string_view reason) {
  v1::CaseTransition* t = c.add_transitions();
  t->set_from_state(c.state());
  t->set_to_state(static_cast<v1::CaseState>(to));
  *t->mutable_effective_date() = DateOf(effective);
  *t->mutable_time() = resource::ToTimestamp(now);
  t->set_actor(caller.subject);
  t->set_method(std::string(method));
  t->set_reason(std::string(reason));
  c.set_state(static_cast<v1::CaseState>(to));
  if (!rules::IsOpen(to) && !IsSet(c.end_date())) *c.mutable_end_date() = DateOf(effective);
  return t;
}

absl::CivilDay LastEffectiveDate(const v1::Case& c) {
  if (c.transitions_size() == 0) return DayOf(c.enrollment_date());
  return DayOf(c.transitions(c.transitions_size() - 1).effective_date());
}

// The client no longer has this case open (it ended, moved or was voided).
absl::Status ReleaseClient(sql::Session& s, const store::Clients& clients,
                           absl::string_view client_id, absl::string_view case_name, int64_t now) {
  auto client = clients.Get(s, client_id, ClientName(client_id), /*for_update=*/true);
  if (!client.ok()) return client.status();
  if (client->open_case != case_name) return absl::OkStatus();
  client->open_case = "";
  client->update_time_us = now;
  return clients.Update(s, *client);
}

absl::Status EnqueueEnded(const Core& core, sql::Session& s, const v1::Case& c) {
  v1::CaseEvent event;
  event.set_type(v1::CASE_EVENT_TYPE_CASE_ENDED);
  event.set_client(c.client());
  event.set_case_(c.name());
  event.set_satker(c.satker());
  auto* d = event.mutable_case_ended();
  d->set_end_state(c.state());
  d->set_drop_out_reason(c.drop_out_reason());
  *d->mutable_end_date() = c.end_date();
  return EnqueueCaseEvent(core, s, std::move(event));
}

// ---- Field checks.

void CheckReason(FieldViolations& v, absl::string_view field, absl::string_view text,
                 bool required) {
  resource::CheckText(v, field, text, kMaxReason, required);
}

// An effective date the caller gives: set and real (its order is checked with the case).
void CheckEffectiveDateGiven(FieldViolations& v, const google::type::Date& d) {
  resource::CheckDate(v, "effective_date", d, /*required=*/true);
}

bool IsIcd10(absl::string_view code) {
  // A letter, two digits, optionally a dot and one or two more: "F15", "F15.2", "F15.20".
  if (code.size() < 3 || !absl::ascii_isupper(code[0]) || !absl::ascii_isdigit(code[1]) ||
      !absl::ascii_isdigit(code[2])) {
    return false;
  }
  if (code.size() == 3) return true;
  if (code[3] != '.' || code.size() < 5 || code.size() > 6) return false;
  for (char c : code.substr(4)) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

// UseHistory (PP 25/2011 minimum data): every field optional, each within its rule.
void CheckUseHistory(FieldViolations& v, const v1::UseHistory& u, int this_year) {
  const std::string p = "case.use_history";
  if (!v1::Substance_IsValid(u.primary_substance())) {
    v.Add(p + ".primary_substance", "must be a Substance value");
  }
  if (u.primary_substance() == v1::SUBSTANCE_OTHER) {
    resource::CheckText(v, p + ".other_substance", u.other_substance(), 100, true);
  } else if (!u.other_substance().empty()) {
    v.Add(p + ".other_substance", "must be empty unless primary_substance is OTHER");
  }
  std::set<int> seen;
  for (int s : u.other_substances()) {
    if (s == v1::SUBSTANCE_UNSPECIFIED || !v1::Substance_IsValid(s)) {
      v.Add(p + ".other_substances", "must hold Substance values");
      break;
    }
    if (s == u.primary_substance() || !seen.insert(s).second) {
      v.Add(p + ".other_substances", "must not repeat a substance or the primary one");
      break;
    }
  }
  if (u.has_first_use_year() && (u.first_use_year() < 1900 || u.first_use_year() > this_year)) {
    v.Add(p + ".first_use_year", absl::StrCat("must be from 1900 to ", this_year));
  }
  std::set<int> routes;
  for (int r : u.routes()) {
    if (r == v1::ROUTE_OF_USE_UNSPECIFIED || !v1::RouteOfUse_IsValid(r) ||
        !routes.insert(r).second) {
      v.Add(p + ".routes", "must hold RouteOfUse values, none twice");
      break;
    }
  }
  if (!u.diagnosis_icd10().empty() && !IsIcd10(u.diagnosis_icd10())) {
    v.Add(p + ".diagnosis_icd10", "must be an ICD-10 code like F15.2");
  }
  if (u.previous_treatment_size() > kMaxEpisodes) {
    v.Add(p + ".previous_treatment", absl::StrCat("at most ", kMaxEpisodes, " episodes"));
  } else {
    for (int i = 0; i < u.previous_treatment_size(); ++i) {
      const auto& e = u.previous_treatment(i);
      const std::string f = absl::StrCat(p, ".previous_treatment[", i, "]");
      if (e.kind() == v1::TreatmentEpisode::KIND_UNSPECIFIED ||
          !v1::TreatmentEpisode::Kind_IsValid(e.kind())) {
        v.Add(f + ".kind", "is required");
      }
      if (e.has_year() && (e.year() < 1950 || e.year() > this_year)) {
        v.Add(f + ".year", absl::StrCat("must be from 1950 to ", this_year));
      }
    }
  }
  if (u.no_previous_treatment() && u.previous_treatment_size() > 0) {
    v.Add(p + ".no_previous_treatment", "must be false when previous_treatment is given");
  }
}

// With the client: the first use is not before the client's birth year.
void CheckUseHistoryForClient(FieldViolations& v, const v1::UseHistory& u,
                              std::optional<int> birth_year) {
  if (u.has_first_use_year() && birth_year && u.first_use_year() < *birth_year) {
    v.Add("case.use_history.first_use_year", "must not be before the client's birth year");
  }
}

// The agents of a case: at most 5, no repeats, each an ACTIVE agent of the case's unit (asked
// of the registry on the caller's behalf). Returns the checked names.
absl::Status CheckAgents(const Core& core, const Call& call, FieldViolations& v,
                         const google::protobuf::RepeatedPtrField<std::string>& agents,
                         absl::string_view unit_id) {
  if (agents.size() > kMaxAgents) {
    v.Add("case.agents", absl::StrCat("at most ", kMaxAgents, " agents"));
    return absl::OkStatus();
  }
  std::set<std::string> seen;
  for (int i = 0; i < agents.size(); ++i) {
    const std::string field = absl::StrCat("case.agents[", i, "]");
    auto ids = ParseName(agents[i], kAgentPattern, field);
    if (!ids.ok()) {
      v.Add(field, "must be a resource name like units/32.73.04.1001-1/agents/{agent}");
    } else if (!seen.insert(agents[i]).second) {
      v.Add("case.agents", "must not repeat an agent");
    } else if ((*ids)[0] != unit_id) {
      v.Add(field, "must be an agent of the case's unit");
    } else {
      auto active = core.registry().AgentActive(call, (*ids)[0], (*ids)[1]);
      if (!active.ok()) return active.status();
      if (!*active) v.Add(field, "must be an ACTIVE agent of the case's unit");
    }
  }
  return absl::OkStatus();
}

// The responsible officer: an officer of a satker whose scope covers the unit. (The registry
// client cannot look officers up yet: the officer's existence is not checked.)
void CheckOfficer(FieldViolations& v, absl::string_view officer, absl::string_view unit_id) {
  if (officer.empty()) return;
  auto ids = ParseName(officer, kOfficerPattern, "case.officer");
  if (!ids.ok()) {
    v.Add("case.officer", "must be a resource name like satkers/bnnk-32.73/officers/{officer}");
    return;
  }
  auto scope = auth::Scope::OfSatker((*ids)[0]);
  if (!scope.ok() || !scope->Covers(UnitVillage(unit_id))) {
    v.Add("case.officer", "must be an officer of a satker whose scope covers the unit");
  }
}

absl::Status CaseNotOpen(const v1::Case& c) {
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat(c.name(), " is ", rules::StateName(StateOf(c)),
                                                 ": a final case takes no changes")),
      "CASE_NOT_OPEN");
}

// ---- A transition, the same for every custom method but TransferCase and VoidCase.

struct Move {
  absl::string_view method;
  CaseMove move;
  State resume_to = State::kUnspecified;
  std::string reason;  // kept in the transition
  // Checks that need the case and changes beyond the state (referral, drop-out reason,
  // waiver); may be empty.
  std::function<absl::Status(v1::Case&)> apply;
  // As `apply`, for checks that read other records in the move's transaction (CompleteCase's
  // exit assessments); may be empty.
  std::function<absl::Status(sql::Session&, v1::Case&)> apply_in_tx;
};

class CaseService final : public v1::CaseService::CallbackService {
 public:
  CaseService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)), calls_(v1::CaseService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetCase(CallbackServerContext* ctx, const v1::GetCaseRequest* req,
                              v1::Case* resp) override {
    return calls_.Run(ctx, "GetCase", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "GetCase");
      if (!grant.ok()) return grant.status();
      auto ref = ParseCaseName(req->name(), "name");
      if (!ref.ok()) return ref.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, ref->unit_id));
      const store::Cases cases(core_->dialect());
      Loaded found;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto l = Load(cases, s, *ref, req->name(), false);
        if (!l.ok()) return l.status();
        found = *std::move(l);
        return absl::OkStatus();
      }));
      *resp = std::move(found.c);
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* ListCases(CallbackServerContext* ctx, const v1::ListCasesRequest* req,
                                v1::ListCasesResponse* resp) override {
    return calls_.Run(ctx, "ListCases", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ListCases");
      if (!grant.ok()) return grant.status();
      store::CaseFilter f;
      const bool every_unit = req->parent() == "units/-";
      if (every_unit) {
        // Everything in the caller's scope: an agent's own unit, an officer's region.
        if (grant->cell == Cell::kOwnUnit) {
          f.unit_id = AgentUnit(*call.caller);
        } else if (!call.caller->scope.national()) {
          std::tie(f.scope_from, f.scope_to) = store::VillageRange(call.caller->scope.prefix());
        }
      } else {
        auto unit = ParseName(req->parent(), kUnitPattern, "parent");
        if (!unit.ok()) return unit.status();
        IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*unit)[0]));
        f.unit_id = (*unit)[0];
      }
      FieldViolations v;
      if (!req->client().empty()) {
        auto client = ParseName(req->client(), kClientPattern, "client");
        if (client.ok()) {
          f.client_id = (*client)[0];
        } else {
          v.Add("client", "must be a resource name like clients/{client}");
        }
      }
      std::set<int> states;
      for (int s : req->states()) {
        if (s == v1::CASE_STATE_UNSPECIFIED || !v1::CaseState_IsValid(s)) {
          v.Add("states", "must hold CaseState values");
          break;
        }
        if (!states.insert(s).second) {
          v.Add("states", "must not repeat a state");
          break;
        }
      }
      if (req->states().empty()) {
        for (int s = v1::CASE_STATE_ENROLLED; s <= v1::CASE_STATE_TRANSFERRED; ++s) {
          states.insert(s);  // every state but VOIDED
        }
      }
      f.states.assign(states.begin(), states.end());
      if (!req->region().empty()) {
        auto code = domain::RegionCode::Parse(absl::StripPrefix(req->region(), "regions/"));
        if (!every_unit) {
          v.Add("region", "is only for the parent units/-");
        } else if (!absl::StartsWith(req->region(), "regions/") || !code.ok()) {
          v.Add("region", "must be a resource name like regions/32.73");
        } else {
          std::tie(f.village_from, f.village_to) = store::VillageRange(code->str());
        }
      }
      if (!req->satker().empty()) {
        auto satker = ParseName(req->satker(), kSatkerPattern, "satker");
        if (!every_unit) {
          v.Add("satker", "is only for the parent units/-");
        } else if (!satker.ok()) {
          v.Add("satker", "must be a resource name like satkers/bnnk-32.73");
        } else {
          f.satker_id = (*satker)[0];
        }
      }
      resource::CheckDate(v, "enrolled_after", req->enrolled_after(), false);
      resource::CheckDate(v, "enrolled_before", req->enrolled_before(), false);
      if (IsSet(req->enrolled_after()))
        f.enrolled_after = resource::DateText(req->enrolled_after());
      if (IsSet(req->enrolled_before())) {
        f.enrolled_before = resource::DateText(req->enrolled_before());
      }
      if (!f.enrolled_after.empty() && !f.enrolled_before.empty() &&
          f.enrolled_after > f.enrolled_before) {
        v.Add("enrolled_after", "must not be after enrolled_before");
      }
      if (!v1::RecordView_IsValid(req->view())) v.Add("view", "must be a RecordView value");
      if (!v.empty()) return v.status();

      const bool full = req->view() == v1::RECORD_VIEW_FULL;
      const std::string query =
          absl::StrCat("ListCases|", req->parent(), "|", f.client_id, "|",
                       absl::StrJoin(f.states, ","), "|", req->region(), "|", f.satker_id, "|",
                       f.enrolled_after, "|", f.enrolled_before, "|", full ? "full" : "basic");
      auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
      if (!page.ok()) return page.status();
      if (full) page->size = std::min(page->size, kFullPageSize);
      std::optional<store::CaseKey> after;
      if (!page->after.empty()) {
        std::vector<std::string> key = absl::StrSplit(page->after, '|');
        if (key.size() != 3) return platform::InvalidField("page_token", "is not a page token");
        after = store::CaseKey{key[0], key[1], key[2]};
      }
      const store::Cases cases(core_->dialect());
      std::vector<store::Case> rows;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto listed = cases.List(s, f, after, page->size + 1);
        if (!listed.ok()) return listed.status();
        rows = *std::move(listed);
        return absl::OkStatus();
      }));
      size_t bytes = 0;
      size_t kept = 0;
      for (; kept < rows.size() && kept < static_cast<size_t>(page->size); ++kept) {
        auto c = Unpack(rows[kept]);
        if (!c.ok()) return c.status();
        if (!full) {
          c->clear_use_history();
          c->clear_transitions();
        }
        bytes += c->ByteSizeLong();
        if (kept > 0 && bytes > kMaxPageBytes) break;  // a FULL page ends early, never empty
        *resp->add_cases() = *std::move(c);
      }
      if (kept < rows.size()) {
        const store::Case& last = rows[kept - 1];
        resp->set_next_page_token(core_->pages().Next(
            query, absl::StrCat(last.enrollment_date, "|", last.unit_id, "|", last.id)));
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateCase(CallbackServerContext* ctx, const v1::CreateCaseRequest* req,
                                 v1::Case* resp) override {
    return calls_.Run(ctx, "CreateCase", [=, this](const Call& call) -> absl::Status {
      return Create(call, req, resp);
    });
  }

  // CreateCase without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateCaseRequest* req, v1::Case* resp,
                      bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateCase");
    if (!grant.ok()) return grant.status();
    auto unit = ParseName(req->parent(), kUnitPattern, "parent");
    if (!unit.ok()) return unit.status();
    const std::string unit_id = (*unit)[0];
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
    const v1::Case& in = req->case_();
    FieldViolations v;
    std::string client_id;
    if (in.client().empty()) {
      v.Add("case.client", "is required");
    } else if (auto ids = ParseName(in.client(), kClientPattern, "case.client"); ids.ok()) {
      client_id = (*ids)[0];
    } else {
      v.Add("case.client", "must be a resource name like clients/{client}");
    }
    const absl::CivilDay today = rules::Today(core_->Now());
    resource::CheckDate(v, "case.enrollment_date", in.enrollment_date(), true);
    if (IsSet(in.enrollment_date()) && DayOf(in.enrollment_date()) > today) {
      v.Add("case.enrollment_date", "must not be in the future");
    }
    std::string screening_id;
    if (!in.initial_screening().empty()) {
      // A screening of the same client (the name tells); RECORDED, checked with the client.
      auto ids = ParseName(in.initial_screening(), kScreeningPattern, "case.initial_screening");
      if (!ids.ok() || (*ids)[0] != client_id) {
        v.Add("case.initial_screening", "must be a screening of the case's client");
      } else {
        screening_id = (*ids)[1];
      }
    }
    IBM_RETURN_IF_ERROR(CheckAgents(*core_, call, v, in.agents(), unit_id));
    CheckOfficer(v, in.officer(), unit_id);
    if (in.has_use_history()) CheckUseHistory(v, in.use_history(), static_cast<int>(today.year()));
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    auto facts = core_->RequireOpenUnit(call, unit_id, "parent");
    if (!facts.ok()) return facts.status();
    CheckFormedBy(v, *facts, "case.enrollment_date", DayOf(in.enrollment_date()));
    if (!v.empty()) return v.status();

    const store::Cases cases(core_->dialect());
    const store::Clients clients(core_->dialect());
    Loaded made;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      // The client first: concurrent enrollments of one client (and retries of one create)
      // queue on its row, so each sees what the one before it did.
      auto client = clients.Get(s, client_id, in.client(), /*for_update=*/true);
      if (!client.ok()) return client.status();
      auto done = core_->FindCreate(s, *call.caller, "CreateCase", req->request_id(), *req);
      if (!done.ok()) return done.status();
      if (*done) {
        if (replayed != nullptr) *replayed = true;
        auto ref = ParseCaseName(**done, "name");
        if (!ref.ok()) return IBM_BUG("remembered create of a malformed case name");
        auto l = Load(cases, s, *ref, **done, false);
        if (!l.ok()) return l.status();
        made = *std::move(l);
        return absl::OkStatus();
      }
      if (client->state != v1::Client::STATE_ACTIVE) {
        return platform::WithReason(
            absl::FailedPreconditionError(
                absl::StrCat("case.client: ", in.client(), " is ",
                             v1::Client::State_Name(static_cast<v1::Client::State>(client->state)),
                             ": no new case may name it")),
            "CLIENT_NOT_ACTIVE");
      }
      if (!client->open_case.empty()) {
        absl::Status st = platform::WithReason(
            absl::AlreadyExistsError(
                "the client has an open case: end, transfer or void it before a new one"),
            "CLIENT_HAS_OPEN_CASE");
        // The open case's name only to a caller whose scope covers it.
        auto open = ParseCaseName(client->open_case, "open_case");
        if (open.ok() && core_->RequireUnitScope(call, *grant, open->unit_id).ok()) {
          st = platform::WithMetadata(st, "open_case", client->open_case);
        }
        return st;
      }
      {
        FieldViolations late;
        CheckUseHistoryForClient(late, in.use_history(), client->birth_year);
        if (!screening_id.empty()) {
          auto screening = store::Screenings(core_->dialect())
                               .Get(s, client_id, screening_id, in.initial_screening());
          if (absl::IsNotFound(screening.status()) ||
              (screening.ok() && screening->state != v1::RECORD_STATE_RECORDED)) {
            late.Add("case.initial_screening", "must be a RECORDED screening of the client");
          } else if (!screening.ok()) {
            return screening.status();
          }
        }
        if (!late.empty()) return late.status();
      }
      const int64_t now = core_->NowMicros();
      const std::string id = NewId("");
      v1::Case& c = made.c;
      c.set_name(CaseName(unit_id, id));
      c.set_client(in.client());
      c.set_satker(SatkerName(facts->satker));
      *c.mutable_enrollment_date() = in.enrollment_date();
      c.set_admission_path(static_cast<v1::AdmissionPath>(client->admission_path));
      c.set_initial_screening(in.initial_screening());
      *c.mutable_agents() = in.agents();
      c.set_officer(in.officer());
      if (in.has_use_history()) *c.mutable_use_history() = in.use_history();
      c.set_create_actor(call.caller->subject);
      *c.mutable_create_time() = resource::ToTimestamp(now);
      // The creation is the first transition, effective on the enrollment date.
      c.set_state(v1::CASE_STATE_UNSPECIFIED);
      AppendTransition(c, State::kEnrolled, DayOf(in.enrollment_date()), now, *call.caller,
                       "CreateCase", "");
      made.row = store::Case{id,
                             unit_id,
                             client_id,
                             UnitVillage(unit_id).str(),
                             facts->satker,
                             0,
                             true,
                             "",
                             "",
                             "",
                             call.caller->subject,
                             1,
                             now,
                             now};
      Pack(c, now, made.row);
      IBM_RETURN_IF_ERROR(cases.Insert(s, made.row));
      c.set_etag(absl::StrCat(made.row.version));
      // The unit becomes the client's unit.
      client->unit_id = unit_id;
      client->satker_id = facts->satker;
      client->village_code = UnitVillage(unit_id).str();
      client->open_case = c.name();
      client->update_time_us = now;
      IBM_RETURN_IF_ERROR(clients.Update(s, *client));
      IBM_RETURN_IF_ERROR(clients.AddUnit(s, client_id, unit_id));
      return core_->RememberCreate(s, *call.caller, "CreateCase", req->request_id(), *req,
                                   c.name());
    }));
    *resp = std::move(made.c);
    return absl::OkStatus();
  }

  ServerUnaryReactor* UpdateCase(CallbackServerContext* ctx, const v1::UpdateCaseRequest* req,
                                 v1::Case* resp) override {
    return calls_.Run(ctx, "UpdateCase", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "UpdateCase");
      if (!grant.ok()) return grant.status();
      const v1::Case& in = req->case_();
      auto ref = ParseCaseName(in.name(), "case.name");
      if (!ref.ok()) return ref.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, ref->unit_id));
      auto paths = resource::MaskPaths(
          req->update_mask(),
          {"enrollment_date", "agents", "officer", "use_history", "use_history.primary_substance",
           "use_history.other_substance", "use_history.other_substances",
           "use_history.first_use_year", "use_history.routes", "use_history.diagnosis_icd10",
           "use_history.previous_treatment", "use_history.no_previous_treatment"});
      if (!paths.ok()) return paths.status();
      using resource::HasPath;
      const absl::CivilDay today = rules::Today(core_->Now());
      FieldViolations v;
      if (HasPath(*paths, "enrollment_date")) {
        resource::CheckDate(v, "case.enrollment_date", in.enrollment_date(), true);
      }
      if (HasPath(*paths, "agents")) {
        IBM_RETURN_IF_ERROR(CheckAgents(*core_, call, v, in.agents(), ref->unit_id));
      }
      if (HasPath(*paths, "officer")) CheckOfficer(v, in.officer(), ref->unit_id);
      if (!v.empty()) return v.status();

      const store::Cases cases(core_->dialect());
      const store::Clients clients(core_->dialect());
      Loaded l;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
        auto loaded = Load(cases, s, *ref, in.name(), /*for_update=*/true);
        if (!loaded.ok()) return loaded.status();
        l = *std::move(loaded);
        v1::Case& c = l.c;
        IBM_RETURN_IF_ERROR(resource::CheckEtag(in.etag(), l.row.version, "case.etag"));
        if (!rules::IsOpen(StateOf(c))) return CaseNotOpen(c);
        FieldViolations late;
        if (HasPath(*paths, "enrollment_date")) {
          std::optional<absl::CivilDay> next;
          if (c.transitions_size() > 1) next = DayOf(c.transitions(1).effective_date());
          rules::CheckEnrollmentDate(late, "case.enrollment_date", DayOf(in.enrollment_date()),
                                     today, next);
          auto earliest = cases.EarliestRecordDate(s, l.row);
          if (!earliest.ok()) return earliest.status();
          if (*earliest && resource::DateText(in.enrollment_date()) > **earliest) {
            late.Add("case.enrollment_date",
                     absl::StrCat("must not be after ", **earliest,
                                  ", the date of the case's earliest record"));
          }
          *c.mutable_enrollment_date() = in.enrollment_date();
          // The enrollment date is the creation's effective date.
          if (c.transitions_size() > 0) {
            *c.mutable_transitions(0)->mutable_effective_date() = in.enrollment_date();
          }
        }
        if (HasPath(*paths, "agents")) *c.mutable_agents() = in.agents();
        if (HasPath(*paths, "officer")) c.set_officer(in.officer());
        const bool history = std::any_of(paths->begin(), paths->end(), [](const std::string& p) {
          return absl::StartsWith(p, "use_history");
        });
        if (history) MergeUseHistory(*paths, in.use_history(), *c.mutable_use_history());
        if (history) {
          CheckUseHistory(late, c.use_history(), static_cast<int>(today.year()));
          auto client = clients.Get(s, l.row.client_id, c.client());
          if (!client.ok()) return client.status();
          CheckUseHistoryForClient(late, c.use_history(), client->birth_year);
        }
        if (!late.empty()) return late.status();
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "UpdateCase", *req));
        return Save(cases, s, core_->NowMicros(), l);
      }));
      *resp = std::move(l.c);
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* StartCaseIntervention(CallbackServerContext* ctx,
                                            const v1::StartCaseInterventionRequest* req,
                                            v1::Case* resp) override {
    return calls_.Run(ctx, "StartCaseIntervention", [=, this](const Call& call) {
      return Transition(call, req->name(), req->effective_date(), req->etag(),
                        Move{"StartCaseIntervention", CaseMove::kStartIntervention}, {}, resp);
    });
  }

  ServerUnaryReactor* StartCaseRecoverySupport(CallbackServerContext* ctx,
                                               const v1::StartCaseRecoverySupportRequest* req,
                                               v1::Case* resp) override {
    return calls_.Run(ctx, "StartCaseRecoverySupport", [=, this](const Call& call) {
      return Transition(call, req->name(), req->effective_date(), req->etag(),
                        Move{"StartCaseRecoverySupport", CaseMove::kStartRecoverySupport}, {},
                        resp);
    });
  }

  ServerUnaryReactor* ReferCase(CallbackServerContext* ctx, const v1::ReferCaseRequest* req,
                                v1::Case* resp) override {
    return calls_.Run(ctx, "ReferCase", [=, this](const Call& call) {
      auto fields = [req](FieldViolations& v, const Grant& grant) -> absl::Status {
        CheckReason(v, "reason", req->reason(), true);
        if (!req->referral().empty()) {
          if (!ParseName(req->referral(), kReferralPattern, "referral").ok()) {
            v.Add("referral", "must be a resource name like referrals/{referral}");
          }
        } else if (grant.kind == CallerKind::kReferrals) {
          v.Add("referral", "is required from the referrals system: the referral of this case");
        }
        if (!v.empty() || grant.kind != CallerKind::kReferrals) return absl::OkStatus();
        // The referrals system's referral must be checked with ibm.referrals.v1 (GetReferral:
        // a referral of this case), which is not built yet: refuse rather than move a case on
        // an unchecked word. Officers' referrals are stored unchecked, as the contract says.
        return absl::UnavailableError(
            "the referrals service cannot be asked yet to check the referral; try again later");
      };
      Move m{"ReferCase", CaseMove::kRefer, State::kUnspecified, req->reason(), [req](v1::Case& c) {
               c.set_referral(req->referral());
               return absl::OkStatus();
             }};
      return Transition(call, req->name(), req->effective_date(), req->etag(), std::move(m), fields,
                        resp);
    });
  }

  ServerUnaryReactor* ResumeCase(CallbackServerContext* ctx, const v1::ResumeCaseRequest* req,
                                 v1::Case* resp) override {
    return calls_.Run(ctx, "ResumeCase", [=, this](const Call& call) {
      auto fields = [req](FieldViolations& v, const Grant&) -> absl::Status {
        if (req->resume_state() != v1::CASE_STATE_IN_INTERVENTION &&
            req->resume_state() != v1::CASE_STATE_RECOVERY_SUPPORT) {
          v.Add("resume_state", "must be IN_INTERVENTION or RECOVERY_SUPPORT");
        }
        CheckReason(v, "notes", req->notes(), false);
        return absl::OkStatus();
      };
      return Transition(call, req->name(), req->effective_date(), req->etag(),
                        Move{"ResumeCase", CaseMove::kResume,
                             static_cast<State>(req->resume_state()), req->notes()},
                        fields, resp);
    });
  }

  ServerUnaryReactor* CompleteCase(CallbackServerContext* ctx, const v1::CompleteCaseRequest* req,
                                   v1::Case* resp) override {
    return calls_.Run(ctx, "CompleteCase", [=, this](const Call& call) {
      auto fields = [req](FieldViolations& v, const Grant&) -> absl::Status {
        CheckReason(v, "exit_assessment_waiver", req->exit_assessment_waiver(), false);
        return absl::OkStatus();
      };
      Move m{"CompleteCase", CaseMove::kComplete, State::kUnspecified,
             req->exit_assessment_waiver()};
      // A non-voided EXIT urine test and a scored (not DISCARDED) non-voided EXIT WHOQOL-BREF
      // of the case, read in the move's transaction (outcome writes lock the case row too):
      // with both, no waiver is needed (and one given is INVALID_ARGUMENT); without them, a
      // waiver, or EXIT_ASSESSMENT_MISSING naming what is missing.
      m.apply_in_tx = [this, req](sql::Session& s, v1::Case& c) -> absl::Status {
        auto ref = ParseCaseName(c.name(), "name");
        if (!ref.ok()) return IBM_BUG("a stored case has a malformed name");
        auto assessed = store::Outcomes(core_->dialect()).HasExitAssessment(s, ref->id);
        if (!assessed.ok()) return assessed.status();
        const bool waived = !absl::StripAsciiWhitespace(req->exit_assessment_waiver()).empty();
        if (assessed->urine_test && assessed->quality_of_life) {
          if (!waived) return absl::OkStatus();
          return platform::InvalidField(
              "exit_assessment_waiver",
              "must be empty: the case has its EXIT urine test and a scored EXIT WHOQOL-BREF");
        }
        if (!waived) {
          std::vector<std::string> missing, what;
          if (!assessed->urine_test) {
            missing.push_back("urine_test");
            what.push_back("no EXIT urine test");
          }
          if (!assessed->quality_of_life) {
            missing.push_back("quality_of_life");
            what.push_back("no scored EXIT WHOQOL-BREF");
          }
          absl::Status st = platform::WithReason(
              absl::FailedPreconditionError(
                  absl::StrCat("the case has ", absl::StrJoin(what, " and "),
                               ": record it, or give an exit_assessment_waiver saying why")),
              "EXIT_ASSESSMENT_MISSING");
          return platform::WithMetadata(st, "missing", absl::StrJoin(missing, ","));
        }
        c.set_exit_assessment_waiver(req->exit_assessment_waiver());
        return absl::OkStatus();
      };
      return Transition(call, req->name(), req->effective_date(), req->etag(), std::move(m), fields,
                        resp);
    });
  }

  ServerUnaryReactor* DropOutCase(CallbackServerContext* ctx, const v1::DropOutCaseRequest* req,
                                  v1::Case* resp) override {
    return calls_.Run(ctx, "DropOutCase", [=, this](const Call& call) {
      auto fields = [req](FieldViolations& v, const Grant&) -> absl::Status {
        if (req->reason() == v1::DROP_OUT_REASON_UNSPECIFIED ||
            !v1::DropOutReason_IsValid(req->reason())) {
          v.Add("reason", "is required: a DropOutReason");
        } else if (req->reason() == v1::DROP_OUT_REASON_CONSENT_WITHDRAWN) {
          v.Add("reason", "CONSENT_WITHDRAWN is set by WithdrawClientConsent only");
        }
        CheckReason(v, "notes", req->notes(), req->reason() == v1::DROP_OUT_REASON_OTHER);
        return absl::OkStatus();
      };
      Move m{"DropOutCase", CaseMove::kDropOut, State::kUnspecified, req->notes(),
             [req](v1::Case& c) {
               c.set_drop_out_reason(req->reason());
               return absl::OkStatus();
             }};
      return Transition(call, req->name(), req->effective_date(), req->etag(), std::move(m), fields,
                        resp);
    });
  }

  ServerUnaryReactor* TransferCase(CallbackServerContext* ctx, const v1::TransferCaseRequest* req,
                                   v1::TransferCaseResponse* resp) override {
    return calls_.Run(ctx, "TransferCase", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "TransferCase");
      if (!grant.ok()) return grant.status();
      auto ref = ParseCaseName(req->name(), "name");
      if (!ref.ok()) return ref.status();
      // The scope of the source case; the target unit may lie outside it.
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, ref->unit_id));
      FieldViolations v;
      CheckEffectiveDateGiven(v, req->effective_date());
      std::string target_id;
      if (req->target_unit().empty()) {
        v.Add("target_unit", "is required");
      } else if (auto ids = ParseName(req->target_unit(), kUnitPattern, "target_unit"); !ids.ok()) {
        v.Add("target_unit", "must be a resource name like units/32.73.04.1001-1");
      } else if ((*ids)[0] == ref->unit_id) {
        v.Add("target_unit", "must be another unit than the case's");
      } else {
        target_id = (*ids)[0];
      }
      CheckReason(v, "reason", req->reason(), true);
      resource::CheckRequestId(v, "request_id", req->request_id());
      if (!v.empty()) return v.status();
      auto target = core_->RequireOpenUnit(call, target_id, "target_unit");
      if (!target.ok()) return target.status();
      // The case moves on effective_date: the target unit must exist by then.
      if (target->formation_date && DayOf(req->effective_date()) < *target->formation_date) {
        return platform::InvalidField(
            "target_unit",
            absl::StrCat("was formed on ", absl::FormatCivilTime(*target->formation_date),
                         ", after effective_date"));
      }

      const store::Cases cases(core_->dialect());
      const store::Clients clients(core_->dialect());
      const absl::CivilDay today = rules::Today(core_->Now());
      Loaded source, moved;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
        auto loaded = Load(cases, s, *ref, req->name(), /*for_update=*/true);
        if (!loaded.ok()) return loaded.status();
        source = *std::move(loaded);
        // A retry (after the source is locked, so that it waits for the first try).
        auto done = core_->FindCreate(s, *call.caller, "TransferCase", req->request_id(), *req);
        if (!done.ok()) return done.status();
        if (*done) {
          auto target_ref = ParseCaseName(**done, "name");
          if (!target_ref.ok()) return IBM_BUG("remembered transfer to a malformed case name");
          auto t = Load(cases, s, *target_ref, **done, false);
          if (!t.ok()) return t.status();
          moved = *std::move(t);
          return absl::OkStatus();
        }
        v1::Case& c = source.c;
        IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), source.row.version, "etag"));
        IBM_RETURN_IF_ERROR(
            rules::CheckMove(StateOf(c), CaseMove::kTransfer, c.transitions_size()));
        const absl::CivilDay effective = DayOf(req->effective_date());
        FieldViolations late;
        rules::CheckEffectiveDate(late, "effective_date", effective, today, LastEffectiveDate(c));
        if (!late.empty()) return late.status();
        const int64_t now = core_->NowMicros();
        const std::string id = NewId("");
        const std::string target_name = CaseName(target_id, id);
        const State state = StateOf(c);
        // The source ends first: the client's one open case is now the new one.
        AppendTransition(c, State::kTransferred, effective, now, *call.caller, "TransferCase",
                         req->reason());
        c.set_transferred_to(target_name);
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "TransferCase", *req));
        IBM_RETURN_IF_ERROR(Save(cases, s, now, source));
        // The new case: same client, state, use history and screening; the target unit
        // assigns its own agents and officer.
        v1::Case& t = moved.c;
        t.set_name(target_name);
        t.set_client(c.client());
        t.set_satker(SatkerName(target->satker));
        *t.mutable_enrollment_date() = req->effective_date();
        t.set_initial_screening(c.initial_screening());
        if (c.has_use_history()) *t.mutable_use_history() = c.use_history();
        t.set_transferred_from(c.name());
        t.set_create_actor(call.caller->subject);
        *t.mutable_create_time() = resource::ToTimestamp(now);
        auto client = clients.Get(s, source.row.client_id, c.client(), /*for_update=*/true);
        if (!client.ok()) return client.status();
        t.set_admission_path(static_cast<v1::AdmissionPath>(client->admission_path));
        AppendTransition(t, state, effective, now, *call.caller, "TransferCase", req->reason());
        moved.row = store::Case{id,
                                target_id,
                                source.row.client_id,
                                UnitVillage(target_id).str(),
                                target->satker,
                                0,
                                true,
                                "",
                                "",
                                "",
                                call.caller->subject,
                                1,
                                now,
                                now};
        Pack(t, now, moved.row);
        IBM_RETURN_IF_ERROR(cases.Insert(s, moved.row));
        t.set_etag(absl::StrCat(moved.row.version));
        // The new unit becomes the client's unit (and stays in its scope for good).
        client->unit_id = target_id;
        client->satker_id = target->satker;
        client->village_code = UnitVillage(target_id).str();
        client->open_case = target_name;
        client->update_time_us = now;
        IBM_RETURN_IF_ERROR(clients.Update(s, *client));
        IBM_RETURN_IF_ERROR(clients.AddUnit(s, source.row.client_id, target_id));
        IBM_RETURN_IF_ERROR(core_->RememberCreate(s, *call.caller, "TransferCase",
                                                  req->request_id(), *req, target_name));
        v1::CaseEvent event;
        event.set_type(v1::CASE_EVENT_TYPE_CASE_TRANSFERRED);
        event.set_client(c.client());
        event.set_case_(c.name());
        event.set_satker(c.satker());
        auto* d = event.mutable_case_transferred();
        d->set_target_case(target_name);
        d->set_target_satker(t.satker());
        *d->mutable_effective_date() = req->effective_date();
        return EnqueueCaseEvent(*core_, s, std::move(event));
      }));
      *resp->mutable_source_case() = std::move(source.c);
      *resp->mutable_target_case() = std::move(moved.c);
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* VoidCase(CallbackServerContext* ctx, const v1::VoidCaseRequest* req,
                               v1::Case* resp) override {
    return calls_.Run(ctx, "VoidCase", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "VoidCase");
      if (!grant.ok()) return grant.status();
      auto ref = ParseCaseName(req->name(), "name");
      if (!ref.ok()) return ref.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, ref->unit_id));
      FieldViolations v;
      CheckReason(v, "reason", req->reason(), true);
      if (!v.empty()) return v.status();
      const store::Cases cases(core_->dialect());
      const store::Clients clients(core_->dialect());
      const absl::CivilDay today = rules::Today(core_->Now());
      Loaded l;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
        auto loaded = Load(cases, s, *ref, req->name(), /*for_update=*/true);
        if (!loaded.ok()) return loaded.status();
        l = *std::move(loaded);
        v1::Case& c = l.c;
        IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), l.row.version, "etag"));
        IBM_RETURN_IF_ERROR(rules::CheckMove(StateOf(c), CaseMove::kVoid, c.transitions_size()));
        const int64_t now = core_->NowMicros();
        const State previous = StateOf(c);
        // A void has no date of its own: it is recorded today (never before the last move).
        AppendTransition(c, State::kVoided, std::max(today, LastEffectiveDate(c)), now,
                         *call.caller, "VoidCase", req->reason());
        auto* voiding = c.mutable_voiding();
        voiding->set_reason(req->reason());
        *voiding->mutable_void_time() = resource::ToTimestamp(now);
        voiding->set_actor(call.caller->subject);
        IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "VoidCase", *req));
        IBM_RETURN_IF_ERROR(Save(cases, s, now, l));
        if (rules::IsOpen(previous)) {
          IBM_RETURN_IF_ERROR(ReleaseClient(s, clients, l.row.client_id, c.name(), now));
        }
        v1::CaseEvent event;
        event.set_type(v1::CASE_EVENT_TYPE_CASE_VOIDED);
        event.set_client(c.client());
        event.set_case_(c.name());
        event.set_satker(c.satker());
        event.mutable_case_voided()->set_previous_state(static_cast<v1::CaseState>(previous));
        return EnqueueCaseEvent(*core_, s, std::move(event));
      }));
      *resp = std::move(l.c);
      return absl::OkStatus();
    });
  }

 private:
  // A field check of a transition's request beyond its effective date; may refuse the call
  // outright (a non-OK status) after the fields are fine.
  using Fields = std::function<absl::Status(FieldViolations&, const Grant&)>;

  // The shape of StartCaseIntervention, StartCaseRecoverySupport, ReferCase, ResumeCase,
  // CompleteCase and DropOutCase.
  absl::Status Transition(const Call& call, const std::string& name,
                          const google::type::Date& effective_date, const std::string& etag, Move m,
                          const Fields& fields, v1::Case* resp) const {
    auto grant = core_->Authorize(call, m.method);
    if (!grant.ok()) return grant.status();
    auto ref = ParseCaseName(name, "name");
    if (!ref.ok()) return ref.status();
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, ref->unit_id));
    FieldViolations v;
    CheckEffectiveDateGiven(v, effective_date);
    absl::Status refused = fields ? fields(v, *grant) : absl::OkStatus();
    if (!v.empty()) return v.status();
    if (!refused.ok()) return refused;
    const store::Cases cases(core_->dialect());
    const store::Clients clients(core_->dialect());
    const absl::CivilDay today = rules::Today(core_->Now());
    Loaded l;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto loaded = Load(cases, s, *ref, name, /*for_update=*/true);
      if (!loaded.ok()) return loaded.status();
      l = *std::move(loaded);
      v1::Case& c = l.c;
      // The etag first: of many concurrent moves with one etag, one wins and the others
      // learn that the case changed (not that the move became illegal).
      IBM_RETURN_IF_ERROR(resource::CheckEtag(etag, l.row.version, "etag"));
      IBM_RETURN_IF_ERROR(rules::CheckMove(StateOf(c), m.move, c.transitions_size(), m.resume_to));
      const absl::CivilDay effective = DayOf(effective_date);
      FieldViolations late;
      rules::CheckEffectiveDate(late, "effective_date", effective, today, LastEffectiveDate(c));
      if (!late.empty()) return late.status();
      if (m.apply) IBM_RETURN_IF_ERROR(m.apply(c));
      if (m.apply_in_tx) IBM_RETURN_IF_ERROR(m.apply_in_tx(s, c));
      const int64_t now = core_->NowMicros();
      auto to = rules::NextState(StateOf(c), m.move, m.resume_to);
      AppendTransition(c, *to, effective, now, *call.caller, m.method, m.reason);
      IBM_RETURN_IF_ERROR(core_->RecordChange(s, *call.caller, c.name(),
                                              Core::ChangeAction::kStateChange, m.method, {},
                                              call.request_id));
      IBM_RETURN_IF_ERROR(Save(cases, s, now, l));
      if (rules::IsOpen(*to)) return absl::OkStatus();
      // Ended (COMPLETED or DROPPED_OUT): the client may be enrolled again, and the
      // referrals system hears of it.
      IBM_RETURN_IF_ERROR(ReleaseClient(s, clients, l.row.client_id, c.name(), now));
      return EnqueueEnded(*core_, s, c);
    }));
    *resp = std::move(l.c);
    return absl::OkStatus();
  }

  // UpdateCase's use_history paths: the whole history, or single fields of it.
  static void MergeUseHistory(const std::vector<std::string>& paths, const v1::UseHistory& in,
                              v1::UseHistory& out) {
    using resource::HasPath;
    if (HasPath(paths, "use_history")) {
      out = in;
      return;
    }
    if (HasPath(paths, "use_history.primary_substance")) {
      out.set_primary_substance(in.primary_substance());
    }
    if (HasPath(paths, "use_history.other_substance"))
      out.set_other_substance(in.other_substance());
    if (HasPath(paths, "use_history.other_substances")) {
      *out.mutable_other_substances() = in.other_substances();
    }
    if (HasPath(paths, "use_history.first_use_year")) {
      if (in.has_first_use_year()) {
        out.set_first_use_year(in.first_use_year());
      } else {
        out.clear_first_use_year();
      }
    }
    if (HasPath(paths, "use_history.routes")) *out.mutable_routes() = in.routes();
    if (HasPath(paths, "use_history.diagnosis_icd10")) {
      out.set_diagnosis_icd10(in.diagnosis_icd10());
    }
    if (HasPath(paths, "use_history.previous_treatment")) {
      *out.mutable_previous_treatment() = in.previous_treatment();
    }
    if (HasPath(paths, "use_history.no_previous_treatment")) {
      out.set_no_previous_treatment(in.no_previous_treatment());
    }
  }

  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

absl::StatusOr<std::string> EndOpenCaseOnConsentWithdrawal(const Core& core, sql::Session& s,
                                                           const Call& call,
                                                           absl::string_view client_id,
                                                           absl::string_view effective_date) {
  const store::Cases cases(core.dialect());
  auto open = cases.OpenCaseOf(s, client_id, /*for_update=*/true);
  if (!open.ok()) return open.status();
  if (!*open) return std::string();
  auto c = Unpack(**open);
  if (!c.ok()) return c.status();
  Loaded l{**std::move(open), *std::move(c)};
  absl::CivilDay day;
  if (!absl::ParseCivilTime(effective_date, &day)) {
    return IBM_BUG("EndOpenCaseOnConsentWithdrawal: effective_date is not YYYY-MM-DD");
  }
  // Withdrawing consent is the client's right and is never refused for a date: the case
  // ends on the given day, or on its last transition's when that is later.
  day = std::max(day, LastEffectiveDate(l.c));
  IBM_RETURN_IF_ERROR(rules::CheckMove(StateOf(l.c), CaseMove::kDropOut, l.c.transitions_size()));
  const int64_t now = core.NowMicros();
  l.c.set_drop_out_reason(v1::DROP_OUT_REASON_CONSENT_WITHDRAWN);
  AppendTransition(l.c, State::kDroppedOut, day, now, *call.caller, "WithdrawClientConsent", "");
  IBM_RETURN_IF_ERROR(core.RecordChange(s, *call.caller, l.c.name(),
                                        Core::ChangeAction::kStateChange, "WithdrawClientConsent",
                                        {}, call.request_id));
  IBM_RETURN_IF_ERROR(Save(cases, s, now, l));
  // The client's row says it has no open case any more (the caller re-reads it).
  IBM_RETURN_IF_ERROR(ReleaseClient(s, store::Clients(core.dialect()), client_id, l.c.name(), now));
  IBM_RETURN_IF_ERROR(EnqueueEnded(core, s, l.c));
  return l.c.name();
}

std::unique_ptr<grpc::Service> NewCaseService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<CaseService>(std::move(core), std::move(runtime));
}

absl::Status CreateCase(const CorePtr& core, const Call& call, const v1::CreateCaseRequest& req,
                        v1::Case* resp, bool* replayed) {
  return CaseService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

}  // namespace ibm::cases
