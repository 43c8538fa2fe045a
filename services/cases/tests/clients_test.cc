// ClientService on both engines: the pseudonymous record and who sees which form of it, the
// sealed identity and its access log, NIK deduplication (lookups, registrations, notices),
// consent withdrawal and voiding, idempotent creates, and that identity never reaches the
// database in clear.
#include "cases/store/clients.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cases/nik_index.h"
#include "cases/tests/cases_fixture.h"
#include "resource/secrets.h"

namespace ibm::cases {
namespace {

constexpr char kNik[] = "3273041505980001";  // Bandung Kulon, born 15-05-98, a man
constexpr char kName[] = "Rahmat Hidayat Saputra";
constexpr char kPhone[] = "0812-7788-4411";

google::protobuf::Timestamp Ago(absl::Duration d) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::Now() - d));
  return t;
}

class ClientsTest : public CasesTest {
 protected:
  // A voluntary client of Caringin's unit, registered by its agent, with identity.
  v1::CreateClientRequest Voluntary(const std::string& nik = kNik) const {
    v1::CreateClientRequest r;
    v1::Client* c = r.mutable_client();
    c->set_unit(unit_.name());
    c->set_sex(v1::SEX_MALE);
    c->set_birth_year(1998);
    c->set_home_village("regions/32.73.04.1001");
    c->set_admission_path(v1::ADMISSION_PATH_VOLUNTARY_FAMILY);
    v1::ConsentRecord* consent = c->mutable_consent();
    *consent->mutable_consent_time() = Ago(absl::Hours(1));
    consent->set_method(v1::CONSENT_METHOD_WRITTEN_SIGNATURE);
    consent->set_obtained_by(agent_.name());
    consent->set_form_version("ibm-consent-2025");
    consent->add_purposes(v1::CONSENT_PURPOSE_SERVICES);
    consent->set_document_sha256(std::string(64, 'a'));
    v1::ClientIdentity* id = r.mutable_identity();
    if (!nik.empty()) id->set_nik(nik);
    id->set_full_name(kName);
    id->set_phone(kPhone);
    r.set_request_id(testing::NextRequestId());
    return r;
  }

