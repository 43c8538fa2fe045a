// ibm-smoke: the platform's smoke server (see smoke_service.h). `ibm-smoke --help`.
#include "platform/server_main.h"
#include "smoke/smoke_service.h"

int main(int argc, char** argv) {
  return ibm::platform::ServerMain(argc, argv, ibm::smoke::Spec());
}
