// InterventionService: the sessions a unit holds (docs/api.md, Resources: a session belongs
// to the unit, `units/{unit}/interventionSessions/{id}`, because a group session serves many
// clients). Each attendee is an ACTIVE client with an open case in the session's unit on the
// session date; the case it counts for is kept with the entry, one attendance row per
// (session, client), so that a unit's sessions and attendance can be counted (unit metrics
// INTERVENTION_SESSIONS, SESSION_ATTENDANCE_SHARE) and a client's sessions listed.
//
// Each handler: authorize, parse the name, scope on the unit in it, check the fields (and
// the people named, with the registry), then one transaction; the response is built from
// what was written once it committed.
#include "cases/store/interventions.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/macros.h"
#include "cases/clients.h"
#include "cases/creates.h"
#include "cases/fields.h"
#include "cases/rules/lifecycle.h"
#include "cases/services.h"
#include "cases/store/cases.h"
#include "cases/store/clients.h"
#include "cases/store/tables.h"
#include "ibm/cases/v1/cases.pb.h"
#include "ibm/cases/v1/clients.pb.h"
#include "ibm/cases/v1/interventions.grpc.pb.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/pages.h"
#include "resource/update_mask.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;

constexpr absl::string_view kSessionPattern = "units/{unit}/interventionSessions/{session}";
constexpr absl::string_view kField = "intervention_session";
constexpr int kMaxFacilitators = 10;
constexpr int kMaxAttendees = 100;
constexpr int kMaxHeadCount = 500;
constexpr size_t kMaxTopic = 200;          // characters
constexpr size_t kMaxNotes = 4000;         // characters
constexpr size_t kMaxVoidReason = 500;     // characters
constexpr int32_t kFullPageSize = 100;     // RecordView FULL: at most 100 a page
constexpr size_t kMaxPageBytes = 3 << 20;  // and never past 3 MiB

std::string SessionName(absl::string_view unit_id, absl::string_view id) {
  return FormatName(kSessionPattern, {std::string(unit_id), std::string(id)});
}
std::string CaseName(absl::string_view unit_id, absl::string_view id) {
  return FormatName(kCasePattern, {std::string(unit_id), std::string(id)});
}
std::string F(absl::string_view sub) { return absl::StrCat(kField, ".", sub); }

absl::Status AlreadyVoided(absl::string_view name) {
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat(name, " is already voided")), "ALREADY_VOIDED");
}

// A FAILED_PRECONDITION about one attendance entry: the reason, and the field in metadata.
absl::Status EntryRefused(absl::string_view field, absl::string_view why,
                          absl::string_view reason) {
  return platform::WithMetadata(
      platform::WithReason(absl::FailedPreconditionError(absl::StrCat(field, ": ", why)), reason),
      "field", field);
}

// The output-only fields a caller may have sent: ignored (AIP-203), never stored.
void ClearOutputOnly(v1::InterventionSession& s) {
  s.clear_name();
  s.clear_state();
  s.clear_voiding();
  s.clear_create_time();
  s.clear_update_time();
  s.clear_create_actor();
  s.clear_etag();
  s.clear_attendee_count();
  s.clear_attended_count();
  for (auto& a : *s.mutable_attendance()) a.clear_case_();
}

