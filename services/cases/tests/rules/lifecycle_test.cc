// Table-driven tests of cases/rules/lifecycle.h: every state x every move, the transition
// limit, the date rules. No gRPC, no database.
#include "cases/rules/lifecycle.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ibm::cases::rules {
namespace {

using S = CaseState;

struct Move {
  const char* name;
  CaseMove move;
  S resume_to;
};
// The columns of the table below.
const std::vector<Move> kMoves = {
    {"StartIntervention", CaseMove::kStartIntervention, S::kUnspecified},
    {"StartRecoverySupport", CaseMove::kStartRecoverySupport, S::kUnspecified},
    {"Refer", CaseMove::kRefer, S::kUnspecified},
    {"Resume(IN_INTERVENTION)", CaseMove::kResume, S::kInIntervention},
    {"Resume(RECOVERY_SUPPORT)", CaseMove::kResume, S::kRecoverySupport},
    {"Complete", CaseMove::kComplete, S::kUnspecified},
    {"DropOut", CaseMove::kDropOut, S::kUnspecified},
    {"Transfer", CaseMove::kTransfer, S::kUnspecified},
    {"Void", CaseMove::kVoid, S::kUnspecified},
};

constexpr S kNo = S::kUnspecified;  // ILLEGAL_TRANSITION
constexpr S kAlreadyVoided = static_cast<S>(-1);

struct Row {
  S from;
  std::vector<S> to;  // per kMoves column: the next state, kNo, or kAlreadyVoided
};

// docs/api.md, State machines, Case: exactly these moves.
const std::vector<Row> kTable = {
    {S::kEnrolled,
     {S::kInIntervention, S::kRecoverySupport, S::kReferred, kNo, kNo, kNo, S::kDroppedOut,
      S::kTransferred, S::kVoided}},
    {S::kInIntervention,
     {kNo, S::kRecoverySupport, S::kReferred, kNo, kNo, S::kCompleted, S::kDroppedOut,
      S::kTransferred, S::kVoided}},
    {S::kRecoverySupport,
     {S::kInIntervention, kNo, S::kReferred, kNo, kNo, S::kCompleted, S::kDroppedOut,
      S::kTransferred, S::kVoided}},
    {S::kReferred,
     {kNo, kNo, kNo, S::kInIntervention, S::kRecoverySupport, S::kCompleted, S::kDroppedOut,
      S::kTransferred, S::kVoided}},
    {S::kCompleted, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo, S::kVoided}},
    {S::kDroppedOut, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo, S::kVoided}},
    {S::kTransferred, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo, S::kVoided}},
    {S::kVoided, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo, kAlreadyVoided}},
};

std::string ReasonOf(const absl::Status& s) { return platform::ErrorInfoOf(s).reason(); }

TEST(LifecycleTest, EveryStateTimesEveryMove) {
  ASSERT_EQ(kTable.size(), 8u);  // every state but UNSPECIFIED
  for (const Row& row : kTable) {
    ASSERT_EQ(row.to.size(), kMoves.size());
    for (size_t i = 0; i < kMoves.size(); ++i) {
      const Move& m = kMoves[i];
      SCOPED_TRACE(absl::StrCat(StateName(row.from), " x ", m.name));
      const absl::Status st = CheckMove(row.from, m.move, 5, m.resume_to);
      const std::optional<S> next = NextState(row.from, m.move, m.resume_to);
      if (row.to[i] == kAlreadyVoided) {
        EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(st), "ALREADY_VOIDED");
        EXPECT_EQ(next, std::nullopt);
      } else if (row.to[i] == kNo) {
        EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(st), "ILLEGAL_TRANSITION");
        // The message names the current state, so a caller knows where the case is.
        EXPECT_THAT(std::string(st.message()),
                    ::testing::HasSubstr(absl::StrCat("state ", StateName(row.from))));
        EXPECT_EQ(next, std::nullopt);
      } else {
        EXPECT_TRUE(st.ok()) << st;
        EXPECT_EQ(next, row.to[i]);
      }
    }
  }
}

TEST(LifecycleTest, ResumeNeedsAnOpenWorkingState) {
  for (S to : {S::kUnspecified, S::kEnrolled, S::kReferred, S::kCompleted, S::kVoided}) {
    EXPECT_EQ(NextState(S::kReferred, CaseMove::kResume, to), std::nullopt);
    EXPECT_EQ(ReasonOf(CheckMove(S::kReferred, CaseMove::kResume, 3, to)), "ILLEGAL_TRANSITION");
  }
}

