// ibm-cases: clients, screenings, cases, interventions and outcomes. `ibm-cases --help`.
#include "cases/service.h"
#include "platform/server_main.h"

int main(int argc, char** argv) {
  return ibm::platform::ServerMain(argc, argv, ibm::cases::Spec());
}
