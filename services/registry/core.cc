#include "registry/core.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "platform/crypto.h"

namespace ibm::registry {
namespace {

absl::Status BadName(absl::string_view field, absl::string_view expected) {
  return platform::InvalidField(field, absl::StrCat("must be a resource name like ", expected));
}

bool ValidSatkerId(absl::string_view id) {
  if (id == "bnn") return true;
  if (absl::ConsumePrefix(&id, "bnnp-")) {
    auto code = RegionCode::Parse(id);
    return code.ok() && code->level() == domain::RegionLevel::kProvince;
  }
  if (absl::ConsumePrefix(&id, "bnnk-")) {
    auto code = RegionCode::Parse(id);
    return code.ok() && code->level() == domain::RegionLevel::kRegency;
  }
  return false;
}

// The canonical form only: "<village code>-<n>", n a decimal number from 1 without a sign,
// leading zeros or spaces. "-01", "-+1" and "-1 " would name the same unit through
// SimpleAtoi (and, on a PAD SPACE collation, in SQL), so they are refused.
bool ValidUnitId(absl::string_view id) {
  std::vector<absl::string_view> parts = absl::StrSplit(id, absl::MaxSplits('-', 1));
  if (parts.size() != 2 || parts[1].empty() || parts[1].size() > 6 || parts[1][0] == '0') {
    return false;
  }
  for (char c : parts[1]) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  auto code = RegionCode::Parse(parts[0]);
  return code.ok() && code->level() == domain::RegionLevel::kVillage;
}

bool ValidChildId(absl::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<RegionCode> ParseRegionName(absl::string_view name, absl::string_view field,
                                           std::optional<domain::RegionLevel> level) {
  if (!absl::ConsumePrefix(&name, "regions/")) return BadName(field, "regions/32.73.04.1001");
  auto code = RegionCode::Parse(name, field);
  if (!code.ok()) return code.status();
  if (level && code->level() != *level) {
    return platform::InvalidField(
        field, absl::StrCat("must be a ", domain::RegionLevelName(*level), " code, not a ",
                            domain::RegionLevelName(code->level()), " code"));
  }
  return code;
}

absl::StatusOr<std::string> ParseSatkerName(absl::string_view name, absl::string_view field) {
  if (!absl::ConsumePrefix(&name, "satkers/") || !ValidSatkerId(name)) {
    return BadName(field, "satkers/bnn, satkers/bnnp-32 or satkers/bnnk-32.73");
  }
  return std::string(name);
}

absl::StatusOr<std::string> ParseUnitName(absl::string_view name, absl::string_view field) {
  if (!absl::ConsumePrefix(&name, "units/") || !ValidUnitId(name)) {
    return BadName(field, "units/32.73.04.1001-1");
  }
  return std::string(name);
}

absl::StatusOr<ChildName> ParseAgentName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "units" || !ValidUnitId(p[1]) || p[2] != "agents" ||
      !ValidChildId(p[3])) {
    return BadName(field, "units/32.73.04.1001-1/agents/{agent}");
  }
  return ChildName{std::string(p[1]), std::string(p[3])};
}

absl::StatusOr<ChildName> ParseOfficerName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "satkers" || !ValidSatkerId(p[1]) || p[2] != "officers" ||
      !ValidChildId(p[3])) {
    return BadName(field, "satkers/bnnk-32.73/officers/{officer}");
  }
  return ChildName{std::string(p[1]), std::string(p[3])};
}

std::string RegionName(absl::string_view code) { return absl::StrCat("regions/", code); }
std::string SatkerName(absl::string_view id) { return absl::StrCat("satkers/", id); }
std::string UnitName(absl::string_view id) { return absl::StrCat("units/", id); }
std::string AgentName(absl::string_view unit_id, absl::string_view id) {
  return absl::StrCat("units/", unit_id, "/agents/", id);
}
std::string OfficerName(absl::string_view satker_id, absl::string_view id) {
  return absl::StrCat("satkers/", satker_id, "/officers/", id);
}

std::optional<RegionCode> SatkerRegion(absl::string_view satker_id) {
  size_t dash = satker_id.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  auto code = RegionCode::Parse(satker_id.substr(dash + 1));
  if (!code.ok()) return std::nullopt;
  return *code;
}

