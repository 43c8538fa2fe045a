#pragma once

// The registry's gRPC services. Each handler runs through platform::UnaryCalls (auth,
// bounded executor, status mapping, call log, metrics); the logic is in the .cc of each.

#include "ibm/registry/v1/registry.grpc.pb.h"
#include "registry/access.h"
#include "registry/core.h"

namespace ibm::registry {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

class RegionService final : public v1::RegionService::CallbackService {
 public:
  RegionService(std::shared_ptr<const Core> core, platform::Runtime runtime);
  ServerUnaryReactor* GetRegion(CallbackServerContext*, const v1::GetRegionRequest*,
                                v1::Region*) override;
  ServerUnaryReactor* ListRegions(CallbackServerContext*, const v1::ListRegionsRequest*,
                                  v1::ListRegionsResponse*) override;
  ServerUnaryReactor* SearchRegions(CallbackServerContext*, const v1::SearchRegionsRequest*,
                                    v1::SearchRegionsResponse*) override;
  ServerUnaryReactor* ValidateRegionCode(CallbackServerContext*,
                                         const v1::ValidateRegionCodeRequest*,
                                         v1::ValidateRegionCodeResponse*) override;
  ServerUnaryReactor* BeginRegionImport(CallbackServerContext*, const v1::BeginRegionImportRequest*,
                                        v1::RegionImport*) override;
  ServerUnaryReactor* AddRegionImportRows(CallbackServerContext*,
                                          const v1::AddRegionImportRowsRequest*,
                                          v1::RegionImport*) override;
  ServerUnaryReactor* CommitRegionImport(CallbackServerContext*,
                                         const v1::CommitRegionImportRequest*,
                                         v1::RegionImport*) override;
  ServerUnaryReactor* ListRegionEditions(CallbackServerContext*,
                                         const v1::ListRegionEditionsRequest*,
                                         v1::ListRegionEditionsResponse*) override;

 private:
  std::shared_ptr<const Core> core_;
  platform::UnaryCalls calls_;
};

class SatkerService final : public v1::SatkerService::CallbackService {
 public:
  SatkerService(std::shared_ptr<const Core> core, platform::Runtime runtime);
  ServerUnaryReactor* GetSatker(CallbackServerContext*, const v1::GetSatkerRequest*,
                                v1::Satker*) override;
  ServerUnaryReactor* ListSatkers(CallbackServerContext*, const v1::ListSatkersRequest*,
                                  v1::ListSatkersResponse*) override;
  ServerUnaryReactor* CreateSatker(CallbackServerContext*, const v1::CreateSatkerRequest*,
                                   v1::Satker*) override;
  ServerUnaryReactor* UpdateSatker(CallbackServerContext*, const v1::UpdateSatkerRequest*,
                                   v1::Satker*) override;
  ServerUnaryReactor* BootstrapSatkers(CallbackServerContext*, const v1::BootstrapSatkersRequest*,
                                       v1::BootstrapSatkersResponse*) override;

 private:
  std::shared_ptr<const Core> core_;
  platform::UnaryCalls calls_;
};

class UnitService final : public v1::UnitService::CallbackService {
 public:
  UnitService(std::shared_ptr<const Core> core, platform::Runtime runtime);
  ServerUnaryReactor* GetUnit(CallbackServerContext*, const v1::GetUnitRequest*,
                              v1::Unit*) override;
  ServerUnaryReactor* ListUnits(CallbackServerContext*, const v1::ListUnitsRequest*,
                                v1::ListUnitsResponse*) override;
  ServerUnaryReactor* CreateUnit(CallbackServerContext*, const v1::CreateUnitRequest*,
                                 v1::Unit*) override;
  ServerUnaryReactor* UpdateUnit(CallbackServerContext*, const v1::UpdateUnitRequest*,
                                 v1::Unit*) override;
  ServerUnaryReactor* TransitionUnit(CallbackServerContext*, const v1::TransitionUnitRequest*,
                                     v1::Unit*) override;

 private:
  std::shared_ptr<const Core> core_;
  platform::UnaryCalls calls_;
};

class AgentService final : public v1::AgentService::CallbackService {
 public:
  AgentService(std::shared_ptr<const Core> core, platform::Runtime runtime);
  ServerUnaryReactor* GetAgent(CallbackServerContext*, const v1::GetAgentRequest*,
                               v1::Agent*) override;
  ServerUnaryReactor* ListAgents(CallbackServerContext*, const v1::ListAgentsRequest*,
                                 v1::ListAgentsResponse*) override;
  ServerUnaryReactor* CreateAgent(CallbackServerContext*, const v1::CreateAgentRequest*,
                                  v1::Agent*) override;
  ServerUnaryReactor* UpdateAgent(CallbackServerContext*, const v1::UpdateAgentRequest*,
                                  v1::Agent*) override;
  ServerUnaryReactor* RecordAgentTraining(CallbackServerContext*,
                                          const v1::RecordAgentTrainingRequest*,
                                          v1::Agent*) override;
  ServerUnaryReactor* SetAgentStatus(CallbackServerContext*, const v1::SetAgentStatusRequest*,
                                     v1::Agent*) override;

 private:
  std::shared_ptr<const Core> core_;
  platform::UnaryCalls calls_;
};

class OfficerService final : public v1::OfficerService::CallbackService {
 public:
  OfficerService(std::shared_ptr<const Core> core, platform::Runtime runtime);
  ServerUnaryReactor* GetOfficer(CallbackServerContext*, const v1::GetOfficerRequest*,
                                 v1::Officer*) override;
  ServerUnaryReactor* ListOfficers(CallbackServerContext*, const v1::ListOfficersRequest*,
                                   v1::ListOfficersResponse*) override;
  ServerUnaryReactor* CreateOfficer(CallbackServerContext*, const v1::CreateOfficerRequest*,
                                    v1::Officer*) override;
  ServerUnaryReactor* UpdateOfficer(CallbackServerContext*, const v1::UpdateOfficerRequest*,
                                    v1::Officer*) override;

 private:
  std::shared_ptr<const Core> core_;
  platform::UnaryCalls calls_;
};

class ChangeLogService final : public v1::ChangeLogService::CallbackService {
 public:
  ChangeLogService(std::shared_ptr<const Core> core, platform::Runtime runtime);
  ServerUnaryReactor* ListChanges(CallbackServerContext*, const v1::ListChangesRequest*,
                                  v1::ListChangesResponse*) override;
  ServerUnaryReactor* VerifyChanges(CallbackServerContext*, const v1::VerifyChangesRequest*,
                                    v1::VerifyChangesResponse*) override;

 private:
  std::shared_ptr<const Core> core_;
  platform::UnaryCalls calls_;
};

}  // namespace ibm::registry
