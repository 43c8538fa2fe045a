// The client record: pseudonymous (sex, birth year, home village, admission path, legal
// basis, consent), its lifecycle (docs/api.md, State machines: Client) and who sees it.
#include "cases/clients.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/macros.h"
#include "cases/case_effects.h"
#include "cases/creates.h"
#include "cases/rules/clients.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/pages.h"
#include "resource/update_mask.h"

namespace ibm::cases {
namespace {

constexpr char kIdentityContext[] = "identity";

int CurrentYear(const Core& core) {
  return static_cast<int>(absl::ToCivilYear(core.Now(), absl::UTCTimeZone()).year());
}

std::string Today(const Core& core) {
  return absl::FormatCivilTime(absl::ToCivilDay(core.Now(), absl::UTCTimeZone()));
}

absl::Status NotActive(const store::Client& c) {
  return platform::WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          ClientName(c.id), " is ", v1::Client::State_Name(c.state), ": it takes no changes")),
      "CLIENT_NOT_ACTIVE");
}

// The nested parts kept in `details` (consent, history, withdrawal, voiding).
v1::Client DetailsOf(const store::Client& c) {
  v1::Client d;
  d.ParseFromString(c.details);
  return d;
}

bool NationalReader(const Principal& caller) {
  return caller.scope.national() &&
         (caller.role == Role::kOfficer || caller.role == Role::kAuditor);
}

}  // namespace

absl::Status RequireActive(const store::Client& c) {
  return c.state == v1::Client::STATE_ACTIVE ? absl::OkStatus() : NotActive(c);
}

void ClientToProto(const store::Client& c, const Principal& caller, int current_year,
                   v1::Client* out) {
  *out = DetailsOf(c);
  out->set_name(ClientName(c.id));
  out->set_sex(static_cast<v1::Sex>(c.sex));
  if (c.birth_year) {
    out->set_birth_year(*c.birth_year);
    out->set_age_band(rules::AgeBandOf(*c.birth_year, current_year));
  }
  if (!c.home_village.empty()) {
    out->set_home_village(absl::StrCat("regions/", c.home_village));
    out->set_home_regency(absl::StrCat("regions/", c.home_village.substr(0, 5)));
  }
  out->set_admission_path(static_cast<v1::AdmissionPath>(c.admission_path));
  out->set_legal_basis(static_cast<v1::LegalBasis>(c.legal_basis));
  out->set_unit(FormatName(kUnitPattern, {c.unit_id}));
  out->set_satker(FormatName(kSatkerPattern, {c.satker_id}));
  out->set_state(static_cast<v1::Client::State>(c.state));
  out->set_has_identity(c.has_identity);
  out->set_has_nik(c.has_nik);
  out->set_has_legal_order(c.legal_order_kind != 0);
  out->set_legal_order_kind(static_cast<v1::LegalOrder::Kind>(c.legal_order_kind));
  if (caller.role == Role::kOfficer) out->set_nik_review_pending(c.nik_review_pending);
  if (!c.duplicate_of.empty()) out->set_duplicate_of(ClientName(c.duplicate_of));
  out->set_open_case(c.open_case);
  *out->mutable_create_time() = resource::ToTimestamp(c.create_time_us);
  *out->mutable_update_time() = resource::ToTimestamp(c.update_time_us);
  out->set_create_actor(c.create_actor);
  out->set_etag(absl::StrCat(c.version));
  if (NationalReader(caller)) rules::Coarsen(*out);
}

absl::StatusOr<bool> ClientInScope(const Core& core, sql::Session& s, const Call& call,
                                   const Grant& grant, const store::Client& c) {
  const Principal& caller = *call.caller;
  switch (grant.cell) {
    case Cell::kNational:
    case Cell::kEverywhere:
      return true;
    case Cell::kOwnUnit:
      return AgentUnit(caller) == c.unit_id;
    case Cell::kScope: {
      if (caller.scope.Covers(UnitVillage(c.unit_id))) return true;
      // A satker keeps reading its own past cases' client after a transfer.
      auto units = store::Clients(core.dialect()).Units(s, c.id);
      if (!units.ok()) return units.status();
      for (const std::string& unit : *units) {
        if (caller.scope.Covers(UnitVillage(unit))) return true;
      }
      return false;
    }
    case Cell::kFostering: {
      absl::Status st = core.RequireUnitScope(call, grant, c.unit_id);
      if (absl::IsPermissionDenied(st)) return false;
      if (!st.ok()) return st;
      return true;
    }
    default:
      return IBM_BUG("no client scope rule for this cell");
  }
}

