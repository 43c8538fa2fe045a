// ibm-fhir-examples DIR: writes the FHIR R4 Bundle of every example referral (examples.h) to
// DIR/<name>.json and each withdrawal's JSON Patch to DIR/<name>.patch.json, for
// tests/fhir-validate.sh to check against the official R4 schema.

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "referrals/fhir/examples.h"

namespace {

bool Write(const std::string& path, const std::string& json) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  // Indented, so that a schema error's path can be found by eye.
  file << nlohmann::ordered_json::parse(json).dump(2) << "\n";
  return static_cast<bool>(file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  int written = 0;
  for (const auto& example : ibm::referrals::fhir::Examples()) {
    if (!Write(dir + "/" + example.name + ".json",
               ibm::referrals::fhir::ReferralBundle(example.Input()))) {
      std::fprintf(stderr, "cannot write %s/%s.json\n", dir.c_str(), example.name.c_str());
      return 1;
    }
    ++written;
  }
  for (const auto& [name, patch] : ibm::referrals::fhir::ExamplePatches()) {
    if (!Write(dir + "/" + name + ".patch.json", patch)) {
      std::fprintf(stderr, "cannot write %s/%s.patch.json\n", dir.c_str(), name.c_str());
      return 1;
    }
    ++written;
  }
  std::printf("ibm-fhir-examples: %d files in %s\n", written, dir.c_str());
  return 0;
}