  v1::Client Create(const v1::CreateClientRequest& r, grpc::ClientContext* ctx) {
    v1::Client out;
    grpc::Status s = clients_->CreateClient(ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::GetClientIdentityRequest ReadIdentity(const std::string& client) const {
    v1::GetClientIdentityRequest r;
    r.set_name(client + "/identity");
    r.set_purpose(v1::IDENTITY_ACCESS_PURPOSE_CASE_WORK);
    r.set_justification("home visit planned for the next session");
    return r;
  }

  grpc::Status Lookup(grpc::ClientContext* ctx, const std::string& nik,
                      v1::LookupClientByNikResponse* out, const std::string& request_id = "") {
    v1::LookupClientByNikRequest r;
    r.set_nik(nik);
    r.set_justification("checking before registration");
    r.set_request_id(request_id.empty() ? testing::NextRequestId() : request_id);
    return clients_->LookupClientByNik(ctx, r, out);
  }

  static std::string Metadata(const grpc::Status& s, const std::string& key) {
    auto info = platform::ErrorInfoOf(platform::FromGrpcStatus(s));
    auto it = info.metadata().find(key);
    return it == info.metadata().end() ? "" : it->second;
  }
};

TEST_P(ClientsTest, AgentRegistersAndEachCallerSeesItsForm) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  EXPECT_THAT(made.name(), ::testing::StartsWith("clients/c"));
  EXPECT_EQ(made.unit(), unit_.name());
  EXPECT_EQ(made.satker(), "satkers/bnnk-32.73");
  EXPECT_EQ(made.state(), v1::Client::STATE_ACTIVE);
  EXPECT_EQ(made.legal_basis(), v1::LEGAL_BASIS_CONSENT);
  EXPECT_TRUE(made.has_identity());
  EXPECT_TRUE(made.has_nik());
  EXPECT_EQ(made.home_regency(), "regions/32.73");
  EXPECT_EQ(made.consent().recorded_by(), agent_.name());

  v1::GetClientRequest get;
  get.set_name(made.name());
  v1::Client full, coarse;
  ASSERT_TRUE(clients_->GetClient(Bnnk().get(), get, &full).ok());
  EXPECT_EQ(full.birth_year(), 1998);
  EXPECT_EQ(full.home_village(), "regions/32.73.04.1001");
  EXPECT_FALSE(full.coarsened());
  // BNN central monitors: the coarse form (age band and regency, no birth year or village).
  ASSERT_TRUE(clients_->GetClient(Officer("bnn").get(), get, &coarse).ok());
  EXPECT_TRUE(coarse.coarsened());
  EXPECT_FALSE(coarse.has_birth_year());
  EXPECT_EQ(coarse.home_village(), "");
  EXPECT_EQ(coarse.home_regency(), "regions/32.73");
  EXPECT_NE(coarse.age_band(), v1::AGE_BAND_UNSPECIFIED);

  // Out of scope: another province's officer, another unit's agent.
  v1::Client out;
  grpc::Status s = clients_->GetClient(Officer("bnnp-33").get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(s), "OUT_OF_SCOPE");
  s = clients_->GetClient(AgentOf(other_agent_).get(), get, &out);
  EXPECT_EQ(ReasonOf(s), "OUT_OF_SCOPE");
  // Systems: referrals reads by name; supervision never; a `service` token never.
  EXPECT_TRUE(clients_->GetClient(System("referrals").get(), get, &out).ok());
  s = clients_->GetClient(System("supervision").get(), get, &out);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  s = clients_->GetClient(cases_server_->As("service", "bnn").get(), get, &out);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  auto claims = cases_server_->tokens().Claims("system", "bnn", "referrals-1");
  claims["system"] = "referrals";  // a system posing with a satker
  s = clients_->GetClient(cases_server_->WithClaims(claims).get(), get, &out);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
}

TEST_P(ClientsTest, ListsPageAndNeverCarryIdentity) {
  for (int i = 0; i < 3; ++i) {
    Create(Voluntary(absl::StrCat("32730415059800", 10 + i)), Agent().get());
  }
  v1::ListClientsRequest list;
  list.set_unit(unit_.name());
  auto names = PagesOfOne<v1::ListClientsResponse>(
      list,
      [&](const v1::ListClientsRequest& r, v1::ListClientsResponse* out) {
        return clients_->ListClients(Bnnk().get(), r, out);
      },
      [](const v1::ListClientsResponse& p) {
        std::vector<std::string> n;
        for (const auto& c : p.clients()) {
          EXPECT_FALSE(c.has_consent());  // BASIC view
          n.push_back(c.name());
        }
        return n;
      });
  EXPECT_EQ(names.size(), 3u);
  // An agent lists its own unit without naming it; another unit's agent sees none of them.
  v1::ListClientsResponse mine, theirs;
  ASSERT_TRUE(clients_->ListClients(Agent().get(), v1::ListClientsRequest{}, &mine).ok());
  EXPECT_EQ(mine.clients_size(), 3);
  ASSERT_TRUE(
      clients_->ListClients(AgentOf(other_agent_).get(), v1::ListClientsRequest{}, &theirs).ok());
  EXPECT_EQ(theirs.clients_size(), 0);
  // National callers filter by province or regency only.
  v1::ListClientsRequest by_village;
  by_village.set_home_region("regions/32.73.04.1001");
  v1::ListClientsResponse out;
  grpc::Status s = clients_->ListClients(Officer("bnn").get(), by_village, &out);
  EXPECT_THAT(s, registry::HasField("home_region"));
  list.set_page_size(-1);
  EXPECT_THAT(clients_->ListClients(Bnnk().get(), list, &out), registry::HasField("page_size"));
}

TEST_P(ClientsTest, BadRegistrationsNameTheField) {
  struct Case {
    std::string field;
    std::function<void(v1::CreateClientRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {"client.sex", [](auto& r) { r.mutable_client()->clear_sex(); }},
      {"client.birth_year", [](auto& r) { r.mutable_client()->set_birth_year(1899); }},
      {"client.birth_year", [](auto& r) { r.mutable_client()->clear_birth_year(); }},
      {"client.home_village",
       [](auto& r) { r.mutable_client()->set_home_village("regions/32.73"); }},
      {"client.consent", [](auto& r) { r.mutable_client()->clear_consent(); }},
      {"client.consent.consent_time",
       [](auto& r) {
         *r.mutable_client()->mutable_consent()->mutable_consent_time() = Ago(-absl::Hours(2));
       }},
      {"client.consent.obtained_by",
       [](auto& r) {
         r.mutable_client()->mutable_consent()->set_obtained_by("units/33.74.01.1001-1/agents/x");
       }},
      {"client.consent.purposes",
       [](auto& r) { r.mutable_client()->mutable_consent()->clear_purposes(); }},
      {"client.consent.document_sha256",
       [](auto& r) { r.mutable_client()->mutable_consent()->set_document_sha256("ABC"); }},
      {"identity.nik", [](auto& r) { r.mutable_identity()->set_nik("327304150598"); }},
      {"identity.nik", [](auto& r) { r.mutable_identity()->set_nik("3273043213980001"); }},
      {"identity.nik", [](auto& r) { r.mutable_identity()->set_nik("3273041505980000"); }},
      {"identity.phone", [](auto& r) { r.mutable_identity()->set_phone("call me"); }},
      {"identity.legal_order",
       [](auto& r) { r.mutable_identity()->mutable_legal_order()->set_number("1"); }},
      {"request_id", [](auto& r) { r.clear_request_id(); }},
  };
  for (const Case& c : cases) {
    v1::CreateClientRequest r = Voluntary();
    c.spoil(r);
    v1::Client out;
    grpc::Status s = clients_->CreateClient(Bnnk().get(), r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(s, registry::HasField(c.field));
    // The NIK is never echoed back.
    EXPECT_THAT(s.error_message(), ::testing::Not(::testing::HasSubstr("327304")));
  }
  // A retired or unknown village is the registry's to say.
  v1::CreateClientRequest unknown = Voluntary();
  unknown.mutable_client()->set_home_village("regions/32.73.04.1999");
  v1::Client out;
  EXPECT_THAT(clients_->CreateClient(Bnnk().get(), unknown, &out),
              registry::HasField("client.home_village"));
  // Agents never register compulsory clients.
  v1::CreateClientRequest compulsory = Voluntary();
  compulsory.mutable_client()->set_admission_path(v1::ADMISSION_PATH_COMPULSORY_LEGAL);
  grpc::Status s = clients_->CreateClient(Agent().get(), compulsory, &out);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  // Nothing was half-written.
  v1::ListClientsResponse all;
  ASSERT_TRUE(clients_->ListClients(Bnnk().get(), v1::ListClientsRequest{}, &all).ok());
  EXPECT_EQ(all.clients_size(), 0);
}

TEST_P(ClientsTest, IdentityOnlyForTheFosteringSatkerAndTheUnitEveryReadLogged) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  v1::ClientIdentity id;
  ASSERT_TRUE(clients_->GetClientIdentity(Bnnk().get(), ReadIdentity(made.name()), &id).ok());
  EXPECT_EQ(id.nik(), kNik);
  EXPECT_EQ(id.full_name(), kName);
  ASSERT_TRUE(clients_->GetClientIdentity(Agent().get(), ReadIdentity(made.name()), &id).ok());
  EXPECT_EQ(id.phone(), kPhone);

  // BNNP Jawa Barat covers the unit but does not foster it; BNN central never reads identity.
  grpc::Status s =
      clients_->GetClientIdentity(Officer("bnnp-32").get(), ReadIdentity(made.name()), &id);
  EXPECT_EQ(ReasonOf(s), "OUT_OF_SCOPE");
  s = clients_->GetClientIdentity(Officer("bnn").get(), ReadIdentity(made.name()), &id);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  s = clients_->GetClientIdentity(cases_server_->As("auditor", "bnn").get(),
                                  ReadIdentity(made.name()), &id);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  // A purpose and a justification, always.
  v1::GetClientIdentityRequest bare = ReadIdentity(made.name());
  bare.clear_justification();
  bare.clear_purpose();
  s = clients_->GetClientIdentity(Bnnk().get(), bare, &id);
  EXPECT_THAT(s, registry::HasField("purpose"));
  EXPECT_THAT(s, registry::HasField("justification"));
  // Agents never read the legal order.
  v1::GetClientIdentityRequest order = ReadIdentity(made.name());
  order.mutable_read_mask()->add_paths("legal_order");
  s = clients_->GetClientIdentity(Agent().get(), order, &id);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  // The referrals system: only with an open referral, which nothing can confirm yet.
  v1::GetClientIdentityRequest referral;
  referral.set_name(made.name() + "/identity");
  referral.set_purpose(v1::IDENTITY_ACCESS_PURPOSE_REFERRAL);
  referral.set_referral("referrals/r1");
  s = clients_->GetClientIdentity(System("referrals").get(), referral, &id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);

  // The log: the create and the two reads, with role, purpose and justification.
  v1::ListIdentityAccessRecordsRequest list;
  list.set_parent(made.name());
  v1::ListIdentityAccessRecordsResponse log;
  ASSERT_TRUE(
      clients_->ListIdentityAccessRecords(cases_server_->As("auditor", "bnnp-32").get(), list, &log)
          .ok());
  ASSERT_EQ(log.records_size(), 3);
  EXPECT_EQ(log.records(0).action(), v1::IdentityAccessRecord::ACTION_CREATE);
  EXPECT_EQ(log.records(1).action(), v1::IdentityAccessRecord::ACTION_READ);
  EXPECT_EQ(log.records(1).actor_role(), "officer");
  EXPECT_EQ(log.records(1).justification(), "home visit planned for the next session");
  EXPECT_EQ(log.records(2).actor(), agent_.name());
  EXPECT_EQ(log.records(2).actor_role(), "agent");
  // The chain verifies.
  auto report = [&] {
    auto core_db = cases_db_.get();
    return audit::AuditLog(
               "identity_access", "cases",
               *platform::FieldSealer::FromKeyText(testing::TestServer::FieldKeyLine(), "t"),
               core_db->dialect())
        .Verify(*core_db, 0, 100, absl::Now() + absl::Seconds(10));
  }();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->verified, 3);
  EXPECT_EQ(report->broken_seq, 0);
}

TEST_P(ClientsTest, NikLookupTellsNothingOutsideScopeAndNotifiesTheHolder) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  v1::LookupClientByNikResponse found;
  ASSERT_TRUE(Lookup(Bnnk().get(), kNik, &found).ok());
  EXPECT_EQ(found.result(), v1::LookupClientByNikResponse::RESULT_FOUND);
  EXPECT_EQ(found.client(), made.name());
  // Central Java's officer: outside scope, nothing else; its agent: not found at all.
  v1::LookupClientByNikResponse outside;
  ASSERT_TRUE(Lookup(Officer("bnnp-33").get(), kNik, &outside, "probe-1").ok());
  EXPECT_EQ(outside.result(), v1::LookupClientByNikResponse::RESULT_FOUND_OUTSIDE_SCOPE);
  EXPECT_EQ(outside.client(), "");
  v1::LookupClientByNikResponse agent_view;
  ASSERT_TRUE(Lookup(AgentOf(other_agent_).get(), kNik, &agent_view).ok());
  EXPECT_EQ(agent_view.result(), v1::LookupClientByNikResponse::RESULT_NOT_FOUND);
  // A retry of the same lookup answers the same and files nothing more.
  ASSERT_TRUE(Lookup(Officer("bnnp-33").get(), kNik, &outside, "probe-1").ok());
  EXPECT_EQ(outside.result(), v1::LookupClientByNikResponse::RESULT_FOUND_OUTSIDE_SCOPE);