absl::StatusOr<store::Client> LoadClientInScope(const Core& core, sql::Session& s, const Call& call,
                                                const Grant& grant, absl::string_view client_id,
                                                absl::string_view name, bool for_update) {
  auto c = store::Clients(core.dialect()).Get(s, client_id, name, for_update);
  if (!c.ok()) return c.status();
  auto in = ClientInScope(core, s, call, grant, *c);
  if (!in.ok()) return in.status();
  if (!*in) {
    const bool identity = grant.cell == Cell::kFostering;
    return platform::WithReason(
        absl::PermissionDeniedError(
            identity ? "identity is for the satker fostering the client's unit and its agents"
                     : "the client is outside the caller's scope"),
        "OUT_OF_SCOPE");
  }
  return c;
}

std::string SealIdentity(const Core& core, absl::string_view client_id,
                         const v1::ClientIdentity& identity) {
  return core.sealer().Seal(identity.SerializeAsString(),
                            absl::StrCat(ClientName(client_id), "/", kIdentityContext));
}

absl::StatusOr<v1::ClientIdentity> OpenIdentity(const Core& core, absl::string_view client_id,
                                                absl::string_view sealed) {
  auto plain =
      core.sealer().Open(sealed, absl::StrCat(ClientName(client_id), "/", kIdentityContext));
  if (!plain.ok()) return plain.status();
  v1::ClientIdentity identity;
  if (!identity.ParseFromString(*plain)) return absl::DataLossError("identity unreadable");
  return identity;
}

ClientService::ClientService(CorePtr core, platform::Runtime runtime)
    : core_(std::move(core)), calls_(v1::ClientService::service_full_name(), std::move(runtime)) {}

std::unique_ptr<grpc::Service> NewClientService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<ClientService>(std::move(core), std::move(runtime));
}

ServerUnaryReactor* ClientService::GetClient(CallbackServerContext* ctx,
                                             const v1::GetClientRequest* req, v1::Client* resp) {
  return calls_.Run(
      ctx, "GetClient",
      [=, this](const Call& call) -> absl::Status {
        auto grant = core_->Authorize(call, "GetClient");
        if (!grant.ok()) return grant.status();
        auto id = ParseName(req->name(), kClientPattern, "name");
        if (!id.ok()) return id.status();
        store::Client found;
        // The client by key, then (rarely) the units it had cases in: no common snapshot
        // is needed, so no transaction (two round trips fewer on a server).
        IBM_RETURN_IF_ERROR(
            core_->db().Transact(sql::TxMode::kAutocommitRead, [&](sql::Session& s) {
              auto c = LoadClientInScope(*core_, s, call, *grant, (*id)[0], req->name());
              if (!c.ok()) return c.status();
              found = *std::move(c);
              return absl::OkStatus();
            }));
        ClientToProto(found, *call.caller, CurrentYear(*core_), resp);
        return absl::OkStatus();
      },
      // One or two indexed reads: inline on SQLite (an agent's first call may
      // wait for the registry's answer, then it is cached).
      platform::Access::kAuthenticated, platform::Execution::kShortRead);
}

