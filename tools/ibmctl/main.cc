// ibmctl: the suite's admin CLI (registry and cases). `ibmctl --help`.
#include "ibmctl/cases_commands.h"
#include "ibmctl/commands.h"

int main(int argc, char** argv) {
  std::vector<ibm::ibmctl::Resource> resources = ibm::ibmctl::Resources();
  std::vector<ibm::ibmctl::Command> commands = ibm::ibmctl::Commands();
  for (const auto& r : ibm::ibmctl::CasesResources()) resources.push_back(r);
  for (const auto& c : ibm::ibmctl::CasesCommands()) commands.push_back(c);
  return ibm::ibmctl::Main(argc, argv, resources, commands);
}