  // The holding satker lists its notices: one per requester satker while open, counting the
  // officer's and the agent's lookups from BNNP Jawa Tengah (the retry not again).
  v1::ListNikMatchNoticesRequest list;
  list.set_parent("satkers/bnnk-32.73");
  v1::ListNikMatchNoticesResponse notices;
  ASSERT_TRUE(clients_->ListNikMatchNotices(Bnnk().get(), list, &notices).ok());
  ASSERT_EQ(notices.nik_match_notices_size(), 1);
  const v1::NikMatchNotice& first = notices.nik_match_notices(0);
  EXPECT_EQ(first.requester_satker(), "satkers/bnnp-33");
  EXPECT_EQ(first.requester(), "officer-bnnp-33");
  EXPECT_EQ(first.client(), made.name());
  EXPECT_EQ(first.origin(), v1::NikMatchNotice::ORIGIN_LOOKUP);
  EXPECT_EQ(first.match_count(), 2);
  EXPECT_EQ(first.justification(), "checking before registration");
  // Nobody else reads them; the holder closes them with an outcome.
  v1::ListNikMatchNoticesResponse none;
  EXPECT_EQ(ReasonOf(clients_->ListNikMatchNotices(Officer("bnnp-33").get(), list, &none)),
            "OUT_OF_SCOPE");
  v1::CloseNikMatchNoticeRequest close;
  close.set_name(first.name());
  close.set_outcome(v1::NikMatchNotice::OUTCOME_CONTACT_MADE);
  close.set_etag(first.etag());
  v1::NikMatchNotice closed;
  ASSERT_TRUE(clients_->CloseNikMatchNotice(Bnnk().get(), close, &closed).ok());
  EXPECT_EQ(closed.state(), v1::NikMatchNotice::STATE_CLOSED);
  EXPECT_EQ(closed.close_actor(), "officer-bnnk-32.73");
  // Bad lookups.
  v1::LookupClientByNikResponse out;
  EXPECT_THAT(Lookup(Bnnk().get(), "12", &out), registry::HasField("nik"));
  v1::LookupClientByNikRequest bare;
  bare.set_nik(kNik);
  bare.set_request_id("x-1");
  EXPECT_THAT(clients_->LookupClientByNik(Bnnk().get(), bare, &out),
              registry::HasField("justification"));
}