ServerUnaryReactor* ClientService::ListClients(CallbackServerContext* ctx,
                                               const v1::ListClientsRequest* req,
                                               v1::ListClientsResponse* resp) {
  return calls_.Run(ctx, "ListClients", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "ListClients");
    if (!grant.ok()) return grant.status();
    const Principal& caller = *call.caller;
    store::ClientFilter filter;
    platform::FieldViolations v;
    if (!req->unit().empty()) {
      auto unit = ParseName(req->unit(), kUnitPattern, "unit");
      if (!unit.ok()) return unit.status();
      filter.unit_id = (*unit)[0];
      IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, filter.unit_id));
    } else if (grant->cell == Cell::kOwnUnit) {
      filter.unit_id = AgentUnit(caller);  // an agent lists its own unit
    }
    if (!req->satker().empty()) {
      auto satker = ParseName(req->satker(), kSatkerPattern, "satker");
      if (!satker.ok()) return satker.status();
      filter.satker_id = (*satker)[0];
    }
    if (!req->home_region().empty()) {
      auto code = absl::string_view(req->home_region());
      auto region = domain::RegionCode::Parse(
          absl::ConsumePrefix(&code, "regions/") ? code : absl::string_view("!"), "home_region");
      if (!region.ok()) {
        v.Add("home_region", "must be a region name like regions/32.73");
      } else if (NationalReader(caller) && region->level() != domain::RegionLevel::kProvince &&
                 region->level() != domain::RegionLevel::kRegency) {
        v.Add("home_region", "must be a province or regency for national callers (coarse form)");
      } else {
        filter.home_prefix = region->str();
      }
    }
    if (!v1::AdmissionPath_IsValid(req->admission_path())) v.Add("admission_path", "unknown value");
    if (!v1::Client::State_IsValid(req->state())) v.Add("state", "unknown value");
    if (!v1::RecordView_IsValid(req->view())) v.Add("view", "unknown value");
    if (req->nik_review_pending() && caller.role != Role::kOfficer) {
      v.Add("nik_review_pending", "is a filter for officers only");
    }
    if (!v.empty()) return v.status();
    filter.village_prefix = caller.scope.prefix();
    filter.state = req->state();
    filter.admission_path = req->admission_path();
    filter.nik_review_pending = req->nik_review_pending();
    const bool full = req->view() == v1::RECORD_VIEW_FULL;
    const std::string query =
        absl::StrCat("ListClients|", filter.unit_id, "|", filter.satker_id, "|",
                     filter.village_prefix, "|", filter.home_prefix, "|", filter.state, "|",
                     filter.admission_path, "|", filter.nik_review_pending, "|", full);
    auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
    if (!page.ok()) return page.status();
    if (full) page->size = std::min(page->size, 100);
    std::vector<store::Client> found;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
      auto rows = store::Clients(core_->dialect()).List(s, filter, page->after, page->size + 1);
      if (!rows.ok()) return rows.status();
      found = *std::move(rows);
      return absl::OkStatus();
    }));
    resp->set_next_page_token(resource::TrimToPage(core_->pages(), query, found, *page,
                                                   [](const store::Client& c) { return c.id; }));
    const int year = CurrentYear(*core_);
    for (const store::Client& c : found) {
      v1::Client* out = resp->add_clients();
      ClientToProto(c, caller, year, out);
      if (!full) {
        out->clear_consent();
        out->clear_consent_history();
        out->clear_consent_withdrawal();
      }
    }
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::CreateClient(CallbackServerContext* ctx,
                                                const v1::CreateClientRequest* req,
                                                v1::Client* resp) {
  return calls_.Run(ctx, "CreateClient", [=, this](const Call& call) -> absl::Status {
    return Create(call, req, resp);
  });
}

