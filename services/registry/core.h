#pragma once

// What every registry handler shares: resource names, request checks, the change log,
// idempotent creates, etags and pagination.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "audit/audit_log.h"
#include "auth/principal.h"
#include "base/paging.h"
#include "base/sealing.h"
#include "base/status.h"
#include "domain/region_code.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "ibm/registry/v1/registry.pb.h"
#include "platform/calls.h"
#include "resource/etag.h"
#include "resource/fields.h"
#include "resource/idempotency.h"
#include "resource/pages.h"
#include "resource/update_mask.h"
#include "sql/database.h"

namespace ibm::registry {

namespace v1 = ::ibm::registry::v1;
using auth::Principal;
using auth::Role;
using domain::RegionCode;

// ---- Resource names. Each parser yields INVALID_ARGUMENT naming `field`.

// "regions/32.73" -> the code (well formed, any level unless `level` is given).
absl::StatusOr<RegionCode> ParseRegionName(absl::string_view name, absl::string_view field,
                                           std::optional<domain::RegionLevel> level = {});
// "satkers/bnnk-32.73" -> "bnnk-32.73" (the id's shape is checked).
absl::StatusOr<std::string> ParseSatkerName(absl::string_view name, absl::string_view field);
// "units/32.73.04.1001-1" -> "32.73.04.1001-1".
absl::StatusOr<std::string> ParseUnitName(absl::string_view name, absl::string_view field);
struct ChildName {
  std::string parent_id;  // unit or satker id
  std::string id;         // agent or officer id
};
// "units/{unit}/agents/{agent}".
absl::StatusOr<ChildName> ParseAgentName(absl::string_view name, absl::string_view field);
// "satkers/{satker}/officers/{officer}".
absl::StatusOr<ChildName> ParseOfficerName(absl::string_view name, absl::string_view field);

std::string RegionName(absl::string_view code);
std::string SatkerName(absl::string_view id);
std::string UnitName(absl::string_view id);
std::string AgentName(absl::string_view unit_id, absl::string_view id);
std::string OfficerName(absl::string_view satker_id, absl::string_view id);

// The region a satker id stands for: none for "bnn" (national).
std::optional<RegionCode> SatkerRegion(absl::string_view satker_id);
// The village a unit id is in ("32.73.04.1001-1" -> 32.73.04.1001).
RegionCode UnitVillage(absl::string_view unit_id);

// ---- Access. PERMISSION_DENIED with reason ROLE_NOT_ALLOWED / OUT_OF_SCOPE.

// The caller may act where `region` lies (nullopt: national, only national callers).
absl::Status RequireScope(const Principal& caller, const std::optional<RegionCode>& region);

// ---- Field checks, dates, masks and etags: the suite's, from services/common/resource.
using resource::CheckDate;
using resource::CheckEtag;
using resource::CheckRequestId;
using resource::CheckText;
using resource::DateText;
using resource::HasPath;
using resource::MaskPaths;
using resource::ParseDateText;
using resource::ToTimestamp;

// ---- The shared core: database, clock, page tokens, change log, idempotent creates.

class Core {
 public:
  Core(sql::Database* db, platform::PageTokens tokens, std::function<absl::Time()> clock,
       std::shared_ptr<const platform::FieldSealer> sealer)
      : db_(db),
        tokens_(std::move(tokens)),
        clock_(std::move(clock)),
        sealer_(sealer),
        audit_("changes", "registry", std::move(sealer), db->dialect()),
        creates_("create_requests", db->dialect()),
        sequencer_(
            std::make_unique<audit::Sequencer>(db, std::vector<const audit::AuditLog*>{&audit_})) {}

  sql::Database& db() const { return *db_; }
  const sql::Dialect& dialect() const { return db_->dialect(); }
  const platform::PageTokens& pages() const { return tokens_; }
  // Seals and opens sensitive fields (agents' contact details).
  const platform::FieldSealer& sealer() const { return *sealer_; }
  int64_t NowMicros() const { return absl::ToUnixMicros(clock_()); }
  // The change log: the registry's tamper-evident audit log.
  const audit::AuditLog& audit() const { return audit_; }

  struct ChangeRecord {
    std::string resource;
    v1::Change::Action action;
    std::vector<std::string> fields;
    std::string summary;
    std::string request_id;
  };
  absl::Status RecordChange(sql::Session& s, const Principal& caller,
                            const ChangeRecord& change) const;

  // Idempotent creates, per caller: a request_id is the caller's own. Before creating: the
  // resource this caller's create with this request_id already made (nullopt if none);
  // INVALID_ARGUMENT when the caller used the id for another request. Kept for 7 days.
  absl::StatusOr<std::optional<std::string>> FindCreate(
      sql::Session& s, const Principal& caller, absl::string_view method,
      absl::string_view request_id, const google::protobuf::Message& request) const;
  // After creating, in the same transaction.
  absl::Status RememberCreate(sql::Session& s, const Principal& caller, absl::string_view method,
                              absl::string_view request_id,
                              const google::protobuf::Message& request,
                              absl::string_view resource) const;

 private:
  sql::Database* db_;
  platform::PageTokens tokens_;
  std::function<absl::Time()> clock_;
  std::shared_ptr<const platform::FieldSealer> sealer_;
  audit::AuditLog audit_;
  resource::CreateRequests creates_;
  std::unique_ptr<audit::Sequencer> sequencer_;  // last: stopped before the log goes
};

}  // namespace ibm::registry
