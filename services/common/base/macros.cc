#include "base/macros.h"

#include "base/logging.h"

namespace ibm::platform::internal {

absl::Status Bug(const char* file, int line, const std::string& message) {
  std::string where = absl::StrCat(file, ":", line);
  if (size_t at = where.find("services/"); at != std::string::npos) where = where.substr(at);
  Log(LogLevel::kError, "bug", {{"where", where}, {"detail", message}});
  // The client learns that it failed, not where: the log line has that.
  return absl::InternalError("internal error; it was logged at the server (quote the request id)");
}

}  // namespace ibm::platform::internal