absl::Status ClientService::Create(const Call& call, const v1::CreateClientRequest* req,
                                   v1::Client* resp, bool* replayed) const {
  auto grant = core_->Authorize(call, "CreateClient");
  if (!grant.ok()) return grant.status();
  const v1::Client& in = req->client();
  auto unit = ParseName(in.unit(), kUnitPattern, "client.unit");
  if (!unit.ok()) return unit.status();
  const std::string unit_id = (*unit)[0];
  IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, unit_id));
  const bool compulsory = in.admission_path() == v1::ADMISSION_PATH_COMPULSORY_LEGAL;
  if (compulsory && grant->kind == CallerKind::kAgent) {
    return platform::WithReason(
        absl::PermissionDeniedError(
            "client.admission_path: agents do not register compulsory clients (the "
            "fostering satker does, with the legal order)"),
        "ROLE_NOT_ALLOWED");
  }
  // Identity (and so a compulsory client) only from the fostering satker or the unit.
  if ((req->has_identity() || compulsory) && grant->kind != CallerKind::kAgent) {
    absl::Status fostering =
        core_->RequireUnitScope(call, Grant{grant->kind, Cell::kFostering}, unit_id);
    if (absl::IsPermissionDenied(fostering)) {
      return platform::WithReason(
          absl::PermissionDeniedError(
              "identity: identity is for the satker fostering the client's unit"),
          "OUT_OF_SCOPE");
    }
    IBM_RETURN_IF_ERROR(fostering);
  }
  const absl::Time now = core_->Now();
  const int year = CurrentYear(*core_);
  platform::FieldViolations v;
  resource::CheckRequestId(v, "request_id", req->request_id());
  rules::CheckClientFacts(v, in, year);
  if (!in.home_village().empty()) {
    absl::string_view code = in.home_village();
    auto village = domain::RegionCode::Parse(
        absl::ConsumePrefix(&code, "regions/") ? code : absl::string_view("!"));
    if (!village.ok() || village->level() != domain::RegionLevel::kVillage) {
      v.Add("client.home_village", "must be a village name like regions/32.73.04.1001");
    }
  } else {
    v.Add("client.home_village", "is required");
  }
  if (!compulsory && !in.has_consent()) {
    v.Add("client.consent", "is required for a voluntary client");
  } else if (in.has_consent() && in.has_birth_year()) {
    rules::CheckConsent(v, "client.consent", in.consent(), in.birth_year(), unit_id, now);
  }
  const v1::ClientIdentity& id = req->identity();
  if (compulsory && !id.has_legal_order()) {
    v.Add("identity.legal_order", "is required for a compulsory client");
  } else if (!compulsory && id.has_legal_order()) {
    v.Add("identity.legal_order", "is only for a compulsory client");
  } else if (id.has_legal_order()) {
    rules::CheckLegalOrder(v, "identity.legal_order", id.legal_order(), now);
  }
  if (!id.nik().empty()) rules::CheckNik(v, "identity.nik", id.nik());
  if (in.has_birth_year()) rules::CheckIdentityFields(v, "identity", id, in.birth_year(), now);
  if (!v.empty()) return v.status();
  IBM_RETURN_IF_ERROR(core_->registry().CheckVillage(
      call, *domain::RegionCode::Parse(in.home_village().substr(8)), "client.home_village"));
  auto facts = core_->RequireOpenUnit(call, unit_id, "client.unit");
  if (!facts.ok()) return facts.status();

  const store::Clients clients(core_->dialect());
  store::Client made;
  absl::Status refusal;  // NIK_EXISTS_OUTSIDE_SCOPE: the notice commits, the client does not
  IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
    refusal = absl::OkStatus();
    auto done = core_->FindCreate(s, *call.caller, "CreateClient", req->request_id(), *req);
    if (!done.ok()) return done.status();
    if (*done) {  // a retry: the client the first create made
      if (replayed != nullptr) *replayed = true;
      auto again = clients.Get(s, (*done)->substr(8), **done);
      if (!again.ok()) return again.status();
      made = *std::move(again);
      return absl::OkStatus();
    }
    made = store::Client{};
    made.id = NewId("c");
    made.unit_id = unit_id;
    made.satker_id = facts->satker;
    made.village_code = UnitVillage(unit_id).str();
    made.sex = in.sex();
    made.birth_year = in.birth_year();
    made.home_village = in.home_village().substr(8);
    made.admission_path = in.admission_path();
    made.legal_basis = compulsory ? v1::LEGAL_BASIS_LEGAL_OBLIGATION : v1::LEGAL_BASIS_CONSENT;
    made.state = v1::Client::STATE_ACTIVE;
    made.legal_order_kind = id.has_legal_order() ? id.legal_order().kind() : 0;
    made.has_identity = req->has_identity();
    made.has_nik = !id.nik().empty();
    v1::Client details;
    if (in.has_consent()) {
      *details.mutable_consent() = in.consent();
      details.mutable_consent()->set_recorded_by(call.caller->subject);
      *details.mutable_consent()->mutable_record_time() = resource::ToTimestamp(core_->NowMicros());
    }
    made.details = details.SerializeAsString();
    made.create_actor = call.caller->subject;
    made.create_time_us = made.update_time_us = core_->NowMicros();
    const std::string name = ClientName(made.id);
    bool index = !id.nik().empty();
    if (index) {
      auto held = CheckNikHolder(*core_, s, call, *grant, core_->NikIndex(id.nik()), made.id,
                                 v1::NikMatchNotice::ORIGIN_CREATE_CLIENT, name);
      if (platform::ErrorInfoOf(held.status()).reason() == "NIK_EXISTS_OUTSIDE_SCOPE") {
        refusal = held.status();
        return absl::OkStatus();
      }
      if (!held.ok()) return held.status();
      index = held->index;
      made.nik_review_pending = !held->index;
    }
    IBM_RETURN_IF_ERROR(clients.Insert(s, made));
    IBM_RETURN_IF_ERROR(clients.AddUnit(s, made.id, unit_id));
    if (req->has_identity()) {
      v1::ClientIdentity sealed = id;
      sealed.clear_name();
      sealed.clear_etag();
      IBM_RETURN_IF_ERROR(
          clients.PutIdentity(s, store::Identity{made.id, SealIdentity(*core_, made.id, sealed),
                                                 false, 0, 1, made.create_time_us}));
      if (index) {
        IBM_RETURN_IF_ERROR(
            clients.IndexNik(s, core_->NikIndex(id.nik()), made.id, core_->NikIndexKeyId()));
      }
      std::vector<std::string> fields;
      for (const auto* f : {"nik", "full_name", "known_as", "birth_date", "phone", "address",
                            "guardian_name", "guardian_phone", "legal_order"}) {
        const auto* field = v1::ClientIdentity::descriptor()->FindFieldByName(f);
        if (sealed.GetReflection()->HasField(sealed, field)) fields.emplace_back(f);
      }
      IBM_RETURN_IF_ERROR(core_->LogIdentityAccess(
          s, call,
          Core::IdentityAccess{.client = name,
                               .action = v1::IdentityAccessRecord::ACTION_CREATE,
                               .purpose = v1::IDENTITY_ACCESS_PURPOSE_CASE_WORK,
                               .fields = fields}));
    }
    return core_->RememberCreate(s, *call.caller, "CreateClient", req->request_id(), *req, name);
  }));
  if (!refusal.ok()) return refusal;
  ClientToProto(made, *call.caller, year, resp);
  return absl::OkStatus();
}

