// ibmctl's case-management commands, against ibm.cases.v1 (--cases).
//
// Identity (NIK, names, phone numbers) never comes from the command line, where it would land
// in the shell's history and in `ps`: it is read from a JSON file or from stdin ("-").

#include "ibmctl/cases_commands.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "ibm/cases/v1/cases.grpc.pb.h"
#include "ibm/cases/v1/clients.grpc.pb.h"
#include "ibm/cases/v1/screenings.grpc.pb.h"
#include "ibmctl/helpers.h"

namespace ibm::ibmctl {
namespace {

namespace v1 = ibm::cases::v1;

// --- Input -----------------------------------------------------------------------------

// A file's text, or stdin's for "-".
std::string ReadInput(const std::string& path, const char* flag) {
  std::stringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in) throw UsageError(absl::StrCat("--", flag, ": cannot read ", path));
    buf << in.rdbuf();
  }
  return buf.str();
}

// A message from JSON (proto3 JSON names, e.g. {"sex": "SEX_MALE", "birthYear": 1998}).
template <typename M>
M ReadJson(const std::string& path, const char* flag) {
  M m;
  auto s = google::protobuf::util::JsonStringToMessage(ReadInput(path, flag), &m);
  if (!s.ok()) {
    // The parser's message may quote the input; identity files must not be echoed.
    throw UsageError(absl::StrCat("--", flag, ": not a JSON ", M::descriptor()->name(),
                                  " (check field names and enum values)"));
  }
  return m;
}

std::string ClientName(const std::string& s) { return WithPrefix(s, "clients/", "client id"); }
std::string UnitName(const std::string& s) { return WithPrefix(s, "units/", "unit name"); }

google::type::Date DateFlag(const Args& a, const char* flag) {
  if (a.has(flag)) return ParseDate(a.get(flag), flag);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  google::type::Date d;
  d.set_year(static_cast<int>(today.year()));
  d.set_month(today.month());
  d.set_day(today.day());
  return d;
}

// --- Output ----------------------------------------------------------------------------

const Strings kClientHeaders = {"NAME", "UNIT",      "STATE", "SEX",      "BIRTH YEAR", "AGE",
                                "HOME", "ADMISSION", "BASIS", "IDENTITY", "OPEN CASE",  "ETAG"};
Strings ClientCells(const v1::Client& c) {
  return {c.name(),
          Short(c.unit()),
          Name(c.state()),
          Name(c.sex()),
          c.has_birth_year() ? absl::StrCat(c.birth_year()) : "",
          Name(c.age_band()),
          Short(c.home_village().empty() ? c.home_regency() : c.home_village()),
          Name(c.admission_path()),
          Name(c.legal_basis()),
          YesNo(c.has_identity()),
          c.open_case(),
          c.etag()};
}
const Strings kScreeningHeaders = {"NAME",    "DATE",    "OCCASION", "DRUG RISK", "TOBACCO",
                                   "ALCOHOL", "ROUTING", "RULE",     "STATE"};
Strings ScreeningCells(const v1::Screening& s) {
  return {s.name(),
          FormatDate(s.screening_date()),
          Name(s.occasion()),
          Name(s.highest_drug_risk_level()),
          Name(s.tobacco_risk_level()),
          Name(s.alcohol_risk_level()),
          Name(s.recommendation().routing()),
          s.recommendation().rule(),
          Name(s.state())};
}
const Strings kCaseHeaders = {"NAME",  "CLIENT",      "STATE", "ENROLLED",
                              "ENDED", "TRANSITIONS", "ETAG"};
Strings CaseCells(const v1::Case& c) {
  return {c.name(),
          c.client(),
          Name(c.state()),
          FormatDate(c.enrollment_date()),
          c.has_end_date() ? FormatDate(c.end_date()) : "",
          absl::StrCat(c.transitions_size()),
          c.etag()};
}
const Strings kIdentityHeaders = {"NAME",           "NIK",         "FULL NAME", "KNOWN AS",
                                  "BIRTH DATE",     "PHONE",       "ADDRESS",   "GUARDIAN",
                                  "GUARDIAN PHONE", "LEGAL ORDER", "ERASED"};
