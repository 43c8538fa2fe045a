// Placeholders so that the skeleton builds: every method UNIMPLEMENTED until its handler file
// replaces the factory.
#include "cases/services.h"
#include "ibm/cases/v1/cases.grpc.pb.h"
#include "ibm/cases/v1/clients.grpc.pb.h"
#include "ibm/cases/v1/events.grpc.pb.h"
#include "ibm/cases/v1/screenings.grpc.pb.h"

namespace ibm::cases {

std::unique_ptr<grpc::Service> NewScreeningService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::ScreeningService::CallbackService>();
}
std::unique_ptr<grpc::Service> NewRoutingPolicyService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::RoutingPolicyService::CallbackService>();
}
std::unique_ptr<grpc::Service> NewCaseService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::CaseService::CallbackService>();
}
std::unique_ptr<grpc::Service> NewCaseEventService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::CaseEventService::CallbackService>();
}
std::unique_ptr<grpc::Service> NewClientService(CorePtr, platform::Runtime) {
  return std::make_unique<v1::ClientService::CallbackService>();
}

}  // namespace ibm::cases