TEST_P(ClientsTest, ASecondRegistrationOfANikIsRefusedOrHeldForReview) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  // In scope: ALREADY_EXISTS naming the client.
  v1::Client out;
  grpc::Status s = clients_->CreateClient(Bnnk().get(), Voluntary(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(s), "NIK_EXISTS");
  EXPECT_EQ(Metadata(s, "client"), made.name());
  // Outside scope: refused without a name; the holder is told.
  v1::CreateClientRequest semarang = Voluntary();
  semarang.mutable_client()->set_unit(other_unit_.name());
  semarang.mutable_client()->mutable_consent()->set_obtained_by(other_agent_.name());
  s = clients_->CreateClient(Officer("bnnp-33").get(), semarang, &out);
  EXPECT_EQ(ReasonOf(s), "NIK_EXISTS_OUTSIDE_SCOPE");
  EXPECT_EQ(Metadata(s, "client"), "");
  // The agent in Semarang registers anyway: held for review, the holder is told.
  semarang.set_request_id(testing::NextRequestId());
  v1::Client held = Create(semarang, AgentOf(other_agent_).get());
  v1::GetClientRequest get;
  get.set_name(held.name());
  v1::Client seen;
  ASSERT_TRUE(clients_->GetClient(Officer("bnnp-33").get(), get, &seen).ok());
  EXPECT_TRUE(seen.nik_review_pending());
  v1::ListNikMatchNoticesRequest list;
  list.set_parent("satkers/bnnk-32.73");
  v1::ListNikMatchNoticesResponse notices;
  ASSERT_TRUE(clients_->ListNikMatchNotices(Bnnk().get(), list, &notices).ok());
  ASSERT_EQ(notices.nik_match_notices_size(), 1);  // one requester satker: counted again
  EXPECT_EQ(notices.nik_match_notices(0).match_count(), 2);
  EXPECT_EQ(notices.nik_match_notices(0).origin(), v1::NikMatchNotice::ORIGIN_CREATE_CLIENT);
  // The NIK still finds only the first client.
  v1::LookupClientByNikResponse found;
  ASSERT_TRUE(Lookup(Bnnk().get(), kNik, &found).ok());
  EXPECT_EQ(found.client(), made.name());
}