RegionCode UnitVillage(absl::string_view unit_id) {
  // Only ids that ParseUnitName accepted (or rows it wrote) reach here.
  auto village = RegionCode::Parse(unit_id.substr(0, unit_id.rfind('-')));
  if (!village.ok()) {
    // Nothing in scope can be a malformed id: a scope check against it denies.
    return *RegionCode::Parse("99.99.99.9999");
  }
  return *village;
}

absl::Status RequireScope(const Principal& caller, const std::optional<RegionCode>& region) {
  if (region) return auth::RequireScope(caller, *region);
  if (caller.scope.national()) return absl::OkStatus();
  return platform::WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          "only BNN central may do this; the caller's scope is ", caller.scope.prefix())),
      "OUT_OF_SCOPE");
}

void CheckText(platform::FieldViolations& v, absl::string_view field, absl::string_view text,
               size_t max, bool required) {
  if (required && absl::StripAsciiWhitespace(text).empty()) {
    v.Add(field, "is required");
  } else if (text.size() > max) {
    v.Add(field, absl::StrCat("must be at most ", max, " bytes"));
  } else {
    for (unsigned char c : text) {
      if (c < 0x20 && c != '\t') {
        v.Add(field, "must not contain control characters");
        return;
      }
    }
  }
}

void CheckRequestId(platform::FieldViolations& v, absl::string_view field,
                    absl::string_view request_id) {
  if (request_id.empty()) {
    v.Add(field,
          "is required: a unique id for this create (a UUID), so that a retry never "
          "creates twice");
    return;
  }
  if (request_id.size() > 100) {
    v.Add(field, "must be at most 100 characters (a UUID is recommended)");
    return;
  }
  for (char c : request_id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != ':') {
      v.Add(field, "may only contain letters, digits, '-', '_', '.' and ':'");
      return;
    }
  }
}

void CheckDate(platform::FieldViolations& v, absl::string_view field, const google::type::Date& d,
               bool required) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) {
    if (required) v.Add(field, "is required");
    return;
  }
  absl::CivilDay day(d.year(), d.month(), d.day());
  if (d.year() < 1945 || d.year() > 2200 || day.year() != d.year() || day.month() != d.month() ||
      day.day() != d.day()) {
    v.Add(field, "must be a real calendar date between 1945 and 2200");
  }
}

std::string DateText(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

google::type::Date ParseDateText(absl::string_view text) {
  google::type::Date d;
  absl::CivilDay day;
  if (absl::ParseCivilTime(text, &day)) {
    d.set_year(static_cast<int32_t>(day.year()));
    d.set_month(day.month());
    d.set_day(day.day());
  }
  return d;
}

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  google::protobuf::Timestamp t;
  t.set_seconds(micros / 1000000);
  t.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return t;
}

absl::StatusOr<std::vector<std::string>> MaskPaths(
    const google::protobuf::FieldMask& mask, std::initializer_list<absl::string_view> allowed) {
  if (mask.paths().empty()) {
    return platform::InvalidField("update_mask", absl::StrCat("is required; updatable fields: ",
                                                              absl::StrJoin(allowed, ", ")));
  }
  // The size first: a mask longer than twice the updatable fields is refused whole, never
  // path by path.
  if (static_cast<size_t>(mask.paths_size()) > 2 * allowed.size()) {
    return platform::InvalidField(
        "update_mask.paths", absl::StrCat("has ", mask.paths_size(),
                                          " paths; updatable: ", absl::StrJoin(allowed, ", ")));
  }
  platform::FieldViolations v;
  std::vector<std::string> paths;
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& p = mask.paths(i);
    if (std::find(allowed.begin(), allowed.end(), p) == allowed.end()) {
      v.Add(absl::StrCat("update_mask.paths[", i, "]"),
            absl::StrCat("'", p.substr(0, 100),
                         "' is not an updatable field; updatable: ", absl::StrJoin(allowed, ", ")));
    } else {
      paths.push_back(p);
    }
  }
  if (!v.empty()) return v.status();
  return paths;
}

