#pragma once

// Runs a service binary as a real process for tests: its stdout and stderr go to a file,
// readiness is its "serving" log line (which carries the bound port).

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "testing/test_database.h"

namespace ibm::testing {

struct ExitResult {
  int exit_code = -1;  // -1 if killed by a signal
  std::string output;  // stdout and stderr
};

class ServerProcess {
 public:
  // Starts `binary args...` with `env` added to the environment and waits until it logs
  // "serving" (or fails with its output if it exits or times out first).
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::map<std::string, std::string>& env = {},
      absl::Duration timeout = absl::Seconds(20));
  ~ServerProcess();

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  std::string output() const;
  // Sends `signal` and waits for the exit.
  ExitResult Stop(int signal, absl::Duration timeout = absl::Seconds(20));
  // Sends `signal` and returns at once (SIGHUP, or a SIGTERM whose lame duck is watched).
  void Signal(int signal);

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  std::string log_path_;
  std::unique_ptr<TempDir> dir_;
  int port_ = 0, metrics_port_ = 0;
};

// Runs a command to completion (killing it after `timeout`).
ExitResult RunToExit(const std::string& binary, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {},
                     absl::Duration timeout = absl::Seconds(30));

}  // namespace ibm::testing
