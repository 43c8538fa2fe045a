// RecoverySupportService: the recovery support contacts of a case
// (`units/{unit}/cases/{case}/supportContacts/{id}`): the agent's monitoring, accompaniment
// and follow-up guidance. A contact goes to an open case, or to a COMPLETED one when it is
// MONITORING or FOLLOW_UP_GUIDANCE (after-care); never to a DROPPED_OUT, TRANSFERRED or
// VOIDED case (docs/api.md, State machines). Its unit, date, state and mode are columns, so
// that the unit metrics count the contacts that reached the client
// (SUPPORT_CONTACTS_PER_OPEN_CASE).
//
// Each handler: authorize, parse the name, scope on the unit in it, check the fields (and
// the staff, with the registry), then one transaction; the response is built from what was
// written once it committed.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "base/macros.h"
#include "cases/clients.h"
#include "cases/creates.h"
#include "cases/fields.h"
#include "cases/rules/lifecycle.h"
#include "cases/services.h"
#include "cases/store/cases.h"
#include "cases/store/clients.h"
#include "cases/store/interventions.h"
#include "ibm/cases/v1/cases.pb.h"
#include "ibm/cases/v1/clients.pb.h"
#include "ibm/cases/v1/interventions.grpc.pb.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/update_mask.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;

constexpr absl::string_view kContactPattern = "units/{unit}/cases/{case}/supportContacts/{contact}";
constexpr absl::string_view kEveryCasePattern = "units/{unit}/cases/-";
constexpr absl::string_view kField = "support_contact";
constexpr int kMaxStaff = 5;
constexpr size_t kMaxNotes = 4000;         // characters
constexpr size_t kMaxVoidReason = 500;     // characters
constexpr int32_t kFullPageSize = 100;     // RecordView FULL: at most 100 a page
constexpr size_t kMaxPageBytes = 3 << 20;  // and never past 3 MiB

std::string ContactName(absl::string_view unit_id, absl::string_view case_id,
                        absl::string_view id) {
  return FormatName(kContactPattern, {std::string(unit_id), std::string(case_id), std::string(id)});
}
std::string CaseName(absl::string_view unit_id, absl::string_view id) {
  return FormatName(kCasePattern, {std::string(unit_id), std::string(id)});
}
std::string F(absl::string_view sub) { return absl::StrCat(kField, ".", sub); }

absl::Status AlreadyVoided(absl::string_view name) {
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat(name, " is already voided")), "ALREADY_VOIDED");
}

// After-care: the kinds a COMPLETED case still takes.
bool AfterCare(int kind) {
  return kind == v1::SUPPORT_KIND_MONITORING || kind == v1::SUPPORT_KIND_FOLLOW_UP_GUIDANCE;
}

// FAILED_PRECONDITION CASE_NOT_OPEN unless the case takes a contact of `kind`.
absl::Status RequireCaseTakes(const store::Case& c, int kind) {
  if (c.open) return absl::OkStatus();
  if (c.state == v1::CASE_STATE_COMPLETED && AfterCare(kind)) return absl::OkStatus();
  const std::string state = std::string(rules::StateName(static_cast<rules::CaseState>(c.state)));
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          CaseName(c.unit_id, c.id), " is ", state,
          c.state == v1::CASE_STATE_COMPLETED
              ? ": a completed case takes MONITORING and FOLLOW_UP_GUIDANCE contacts only"
              : ": it takes no new contacts")),
      "CASE_NOT_OPEN");
}

void ClearOutputOnly(v1::SupportContact& c) {
  c.clear_name();
  c.clear_state();
  c.clear_voiding();
  c.clear_create_time();
  c.clear_update_time();
  c.clear_create_actor();
  c.clear_etag();
}

