// BatchUploadService on both engines: an agent's offline records uploaded in one call, each
// as its create method (results, errors with their fields, access), references to earlier
// records of the batch, a batch sent again after a lost answer, and the envelope's refusals.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cases/tests/cases_fixture.h"

namespace ibm::cases {
namespace {

using registry::HasField;

google::type::Date Day(int y, int m, int d) {
  google::type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

google::protobuf::Timestamp Ago(absl::Duration d) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::Now() - d));
  return t;
}

// A record's status as the method would have returned it.
absl::Status StatusOf(const v1::UploadResult& r) {
  return platform::FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(r.status().code()),
                                               r.status().message(),
                                               r.status().SerializeAsString()));
}
std::string ReasonOfResult(const v1::UploadResult& r) {
  return platform::ErrorInfoOf(StatusOf(r)).reason();
}
std::string FieldMetadata(const v1::UploadResult& r) {
  const google::rpc::ErrorInfo info = platform::ErrorInfoOf(StatusOf(r));
  auto it = info.metadata().find("field");
  return it == info.metadata().end() ? "" : it->second;
}
std::vector<std::string> FieldsOf(const v1::UploadResult& r) {
  std::vector<std::string> out;
  for (const auto& [field, why] : platform::FieldViolationsOf(StatusOf(r))) out.push_back(field);
  return out;
}

class BatchTest : public CasesTest {
 protected:
  // A voluntary client of `unit` (default Caringin's) as its agent registers it offline.
  v1::UploadRecord Client(const std::string& request_id, const std::string& unit = "") const {
    v1::UploadRecord record;
    *record.mutable_capture_time() = Ago(absl::Hours(30));
    v1::CreateClientRequest* r = record.mutable_create_client();
    v1::Client* c = r->mutable_client();
    c->set_unit(unit.empty() ? unit_.name() : unit);
    c->set_sex(v1::SEX_FEMALE);
    c->set_birth_year(1999);
    c->set_home_village("regions/32.73.04.1001");
    c->set_admission_path(v1::ADMISSION_PATH_VOLUNTARY_FAMILY);
    v1::ConsentRecord* consent = c->mutable_consent();
    *consent->mutable_consent_time() = Ago(absl::Hours(31));
    consent->set_method(v1::CONSENT_METHOD_WRITTEN_SIGNATURE);
    consent->set_obtained_by(agent_.name());
    consent->set_form_version("ibm-consent-2025");
    consent->add_purposes(v1::CONSENT_PURPOSE_SERVICES);
    consent->set_document_sha256(std::string(64, 'b'));
    r->mutable_identity()->set_full_name("Siti Nurhaliza");
    r->set_request_id(request_id);
    return record;
  }
  // An ASSIST screening of `client` (a name or a reference) at Caringin: nothing ever used.
  v1::UploadRecord Screening(const std::string& request_id, const std::string& client) const {
    v1::UploadRecord record;
    *record.mutable_capture_time() = Ago(absl::Hours(29));
    v1::CreateScreeningRequest* r = record.mutable_create_screening();
    r->set_parent(client);
    v1::Screening* s = r->mutable_screening();
    s->set_unit(unit_.name());
    s->set_screener(agent_.name());
    *s->mutable_screening_date() = Day(2026, 11, 30);
    s->set_occasion(v1::SCREENING_OCCASION_OUTREACH);
    for (int n = v1::SUBSTANCE_TOBACCO; n <= v1::SUBSTANCE_OPIOIDS; ++n) {
      v1::SubstanceAnswers* a = s->add_substances();
      a->set_substance(static_cast<v1::Substance>(n));
      a->set_q1_ever_used(v1::LIFETIME_ANSWER_NO);
    }
    s->set_q8_injecting(v1::RECENCY_ANSWER_NEVER);
    r->set_request_id(request_id);
    return record;
  }
  // The client enrolled at Caringin, its initial screening named.
  v1::UploadRecord Enrollment(const std::string& request_id, const std::string& client,
                              const std::string& screening) const {
    v1::UploadRecord record;
    *record.mutable_capture_time() = Ago(absl::Hours(28));
    v1::CreateCaseRequest* r = record.mutable_create_case();
    r->set_parent(unit_.name());
    r->mutable_case_()->set_client(client);
    r->mutable_case_()->set_initial_screening(screening);
    *r->mutable_case_()->mutable_enrollment_date() = Day(2026, 12, 1);
    r->set_request_id(request_id);
    return record;
  }

