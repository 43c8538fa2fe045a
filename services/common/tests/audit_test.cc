// The audit log's queue and sequencer on both engines: what a writer appends is chained in
// order, exactly once, whoever chains it (several replicas at once), after a crash too; a
// queued entry changed before it is chained is recorded as tampering, never as it stands.

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "audit/audit_log.h"
#include "base/sealing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sql/migrations.h"
#include "testing/engine_test.h"

namespace ibm::audit {
namespace {

using ::testing::HasSubstr;

class AuditTest : public testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::vector<std::string> statements = {
        "CREATE TABLE IF NOT EXISTS changes (seq {AUTO_ID}, resource VARCHAR(200) NOT NULL, "
        "action INT NOT NULL, actor VARCHAR(200) NOT NULL, actor_satker VARCHAR(40) NOT NULL, "
        "change_time BIGINT NOT NULL, fields VARCHAR(1000) NOT NULL, "
        "summary VARCHAR(500) NOT NULL, request_id VARCHAR(100) NOT NULL) {TABLE_OPTIONS}"};
    for (auto& s : ChainMigration("changes")) statements.push_back(s);
    for (auto& s : QueueMigration("changes", 500)) statements.push_back(s);
    ASSERT_TRUE(sql::Migrate(*db_, {{1, "audit test", statements}}).ok());
    keys_ = *platform::FieldSealer::FromKeyText(platform::FieldSealer::NewKeyLine("k1"), "keys");
    log_ = std::make_unique<AuditLog>("changes", "test", keys_, db_->dialect());
  }

  // Appends one entry per transaction, `n` of them, named "units/<first + i>".
  void Append(int first, int n, const AuditLog* log = nullptr) {
    for (int i = first; i < first + n; ++i) {
      absl::Status s = db_->Transact(sql::TxMode::kReadWrite, [&](sql::Session& tx) {
        return (log ? log : log_.get())
            ->Append(tx, Entry{absl::StrCat("units/", i), 1, "officer-1", "bnnk-32.73",
                               1700000000000000 + i, "display_name", "method=UpdateUnit",
                               absl::StrCat("req-", i)});
      });
      ASSERT_TRUE(s.ok()) << s;
    }
  }

  int64_t Count(absl::string_view table) {
    auto r = db_->Query(absl::StrCat("SELECT COUNT(*) FROM ", table));
    return r.ok() ? r->front().Int(0) : -1;
  }

  VerifyReport Verify() {
    auto r = log_->Verify(*db_, 0, 100000, absl::Now() + absl::Seconds(30));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : VerifyReport{};
  }

  std::shared_ptr<const platform::FieldSealer> keys_;
  std::unique_ptr<AuditLog> log_;
};

TEST_P(AuditTest, AppendQueuesInTheWritersTransactionAndSequenceChainsInOrder) {
  Append(1, 5);
  // A rolled-back write leaves nothing queued.
  absl::Status failed = db_->Transact(sql::TxMode::kReadWrite, [&](sql::Session& tx) {
    if (auto s = log_->Append(tx, Entry{"units/x", 1, "a", "bnn", 1, "", "", ""}); !s.ok()) {
      return s;
    }
    return absl::FailedPreconditionError("changed its mind");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("changes_queue"), 5);
  EXPECT_EQ(Count("changes"), 0);
  VerifyReport before = Verify();
  EXPECT_EQ(before.queued, 5);
  EXPECT_EQ(before.verified, 0);
  EXPECT_EQ(before.broken_seq, 0) << before.problem;

  auto chained = log_->Sequence(*db_, 3);
  ASSERT_TRUE(chained.ok()) << chained.status();
  EXPECT_EQ(*chained, 3);
  ASSERT_TRUE(log_->SequenceAll(*db_).ok());
  EXPECT_EQ(Count("changes_queue"), 0);
  auto rows = db_->Query("SELECT seq, resource FROM changes ORDER BY seq");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*rows)[i].Int(0), i + 1);
    EXPECT_EQ((*rows)[i].Text(1), absl::StrCat("units/", i + 1));
  }
  VerifyReport after = Verify();
  EXPECT_EQ(after.verified, 5);
  EXPECT_EQ(after.head_seq, 5);
  EXPECT_EQ(after.queued, 0);
  EXPECT_EQ(after.broken_seq, 0) << after.problem;
  // Nothing queued: nothing to do.
  EXPECT_EQ(*log_->Sequence(*db_), 0);
}