bool HasPath(const std::vector<std::string>& paths, absl::string_view path) {
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

absl::Status CheckEtag(absl::string_view etag, int64_t version, absl::string_view field) {
  if (etag.empty() || etag == absl::StrCat(version)) return absl::OkStatus();
  return platform::WithReason(
      absl::AbortedError(absl::StrCat(field,
                                      " is stale: the resource changed since it was read; read "
                                      "it again and retry")),
      "ETAG_MISMATCH");
}

std::string TrimPage(const Core& core, absl::string_view query, std::vector<sql::Row>& rows,
                     const platform::Page& page,
                     const std::function<std::string(const sql::Row&)>& key) {
  if (rows.size() <= static_cast<size_t>(page.size)) return "";
  rows.erase(rows.begin() + page.size, rows.end());
  return core.pages().Next(query, key ? key(rows.back()) : rows.back().Text(0));
}

absl::StatusOr<platform::PageTokens> Core::LoadPageTokens(sql::Database& db) {
  absl::Status s = db.Transact(sql::TxMode::kReadWrite, [&](sql::Session& session) {
    return session
        .Exec(absl::StrCat(db.dialect().InsertIgnore(),
                           " INTO registry_secrets (name, secret) VALUES ('page_tokens', ?)"),
              {sql::Bytes{platform::RandomBytes(32)}})
        .status();
  });
  if (!s.ok()) return s;
  auto rows = db.Query("SELECT secret FROM registry_secrets WHERE name = 'page_tokens'");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InternalError("page token secret missing");
  return platform::PageTokens(rows->front().Blob(0));
}

absl::Status Core::RecordChange(sql::Session& s, const Principal& caller,
                                const ChangeRecord& change) const {
  return audit_.Append(
      s, audit::Entry{change.resource, static_cast<int>(change.action),
                      caller.subject.substr(0, 200), caller.satker.substr(0, 40), NowMicros(),
                      absl::StrJoin(change.fields, ",").substr(0, 1000),
                      change.summary.substr(0, 500), change.request_id});
}

namespace {

// How long a create's request_id is remembered (a retry later than this creates again).
constexpr absl::Duration kRequestIdRetention = absl::Hours(24 * 7);

// A request_id is the caller's own: two callers using the same id never see each other's
// creates. The stored key binds the caller's subject to the id.
std::string RequestKey(const Principal& caller, absl::string_view request_id) {
  return platform::Sha256Hex(absl::StrCat(caller.subject.size(), ":", caller.subject, request_id));
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

absl::StatusOr<std::optional<std::string>> Core::FindCreate(
    sql::Session& s, const Principal& caller, absl::string_view method,
    absl::string_view request_id, const google::protobuf::Message& request) const {
  if (request_id.empty()) return std::nullopt;
  auto rows =
      s.Query("SELECT method, fingerprint, resource FROM create_requests WHERE request_id = ?",
              {RequestKey(caller, request_id)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  const sql::Row& row = rows->front();
  if (row.Text(0) != method || row.Text(1) != Fingerprint(request)) {
    return platform::InvalidField(
        "request_id", "was already used for a different request; use a new id for a new create");
  }
  return row.Text(2);
}

absl::Status Core::RememberCreate(sql::Session& s, const Principal& caller,
                                  absl::string_view method, absl::string_view request_id,
                                  const google::protobuf::Message& request,
                                  absl::string_view resource) const {
  if (request_id.empty()) return absl::OkStatus();
  const int64_t now = NowMicros();
  auto r = s.Exec(
      "INSERT INTO create_requests (request_id, method, fingerprint, resource, create_time) "
      "VALUES (?, ?, ?, ?, ?)",
      {RequestKey(caller, request_id), method, Fingerprint(request), resource, now});
  if (!r.ok()) return r.status();
  // Now and then, forget request ids past their retention (indexed by create_time).
  thread_local uint32_t creates = 0;
  if (++creates % 64 == 1) {
    r = s.Exec("DELETE FROM create_requests WHERE create_time < ?",
               {now - absl::ToInt64Microseconds(kRequestIdRetention)});
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}

}  // namespace ibm::registry
