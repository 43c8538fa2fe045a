// ibmctl's case-management commands, against ibm.cases.v1 (--cases).
//
// Identity (NIK, names, phone numbers) never comes from the command line, where it would land
// in the shell's history and in `ps`: it is read from a JSON file or from stdin ("-").

#include "ibmctl/cases_commands.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/status.h"
#include "google/protobuf/util/json_util.h"
#include "ibm/cases/v1/audit.grpc.pb.h"
#include "ibm/cases/v1/cases.grpc.pb.h"
#include "ibm/cases/v1/clients.grpc.pb.h"
#include "ibm/cases/v1/screenings.grpc.pb.h"
#include "ibm/cases/v1/sync.grpc.pb.h"
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

int AuditVerifyLog(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::AuditLogService>(ctx, "cases");
  v1::VerifyAuditLogRequest req;
  if (a.get("log") == "changes") {
    req.set_log(v1::AUDIT_LOG_CHANGES);
  } else if (a.get("log") == "identity-access") {
    req.set_log(v1::AUDIT_LOG_IDENTITY_ACCESS);
  } else {
    throw UsageError("--log must be changes or identity-access");
  }
  return VerifyChain<v1::VerifyAuditLogRequest, v1::VerifyAuditLogResponse>(
      ctx, absl::StrCat("cases ", a.get("log"), " log"),
      [&](auto* c, auto& q, auto* p) { return stub->VerifyAuditLog(c, q, p); }, req);
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

// --- batch -----------------------------------------------------------------------------

constexpr int kMaxBatchRecords = 500;  // UploadBatch's limit
constexpr absl::string_view kReferencePrefix = "requestIds/";

// The records of a batch file: one JSON ibm.cases.v1.UploadBatchRequest, or JSON lines of
// ibm.cases.v1.UploadRecord (blank lines and lines starting with '#' skipped). Each must have
// its create request, its request_id (unique in the file) and capture_time: checked here for
// the whole file, so that nothing is sent when one is missing.
std::vector<v1::UploadRecord> ReadBatchFile(const std::string& path) {
  const std::string text = ReadInput(path, "FILE");
  std::vector<v1::UploadRecord> records;
  v1::UploadBatchRequest whole;
  if (google::protobuf::util::JsonStringToMessage(text, &whole).ok() && whole.records_size() > 0) {
    records.assign(whole.records().begin(), whole.records().end());
  } else {
    int line_no = 0;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      ++line_no;
      line = absl::StripAsciiWhitespace(line);
      if (line.empty() || line[0] == '#') continue;
      v1::UploadRecord r;
      if (!google::protobuf::util::JsonStringToMessage(std::string(line), &r).ok()) {
        // The parser's message may quote the input (identity): only the line number.
        throw UsageError(absl::StrCat(path, ":", line_no,
                                      ": not a JSON ibm.cases.v1.UploadRecord (check field "
                                      "names and enum values)"));
      }
      records.push_back(std::move(r));
    }
  }
  if (records.empty()) throw UsageError(absl::StrCat(path, ": no records"));
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < records.size(); ++i) {
    const v1::UploadRecord& r = records[i];
    const auto* oneof = v1::UploadRecord::descriptor()->FindOneofByName("request");
    const auto* f = r.GetReflection()->GetOneofFieldDescriptor(r, oneof);
    if (f == nullptr) throw UsageError(absl::StrCat("record ", i, ": no create request"));
    if (!r.has_capture_time()) throw UsageError(absl::StrCat("record ", i, ": no captureTime"));
    const auto& req = r.GetReflection()->GetMessage(r, f);
    const std::string id =
        req.GetReflection()->GetString(req, req.GetDescriptor()->FindFieldByName("request_id"));
    if (id.empty()) throw UsageError(absl::StrCat("record ", i, ": no requestId"));
    if (auto [it, added] = seen.emplace(id, i); !added) {
      throw UsageError(
          absl::StrCat("record ", i, ": requestId ", id, " repeats record ", it->second, "'s"));
    }
  }
  return records;
}

// References to records of earlier calls (the server resolves those of its own batch):
// `requestIds/{id}` of a record that succeeded becomes its resource; one that failed is left
// for the server to refuse (REFERENCED_RECORD_FAILED).
void ResolveEarlier(google::protobuf::Message& m, const std::map<std::string, std::string>& made) {
  const auto* reflection = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(m, &fields);
  using FD = google::protobuf::FieldDescriptor;
  auto resolved = [&](const std::string& value) -> const std::string* {
    if (!absl::StartsWith(value, kReferencePrefix)) return nullptr;
    auto it = made.find(value.substr(kReferencePrefix.size()));
    return it == made.end() ? nullptr : &it->second;
  };
  for (const FD* f : fields) {
    if (f->cpp_type() == FD::CPPTYPE_MESSAGE && !f->is_map()) {
      if (f->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(m, f); ++k) {
          ResolveEarlier(*reflection->MutableRepeatedMessage(&m, f, k), made);
        }
      } else {
        ResolveEarlier(*reflection->MutableMessage(&m, f), made);
      }
    } else if (f->cpp_type() == FD::CPPTYPE_STRING) {
      if (f->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(m, f); ++k) {
          if (const std::string* name = resolved(reflection->GetRepeatedString(m, f, k))) {
            reflection->SetRepeatedString(&m, f, k, *name);
          }
        }
      } else if (const std::string* name = resolved(reflection->GetString(m, f))) {
        reflection->SetString(&m, f, *name);
      }
    }
  }
}