TEST_P(ClientsTest, WithdrawnConsentErasesIdentityAndTheIndex) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  v1::WithdrawClientConsentRequest w;
  w.set_name(made.name());
  *w.mutable_withdrawal()->mutable_withdraw_time() = Ago(absl::Minutes(10));
  w.mutable_withdrawal()->set_method(v1::CONSENT_METHOD_WRITTEN_SIGNATURE);
  w.mutable_withdrawal()->set_document_sha256(std::string(64, 'b'));
  w.set_etag(made.etag());
  v1::Client after;
  EXPECT_EQ(ReasonOf(clients_->WithdrawClientConsent(Agent().get(), w, &after)),
            "ROLE_NOT_ALLOWED");
  ASSERT_TRUE(clients_->WithdrawClientConsent(Bnnk().get(), w, &after).ok());
  EXPECT_EQ(after.state(), v1::Client::STATE_CONSENT_WITHDRAWN);
  EXPECT_FALSE(after.has_identity());
  v1::ClientIdentity id;
  ASSERT_TRUE(clients_->GetClientIdentity(Bnnk().get(), ReadIdentity(made.name()), &id).ok());
  EXPECT_TRUE(id.erased());
  EXPECT_EQ(id.nik(), "");
  EXPECT_EQ(id.full_name(), "");
  v1::LookupClientByNikResponse found;
  ASSERT_TRUE(Lookup(Bnnk().get(), kNik, &found).ok());
  EXPECT_EQ(found.result(), v1::LookupClientByNikResponse::RESULT_NOT_FOUND);
  // Nothing more changes.
  grpc::Status s = clients_->WithdrawClientConsent(Bnnk().get(), w, &after);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);  // the etag moved on
  w.clear_etag();
  EXPECT_EQ(ReasonOf(clients_->WithdrawClientConsent(Bnnk().get(), w, &after)),
            "CLIENT_NOT_ACTIVE");
}

TEST_P(ClientsTest, VoidingADuplicate) {
  const v1::Client first = Create(Voluntary(), Agent().get());
  const v1::Client second = Create(Voluntary(""), Agent().get());
  v1::VoidClientRequest v;
  v.set_name(second.name());
  v.set_reason("registered twice");
  v.set_duplicate_of(first.name());
  v1::Client voided;
  ASSERT_TRUE(clients_->VoidClient(Bnnk().get(), v, &voided).ok());
  EXPECT_EQ(voided.state(), v1::Client::STATE_VOIDED);
  EXPECT_EQ(voided.duplicate_of(), first.name());
  EXPECT_EQ(voided.voiding().superseded_by(), first.name());
  EXPECT_EQ(ReasonOf(clients_->VoidClient(Bnnk().get(), v, &voided)), "ALREADY_VOIDED");
  v.set_name(first.name());
  v.set_duplicate_of(first.name());
  EXPECT_THAT(clients_->VoidClient(Bnnk().get(), v, &voided), registry::HasField("duplicate_of"));
  v.clear_reason();
  EXPECT_THAT(clients_->VoidClient(Bnnk().get(), v, &voided), registry::HasField("reason"));
}

TEST_P(ClientsTest, OneClientPerRequestIdEvenUnderConcurrency) {
  v1::CreateClientRequest r = Voluntary();
  const v1::Client first = Create(r, Agent().get());
  EXPECT_EQ(Create(r, Agent().get()).name(), first.name());
  // Reused for another request: refused.
  v1::CreateClientRequest other = r;
  other.mutable_client()->set_birth_year(1999);
  v1::Client out;
  EXPECT_THAT(clients_->CreateClient(Agent().get(), other, &out), registry::HasField("request_id"));

  v1::CreateClientRequest burst = Voluntary("");
  std::vector<std::thread> threads;
  std::vector<std::string> names(50);
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      v1::Client made;
      auto ctx = Bnnk();
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      grpc::Status s = clients_->CreateClient(ctx.get(), burst, &made);
      names[i] = s.ok() ? made.name() : s.error_message();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& n : names) EXPECT_EQ(n, names[0]);
  v1::ListClientsRequest list;
  list.set_unit(unit_.name());
  v1::ListClientsResponse all;
  ASSERT_TRUE(clients_->ListClients(Bnnk().get(), list, &all).ok());
  EXPECT_EQ(all.clients_size(), 2);
}