  // The agent's register-screen-enroll batch, its request ids under `prefix`.
  v1::UploadBatchRequest Intake(const std::string& prefix) const {
    v1::UploadBatchRequest req;
    req.set_device_id("android-7f3a9c");
    req.set_client_version("ibm-agen-android/1.4.2");
    *req.add_records() = Client(prefix + "-client");
    *req.add_records() = Screening(prefix + "-screening", "requestIds/" + prefix + "-client");
    *req.add_records() = Enrollment(prefix + "-case", "requestIds/" + prefix + "-client",
                                    "requestIds/" + prefix + "-screening");
    return req;
  }

  grpc::Status Upload(std::unique_ptr<grpc::ClientContext> ctx, const v1::UploadBatchRequest& req,
                      v1::UploadBatchResponse* out) {
    return batch_->UploadBatch(ctx.get(), req, out);
  }
  v1::UploadBatchResponse MustUpload(const v1::UploadBatchRequest& req) {
    v1::UploadBatchResponse out;
    grpc::Status s = Upload(Agent(), req, &out);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    EXPECT_EQ(out.results_size(), req.records_size());
    return out;
  }

  // The clients of Caringin's unit, as its BNNK lists them.
  int ClientsStored() {
    v1::ListClientsRequest req;
    req.set_unit(unit_.name());
    req.set_page_size(1000);
    v1::ListClientsResponse out;
    grpc::Status s = clients_->ListClients(Bnnk().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.clients_size();
  }
  int ScreeningsOf(const std::string& client) {
    v1::ListScreeningsRequest req;
    req.set_parent(client);
    v1::ListScreeningsResponse out;
    grpc::Status s = screenings_->ListScreenings(Bnnk().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.screenings_size();
  }
  int CasesOfUnit() {
    v1::ListCasesRequest req;
    req.set_parent(unit_.name());
    v1::ListCasesResponse out;
    grpc::Status s = cases_->ListCases(Bnnk().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.cases_size();
  }
};

TEST_P(BatchTest, AgentRegistersScreensAndEnrollsInOneBatch) {
  const v1::UploadBatchResponse out = MustUpload(Intake("intake-1"));
  ASSERT_EQ(out.results_size(), 3);
  EXPECT_EQ(out.succeeded(), 3);
  EXPECT_EQ(out.failed(), 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out.results(i).index(), i);
    EXPECT_EQ(out.results(i).status().code(), 0) << out.results(i).status().message();
    EXPECT_FALSE(out.results(i).replayed());
  }
  EXPECT_EQ(out.results(0).request_id(), "intake-1-client");
  EXPECT_EQ(out.results(2).request_id(), "intake-1-case");
  const std::string client = out.results(0).resource();
  const std::string screening = out.results(1).resource();
  const std::string kase = out.results(2).resource();
  EXPECT_TRUE(absl::StartsWith(client, "clients/c")) << client;
  EXPECT_TRUE(absl::StartsWith(screening, client + "/screenings/")) << screening;
  EXPECT_TRUE(absl::StartsWith(kase, unit_.name() + "/cases/")) << kase;

  // Stored as the create methods would have stored them, by the agent.
  v1::GetCaseRequest get;
  get.set_name(kase);
  v1::Case c;
  ASSERT_TRUE(cases_->GetCase(Bnnk().get(), get, &c).ok());
  EXPECT_EQ(c.client(), client);
  EXPECT_EQ(c.initial_screening(), screening);
  EXPECT_EQ(c.state(), v1::CASE_STATE_ENROLLED);
  EXPECT_EQ(c.create_actor(), agent_.name());
  v1::GetClientRequest get_client;
  get_client.set_name(client);
  v1::Client stored;
  ASSERT_TRUE(clients_->GetClient(Bnnk().get(), get_client, &stored).ok());
  EXPECT_EQ(stored.open_case(), kase);
  EXPECT_EQ(stored.consent().recorded_by(), agent_.name());
  EXPECT_TRUE(stored.has_identity());
  EXPECT_EQ(ScreeningsOf(client), 1);
}

TEST_P(BatchTest, TheSameBatchSentAgainChangesNothing) {
  const v1::UploadBatchRequest req = Intake("again");
  const v1::UploadBatchResponse first = MustUpload(req);
  ASSERT_EQ(first.succeeded(), 3);
  // The answer was lost: the app sends the same batch again.
  const v1::UploadBatchResponse second = MustUpload(req);
  ASSERT_EQ(second.results_size(), 3);
  EXPECT_EQ(second.succeeded(), 3);
  EXPECT_EQ(second.failed(), 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(second.results(i).status().code(), 0) << second.results(i).status().message();
    EXPECT_TRUE(second.results(i).replayed()) << i;
    EXPECT_EQ(second.results(i).resource(), first.results(i).resource()) << i;
  }
  EXPECT_EQ(ClientsStored(), 1);
  EXPECT_EQ(ScreeningsOf(first.results(0).resource()), 1);
  EXPECT_EQ(CasesOfUnit(), 1);
  // Another agent's identical ids are not a retry (request ids are each caller's own); the
  // unit is not its own, so nothing is made either.
  v1::UploadBatchResponse other;
  ASSERT_TRUE(Upload(AgentOf(other_agent_), req, &other).ok());
  EXPECT_EQ(other.failed(), 3);
  EXPECT_EQ(ReasonOfResult(other.results(0)), "OUT_OF_SCOPE");
  EXPECT_FALSE(other.results(0).replayed());
  EXPECT_EQ(ClientsStored(), 1);
}

TEST_P(BatchTest, OneBadRecordFailsAloneWithItsField) {
  v1::UploadBatchRequest req;
  *req.add_records() = Client("good-1");
  v1::UploadRecord bad = Client("bad-1");
  bad.mutable_create_client()->mutable_client()->set_birth_year(1850);
  *req.add_records() = bad;
  *req.add_records() = Screening("bad-1-screening", "requestIds/bad-1");
  *req.add_records() = Client("good-2");
  const v1::UploadBatchResponse out = MustUpload(req);
  ASSERT_EQ(out.results_size(), 4);
  EXPECT_EQ(out.succeeded(), 2);
  EXPECT_EQ(out.failed(), 2);
  EXPECT_EQ(out.results(0).status().code(), 0);
  EXPECT_EQ(out.results(3).status().code(), 0);
  EXPECT_NE(out.results(0).resource(), out.results(3).resource());
  // The bad record: what CreateClient says, with its field relative to the create request.
  const v1::UploadResult& failed = out.results(1);
  EXPECT_EQ(failed.status().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(FieldsOf(failed), std::vector<std::string>{"client.birth_year"});
  EXPECT_EQ(failed.resource(), "");
  EXPECT_EQ(failed.request_id(), "bad-1");
  // The record that names it fails in its turn, naming its field.
  const v1::UploadResult& referring = out.results(2);
  EXPECT_EQ(referring.status().code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(ReasonOfResult(referring), "REFERENCED_RECORD_FAILED");
  EXPECT_EQ(FieldMetadata(referring), "parent");
  EXPECT_EQ(ClientsStored(), 2);

  // Fixed on the device and sent again with the same ids: the good ones are replays, the
  // fixed ones are made now.
  req.mutable_records(1)->mutable_create_client()->mutable_client()->set_birth_year(1985);
  const v1::UploadBatchResponse fixed = MustUpload(req);
  EXPECT_EQ(fixed.succeeded(), 4);
  EXPECT_TRUE(fixed.results(0).replayed());
  EXPECT_FALSE(fixed.results(1).replayed());
  EXPECT_FALSE(fixed.results(2).replayed());
  EXPECT_TRUE(absl::StartsWith(fixed.results(2).resource(), fixed.results(1).resource()));
  EXPECT_EQ(ClientsStored(), 3);
}

TEST_P(BatchTest, AReferenceToNoEarlierRecordOfTheBatchFails) {
  v1::UploadBatchRequest req;
  *req.add_records() = Screening("orphan-screening", "requestIds/never-sent");
  // A reference forward: records are created in order.
  *req.add_records() = Enrollment("early-case", "requestIds/late-client", "");
  *req.add_records() = Client("late-client");
  const v1::UploadBatchResponse out = MustUpload(req);
  ASSERT_EQ(out.results_size(), 3);
  EXPECT_EQ(ReasonOfResult(out.results(0)), "REFERENCED_RECORD_FAILED");
  EXPECT_EQ(FieldMetadata(out.results(0)), "parent");
  EXPECT_EQ(ReasonOfResult(out.results(1)), "REFERENCED_RECORD_FAILED");
  EXPECT_EQ(FieldMetadata(out.results(1)), "case.client");
  EXPECT_EQ(out.results(2).status().code(), 0);
  EXPECT_EQ(out.succeeded(), 1);
  EXPECT_EQ(out.failed(), 2);
}

TEST_P(BatchTest, AnAgentsRecordForAnotherUnitIsOutOfScope) {
  v1::UploadBatchRequest req;
  *req.add_records() = Client("here-1");
  *req.add_records() = Client("there-1", other_unit_.name());
  *req.add_records() = Client("here-2");
  const v1::UploadBatchResponse out = MustUpload(req);
  ASSERT_EQ(out.results_size(), 3);
  EXPECT_EQ(out.results(1).status().code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(ReasonOfResult(out.results(1)), "OUT_OF_SCOPE");
  EXPECT_EQ(out.results(0).status().code(), 0);
  EXPECT_EQ(out.results(2).status().code(), 0);
  EXPECT_EQ(out.succeeded(), 2);
  EXPECT_EQ(ClientsStored(), 2);
}

TEST_P(BatchTest, TheEnvelopeIsCheckedBeforeAnyRecord) {
  v1::UploadBatchResponse out;
  // 501 records: none is processed.
  v1::UploadBatchRequest big;
  for (int i = 0; i < 501; ++i) *big.add_records() = Client(absl::StrCat("big-", i));
  grpc::Status s = Upload(Agent(), big, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("records"));
  EXPECT_EQ(out.results_size(), 0);
  // None.
  s = Upload(Agent(), v1::UploadBatchRequest(), &out);
  EXPECT_THAT(s, HasField("records"));
  // A request id twice: named at its second use.
  v1::UploadBatchRequest twice;
  *twice.add_records() = Client("twice-0");
  *twice.add_records() = Client("twice-1");
  *twice.add_records() = Screening("twice-0", "requestIds/twice-1");
  s = Upload(Agent(), twice, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("records[2].create_screening.request_id"));
  // A record without its request, without capture_time or request_id; device texts too long.
  v1::UploadBatchRequest broken;
  *broken.add_records() = Client("broken-0");
  broken.add_records()->mutable_capture_time()->set_seconds(1);
  v1::UploadRecord no_time = Client("broken-2");
  no_time.clear_capture_time();
  *broken.add_records() = no_time;
  *broken.add_records() = Client("");
  broken.set_device_id(std::string(101, 'd'));
  broken.set_client_version(std::string(101, 'v'));
  s = Upload(Agent(), broken, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("records[1].request"));
  EXPECT_THAT(s, HasField("records[2].capture_time"));
  EXPECT_THAT(s, HasField("records[3].create_client.request_id"));
  EXPECT_THAT(s, HasField("device_id"));
  EXPECT_THAT(s, HasField("client_version"));
  EXPECT_EQ(ClientsStored(), 0);
  // 500 is the most, and is accepted.
  v1::UploadBatchRequest full;
  for (int i = 0; i < 500; ++i) {
    *full.add_records() = Screening(absl::StrCat("full-", i), "requestIds/none");
  }
  ASSERT_TRUE(Upload(Agent(), full, &out).ok());
  EXPECT_EQ(out.results_size(), 500);
  EXPECT_EQ(out.failed(), 500);
  EXPECT_EQ(out.results(499).index(), 499);
}

TEST_P(BatchTest, RolesNotAdmittedAreRefusedForTheWholeCall) {
  const v1::UploadBatchRequest req = Intake("refused");
  v1::UploadBatchResponse out;
  grpc::Status s = Upload(cases_server_->As("supervisor", "bnnp-32", "s-32"), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(out.results_size(), 0);
  s = Upload(System("integration"), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  s = Upload(System("referrals"), req, &out);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ClientsStored(), 0);
  // The fostering BNNK's officer may upload the same records.
  ASSERT_TRUE(Upload(Bnnk(), req, &out).ok());
  EXPECT_EQ(out.succeeded(), 3) << out.results(0).status().message();
  EXPECT_EQ(ClientsStored(), 1);
}

IBM_ON_BOTH_ENGINES(BatchTest);

}  // namespace
}  // namespace ibm::cases
