// The access matrix, tested from its one source (registry/access.h): every method of the
// registry called as every kind of caller, on both engines. A caller gets PERMISSION_DENIED
// exactly when the table says so (ROLE_NOT_ALLOWED for a role it does not admit,
// OUT_OF_SCOPE for a target outside the caller's satker scope), so a scope or role check
// removed from any handler fails here. The docs' matrix is checked against the table too.
#include "registry/access.h"

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "registry/tests/registry_fixture.h"
#include "testing/docs_section.h"

namespace ibm::registry {
namespace {

struct Caller {
  std::string label, role, satker;
};

// Every kind of caller, in and out of the scope of Bandung (32.73), where the targets are.
const std::vector<Caller> kCallers = {
    {"BNN central officer", "officer", "bnn"},
    {"BNNP Jawa Barat officer (in)", "officer", "bnnp-32"},
    {"BNNP Jawa Tengah officer (out)", "officer", "bnnp-33"},
    {"BNNK Bandung officer (in)", "officer", "bnnk-32.73"},
    {"BNNK Bogor officer (out, same province)", "officer", "bnnk-32.01"},
    {"agent of a Bandung unit (in)", "agent", "bnnk-32.73"},
    {"agent of a Semarang unit (out)", "agent", "bnnk-33.74"},
    {"supervisor of Jawa Barat (in)", "supervisor", "bnnp-32"},
    {"supervisor of Jawa Tengah (out)", "supervisor", "bnnp-33"},
    {"provider", "provider", "bnnk-32.73"},
    {"village fund", "village_fund", "bnnk-32.73"},
    {"auditor (national)", "auditor", "bnn"},
    {"auditor of Jawa Tengah (out)", "auditor", "bnnp-33"},
    {"service (national)", "service", "bnn"},
    {"service of Jawa Tengah (out)", "service", "bnnp-33"},
};

class AccessTest : public RegistryTest {
 protected:
  struct Method {
    std::string name;
    std::string target;  // the region the request names ("" for national or anywhere)
    std::function<grpc::Status(grpc::ClientContext*)> call;
  };

  void SetUpTargets() {
    SeedRegionsAndSatkers();
    unit_ = MakeUnit("32.73.04.1001", "bnnk-32.73");
    v1::CreateAgentRequest agent;
    agent.set_parent(unit_.name());
    *agent.mutable_agent() = AgentFields();
    ASSERT_TRUE(agents_->CreateAgent(Central().get(), testing::WithRequestId(agent), &agent_).ok());
    v1::CreateOfficerRequest officer;
    officer.set_parent("satkers/bnnk-32.73");
    officer.mutable_officer()->set_display_name("Budi");
    ASSERT_TRUE(
        officers_->CreateOfficer(Central().get(), testing::WithRequestId(officer), &officer_).ok());
    v1::BeginRegionImportRequest begin;
    begin.set_edition("access@1");
    ASSERT_TRUE(
        regions_->BeginRegionImport(Central().get(), testing::WithRequestId(begin), &import_).ok());
  }

  static v1::Agent AgentFields() {
    v1::Agent a;
    a.set_display_name("Ani");
    auto* d = a.mutable_decree();
    d->set_number("141/12/2025");
    d->mutable_date()->set_year(2025);
    d->mutable_date()->set_month(1);
    d->mutable_date()->set_day(2);
    d->mutable_valid_until()->set_year(2027);
    d->mutable_valid_until()->set_month(1);
    d->mutable_valid_until()->set_day(2);
    return a;
  }