// Seeded NIKs, names and phone numbers appear nowhere in the database: not in its files (WAL
// and journals included) on SQLite, not in any column of any table on MariaDB.
TEST_P(ClientsTest, IdentityNeverReachesTheDatabaseInClear) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  v1::ClientIdentity id;
  ASSERT_TRUE(clients_->GetClientIdentity(Bnnk().get(), ReadIdentity(made.name()), &id).ok());
  v1::LookupClientByNikResponse found;
  ASSERT_TRUE(Lookup(Bnnk().get(), kNik, &found).ok());
  std::string everything;
  if (GetParam() == "sqlite") {
    const std::string dsn = cases_test_db_->dsn();
    const std::string path = dsn.substr(dsn.find("://") + 3);
    for (const std::string& file : {path, path + "-wal", path + "-journal", path + "-shm"}) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream buf;
      buf << in.rdbuf();
      everything += buf.str();
    }
    ASSERT_GT(everything.size(), 10000u);
  } else {
    auto tables = cases_db_->Query(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()");
    ASSERT_TRUE(tables.ok());
    for (const auto& t : *tables) {
      auto rows = cases_db_->Query(absl::StrCat("SELECT * FROM ", t.Text("t")));
      ASSERT_TRUE(rows.ok()) << rows.status();
      for (const auto& row : *rows) {
        for (size_t i = 0; i < row.size(); ++i) {
          if (row.at(i).kind() == sql::Value::Kind::kText) everything += row.at(i).as_text();
          if (row.at(i).kind() == sql::Value::Kind::kBytes) everything += row.at(i).as_bytes().data;
        }
      }
    }
  }
  EXPECT_EQ(everything.find(kNik), std::string::npos);
  EXPECT_EQ(everything.find(kName), std::string::npos);
  EXPECT_EQ(everything.find(kPhone), std::string::npos);
  EXPECT_NE(everything.find(made.name().substr(8)), std::string::npos);  // the scan saw rows
}

