// ibmctl: the registry's admin CLI. `ibmctl --help`.
#include "ibmctl/commands.h"

int main(int argc, char** argv) {
  return ibm::ibmctl::Main(argc, argv, ibm::ibmctl::Resources(), ibm::ibmctl::Commands());
}