Strings IdentityCells(const v1::ClientIdentity& i) {
  return {i.name(),
          i.nik(),
          i.full_name(),
          i.known_as(),
          i.has_birth_date() ? FormatDate(i.birth_date()) : "",
          i.phone(),
          i.address(),
          i.guardian_name(),
          i.guardian_phone(),
          i.has_legal_order()
              ? absl::StrCat(Name(i.legal_order().kind()), " ", i.legal_order().number())
              : "",
          YesNo(i.erased())};
}
const Strings kAccessHeaders = {"SEQ",  "TIME",   "ACTION",  "CLIENT", "ACTOR",
                                "ROLE", "SATKER", "PURPOSE", "FIELDS", "JUSTIFICATION"};
Strings AccessCells(const v1::IdentityAccessRecord& r) {
  return {absl::StrCat(r.sequence()),
          FormatTime(r.time()),
          Name(r.action()),
          r.client().empty() ? r.probed_client() : r.client(),
          r.actor(),
          r.actor_role(),
          Short(r.actor_satker()),
          Name(r.purpose()),
          absl::StrJoin(r.fields(), ","),
          r.justification()};
}

// --- clients ---------------------------------------------------------------------------

int ClientsCreate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ClientService>(ctx, "cases");
  v1::CreateClientRequest req;
  *req.mutable_client() = ReadJson<v1::Client>(a.get("client_file"), "client_file");
  if (a.has("unit")) req.mutable_client()->set_unit(UnitName(a.get("unit")));
  if (a.has("identity_file")) {
    *req.mutable_identity() = ReadJson<v1::ClientIdentity>(a.get("identity_file"), "identity_file");
  }
  req.set_request_id(RequestIdOf(a));
  v1::Client c;
  if (auto s = Call(ctx, req, &c,
                    [&](auto* x, auto& q, auto* p) { return stub->CreateClient(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, c, kClientHeaders, ClientCells);
}

int ClientsGet(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ClientService>(ctx, "cases");
  v1::GetClientRequest req;
  req.set_name(ClientName(a.arg(0)));
  v1::Client c;
  if (auto s =
          Call(ctx, req, &c, [&](auto* x, auto& q, auto* p) { return stub->GetClient(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, c, kClientHeaders, ClientCells);
}

int ClientsList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ClientService>(ctx, "cases");
  v1::ListClientsRequest req;
  if (a.has("unit")) req.set_unit(UnitName(a.get("unit")));
  if (a.has("home_region"))
    req.set_home_region(WithPrefix(a.get("home_region"), "regions/", "region code"));
  if (a.has("state")) req.set_state(Parse<v1::Client::State>(a, "state"));
  if (a.has("admission_path"))
    req.set_admission_path(Parse<v1::AdmissionPath>(a, "admission_path"));
  req.set_nik_review_pending(a.flag("review_pending"));
  v1::ListClientsResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* x, auto& q, auto* p) { return stub->ListClients(x, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.clients(), kClientHeaders, ClientCells, all.next_page_token());
}

int ClientsIdentity(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ClientService>(ctx, "cases");
  v1::GetClientIdentityRequest req;
  req.set_name(ClientName(a.arg(0)) + "/identity");
  req.set_purpose(Parse<v1::IdentityAccessPurpose>(a, "purpose"));
  req.set_justification(a.get("justification"));
  for (absl::string_view f : absl::StrSplit(a.get("fields"), ',', absl::SkipWhitespace())) {
    req.mutable_read_mask()->add_paths(std::string(absl::StripAsciiWhitespace(f)));
  }
  v1::ClientIdentity i;
  if (auto s = Call(ctx, req, &i,
                    [&](auto* x, auto& q, auto* p) { return stub->GetClientIdentity(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, i, kIdentityHeaders, IdentityCells);
}

int ClientsLookup(Context& ctx, const Args& a) {
  // The NIK on stdin only: `ibmctl clients lookup --justification ... < nik.txt`.
  std::string nik(absl::StripAsciiWhitespace(ReadInput("-", "stdin")));
  auto stub = NewStub<v1::ClientService>(ctx, "cases");
  v1::LookupClientByNikRequest req;
  req.set_nik(nik);
  req.set_justification(a.get("justification"));
  req.set_request_id(RequestIdOf(a));
  v1::LookupClientByNikResponse r;
  if (auto s = Call(ctx, req, &r,
                    [&](auto* x, auto& q, auto* p) { return stub->LookupClientByNik(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(
      ctx, r, {"RESULT", "CLIENT"}, +[](const v1::LookupClientByNikResponse& x) -> Strings {
        return {Name(x.result()), x.client()};
      });
}

int ClientsWithdrawConsent(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ClientService>(ctx, "cases");
  v1::WithdrawClientConsentRequest req;
  req.set_name(ClientName(a.arg(0)));
  *req.mutable_withdrawal() =
      ReadJson<v1::ConsentWithdrawal>(a.get("withdrawal_file"), "withdrawal_file");
  req.set_etag(a.get("etag"));
  v1::Client c;
  if (auto s =
          Call(ctx, req, &c,
               [&](auto* x, auto& q, auto* p) { return stub->WithdrawClientConsent(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, c, kClientHeaders, ClientCells);
}

int ClientsVoid(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ClientService>(ctx, "cases");
  v1::VoidClientRequest req;
  req.set_name(ClientName(a.arg(0)));
  req.set_reason(a.get("reason"));
  if (a.has("duplicate_of")) req.set_duplicate_of(ClientName(a.get("duplicate_of")));
  req.set_etag(a.get("etag"));
  v1::Client c;
  if (auto s =
          Call(ctx, req, &c, [&](auto* x, auto& q, auto* p) { return stub->VoidClient(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, c, kClientHeaders, ClientCells);
}

int ClientsAccessLog(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ClientService>(ctx, "cases");
  v1::ListIdentityAccessRecordsRequest req;
  req.set_parent(a.arg(0) == "-" ? "clients/-" : ClientName(a.arg(0)));
  if (a.has("actor")) req.set_actor(a.get("actor"));
  v1::ListIdentityAccessRecordsResponse all;
  auto s = ListPages(ctx, a, req, &all, [&](auto* x, auto& q, auto* p) {
    return stub->ListIdentityAccessRecords(x, q, p);
  });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.records(), kAccessHeaders, AccessCells, all.next_page_token());
}

// --- screenings ------------------------------------------------------------------------

int ScreeningsCreate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ScreeningService>(ctx, "cases");
  v1::CreateScreeningRequest req;
  req.set_parent(ClientName(a.arg(0)));
  *req.mutable_screening() = ReadJson<v1::Screening>(a.get("file"), "file");
  if (a.has("date") || !req.screening().has_screening_date()) {
    *req.mutable_screening()->mutable_screening_date() = DateFlag(a, "date");
  }
  req.set_request_id(RequestIdOf(a));
  v1::Screening s;
  if (auto st = Call(ctx, req, &s,
                     [&](auto* x, auto& q, auto* p) { return stub->CreateScreening(x, q, p); });
      !st.ok()) {
    return Fail(st);
  }
  return PrintOne(ctx, s, kScreeningHeaders, ScreeningCells);
}

int ScreeningsGet(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ScreeningService>(ctx, "cases");
  v1::GetScreeningRequest req;
  req.set_name(a.arg(0));
  v1::Screening s;
  if (auto st = Call(ctx, req, &s,
                     [&](auto* x, auto& q, auto* p) { return stub->GetScreening(x, q, p); });
      !st.ok()) {
    return Fail(st);
  }
  return PrintOne(ctx, s, kScreeningHeaders, ScreeningCells);
}

int ScreeningsList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ScreeningService>(ctx, "cases");
  v1::ListScreeningsRequest req;
  req.set_parent(a.arg(0) == "-" ? "clients/-" : ClientName(a.arg(0)));
  if (a.has("unit")) req.set_unit(UnitName(a.get("unit")));
  v1::ListScreeningsResponse all;
  auto st = ListPages(ctx, a, req, &all,
                      [&](auto* x, auto& q, auto* p) { return stub->ListScreenings(x, q, p); });
  if (!st.ok()) return Fail(st);
  return PrintList(ctx, all, all.screenings(), kScreeningHeaders, ScreeningCells,
                   all.next_page_token());
}

// --- cases -----------------------------------------------------------------------------

int CasesCreate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::CaseService>(ctx, "cases");
  v1::CreateCaseRequest req;
  req.set_parent(UnitName(a.arg(0)));
  v1::Case* c = req.mutable_case_();
  c->set_client(ClientName(a.get("client")));
  *c->mutable_enrollment_date() = DateFlag(a, "enrollment_date");
  if (a.has("initial_screening")) c->set_initial_screening(a.get("initial_screening"));
  for (absl::string_view agent : absl::StrSplit(a.get("agents"), ',', absl::SkipWhitespace())) {
    c->add_agents(std::string(agent));
  }
  req.set_request_id(RequestIdOf(a));
  v1::Case out;
  if (auto s = Call(ctx, req, &out,
                    [&](auto* x, auto& q, auto* p) { return stub->CreateCase(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, out, kCaseHeaders, CaseCells);
}

int CasesGet(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::CaseService>(ctx, "cases");
  v1::GetCaseRequest req;
  req.set_name(a.arg(0));
  v1::Case out;
  if (auto s =
          Call(ctx, req, &out, [&](auto* x, auto& q, auto* p) { return stub->GetCase(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, out, kCaseHeaders, CaseCells);
}

int CasesList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::CaseService>(ctx, "cases");
  v1::ListCasesRequest req;
  req.set_parent(a.arg(0) == "-" ? "units/-" : UnitName(a.arg(0)));
  if (a.has("client")) req.set_client(ClientName(a.get("client")));
  if (a.has("state")) req.add_states(Parse<v1::CaseState>(a, "state"));
  v1::ListCasesResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* x, auto& q, auto* p) { return stub->ListCases(x, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.cases(), kCaseHeaders, CaseCells, all.next_page_token());
}

// The etag of a move: --etag, else the case's current one (read first).
std::string EtagOf(Context& ctx, const Args& a, v1::CaseService::Stub& stub) {
  if (a.has("etag")) return a.get("etag");
  v1::GetCaseRequest req;
  req.set_name(a.arg(0));
  v1::Case c;
  grpc::Status s =
      Call(ctx, req, &c, [&](auto* x, auto& q, auto* p) { return stub.GetCase(x, q, p); });
  return s.ok() ? c.etag() : "";  // the move's own call then reports the error
}

// One lifecycle move: `fill` sets the request's own fields.
template <typename Req, typename Rpc>
int Move(Context& ctx, const Args& a, Rpc rpc, void (*fill)(const Args&, Req&)) {
  auto stub = NewStub<v1::CaseService>(ctx, "cases");
  Req req;
  req.set_name(a.arg(0));
  req.set_etag(EtagOf(ctx, a, *stub));
  fill(a, req);
  v1::Case out;
  if (auto s =
          Call(ctx, req, &out, [&](auto* x, auto& q, auto* p) { return ((*stub).*rpc)(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, out, kCaseHeaders, CaseCells);
}

int CasesStartIntervention(Context& ctx, const Args& a) {
  return Move<v1::StartCaseInterventionRequest>(
      ctx, a, &v1::CaseService::Stub::StartCaseIntervention,
      +[](const Args& a, v1::StartCaseInterventionRequest& r) {
        *r.mutable_effective_date() = DateFlag(a, "date");
      });
}
int CasesStartRecoverySupport(Context& ctx, const Args& a) {
  return Move<v1::StartCaseRecoverySupportRequest>(
      ctx, a, &v1::CaseService::Stub::StartCaseRecoverySupport,
      +[](const Args& a, v1::StartCaseRecoverySupportRequest& r) {
        *r.mutable_effective_date() = DateFlag(a, "date");
      });
}
int CasesRefer(Context& ctx, const Args& a) {
  return Move<v1::ReferCaseRequest>(
      ctx, a, &v1::CaseService::Stub::ReferCase, +[](const Args& a, v1::ReferCaseRequest& r) {
        *r.mutable_effective_date() = DateFlag(a, "date");
        r.set_reason(a.get("reason"));
        r.set_referral(a.get("referral"));
      });
}
int CasesResume(Context& ctx, const Args& a) {
  return Move<v1::ResumeCaseRequest>(
      ctx, a, &v1::CaseService::Stub::ResumeCase, +[](const Args& a, v1::ResumeCaseRequest& r) {
        *r.mutable_effective_date() = DateFlag(a, "date");
        r.set_resume_state(Parse<v1::CaseState>(a, "to"));
      });
}
int CasesComplete(Context& ctx, const Args& a) {
  return Move<v1::CompleteCaseRequest>(
      ctx, a, &v1::CaseService::Stub::CompleteCase, +[](const Args& a, v1::CompleteCaseRequest& r) {
        *r.mutable_effective_date() = DateFlag(a, "date");
        r.set_exit_assessment_waiver(a.get("waiver"));
      });
}
int CasesDropOut(Context& ctx, const Args& a) {
  return Move<v1::DropOutCaseRequest>(
      ctx, a, &v1::CaseService::Stub::DropOutCase, +[](const Args& a, v1::DropOutCaseRequest& r) {
        *r.mutable_effective_date() = DateFlag(a, "date");
        r.set_reason(Parse<v1::DropOutReason>(a, "reason"));
      });
}
int CasesVoid(Context& ctx, const Args& a) {
  return Move<v1::VoidCaseRequest>(
      ctx, a, &v1::CaseService::Stub::VoidCase,
      +[](const Args& a, v1::VoidCaseRequest& r) { r.set_reason(a.get("reason")); });
}

int CasesTransfer(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::CaseService>(ctx, "cases");
  v1::TransferCaseRequest req;
  req.set_name(a.arg(0));
  req.set_etag(EtagOf(ctx, a, *stub));
  *req.mutable_effective_date() = DateFlag(a, "date");
  req.set_target_unit(UnitName(a.get("to")));
  req.set_reason(a.get("reason"));
  req.set_request_id(RequestIdOf(a));
  v1::TransferCaseResponse out;
  if (auto s = Call(ctx, req, &out,
                    [&](auto* x, auto& q, auto* p) { return stub->TransferCase(x, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  if (ctx.json()) {
    PrintJson(out);
    return 0;
  }
  Table t(kCaseHeaders);
  t.Add(CaseCells(out.source_case()));
  t.Add(CaseCells(out.target_case()));
  t.Print(std::cout);
  return 0;
}

const Flag kDate{"date", F::kString, "YYYY-MM-DD", "the effective date [default: today]"};

}  // namespace

const std::vector<Resource>& CasesResources() {
  static const std::vector<Resource> r = {
      {"clients", "clients of the IBM units: pseudonymous records; identity sealed, logged"},
      {"screenings", "WHO ASSIST screenings, scored and routed by the server"},
      {"cases", "cases: enrollment and the lifecycle moves"},
  };
  return r;
}

const std::vector<Command>& CasesCommands() {
  static const std::vector<Command> c = {
      {"clients",
       "create",
       "",
       0,
       0,
       "Registers a client: --client_file holds the pseudonymous record as JSON (unit, sex, "
       "birthYear, homeVillage, admissionPath, consent); --identity_file the identity (nik, "
       "fullName, phone, ...) as JSON, from a file or '-' for stdin: never on the command line.",
       {{"client_file", F::kString, "FILE", "JSON of ibm.cases.v1.Client", true},
        {"identity_file", F::kString, "FILE|-", "JSON of ibm.cases.v1.ClientIdentity"},
        {"unit", F::kString, "UNIT", "the serving unit (overrides the file's)"},
        kRequestId},
       ClientsCreate},
      {"clients", "get", "CLIENT", 1, 1, "One client (the pseudonymous record).", {}, ClientsGet},
      {"clients", "list", "", 0, 0, "Clients in the caller's scope (never identity).",
       Paged({{"unit", F::kString, "UNIT", "one unit's clients"},
              {"home_region", F::kString, "CODE",
               "home province, regency, ... (national: "
               "province or regency)"},
              {"state", F::kString, "STATE", "active, consent_withdrawn or voided"},
              {"admission_path", F::kString, "PATH", "e.g. voluntary_family"},
              {"review_pending", F::kBool, "", "only clients whose NIK awaits review"}}),
       ClientsList},
      {"clients",
       "identity",
       "CLIENT",
       1,
       1,
       "Reads a client's identity: logged with your purpose and justification. Only the "
       "fostering satker's officers and the unit's agents may.",
       {{"purpose", F::kString, "PURPOSE",
         "case_work, referral, legal_obligation or "
         "data_subject_request",
         true},
        {"justification", F::kString, "TEXT", "why (no personal data), 1-500 characters", true},
        {"fields", F::kString, "A,B", "only these fields, e.g. phone,address"}},
       ClientsIdentity},
      {"clients",
       "lookup",
       "",
       0,
       0,
       "Looks a NIK up (read from stdin: `ibmctl clients lookup --justification ... < "
       "nik.txt`). Outside your scope you learn only that; the holding satker is notified.",
       {{"justification", F::kString, "TEXT", "why (no personal data)", true}, kRequestId},
       ClientsLookup},
      {"clients",
       "withdraw-consent",
       "CLIENT",
       1,
       1,
       "Records the withdrawal of consent (JSON of ibm.cases.v1.ConsentWithdrawal): identity "
       "and NIK index erased at once, an open case dropped out.",
       {{"withdrawal_file", F::kString, "FILE|-", "JSON of the withdrawal", true}, kEtag},
       ClientsWithdrawConsent},
      {"clients",
       "void",
       "CLIENT",
       1,
       1,
       "Voids a client registered by mistake or twice.",
       {{"reason", F::kString, "TEXT", "why, 1-500 characters", true},
        {"duplicate_of", F::kString, "CLIENT", "the client to keep"},
        kEtag},
       ClientsVoid},
      {"clients", "access-log", "CLIENT|-", 1, 1,
       "Who read, wrote, erased or looked up identity ('-': every client in your scope). "
       "Auditors.",
       Paged({{"actor", F::kString, "SUBJECT", "only this actor's entries"}}), ClientsAccessLog},

      {"screenings",
       "create",
       "CLIENT",
       1,
       1,
       "Records an ASSIST screening from --file (JSON of ibm.cases.v1.Screening: unit, "
       "screener, occasion, substances, q8Injecting; examples/cases/screening.json); the "
       "server scores and routes it.",
       {{"file", F::kString, "FILE|-", "JSON of the screening", true},
        {"date", F::kString, "YYYY-MM-DD", "the screening date [default: the file's, else today]"},
        kRequestId},
       ScreeningsCreate},
      {"screenings", "get", "NAME", 1, 1, "One screening.", {}, ScreeningsGet},
      {"screenings", "list", "CLIENT|-", 1, 1, "A client's screenings ('-' with --unit).",
       Paged({{"unit", F::kString, "UNIT", "with '-': one unit's screenings"}}), ScreeningsList},

      {"cases",
       "create",
       "UNIT",
       1,
       1,
       "Enrolls a client in a case of the unit.",
       {{"client", F::kString, "CLIENT", "the client", true},
        {"enrollment_date", F::kString, "YYYY-MM-DD", "[default: today]"},
        {"initial_screening", F::kString, "NAME", "the screening that led to it"},
        {"agents", F::kString, "A,B", "the unit's agents accompanying the client"},
        kRequestId},
       CasesCreate},
      {"cases", "get", "NAME", 1, 1, "One case with its transitions.", {}, CasesGet},
      {"cases", "list", "UNIT|-", 1, 1, "A unit's cases ('-': every unit in your scope).",
       Paged({{"client", F::kString, "CLIENT", "one client's cases"},
              {"state", F::kString, "STATE", "e.g. in_intervention"}}),
       CasesList},
      {"cases",
       "start-intervention",
       "NAME",
       1,
       1,
       "ENROLLED or RECOVERY_SUPPORT -> "
       "IN_INTERVENTION.",
       {kDate, kEtag},
       CasesStartIntervention},
      {"cases",
       "start-recovery-support",
       "NAME",
       1,
       1,
       "-> RECOVERY_SUPPORT.",
       {kDate, kEtag},
       CasesStartRecoverySupport},
      {"cases",
       "refer",
       "NAME",
       1,
       1,
       "-> REFERRED (to a health or social service).",
       {kDate,
        kEtag,
        {"reason", F::kString, "TEXT", "why", true},
        {"referral", F::kString, "NAME", "the referral, referrals/{id}"}},
       CasesRefer},
      {"cases",
       "resume",
       "NAME",
       1,
       1,
       "REFERRED -> back to the unit's services.",
       {kDate, kEtag, {"to", F::kString, "STATE", "in_intervention or recovery_support", true}},
       CasesResume},
      {"cases",
       "complete",
       "NAME",
       1,
       1,
       "-> COMPLETED: needs the EXIT urine test and a scored EXIT WHOQOL-BREF, or a waiver.",
       {kDate, kEtag, {"waiver", F::kString, "TEXT", "why the exit assessment was not done"}},
       CasesComplete},
      {"cases",
       "drop-out",
       "NAME",
       1,
       1,
       "-> DROPPED_OUT.",
       {kDate, kEtag, {"reason", F::kString, "REASON", "e.g. lost_contact, refused", true}},
       CasesDropOut},
      {"cases",
       "transfer",
       "NAME",
       1,
       1,
       "Moves the case to another unit (a new case there).",
       {kDate,
        kEtag,
        {"to", F::kString, "UNIT", "the target unit", true},
        {"reason", F::kString, "TEXT", "why", true},
        kRequestId},
       CasesTransfer},
      {"cases",
       "void",
       "NAME",
       1,
       1,
       "Voids a case entered in error.",
       {kEtag, {"reason", F::kString, "TEXT", "why", true}},
       CasesVoid},
  };
  return c;
}

}  // namespace ibm::ibmctl