  // One valid request per method, each naming a target in Bandung (or none).
  std::vector<Method> Methods() {
    const std::string village = "32.73.04.1001";
    std::vector<Method> m;
    auto add = [&](std::string name, std::string target,
                   std::function<grpc::Status(grpc::ClientContext*)> call) {
      m.push_back({std::move(name), std::move(target), std::move(call)});
    };
    add("GetRegion", "", [&](auto* c) {
      v1::GetRegionRequest r;
      r.set_name("regions/32.73");
      v1::Region out;
      return regions_->GetRegion(c, r, &out);
    });
    add("ListRegions", "", [&](auto* c) {
      v1::ListRegionsRequest r;
      r.set_parent("regions/32");
      v1::ListRegionsResponse out;
      return regions_->ListRegions(c, r, &out);
    });
    add("SearchRegions", "", [&](auto* c) {
      v1::SearchRegionsRequest r;
      r.set_query("bandung");
      v1::SearchRegionsResponse out;
      return regions_->SearchRegions(c, r, &out);
    });
    add("ValidateRegionCode", "", [&](auto* c) {
      v1::ValidateRegionCodeRequest r;
      r.set_code("32.73");
      v1::ValidateRegionCodeResponse out;
      return regions_->ValidateRegionCode(c, r, &out);
    });
    add("BeginRegionImport", "", [&](auto* c) {
      v1::BeginRegionImportRequest r;
      r.set_edition("access@2");
      v1::RegionImport out;
      return regions_->BeginRegionImport(c, testing::WithRequestId(r), &out);
    });
    add("AddRegionImportRows", "", [&](auto* c) {
      v1::AddRegionImportRowsRequest r;
      r.set_name(import_.name());
      for (const Seed& s : kRegions) {
        auto* row = r.add_rows();
        row->set_code(s.code);
        row->set_parent_code(s.parent);
        row->set_name(s.name);
      }
      v1::RegionImport out;
      return regions_->AddRegionImportRows(c, r, &out);
    });
    add("CommitRegionImport", "", [&](auto* c) {
      v1::CommitRegionImportRequest r;
      r.set_name(import_.name());
      v1::RegionImport out;
      return regions_->CommitRegionImport(c, r, &out);
    });
    add("ListRegionEditions", "", [&](auto* c) {
      v1::ListRegionEditionsResponse out;
      return regions_->ListRegionEditions(c, {}, &out);
    });
    add("GetSatker", "", [&](auto* c) {
      v1::GetSatkerRequest r;
      r.set_name("satkers/bnnk-32.73");
      v1::Satker out;
      return satkers_->GetSatker(c, r, &out);
    });
    add("ListSatkers", "", [&](auto* c) {
      v1::ListSatkersRequest r;
      r.set_parent("satkers/bnnp-32");
      v1::ListSatkersResponse out;
      return satkers_->ListSatkers(c, r, &out);
    });
    // A BNNK is created by its province's BNNP or BNN central: the target is the province.
    add("CreateSatker", "32", [&](auto* c) {
      v1::CreateSatkerRequest r;
      r.mutable_satker()->set_kind(v1::SATKER_KIND_BNNK);
      r.mutable_satker()->set_region("regions/32.73");
      v1::Satker out;
      return satkers_->CreateSatker(c, testing::WithRequestId(r), &out);
    });
    add("UpdateSatker", "32.73", [&](auto* c) {
      v1::UpdateSatkerRequest r;
      r.mutable_satker()->set_name("satkers/bnnk-32.73");
      r.mutable_satker()->set_phone("022 123");
      r.mutable_update_mask()->add_paths("phone");
      v1::Satker out;
      return satkers_->UpdateSatker(c, r, &out);
    });
    add("BootstrapSatkers", "", [&](auto* c) {
      v1::BootstrapSatkersResponse out;
      return satkers_->BootstrapSatkers(c, testing::WithRequestId(v1::BootstrapSatkersRequest{}),
                                        &out);
    });
    add("GetUnit", village, [&](auto* c) {
      v1::GetUnitRequest r;
      r.set_name(unit_.name());
      v1::Unit out;
      return units_->GetUnit(c, r, &out);
    });
    add("ListUnits", "32.73", [&](auto* c) {
      v1::ListUnitsRequest r;
      r.set_region("regions/32.73");
      v1::ListUnitsResponse out;
      return units_->ListUnits(c, r, &out);
    });
    add("CreateUnit", "32.73.04.1002", [&](auto* c) {
      v1::CreateUnitRequest r;
      r.mutable_unit()->set_village("regions/32.73.04.1002");
      r.mutable_unit()->set_satker("satkers/bnnk-32.73");
      r.mutable_unit()->mutable_formation_date()->set_year(2025);
      r.mutable_unit()->mutable_formation_date()->set_month(5);
      r.mutable_unit()->mutable_formation_date()->set_day(1);
      v1::Unit out;
      return units_->CreateUnit(c, testing::WithRequestId(r), &out);
    });
    add("UpdateUnit", village, [&](auto* c) {
      v1::UpdateUnitRequest r;
      r.mutable_unit()->set_name(unit_.name());
      r.mutable_unit()->set_high_risk(true);
      r.mutable_update_mask()->add_paths("high_risk");
      v1::Unit out;
      return units_->UpdateUnit(c, r, &out);
    });
    add("TransitionUnit", village, [&](auto* c) {
      v1::TransitionUnitRequest r;
      r.set_name(unit_.name());
      r.set_status(v1::UNIT_STATUS_RUNNING);
      v1::Unit out;
      return units_->TransitionUnit(c, r, &out);
    });
    add("GetAgent", village, [&](auto* c) {
      v1::GetAgentRequest r;
      r.set_name(agent_.name());
      v1::Agent out;
      return agents_->GetAgent(c, r, &out);
    });
    add("GetAgent(FULL)", village, [&](auto* c) {
      v1::GetAgentRequest r;
      r.set_name(agent_.name());
      r.set_view(v1::AGENT_VIEW_FULL);
      v1::Agent out;
      return agents_->GetAgent(c, r, &out);
    });
    add("ListAgents", village, [&](auto* c) {
      v1::ListAgentsRequest r;
      r.set_parent(unit_.name());
      v1::ListAgentsResponse out;
      return agents_->ListAgents(c, r, &out);
    });
    add("CreateAgent", village, [&](auto* c) {
      v1::CreateAgentRequest r;
      r.set_parent(unit_.name());
      *r.mutable_agent() = AgentFields();
      v1::Agent out;
      return agents_->CreateAgent(c, testing::WithRequestId(r), &out);
    });
    add("UpdateAgent", village, [&](auto* c) {
      v1::UpdateAgentRequest r;
      r.mutable_agent()->set_name(agent_.name());
      r.mutable_agent()->set_display_name("Ani Suryani");
      r.mutable_update_mask()->add_paths("display_name");
      v1::Agent out;
      return agents_->UpdateAgent(c, r, &out);
    });
    add("RecordAgentTraining", village, [&](auto* c) {
      v1::RecordAgentTrainingRequest r;
      r.set_name(agent_.name());
      r.mutable_training()->set_kind(v1::TrainingRecord::KIND_REFRESHER);
      r.mutable_training()->set_hours(2);
      r.mutable_training()->mutable_date()->set_year(2025);
      r.mutable_training()->mutable_date()->set_month(6);
      r.mutable_training()->mutable_date()->set_day(1);
      v1::Agent out;
      return agents_->RecordAgentTraining(c, r, &out);
    });
    add("SetAgentStatus", village, [&](auto* c) {
      v1::SetAgentStatusRequest r;
      r.set_name(agent_.name());
      r.set_status(v1::AGENT_STATUS_INACTIVE);
      r.set_reason(v1::AGENT_INACTIVE_REASON_RESIGNED);
      v1::Agent out;
      return agents_->SetAgentStatus(c, r, &out);
    });
    add("GetOfficer", "32.73", [&](auto* c) {
      v1::GetOfficerRequest r;
      r.set_name(officer_.name());
      v1::Officer out;
      return officers_->GetOfficer(c, r, &out);
    });
    add("ListOfficers", "32.73", [&](auto* c) {
      v1::ListOfficersRequest r;
      r.set_parent("satkers/bnnk-32.73");
      v1::ListOfficersResponse out;
      return officers_->ListOfficers(c, r, &out);
    });
    // No assigned units here: their own scope check would deny a stranger even without the
    // check on the satker (tools/mutate.sh found that); hardening_test covers the units.
    add("CreateOfficer", "32.73", [&](auto* c) {
      v1::CreateOfficerRequest r;
      r.set_parent("satkers/bnnk-32.73");
      r.mutable_officer()->set_display_name("Citra");
      v1::Officer out;
      return officers_->CreateOfficer(c, testing::WithRequestId(r), &out);
    });
    add("UpdateOfficer", "32.73", [&](auto* c) {
      v1::UpdateOfficerRequest r;
      r.mutable_officer()->set_name(officer_.name());
      r.mutable_officer()->set_position("Penyuluh Narkoba Ahli Muda");
      r.mutable_update_mask()->add_paths("position");
      v1::Officer out;
      return officers_->UpdateOfficer(c, r, &out);
    });
    add("ListChanges", village, [&](auto* c) {
      v1::ListChangesRequest r;
      r.set_resource(unit_.name());
      v1::ListChangesResponse out;
      return changes_->ListChanges(c, r, &out);
    });
    add("VerifyChanges", "", [&](auto* c) {
      v1::VerifyChangesResponse out;
      return changes_->VerifyChanges(c, {}, &out);
    });
    return m;
  }