ServerUnaryReactor* ClientService::UpdateClient(CallbackServerContext* ctx,
                                                const v1::UpdateClientRequest* req,
                                                v1::Client* resp) {
  return calls_.Run(ctx, "UpdateClient", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "UpdateClient");
    if (!grant.ok()) return grant.status();
    const v1::Client& in = req->client();
    auto id = ParseName(in.name(), kClientPattern, "client.name");
    if (!id.ok()) return id.status();
    auto paths = resource::MaskPaths(req->update_mask(),
                                     {"sex", "birth_year", "home_village", "admission_path"});
    if (!paths.ok()) return paths.status();
    platform::FieldViolations v;
    const int year = CurrentYear(*core_);
    if (resource::HasPath(*paths, "sex") && in.sex() != v1::SEX_MALE &&
        in.sex() != v1::SEX_FEMALE) {
      v.Add("client.sex", "must be SEX_MALE or SEX_FEMALE");
    }
    if (resource::HasPath(*paths, "birth_year") &&
        (!in.has_birth_year() || in.birth_year() < 1900 || in.birth_year() > year)) {
      v.Add("client.birth_year", absl::StrCat("must be from 1900 to ", year));
    }
    if (resource::HasPath(*paths, "admission_path") && !rules::IsVoluntary(in.admission_path())) {
      v.Add("client.admission_path",
            "must be a voluntary path (use RecordClientLegalOrder / RecordClientConsent to "
            "change the legal basis)");
    }
    std::optional<domain::RegionCode> village;
    if (resource::HasPath(*paths, "home_village")) {
      absl::string_view code = in.home_village();
      auto parsed = domain::RegionCode::Parse(
          absl::ConsumePrefix(&code, "regions/") ? code : absl::string_view("!"));
      if (!parsed.ok() || parsed->level() != domain::RegionLevel::kVillage) {
        v.Add("client.home_village", "must be a village name like regions/32.73.04.1001");
      } else {
        village = *parsed;
      }
    }
    if (!v.empty()) return v.status();
    if (village) {
      IBM_RETURN_IF_ERROR(core_->registry().CheckVillage(call, *village, "client.home_village"));
    }
    store::Client c;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto found = LoadClientInScope(*core_, s, call, *grant, (*id)[0], in.name(), true);
      if (!found.ok()) return found.status();
      c = *std::move(found);
      IBM_RETURN_IF_ERROR(resource::CheckEtag(in.etag(), c.version, "client.etag"));
      IBM_RETURN_IF_ERROR(RequireActive(c));
      if (resource::HasPath(*paths, "admission_path") &&
          !rules::IsVoluntary(static_cast<v1::AdmissionPath>(c.admission_path))) {
        return platform::InvalidField(
            "client.admission_path",
            "a compulsory client becomes voluntary through RecordClientConsent");
      }
      if (resource::HasPath(*paths, "sex")) c.sex = in.sex();
      if (resource::HasPath(*paths, "birth_year")) c.birth_year = in.birth_year();
      if (village) c.home_village = village->str();
      if (resource::HasPath(*paths, "admission_path")) c.admission_path = in.admission_path();
      c.update_time_us = core_->NowMicros();
      IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "UpdateClient", *req));
      return store::Clients(core_->dialect()).Update(s, c);
    }));
    ClientToProto(c, *call.caller, year, resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::RecordClientConsent(CallbackServerContext* ctx,
                                                       const v1::RecordClientConsentRequest* req,
                                                       v1::Client* resp) {
  return calls_.Run(ctx, "RecordClientConsent", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "RecordClientConsent");
    if (!grant.ok()) return grant.status();
    auto id = ParseName(req->name(), kClientPattern, "name");
    if (!id.ok()) return id.status();
    if (!req->has_consent()) return platform::InvalidField("consent", "is required");
    store::Client c;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto found = LoadClientInScope(*core_, s, call, *grant, (*id)[0], req->name(), true);
      if (!found.ok()) return found.status();
      c = *std::move(found);
      IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), c.version, "etag"));
      IBM_RETURN_IF_ERROR(RequireActive(c));
      const bool compulsory = c.admission_path == v1::ADMISSION_PATH_COMPULSORY_LEGAL;
      platform::FieldViolations v;
      if (compulsory && !rules::IsVoluntary(req->admission_path())) {
        v.Add("admission_path", "must be a voluntary path: consent makes the client voluntary");
      } else if (!compulsory && req->admission_path() != v1::ADMISSION_PATH_UNSPECIFIED) {
        v.Add("admission_path", "is only for a compulsory client becoming voluntary");
      }
      rules::CheckConsent(v, "consent", req->consent(), c.birth_year.value_or(0), c.unit_id,
                          core_->Now());
      if (!v.empty()) return v.status();
      v1::Client details = DetailsOf(c);
      if (details.has_consent()) {
        if (details.consent_history_size() >= rules::kMaxConsentHistory) {
          return platform::WithReason(
              absl::FailedPreconditionError("50 earlier consents are kept: no more history"),
              "CONSENT_HISTORY_FULL");
        }
        *details.add_consent_history() = details.consent();
      }
      *details.mutable_consent() = req->consent();
      details.mutable_consent()->set_recorded_by(call.caller->subject);
      *details.mutable_consent()->mutable_record_time() = resource::ToTimestamp(core_->NowMicros());
      c.details = details.SerializeAsString();
      if (compulsory) {
        c.admission_path = req->admission_path();
        c.legal_basis = v1::LEGAL_BASIS_CONSENT;  // the legal order stays recorded
      }
      c.update_time_us = core_->NowMicros();
      IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "RecordClientConsent", *req));
      return store::Clients(core_->dialect()).Update(s, c);
    }));
    ClientToProto(c, *call.caller, CurrentYear(*core_), resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::RecordClientLegalOrder(
    CallbackServerContext* ctx, const v1::RecordClientLegalOrderRequest* req, v1::Client* resp) {
  return calls_.Run(ctx, "RecordClientLegalOrder", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "RecordClientLegalOrder");
    if (!grant.ok()) return grant.status();
    auto id = ParseName(req->name(), kClientPattern, "name");
    if (!id.ok()) return id.status();
    platform::FieldViolations v;
    if (!req->has_legal_order()) {
      v.Add("legal_order", "is required");
    } else {
      rules::CheckLegalOrder(v, "legal_order", req->legal_order(), core_->Now());
    }
    resource::CheckText(v, "justification", req->justification(), rules::kMaxJustification, true);
    if (!v.empty()) return v.status();
    const store::Clients clients(core_->dialect());
    store::Client c;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto found = LoadClientInScope(*core_, s, call, *grant, (*id)[0], req->name(), true);
      if (!found.ok()) return found.status();
      c = *std::move(found);
      IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), c.version, "etag"));
      IBM_RETURN_IF_ERROR(RequireActive(c));
      auto stored = clients.GetIdentity(s, c.id, true);
      if (!stored.ok()) return stored.status();
      v1::ClientIdentity identity;
      if (*stored) {
        if ((*stored)->erased) {
          return platform::WithReason(
              absl::FailedPreconditionError("the client's identity was erased"), "IDENTITY_ERASED");
        }
        auto opened = OpenIdentity(*core_, c.id, (*stored)->sealed);
        if (!opened.ok()) return opened.status();
        identity = *std::move(opened);
      }
      *identity.mutable_legal_order() = req->legal_order();
      const int64_t now = core_->NowMicros();
      IBM_RETURN_IF_ERROR(
          clients.PutIdentity(s, store::Identity{c.id, SealIdentity(*core_, c.id, identity), false,
                                                 0, *stored ? (*stored)->version + 1 : 1, now}));
      c.has_identity = true;
      c.legal_order_kind = req->legal_order().kind();
      c.admission_path = v1::ADMISSION_PATH_COMPULSORY_LEGAL;
      c.legal_basis = v1::LEGAL_BASIS_LEGAL_OBLIGATION;
      c.update_time_us = now;
      IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "RecordClientLegalOrder", *req));
      IBM_RETURN_IF_ERROR(clients.Update(s, c));
      return core_->LogIdentityAccess(
          s, call,
          Core::IdentityAccess{.client = ClientName(c.id),
                               .action = v1::IdentityAccessRecord::ACTION_RECORD_LEGAL_ORDER,
                               .purpose = v1::IDENTITY_ACCESS_PURPOSE_LEGAL_OBLIGATION,
                               .justification = req->justification(),
                               .fields = {"legal_order"}});
    }));
    ClientToProto(c, *call.caller, CurrentYear(*core_), resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::WithdrawClientConsent(
    CallbackServerContext* ctx, const v1::WithdrawClientConsentRequest* req, v1::Client* resp) {
  return calls_.Run(ctx, "WithdrawClientConsent", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "WithdrawClientConsent");
    if (!grant.ok()) return grant.status();
    auto id = ParseName(req->name(), kClientPattern, "name");
    if (!id.ok()) return id.status();
    platform::FieldViolations v;
    rules::CheckWithdrawal(v, req->withdrawal(), core_->Now());
    if (!v.empty()) return v.status();
    const store::Clients clients(core_->dialect());
    store::Client c;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto found = LoadClientInScope(*core_, s, call, *grant, (*id)[0], req->name(), true);
      if (!found.ok()) return found.status();
      c = *std::move(found);
      IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), c.version, "etag"));
      IBM_RETURN_IF_ERROR(RequireActive(c));
      if (c.legal_basis == v1::LEGAL_BASIS_LEGAL_OBLIGATION) {
        return platform::WithReason(
            absl::FailedPreconditionError(
                "the client's processing rests on a legal order, not on consent"),
            "LEGAL_OBLIGATION_BASIS");
      }
      const int64_t now = core_->NowMicros();
      // The open case ends first (its CASE_ENDED precedes CLIENT_CONSENT_WITHDRAWN).
      auto ended = EndOpenCaseOnConsentWithdrawal(*core_, s, call, c.id, Today(*core_));
      if (!ended.ok()) return ended.status();
      // Reread: ending the case cleared open_case.
      auto fresh = clients.Get(s, c.id, req->name(), true);
      if (!fresh.ok()) return fresh.status();
      c = *std::move(fresh);
      // Erasure at once: identity (legal order included) and the NIK index entry.
      auto stored = clients.GetIdentity(s, c.id, true);
      if (!stored.ok()) return stored.status();
      if (*stored && !(*stored)->erased) {
        IBM_RETURN_IF_ERROR(clients.PutIdentity(
            s, store::Identity{c.id, "", true, now, (*stored)->version + 1, now}));
        IBM_RETURN_IF_ERROR(core_->LogIdentityAccess(
            s, call,
            Core::IdentityAccess{.client = ClientName(c.id),
                                 .action = v1::IdentityAccessRecord::ACTION_ERASE,
                                 .purpose = v1::IDENTITY_ACCESS_PURPOSE_DATA_SUBJECT_REQUEST,
                                 .justification = "consent withdrawn"}));
      }
      IBM_RETURN_IF_ERROR(clients.DropNik(s, c.id));
      v1::Client details = DetailsOf(c);
      *details.mutable_consent_withdrawal() = req->withdrawal();
      details.mutable_consent_withdrawal()->set_recorded_by(call.caller->subject);
      c.details = details.SerializeAsString();
      c.state = v1::Client::STATE_CONSENT_WITHDRAWN;
      c.has_identity = false;
      c.update_time_us = now;
      IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "WithdrawClientConsent", *req));
      IBM_RETURN_IF_ERROR(clients.Update(s, c));
      v1::CaseEvent event;
      event.set_type(v1::CASE_EVENT_TYPE_CLIENT_CONSENT_WITHDRAWN);
      event.set_client(ClientName(c.id));
      event.set_satker(FormatName(kSatkerPattern, {c.satker_id}));
      auto* d = event.mutable_client_consent_withdrawn();
      *d->mutable_withdraw_time() = req->withdrawal().withdraw_time();
      d->set_ended_case(*ended);
      return EnqueueCaseEvent(*core_, s, std::move(event));
    }));
    ClientToProto(c, *call.caller, CurrentYear(*core_), resp);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* ClientService::VoidClient(CallbackServerContext* ctx,
                                              const v1::VoidClientRequest* req, v1::Client* resp) {
  return calls_.Run(ctx, "VoidClient", [=, this](const Call& call) -> absl::Status {
    auto grant = core_->Authorize(call, "VoidClient");
    if (!grant.ok()) return grant.status();
    auto id = ParseName(req->name(), kClientPattern, "name");
    if (!id.ok()) return id.status();
    platform::FieldViolations v;
    resource::CheckText(v, "reason", req->reason(), 500, true);
    std::string duplicate_of;
    if (!req->duplicate_of().empty()) {
      auto dup = ParseName(req->duplicate_of(), kClientPattern, "duplicate_of");
      if (!dup.ok()) {
        v.Add("duplicate_of", "must be a resource name like clients/{client}");
      } else if ((*dup)[0] == (*id)[0]) {
        v.Add("duplicate_of", "must be another client");
      } else {
        duplicate_of = (*dup)[0];
      }
    }
    if (!v.empty()) return v.status();
    const store::Clients clients(core_->dialect());
    store::Client c;
    IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto found = LoadClientInScope(*core_, s, call, *grant, (*id)[0], req->name(), true);
      if (!found.ok()) return found.status();
      c = *std::move(found);
      IBM_RETURN_IF_ERROR(resource::CheckEtag(req->etag(), c.version, "etag"));
      if (c.state == v1::Client::STATE_VOIDED) {
        return platform::WithReason(absl::FailedPreconditionError("the client is already voided"),
                                    "ALREADY_VOIDED");
      }
      IBM_RETURN_IF_ERROR(RequireActive(c));
      if (!c.open_case.empty()) {
        return platform::WithReason(
            absl::FailedPreconditionError(absl::StrCat("the client has an open case (", c.open_case,
                                                       "): end or void it first")),
            "CLIENT_HAS_OPEN_CASE");
      }
      if (!duplicate_of.empty()) {
        auto dup = clients.Get(s, duplicate_of, req->duplicate_of());
        auto in = dup.ok() ? ClientInScope(*core_, s, call, *grant, *dup) : false;
        if (!dup.ok() || !in.ok() || !*in || dup->state != v1::Client::STATE_ACTIVE) {
          return platform::InvalidField("duplicate_of",
                                        "must be an ACTIVE client in the caller's scope");
        }
      }
      const int64_t now = core_->NowMicros();
      IBM_RETURN_IF_ERROR(clients.DropNik(s, c.id));
      v1::Client details = DetailsOf(c);
      auto* voiding = details.mutable_voiding();
      voiding->set_reason(req->reason());
      *voiding->mutable_void_time() = resource::ToTimestamp(now);
      voiding->set_actor(call.caller->subject);
      if (!duplicate_of.empty()) voiding->set_superseded_by(ClientName(duplicate_of));
      c.details = details.SerializeAsString();
      c.state = v1::Client::STATE_VOIDED;
      c.duplicate_of = duplicate_of;
      c.update_time_us = now;
      IBM_RETURN_IF_ERROR(core_->RecordRequestChange(s, call, "VoidClient", *req));
      IBM_RETURN_IF_ERROR(clients.Update(s, c));
      v1::CaseEvent event;
      event.set_type(v1::CASE_EVENT_TYPE_CLIENT_VOIDED);
      event.set_client(ClientName(c.id));
      event.set_satker(FormatName(kSatkerPattern, {c.satker_id}));
      if (!duplicate_of.empty()) {
        event.mutable_client_voided()->set_duplicate_of(ClientName(duplicate_of));
      } else {
        event.mutable_client_voided();
      }
      return EnqueueCaseEvent(*core_, s, std::move(event));
    }));
    ClientToProto(c, *call.caller, CurrentYear(*core_), resp);
    return absl::OkStatus();
  });
}

absl::Status CreateClient(const CorePtr& core, const Call& call, const v1::CreateClientRequest& req,
                          v1::Client* resp, bool* replayed) {
  return ClientService(core, platform::Runtime()).Create(call, &req, resp, replayed);
}

}  // namespace ibm::cases