// The bad fields of the client methods other than CreateClient, each named, nothing changed.
TEST_P(ClientsTest, BadChangesNameTheField) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  v1::Client out;
  v1::UpdateClientRequest update;
  update.mutable_client()->set_name(made.name());
  update.mutable_client()->set_birth_year(1850);
  update.mutable_update_mask()->add_paths("birth_year");
  EXPECT_THAT(clients_->UpdateClient(Bnnk().get(), update, &out),
              registry::HasField("client.birth_year"));
  update.mutable_update_mask()->set_paths(0, "unit");
  EXPECT_THAT(clients_->UpdateClient(Bnnk().get(), update, &out),
              registry::HasField("update_mask.paths[0]"));
  update.mutable_update_mask()->set_paths(0, "admission_path");
  update.mutable_client()->set_admission_path(v1::ADMISSION_PATH_COMPULSORY_LEGAL);
  EXPECT_THAT(clients_->UpdateClient(Bnnk().get(), update, &out),
              registry::HasField("client.admission_path"));
  update.mutable_client()->set_name("clients/");
  EXPECT_THAT(clients_->UpdateClient(Bnnk().get(), update, &out),
              registry::HasField("client.name"));

  v1::RecordClientConsentRequest consent;
  consent.set_name(made.name());
  EXPECT_THAT(clients_->RecordClientConsent(Bnnk().get(), consent, &out),
              registry::HasField("consent"));
  *consent.mutable_consent() = Voluntary().client().consent();
  consent.mutable_consent()->set_form_version("");
  EXPECT_THAT(clients_->RecordClientConsent(Bnnk().get(), consent, &out),
              registry::HasField("consent.form_version"));
  *consent.mutable_consent() = Voluntary().client().consent();
  consent.set_admission_path(v1::ADMISSION_PATH_VOLUNTARY_SELF_REPORT);  // already voluntary
  EXPECT_THAT(clients_->RecordClientConsent(Bnnk().get(), consent, &out),
              registry::HasField("admission_path"));

  v1::RecordClientLegalOrderRequest order;
  order.set_name(made.name());
  order.set_justification("court decision received");
  EXPECT_THAT(clients_->RecordClientLegalOrder(Bnnk().get(), order, &out),
              registry::HasField("legal_order"));
  order.mutable_legal_order()->set_kind(v1::LegalOrder::KIND_COURT_ORDER);
  order.mutable_legal_order()->set_issuer("PN Bandung");
  order.mutable_legal_order()->mutable_date()->set_year(2025);
  order.mutable_legal_order()->mutable_date()->set_month(2);
  order.mutable_legal_order()->mutable_date()->set_day(30);
  order.clear_justification();
  grpc::Status s = clients_->RecordClientLegalOrder(Bnnk().get(), order, &out);
  EXPECT_THAT(s, registry::HasField("legal_order.number"));
  EXPECT_THAT(s, registry::HasField("legal_order.date"));
  EXPECT_THAT(s, registry::HasField("justification"));

  v1::UpdateClientIdentityRequest identity;
  identity.mutable_identity()->set_name(made.name() + "/identity");
  identity.mutable_identity()->set_nik("1234");
  identity.mutable_update_mask()->add_paths("nik");
  identity.set_purpose(v1::IDENTITY_ACCESS_PURPOSE_CASE_WORK);
  v1::ClientIdentity changed;
  s = clients_->UpdateClientIdentity(Bnnk().get(), identity, &changed);
  EXPECT_THAT(s, registry::HasField("identity.nik"));
  EXPECT_THAT(s.error_message(), ::testing::Not(::testing::HasSubstr("1234")));
  identity.mutable_update_mask()->set_paths(0, "legal_order");
  EXPECT_THAT(clients_->UpdateClientIdentity(Bnnk().get(), identity, &changed),
              registry::HasField("update_mask.paths[0]"));
  identity.mutable_update_mask()->set_paths(0, "phone");
  identity.mutable_identity()->set_phone("ring me");
  identity.set_purpose(v1::IDENTITY_ACCESS_PURPOSE_REFERRAL);
  EXPECT_THAT(clients_->UpdateClientIdentity(Bnnk().get(), identity, &changed),
              registry::HasField("purpose"));
  identity.set_purpose(v1::IDENTITY_ACCESS_PURPOSE_CASE_WORK);
  EXPECT_THAT(clients_->UpdateClientIdentity(Bnnk().get(), identity, &changed),
              registry::HasField("identity.phone"));

  v1::CloseNikMatchNoticeRequest close;
  close.set_name("satkers/bnnk-32.73/nikMatchNotices/nnone");
  v1::NikMatchNotice notice;
  EXPECT_THAT(clients_->CloseNikMatchNotice(Bnnk().get(), close, &notice),
              registry::HasField("outcome"));
  close.set_outcome(v1::NikMatchNotice::OUTCOME_NO_ACTION);
  EXPECT_THAT(clients_->CloseNikMatchNotice(Bnnk().get(), close, &notice),
              registry::HasField("note"));
  close.set_name("satkers/bnnk-32.73/notices/x");
  EXPECT_THAT(clients_->CloseNikMatchNotice(Bnnk().get(), close, &notice),
              registry::HasField("name"));

  auto auditor = [&] { return cases_server_->As("auditor", "bnn"); };
  v1::ListIdentityAccessRecordsRequest log;
  v1::ListIdentityAccessRecordsResponse records;
  log.set_parent("units/32.73.04.1001-1");
  EXPECT_THAT(clients_->ListIdentityAccessRecords(auditor().get(), log, &records),
              registry::HasField("parent"));
  log.set_parent(made.name());
  log.mutable_start_time()->set_seconds(2000);
  log.mutable_end_time()->set_seconds(1000);
  EXPECT_THAT(clients_->ListIdentityAccessRecords(auditor().get(), log, &records),
              registry::HasField("start_time"));
  log.clear_start_time();
  log.set_page_token("not-a-token");
  EXPECT_THAT(clients_->ListIdentityAccessRecords(auditor().get(), log, &records),
              registry::HasField("page_token"));

  // Nothing of all that changed the client.
  v1::GetClientRequest get;
  get.set_name(made.name());
  ASSERT_TRUE(clients_->GetClient(Bnnk().get(), get, &out).ok());
  EXPECT_EQ(out.etag(), made.etag());
  EXPECT_EQ(out.birth_year(), 1998);
}

// Every create, update and void lands in the change log (names, methods, field names; never
// values), chained like the identity access log.
TEST_P(ClientsTest, ChangesAreLoggedInTheirTransaction) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  v1::UpdateClientRequest update;
  update.mutable_client()->set_name(made.name());
  update.mutable_client()->set_birth_year(1997);
  update.mutable_client()->set_etag(made.etag());
  update.mutable_update_mask()->add_paths("birth_year");
  v1::Client updated;
  ASSERT_TRUE(clients_->UpdateClient(Bnnk().get(), update, &updated).ok());
  v1::VoidClientRequest v;
  v.set_name(made.name());
  v.set_reason("registered by mistake");
  v1::Client voided;
  ASSERT_TRUE(clients_->VoidClient(Bnnk().get(), v, &voided).ok());
  // Each change was queued in its write's transaction; chain them (the service's sequencer
  // may have done so already) and read the chain.
  const audit::AuditLog log(
      "changes", "cases",
      *platform::FieldSealer::FromKeyText(testing::TestServer::FieldKeyLine(), "t"),
      cases_db_->dialect());
  ASSERT_TRUE(log.SequenceAll(*cases_db_).ok());
  auto rows = cases_db_->Query(
      "SELECT action, actor, fields, summary FROM changes WHERE resource = ? ORDER BY seq",
      {made.name()});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].Text("summary"), "method=CreateClient");
  EXPECT_EQ((*rows)[0].Text("actor"), agent_.name());
  EXPECT_EQ((*rows)[1].Text("summary"), "method=UpdateClient");
  EXPECT_EQ((*rows)[1].Text("fields"), "birth_year");
  EXPECT_EQ((*rows)[2].Text("summary"), "method=VoidClient");
  auto report = log.Verify(*cases_db_, 0, 100, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->verified, 3);
  EXPECT_EQ(report->queued, 0);
  EXPECT_EQ(report->broken_seq, 0);
}