TEST_P(AuditTest, AQueuedEntryChangedBeforeItIsChainedIsRecordedAsTampering) {
  Append(1, 3);
  auto qids = db_->Query("SELECT qid FROM changes_queue ORDER BY qid");
  ASSERT_TRUE(qids.ok() && qids->size() == 3u);
  const int64_t changed = (*qids)[1].Int(0);
  // Someone hides who made the second change, and forges a fourth with a made-up MAC.
  ASSERT_TRUE(
      db_->Exec("UPDATE changes_queue SET actor = 'someone-else' WHERE qid = ?", {changed}).ok());
  ASSERT_TRUE(db_->Exec("INSERT INTO changes_queue (resource, action, actor, actor_satker, "
                        "change_time, fields, summary, request_id, entry_key, entry_mac) "
                        "VALUES ('units/9', 1, 'x', 'bnn', 1, '', '', '', 'k1', 'abcd')")
                  .ok());
  ASSERT_TRUE(log_->SequenceAll(*db_).ok());
  auto rows = db_->Query("SELECT seq, resource, action, actor FROM changes ORDER BY seq");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].Text(1), "units/1");
  // Neither the changed nor the forged entry is chained as it stands.
  EXPECT_EQ((*rows)[1].Text(1), absl::StrCat("changes_queue/", changed));
  EXPECT_EQ((*rows)[1].Int(2), kTamperedQueueEntry);
  EXPECT_EQ((*rows)[1].Text(3), "audit-sequencer");
  EXPECT_EQ((*rows)[2].Text(1), "units/3");
  EXPECT_EQ((*rows)[3].Int(2), kTamperedQueueEntry);
  VerifyReport report = Verify();
  EXPECT_EQ(report.broken_seq, 2);
  EXPECT_THAT(report.problem, HasSubstr("changed in the queue"));
}

TEST_P(AuditTest, ATamperedHeadStopsTheChainAndLeavesTheQueueIntact) {
  Append(1, 2);
  ASSERT_TRUE(log_->SequenceAll(*db_).ok());
  ASSERT_TRUE(db_->Exec("UPDATE changes_head SET last_seq = 1").ok());
  Append(3, 2);
  absl::Status s = log_->SequenceAll(*db_);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("head"));
  EXPECT_EQ(Count("changes_queue"), 2);
  EXPECT_EQ(Count("changes"), 2);
  VerifyReport report = Verify();
  EXPECT_NE(report.broken_seq, 0);
  EXPECT_EQ(report.queued, 2);
}

// Several replicas' sequencers (and readers chaining before they read) at once, while
// writers append: every entry is chained once, in one unbroken chain.
TEST_P(AuditTest, ConcurrentSequencersChainEveryEntryExactlyOnce) {
  auto other_db = test_db_->Open();
  ASSERT_TRUE(other_db.ok()) << other_db.status();
  AuditLog replica("changes", "test", keys_, db_->dialect());
  constexpr int kWriters = 4, kEach = 30;
  std::atomic<bool> writing{true};
  std::atomic<int> errors{0};
  auto chain_until_done = [&](sql::Database* db, const AuditLog* log) {
    while (writing) {
      if (!log->SequenceAll(*db).ok()) ++errors;
    }
  };
  std::thread first(chain_until_done, db_.get(), log_.get());
  std::thread second(chain_until_done, other_db->get(), &replica);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] { Append(w * 1000, kEach, w % 2 ? &replica : log_.get()); });
  }
  for (auto& t : writers) t.join();
  writing = false;
  first.join();
  second.join();
  EXPECT_EQ(errors, 0);
  ASSERT_TRUE(log_->SequenceAll(*db_).ok());
  EXPECT_EQ(Count("changes_queue"), 0);
  EXPECT_EQ(Count("changes"), kWriters * kEach);
  auto distinct = db_->Query("SELECT COUNT(DISTINCT request_id) FROM changes");
  ASSERT_TRUE(distinct.ok());
  EXPECT_EQ(distinct->front().Int(0), kWriters * kEach);
  VerifyReport report = Verify();
  EXPECT_EQ(report.verified, kWriters * kEach);
  EXPECT_EQ(report.broken_seq, 0) << report.problem;
}

TEST_P(AuditTest, TheSequencerChainsSoonAfterCommitAndWhatACrashLeftAtItsStart) {
  // A "crash": entries committed to the queue and no sequencer ran.
  Append(1, 3);
  {
    Sequencer sequencer(db_.get(), {log_.get()},
                        Sequencer::Options{absl::Milliseconds(1), absl::Seconds(60)});
    // Chained at its start, without waiting for the (long) tick.
    const absl::Time until = absl::Now() + absl::Seconds(10);
    while (Count("changes") < 3 && absl::Now() < until) absl::SleepFor(absl::Milliseconds(5));
    EXPECT_EQ(Count("changes"), 3);
    // Rung by the commit: chained well before the tick.
    Append(4, 2);
    while (Count("changes") < 5 && absl::Now() < until) absl::SleepFor(absl::Milliseconds(5));
    EXPECT_EQ(Count("changes"), 5);
    Append(6, 1);
  }  // the last pass at stop chains the rest
  EXPECT_EQ(Count("changes_queue"), 0);
  VerifyReport report = Verify();
  EXPECT_EQ(report.verified, 6);
  EXPECT_EQ(report.broken_seq, 0) << report.problem;
}

IBM_ON_BOTH_ENGINES(AuditTest);

}  // namespace
}  // namespace ibm::audit
