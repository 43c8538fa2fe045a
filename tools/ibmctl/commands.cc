// ibmctl's commands: one function per resource verb, and the table that names them.

#include "ibmctl/commands.h"

#include <unistd.h>

#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/crypto.h"
#include "ibm/registry/v1/registry.grpc.pb.h"
#include "ibmctl/cli.h"
#include "ibmctl/helpers.h"
#include "ibmctl/region_import.h"

namespace ibm::ibmctl {
namespace {

namespace v1 = ibm::registry::v1;
// --- Names and values ------------------------------------------------------------------

std::string RegionName(const std::string& s) { return WithPrefix(s, "regions/", "region code"); }
std::string SatkerName(const std::string& s) { return WithPrefix(s, "satkers/", "satker id"); }
std::string UnitName(const std::string& s) { return WithPrefix(s, "units/", "unit name"); }
std::vector<int> ParseYears(const std::string& text) {
  std::vector<int> years;
  for (absl::string_view y : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    years.push_back(ParseInt(std::string(absl::StripAsciiWhitespace(y)), "fiscal_years"));
  }
  return years;
}

// --- Output ----------------------------------------------------------------------------

const Strings kRegionHeaders = {"CODE", "LEVEL", "NAME", "PARENT", "EDITION", "RETIRED IN"};
Strings RegionCells(const v1::Region& r) {
  return {r.code(),          Name(r.level()),  r.display_name(),
          Short(r.parent()), r.last_edition(), r.retired_in_edition()};
}
const Strings kSatkerHeaders = {"ID", "KIND", "REGION", "PARENT", "NAME", "PHONE", "ETAG"};
Strings SatkerCells(const v1::Satker& s) {
  return {Short(s.name()),  Name(s.kind()), Short(s.region()), Short(s.parent()),
          s.display_name(), s.phone(),      s.etag()};
}
const Strings kUnitHeaders = {"NAME",   "VILLAGE",        "SATKER",        "STATUS",
                              "FORMED", "FISCAL YEARS",   "DESA BERSINAR", "HIGH RISK",
                              "ETAG",   "INACTIVE REASON"};
Strings UnitCells(const v1::Unit& u) {
  return {u.name(),
          Short(u.village()),
          Short(u.satker()),
          Name(u.status()),
          FormatDate(u.formation_date()),
          absl::StrJoin(u.fiscal_years(), ","),
          YesNo(u.desa_bersinar()),
          YesNo(u.high_risk()),
          u.etag(),
          u.inactive_reason()};
}
const Strings kAgentHeaders = {"NAME",    "DISPLAY NAME",   "STATUS",    "SK NUMBER",
                               "SK DATE", "SK VALID UNTIL", "TRAININGS", "ETAG"};
Strings AgentCells(const v1::Agent& a) {
  return {a.name(),
          a.display_name(),
          Name(a.status()),
          a.decree().number(),
          FormatDate(a.decree().date()),
          FormatDate(a.decree().valid_until()),
          absl::StrCat(a.trainings_size()),
          a.etag()};
}
const Strings kOfficerHeaders = {"NAME",   "DISPLAY NAME", "NIP", "POSITION",
                                 "ACTIVE", "UNITS",        "ETAG"};
Strings OfficerCells(const v1::Officer& o) {
  return {o.name(),     o.display_name(),  o.nip(),
          o.position(), YesNo(o.active()), absl::StrJoin(o.assigned_units(), ","),
          o.etag()};
}
const Strings kChangeHeaders = {"SEQ",   "TIME",         "ACTION", "RESOURCE",
                                "ACTOR", "ACTOR SATKER", "FIELDS", "SUMMARY"};
Strings ChangeCells(const v1::Change& c) {
  return {absl::StrCat(c.sequence()),
          FormatTime(c.time()),
          Name(c.action()),
          c.resource(),
          c.actor(),
          Short(c.actor_satker()),
          absl::StrJoin(c.fields(), ","),
          c.summary()};
}
const Strings kImportHeaders = {"EDITION", "STATE", "ROWS", "CREATED", "COMMITTED", "NAME"};
Strings ImportCells(const v1::RegionImport& i) {
  return {i.edition(),
          Name(i.state()),
          absl::StrCat(i.staged_rows()),
          FormatTime(i.create_time()),
          FormatTime(i.commit_time()),
          i.name()};
}

// --- regions ---------------------------------------------------------------------------

int RegionsImport(Context& ctx, const Args& a) {
  const absl::Time start = absl::Now();
  auto rows = tools::ReadRegionDataSet(a.get("dir"));
  if (!rows.ok()) {
    std::cerr << "ibmctl: " << rows.status().message() << "\nnothing was imported\n";
    return 1;
  }
  const absl::Duration read = absl::Now() - start;
  if (a.flag("dry_run")) {
    std::cerr << "read " << rows->size() << " rows in "
              << absl::FormatDuration(absl::Trunc(read, absl::Milliseconds(1)))
              << "; all well formed (dry run: nothing sent)\n";
    return 0;
  }
  tools::ImportOptions o;
  o.edition = a.get("edition");
  o.request_id = a.get("request_id");
  o.chunk_size = a.has("chunk_size") ? ParseInt(a.get("chunk_size"), "chunk_size") : 5000;
  o.prepare = [&](grpc::ClientContext* c) { ctx.Prepare(c); };
  const bool tty = isatty(STDERR_FILENO) != 0;
  o.progress = [tty](const tools::ImportProgress& p) {
    if (tty) {
      const int width = 30;
      const int done = static_cast<int>(width * p.rows_sent / std::max<int64_t>(1, p.rows_total));
      std::cerr << absl::StrFormat(
                       "\r[%s%s] %3d%%  %d/%d chunks  %d/%d rows", std::string(done, '#'),
                       std::string(width - done, '.'),
                       static_cast<int>(100 * p.rows_sent / std::max<int64_t>(1, p.rows_total)),
                       p.chunks_sent, p.chunks_total, p.rows_sent, p.rows_total)
                << std::flush;
      if (p.chunks_sent == p.chunks_total) std::cerr << "\n";
    } else if (p.chunks_sent % 5 == 0 || p.chunks_sent == p.chunks_total) {
      std::cerr << absl::StrFormat("sent %d/%d chunks (%d/%d rows)\n", p.chunks_sent,
                                   p.chunks_total, p.rows_sent, p.rows_total);
    }
    if (p.chunks_sent == p.chunks_total) std::cerr << "committing (all or nothing)...\n";
  };
  auto stub = NewStub<v1::RegionService>(ctx);
  auto result = tools::ImportRegions(*stub, *rows, o);
  if (!result.ok()) {
    if (tty) std::cerr << "\n";
    Fail(result.status());
    std::cerr << "the import was not committed: the registry is unchanged\n";
    return 1;
  }
  const absl::Duration total = absl::Now() - start;
  if (ctx.json()) {
    PrintJson(result->import);
    return 0;
  }
  Table t({"LEVEL", "ROWS", "ADDED", "RENAMED", "UNCHANGED", "RETIRED"});
  v1::RegionImportCount sum;
  for (const auto& c : result->import.counts()) {
    t.Add({Name(c.level()), absl::StrCat(c.rows()), absl::StrCat(c.added()),
           absl::StrCat(c.renamed()), absl::StrCat(c.unchanged()), absl::StrCat(c.retired())});
    sum.set_rows(sum.rows() + c.rows());
    sum.set_added(sum.added() + c.added());
    sum.set_renamed(sum.renamed() + c.renamed());
    sum.set_unchanged(sum.unchanged() + c.unchanged());
    sum.set_retired(sum.retired() + c.retired());
  }
  t.Add({"total", absl::StrCat(sum.rows()), absl::StrCat(sum.added()), absl::StrCat(sum.renamed()),
         absl::StrCat(sum.unchanged()), absl::StrCat(sum.retired())});
  t.Print(std::cout);
  std::cout << absl::StrFormat(
      "edition %s committed as %s: read %.2f s, import %.2f s, total %.2f s\n",
      result->import.edition(), result->import.name(), absl::ToDoubleSeconds(read),
      absl::ToDoubleSeconds(result->elapsed), absl::ToDoubleSeconds(total));
  return 0;
}

int RegionsGet(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::RegionService>(ctx);
  v1::GetRegionRequest req;
  req.set_name(RegionName(a.arg(0)));
  v1::Region r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->GetRegion(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kRegionHeaders, RegionCells);
}

int RegionsList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::RegionService>(ctx);
  v1::ListRegionsRequest req;
  if (!a.arg(0).empty()) req.set_parent(RegionName(a.arg(0)));
  req.set_show_retired(a.flag("show_retired"));
  v1::ListRegionsResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* c, auto& q, auto* p) { return stub->ListRegions(c, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.regions(), kRegionHeaders, RegionCells, all.next_page_token());
}

int RegionsSearch(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::RegionService>(ctx);
  v1::SearchRegionsRequest req;
  req.set_query(absl::StrJoin(a.positional(), " "));
  if (a.has("level")) req.set_level(Parse<v1::RegionLevel>(a, "level"));
  if (a.has("within")) req.set_within(RegionName(a.get("within")));
  v1::SearchRegionsResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* c, auto& q, auto* p) { return stub->SearchRegions(c, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.regions(), kRegionHeaders, RegionCells, all.next_page_token());
}

int RegionsValidate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::RegionService>(ctx);
  v1::ValidateRegionCodeRequest req;
  std::string code = a.arg(0);
  if (absl::StartsWith(code, "regions/")) code = code.substr(8);
  req.set_code(code);
  if (a.has("level")) req.set_expected_level(Parse<v1::RegionLevel>(a, "level"));
  v1::ValidateRegionCodeResponse r;
  if (auto s = Call(ctx, req, &r,
                    [&](auto* c, auto& q, auto* p) { return stub->ValidateRegionCode(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  if (ctx.json()) {
    PrintJson(r);
  } else {
    Table::PrintRecord(std::cout, {"CODE", "VALID", "LEVEL", "EXISTS", "RETIRED", "PROBLEM"},
                       {code, YesNo(r.valid()), Name(r.level()), YesNo(r.exists()),
                        YesNo(r.retired()), r.problem()});
  }
  return r.valid() ? 0 : 1;
}

int RegionsEditions(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::RegionService>(ctx);
  v1::ListRegionEditionsResponse all;
  auto s = ListPages(ctx, a, v1::ListRegionEditionsRequest(), &all,
                     [&](auto* c, auto& q, auto* p) { return stub->ListRegionEditions(c, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.imports(), kImportHeaders, ImportCells, all.next_page_token());
}

// --- satkers ---------------------------------------------------------------------------

int SatkersBootstrap(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::SatkerService>(ctx);
  v1::BootstrapSatkersRequest req;
  req.set_request_id(RequestIdOf(a));
  v1::BootstrapSatkersResponse r;
  if (auto s = Call(ctx, req, &r,
                    [&](auto* c, auto& q, auto* p) { return stub->BootstrapSatkers(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  if (ctx.json()) {
    PrintJson(r);
  } else {
    Table::PrintRecord(std::cout, {"CREATED", "EXISTING"},
                       {absl::StrCat(r.created()), absl::StrCat(r.existing())});
  }
  return 0;
}

int SatkersList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::SatkerService>(ctx);
  v1::ListSatkersRequest req;
  if (a.has("parent")) req.set_parent(SatkerName(a.get("parent")));
  req.set_descendants(a.flag("descendants"));
  if (a.has("kind")) req.set_kind(Parse<v1::SatkerKind>(a, "kind"));
  v1::ListSatkersResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* c, auto& q, auto* p) { return stub->ListSatkers(c, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.satkers(), kSatkerHeaders, SatkerCells, all.next_page_token());
}

int SatkersGet(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::SatkerService>(ctx);
  v1::GetSatkerRequest req;
  req.set_name(SatkerName(a.arg(0)));
  v1::Satker r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->GetSatker(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kSatkerHeaders, SatkerCells);
}

int SatkersCreate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::SatkerService>(ctx);
  v1::CreateSatkerRequest req;
  req.set_request_id(RequestIdOf(a));
  v1::Satker* s = req.mutable_satker();
  s->set_kind(Parse<v1::SatkerKind>(a, "kind"));
  s->set_region(RegionName(a.get("region")));
  s->set_display_name(a.get("name"));
  s->set_address(a.get("address"));
  s->set_phone(a.get("phone"));
  v1::Satker r;
  if (auto st = Call(ctx, req, &r,
                     [&](auto* c, auto& q, auto* p) { return stub->CreateSatker(c, q, p); });
      !st.ok()) {
    return Fail(st);
  }
  return PrintOne(ctx, r, kSatkerHeaders, SatkerCells);
}

int SatkersUpdate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::SatkerService>(ctx);
  v1::UpdateSatkerRequest req;
  v1::Satker* s = req.mutable_satker();
  s->set_name(SatkerName(a.arg(0)));
  s->set_etag(a.get("etag"));
  s->set_display_name(a.get("name"));
  s->set_address(a.get("address"));
  s->set_phone(a.get("phone"));
  MaskFromFlags(a, {{"name", "display_name"}, {"address", "address"}, {"phone", "phone"}},
                req.mutable_update_mask());
  v1::Satker r;
  if (auto st = Call(ctx, req, &r,
                     [&](auto* c, auto& q, auto* p) { return stub->UpdateSatker(c, q, p); });
      !st.ok()) {
    return Fail(st);
  }
  return PrintOne(ctx, r, kSatkerHeaders, SatkerCells);
}

// --- units -----------------------------------------------------------------------------

void UnitFields(const Args& a, v1::Unit* u) {
  if (a.has("formed")) *u->mutable_formation_date() = ParseDate(a.get("formed"), "formed");
  for (int y : ParseYears(a.get("fiscal_years"))) u->add_fiscal_years(y);
  u->set_desa_bersinar(a.flag("desa_bersinar"));
  u->set_high_risk(a.flag("high_risk"));
}

int UnitsCreate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::UnitService>(ctx);
  v1::CreateUnitRequest req;
  req.set_request_id(RequestIdOf(a));
  v1::Unit* u = req.mutable_unit();
  u->set_village(RegionName(a.get("village")));
  u->set_satker(SatkerName(a.get("satker")));
  UnitFields(a, u);
  v1::Unit r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->CreateUnit(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kUnitHeaders, UnitCells);
}

int UnitsList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::UnitService>(ctx);
  v1::ListUnitsRequest req;
  if (a.has("region")) req.set_region(RegionName(a.get("region")));
  if (a.has("satker")) req.set_satker(SatkerName(a.get("satker")));
  if (a.has("status")) req.set_status(Parse<v1::UnitStatus>(a, "status"));
  v1::ListUnitsResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* c, auto& q, auto* p) { return stub->ListUnits(c, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.units(), kUnitHeaders, UnitCells, all.next_page_token());
}

int UnitsGet(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::UnitService>(ctx);
  v1::GetUnitRequest req;
  req.set_name(UnitName(a.arg(0)));
  v1::Unit r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->GetUnit(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kUnitHeaders, UnitCells);
}

int UnitsUpdate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::UnitService>(ctx);
  v1::UpdateUnitRequest req;
  v1::Unit* u = req.mutable_unit();
  u->set_name(UnitName(a.arg(0)));
  u->set_etag(a.get("etag"));
  UnitFields(a, u);
  MaskFromFlags(a,
                {{"formed", "formation_date"},
                 {"fiscal_years", "fiscal_years"},
                 {"desa_bersinar", "desa_bersinar"},
                 {"high_risk", "high_risk"}},
                req.mutable_update_mask());
  v1::Unit r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->UpdateUnit(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kUnitHeaders, UnitCells);
}

int UnitsTransition(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::UnitService>(ctx);
  v1::TransitionUnitRequest req;
  req.set_name(UnitName(a.arg(0)));
  req.set_status(Parse<v1::UnitStatus>(a, "status"));
  req.set_reason(a.get("reason"));
  req.set_etag(a.get("etag"));
  v1::Unit r;
  if (auto s = Call(ctx, req, &r,
                    [&](auto* c, auto& q, auto* p) { return stub->TransitionUnit(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kUnitHeaders, UnitCells);
}

// --- agents ----------------------------------------------------------------------------

// Sets the agent fields of the given flags; true when the decree is among them.
bool AgentFields(const Args& a, v1::Agent* g) {
  g->set_display_name(a.get("name"));
  g->set_phone(a.get("phone"));
  g->set_address(a.get("address"));
  g->set_former_user(a.flag("former_user"));
  const bool decree =
      a.has("sk_number") || a.has("sk_date") || a.has("sk_valid_until") || a.has("sk_sha256");
  if (decree) {
    for (const char* f : {"sk_number", "sk_date", "sk_valid_until"}) {
      if (!a.has(f))
        throw UsageError(absl::StrCat(
            "the decree needs --sk_number, --sk_date and --sk_valid_until; missing --", f));
    }
    v1::AppointmentDecree* d = g->mutable_decree();
    d->set_number(a.get("sk_number"));
    *d->mutable_date() = ParseDate(a.get("sk_date"), "sk_date");
    *d->mutable_valid_until() = ParseDate(a.get("sk_valid_until"), "sk_valid_until");
    d->set_document_sha256(a.get("sk_sha256"));
  }
  return decree;
}

int PrintAgent(Context& ctx, const v1::Agent& r) {
  if (ctx.json()) {
    PrintJson(r);
    return 0;
  }
  Strings headers = kAgentHeaders, cells = AgentCells(r);
  for (const auto& [h, v] : std::vector<std::pair<std::string, std::string>>{
           {"PHONE", r.phone()},
           {"ADDRESS", r.address()},
           {"INACTIVE REASON", Name(r.inactive_reason())},
           {"INACTIVE DETAILS", r.inactive_details()}}) {
    if (!v.empty()) {
      headers.push_back(h);
      cells.push_back(v);
    }
  }
  Table::PrintRecord(std::cout, headers, cells);
  if (!r.trainings().empty()) {
    std::cout << "\n";
    Table t({"TRAINING DATE", "KIND", "HOURS", "DESCRIPTION"});
    for (const auto& tr : r.trainings()) {
      t.Add({FormatDate(tr.date()), Name(tr.kind()), absl::StrCat(tr.hours()), tr.description()});
    }
    t.Print(std::cout);
  }
  return 0;
}

int AgentsCreate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::AgentService>(ctx);
  v1::CreateAgentRequest req;
  req.set_parent(UnitName(a.get("unit")));
  req.set_request_id(RequestIdOf(a));
  AgentFields(a, req.mutable_agent());
  v1::Agent r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->CreateAgent(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintAgent(ctx, r);
}

int AgentsList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::AgentService>(ctx);
  v1::ListAgentsRequest req;
  req.set_parent(UnitName(a.get("unit")));
  req.set_show_inactive(a.flag("show_inactive"));
  v1::ListAgentsResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* c, auto& q, auto* p) { return stub->ListAgents(c, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.agents(), kAgentHeaders, AgentCells, all.next_page_token());
}

int AgentsGet(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::AgentService>(ctx);
  v1::GetAgentRequest req;
  req.set_name(UnitName(a.arg(0)));
  req.set_view(a.flag("full") ? v1::AGENT_VIEW_FULL : v1::AGENT_VIEW_BASIC);
  v1::Agent r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->GetAgent(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintAgent(ctx, r);
}

int AgentsUpdate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::AgentService>(ctx);
  v1::UpdateAgentRequest req;
  v1::Agent* g = req.mutable_agent();
  g->set_name(UnitName(a.arg(0)));
  g->set_etag(a.get("etag"));
  if (AgentFields(a, g)) req.mutable_update_mask()->add_paths("decree");
  MaskFromFlags(a,
                {{"name", "display_name"},
                 {"phone", "phone"},
                 {"address", "address"},
                 {"former_user", "former_user"},
                 {"sk_number", "decree"}},
                req.mutable_update_mask());
  v1::Agent r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->UpdateAgent(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintAgent(ctx, r);
}

int AgentsTrain(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::AgentService>(ctx);
  v1::RecordAgentTrainingRequest req;
  req.set_name(UnitName(a.arg(0)));
  req.set_etag(a.get("etag"));
  v1::TrainingRecord* t = req.mutable_training();
  *t->mutable_date() = ParseDate(a.get("date"), "date");
  t->set_kind(Parse<v1::TrainingRecord::Kind>(a, "kind"));
  double hours = 0;
  if (!absl::SimpleAtod(a.get("hours"), &hours)) throw UsageError("--hours: not a number");
  t->set_hours(hours);
  t->set_description(a.get("description"));
  v1::Agent r;
  if (auto s = Call(ctx, req, &r,
                    [&](auto* c, auto& q, auto* p) { return stub->RecordAgentTraining(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintAgent(ctx, r);
}

int AgentsStatus(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::AgentService>(ctx);
  v1::SetAgentStatusRequest req;
  req.set_name(UnitName(a.arg(0)));
  req.set_status(Parse<v1::AgentStatus>(a, "status"));
  if (a.has("reason")) req.set_reason(Parse<v1::AgentInactiveReason>(a, "reason"));
  req.set_details(a.get("details"));
  req.set_etag(a.get("etag"));
  v1::Agent r;
  if (auto s = Call(ctx, req, &r,
                    [&](auto* c, auto& q, auto* p) { return stub->SetAgentStatus(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintAgent(ctx, r);
}

// --- officers --------------------------------------------------------------------------

void OfficerFields(const Args& a, v1::Officer* o) {
  o->set_display_name(a.get("name"));
  o->set_nip(a.get("nip"));
  o->set_position(a.get("position"));
  for (absl::string_view u : absl::StrSplit(a.get("units"), ',', absl::SkipWhitespace())) {
    o->add_assigned_units(UnitName(std::string(absl::StripAsciiWhitespace(u))));
  }
  o->set_active(a.get("active", "true") == "true");
}

int OfficersCreate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::OfficerService>(ctx);
  v1::CreateOfficerRequest req;
  req.set_parent(SatkerName(a.get("satker")));
  req.set_request_id(RequestIdOf(a));
  OfficerFields(a, req.mutable_officer());
  v1::Officer r;
  if (auto s = Call(ctx, req, &r,
                    [&](auto* c, auto& q, auto* p) { return stub->CreateOfficer(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kOfficerHeaders, OfficerCells);
}

int OfficersList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::OfficerService>(ctx);
  v1::ListOfficersRequest req;
  req.set_parent(SatkerName(a.get("satker")));
  v1::ListOfficersResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* c, auto& q, auto* p) { return stub->ListOfficers(c, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.officers(), kOfficerHeaders, OfficerCells, all.next_page_token());
}

int OfficersGet(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::OfficerService>(ctx);
  v1::GetOfficerRequest req;
  req.set_name(SatkerName(a.arg(0)));
  v1::Officer r;
  if (auto s =
          Call(ctx, req, &r, [&](auto* c, auto& q, auto* p) { return stub->GetOfficer(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kOfficerHeaders, OfficerCells);
}

int OfficersUpdate(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::OfficerService>(ctx);
  v1::UpdateOfficerRequest req;
  v1::Officer* o = req.mutable_officer();
  o->set_name(SatkerName(a.arg(0)));
  o->set_etag(a.get("etag"));
  OfficerFields(a, o);
  MaskFromFlags(a,
                {{"name", "display_name"},
                 {"nip", "nip"},
                 {"position", "position"},
                 {"units", "assigned_units"},
                 {"active", "active"}},
                req.mutable_update_mask());
  v1::Officer r;
  if (auto s = Call(ctx, req, &r,
                    [&](auto* c, auto& q, auto* p) { return stub->UpdateOfficer(c, q, p); });
      !s.ok()) {
    return Fail(s);
  }
  return PrintOne(ctx, r, kOfficerHeaders, OfficerCells);
}

// --- changes ---------------------------------------------------------------------------

int ChangesList(Context& ctx, const Args& a) {
  auto stub = NewStub<v1::ChangeLogService>(ctx);
  v1::ListChangesRequest req;
  req.set_resource(a.arg(0));
  v1::ListChangesResponse all;
  auto s = ListPages(ctx, a, req, &all,
                     [&](auto* c, auto& q, auto* p) { return stub->ListChanges(c, q, p); });
  if (!s.ok()) return Fail(s);
  return PrintList(ctx, all, all.changes(), kChangeHeaders, ChangeCells, all.next_page_token());
}

int AuditVerify(Context& ctx, const Args&) {
  auto stub = NewStub<v1::ChangeLogService>(ctx);
  return VerifyChain<v1::VerifyChangesRequest, v1::VerifyChangesResponse>(
      ctx, "audit log", [&](auto* c, auto& q, auto* p) { return stub->VerifyChanges(c, q, p); });
}

// --- The table -------------------------------------------------------------------------

const Flag kLevel{"level", F::kString, "LEVEL", "province, regency, district or village"};

const std::vector<Flag> kAgentFlags = {
    {"name", F::kString, "NAME", "the agent's name, 1-200 characters"},
    {"sk_number", F::kString, "NUMBER", "the village decree (SK) number"},
    {"sk_date", F::kString, "YYYY-MM-DD", "the day the decree was signed"},
    {"sk_valid_until", F::kString, "YYYY-MM-DD", "the decree's last valid day"},
    {"sk_sha256", F::kString, "HEX", "SHA-256 of the scanned decree"},
    {"phone", F::kString, "PHONE", "sensitive: digits, spaces, + and -"},
    {"address", F::kString, "TEXT", "sensitive"},
    {"former_user", F::kBool, "", "sensitive: the agent is a former drug user"},
};
const std::vector<Flag> kUnitFlags = {
    {"formed", F::kString, "YYYY-MM-DD", "formation date"},
    {"fiscal_years", F::kString, "Y1,Y2", "fiscal years the unit ran in, e.g. 2024,2025"},
    {"desa_bersinar", F::kBool, "", "the village is a Desa Bersinar (use =false to clear)"},
    {"high_risk", F::kBool, "", "the village is rated high-risk (use =false to clear)"},
};
const std::vector<Flag> kOfficerFlags = {
    {"name", F::kString, "NAME", "display name"},
    {"nip", F::kString, "NIP", "civil-servant number, 18 digits"},
    {"position", F::kString, "TEXT", "position, e.g. Penyuluh Narkoba Ahli Muda"},
    {"units", F::kString, "U1,U2", "assigned units (fostered by the officer's satker)"},
};

std::vector<Flag> With(std::vector<Flag> flags, std::vector<Flag> more) {
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}
std::vector<Flag> Require(std::vector<Flag> flags, std::initializer_list<const char*> names) {
  for (Flag& f : flags) {
    for (const char* n : names) f.required |= absl::string_view(f.name) == n;
  }
  return flags;
}

}  // namespace

const std::vector<Resource>& Resources() {
  static const std::vector<Resource> r = {
      {"regions", "Indonesia's regions (Kemendagri codes): import, get, list, search, validate"},
      {"satkers", "BNN's work units: BNN central, BNNP per province, BNNK per regency/city"},
      {"units", "IBM units, one per village: create, list, update, lifecycle transitions"},
      {"agents", "recovery agents (Agen Pemulihan) of a unit"},
      {"officers", "satker officers (petugas pendamping)"},
      {"changes", "the change log of a resource"},
      {"audit", "the change log as an audit log: verify its hash chain"},
  };
  return r;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> c = {
      {"regions",
       "import",
       "",
       0,
       0,
       "Imports an edition of the region data from DIR (provinces.csv, regencies.csv, "
       "districts.csv, villages.csv; see tools/fetch-region-data.sh). Every row is checked "
       "before anything is sent; a malformed one is reported as file:line and nothing is "
       "imported. Then BeginRegionImport, AddRegionImportRows in chunks, CommitRegionImport "
       "(all or nothing), and a count per level.",
       {{"dir", F::kString, "DIR", "directory with the four CSV files", true},
        {"edition", F::kString, "EDITION", "the edition's label, e.g. idn-area-data@4.0.1", true},
        {"chunk_size", F::kString, "N",
         "rows per AddRegionImportRows call, 1-5000 [default: 5000]"},
        {"dry_run", F::kBool, "", "only read and check the files"},
        kRequestId},
       RegionsImport},
      {"regions",
       "get",
       "CODE",
       1,
       1,
       "One region, e.g. 32.73 or regions/32.73.04.1001.",
       {},
       RegionsGet},
      {"regions", "list", "[PARENT_CODE]", 0, 1,
       "The children of a region (32: West Java's regencies and cities), or the provinces.",
       Paged({{"show_retired", F::kBool, "", "include codes a later edition dropped"}}),
       RegionsList},
      {"regions", "search", "QUERY...", 1, 20,
       "Regions whose name has words starting with each word of QUERY (case-insensitive).",
       Paged({kLevel, {"within", F::kString, "CODE", "only inside this region"}}), RegionsSearch},
      {"regions",
       "validate",
       "CODE",
       1,
       1,
       "Whether a code is well formed, of --level, and exists. Exit code 0 when valid, 1 when "
       "not.",
       {kLevel},
       RegionsValidate},
      {"regions", "editions", "", 0, 0, "The editions imported so far, newest first.", Paged({}),
       RegionsEditions},

      {"satkers",
       "bootstrap",
       "",
       0,
       0,
       "Creates BNN central and a BNNP for every province (existing ones are kept).",
       {kRequestId},
       SatkersBootstrap},
      {"satkers", "list", "", 0, 0,
       "Satker: all, or the children (--descendants: all below) of --parent.",
       Paged({{"parent", F::kString, "ID", "e.g. bnnp-32"},
              {"descendants", F::kBool, "", "with --parent: all satker below it"},
              {"kind", F::kString, "KIND", "bnn, bnnp or bnnk"}}),
       SatkersList},
      {"satkers", "get", "ID", 1, 1, "One satker, e.g. bnnk-32.73.", {}, SatkersGet},
      {"satkers",
       "create",
       "",
       0,
       0,
       "Creates a BNNP (on a province) or a BNNK (on a regency or city).",
       {{"kind", F::kString, "KIND", "bnnp or bnnk", true},
        {"region", F::kString, "CODE", "the province or regency/city code", true},
        {"name", F::kString, "NAME", "display name [default: from kind and region]"},
        {"address", F::kString, "TEXT", "office address"},
        {"phone", F::kString, "PHONE", "office phone"},
        kRequestId},
       SatkersCreate},
      {"satkers",
       "update",
       "ID",
       1,
       1,
       "Changes a satker's display name, address or phone.",
       {kEtag,
        {"name", F::kString, "NAME", "display name"},
        {"address", F::kString, "TEXT", "office address"},
        {"phone", F::kString, "PHONE", "office phone"}},
       SatkersUpdate},

      {"units", "create", "", 0, 0, "Forms an IBM unit in a village, fostered by a satker.",
       With(Require({{"village", F::kString, "CODE", "the village code"},
                     {"satker", F::kString, "ID", "the fostering satker, e.g. bnnk-32.73"},
                     kRequestId},
                    {"village", "satker"}),
            Require(kUnitFlags, {"formed"})),
       UnitsCreate},
      {"units", "list", "", 0, 0, "Units in a region and/or of a satker, within your scope.",
       Paged({{"region", F::kString, "CODE", "only units in villages inside this region"},
              {"satker", F::kString, "ID", "only units this satker fosters"},
              {"status", F::kString, "STATUS", "newly_formed, running, sustaining or inactive"}}),
       UnitsList},
      {"units", "get", "NAME", 1, 1, "One unit, e.g. 32.73.04.1001-1.", {}, UnitsGet},
      {"units", "update", "NAME", 1, 1,
       "Changes the fields given as flags (they make the update_mask).", With({kEtag}, kUnitFlags),
       UnitsUpdate},
      {"units",
       "transition",
       "NAME",
       1,
       1,
       "Moves a unit along newly_formed -> running -> sustaining, or to inactive (with --reason).",
       {{"status", F::kString, "STATUS", "running, sustaining or inactive", true},
        {"reason", F::kString, "TEXT", "required for inactive"},
        kEtag},
       UnitsTransition},

      {"agents", "create", "", 0, 0, "Appoints a recovery agent to a unit by village decree (SK).",
       With({{"unit", F::kString, "UNIT", "the unit, e.g. 32.73.04.1001-1", true}, kRequestId},
            Require(kAgentFlags, {"name", "sk_number", "sk_date", "sk_valid_until"})),
       AgentsCreate},
      {"agents", "list", "", 0, 0, "The agents of a unit (basic view: no contact details).",
       Paged({{"unit", F::kString, "UNIT", "the unit", true},
              {"show_inactive", F::kBool, "", "include inactive agents"}}),
       AgentsList},
      {"agents",
       "get",
       "NAME",
       1,
       1,
       "One agent, units/{unit}/agents/{id}.",
       {{"full", F::kBool, "", "the full view with contact details (officers in scope only)"}},
       AgentsGet},
      {"agents", "update", "NAME", 1, 1,
       "Changes the fields given as flags; the decree needs all of --sk_number, --sk_date, "
       "--sk_valid_until.",
       With({kEtag}, kAgentFlags), AgentsUpdate},
      {"agents",
       "train",
       "NAME",
       1,
       1,
       "Records a training the agent received.",
       {{"date", F::kString, "YYYY-MM-DD", "the day of the training", true},
        {"kind", F::kString, "KIND", "briefing, refresher, technical_guidance or other", true},
        {"hours", F::kString, "HOURS", "0.5-200", true},
        {"description", F::kString, "TEXT", "what it was"},
        kEtag},
       AgentsTrain},
      {"agents",
       "status",
       "NAME",
       1,
       1,
       "Sets an agent active or inactive (with --reason).",
       {{"status", F::kString, "STATUS", "active or inactive", true},
        {"reason", F::kString, "REASON",
         "required for inactive: resigned, moved_away, decree_ended, decree_revoked, deceased "
         "or other"},
        {"details", F::kString, "TEXT",
         "optional for inactive: sealed at rest, shown only to officers (agents get --full)"},
        kEtag},
       AgentsStatus},

      {"officers", "create", "", 0, 0, "Adds an officer to a satker.",
       With({{"satker", F::kString, "ID", "the officer's satker", true}, kRequestId},
            Require(kOfficerFlags, {"name"})),
       OfficersCreate},
      {"officers", "list", "", 0, 0, "The officers of a satker.",
       Paged({{"satker", F::kString, "ID", "the satker", true}}), OfficersList},
      {"officers",
       "get",
       "NAME",
       1,
       1,
       "One officer, satkers/{satker}/officers/{id}.",
       {},
       OfficersGet},
      {"officers", "update", "NAME", 1, 1, "Changes the fields given as flags.",
       With({kEtag, {"active", F::kBool, "", "false once the officer left"}}, kOfficerFlags),
       OfficersUpdate},

      {"changes", "list", "RESOURCE", 1, 1,
       "Who changed a resource (and what is under it), when and what, oldest first; e.g. "
       "units/32.73.04.1001-1.",
       Paged({}), ChangesList},
      {"audit",
       "verify",
       "",
       0,
       0,
       "Checks the whole change log's hash chain and names the first broken entry (changed, "
       "forged, removed, or the log cut short); exit code 1 when one is found. National "
       "officers and auditors.",
       {},
       AuditVerify},
  };
  return c;
}

}  // namespace ibm::ibmctl
