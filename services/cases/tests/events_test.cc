// The case event feed through the API, on both engines: what ends, voids and transfers
// publish, the gap-free sequence under concurrent writers, pulls with page tokens, cumulative
// acknowledgements, and who may read the referrals system's subscription.
#include <thread>

#include "absl/strings/str_cat.h"
#include "cases/store/clients.h"
#include "cases/tests/cases_fixture.h"

namespace ibm::cases {
namespace {

using registry::HasField;

constexpr char kSubscription[] = "caseEventSubscriptions/referrals";

google::type::Date D(int y, int m, int d) {
  google::type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

class CaseEventsTest : public CasesTest {
 protected:
  std::string NewClient() {
    const std::string id = NewId("");
    store::Client c;
    c.id = id;
    c.unit_id = unit_.name().substr(6);
    c.satker_id = "bnnk-32.73";
    c.village_code = "32.73.04.1001";
    c.sex = 2;
    c.birth_year = 1990;
    c.admission_path = 1;
    c.legal_basis = 1;
    c.state = 1;  // ACTIVE
    c.details = v1::Client().SerializeAsString();
    c.create_actor = "test";
    c.create_time_us = c.update_time_us = absl::ToUnixMicros(absl::Now());
    auto st = cases_db_->Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      return store::Clients(cases_db_->dialect()).Insert(s, c);
    });
    EXPECT_TRUE(st.ok()) << st;
    return "clients/" + id;
  }
  v1::Case Enroll(const std::string& client, const rv1::Unit& unit) {
    v1::CreateCaseRequest req;
    req.set_parent(unit.name());
    req.mutable_case_()->set_client(client);
    *req.mutable_case_()->mutable_enrollment_date() = D(2026, 1, 10);
    v1::Case out;
    auto s = cases_->CreateCase(Bnnk().get(), testing::WithRequestId(req), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  v1::Case Intervene(const v1::Case& c) {
    v1::StartCaseInterventionRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 2, 1);
    v1::Case out;
    EXPECT_TRUE(cases_->StartCaseIntervention(Bnnk().get(), req, &out).ok());
    return out;
  }
  grpc::Status DropOut(const v1::Case& c, v1::Case* out) {
    v1::DropOutCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 3, 2);
    req.set_reason(v1::DROP_OUT_REASON_DETAINED);
    return cases_->DropOutCase(Bnnk().get(), req, out);
  }
  std::unique_ptr<grpc::ClientContext> Referrals() const { return System("referrals"); }

