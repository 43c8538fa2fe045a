// ibm-referrals: the provider directory and closed-loop referrals. `ibm-referrals --help`.
#include "platform/server_main.h"
#include "referrals/service.h"

int main(int argc, char** argv) {
  return ibm::platform::ServerMain(argc, argv, ibm::referrals::Spec());
}
