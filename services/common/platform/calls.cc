#include "platform/calls.h"

#include <chrono>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/logging.h"
#include "base/status.h"

namespace ibm::platform {
namespace {

std::optional<std::string> Header(const grpc::CallbackServerContext* ctx, absl::string_view name) {
  const auto& md = ctx->client_metadata();
  auto it = md.find(grpc::string_ref(name.data(), name.size()));
  if (it == md.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

// A caller's request id is echoed into logs, so only a short, plain token is accepted.
bool UsableRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != ':') return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%016x", rng());
}

absl::Time DeadlineOf(const grpc::CallbackServerContext* ctx) {
  const auto d = ctx->deadline();
  if (d >= std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(d);
}

// Runs a handler body. Whatever escapes it (a type mismatch in a hand-edited row, a
// connector exception, a bug) becomes INTERNAL for this call only, logged with the call's
// request id; the process keeps serving.
absl::Status RunGuarded(const UnaryCalls::Body& body, const Call& call, const std::string& method) {
  const char* kind = "unknown exception";
  std::string what;
  try {
    return body(call);
  } catch (const std::exception& e) {
    kind = "exception";
    what = e.what();
  } catch (...) {
  }
  Log(LogLevel::kError, "uncaught exception in handler",
      {{"method", method},
       {"request_id", call.request_id},
       {"kind", kind},
       {"what", Truncated(what, 300)}});
  return absl::InternalError("internal error; it was logged at the server (quote the request id)");
}

std::string CodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  absl::AsciiStrToUpper(&name);
  return name;
}

}  // namespace

UnaryCalls::UnaryCalls(std::string service, Runtime runtime)
    : service_(std::move(service)), runtime_(std::move(runtime)) {}

grpc::ServerUnaryReactor* UnaryCalls::Run(grpc::CallbackServerContext* ctx,
                                          absl::string_view method_name, Body body, Access access,
                                          Execution execution) const {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Call call;
  call.received = absl::Now();  // real time: deadlines are the client's, not a test clock's
  call.deadline = DeadlineOf(ctx);
  std::optional<std::string> given = Header(ctx, "x-request-id");
  call.request_id = given && UsableRequestId(*given) ? *given : NewRequestId();
  ctx->AddInitialMetadata("x-request-id", call.request_id);
  std::string method = absl::StrCat("/", service_, "/", method_name);

  if (access == Access::kAuthenticated) {
    auto principal = runtime_.authenticator->Authenticate(ctx->client_metadata());
    if (!principal.ok()) {
      Finish(ctx, reactor, method, call, principal.status());
      return reactor;
    }
    call.caller = *std::move(principal);
    for (const auto& [key, value] : ctx->client_metadata()) {
      const absl::string_view k(key.data(), key.size());
      if (k == "authorization" || absl::StartsWith(k, "x-dev-")) {
        call.credentials.emplace_back(std::string(k), std::string(value.data(), value.size()));
      }
    }
  }

  if (execution == Execution::kInline ||
      (execution == Execution::kShortRead && runtime_.embedded_database)) {
    Finish(ctx, reactor, method, call, RunGuarded(body, call, method));
    return reactor;
  }
  auto task = [this, ctx, reactor, method, call, body = std::move(body)]() {
    absl::Status status;
    if (ctx->IsCancelled()) {
      status = absl::CancelledError("the client cancelled the call before it ran");
    } else if (absl::Now() >= call.deadline) {
      status = absl::DeadlineExceededError("the deadline passed while the call waited to run");
    } else {
      status = RunGuarded(body, call, method);
    }
    Finish(ctx, reactor, method, call, status);
  };
  if (!runtime_.executor->TrySubmit(std::move(task))) {
    Finish(ctx, reactor, method, call,
           WithReason(absl::ResourceExhaustedError(
                          absl::StrCat("server busy: ", runtime_.executor->max_queued(),
                                       " calls already queued; retry with back-off")),
                      "SERVER_BUSY"));
  }
  return reactor;
}

void UnaryCalls::Finish(grpc::CallbackServerContext* ctx, grpc::ServerUnaryReactor* reactor,
                        const std::string& method, const Call& call,
                        const absl::Status& status) const {
  const double seconds = absl::ToDoubleSeconds(absl::Now() - call.received);
  const std::string code = CodeName(status.code());
  if (runtime_.metrics != nullptr) {
    runtime_.metrics->ObserveCall(method, code, seconds);
    runtime_.metrics->SetQueued(runtime_.executor != nullptr ? runtime_.executor->queued() : 0);
  }
  const bool server_fault = status.code() == absl::StatusCode::kInternal ||
                            status.code() == absl::StatusCode::kUnknown ||
                            status.code() == absl::StatusCode::kDataLoss;
  const auth::Principal* p = call.caller ? &*call.caller : nullptr;
  Log(server_fault ? LogLevel::kError : LogLevel::kInfo, "call",
      {{"method", method},
       {"code", code},
       {"duration_ms", seconds * 1000},
       {"caller", p ? p->subject : ""},
       {"role", p ? std::string(auth::RoleName(p->role)) : ""},
       {"satker", p ? p->satker : ""},
       {"request_id", call.request_id},
       {"peer", ctx->peer()},
       // The status message, never the request: messages name fields, not their values.
       {"error", status.ok() ? "" : Truncated(status.message(), kMaxStatusMessageBytes)},
       {"insecure_dev_auth", p != nullptr && p->insecure_dev}});
  reactor->Finish(ToGrpcStatus(status));
}

}  // namespace ibm::platform
