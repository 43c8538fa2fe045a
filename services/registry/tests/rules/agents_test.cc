// Table-driven tests of registry/rules/agents.h: no gRPC, no database.
#include "registry/rules/agents.h"

#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "registry/tests/rules/violations.h"

namespace ibm::registry::rules {
namespace {

v1::AppointmentDecree GoodDecree() {
  v1::AppointmentDecree d;
  d.set_number("141/Kep.12-Kel/2025");
  *d.mutable_date() = Day(2025, 6, 1);
  *d.mutable_valid_until() = Day(2027, 5, 31);
  return d;
}

v1::Agent GoodAgent() {
  v1::Agent a;
  a.set_display_name("Siti Rahmawati");
  *a.mutable_decree() = GoodDecree();
  a.set_phone("+62 812-3456-7890");
  a.set_address("Jl. Caringin No. 7");
  a.set_former_user(true);
  return a;
}

v1::TrainingRecord GoodTraining() {
  v1::TrainingRecord t;
  *t.mutable_date() = Day(2025, 6, 1);
  t.set_kind(v1::TrainingRecord::KIND_BRIEFING);
  t.set_hours(16);
  t.set_description("Pembekalan agen pemulihan");
  return t;
}

template <typename T>
struct Case {
  const char* what;
  std::function<void(T&)> change;  // applied to a good value
  Fields fields;                   // the violations expected, in order
};

TEST(AgentRulesTest, Decree) {
  const std::string hash(64, 'a');
  for (const Case<v1::AppointmentDecree>& c : std::initializer_list<Case<v1::AppointmentDecree>>{
           {"good", [](auto&) {}, {}},
           {"with a hash", [&](auto& d) { d.set_document_sha256(hash); }, {}},
           {"hex digits and letters",
            [](auto& d) { d.set_document_sha256(std::string(32, '0') + std::string(32, 'f')); },
            {}},
           {"valid for one day", [](auto& d) { *d.mutable_valid_until() = d.date(); }, {}},
           {"number of 100", [](auto& d) { d.set_number(std::string(100, 'n')); }, {}},
           {"no number", [](auto& d) { d.clear_number(); }, {"agent.decree.number"}},
           {"blank number", [](auto& d) { d.set_number("   "); }, {"agent.decree.number"}},
           {"number of 101",
            [](auto& d) { d.set_number(std::string(101, 'n')); },
            {"agent.decree.number"}},
           {"no date", [](auto& d) { d.clear_date(); }, {"agent.decree.date"}},
           {"not a real date",
            [](auto& d) { *d.mutable_date() = Day(2025, 2, 30); },
            {"agent.decree.date"}},
           {"no end", [](auto& d) { d.clear_valid_until(); }, {"agent.decree.valid_until"}},
           {"ends before it starts",
            [](auto& d) { *d.mutable_valid_until() = Day(2024, 12, 31); },
            {"agent.decree.valid_until"}},
           {"ends the day before",
            [](auto& d) { *d.mutable_valid_until() = Day(2025, 5, 31); },
            {"agent.decree.valid_until"}},
           {"uppercase hash",
            [&](auto& d) { d.set_document_sha256(std::string(64, 'A')); },
            {"agent.decree.document_sha256"}},
           {"short hash",
            [&](auto& d) { d.set_document_sha256(std::string(63, 'a')); },
            {"agent.decree.document_sha256"}},
           {"long hash",
            [&](auto& d) { d.set_document_sha256(std::string(65, 'a')); },
            {"agent.decree.document_sha256"}},
           {"not hex",
            [&](auto& d) { d.set_document_sha256(std::string(63, 'a') + "g"); },
            {"agent.decree.document_sha256"}},
           {"empty",
            [](auto& d) { d.Clear(); },
            {"agent.decree.number", "agent.decree.date", "agent.decree.valid_until"}},
       }) {
    v1::AppointmentDecree d = GoodDecree();
    c.change(d);
    platform::FieldViolations v;
    CheckDecree(v, d);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
  v1::AppointmentDecree backwards = GoodDecree();
  *backwards.mutable_valid_until() = Day(2024, 1, 1);
  platform::FieldViolations v;
  CheckDecree(v, backwards);
  EXPECT_EQ(DescriptionOf(v, "agent.decree.valid_until"), "must be on or after agent.decree.date");
}

TEST(AgentRulesTest, Contact) {
  struct ContactCase {
    std::string phone;
    std::string address;
    Fields fields;
    const char* phone_says = "";
  };
  for (const ContactCase& c : std::initializer_list<ContactCase>{
           {"", "", {}},
           {"+62 812-3456-7890", "Jl. Caringin No. 7", {}},
           {"081234567890", "Jl. Mawar 1\tRT 02", {}},
           {std::string(30, '1'), std::string(500, 'a'), {}},
           {std::string(31, '1'), "", {"agent.phone"}, "must be at most 30 characters"},
           {"call me", "", {"agent.phone"}, "may only contain digits, spaces, '+' and '-'"},
           {"0812/555", "", {"agent.phone"}, "may only contain digits, spaces, '+' and '-'"},
           {"(0812) 555", "", {"agent.phone"}, "may only contain digits, spaces, '+' and '-'"},
           {"", std::string(501, 'a'), {"agent.address"}},
           {"", "Jl. Mawar\n1", {"agent.address"}},
           {"x",
            std::string(501, 'a'),
            {"agent.address", "agent.phone"},
            "may only contain digits, spaces, '+' and '-'"},
       }) {
    platform::FieldViolations v;
    CheckContact(v, c.phone, c.address);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.phone << " / " << c.address.substr(0, 20);
    EXPECT_EQ(DescriptionOf(v, "agent.phone"), c.phone_says) << c.phone;
  }
}

TEST(AgentRulesTest, NewAgent) {
  for (const Case<v1::Agent>& c : std::initializer_list<Case<v1::Agent>>{
           {"good", [](auto&) {}, {}},
           {"no contact",
            [](auto& a) {
              a.clear_phone();
              a.clear_address();
            },
            {}},
           {"name of 200", [](auto& a) { a.set_display_name(std::string(200, 'n')); }, {}},
           {"no name", [](auto& a) { a.clear_display_name(); }, {"agent.display_name"}},
           {"name of 201",
            [](auto& a) { a.set_display_name(std::string(201, 'n')); },
            {"agent.display_name"}},
           {"no decree", [](auto& a) { a.clear_decree(); }, {"agent.decree"}},
           {"a bad decree",
            [](auto& a) { a.mutable_decree()->clear_number(); },
            {"agent.decree.number"}},
           {"a bad phone", [](auto& a) { a.set_phone("call me"); }, {"agent.phone"}},
           {"a long address",
            [](auto& a) { a.set_address(std::string(501, 'a')); },
            {"agent.address"}},
           {"inactive details",
            [](auto& a) { a.set_inactive_details("moved"); },
            {"agent.inactive_details"}},
           {"all wrong",
            [](auto& a) {
              a.clear_display_name();
              a.clear_decree();
              a.set_phone("?");
              a.set_inactive_details("x");
            },
            {"agent.display_name", "agent.decree", "agent.phone", "agent.inactive_details"}},
       }) {
    v1::Agent a = GoodAgent();
    c.change(a);
    platform::FieldViolations v;
    CheckNewAgent(v, a);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
  v1::Agent undecreed = GoodAgent();
  undecreed.clear_decree();
  platform::FieldViolations v;
  CheckNewAgent(v, undecreed);
  EXPECT_EQ(DescriptionOf(v, "agent.decree"),
            "is required: the village decree (SK) that appoints the agent");
}

TEST(AgentRulesTest, AgentUpdate) {
  struct UpdateCase {
    const char* what;
    Fields paths;
    std::function<void(v1::Agent&)> change;
    Fields fields;
  };
  for (const UpdateCase& c : std::initializer_list<UpdateCase>{
           {"good", {"display_name", "decree", "phone", "address"}, [](auto&) {}, {}},
           {"name under the mask",
            {"display_name"},
            [](auto& a) { a.clear_display_name(); },
            {"agent.display_name"}},
           {"name outside the mask", {"phone"}, [](auto& a) { a.clear_display_name(); }, {}},
           {"decree under the mask",
            {"decree"},
            [](auto& a) { a.clear_decree(); },
            {"agent.decree.number", "agent.decree.date", "agent.decree.valid_until"}},
           {"decree outside the mask", {"display_name"}, [](auto& a) { a.clear_decree(); }, {}},
           {"phone always",
            {"display_name"},
            [](auto& a) { a.set_phone("not a phone"); },
            {"agent.phone"}},
           {"address always",
            {"former_user"},
            [](auto& a) { a.set_address(std::string(501, 'a')); },
            {"agent.address"}},
           {"in order",
            {"display_name", "decree", "phone"},
            [](auto& a) {
              a.clear_display_name();
              a.mutable_decree()->clear_date();
              a.set_phone("x");
            },
            {"agent.display_name", "agent.decree.date", "agent.phone"}},
       }) {
    v1::Agent a = GoodAgent();
    c.change(a);
    platform::FieldViolations v;
    CheckAgentUpdate(v, a, c.paths);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
}

TEST(AgentRulesTest, Training) {
  for (const Case<v1::TrainingRecord>& c : std::initializer_list<Case<v1::TrainingRecord>>{
           {"good", [](auto&) {}, {}},
           {"no description", [](auto& t) { t.clear_description(); }, {}},
           {"half an hour", [](auto& t) { t.set_hours(0.5); }, {}},
           {"200 hours", [](auto& t) { t.set_hours(200); }, {}},
           {"every kind", [](auto& t) { t.set_kind(v1::TrainingRecord::KIND_OTHER); }, {}},
           {"no date", [](auto& t) { t.clear_date(); }, {"training.date"}},
           {"not a real date",
            [](auto& t) { *t.mutable_date() = Day(1900, 1, 2); },
            {"training.date"}},
           {"no kind",
            [](auto& t) { t.set_kind(v1::TrainingRecord::KIND_UNSPECIFIED); },
            {"training.kind"}},
           {"unknown kind",
            [](auto& t) { t.set_kind(static_cast<v1::TrainingRecord::Kind>(99)); },
            {"training.kind"}},
           {"no hours", [](auto& t) { t.set_hours(0); }, {"training.hours"}},
           {"just under", [](auto& t) { t.set_hours(0.49); }, {"training.hours"}},
           {"just over", [](auto& t) { t.set_hours(200.01); }, {"training.hours"}},
           {"negative", [](auto& t) { t.set_hours(-8); }, {"training.hours"}},
           {"NaN", [](auto& t) { t.set_hours(std::nan("")); }, {"training.hours"}},
           {"infinite",
            [](auto& t) { t.set_hours(std::numeric_limits<double>::infinity()); },
            {"training.hours"}},
           {"description of 501",
            [](auto& t) { t.set_description(std::string(501, 'd')); },
            {"training.description"}},
           {"all wrong",
            [](auto& t) {
              t.clear_date();
              t.clear_kind();
              t.set_hours(500);
              t.set_description(std::string(10 * 1024, 'd'));
            },
            {"training.date", "training.kind", "training.hours", "training.description"}},
       }) {
    v1::TrainingRecord t = GoodTraining();
    c.change(t);
    platform::FieldViolations v;
    CheckTraining(v, t);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
}

TEST(AgentRulesTest, StatusRequest) {
  struct StatusCase {
    int status;
    int reason;
    std::string details;
    Fields fields;
  };
  for (const StatusCase& c : std::initializer_list<StatusCase>{
           {v1::AGENT_STATUS_ACTIVE, v1::AGENT_INACTIVE_REASON_UNSPECIFIED, "", {}},
           {v1::AGENT_STATUS_INACTIVE, v1::AGENT_INACTIVE_REASON_RESIGNED, "", {}},
           {v1::AGENT_STATUS_INACTIVE, v1::AGENT_INACTIVE_REASON_OTHER, "relapsed", {}},
           {v1::AGENT_STATUS_INACTIVE,
            v1::AGENT_INACTIVE_REASON_DECEASED,
            std::string(500, 'r'),
            {}},
           {v1::AGENT_STATUS_UNSPECIFIED, v1::AGENT_INACTIVE_REASON_UNSPECIFIED, "", {"status"}},
           {99, v1::AGENT_INACTIVE_REASON_UNSPECIFIED, "", {"status"}},
           {v1::AGENT_STATUS_UNSPECIFIED, v1::AGENT_INACTIVE_REASON_RESIGNED, "x", {"status"}},
           {v1::AGENT_STATUS_INACTIVE, v1::AGENT_INACTIVE_REASON_UNSPECIFIED, "", {"reason"}},
           {v1::AGENT_STATUS_INACTIVE, 99, "", {"reason"}},
           {v1::AGENT_STATUS_INACTIVE,
            v1::AGENT_INACTIVE_REASON_MOVED_AWAY,
            std::string(501, 'r'),
            {"details"}},
           {v1::AGENT_STATUS_INACTIVE, v1::AGENT_INACTIVE_REASON_MOVED_AWAY, "a\x07", {"details"}},
           {v1::AGENT_STATUS_INACTIVE, 99, std::string(501, 'r'), {"reason", "details"}},
           {v1::AGENT_STATUS_ACTIVE, v1::AGENT_INACTIVE_REASON_RESIGNED, "", {"reason"}},
           {v1::AGENT_STATUS_ACTIVE, v1::AGENT_INACTIVE_REASON_UNSPECIFIED, "back", {"details"}},
           {v1::AGENT_STATUS_ACTIVE,
            v1::AGENT_INACTIVE_REASON_OTHER,
            "back",
            {"reason", "details"}},
       }) {
    platform::FieldViolations v;
    CheckStatusRequest(v, static_cast<v1::AgentStatus>(c.status),
                       static_cast<v1::AgentInactiveReason>(c.reason), c.details);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.status << " " << c.reason << " " << c.details.size();
  }
}

TEST(AgentRulesTest, AgentsAreAppointedToOpenUnitsOnly) {
  for (int status : {v1::UNIT_STATUS_UNSPECIFIED, v1::UNIT_STATUS_NEWLY_FORMED,
                     v1::UNIT_STATUS_RUNNING, v1::UNIT_STATUS_SUSTAINING}) {
    EXPECT_TRUE(CheckUnitTakesAgents("units/32.73.04.1001-1", status).ok()) << status;
  }
  absl::Status closed = CheckUnitTakesAgents("units/32.73.04.1001-1", v1::UNIT_STATUS_INACTIVE);
  EXPECT_EQ(closed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(closed.message(),
            "units/32.73.04.1001-1 is inactive: agents are appointed to open units only");
}

TEST(AgentRulesTest, AnAgentHoldsAtMost200Trainings) {
  EXPECT_EQ(kMaxTrainingsPerAgent, 200u);
  for (size_t held : {size_t{0}, size_t{1}, size_t{199}}) {
    EXPECT_TRUE(CheckTrainingRoom(held).ok()) << held;
  }
  for (size_t held : {size_t{200}, size_t{201}, size_t{100000}}) {
    absl::Status full = CheckTrainingRoom(held);
    EXPECT_EQ(full.code(), absl::StatusCode::kFailedPrecondition) << held;
    EXPECT_EQ(full.message(), "an agent holds at most 200 training records") << held;
  }
}

TEST(AgentRulesTest, StatusChanges) {
  struct ChangeCase {
    v1::AgentStatus current;
    v1::AgentStatus wanted;
    v1::AgentInactiveReason reason;
    std::string details;
    // Expected, when the change is allowed.
    v1::AgentInactiveReason kept_reason;
    std::string kept_details;
    std::string summary;
  };
  for (const ChangeCase& c : std::initializer_list<ChangeCase>{
           {v1::AGENT_STATUS_ACTIVE, v1::AGENT_STATUS_INACTIVE,
            v1::AGENT_INACTIVE_REASON_MOVED_AWAY, "moved to Garut",
            v1::AGENT_INACTIVE_REASON_MOVED_AWAY, "moved to Garut",
            "status AGENT_STATUS_ACTIVE -> AGENT_STATUS_INACTIVE "
            "(AGENT_INACTIVE_REASON_MOVED_AWAY)"},
           {v1::AGENT_STATUS_ACTIVE, v1::AGENT_STATUS_INACTIVE, v1::AGENT_INACTIVE_REASON_OTHER, "",
            v1::AGENT_INACTIVE_REASON_OTHER, "",
            "status AGENT_STATUS_ACTIVE -> AGENT_STATUS_INACTIVE (AGENT_INACTIVE_REASON_OTHER)"},
           {v1::AGENT_STATUS_INACTIVE, v1::AGENT_STATUS_ACTIVE,
            v1::AGENT_INACTIVE_REASON_UNSPECIFIED, "", v1::AGENT_INACTIVE_REASON_UNSPECIFIED, "",
            "status AGENT_STATUS_INACTIVE -> AGENT_STATUS_ACTIVE"},
           // Becoming active clears what becoming inactive kept, whatever it is given.
           {v1::AGENT_STATUS_INACTIVE, v1::AGENT_STATUS_ACTIVE, v1::AGENT_INACTIVE_REASON_RESIGNED,
            "stale", v1::AGENT_INACTIVE_REASON_UNSPECIFIED, "",
            "status AGENT_STATUS_INACTIVE -> AGENT_STATUS_ACTIVE"},
       }) {
    auto change =
        ChangeStatus("units/32.73.04.1001-1/agents/ap1", c.current, c.wanted, c.reason, c.details);
    ASSERT_TRUE(change.ok()) << change.status();
    EXPECT_EQ(change->status, c.wanted);
    EXPECT_EQ(change->reason, c.kept_reason) << c.summary;
    EXPECT_EQ(change->details, c.kept_details) << c.summary;
    EXPECT_EQ(change->summary, c.summary);
    // The summary holds codes, never the officer's words.
    if (!c.details.empty()) {
      EXPECT_EQ(change->summary.find(c.details), std::string::npos);
    }
  }
  for (v1::AgentStatus same : {v1::AGENT_STATUS_ACTIVE, v1::AGENT_STATUS_INACTIVE}) {
    auto change = ChangeStatus("units/32.73.04.1001-1/agents/ap1", same, same,
                               v1::AGENT_INACTIVE_REASON_RESIGNED, "");
    EXPECT_EQ(change.status().code(), absl::StatusCode::kFailedPrecondition) << same;
    EXPECT_EQ(
        change.status().message(),
        std::string("units/32.73.04.1001-1/agents/ap1 is already ") + v1::AgentStatus_Name(same));
  }
}

TEST(AgentRulesTest, StoredInactiveReasons) {
  struct ReasonCase {
    int64_t code;
    v1::AgentInactiveReason reason;
  };
  for (const ReasonCase& c : std::initializer_list<ReasonCase>{
           {0, v1::AGENT_INACTIVE_REASON_UNSPECIFIED},
           {1, v1::AGENT_INACTIVE_REASON_RESIGNED},
           {2, v1::AGENT_INACTIVE_REASON_MOVED_AWAY},
           {5, v1::AGENT_INACTIVE_REASON_DECEASED},
           {6, v1::AGENT_INACTIVE_REASON_OTHER},
           {7, v1::AGENT_INACTIVE_REASON_OTHER},
           {99, v1::AGENT_INACTIVE_REASON_OTHER},
           {-1, v1::AGENT_INACTIVE_REASON_OTHER},
       }) {
    EXPECT_EQ(InactiveReason(c.code), c.reason) << c.code;
  }
}

TEST(AgentRulesTest, OnlyTheFullViewIsGovernedByTheFullRule) {
  EXPECT_EQ(GetAgentMethod(v1::AGENT_VIEW_FULL), "GetAgent(FULL)");
  EXPECT_EQ(GetAgentMethod(v1::AGENT_VIEW_BASIC), "GetAgent");
  EXPECT_EQ(GetAgentMethod(v1::AGENT_VIEW_UNSPECIFIED), "GetAgent");
}

TEST(AgentRulesTest, TrainingSummaries) {
  v1::TrainingRecord t = GoodTraining();
  EXPECT_EQ(TrainingSummary(t), "training KIND_BRIEFING on 2025-06-01");
  t.set_kind(v1::TrainingRecord::KIND_TECHNICAL_GUIDANCE);
  *t.mutable_date() = Day(2026, 1, 9);
  EXPECT_EQ(TrainingSummary(t), "training KIND_TECHNICAL_GUIDANCE on 2026-01-09");
  // The description is the officer's words: never in the summary.
  EXPECT_EQ(TrainingSummary(t).find("Pembekalan"), std::string::npos);
}

}  // namespace
}  // namespace ibm::registry::rules
