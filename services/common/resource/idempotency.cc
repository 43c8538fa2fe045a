#include "resource/idempotency.h"

#include "absl/strings/str_cat.h"
#include "base/crypto.h"
#include "base/status.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace ibm::resource {

namespace {

// How long a create's request_id is remembered (a retry later than this creates again).
constexpr absl::Duration kRequestIdRetention = absl::Hours(24 * 7);

// A request_id is the caller's own: two callers using the same id never see each other's
// creates. The stored key binds the caller's subject to the id.
std::string RequestKey(absl::string_view caller, absl::string_view request_id) {
  return platform::Sha256Hex(absl::StrCat(caller.size(), ":", caller, request_id));
}

std::string Fingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream out(&stream);
  out.SetSerializationDeterministic(true);
  request.SerializeToCodedStream(&out);
  out.Trim();
  return platform::Sha256Hex(bytes);
}

}  // namespace

absl::StatusOr<std::optional<std::string>> CreateRequests::Find(
    sql::Session& s, absl::string_view caller, absl::string_view method,
    absl::string_view request_id, const google::protobuf::Message& request, int64_t now_us) const {
  if (request_id.empty()) return std::nullopt;
  auto rows = s.Query(
      absl::StrCat("SELECT method, fingerprint, resource FROM ", table_,
                   " WHERE request_id = ? AND create_time >= ?", dialect_.ForUpdate()),
      {RequestKey(caller, request_id), now_us - absl::ToInt64Microseconds(kRequestIdRetention)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  const sql::Row& row = rows->front();
  if (row.Text(0) != method || row.Text(1) != Fingerprint(request)) {
    return platform::InvalidField(
        "request_id", "was already used for a different request; use a new id for a new create");
  }
  return row.Text(2);
}

absl::Status CreateRequests::Remember(sql::Session& s, absl::string_view caller,
                                      absl::string_view method, absl::string_view request_id,
                                      const google::protobuf::Message& request,
                                      absl::string_view resource, int64_t now) const {
  if (request_id.empty()) return absl::OkStatus();
  // One statement in the common case. The key is unique: a concurrent create of the same id
  // that committed first fails this insert (ALREADY_EXISTS), whatever the isolation level.
  // Only then may an expired record of the id (Find skips those) be in the way: it makes way
  // for the new one, and a live one fails the insert again.
  const std::string key = RequestKey(caller, request_id);
  const std::string insert = absl::StrCat(
      "INSERT INTO ", table_,
      " (request_id, method, fingerprint, resource, create_time) VALUES (?, ?, ?, ?, ?)");
  const sql::Params row = {key, method, Fingerprint(request), resource, now};
  auto r = s.Exec(insert, row);
  if (absl::IsAlreadyExists(r.status())) {
    r = s.Exec(absl::StrCat("DELETE FROM ", table_, " WHERE request_id = ? AND create_time < ?"),
               {key, now - absl::ToInt64Microseconds(kRequestIdRetention)});
    if (!r.ok()) return r.status();
    r = s.Exec(insert, row);
  }
  if (!r.ok()) return r.status();
  // Now and then, forget request ids past their retention (indexed by create_time).
  thread_local uint32_t creates = 0;
  if (++creates % 64 == 1) {
    r = s.Exec(absl::StrCat("DELETE FROM ", table_, " WHERE create_time < ?"),
               {now - absl::ToInt64Microseconds(kRequestIdRetention)});
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}
}  // namespace ibm::resource