// The rules a whole contact keeps, but for the registry's facts (staff) and the case's
// (its state, its enrollment date).
void CheckContact(FieldViolations& v, const v1::SupportContact& c, absl::CivilDay today) {
  if (c.kind() == v1::SUPPORT_KIND_UNSPECIFIED) {
    v.Add(F("kind"), "is required");
  } else if (!v1::SupportKind_IsValid(c.kind())) {
    v.Add(F("kind"), "must be a SupportKind value");
  }
  if (c.mode() == v1::CONTACT_MODE_UNSPECIFIED) {
    v.Add(F("mode"), "is required");
  } else if (!v1::ContactMode_IsValid(c.mode())) {
    v.Add(F("mode"), "must be a ContactMode value");
  }
  if (c.observation() == v1::RECOVERY_OBSERVATION_UNSPECIFIED) {
    v.Add(F("observation"), "is required");
  } else if (!v1::RecoveryObservation_IsValid(c.observation())) {
    v.Add(F("observation"), "must be a RecoveryObservation value");
  } else if (c.mode() == v1::CONTACT_MODE_ATTEMPT_FAILED &&
             c.observation() != v1::RECOVERY_OBSERVATION_NOT_REACHED) {
    v.Add(F("observation"), "must be NOT_REACHED when the mode is ATTEMPT_FAILED");
  }
  const size_t dates = v.count();
  resource::CheckDate(v, F("contact_date"), c.contact_date(), /*required=*/true);
  if (v.count() == dates && DayOf(c.contact_date()) > today) {
    v.Add(F("contact_date"), "must not be in the future");
  }
  if (c.has_duration()) {
    const absl::Duration d =
        absl::Seconds(c.duration().seconds()) + absl::Nanoseconds(c.duration().nanos());
    if (d < absl::ZeroDuration() || d > absl::Hours(12)) {
      v.Add(F("duration"), "must be at most 12 hours");
    }
  }
  if (c.staff().empty()) {
    v.Add(F("staff"), "is required: 1 to 5 agents or officers");
  } else if (c.staff_size() > kMaxStaff) {
    v.Add(F("staff"), "at most 5 people");
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < c.staff_size(); ++i) {
      const std::string field = absl::StrCat(kField, ".staff[", i, "]");
      const std::string& who = c.staff(i);
      if (!ParseName(who, kAgentPattern, field).ok() &&
          !ParseName(who, kOfficerPattern, field).ok()) {
        v.Add(field,
              "must be an agent (units/{unit}/agents/{agent}) or an officer "
              "(satkers/{satker}/officers/{officer})");
      } else if (!seen.insert(who).second) {
        v.Add(field, "repeats an earlier person");
      }
    }
  }
  CheckChars(v, F("notes"), c.notes(), kMaxNotes, false);
}

absl::Status ToProto(const store::SupportContact& row, bool full, v1::SupportContact* out) {
  out->Clear();
  if (!out->ParseFromString(row.details)) return IBM_BUG("a stored contact does not parse");
  out->set_name(ContactName(row.unit_id, row.case_id, row.id));
  out->set_state(static_cast<v1::RecordState>(row.state));
  out->set_etag(absl::StrCat(row.version));
  out->set_create_actor(row.create_actor);
  *out->mutable_create_time() = resource::ToTimestamp(row.create_time_us);
  *out->mutable_update_time() = resource::ToTimestamp(row.update_time_us);
  if (!full) out->clear_notes();
  return absl::OkStatus();
}

// The record's columns follow `c`; `details` keeps it whole (but for the output-only fields
// the row has, voiding kept).
void Pack(const v1::SupportContact& c, store::SupportContact& row) {
  row.kind = c.kind();
  row.mode = c.mode();
  row.observation = c.observation();
  row.contact_date = resource::DateText(c.contact_date());
  v1::SupportContact details = c;
  details.clear_name();
  details.clear_state();
  details.clear_etag();
  details.clear_create_time();
  details.clear_update_time();
  details.clear_create_actor();
  row.details = details.SerializeAsString();
}