// The rules a whole session keeps (docs/api.md, Errors by method), but for the registry's
// facts (facilitators) and what needs the database (attendees' clients and cases).
void CheckSession(FieldViolations& v, const v1::InterventionSession& s, absl::CivilDay today) {
  const int kind = s.kind();
  const int format = s.format();
  if (kind == v1::INTERVENTION_KIND_UNSPECIFIED) {
    v.Add(F("kind"), "is required");
  } else if (!v1::InterventionKind_IsValid(kind)) {
    v.Add(F("kind"), "must be an InterventionKind value");
  }
  if (format == v1::SESSION_FORMAT_UNSPECIFIED) {
    v.Add(F("format"), "is required");
  } else if (!v1::SessionFormat_IsValid(format)) {
    v.Add(F("format"), "must be a SessionFormat value");
  } else if (kind == v1::INTERVENTION_KIND_HOME_VISIT && format != v1::SESSION_FORMAT_INDIVIDUAL) {
    v.Add(F("format"), "must be INDIVIDUAL for a HOME_VISIT");
  } else if ((kind == v1::INTERVENTION_KIND_PEER_SUPPORT_GROUP ||
              kind == v1::INTERVENTION_KIND_FAMILY_SUPPORT_GROUP) &&
             format != v1::SESSION_FORMAT_GROUP) {
    v.Add(F("format"), "must be GROUP for a peer or family support group");
  }
  const size_t dates = v.count();
  resource::CheckDate(v, F("session_date"), s.session_date(), /*required=*/true);
  if (v.count() == dates && DayOf(s.session_date()) > today) {
    v.Add(F("session_date"), "must not be in the future");
  }
  if (!s.has_duration()) {
    v.Add(F("duration"), "is required");
  } else {
    const absl::Duration d =
        absl::Seconds(s.duration().seconds()) + absl::Nanoseconds(s.duration().nanos());
    if (d < absl::Minutes(5) || d > absl::Hours(8)) {
      v.Add(F("duration"), "must be from 5 minutes to 8 hours");
    }
  }
  // Facilitators: 1-10, no repeats, each an agent's or an officer's name.
  if (s.facilitators().empty()) {
    v.Add(F("facilitators"), "is required: 1 to 10 agents or officers");
  } else if (s.facilitators_size() > kMaxFacilitators) {
    v.Add(F("facilitators"), "at most 10 facilitators");
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < s.facilitators_size(); ++i) {
      const std::string field = absl::StrCat(kField, ".facilitators[", i, "]");
      const std::string& who = s.facilitators(i);
      if (!ParseName(who, kAgentPattern, field).ok() &&
          !ParseName(who, kOfficerPattern, field).ok()) {
        v.Add(field,
              "must be an agent (units/{unit}/agents/{agent}) or an officer "
              "(satkers/{satker}/officers/{officer})");
      } else if (!seen.insert(who).second) {
        v.Add(field, "repeats an earlier facilitator");
      }
    }
  }
  // Attendance: by size first (INDIVIDUAL exactly one, GROUP 1-100), then entry by entry.
  const int n = s.attendance_size();
  if (format == v1::SESSION_FORMAT_INDIVIDUAL && n != 1) {
    v.Add(F("attendance"), "must hold exactly one client for an INDIVIDUAL session");
  } else if (n == 0) {
    v.Add(F("attendance"), "is required: the clients the session was for");
  } else if (n > kMaxAttendees) {
    v.Add(F("attendance"), "at most 100 clients");
  }
  if (n <= kMaxAttendees) {
    std::set<std::string> seen;
    for (int i = 0; i < n; ++i) {
      const std::string field = absl::StrCat(kField, ".attendance[", i, "].client");
      const std::string& client = s.attendance(i).client();
      if (client.empty()) {
        v.Add(field, "is required");
      } else if (!ParseName(client, kClientPattern, field).ok()) {
        v.Add(field, "must be a resource name like clients/{client}");
      } else if (!seen.insert(client).second) {
        v.Add(field, "repeats an earlier client: each client at most once");
      }
    }
  }
  if (s.family_attendee_count() < 0 || s.family_attendee_count() > kMaxHeadCount) {
    v.Add(F("family_attendee_count"), "must be from 0 to 500");
  } else if (kind == v1::INTERVENTION_KIND_FAMILY_SUPPORT_GROUP && s.family_attendee_count() == 0) {
    v.Add(F("family_attendee_count"), "must be at least 1 for a family support group");
  }
  if (s.other_attendee_count() < 0 || s.other_attendee_count() > kMaxHeadCount) {
    v.Add(F("other_attendee_count"), "must be from 0 to 500");
  }
  CheckChars(v, F("topic"), s.topic(), kMaxTopic, false);
  CheckChars(v, F("notes"), s.notes(), kMaxNotes, false);
}

// ---- The stored session and its proto.

absl::Status ToProto(const store::InterventionSession& row, bool full,
                     v1::InterventionSession* out) {
  out->Clear();
  if (!out->ParseFromString(row.details)) return IBM_BUG("a stored session does not parse");
  out->set_name(SessionName(row.unit_id, row.id));
  out->set_state(static_cast<v1::RecordState>(row.state));
  out->set_etag(absl::StrCat(row.version));
  out->set_create_actor(row.create_actor);
  *out->mutable_create_time() = resource::ToTimestamp(row.create_time_us);
  *out->mutable_update_time() = resource::ToTimestamp(row.update_time_us);
  out->set_attendee_count(row.attendee_count);
  out->set_attended_count(row.attended_count);
  out->clear_attendance();
  if (full) {
    for (const store::SessionAttendee& a : row.attendance) {
      v1::SessionAttendance* e = out->add_attendance();
      e->set_client(ClientName(a.client_id));
      e->set_attended(a.attended);
      e->set_case_(CaseName(row.unit_id, a.case_id));
    }
  } else {
    out->clear_topic();
    out->clear_notes();
  }
  return absl::OkStatus();
}

