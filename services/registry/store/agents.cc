#include "registry/store/agents.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace ibm::registry::store {
namespace {

constexpr char kAgentColumns[] =
    "id, unit_id, display_name, sk_number, sk_date, sk_valid_until, sk_sha256, status, "
    "inactive_reason_code, contact_sealed, version, create_time, update_time";
constexpr char kSelectAgent[] = "SELECT %s FROM agents WHERE id = ? AND unit_id = ?";
constexpr char kSelectAgentsOfUnit[] =
    "SELECT %s FROM agents WHERE unit_id = ? AND id > ? ORDER BY id LIMIT ?";
constexpr char kSelectAgentsOfUnitInStatus[] =
    "SELECT %s FROM agents WHERE unit_id = ? AND id > ? AND status = ? ORDER BY id LIMIT ?";
constexpr char kSelectTrainingsOfAgents[] =
    "SELECT agent_id, training_date, kind, hours, description FROM agent_trainings "
    "WHERE agent_id IN (%s) ORDER BY agent_id, seq";
// `inactive_reason` is the free text of old rows: emptied by migration 2, never written since.
constexpr char kInsertAgent[] =
    "INSERT INTO agents (id, unit_id, display_name, sk_number, sk_date, sk_valid_until, "
    "sk_sha256, status, inactive_reason, inactive_reason_code, contact_sealed, version, "
    "create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)";
constexpr char kUpdateAgent[] =
    "UPDATE agents SET display_name = ?, sk_number = ?, sk_date = ?, sk_valid_until = ?, "
    "sk_sha256 = ?, status = ?, inactive_reason_code = ?, contact_sealed = ?, version = ?, "
    "update_time = ? WHERE id = ?";
constexpr char kInsertTraining[] =
    "INSERT INTO agent_trainings (agent_id, seq, training_date, kind, hours, description) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kTouchAgent[] = "UPDATE agents SET version = ?, update_time = ? WHERE id = ?";
constexpr char kSelectUnitStatus[] = "SELECT status FROM units WHERE id = ?";
constexpr char kSelectUnit[] = "SELECT 1 FROM units WHERE id = ?";

Agent FromRow(const sql::Row& row) {
  Agent a;
  a.id = row.Text("id");
  a.unit_id = row.Text("unit_id");
  a.display_name = row.Text("display_name");
  a.sk_number = row.Text("sk_number");
  a.sk_date = row.Text("sk_date");
  a.sk_valid_until = row.Text("sk_valid_until");
  a.sk_sha256 = row.Text("sk_sha256");
  a.status = static_cast<int>(row.Int("status"));
  a.inactive_reason = static_cast<int>(row.Int("inactive_reason_code"));
  a.contact_sealed = row.Text("contact_sealed");
  a.version = row.Int("version");
  a.create_time_us = row.Int("create_time");
  a.update_time_us = row.Int("update_time");
  return a;
}

Training TrainingFromRow(const sql::Row& row) {
  Training t;
  t.date = row.Text("training_date");
  t.kind = static_cast<int>(row.Int("kind"));
  t.hours = row.Double("hours");
  t.description = row.Text("description");
  return t;
}

}  // namespace

absl::StatusOr<Agent> Agents::Get(sql::Session& s, absl::string_view unit_id, absl::string_view id,
                                  absl::string_view name, bool for_update) const {
  auto row = s.QueryOne(
      sql::Statement(kSelectAgent, {kAgentColumns}, for_update ? dialect_.ForUpdate() : ""),
      {id, unit_id}, name);
  if (!row.ok()) return row.status();
  std::vector<Agent> one = {FromRow(*row)};
  if (auto st = LoadTrainings(s, one); !st.ok()) return st;
  return std::move(one.front());
}

absl::StatusOr<std::vector<Agent>> Agents::List(sql::Session& s, absl::string_view unit_id,
                                                std::optional<int> status,
                                                absl::string_view after_id, int limit) const {
  auto rows = status ? s.Query(sql::Statement(kSelectAgentsOfUnitInStatus, {kAgentColumns}),
                               {unit_id, after_id, *status, limit})
                     : s.Query(sql::Statement(kSelectAgentsOfUnit, {kAgentColumns}),
                               {unit_id, after_id, limit});
  if (!rows.ok()) return rows.status();
  std::vector<Agent> out;
  out.reserve(rows->size());
  for (const sql::Row& row : *rows) out.push_back(FromRow(row));
  if (auto st = LoadTrainings(s, out); !st.ok()) return st;
  return out;
}

absl::Status Agents::LoadTrainings(sql::Session& s, std::vector<Agent>& agents) const {
  if (agents.empty()) return absl::OkStatus();
  sql::Params ids;
  std::map<std::string, Agent*> by_id;
  for (Agent& a : agents) {
    ids.push_back(a.id);
    by_id[a.id] = &a;
  }
  auto rows =
      s.Query(sql::Statement(kSelectTrainingsOfAgents, {sql::Placeholders(ids.size())}), ids);
  if (!rows.ok()) return rows.status();
  for (const sql::Row& row : *rows) {
    auto it = by_id.find(row.Text("agent_id"));
    if (it != by_id.end()) it->second->trainings.push_back(TrainingFromRow(row));
  }
  return absl::OkStatus();
}

absl::Status Agents::Insert(sql::Session& s, const Agent& a) const {
  return s
      .Exec(kInsertAgent, {a.id, a.unit_id, a.display_name, a.sk_number, a.sk_date,
                           a.sk_valid_until, a.sk_sha256, a.status, a.inactive_reason,
                           a.contact_sealed, a.version, a.create_time_us, a.update_time_us})
      .status();
}

absl::Status Agents::Update(sql::Session& s, Agent& a) const {
  a.version += 1;
  return s
      .Exec(kUpdateAgent,
            {a.display_name, a.sk_number, a.sk_date, a.sk_valid_until, a.sk_sha256, a.status,
             a.inactive_reason, a.contact_sealed, a.version, a.update_time_us, a.id})
      .status();
}

absl::Status Agents::AddTraining(sql::Session& s, Agent& a, Training t) const {
  const int64_t seq = static_cast<int64_t>(a.trainings.size()) + 1;
  auto r = s.Exec(kInsertTraining, {a.id, seq, t.date, t.kind, t.hours, t.description});
  if (!r.ok()) return r.status();
  a.trainings.push_back(std::move(t));
  a.version += 1;
  return s.Exec(kTouchAgent, {a.version, a.update_time_us, a.id}).status();
}

absl::StatusOr<std::optional<int>> Agents::LockUnitStatus(sql::Session& s,
                                                          absl::string_view unit_id) const {
  auto rows = s.Query(absl::StrCat(kSelectUnitStatus, dialect_.ForUpdate()), {unit_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return static_cast<int>(rows->front().Int("status"));
}

absl::StatusOr<bool> Agents::UnitExists(sql::Session& s, absl::string_view unit_id) const {
  auto rows = s.Query(kSelectUnit, {unit_id});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

}  // namespace ibm::registry::store