TEST(LifecycleTest, OpenAndFinalStates) {
  EXPECT_FALSE(IsOpen(S::kUnspecified));
  for (S s : {S::kEnrolled, S::kInIntervention, S::kRecoverySupport, S::kReferred}) {
    EXPECT_TRUE(IsOpen(s)) << StateName(s);
  }
  for (S s : {S::kCompleted, S::kDroppedOut, S::kTransferred, S::kVoided}) {
    EXPECT_FALSE(IsOpen(s)) << StateName(s);
  }
  EXPECT_EQ(StateName(S::kRecoverySupport), "RECOVERY_SUPPORT");
}

TEST(LifecycleTest, TheLimitRefusesOnlyMovesToAnOpenState) {
  struct LimitCase {
    S from;
    CaseMove move;
    S resume_to;
    int transitions;
    const char* reason;  // "" = allowed
  };
  for (const LimitCase& c : std::vector<LimitCase>{
           {S::kEnrolled, CaseMove::kStartIntervention, kNo, 97, ""},
           {S::kEnrolled, CaseMove::kStartIntervention, kNo, 98, "TRANSITION_LIMIT"},
           {S::kInIntervention, CaseMove::kStartRecoverySupport, kNo, 98, "TRANSITION_LIMIT"},
           {S::kInIntervention, CaseMove::kRefer, kNo, 99, "TRANSITION_LIMIT"},
           {S::kReferred, CaseMove::kResume, S::kInIntervention, 98, "TRANSITION_LIMIT"},
           // Final moves and voids always fit: 98 + end + void = 100.
           {S::kInIntervention, CaseMove::kComplete, kNo, 98, ""},
           {S::kInIntervention, CaseMove::kDropOut, kNo, 98, ""},
           {S::kInIntervention, CaseMove::kTransfer, kNo, 98, ""},
           {S::kInIntervention, CaseMove::kVoid, kNo, 98, ""},
           {S::kCompleted, CaseMove::kVoid, kNo, 99, ""},
           // Legality is told before the limit.
           {S::kCompleted, CaseMove::kStartIntervention, kNo, 99, "ILLEGAL_TRANSITION"},
       }) {
    SCOPED_TRACE(absl::StrCat(StateName(c.from), " with ", c.transitions));
    const absl::Status st = CheckMove(c.from, c.move, c.transitions, c.resume_to);
    if (std::string(c.reason).empty()) {
      EXPECT_TRUE(st.ok()) << st;
    } else {
      EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_EQ(ReasonOf(st), c.reason);
    }
  }
  EXPECT_EQ(kMaxTransitions, 100);
  EXPECT_EQ(kOpenMoveLimit, 98);
}

TEST(LifecycleTest, TodayIsTheDayInWit) {
  // 2026-01-01 15:30 UTC is already 2026-01-02 00:30 in WIT (UTC+9).
  EXPECT_EQ(Today(absl::FromCivil(absl::CivilSecond(2026, 1, 1, 15, 30, 0), absl::UTCTimeZone())),
            absl::CivilDay(2026, 1, 2));
  EXPECT_EQ(Today(absl::FromCivil(absl::CivilSecond(2026, 1, 1, 14, 59, 0), absl::UTCTimeZone())),
            absl::CivilDay(2026, 1, 1));
}

TEST(LifecycleTest, EffectiveDates) {
  const absl::CivilDay today(2026, 3, 10), last(2026, 2, 1);
  struct DateCase {
    absl::CivilDay date;
    bool ok;
  };
  for (const DateCase& c : std::vector<DateCase>{
           {today, true},
           {last, true},  // the same day as the previous transition
           {absl::CivilDay(2026, 2, 20), true},
           {today + 1, false},  // the future
           {last - 1, false},   // before the previous transition
       }) {
    platform::FieldViolations v;
    CheckEffectiveDate(v, "effective_date", c.date, today, last);
    EXPECT_EQ(v.empty(), c.ok) << c.date;
    if (!c.ok) {
      auto fields = platform::FieldViolationsOf(v.status());
      ASSERT_EQ(fields.size(), 1u);
      EXPECT_EQ(fields[0].first, "effective_date");
    }
  }
}

TEST(LifecycleTest, EnrollmentDates) {
  const absl::CivilDay today(2026, 3, 10);
  struct DateCase {
    absl::CivilDay date;
    std::optional<absl::CivilDay> next;
    bool ok;
  };
  for (const DateCase& c : std::vector<DateCase>{
           {today, std::nullopt, true},
           {today + 1, std::nullopt, false},
           {absl::CivilDay(2026, 1, 5), absl::CivilDay(2026, 1, 5), true},
           {absl::CivilDay(2026, 1, 6), absl::CivilDay(2026, 1, 5), false},
       }) {
    platform::FieldViolations v;
    CheckEnrollmentDate(v, "case.enrollment_date", c.date, today, c.next);
    EXPECT_EQ(v.empty(), c.ok) << c.date;
  }
}

}  // namespace
}  // namespace ibm::cases::rules
