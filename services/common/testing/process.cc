#include "testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ibm::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env, const std::string& log_path) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 1);
  dup2(fd, 2);
  int devnull = open("/dev/null", O_RDONLY);
  dup2(devnull, 0);
  // The test runner may block signals; the child must start with a clean mask.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  _exit(127);
}

// Waits for `pid` until `deadline`; false on timeout.
bool WaitExit(pid_t pid, absl::Time deadline, int* code) {
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return true;
    }
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env, absl::Duration timeout) {
  auto p = std::unique_ptr<ServerProcess>(new ServerProcess());
  p->dir_ = std::make_unique<TempDir>();
  p->log_path_ = p->dir_->path() + "/output.log";
  p->pid_ = Spawn(binary, args, env, p->log_path_);
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    for (absl::string_view line : absl::StrSplit(ReadAll(p->log_path_), '\n', absl::SkipEmpty())) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.value("msg", "") == "serving") {
        p->port_ = j.value("port", 0);
        p->metrics_port_ = j.value("metrics_port", 0);
        return p;
      }
    }
    int code;
    if (WaitExit(p->pid_, absl::Now(), &code)) {
      p->pid_ = -1;
      return absl::InternalError(
          absl::StrCat(binary, " exited with ", code, ": ", ReadAll(p->log_path_)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(binary, " did not serve in time: ", ReadAll(p->log_path_)));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int code;
    WaitExit(pid_, absl::Now() + absl::Seconds(5), &code);
  }
}

std::string ServerProcess::output() const { return ReadAll(log_path_); }

void ServerProcess::Signal(int signal) { kill(pid_, signal); }

ExitResult ServerProcess::Stop(int signal, absl::Duration timeout) {
  ExitResult r;
  kill(pid_, signal);
  if (!WaitExit(pid_, absl::Now() + timeout, &r.exit_code)) {
    kill(pid_, SIGKILL);
    WaitExit(pid_, absl::Now() + absl::Seconds(5), &r.exit_code);
    r.exit_code = -1;
  }
  pid_ = -1;
  r.output = output();
  return r;
}

ExitResult RunToExit(const std::string& binary, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env, absl::Duration timeout) {
  TempDir dir;
  const std::string log = dir.path() + "/output.log";
  pid_t pid = Spawn(binary, args, env, log);
  ExitResult r;
  if (!WaitExit(pid, absl::Now() + timeout, &r.exit_code)) {
    kill(pid, SIGKILL);
    WaitExit(pid, absl::Now() + absl::Seconds(5), &r.exit_code);
    r.exit_code = -1;
  }
  r.output = ReadAll(log);
  return r;
}

}  // namespace ibm::testing