class RecoverySupportService final : public v1::RecoverySupportService::CallbackService {
 public:
  RecoverySupportService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::RecoverySupportService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetSupportContact(CallbackServerContext* ctx,
                                        const v1::GetSupportContactRequest* req,
                                        v1::SupportContact* resp) override {
    return calls_.Run(ctx, "GetSupportContact", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "GetSupportContact");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kContactPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      const store::SupportContacts contacts(core_->dialect());
      store::SupportContact found;
      IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
        auto row = contacts.Get(s, (*ids)[0], (*ids)[1], (*ids)[2], req->name());
        if (!row.ok()) return row.status();
        found = *std::move(row);
        return absl::OkStatus();
      }));
      return ToProto(found, /*full=*/true, resp);
    });
  }

  ServerUnaryReactor* ListSupportContacts(CallbackServerContext* ctx,
                                          const v1::ListSupportContactsRequest* req,
                                          v1::ListSupportContactsResponse* resp) override {
    return calls_.Run(ctx, "ListSupportContacts", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "ListSupportContacts");
      if (!grant.ok()) return grant.status();
      store::ContactFilter f;
      if (auto every = ParseName(req->parent(), kEveryCasePattern, "parent"); every.ok()) {
        f.unit_id = (*every)[0];
      } else {
        auto one = ParseName(req->parent(), kCasePattern, "parent");
        if (!one.ok()) {
          return platform::InvalidField(
              "parent",
              "must be a resource name like units/32.73.04.1001-1/cases/{case} or "
              "units/32.73.04.1001-1/cases/-");
        }
        f.unit_id = (*one)[0];
        f.case_id = (*one)[1];
      }
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, f.unit_id));
      FieldViolations v;
      if (!v1::SupportKind_IsValid(req->kind())) v.Add("kind", "must be a SupportKind value");
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
      const std::string query =
          absl::StrCat("ListSupportContacts|", req->parent(), "|", f.kind, "|", f.start_date, "|",
                       f.end_date, "|", f.show_voided, "|", full ? "full" : "basic");
      auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
      if (!page.ok()) return page.status();
      if (full) page->size = std::min(page->size, kFullPageSize);
      std::optional<store::ContactPosition> after;
      if (!page->after.empty()) {
        std::vector<std::string> key = absl::StrSplit(page->after, '|');
        if (key.size() != 3) return IBM_BUG("a sealed contact page key is malformed");
        after = store::ContactPosition{key[0], key[1], key[2]};
      }
      const store::SupportContacts contacts(core_->dialect());
      std::vector<store::SupportContact> found;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
            if (!f.case_id.empty()) {
              // A case that does not exist has no contacts: NOT_FOUND, as Get.
              auto c = store::Cases(core_->dialect()).Get(s, f.unit_id, f.case_id, req->parent());
              if (!c.ok()) return c.status();
            }
            auto listed = contacts.List(s, f, after, page->size + 1);
            if (!listed.ok()) return listed.status();
            found = *std::move(listed);
            return absl::OkStatus();
          }));
      size_t bytes = 0;
      size_t kept = 0;
      for (; kept < found.size() && kept < static_cast<size_t>(page->size); ++kept) {
        v1::SupportContact out;
        IBM_RETURN_IF_ERROR(ToProto(found[kept], full, &out));
        bytes += out.ByteSizeLong();
        if (kept > 0 && bytes > kMaxPageBytes) break;  // a FULL page ends early, never empty
        *resp->add_support_contacts() = std::move(out);
      }
      if (kept < found.size()) {
        const store::SupportContact& last = found[kept - 1];
        resp->set_next_page_token(core_->pages().Next(
            query, absl::StrCat(last.contact_date, "|", last.case_id, "|", last.id)));
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* CreateSupportContact(CallbackServerContext* ctx,
                                           const v1::CreateSupportContactRequest* req,
                                           v1::SupportContact* resp) override {
    return calls_.Run(ctx, "CreateSupportContact", [=, this](const Call& call) -> absl::Status {
      return Create(call, req, resp);
    });
  }

  // CreateSupportContact without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateSupportContactRequest* req,
                      v1::SupportContact* resp, bool* replayed = nullptr) const {
    auto grant = core_->Authorize(call, "CreateSupportContact");
    if (!grant.ok()) return grant.status();
    auto parent = ParseName(req->parent(), kCasePattern, "parent");
    if (!parent.ok()) return parent.status();
    const std::string unit_id = (*parent)[0];
    const std::string case_id = (*parent)[1];
    IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
    v1::SupportContact made = req->support_contact();
    ClearOutputOnly(made);
    FieldViolations v;
    CheckContact(v, made, rules::Today(core_->Now()));
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    auto open_unit = core_->RequireOpenUnit(call, unit_id, "parent");
    if (!open_unit.ok()) return open_unit.status();
    IBM_RETURN_IF_ERROR(
        core_->CheckUnitPeople(call, v, absl::StrCat(kField, ".staff"), made.staff(), unit_id));
    if (!v.empty()) return v.status();

    const store::SupportContacts contacts(core_->dialect());
    store::SupportContact row;
    IBM_RETURN_IF_ERROR(
        core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
          auto done =
              core_->FindCreate(s, *call.caller, "CreateSupportContact", req->request_id(), *req);
          if (!done.ok()) return done.status();
          if (*done) {
            if (replayed != nullptr) *replayed = true;
            auto ids = ParseName(**done, kContactPattern, "name");
            if (!ids.ok()) return IBM_BUG("remembered create of a malformed contact name");
            auto first = contacts.Get(s, (*ids)[0], (*ids)[1], (*ids)[2], **done);
            if (!first.ok()) return first.status();
            row = *std::move(first);
            return absl::OkStatus();
          }
          auto c = store::Cases(core_->dialect()).Get(s, unit_id, case_id, req->parent());
          if (!c.ok()) return c.status();
          IBM_RETURN_IF_ERROR(RequireCaseTakes(*c, made.kind()));
          auto client =
              store::Clients(core_->dialect()).Get(s, c->client_id, ClientName(c->client_id));
          if (!client.ok()) return client.status();
          IBM_RETURN_IF_ERROR(RequireActive(*client));
          if (resource::DateText(made.contact_date()) < c->enrollment_date) {
            return platform::InvalidField(F("contact_date"),
                                          "must not be before the case's enrollment_date");
          }
          const int64_t now = core_->NowMicros();
          row = store::SupportContact{};
          row.id = NewId("");
          row.unit_id = unit_id;
          row.case_id = case_id;
          row.client_id = c->client_id;
          row.state = v1::RECORD_STATE_RECORDED;
          row.create_actor = call.caller->subject.substr(0, 200);
          row.version = 1;
          row.create_time_us = now;
          row.update_time_us = now;
          Pack(made, row);
          IBM_RETURN_IF_ERROR(contacts.Insert(s, row));
          return core_->RememberCreate(s, *call.caller, "CreateSupportContact", req->request_id(),
                                       *req, ContactName(unit_id, case_id, row.id));
        }));
    return ToProto(row, /*full=*/true, resp);
  }

  ServerUnaryReactor* UpdateSupportContact(CallbackServerContext* ctx,
                                           const v1::UpdateSupportContactRequest* req,
                                           v1::SupportContact* resp) override {
    return calls_.Run(ctx, "UpdateSupportContact", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "UpdateSupportContact");
      if (!grant.ok()) return grant.status();
      const v1::SupportContact& in = req->support_contact();
      auto ids = ParseName(in.name(), kContactPattern, F("name"));
      if (!ids.ok()) return ids.status();
      const std::string unit_id = (*ids)[0];
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
      auto paths = resource::MaskPaths(
          req->update_mask(), {"kind", "mode", "contact_date", "duration", "staff", "observation",
                               "referral_suggested", "notes"});
      if (!paths.ok()) return paths.status();
      using resource::HasPath;
      FieldViolations v;
      if (HasPath(*paths, "staff")) {
        IBM_RETURN_IF_ERROR(
            core_->CheckUnitPeople(call, v, absl::StrCat(kField, ".staff"), in.staff(), unit_id));
      }
      if (!v.empty()) return v.status();

      const store::SupportContacts contacts(core_->dialect());
      store::SupportContact row;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
            auto found =
                contacts.Get(s, unit_id, (*ids)[1], (*ids)[2], in.name(), /*for_update=*/true);
            if (!found.ok()) return found.status();
            row = *std::move(found);
            IBM_RETURN_IF_ERROR(resource::CheckEtag(in.etag(), row.version, F("etag")));
            if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(in.name());
            v1::SupportContact merged;
            if (!merged.ParseFromString(row.details)) {
              return IBM_BUG("a stored contact does not parse");
            }
            if (HasPath(*paths, "kind")) merged.set_kind(in.kind());
            if (HasPath(*paths, "mode")) merged.set_mode(in.mode());
            if (HasPath(*paths, "contact_date")) {
              *merged.mutable_contact_date() = in.contact_date();
            }
            if (HasPath(*paths, "duration")) {
              if (in.has_duration()) {
                *merged.mutable_duration() = in.duration();
              } else {
                merged.clear_duration();
              }
            }
            if (HasPath(*paths, "staff")) *merged.mutable_staff() = in.staff();
            if (HasPath(*paths, "observation")) merged.set_observation(in.observation());
            if (HasPath(*paths, "referral_suggested")) {
              merged.set_referral_suggested(in.referral_suggested());
            }
            if (HasPath(*paths, "notes")) merged.set_notes(in.notes());
            FieldViolations late;
            CheckContact(late, merged, rules::Today(core_->Now()));
            if (!late.empty()) return late.status();
            if (HasPath(*paths, "kind") || HasPath(*paths, "contact_date")) {
              auto c = store::Cases(core_->dialect())
                           .Get(s, unit_id, row.case_id, CaseName(unit_id, row.case_id));
              if (!c.ok()) return c.status();
              // A changed kind must be one the case takes now (a completed case: after-care).
              if (HasPath(*paths, "kind") && merged.kind() != row.kind) {
                IBM_RETURN_IF_ERROR(RequireCaseTakes(*c, merged.kind()));
              }
              if (resource::DateText(merged.contact_date()) < c->enrollment_date) {
                return platform::InvalidField(F("contact_date"),
                                              "must not be before the case's enrollment_date");
              }
            }
            Pack(merged, row);
            row.update_time_us = core_->NowMicros();
            IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "UpdateSupportContact", *req));
            return contacts.Update(s, row);
          }));
      return ToProto(row, /*full=*/true, resp);
    });
  }

  ServerUnaryReactor* VoidSupportContact(CallbackServerContext* ctx,
                                         const v1::VoidSupportContactRequest* req,
                                         v1::SupportContact* resp) override {
    return calls_.Run(ctx, "VoidSupportContact", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "VoidSupportContact");
      if (!grant.ok()) return grant.status();
      auto ids = ParseName(req->name(), kContactPattern, "name");
      if (!ids.ok()) return ids.status();
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*ids)[0]));
      FieldViolations v;
      CheckChars(v, "reason", req->reason(), kMaxVoidReason, true);
      if (!v.empty()) return v.status();
      const store::SupportContacts contacts(core_->dialect());
      store::SupportContact row;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
            auto found =
                contacts.Get(s, (*ids)[0], (*ids)[1], (*ids)[2], req->name(), /*for_update=*/true);
            if (!found.ok()) return found.status();
            row = *std::move(found);
            IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), row.version, "etag"));
            if (row.state == v1::RECORD_STATE_VOIDED) return AlreadyVoided(req->name());
            v1::SupportContact details;
            if (!details.ParseFromString(row.details)) {
              return IBM_BUG("a stored contact does not parse");
            }
            const int64_t now = core_->NowMicros();
            v1::Voiding* voiding = details.mutable_voiding();
            voiding->set_reason(req->reason());
            *voiding->mutable_void_time() = resource::ToTimestamp(now);
            voiding->set_actor(call.caller->subject.substr(0, 200));
            row.details = details.SerializeAsString();
            row.state = v1::RECORD_STATE_VOIDED;
            row.update_time_us = now;
            IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "VoidSupportContact", *req));
            return contacts.Update(s, row);
          }));
      return ToProto(row, /*full=*/true, resp);
    });
  }

 private:
  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewRecoverySupportService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<RecoverySupportService>(std::move(core), std::move(runtime));
}

absl::Status CreateSupportContact(const CorePtr& core, const Call& call,
                                  const v1::CreateSupportContactRequest& req,
                                  v1::SupportContact* resp, bool* replayed) {
  return RecoverySupportService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

}  // namespace ibm::cases