// Both audit logs verify through the API (national auditors and BNN central only); an entry
// changed in the database is named, in either log.
TEST_P(ClientsTest, BothAuditLogsVerifyAndNameATamperedEntry) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  v1::ClientIdentity identity;
  ASSERT_TRUE(clients_->GetClientIdentity(Bnnk().get(), ReadIdentity(made.name()), &identity).ok());
  auto verify = [&](std::unique_ptr<grpc::ClientContext> ctx, v1::AuditLog log,
                    v1::VerifyAuditLogResponse* out, int64_t max_entries = 0) {
    v1::VerifyAuditLogRequest r;
    r.set_log(log);
    r.set_max_entries(max_entries);
    return audit_->VerifyAuditLog(ctx.get(), r, out);
  };
  auto auditor = [&] { return cases_server_->As("auditor", "bnn"); };
  for (const auto& [log, table] : {std::pair{v1::AUDIT_LOG_CHANGES, "changes"},
                                   std::pair{v1::AUDIT_LOG_IDENTITY_ACCESS, "identity_access"}}) {
    SCOPED_TRACE(table);
    v1::VerifyAuditLogResponse intact;
    grpc::Status st = verify(auditor(), log, &intact);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_GE(intact.verified_entries(), 1);
    EXPECT_EQ(intact.broken_sequence(), 0) << intact.problem();
    EXPECT_EQ(intact.next_after_sequence(), 0);
    EXPECT_EQ(intact.head_sequence(), intact.verified_entries());
    // A provincial auditor or officer sees only part of the country: not the whole chain.
    EXPECT_EQ(ReasonOf(verify(cases_server_->As("auditor", "bnnp-32"), log, &intact)),
              "OUT_OF_SCOPE");
    EXPECT_EQ(ReasonOf(verify(Bnnk(), log, &intact)), "ROLE_NOT_ALLOWED");
    // Someone with database access rewrites the first entry's actor.
    ASSERT_TRUE(
        cases_db_
            ->Exec(absl::StrCat("UPDATE ", table, " SET actor = 'someone else' WHERE seq = 1"), {})
            .ok());
    v1::VerifyAuditLogResponse broken;
    ASSERT_TRUE(verify(Officer("bnn"), log, &broken).ok());
    EXPECT_EQ(broken.broken_sequence(), 1);
    EXPECT_FALSE(broken.problem().empty());
  }
  v1::VerifyAuditLogResponse out;
  EXPECT_THAT(verify(auditor(), v1::AUDIT_LOG_UNSPECIFIED, &out), registry::HasField("log"));
  EXPECT_THAT(verify(auditor(), v1::AUDIT_LOG_CHANGES, &out, 1000001),
              registry::HasField("max_entries"));
}

// Rotating the NIK-index key: the new key on top, a restart re-indexes every entry from the
// sealed NIK, and lookups find the client under the new key only.
TEST_P(ClientsTest, RotatingTheNikIndexKeyReindexesFromTheSealedNik) {
  const v1::Client made = Create(Voluntary(), Agent().get());
  const std::string old_key = platform::FieldSealer::NewKeyLine("nik1");
  auto keys = [&](const std::string& text) {
    return Core::Keys{*platform::FieldSealer::FromKeyText(testing::TestServer::FieldKeyLine(), "f"),
                      *platform::FieldSealer::FromKeyText(text, "nik keys")};
  };
  auto pages = resource::LoadPageTokens(*cases_db_, "cases_secrets");
  ASSERT_TRUE(pages.ok());
  // The service's own key file had one key, "nik1": read its id from an index entry.
  auto rows = cases_db_->Query("SELECT key_id FROM nik_index");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().Text("key_id"), "nik1");
  const Core rotated(
      cases_db_.get(), *pages, [] { return absl::Now(); },
      keys(platform::FieldSealer::NewKeyLine("nik2") + old_key), registry_client_);
  auto rekeyed = RekeyNikIndex(rotated);
  ASSERT_TRUE(rekeyed.ok()) << rekeyed.status();
  EXPECT_EQ(*rekeyed, 1);
  auto again = RekeyNikIndex(rotated);  // a second start finds nothing old
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  auto st = cases_db_->Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
    auto holders = store::Clients(cases_db_->dialect()).ClientsWithNik(s, rotated.NikIndex(kNik));
    EXPECT_TRUE(holders.ok());
    EXPECT_THAT(*holders, ::testing::ElementsAre(made.name().substr(8)));
    return absl::OkStatus();
  });
  ASSERT_TRUE(st.ok());
  rows = cases_db_->Query("SELECT key_id FROM nik_index");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().Text("key_id"), "nik2");
}

IBM_ON_BOTH_ENGINES(ClientsTest);

}  // namespace
}  // namespace ibm::cases