  v1::Unit unit_;
  v1::Agent agent_;
  v1::Officer officer_;
  v1::RegionImport import_;
};

// What the table says the caller gets: "" (let through) or the denial's reason.
std::string Expected(const MethodAccess& row, const Caller& caller, const std::string& target) {
  auto role = auth::ParseRole(caller.role);
  auto scope = auth::Scope::OfSatker(caller.satker);
  if (!role.ok() || !scope.ok()) return "bad caller";
  if (std::find(row.roles.begin(), row.roles.end(), *role) == row.roles.end()) {
    return "ROLE_NOT_ALLOWED";
  }
  switch (row.scope) {
    case ScopeRule::kAnywhere:
      return "";
    case ScopeRule::kNational:
      return scope->national() ? "" : "OUT_OF_SCOPE";
    case ScopeRule::kOfficersAnywhere:
      if (*role == auth::Role::kOfficer) return "";
      [[fallthrough]];
    case ScopeRule::kTarget: {
      auto region = domain::RegionCode::Parse(target);
      if (!region.ok()) return "bad target";
      return scope->Covers(*region) ? "" : "OUT_OF_SCOPE";
    }
  }
  return "?";
}

TEST_P(AccessTest, EveryMethodAsEveryKindOfCallerGetsWhatTheTableSays) {
  SetUpTargets();
  std::set<std::string> tested;
  int denied = 0, through = 0;
  for (const Method& method : Methods()) {
    const MethodAccess* row = FindAccess(method.name);
    ASSERT_NE(row, nullptr) << method.name << " has no row in the access table";
    tested.insert(method.name);
    for (const Caller& caller : kCallers) {
      const std::string expected = Expected(*row, caller, method.target);
      grpc::Status s = method.call(server_->As(caller.role, caller.satker).get());
      const std::string where = method.name + " as " + caller.label;
      if (expected.empty()) {
        ++through;
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << where << ": " << s.error_message();
        EXPECT_NE(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
            << where << " (the test's request must be valid): " << s.error_message();
      } else {
        ++denied;
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << where << ": expected " << expected << ", got " << s.error_code() << " "
            << s.error_message();
        EXPECT_EQ(ReasonOf(s), expected) << where;
      }
    }
  }
  // Every row of the table is exercised, so a new method cannot go untested.
  for (const MethodAccess& row : AccessTable()) {
    EXPECT_TRUE(tested.count(std::string(row.method))) << row.method << " is not tested here";
  }
  EXPECT_GT(denied, 100);
  EXPECT_GT(through, 100);
}

IBM_ON_BOTH_ENGINES(AccessTest);

// docs/api.md carries the matrix generated from the table, between two markers.
// IBM_WRITE_DOCS=1 rewrites it there instead (tools/gen-access-docs.sh).
TEST(AccessDocsTest, TheDocsShowTheMatrixOfTheTable) {
  testing::ExpectGeneratedSection(
      std::string(IBM_SOURCE_DIR) + "/docs/api.md",
      "<!-- access-matrix:registry:begin (generated: tools/gen-access-docs.sh) -->\n",
      "<!-- access-matrix:registry:end -->", AccessMatrixMarkdown());
}

}  // namespace
}  // namespace ibm::registry
