// Placeholders so that the service builds while its areas are written: every method of these
// services is UNIMPLEMENTED and their tables are empty lists until the area's own files
// replace them (each area deletes its lines here).
#include "cases/services.h"
#include "cases/store/tables.h"
#include "ibm/cases/v1/activities.grpc.pb.h"
#include "ibm/cases/v1/interventions.grpc.pb.h"
#include "ibm/cases/v1/metrics.grpc.pb.h"
#include "ibm/cases/v1/outcomes.grpc.pb.h"

namespace ibm::cases {

// -- interventions
std::unique_ptr<grpc::Service> NewInterventionService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::InterventionService::CallbackService>();
}
std::unique_ptr<grpc::Service> NewRecoverySupportService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::RecoverySupportService::CallbackService>();
}
std::vector<std::string> store::InterventionTables() { return {}; }
// -- outcomes
std::unique_ptr<grpc::Service> NewOutcomeService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::OutcomeService::CallbackService>();
}
std::vector<std::string> store::OutcomeTables() { return {}; }
// -- activities and metrics
std::unique_ptr<grpc::Service> NewUnitActivityService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::UnitActivityService::CallbackService>();
}
std::unique_ptr<grpc::Service> NewSatkerActivityService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::SatkerActivityService::CallbackService>();
}
std::unique_ptr<grpc::Service> NewCommunityReportService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::CommunityReportService::CallbackService>();
}
std::unique_ptr<grpc::Service> NewUnitMetricsService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::UnitMetricsService::CallbackService>();
}
std::vector<std::string> store::ActivityTables() { return {}; }

}  // namespace ibm::cases