  v1::PullCaseEventsResponse Pull(int page_size = 0, const std::string& token = "") {
    v1::PullCaseEventsRequest req;
    req.set_subscription(kSubscription);
    req.set_page_size(page_size);
    req.set_page_token(token);
    v1::PullCaseEventsResponse out;
    auto s = events_->PullCaseEvents(Referrals().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status Ack(int64_t sequence, v1::CaseEventSubscription* out) {
    v1::AcknowledgeCaseEventsRequest req;
    req.set_subscription(kSubscription);
    req.set_sequence(sequence);
    return events_->AcknowledgeCaseEvents(Referrals().get(), req, out);
  }
  v1::CaseEventSubscription Subscription() {
    v1::GetCaseEventSubscriptionRequest req;
    req.set_name(kSubscription);
    v1::CaseEventSubscription out;
    auto s = events_->GetCaseEventSubscription(Referrals().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

TEST_P(CaseEventsTest, EndsVoidsAndTransfersEachPublishOneEvent) {
  EXPECT_EQ(Pull().events_size(), 0);  // moves that do not end a case publish nothing
  const rv1::Unit cijerah = MakeUnit("32.73.04.1002", "bnnk-32.73");
  // Completed.
  const std::string c1 = NewClient();
  v1::Case completed = Intervene(Enroll(c1, unit_));
  {
    v1::CompleteCaseRequest req;
    req.set_name(completed.name());
    *req.mutable_effective_date() = D(2026, 3, 1);
    req.set_exit_assessment_waiver("no kit in stock");
    ASSERT_TRUE(cases_->CompleteCase(Bnnk().get(), req, &completed).ok());
  }
  // Dropped out.
  v1::Case dropped;
  ASSERT_TRUE(DropOut(Enroll(NewClient(), unit_), &dropped).ok());
  // Voided (from IN_INTERVENTION).
  v1::Case voided = Intervene(Enroll(NewClient(), unit_));
  {
    v1::VoidCaseRequest req;
    req.set_name(voided.name());
    req.set_reason("wrong client");
    ASSERT_TRUE(cases_->VoidCase(Bnnk().get(), req, &voided).ok());
  }
  // Transferred.
  const std::string c4 = NewClient();
  const v1::Case source = Enroll(c4, unit_);
  v1::TransferCaseResponse transfer;
  {
    v1::TransferCaseRequest req;
    req.set_name(source.name());
    *req.mutable_effective_date() = D(2026, 4, 1);
    req.set_target_unit(cijerah.name());
    req.set_reason("moved");
    ASSERT_TRUE(cases_->TransferCase(Bnnk().get(), testing::WithRequestId(req), &transfer).ok());
  }

  const v1::PullCaseEventsResponse page = Pull();
  ASSERT_EQ(page.events_size(), 4);
  EXPECT_EQ(page.next_page_token(), "");
  EXPECT_EQ(page.acknowledged_sequence(), 0);
  std::set<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    const v1::CaseEvent& e = page.events(i);
    EXPECT_EQ(e.sequence(), i + 1);
    EXPECT_TRUE(ids.insert(e.event_id()).second);
    EXPECT_EQ(e.satker(), "satkers/bnnk-32.73");
    EXPECT_GT(e.publish_time().seconds(), 0);
    EXPECT_GT(e.commit_time().seconds(), 0);
  }
  const v1::CaseEvent& e1 = page.events(0);
  EXPECT_EQ(e1.type(), v1::CASE_EVENT_TYPE_CASE_ENDED);
  EXPECT_EQ(e1.client(), c1);
  EXPECT_EQ(e1.case_(), completed.name());
  ASSERT_TRUE(e1.has_case_ended());
  EXPECT_EQ(e1.case_ended().end_state(), v1::CASE_STATE_COMPLETED);
  EXPECT_EQ(e1.case_ended().drop_out_reason(), v1::DROP_OUT_REASON_UNSPECIFIED);
  EXPECT_EQ(e1.case_ended().end_date().day(), 1);
  EXPECT_EQ(e1.case_ended().end_date().month(), 3);
  const v1::CaseEvent& e2 = page.events(1);
  EXPECT_EQ(e2.type(), v1::CASE_EVENT_TYPE_CASE_ENDED);
  EXPECT_EQ(e2.case_(), dropped.name());
  EXPECT_EQ(e2.case_ended().end_state(), v1::CASE_STATE_DROPPED_OUT);
  EXPECT_EQ(e2.case_ended().drop_out_reason(), v1::DROP_OUT_REASON_DETAINED);
  EXPECT_EQ(e2.case_ended().end_date().day(), 2);
  const v1::CaseEvent& e3 = page.events(2);
  EXPECT_EQ(e3.type(), v1::CASE_EVENT_TYPE_CASE_VOIDED);
  EXPECT_EQ(e3.case_(), voided.name());
  ASSERT_TRUE(e3.has_case_voided());
  EXPECT_EQ(e3.case_voided().previous_state(), v1::CASE_STATE_IN_INTERVENTION);
  const v1::CaseEvent& e4 = page.events(3);
  EXPECT_EQ(e4.type(), v1::CASE_EVENT_TYPE_CASE_TRANSFERRED);
  EXPECT_EQ(e4.client(), c4);
  EXPECT_EQ(e4.case_(), source.name());
  ASSERT_TRUE(e4.has_case_transferred());
  EXPECT_EQ(e4.case_transferred().target_case(), transfer.target_case().name());
  EXPECT_EQ(e4.case_transferred().target_satker(), "satkers/bnnk-32.73");
  EXPECT_EQ(e4.case_transferred().effective_date().month(), 4);
  // No free text travels: not the void's reason, not the waiver.
  for (const auto& e : page.events()) {
    EXPECT_EQ(e.SerializeAsString().find("wrong client"), std::string::npos);
    EXPECT_EQ(e.SerializeAsString().find("no kit"), std::string::npos);
  }
}

TEST_P(CaseEventsTest, PullPagesAndAcknowledgeCumulatively) {
  for (int i = 0; i < 5; ++i) {
    v1::Case out;
    ASSERT_TRUE(DropOut(Enroll(NewClient(), unit_), &out).ok());
  }
  v1::CaseEventSubscription sub = Subscription();
  EXPECT_EQ(sub.name(), kSubscription);
  EXPECT_EQ(sub.system(), "referrals");
  EXPECT_EQ(sub.acknowledged_sequence(), 0);
  EXPECT_EQ(sub.latest_sequence(), 5);
  EXPECT_EQ(sub.pending_events(), 5);
  EXPECT_TRUE(sub.has_oldest_pending_publish_time());
  EXPECT_FALSE(sub.has_acknowledge_time());

  // Pages of two: 1-2, 3-4, 5, then the end.
  std::vector<int64_t> seen;
  std::string token;
  int pages = 0;
  do {
    const auto page = Pull(2, token);
    for (const auto& e : page.events()) seen.push_back(e.sequence());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(pages, 3);

  // Acknowledging 3 covers 1-3; the next pull without a token starts at 4.
  ASSERT_TRUE(Ack(3, &sub).ok());
  EXPECT_EQ(sub.acknowledged_sequence(), 3);
  EXPECT_EQ(sub.pending_events(), 2);
  EXPECT_TRUE(sub.has_acknowledge_time());
  auto page = Pull();
  ASSERT_EQ(page.events_size(), 2);
  EXPECT_EQ(page.events(0).sequence(), 4);
  EXPECT_EQ(page.acknowledged_sequence(), 3);
  // At or below the acknowledged position: nothing changes (a retry is safe).
  ASSERT_TRUE(Ack(2, &sub).ok());
  EXPECT_EQ(sub.acknowledged_sequence(), 3);
  ASSERT_TRUE(Ack(3, &sub).ok());
  EXPECT_EQ(sub.acknowledged_sequence(), 3);
  // Above the latest, or below 1: INVALID_ARGUMENT sequence.
  auto s = Ack(6, &sub);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("sequence"));
  EXPECT_THAT(Ack(0, &sub), HasField("sequence"));
  ASSERT_TRUE(Ack(5, &sub).ok());
  EXPECT_EQ(sub.pending_events(), 0);
  EXPECT_FALSE(sub.has_oldest_pending_publish_time());
  EXPECT_EQ(Pull().events_size(), 0);
  // A token that is not one, or one of another query.
  v1::PullCaseEventsRequest bad;
  bad.set_subscription(kSubscription);
  bad.set_page_token("garbage");
  v1::PullCaseEventsResponse out;
  EXPECT_THAT(events_->PullCaseEvents(Referrals().get(), bad, &out), HasField("page_token"));
}

// WithdrawClientConsent (ClientService) ends the open case through
// EndOpenCaseOnConsentWithdrawal: CASE_ENDED first, then CLIENT_CONSENT_WITHDRAWN, from one
// transaction.
TEST_P(CaseEventsTest, ConsentWithdrawalEndsTheOpenCaseFirst) {
  const std::string client = NewClient();
  const v1::Case open = Intervene(Enroll(client, unit_));
  v1::WithdrawClientConsentRequest req;
  req.set_name(client);
  auto* w = req.mutable_withdrawal();
  w->mutable_withdraw_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
  w->set_method(v1::CONSENT_METHOD_VERBAL_WITNESSED);
  w->set_witness("village head");
  v1::Client withdrawn;
  auto s = clients_->WithdrawClientConsent(Bnnk().get(), req, &withdrawn);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::GetCaseRequest get;
  get.set_name(open.name());
  v1::Case ended;
  ASSERT_TRUE(cases_->GetCase(Bnnk().get(), get, &ended).ok());
  EXPECT_EQ(ended.state(), v1::CASE_STATE_DROPPED_OUT);
  EXPECT_EQ(ended.drop_out_reason(), v1::DROP_OUT_REASON_CONSENT_WITHDRAWN);
  ASSERT_EQ(ended.transitions_size(), 3);
  EXPECT_EQ(ended.transitions(2).method(), "WithdrawClientConsent");
  const auto page = Pull();
  ASSERT_EQ(page.events_size(), 2);
  EXPECT_EQ(page.events(0).sequence(), 1);
  EXPECT_EQ(page.events(0).type(), v1::CASE_EVENT_TYPE_CASE_ENDED);
  EXPECT_EQ(page.events(0).case_(), open.name());
  EXPECT_EQ(page.events(0).case_ended().end_state(), v1::CASE_STATE_DROPPED_OUT);
  EXPECT_EQ(page.events(0).case_ended().drop_out_reason(), v1::DROP_OUT_REASON_CONSENT_WITHDRAWN);
  EXPECT_EQ(page.events(1).sequence(), 2);
  EXPECT_EQ(page.events(1).type(), v1::CASE_EVENT_TYPE_CLIENT_CONSENT_WITHDRAWN);
  EXPECT_EQ(page.events(1).client_consent_withdrawn().ended_case(), open.name());
  // The client has no open case, and takes no new one.
  v1::CreateCaseRequest again;
  again.set_parent(unit_.name());
  again.mutable_case_()->set_client(client);
  *again.mutable_case_()->mutable_enrollment_date() = D(2026, 5, 1);
  v1::Case out;
  s = cases_->CreateCase(Bnnk().get(), testing::WithRequestId(again), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "CLIENT_NOT_ACTIVE");
}

TEST_P(CaseEventsTest, ConcurrentEndsGetEverySequenceOnce) {
  constexpr int kCases = 12;
  std::vector<v1::Case> cases;
  for (int i = 0; i < kCases; ++i) cases.push_back(Enroll(NewClient(), unit_));
  std::vector<std::thread> threads;
  std::vector<grpc::Status> results(kCases);
  for (int i = 0; i < kCases; ++i) {
    threads.emplace_back([&, i] {
      v1::Case out;
      results[i] = DropOut(cases[i], &out);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.error_message();
  const auto page = Pull(1000);
  ASSERT_EQ(page.events_size(), kCases);
  std::set<std::string> named;
  for (int i = 0; i < kCases; ++i) {
    EXPECT_EQ(page.events(i).sequence(), i + 1);  // 1..12, no gap, no repeat
    named.insert(page.events(i).case_());
  }
  EXPECT_EQ(named.size(), static_cast<size_t>(kCases));
  EXPECT_EQ(Subscription().latest_sequence(), kCases);
}

TEST_P(CaseEventsTest, OnlyTheReferralsSystemReadsItsSubscription) {
  v1::GetCaseEventSubscriptionRequest get;
  get.set_name(kSubscription);
  v1::PullCaseEventsRequest pull;
  pull.set_subscription(kSubscription);
  v1::AcknowledgeCaseEventsRequest ack;
  ack.set_subscription(kSubscription);
  ack.set_sequence(1);
  v1::CaseEventSubscription sub;
  v1::PullCaseEventsResponse page;
  const std::vector<std::pair<std::string, std::function<std::unique_ptr<grpc::ClientContext>()>>>
      others = {{"supervision", [&] { return System("supervision"); }},
                {"integration", [&] { return System("integration"); }},
                {"BNN officer", [&] { return Officer("bnn"); }},
                {"BNNK officer", [&] { return Bnnk(); }},
                {"agent", [&] { return Agent(); }},
                {"service", [&] { return cases_server_->As("service", "bnn"); }}};
  for (const auto& [who, ctx] : others) {
    SCOPED_TRACE(who);
    auto s = events_->GetCaseEventSubscription(ctx().get(), get, &sub);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    s = events_->PullCaseEvents(ctx().get(), pull, &page);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    s = events_->AcknowledgeCaseEvents(ctx().get(), ack, &sub);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  // Unknown and malformed subscriptions.
  get.set_name("caseEventSubscriptions/billing");
  EXPECT_EQ(events_->GetCaseEventSubscription(Referrals().get(), get, &sub).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_name("subscriptions/referrals");
  EXPECT_THAT(events_->GetCaseEventSubscription(Referrals().get(), get, &sub), HasField("name"));
  pull.set_subscription("caseEventSubscriptions/");
  EXPECT_THAT(events_->PullCaseEvents(Referrals().get(), pull, &page), HasField("subscription"));
}

IBM_ON_BOTH_ENGINES(CaseEventsTest);

}  // namespace
}  // namespace ibm::cases
