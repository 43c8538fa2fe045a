// A client's identity (sealed; read and written by the fostering satker and the unit's
// agents with a stated purpose, every access in the identity access log), the NIK lookup
// and the notices it files with a holding satker (docs/api.md, NIK deduplication).
#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/macros.h"
#include "cases/clients.h"
#include "cases/rules/clients.h"
#include "domain/satker_id.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/pages.h"
#include "resource/update_mask.h"

namespace ibm::cases {
namespace {

// The identity's fields, in the order of the proto; legal_order is narrower (not agents).
constexpr absl::string_view kIdentityFields[] = {"nik",           "full_name",      "known_as",
                                                 "birth_date",    "phone",          "address",
                                                 "guardian_name", "guardian_phone", "legal_order"};
// What a referral's disclosure needs (never known_as).
constexpr absl::string_view kReferralFields[] = {
    "nik",     "full_name",     "birth_date",     "phone",
    "address", "guardian_name", "guardian_phone", "legal_order"};
constexpr int kLookupsPerHour = 60;

bool Contains(absl::Span<const absl::string_view> set, absl::string_view f) {
  return std::find(set.begin(), set.end(), f) != set.end();
}

// Keeps only `fields` of `identity`.
void KeepFields(v1::ClientIdentity& identity, const std::vector<std::string>& fields) {
  const auto* d = v1::ClientIdentity::descriptor();
  for (absl::string_view f : kIdentityFields) {
    if (std::find(fields.begin(), fields.end(), f) == fields.end()) {
      identity.GetReflection()->ClearField(&identity, d->FindFieldByName(std::string(f)));
    }
  }
}

// The justification rules for a person: required (1-500), whatever the purpose.
void CheckPurpose(platform::FieldViolations& v, v1::IdentityAccessPurpose purpose,
                  absl::string_view justification) {
  if (purpose == v1::IDENTITY_ACCESS_PURPOSE_UNSPECIFIED ||
      !v1::IdentityAccessPurpose_IsValid(purpose)) {
    v.Add("purpose", "is required");
  }
  resource::CheckText(v, "justification", justification, rules::kMaxJustification, true);
}

absl::Status RateLimited() {
  return platform::WithReason(
      absl::ResourceExhaustedError(
          absl::StrCat("more than ", kLookupsPerHour, " NIK lookups in an hour; try later")),
      "LOOKUP_RATE_LIMITED");
}

v1::NikMatchNotice NoticeToProto(const store::Notice& n) {
  v1::NikMatchNotice out;
  out.ParseFromString(n.details);
  out.set_name(FormatName(kNoticePattern, {n.satker_id, n.id}));
  out.set_client(ClientName(n.client_id));
  out.set_state(static_cast<v1::NikMatchNotice::State>(n.state));
  *out.mutable_create_time() = resource::ToTimestamp(n.create_time_us);
  out.set_etag(absl::StrCat(n.version));
  return out;
}

// The holding satker's officers (✓h): the satker in the notice's name is the caller's.
absl::Status RequireHolder(const Call& call, const Grant& grant, absl::string_view satker) {
  if (grant.cell == Cell::kScope) {  // auditors: by scope
    auto region = domain::SatkerId::Parse(satker);
    if (region.ok() && (!region->region() || call.caller->scope.Covers(*region->region()))) {
      return absl::OkStatus();
    }
  } else if (call.caller->satker == satker) {
    return absl::OkStatus();
  }
  return platform::WithReason(
      absl::PermissionDeniedError("notices are for the satker they are filed under"),
      "OUT_OF_SCOPE");
}

std::string SummaryValue(absl::string_view summary, absl::string_view key) {
  for (absl::string_view part : absl::StrSplit(summary, ';')) {
    if (absl::ConsumePrefix(&part, key) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

}  // namespace

absl::StatusOr<std::string> FileNikMatchNotice(const Core& core, sql::Session& s, const Call& call,
                                               const store::Client& holder,
                                               v1::NikMatchNotice::Origin origin,
                                               absl::string_view justification,
                                               absl::string_view pending_client) {
  const store::Clients clients(core.dialect());
  const Principal& caller = *call.caller;
  const int64_t now = core.NowMicros();
  auto open = clients.FindOpenNotice(s, holder.id, caller.satker);
  if (!open.ok()) return open.status();
  if (*open) {  // repeats from the same requester satker count on the open notice
    v1::NikMatchNotice n;
    n.ParseFromString((*open)->details);
    n.set_match_count(n.match_count() + 1);
    *n.mutable_last_match_time() = resource::ToTimestamp(now);
    (*open)->details = n.SerializeAsString();
    (*open)->update_time_us = now;
    IBM_RETURN_IF_ERROR(clients.UpdateNotice(s, **open));
    return FormatName(kNoticePattern, {(*open)->satker_id, (*open)->id});
  }
  v1::NikMatchNotice n;
  n.set_origin(origin);
  n.set_requester(caller.subject);
  n.set_requester_role(ActorRole(caller));
  n.set_requester_satker(FormatName(kSatkerPattern, {caller.satker}));
  const std::string unit = AgentUnit(caller);
  if (!unit.empty()) n.set_requester_unit(FormatName(kUnitPattern, {unit}));
  n.set_justification(std::string(justification));
  n.set_pending_client(std::string(pending_client));
  n.set_match_count(1);
  *n.mutable_last_match_time() = resource::ToTimestamp(now);
  store::Notice row{NewId("n"), holder.satker_id,      holder.id, caller.satker,
                    1,          n.SerializeAsString(), 1,         now,
                    now};
  IBM_RETURN_IF_ERROR(clients.InsertNotice(s, row));
  return FormatName(kNoticePattern, {row.satker_id, row.id});
}

absl::StatusOr<NikCheck> CheckNikHolder(const Core& core, sql::Session& s, const Call& call,
                                        const Grant& grant, absl::string_view nik_hmac,
                                        absl::string_view own_client_id,
                                        v1::NikMatchNotice::Origin origin,
                                        absl::string_view pending_client) {
  const store::Clients clients(core.dialect());
  auto holders = clients.ClientsWithNik(s, nik_hmac);
  if (!holders.ok()) return holders.status();
  for (const std::string& id : *holders) {
    if (id == own_client_id) continue;
    auto holder = clients.Get(s, id, ClientName(id));
    if (!holder.ok()) return holder.status();
    auto in = ClientInScope(core, s, call, grant, *holder);
    if (!in.ok()) return in.status();
    if (*in) {
      return platform::WithMetadata(
          platform::WithReason(
              absl::AlreadyExistsError("identity.nik: another client in scope has this NIK"),
              "NIK_EXISTS"),
          "client", ClientName(id));
    }
    auto filed = FileNikMatchNotice(core, s, call, *holder, origin, "", pending_client);
    if (!filed.ok()) return filed.status();
    if (grant.kind == CallerKind::kAgent) return NikCheck{false};  // held for review
    // The refusal must not undo the notice: the caller's transaction commits it with the
    // error reported after (see CreateClient).
    return platform::WithReason(
        absl::AlreadyExistsError("identity.nik: the NIK belongs to a client outside your scope"),
        "NIK_EXISTS_OUTSIDE_SCOPE");
  }
  return NikCheck{true};
}

ServerUnaryReactor* ClientService::GetClientIdentity(CallbackServerContext* ctx,
                                                     const v1::GetClientIdentityRequest* req,
                                                     v1::ClientIdentity* resp) {
  return calls_.Run(ctx, "GetClientIdentity", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "GetClientIdentity");
    if (!grant.ok()) return grant.status();
    auto id = ParseName(req->name(), kIdentityPattern, "name");
    if (!id.ok()) return id.status();
    platform::FieldViolations v;
    const bool system = grant->cell == Cell::kReferral;
    if (system) {
      if (req->purpose() != v1::IDENTITY_ACCESS_PURPOSE_REFERRAL) {
        v.Add("purpose", "must be IDENTITY_ACCESS_PURPOSE_REFERRAL for the referrals system");
      }
      if (!ParseName(req->referral(), kReferralPattern, "referral").ok()) {
        v.Add("referral", "must name the open referral: referrals/{referral}");
      }
    } else {
      CheckPurpose(v, req->purpose(), req->justification());
      if (!req->referral().empty()) v.Add("referral", "is for the referrals system only");
    }
    // What the caller may read: agents never the legal order, the referrals system only
    // what a referral needs.
    std::vector<std::string> fields;
    for (int i = 0; i < req->read_mask().paths_size(); ++i) {
      const std::string& path = req->read_mask().paths(i);
      const std::string field = absl::StrCat("read_mask.paths[", i, "]");
      if (!Contains(kIdentityFields, path)) {
        v.Add(field, "is not a field of the identity");
      } else if ((grant->kind == CallerKind::kAgent && path == "legal_order") ||
                 (system && !Contains(kReferralFields, path))) {
        return platform::WithReason(
            absl::PermissionDeniedError(absl::StrCat(field, ": ", path, " is not for this caller")),
            "ROLE_NOT_ALLOWED");
      } else {
        fields.push_back(path);
      }
    }
    if (!v.empty()) return v.status();
    if (system) {
      // ✓r: the referral must be this client's, submitted, open and IDENTIFIED, asked of
      // ibm.referrals.v1 on every call. That service is not built yet (issue 10): until it
      // is, nothing can confirm a referral, so nothing is disclosed.
      return absl::UnavailableError(
          "the referrals service cannot be asked to confirm the referral yet; no identity is "
          "disclosed");
    }
    if (req->read_mask().paths_size() == 0) {
      for (absl::string_view f : kIdentityFields) {
        if (f != "legal_order" || grant->kind != CallerKind::kAgent) fields.emplace_back(f);
      }
    }
    const store::Clients clients(core_->dialect());
    std::optional<store::Identity> stored;
    const std::string client_name = ClientName((*id)[0]);
    // The read is logged in the same transaction, before the answer leaves.
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto c = LoadClientInScope(*core_, s, call, *grant, (*id)[0], client_name);
      if (!c.ok()) return c.status();
      auto got = clients.GetIdentity(s, c->id);
      if (!got.ok()) return got.status();
      stored = *std::move(got);
      return core_->LogIdentityAccess(
          s, call,
          Core::IdentityAccess{.client = client_name,
                               .action = v1::IdentityAccessRecord::ACTION_READ,
                               .purpose = req->purpose(),
                               .justification = req->justification(),
                               .fields = fields});
    }));
    resp->Clear();
    if (stored && !stored->erased) {
      auto opened = OpenIdentity(*core_, (*id)[0], stored->sealed);
      if (!opened.ok()) return opened.status();
      *resp = *std::move(opened);
      KeepFields(*resp, fields);
      resp->set_etag(absl::StrCat(stored->version));
      *resp->mutable_update_time() = resource::ToTimestamp(stored->update_time_us);
    } else if (stored) {
      resp->set_erased(true);
      *resp->mutable_erase_time() = resource::ToTimestamp(stored->erase_time_us);
    }
    resp->set_name(req->name());
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::UpdateClientIdentity(CallbackServerContext* ctx,
                                                        const v1::UpdateClientIdentityRequest* req,
                                                        v1::ClientIdentity* resp) {
  return calls_.Run(ctx, "UpdateClientIdentity", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "UpdateClientIdentity");
    if (!grant.ok()) return grant.status();
    const v1::ClientIdentity& in = req->identity();
    auto id = ParseName(in.name(), kIdentityPattern, "identity.name");
    if (!id.ok()) return id.status();
    auto paths = resource::MaskPaths(
        req->update_mask(), {"nik", "full_name", "known_as", "birth_date", "phone", "address",
                             "guardian_name", "guardian_phone"});
    if (!paths.ok()) return paths.status();
    platform::FieldViolations v;
    if (req->purpose() != v1::IDENTITY_ACCESS_PURPOSE_CASE_WORK &&
        req->purpose() != v1::IDENTITY_ACCESS_PURPOSE_DATA_SUBJECT_REQUEST) {
      v.Add("purpose", "must be CASE_WORK or DATA_SUBJECT_REQUEST");
    }
    resource::CheckText(v, "justification", req->justification(), rules::kMaxJustification,
                        req->purpose() == v1::IDENTITY_ACCESS_PURPOSE_DATA_SUBJECT_REQUEST);
    if (resource::HasPath(*paths, "nik") && !in.nik().empty()) {
      rules::CheckNik(v, "identity.nik", in.nik());
    }
    if (!v.empty()) return v.status();
    const store::Clients clients(core_->dialect());
    const std::string client_name = ClientName((*id)[0]);
    v1::ClientIdentity changed;
    int64_t version = 0, update_time = 0;
    absl::Status refusal;  // NIK_EXISTS_OUTSIDE_SCOPE: the notice commits, the change does not
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      refusal = absl::OkStatus();
      auto c = LoadClientInScope(*core_, s, call, *grant, (*id)[0], client_name, true);
      if (!c.ok()) return c.status();
      IBM_RETURN_IF_ERROR(RequireActive(*c));
      auto stored = clients.GetIdentity(s, c->id, true);
      if (!stored.ok()) return stored.status();
      if (*stored && (*stored)->erased) {
        return platform::WithReason(
            absl::FailedPreconditionError("the client's identity was erased"), "IDENTITY_ERASED");
      }
      v1::ClientIdentity identity;
      if (*stored) {
        IBM_RETURN_IF_ERROR(resource::CheckEtag(in.etag(), (*stored)->version, "identity.etag"));
        auto opened = OpenIdentity(*core_, c->id, (*stored)->sealed);
        if (!opened.ok()) return opened.status();
        identity = *std::move(opened);
      }
      // The mask's fields are replaced (or cleared, when the request leaves them unset).
      for (const std::string& path : *paths) {
        identity.GetReflection()->ClearField(
            &identity, v1::ClientIdentity::descriptor()->FindFieldByName(path));
      }
      v1::ClientIdentity part = in;
      KeepFields(part, *paths);
      part.clear_name();
      part.clear_etag();
      part.clear_update_time();
      part.clear_erased();
      part.clear_erase_time();
      identity.MergeFrom(part);
      platform::FieldViolations fv;
      rules::CheckIdentityFields(fv, "identity", identity, c->birth_year.value_or(0), core_->Now());
      if (!fv.empty()) return fv.status();
      const bool nik_changed = resource::HasPath(*paths, "nik");
      bool index = nik_changed && !identity.nik().empty();
      if (index) {
        auto held = CheckNikHolder(*core_, s, call, *grant, core_->NikIndex(identity.nik()), c->id,
                                   v1::NikMatchNotice::ORIGIN_UPDATE_IDENTITY, client_name);
        if (absl::IsAlreadyExists(held.status()) &&
            platform::ErrorInfoOf(held.status()).reason() == "NIK_EXISTS_OUTSIDE_SCOPE") {
          refusal = held.status();  // commit the notice, refuse the change
          return absl::OkStatus();
        }
        if (!held.ok()) return held.status();
        index = held->index;
        c->nik_review_pending = !held->index;
      }
      const int64_t now = core_->NowMicros();
      version = *stored ? (*stored)->version + 1 : 1;
      update_time = now;
      IBM_RETURN_IF_ERROR(clients.PutIdentity(
          s,
          store::Identity{c->id, SealIdentity(*core_, c->id, identity), false, 0, version, now}));
      if (nik_changed) {
        IBM_RETURN_IF_ERROR(clients.DropNik(s, c->id));
        if (index) {
          IBM_RETURN_IF_ERROR(
              clients.IndexNik(s, core_->NikIndex(identity.nik()), c->id, core_->NikIndexKeyId()));
          c->nik_review_pending = false;
        }
      }
      c->has_identity = true;
      c->has_nik = !identity.nik().empty();
      c->update_time_us = now;
      IBM_RETURN_IF_ERROR(clients.Update(s, *c));
      changed = identity;
      KeepFields(changed, *paths);  // an update returns what it changed: it is not a read
      return core_->LogIdentityAccess(
          s, call,
          Core::IdentityAccess{.client = client_name,
                               .action = v1::IdentityAccessRecord::ACTION_UPDATE,
                               .purpose = req->purpose(),
                               .justification = req->justification(),
                               .fields = *paths});
    }));
    if (!refusal.ok()) return refusal;
    *resp = changed;
    resp->set_name(in.name());
    resp->set_etag(absl::StrCat(version));
    *resp->mutable_update_time() = resource::ToTimestamp(update_time);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::LookupClientByNik(CallbackServerContext* ctx,
                                                     const v1::LookupClientByNikRequest* req,
                                                     v1::LookupClientByNikResponse* resp) {
  return calls_.Run(ctx, "LookupClientByNik", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "LookupClientByNik");
    if (!grant.ok()) return grant.status();
    platform::FieldViolations v;
    rules::CheckNik(v, "nik", req->nik());
    resource::CheckText(v, "justification", req->justification(), rules::kMaxJustification, true);
    resource::CheckRequestId(v, "request_id", req->request_id());
    if (!v.empty()) return v.status();
    const store::Clients clients(core_->dialect());
    // The request (NIK included) is fingerprinted for idempotency: hash a copy without it in
    // clear, so the create_requests table never holds anything derived from the NIK alone.
    v1::LookupClientByNikRequest keyed = *req;
    keyed.set_nik(core_->NikIndex(req->nik()));
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      resp->Clear();
      auto done = core_->FindCreate(s, *call.caller, "LookupClientByNik", req->request_id(), keyed);
      if (!done.ok()) return done.status();
      if (*done) {  // a retry: the same answer, not counted again
        std::vector<std::string> parts = absl::StrSplit(**done, absl::MaxSplits('|', 1));
        int result = 0;
        (void)absl::SimpleAtoi(parts[0], &result);
        resp->set_result(static_cast<v1::LookupClientByNikResponse::Result>(result));
        if (parts.size() > 1) resp->set_client(parts[1]);
        return absl::OkStatus();
      }
      auto count = clients.CountLookups(
          s, call.caller->subject, core_->NowMicros() - absl::ToInt64Microseconds(absl::Hours(1)));
      if (!count.ok()) return count.status();
      if (*count >= kLookupsPerHour) return RateLimited();
      auto holders = clients.ClientsWithNik(s, core_->NikIndex(req->nik()));
      if (!holders.ok()) return holders.status();
      Core::IdentityAccess log{.action = v1::IdentityAccessRecord::ACTION_LOOKUP,
                               .purpose = v1::IDENTITY_ACCESS_PURPOSE_CASE_WORK,
                               .justification = req->justification()};
      resp->set_result(v1::LookupClientByNikResponse::RESULT_NOT_FOUND);
      if (!holders->empty()) {
        auto holder = clients.Get(s, holders->front(), ClientName(holders->front()));
        if (!holder.ok()) return holder.status();
        auto in = ClientInScope(*core_, s, call, *grant, *holder);
        if (!in.ok()) return in.status();
        if (*in) {
          resp->set_result(v1::LookupClientByNikResponse::RESULT_FOUND);
          resp->set_client(ClientName(holder->id));
          log.client = resp->client();
        } else {
          // Outside scope: the holder is told (a notice), the caller learns nothing more;
          // an agent's search covers its unit only, so it hears NOT_FOUND.
          auto notice =
              FileNikMatchNotice(*core_, s, call, *holder, v1::NikMatchNotice::ORIGIN_LOOKUP,
                                 req->justification(), "");
          if (!notice.ok()) return notice.status();
          if (grant->kind != CallerKind::kAgent) {
            resp->set_result(v1::LookupClientByNikResponse::RESULT_FOUND_OUTSIDE_SCOPE);
          }
          log.probed_client = ClientName(holder->id);
          log.nik_match_notice = *notice;
        }
      }
      log.lookup_result = resp->result();
      IBM_RETURN_IF_ERROR(core_->LogIdentityAccess(s, call, log));
      return core_->RememberCreate(
          s, *call.caller, "LookupClientByNik", req->request_id(), keyed,
          absl::StrCat(static_cast<int>(resp->result()), "|", resp->client()));
    }));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::ListIdentityAccessRecords(
    CallbackServerContext* ctx, const v1::ListIdentityAccessRecordsRequest* req,
    v1::ListIdentityAccessRecordsResponse* resp) {
  return calls_.Run(ctx, "ListIdentityAccessRecords", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "ListIdentityAccessRecords");
    if (!grant.ok()) return grant.status();
    const bool every = req->parent() == "clients/-";
    std::string client_id;
    if (!every) {
      auto id = ParseName(req->parent(), kClientPattern, "parent");
      if (!id.ok()) return id.status();
      client_id = (*id)[0];
    }
    const int64_t start = req->has_start_time() ? req->start_time().seconds() * 1000000 : 0;
    const int64_t end = req->has_end_time() ? req->end_time().seconds() * 1000000 : 0;
    if (start != 0 && end != 0 && start > end) {
      return platform::InvalidField("start_time", "must not be after end_time");
    }
    const std::string query = absl::StrCat("ListIdentityAccessRecords|", req->parent(), "|",
                                           req->actor(), "|", start, "|", end);
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    int64_t after = 0;
    if (!page->after.empty() && !absl::SimpleAtoi(page->after, &after)) {
      return platform::InvalidField("page_token", "is not a page token of this list");
    }
    const store::Clients clients(core_->dialect());
    std::vector<store::IdentityAccessRow> rows;
    // Every access committed is listed: chain what is still queued first.
    IBM_RETURN_IF_ERROR(core_->identity_log().SequenceAll(core_->db()));
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
      rows.clear();
      const Principal& caller = *call.caller;
      if (!every) {
        IBM_RETURN_IF_ERROR(
            LoadClientInScope(*core_, s, call, *grant, client_id, req->parent()).status());
        auto got = clients.IdentityAccess(s, req->parent(), req->actor(), start, end, after,
                                          page->size + 1);
        if (!got.ok()) return got.status();
        rows = *std::move(got);
        return absl::OkStatus();
      }
      // clients/-: entries of clients in the auditor's scope, and lookups that found nobody
      // made from it. Scanned in bounded batches, filtered here.
      int64_t cursor = after;
      for (int batch = 0; batch < 20 && rows.size() <= static_cast<size_t>(page->size); ++batch) {
        auto got = clients.IdentityAccess(s, "", req->actor(), start, end, cursor, 500);
        if (!got.ok()) return got.status();
        if (got->empty()) break;
        std::vector<std::string> ids;
        for (const auto& r : *got) {
          if (r.resource != "clients/-") ids.push_back(r.resource.substr(8));
        }
        auto units = clients.UnitsOf(s, ids);
        if (!units.ok()) return units.status();
        std::map<std::string, std::string> unit_of(units->begin(), units->end());
        for (auto& r : *got) {
          cursor = r.seq;
          bool in;
          if (r.resource == "clients/-") {
            auto satker = domain::SatkerId::Parse(r.actor_satker);
            in = caller.scope.national() ||
                 (satker.ok() && satker->region() && caller.scope.Covers(*satker->region()));
          } else {
            auto it = unit_of.find(r.resource.substr(8));
            in = it != unit_of.end() && caller.scope.Covers(UnitVillage(it->second));
          }
          if (in) rows.push_back(std::move(r));
          if (rows.size() > static_cast<size_t>(page->size)) break;
        }
      }
      return absl::OkStatus();
    }));
    resp->set_next_page_token(resource::TrimToPage(
        core_->pages(), query, rows, *page,
        [](const store::IdentityAccessRow& r) { return absl::StrCat(r.seq); }));
    for (const auto& r : rows) {
      v1::IdentityAccessRecord* out = resp->add_records();
      out->set_sequence(r.seq);
      const bool probed = SummaryValue(r.summary, "probed") == "1";
      if (r.resource != "clients/-")
        (probed ? out->set_probed_client(r.resource) : out->set_client(r.resource));
      out->set_action(static_cast<v1::IdentityAccessRecord::Action>(r.action));
      out->set_actor(r.actor);
      out->set_actor_role(SummaryValue(r.summary, "role"));
      out->set_actor_satker(r.actor_satker);
      *out->mutable_time() = resource::ToTimestamp(r.time_us);
      int n = 0;
      if (absl::SimpleAtoi(SummaryValue(r.summary, "purpose"), &n)) {
        out->set_purpose(static_cast<v1::IdentityAccessPurpose>(n));
      }
      if (absl::SimpleAtoi(SummaryValue(r.summary, "lookup"), &n)) {
        out->set_lookup_result(static_cast<v1::LookupClientByNikResponse::Result>(n));
      }
      const std::string sealed = SummaryValue(r.summary, "j");
      if (!sealed.empty()) {
        auto j = core_->sealer().Open(sealed, "identity_access");
        if (j.ok()) out->set_justification(*j);
      }
      for (absl::string_view f : absl::StrSplit(r.fields, ',', absl::SkipEmpty())) {
        out->add_fields(std::string(f));
      }
      out->set_referral(SummaryValue(r.summary, "referral"));
      out->set_nik_match_notice(SummaryValue(r.summary, "notice"));
    }
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::GetNikMatchNotice(CallbackServerContext* ctx,
                                                     const v1::GetNikMatchNoticeRequest* req,
                                                     v1::NikMatchNotice* resp) {
  return calls_.Run(ctx, "GetNikMatchNotice", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "GetNikMatchNotice");
    if (!grant.ok()) return grant.status();
    auto name = ParseName(req->name(), kNoticePattern, "name");
    if (!name.ok()) return name.status();
    IBM_RETURN_IF_ERROR(RequireHolder(call, *grant, (*name)[0]));
    store::Notice found;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
      auto n = store::Clients(core_->dialect()).GetNotice(s, (*name)[0], (*name)[1], req->name());
      if (!n.ok()) return n.status();
      found = *std::move(n);
      return absl::OkStatus();
    }));
    *resp = NoticeToProto(found);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::ListNikMatchNotices(CallbackServerContext* ctx,
                                                       const v1::ListNikMatchNoticesRequest* req,
                                                       v1::ListNikMatchNoticesResponse* resp) {
  return calls_.Run(ctx, "ListNikMatchNotices", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "ListNikMatchNotices");
    if (!grant.ok()) return grant.status();
    auto satker = ParseName(req->parent(), kSatkerPattern, "parent");
    if (!satker.ok()) return satker.status();
    IBM_RETURN_IF_ERROR(RequireHolder(call, *grant, (*satker)[0]));
    if (!v1::NikMatchNotice::State_IsValid(req->state())) {
      return platform::InvalidField("state", "unknown value");
    }
    const std::string query = absl::StrCat("ListNikMatchNotices|", (*satker)[0], "|", req->state());
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    std::vector<store::Notice> found;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
      auto rows = store::Clients(core_->dialect())
                      .ListNotices(s, (*satker)[0], req->state(), page->after, page->size + 1);
      if (!rows.ok()) return rows.status();
      found = *std::move(rows);
      return absl::OkStatus();
    }));
    resp->set_next_page_token(resource::TrimToPage(core_->pages(), query, found, *page,
                                                   [](const store::Notice& n) { return n.id; }));
    for (const store::Notice& n : found) *resp->add_nik_match_notices() = NoticeToProto(n);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::CloseNikMatchNotice(CallbackServerContext* ctx,
                                                       const v1::CloseNikMatchNoticeRequest* req,
                                                       v1::NikMatchNotice* resp) {
  return calls_.Run(ctx, "CloseNikMatchNotice", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "CloseNikMatchNotice");
    if (!grant.ok()) return grant.status();
    auto name = ParseName(req->name(), kNoticePattern, "name");
    if (!name.ok()) return name.status();
    IBM_RETURN_IF_ERROR(RequireHolder(call, *grant, (*name)[0]));
    platform::FieldViolations v;
    if (req->outcome() == v1::NikMatchNotice::OUTCOME_UNSPECIFIED ||
        !v1::NikMatchNotice::Outcome_IsValid(req->outcome())) {
      v.Add("outcome", "is required");
    }
    resource::CheckText(v, "note", req->note(), 500,
                        req->outcome() == v1::NikMatchNotice::OUTCOME_NO_ACTION);
    if (!v.empty()) return v.status();
    const store::Clients clients(core_->dialect());
    store::Notice n;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto found = clients.GetNotice(s, (*name)[0], (*name)[1], req->name(), true);
      if (!found.ok()) return found.status();
      n = *std::move(found);
      IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), n.version, "etag"));
      if (n.state != v1::NikMatchNotice::STATE_OPEN) {
        return platform::WithReason(absl::FailedPreconditionError("the notice is already closed"),
                                    "NOTICE_CLOSED");
      }
      v1::NikMatchNotice details;
      details.ParseFromString(n.details);
      details.set_outcome(req->outcome());
      details.set_close_note(req->note());
      *details.mutable_close_time() = resource::ToTimestamp(core_->NowMicros());
      details.set_close_actor(call.caller->subject);
      n.details = details.SerializeAsString();
      n.state = v1::NikMatchNotice::STATE_CLOSED;
      n.update_time_us = core_->NowMicros();
      IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "CloseNikMatchNotice", *req));
      return clients.UpdateNotice(s, n);
    }));
    *resp = NoticeToProto(n);
    return absl::OkStatus();
  });
}

}  // namespace ibm::cases
