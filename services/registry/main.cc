// ibm-registry: regions, satker, IBM units, recovery agents and officers. `ibm-registry --help`.
#include "platform/server_main.h"
#include "registry/registry.h"

int main(int argc, char** argv) {
  return ibm::platform::ServerMain(argc, argv, ibm::registry::Spec());
}