// The record's columns and attendance rows follow `s` (attendance already resolved to cases
// in `cases`, by client name); `details` keeps the rest.
void Pack(const v1::InterventionSession& s, const std::map<std::string, std::string>& cases,
          store::InterventionSession& row) {
  row.kind = s.kind();
  row.format = s.format();
  row.session_date = resource::DateText(s.session_date());
  row.attendance.clear();
  for (const auto& a : s.attendance()) {
    auto it = cases.find(a.client());
    row.attendance.push_back(
        store::SessionAttendee{std::string(absl::StripPrefix(a.client(), "clients/")),
                               it == cases.end() ? "" : it->second, a.attended()});
  }
  v1::InterventionSession details = s;
  details.clear_attendance();
  details.clear_name();
  details.clear_etag();
  details.clear_state();
  details.clear_create_time();
  details.clear_update_time();
  details.clear_create_actor();
  details.clear_attendee_count();
  details.clear_attended_count();
  row.details = details.SerializeAsString();
}

class InterventionService final : public v1::InterventionService::CallbackService {
 public:
  InterventionService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::InterventionService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetInterventionSession(CallbackServerContext* ctx,
                                             const v1::GetInterventionSessionRequest* req,
                                             v1::InterventionSession* resp) override {
    return calls_.Run(ctx, "GetInterventionSession", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "GetInterventionSession");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kSessionPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      const store::InterventionSessions sessions(core_->dialect());
      store::InterventionSession found;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto row = sessions.Get(s, (*ids)[0], (*ids)[1], req->name());
        if (!row.ok()) return row.status();
        found = *std::move(row);
        return absl::OkStatus();
      }));
      return ToProto(found, /*full=*/true, resp);
    });
  }

  ServerUnaryReactor* ListInterventionSessions(
      CallbackServerContext* ctx, const v1::ListInterventionSessionsRequest* req,
      v1::ListInterventionSessionsResponse* resp) override {
    return calls_.Run(ctx, "ListInterventionSessions", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ListInterventionSessions");
      if (!grant.ok()) return grant.status();
      store::SessionFilter f;
      const bool every_unit = req->parent() == "units/-";
      if (every_unit) {
        // Everything in the caller's scope: an agent's own unit, an officer's region.
        if (grant->cell == Cell::kOwnUnit) {
          f.unit_id = AgentUnit(*call.caller);
        } else if (!call.caller->scope.national()) {
          std::tie(f.village_from, f.village_to) = store::VillageRange(call.caller->scope.prefix());
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
      } else if (every_unit) {
        v.Add("client", "is required with parent units/-");
      }
      if (!v1::InterventionKind_IsValid(req->kind())) {
        v.Add("kind", "must be an InterventionKind value");
      }
      f.kind = req->kind();
      resource::CheckDate(v, "start_date", req->start_date(), false);
      resource::CheckDate(v, "end_date", req->end_date(), false);
      if (IsSet(req->start_date())) f.start_date = resource::DateText(req->start_date());
      if (IsSet(req->end_date())) f.end_date = resource::DateText(req->end_date());
      if (v.empty() && !f.start_date.empty() && !f.end_date.empty() && f.start_date > f.end_date) {
        v.Add("start_date", "must not be after end_date");
      }
      if (!v1::RecordView_IsValid(req->view())) v.Add("view", "must be a RecordView value");
      if (!v.empty()) return v.status();
      f.show_voided = req->show_voided();
      const bool full = req->view() == v1::RECORD_VIEW_FULL;
      // Every filter and the view shape the pages: a token is good for this query only.
      const std::string query = absl::StrCat(
          "ListInterventionSessions|", req->parent(), "|", f.client_id, "|", f.kind, "|",
          f.start_date, "|", f.end_date, "|", f.show_voided, "|", full ? "full" : "basic");
      auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
      if (!page.ok()) return page.status();
      if (full) page->size = std::min(page->size, kFullPageSize);
      std::optional<store::SessionPosition> after;
      if (!page->after.empty()) {
        std::vector<std::string> key = absl::StrSplit(page->after, '|');
        if (key.size() != 3) return IBM_BUG("a sealed session page key is malformed");
        after = store::SessionPosition{key[0], key[1], key[2]};
      }
      const store::InterventionSessions sessions(core_->dialect());
      std::vector<store::InterventionSession> found;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
            if (every_unit) {
              // One client's sessions everywhere the caller may look: the client itself must
              // be in the caller's scope.
              auto client = LoadClientInScope(*core_, s, call, *grant, f.client_id, req->client());
              if (!client.ok()) return client.status();
            }
            auto listed = sessions.List(s, f, after, page->size + 1, full);
            if (!listed.ok()) return listed.status();
            found = *std::move(listed);
            return absl::OkStatus();
          }));
      size_t bytes = 0;
      size_t kept = 0;
      for (; kept < found.size() && kept < static_cast<size_t>(page->size); ++kept) {
        v1::InterventionSession out;
        IBM_RETURN_IF_ERROR(ToProto(found[kept], full, &out));
        bytes += out.ByteSizeLong();
        if (kept > 0 && bytes > kMaxPageBytes) break;  // a FULL page ends early, never empty
        *resp->add_intervention_sessions() = std::move(out);
      }
      if (kept < found.size()) {
        const store::InterventionSession& last = found[kept - 1];
        resp->set_next_page_token(core_->pages().Next(
            query, absl::StrCat(last.session_date, "|", last.unit_id, "|", last.id)));
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateInterventionSession(CallbackServerContext* ctx,
                                                const v1::CreateInterventionSessionRequest* req,
                                                v1::InterventionSession* resp) override {
    return calls_.Run(
        ctx, "CreateInterventionSession",
        [=, this](const Call& call) -> absl::Status { return Create(call, req, resp); });
  }

  // CreateInterventionSession without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateInterventionSessionRequest* req,
                      v1::InterventionSession* resp, bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateInterventionSession");
    if (!grant.ok()) return grant.status();
    auto unit = ParseName(req->parent(), kUnitPattern, "parent");
    if (!unit.ok()) return unit.status();
    const std::string unit_id = (*unit)[0];
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
    v1::InterventionSession made = req->intervention_session();
    ClearOutputOnly(made);
    FieldViolations v;
    CheckSession(v, made, rules::Today(core_->Now()));
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    // The registry's facts: the unit takes new records; the facilitators are of it.
    auto open_unit = core_->RequireOpenUnit(call, unit_id, "parent");
    if (!open_unit.ok()) return open_unit.status();
    CheckFormedBy(v, *open_unit, F("session_date"), DayOf(made.session_date()));
    IBM_RETURN_IF_ERROR(
        core_->CheckUnitPeople(call, v, F("facilitators"), made.facilitators(), unit_id));
    if (!v.empty()) return v.status();

    const store::InterventionSessions sessions(core_->dialect());
    store::InterventionSession row;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          auto done = core_->FindCreate(s, *call.caller, "CreateInterventionSession",
                                        req->request_id(), *req);
          if (!done.ok()) return done.status();
          if (*done) {
            if (replayed != nullptr) *replayed = true;
            auto ids = ParseName(**done, kSessionPattern, "name");
            if (!ids.ok()) return IBM_BUG("remembered create of a malformed session name");
            auto first = sessions.Get(s, (*ids)[0], (*ids)[1], **done);
            if (!first.ok()) return first.status();
            row = *std::move(first);
            return absl::OkStatus();
          }
          std::map<std::string, std::string> cases;
          IBM_RETURN_IF_ERROR(ResolveAttendance(s, call, *grant, made, unit_id, {}, cases));
          const int64_t now = core_->NowMicros();
          row = store::InterventionSession{};
          row.id = NewId("");
          row.unit_id = unit_id;
          row.village_code = UnitVillage(unit_id).str();
          row.state = v1::RECORD_STATE_RECORDED;
          row.create_actor = call.caller->subject.substr(0, 200);
          row.version = 1;
          row.create_time_us = now;
          row.update_time_us = now;
          Pack(made, cases, row);
          IBM_RETURN_IF_ERROR(sessions.Insert(s, row));
          return core_->RememberCreate(s, *call.caller, "CreateInterventionSession",
                                       req->request_id(), *req, SessionName(unit_id, row.id));
        }));
    return ToProto(row, /*full=*/true, resp);
  }

  ServerUnaryReactor* UpdateInterventionSession(CallbackServerContext* ctx,
                                                const v1::UpdateInterventionSessionRequest* req,
                                                v1::InterventionSession* resp) override {
    return calls_.Run(
        ctx, "UpdateInterventionSession", [=, this](const Call& call) -> absl::Status {
          auto grant = core_->Authorize(call, "UpdateInterventionSession");
          if (!grant.ok()) return grant.status();
          const v1::InterventionSession& in = req->intervention_session();
          auto ids = ParseName(in.name(), kSessionPattern, F("name"));
          if (!ids.ok()) return ids.status();
          const std::string unit_id = (*ids)[0];
          IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
          auto paths = resource::MaskPaths(
              req->update_mask(),
              {"kind", "format", "session_date", "duration", "facilitators", "attendance",
               "family_attendee_count", "other_attendee_count", "topic", "notes"});
          if (!paths.ok()) return paths.status();
          using resource::HasPath;
          // The new facilitators, with the registry, before the transaction (which touches only
          // the database); the whole session is checked in it, once merged.
          FieldViolations v;
          if (HasPath(*paths, "facilitators")) {
            IBM_RETURN_IF_ERROR(
                core_->CheckUnitPeople(call, v, F("facilitators"), in.facilitators(), unit_id));
          }
          // A valid new session_date, not before the unit's formation (the rest is checked
          // with the merged session).
          FieldViolations date;
          resource::CheckDate(date, F("session_date"), in.session_date(), /*required=*/true);
          if (HasPath(*paths, "session_date") && date.empty()) {
            auto unit = core_->registry().Unit(call, unit_id, "intervention_session.name");
            if (!unit.ok()) return unit.status();
            CheckFormedBy(v, *unit, F("session_date"), DayOf(in.session_date()));
          }
          if (!v.empty()) return v.status();

          const store::InterventionSessions sessions(core_->dialect());
          store::InterventionSession row;
          IBM_RETURN_IF_ERROR(
              core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
                auto found = sessions.Get(s, unit_id, (*ids)[1], in.name(), /*for_update=*/true);
                if (!found.ok()) return found.status();
                row = *std::move(found);
                IBM_RETURN_IF_ERROR(resource::CheckEtag(in.etag(), row.version, F("etag")));
                if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(in.name());
                v1::InterventionSession merged;
                IBM_RETURN_IF_ERROR(ToProto(row, /*full=*/true, &merged));
                // The cases the stored entries count for, kept for the clients that stay.
                std::map<std::string, std::string> kept;
                for (const store::SessionAttendee& a : row.attendance) {
                  kept[ClientName(a.client_id)] = a.case_id;
                }
                if (HasPath(*paths, "kind")) merged.set_kind(in.kind());
                if (HasPath(*paths, "format")) merged.set_format(in.format());
                if (HasPath(*paths, "session_date")) {
                  *merged.mutable_session_date() = in.session_date();
                }
                if (HasPath(*paths, "duration")) *merged.mutable_duration() = in.duration();
                if (HasPath(*paths, "facilitators")) {
                  *merged.mutable_facilitators() = in.facilitators();
                }
                if (HasPath(*paths, "attendance")) *merged.mutable_attendance() = in.attendance();
                if (HasPath(*paths, "family_attendee_count")) {
                  merged.set_family_attendee_count(in.family_attendee_count());
                }
                if (HasPath(*paths, "other_attendee_count")) {
                  merged.set_other_attendee_count(in.other_attendee_count());
                }
                if (HasPath(*paths, "topic")) merged.set_topic(in.topic());
                if (HasPath(*paths, "notes")) merged.set_notes(in.notes());
                ClearOutputOnly(merged);
                merged.clear_voiding();
                FieldViolations late;
                CheckSession(late, merged, rules::Today(core_->Now()));
                if (!late.empty()) return late.status();
                std::map<std::string, std::string> cases = kept;
                if (HasPath(*paths, "attendance") || HasPath(*paths, "session_date")) {
                  cases.clear();
                  IBM_RETURN_IF_ERROR(
                      ResolveAttendance(s, call, *grant, merged, unit_id, kept, cases));
                }
                Pack(merged, cases, row);
                row.update_time_us = core_->NowMicros();
                IBM_RETURN_IF_ERROR(
                    core_->RecordRequestChange(s, call, "UpdateInterventionSession", *req));
                return sessions.Update(s, row);
              }));
          return ToProto(row, /*full=*/true, resp);
        });
  }

  ServerUnaryReactor* VoidInterventionSession(CallbackServerContext* ctx,
                                              const v1::VoidInterventionSessionRequest* req,
                                              v1::InterventionSession* resp) override {
    return calls_.Run(ctx, "VoidInterventionSession", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "VoidInterventionSession");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kSessionPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      FieldViolations v;
      CheckChars(v, "reason", req->reason(), kMaxVoidReason, true);
      if (!v.empty()) return v.status();
      const store::InterventionSessions sessions(core_->dialect());
      store::InterventionSession row;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
            auto found = sessions.Get(s, (*ids)[0], (*ids)[1], req->name(), /*for_update=*/true);
            if (!found.ok()) return found.status();
            row = *std::move(found);
            IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), row.version, "etag"));
            if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(req->name());
            v1::InterventionSession details;
            if (!details.ParseFromString(row.details)) {
              return IBM_BUG("a stored session does not parse");
            }
            const int64_t now = core_->NowMicros();
            v1::Voiding* voiding = details.mutable_voiding();
            voiding->set_reason(req->reason());
            *voiding->mutable_void_time() = resource::ToTimestamp(now);
            voiding->set_actor(call.caller->subject.substr(0, 200));
            row.details = details.SerializeAsString();
            row.state = v1::RECORD_STATE_VOIDED;
            row.update_time_us = now;
            IBM_RETURN_IF_ERROR(
                core_->RecordRequestChange(s, call, "VoidInterventionSession", *req));
            return sessions.Update(s, row);
          }));
      return ToProto(row, /*full=*/true, resp);
    });
  }

 private:
  // Each attendee's case in the session's unit, by client name, into `cases`. A client that
  // stays from the stored session (`kept`: its case) needs that case to have been open on the
  // session date; a new one must be an ACTIVE client in the caller's scope with an open case
  // in this unit enrolled on or before the session date (FAILED_PRECONDITION
  // CLIENT_NOT_ACTIVE / CLIENT_NOT_ENROLLED naming the entry otherwise).
  absl::Status ResolveAttendance(sql::Session& s, const Call& call, const Grant& grant,
                                 const v1::InterventionSession& session, absl::string_view unit_id,
                                 const std::map<std::string, std::string>& kept,
                                 std::map<std::string, std::string>& cases) const {
    const store::Cases case_store(core_->dialect());
    const store::Clients clients(core_->dialect());
    const std::string date = resource::DateText(session.session_date());
    for (int i = 0; i < session.attendance_size(); ++i) {
      const std::string field = absl::StrCat(kField, ".attendance[", i, "].client");
      const std::string& name = session.attendance(i).client();
      auto ids = ParseName(name, kClientPattern, field);
      if (!ids.ok()) return ids.status();
      std::string case_id;
      if (auto it = kept.find(name); it != kept.end()) {
        auto c = case_store.Get(s, unit_id, it->second, CaseName(unit_id, it->second));
        if (!c.ok()) return c.status();
        const bool ended_before = !c->end_date.empty() && c->end_date < date;
        if (c->state == v1::CASE_STATE_VOIDED || c->enrollment_date > date || ended_before) {
          return EntryRefused(field, "the client's case in this unit was not open on session_date",
                              "CLIENT_NOT_ENROLLED");
        }
        case_id = it->second;
      } else {
        auto client = LoadClientInScope(*core_, s, call, grant, (*ids)[0], name);
        if (!client.ok()) {
          absl::Status st = client.status();
          if (absl::IsPermissionDenied(st)) st = platform::WithMetadata(st, "field", field);
          return st;
        }
        if (client->state != v1::Client::STATE_ACTIVE) {
          return EntryRefused(field, "the client is not ACTIVE: no new record may name it",
                              "CLIENT_NOT_ACTIVE");
        }
        auto open = ParseName(client->open_case, kCasePattern, field);
        if (client->open_case.empty() || !open.ok() || (*open)[0] != unit_id) {
          return EntryRefused(field, "the client has no open case in this unit",
                              "CLIENT_NOT_ENROLLED");
        }
        auto c = case_store.Get(s, unit_id, (*open)[1], client->open_case);
        if (!c.ok()) return c.status();
        if (!c->open || c->enrollment_date > date) {
          return EntryRefused(field, "the client's case in this unit was not open on session_date",
                              "CLIENT_NOT_ENROLLED");
        }
        case_id = (*open)[1];
      }
      cases[name] = case_id;
    }
    return absl::OkStatus();
  }

  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewInterventionService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<InterventionService>(std::move(core), std::move(runtime));
}

absl::Status CreateInterventionSession(const CorePtr& core, const Call& call,
                                       const v1::CreateInterventionSessionRequest& req,
                                       v1::InterventionSession* resp, bool* replayed) {
  return InterventionService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

}  // namespace ibm::cases