int BatchUpload(Context& ctx, const Args& a) {
  const std::vector<v1::UploadRecord> records = ReadBatchFile(a.arg(0));
  auto stub = NewStub<v1::BatchUploadService>(ctx, "cases");
  const bool tty = isatty(STDERR_FILENO) != 0;
  const int total = static_cast<int>(records.size());
  const int calls = (total + kMaxBatchRecords - 1) / kMaxBatchRecords;
  std::map<std::string, std::string> made;  // request_id -> resource, of earlier calls
  v1::UploadBatchResponse all;
  int replayed = 0;
  for (int call = 0; call < calls; ++call) {
    const int first = call * kMaxBatchRecords;
    const int last = std::min(total, first + kMaxBatchRecords);
    v1::UploadBatchRequest req;
    req.set_device_id(a.get("device_id"));
    req.set_client_version(a.has("client_version") ? a.get("client_version") : "ibmctl");
    for (int i = first; i < last; ++i) {
      v1::UploadRecord* r = req.add_records();
      *r = records[i];
      if (!made.empty()) ResolveEarlier(*r, made);
    }
    v1::UploadBatchResponse out;
    if (auto s = Call(ctx, req, &out,
                      [&](auto* x, auto& q, auto* p) { return stub->UploadBatch(x, q, p); });
        !s.ok()) {
      if (tty) std::cerr << "\n";
      Fail(s);
      std::cerr << absl::StrFormat(
          "records %d-%d were not all processed (%d before them were); running the same "
          "command again is safe: records already made are replayed, not made twice\n",
          first, last - 1, first);
      return 1;
    }
    for (v1::UploadResult& r : *out.mutable_results()) {
      r.set_index(first + r.index());  // the record's position in the file
      if (r.status().code() == 0) made[r.request_id()] = r.resource();
      if (r.replayed()) ++replayed;
      *all.add_results() = r;
    }
    all.set_succeeded(all.succeeded() + out.succeeded());
    all.set_failed(all.failed() + out.failed());
    if (tty) {
      const int width = 30;
      const int done = width * last / total;
      std::cerr << absl::StrFormat("\r[%s%s] %3d%%  %d/%d calls  %d/%d records  %d failed",
                                   std::string(done, '#'), std::string(width - done, '.'),
                                   100 * last / total, call + 1, calls, last, total, all.failed())
                << std::flush;
      if (call + 1 == calls) std::cerr << "\n";
    } else {
      std::cerr << absl::StrFormat("sent %d/%d records (%d failed so far)\n", last, total,
                                   all.failed());
    }
  }
  if (ctx.json()) {
    PrintJson(all);
  } else {
    // One line per failed record: where it is, what it is, and why.
    for (const v1::UploadResult& r : all.results()) {
      if (r.status().code() == 0) continue;
      const absl::Status st = platform::FromGrpcStatus(
          grpc::Status(static_cast<grpc::StatusCode>(r.status().code()), r.status().message(),
                       r.status().SerializeAsString()));
      const auto info = platform::ErrorInfoOf(st);
      std::string field;
      if (auto v = platform::FieldViolationsOf(st); !v.empty()) {
        field = v.front().first;
      } else if (auto it = info.metadata().find("field"); it != info.metadata().end()) {
        field = it->second;
      }
      std::cout << absl::StrFormat("record %d\t%s\t%s\t%s\t%s\t%s\n", r.index(), r.request_id(),
                                   absl::StatusCodeToString(st.code()), info.reason(),
                                   field.empty() ? "-" : field, r.status().message());
    }
    std::cout << absl::StrFormat("%d records: %d succeeded (%d replayed), %d failed\n", total,
                                 all.succeeded(), replayed, all.failed());
  }
  return all.failed() > 0 ? 1 : 0;
}

}  // namespace

const std::vector<Resource>& CasesResources() {
  static const std::vector<Resource> r = {
      {"clients", "clients of the IBM units: pseudonymous records; identity sealed, logged"},
      {"screenings", "WHO ASSIST screenings, scored and routed by the server"},
      {"cases", "cases: enrollment and the lifecycle moves"},
      {"batch", "offline records from agents' devices, uploaded as their creates"},
      {"cases-audit", "the cases service's audit logs (changes, identity access): verify them"},
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

      {"cases-audit",
       "verify",
       "",
       0,
       0,
       "Checks the hash chain of one of the cases service's audit logs and names the first "
       "broken entry (changed, forged, removed, or the log cut short); exit code 1 when one is "
       "found. BNN central officers and national auditors.",
       {{"log", F::kString, "LOG", "changes or identity-access", true}},
       AuditVerifyLog},

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
      {"batch",
       "upload",
       "FILE|-",
       1,
       1,
       "Uploads records kept offline, each processed as its create method would (a record "
       "failing does not stop the others). FILE holds JSON lines of ibm.cases.v1.UploadRecord "
       "(one per line, e.g. {\"captureTime\": \"2026-11-30T08:00:00Z\", \"createClient\": "
       "{\"requestId\": \"c-1\", \"client\": {...}}}; '#' lines skipped) or one JSON "
       "ibm.cases.v1.UploadBatchRequest. Every record needs its own requestId and captureTime; "
       "a later record names an earlier one's resource as requestIds/{requestId}. Sent 500 "
       "records per call; prints one line per failed record (index, request id, code, reason, "
       "field, message) and a summary; exit status 1 if any failed. Running it again is safe: "
       "records already made are replayed.",
       {{"device_id", F::kString, "ID", "the device the records come from (for support)"},
        {"client_version", F::kString, "TEXT", "the app and its version [default: ibmctl]"}},
       BatchUpload},
  };
  return c;
}

}  // namespace ibm::ibmctl
