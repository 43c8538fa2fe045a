// InterventionService and RecoverySupportService through the API, on both engines: group
// sessions and their attendance (countable per unit for the unit metrics), who may attend
// (ACTIVE clients with an open case in the unit), the people named, what each case state
// takes, updates with masks and etags (concurrent ones too), voiding, idempotent creates,
// pages, bad input named field by field, and access.
#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cases/tests/cases_fixture.h"

namespace ibm::cases {
namespace {

using registry::HasField;

google::type::Date D(int y, int m, int d) {
  google::type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

google::protobuf::Duration Minutes(int m) {
  google::protobuf::Duration d;
  d.set_seconds(m * 60);
  return d;
}

class InterventionsTest : public CasesTest {
 protected:
  // A voluntary client of `unit` (without identity), registered by an officer in scope.
  std::string NewClient(const rv1::Unit& unit, const rv1::Agent& agent, const std::string& satker) {
    v1::CreateClientRequest r;
    v1::Client* c = r.mutable_client();
    c->set_unit(unit.name());
    c->set_sex(v1::SEX_FEMALE);
    c->set_birth_year(1996);
    c->set_home_village("regions/" + unit.name().substr(6, 13));
    c->set_admission_path(v1::ADMISSION_PATH_VOLUNTARY_FAMILY);
    v1::ConsentRecord* consent = c->mutable_consent();
    consent->mutable_consent_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
    consent->set_method(v1::CONSENT_METHOD_WRITTEN_SIGNATURE);
    consent->set_obtained_by(agent.name());
    consent->set_form_version("ibm-consent-2025");
    consent->add_purposes(v1::CONSENT_PURPOSE_SERVICES);
    consent->set_document_sha256(std::string(64, 'a'));
    r.set_request_id(testing::NextRequestId());
    v1::Client out;
    grpc::Status s = clients_->CreateClient(Officer(satker).get(), r, &out);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    return out.name();
  }
  std::string NewClient() { return NewClient(unit_, agent_, "bnnk-32.73"); }

  v1::Case Enroll(const std::string& client, const rv1::Unit& unit, const std::string& satker,
                  google::type::Date date = D(2026, 1, 10)) {
    v1::CreateCaseRequest req;
    req.set_parent(unit.name());
    req.mutable_case_()->set_client(client);
    *req.mutable_case_()->mutable_enrollment_date() = date;
    req.set_request_id(testing::NextRequestId());
    v1::Case out;
    auto s = cases_->CreateCase(Officer(satker).get(), req, &out);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    return out;
  }
  v1::Case Enroll(const std::string& client, google::type::Date date = D(2026, 1, 10)) {
    return Enroll(client, unit_, "bnnk-32.73", date);
  }
  v1::Case DropOut(const v1::Case& c) {
    v1::DropOutCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 5, 1);
    req.set_reason(v1::DROP_OUT_REASON_LOST_CONTACT);
    req.set_etag(c.etag());
    v1::Case out;
    auto s = cases_->DropOutCase(Bnnk().get(), req, &out);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    return out;
  }
  v1::Case Complete(v1::Case c) {
    v1::StartCaseInterventionRequest start;
    start.set_name(c.name());
    *start.mutable_effective_date() = D(2026, 2, 1);
    start.set_etag(c.etag());
    auto s = cases_->StartCaseIntervention(Bnnk().get(), start, &c);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    v1::CompleteCaseRequest req;
    req.set_name(c.name());
    *req.mutable_effective_date() = D(2026, 6, 30);
    req.set_exit_assessment_waiver("client moved before the exit test");
    req.set_etag(c.etag());
    s = cases_->CompleteCase(Bnnk().get(), req, &c);
    EXPECT_TRUE(s.ok()) << platform::Describe(platform::FromGrpcStatus(s));
    EXPECT_EQ(c.state(), v1::CASE_STATE_COMPLETED);
    return c;
  }

  // A valid peer support group of Caringin's unit, led by its agent, for `clients` (the
  // first attended, the others as given in `attended`).
  v1::InterventionSession Group(const std::vector<std::string>& clients,
                                const std::vector<bool>& attended,
                                google::type::Date date = D(2026, 3, 2)) const {
    v1::InterventionSession s;
    s.set_kind(v1::INTERVENTION_KIND_PEER_SUPPORT_GROUP);
    s.set_format(v1::SESSION_FORMAT_GROUP);
    *s.mutable_session_date() = date;
    *s.mutable_duration() = Minutes(90);
    s.add_facilitators(agent_.name());
    s.add_facilitators("satkers/bnnk-32.73/officers/o1");
    for (size_t i = 0; i < clients.size(); ++i) {
      v1::SessionAttendance* a = s.add_attendance();
      a->set_client(clients[i]);
      a->set_attended(attended[i]);
    }
    s.set_other_attendee_count(2);
    s.set_topic("mengenali pemicu kambuh");
    s.set_notes("good discussion; two need a home visit");
    return s;
  }
  v1::InterventionSession Individual(const std::string& client,
                                     google::type::Date date = D(2026, 3, 2)) const {
    v1::InterventionSession s = Group({client}, {true}, date);
    s.set_kind(v1::INTERVENTION_KIND_HOME_VISIT);
    s.set_format(v1::SESSION_FORMAT_INDIVIDUAL);
    return s;
  }

  grpc::Status CreateSession(std::unique_ptr<grpc::ClientContext> ctx,
                             const v1::InterventionSession& s, v1::InterventionSession* out,
                             const std::string& request_id = "", const std::string& parent = "") {
    v1::CreateInterventionSessionRequest req;
    req.set_parent(parent.empty() ? unit_.name() : parent);
    *req.mutable_intervention_session() = s;
    req.set_request_id(request_id.empty() ? testing::NextRequestId() : request_id);
    return sessions_->CreateInterventionSession(ctx.get(), req, out);
  }
  v1::InterventionSession MustCreateSession(const v1::InterventionSession& s) {
    v1::InterventionSession out;
    grpc::Status st = CreateSession(Agent(), s, &out);
    EXPECT_TRUE(st.ok()) << platform::Describe(platform::FromGrpcStatus(st));
    return out;
  }
  grpc::Status UpdateSession(std::unique_ptr<grpc::ClientContext> ctx,
                             const v1::InterventionSession& s, std::vector<std::string> paths,
                             v1::InterventionSession* out) {
    v1::UpdateInterventionSessionRequest req;
    *req.mutable_intervention_session() = s;
    for (const auto& p : paths) req.mutable_update_mask()->add_paths(p);
    return sessions_->UpdateInterventionSession(ctx.get(), req, out);
  }
  grpc::Status VoidSession(std::unique_ptr<grpc::ClientContext> ctx, const std::string& name,
                           const std::string& reason, v1::InterventionSession* out,
                           const std::string& etag = "") {
    v1::VoidInterventionSessionRequest req;
    req.set_name(name);
    req.set_reason(reason);
    req.set_etag(etag);
    return sessions_->VoidInterventionSession(ctx.get(), req, out);
  }
  grpc::Status ListSessions(std::unique_ptr<grpc::ClientContext> ctx,
                            const v1::ListInterventionSessionsRequest& req,
                            v1::ListInterventionSessionsResponse* out) {
    return sessions_->ListInterventionSessions(ctx.get(), req, out);
  }

  v1::SupportContact Monitoring(google::type::Date date = D(2026, 3, 5)) const {
    v1::SupportContact c;
    c.set_kind(v1::SUPPORT_KIND_MONITORING);
    c.set_mode(v1::CONTACT_MODE_PHONE_CALL);
    *c.mutable_contact_date() = date;
    *c.mutable_duration() = Minutes(20);
    c.add_staff(agent_.name());
    c.set_observation(v1::RECOVERY_OBSERVATION_STABLE);
    c.set_notes("working again, sleeps well");
    return c;
  }
  grpc::Status CreateContact(std::unique_ptr<grpc::ClientContext> ctx, const std::string& parent,
                             const v1::SupportContact& c, v1::SupportContact* out,
                             const std::string& request_id = "") {
    v1::CreateSupportContactRequest req;
    req.set_parent(parent);
    *req.mutable_support_contact() = c;
    req.set_request_id(request_id.empty() ? testing::NextRequestId() : request_id);
    return contacts_->CreateSupportContact(ctx.get(), req, out);
  }
  v1::SupportContact MustCreateContact(const std::string& parent, const v1::SupportContact& c) {
    v1::SupportContact out;
    grpc::Status st = CreateContact(Agent(), parent, c, &out);
    EXPECT_TRUE(st.ok()) << platform::Describe(platform::FromGrpcStatus(st));
    return out;
  }
  grpc::Status UpdateContact(std::unique_ptr<grpc::ClientContext> ctx, const v1::SupportContact& c,
                             std::vector<std::string> paths, v1::SupportContact* out) {
    v1::UpdateSupportContactRequest req;
    *req.mutable_support_contact() = c;
    for (const auto& p : paths) req.mutable_update_mask()->add_paths(p);
    return contacts_->UpdateSupportContact(ctx.get(), req, out);
  }
  grpc::Status VoidContact(std::unique_ptr<grpc::ClientContext> ctx, const std::string& name,
                           const std::string& reason, v1::SupportContact* out,
                           const std::string& etag = "") {
    v1::VoidSupportContactRequest req;
    req.set_name(name);
    req.set_reason(reason);
    req.set_etag(etag);
    return contacts_->VoidSupportContact(ctx.get(), req, out);
  }

  static std::string Reason(const grpc::Status& s) { return ReasonOf(s); }
  static std::string FieldOf(const grpc::Status& s) {
    const auto info = platform::ErrorInfoOf(platform::FromGrpcStatus(s));
    auto it = info.metadata().find("field");
    return it == info.metadata().end() ? "" : it->second;
  }
  std::string UnitId() const { return unit_.name().substr(6); }
  // The attendance the unit metrics count: entries and attended ones of RECORDED sessions.
  std::pair<int64_t, int64_t> AttendanceRows() {
    auto rows = cases_db_->Query(
        "SELECT COUNT(*) AS n, COALESCE(SUM(attended), 0) AS a FROM intervention_attendance "
        "WHERE unit_id = ? AND state = 1",
        {UnitId()});
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok()) return {-1, -1};
    return {rows->front().Int("n"), rows->front().Int("a")};
  }
};

// ---- Sessions.

TEST_P(InterventionsTest, AGroupSessionRecordsEachClientsAttendance) {
  const std::string a = NewClient(), b = NewClient(), c = NewClient();
  const v1::Case ca = Enroll(a), cb = Enroll(b), cc = Enroll(c);
  v1::InterventionSession made = MustCreateSession(Group({a, b, c}, {true, true, false}));
  EXPECT_TRUE(absl::StartsWith(made.name(), unit_.name() + "/interventionSessions/"))
      << made.name();
  EXPECT_EQ(made.state(), v1::RECORD_STATE_RECORDED);
  EXPECT_EQ(made.etag(), "1");
  EXPECT_EQ(made.create_actor(), agent_.name());
  EXPECT_EQ(made.attendee_count(), 3);
  EXPECT_EQ(made.attended_count(), 2);
  ASSERT_EQ(made.attendance_size(), 3);
  EXPECT_EQ(made.attendance(0).client(), a);
  EXPECT_EQ(made.attendance(0).case_(), ca.name());
  EXPECT_TRUE(made.attendance(0).attended());
  EXPECT_EQ(made.attendance(1).case_(), cb.name());
  EXPECT_EQ(made.attendance(2).client(), c);
  EXPECT_EQ(made.attendance(2).case_(), cc.name());
  EXPECT_FALSE(made.attendance(2).attended());
  EXPECT_EQ(made.topic(), "mengenali pemicu kambuh");
  EXPECT_EQ(made.other_attendee_count(), 2);
  EXPECT_EQ(made.duration().seconds(), 5400);
  EXPECT_EQ(AttendanceRows(), std::make_pair(int64_t{3}, int64_t{2}));

  // Get returns the whole record, as Create did.
  v1::GetInterventionSessionRequest get;
  get.set_name(made.name());
  v1::InterventionSession got;
  ASSERT_TRUE(sessions_->GetInterventionSession(Bnnk().get(), get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), made.SerializeAsString());

  // BASIC lists leave out attendance, topic and notes; the counts stay. FULL is as Get.
  v1::ListInterventionSessionsRequest list;
  list.set_parent(unit_.name());
  v1::ListInterventionSessionsResponse listed;
  ASSERT_TRUE(ListSessions(Agent(), list, &listed).ok());
  ASSERT_EQ(listed.intervention_sessions_size(), 1);
  const v1::InterventionSession& basic = listed.intervention_sessions(0);
  EXPECT_EQ(basic.name(), made.name());
  EXPECT_EQ(basic.attendance_size(), 0);
  EXPECT_EQ(basic.topic(), "");
  EXPECT_EQ(basic.notes(), "");
  EXPECT_EQ(basic.attendee_count(), 3);
  EXPECT_EQ(basic.attended_count(), 2);
  list.set_view(v1::RECORD_VIEW_FULL);
  ASSERT_TRUE(ListSessions(Agent(), list, &listed).ok());
  ASSERT_EQ(listed.intervention_sessions_size(), 1);
  EXPECT_EQ(listed.intervention_sessions(0).SerializeAsString(), made.SerializeAsString());

  // One client's sessions, everywhere the caller may look (units/- needs `client`).
  const std::string d = NewClient();
  Enroll(d);
  MustCreateSession(Individual(d, D(2026, 3, 4)));
  v1::ListInterventionSessionsRequest mine;
  mine.set_parent("units/-");
  mine.set_client(c);
  ASSERT_TRUE(ListSessions(Bnnk(), mine, &listed).ok());
  ASSERT_EQ(listed.intervention_sessions_size(), 1);
  EXPECT_EQ(listed.intervention_sessions(0).name(), made.name());
  mine.set_client(d);
  ASSERT_TRUE(ListSessions(Agent(), mine, &listed).ok());
  ASSERT_EQ(listed.intervention_sessions_size(), 1);
  EXPECT_EQ(listed.intervention_sessions(0).kind(), v1::INTERVENTION_KIND_HOME_VISIT);
  mine.clear_client();
  grpc::Status st = ListSessions(Agent(), mine, &listed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("client"));
  // The unit's list: newest first, and by kind.
  ASSERT_TRUE(ListSessions(Agent(), list, &listed).ok());
  ASSERT_EQ(listed.intervention_sessions_size(), 2);
  EXPECT_EQ(listed.intervention_sessions(0).kind(), v1::INTERVENTION_KIND_HOME_VISIT);
  list.set_kind(v1::INTERVENTION_KIND_PEER_SUPPORT_GROUP);
  ASSERT_TRUE(ListSessions(Agent(), list, &listed).ok());
  ASSERT_EQ(listed.intervention_sessions_size(), 1);
  EXPECT_EQ(listed.intervention_sessions(0).name(), made.name());
  EXPECT_EQ(AttendanceRows(), std::make_pair(int64_t{4}, int64_t{3}));
}

TEST_P(InterventionsTest, OnlyClientsEnrolledInTheUnitAttend) {
  const std::string enrolled = NewClient();
  Enroll(enrolled, D(2026, 3, 1));
  // A client of another unit: outside the caller's scope.
  const std::string elsewhere = NewClient(other_unit_, other_agent_, "bnnp-33");
  Enroll(elsewhere, other_unit_, "bnnp-33");
  v1::InterventionSession out;
  grpc::Status st = CreateSession(Agent(), Group({enrolled, elsewhere}, {true, true}), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(st), "OUT_OF_SCOPE");
  EXPECT_EQ(FieldOf(st), "intervention_session.attendance[1].client");
  st = CreateSession(Bnnk(), Group({enrolled, elsewhere}, {true, true}), &out);
  EXPECT_EQ(Reason(st), "OUT_OF_SCOPE");
  // A client of the unit without a case; a case enrolled after the session date.
  const std::string no_case = NewClient();
  st = CreateSession(Agent(), Group({enrolled, no_case}, {true, true}), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(st), "CLIENT_NOT_ENROLLED");
  EXPECT_EQ(FieldOf(st), "intervention_session.attendance[1].client");
  st = CreateSession(Agent(), Individual(enrolled, D(2026, 2, 27)), &out);
  EXPECT_EQ(Reason(st), "CLIENT_NOT_ENROLLED");
  EXPECT_EQ(FieldOf(st), "intervention_session.attendance[0].client");
  // Before the unit was formed (2025-03-14): no session of it can have taken place.
  st = CreateSession(Agent(), Individual(enrolled, D(2025, 3, 13)), &out);
  EXPECT_THAT(st, HasField("intervention_session.session_date"));
  // A client that does not exist.
  st = CreateSession(Agent(), Individual("clients/zzzzzzzzzz"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  // A dropped-out client has no open case: not enrolled.
  const std::string dropped = NewClient();
  DropOut(Enroll(dropped));
  st = CreateSession(Agent(), Individual(dropped), &out);
  EXPECT_EQ(Reason(st), "CLIENT_NOT_ENROLLED");
  EXPECT_EQ(AttendanceRows(), std::make_pair(int64_t{0}, int64_t{0}));
  // Nothing was written by the refusals: the unit lists no session.
  v1::ListInterventionSessionsRequest list;
  list.set_parent(unit_.name());
  list.set_show_voided(true);
  v1::ListInterventionSessionsResponse listed;
  ASSERT_TRUE(ListSessions(Bnnk(), list, &listed).ok());
  EXPECT_EQ(listed.intervention_sessions_size(), 0);
  // The one who is enrolled on the day attends.
  ASSERT_TRUE(CreateSession(Agent(), Individual(enrolled, D(2026, 3, 1)), &out).ok());
}

TEST_P(InterventionsTest, FacilitatorsAndStaffMustBeOfTheUnitAndActive) {
  const std::string client = NewClient();
  const v1::Case c = Enroll(client);
  v1::InterventionSession s = Individual(client);
  s.clear_facilitators();
  s.add_facilitators(agent_.name());
  s.add_facilitators(other_agent_.name());                  // another unit's agent
  s.add_facilitators("satkers/bnnp-33/officers/o2");        // a satker not covering the unit
  s.add_facilitators(unit_.name() + "/agents/zzzzzzzzzz");  // no such (ACTIVE) agent
  s.add_facilitators("satkers/bnnp-32/officers/o3");        // the province covers it
  v1::InterventionSession out;
  grpc::Status st = CreateSession(Agent(), s, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("intervention_session.facilitators[1]"));
  EXPECT_THAT(st, HasField("intervention_session.facilitators[2]"));
  EXPECT_THAT(st, HasField("intervention_session.facilitators[3]"));
  EXPECT_EQ(Violations(st).size(), 3u);
  v1::SupportContact contact = Monitoring();
  contact.add_staff(other_agent_.name());
  v1::SupportContact made;
  st = CreateContact(Agent(), c.name(), contact, &made);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("support_contact.staff[1]"));
  // The same names given in an update are checked alike.
  v1::SupportContact ok = MustCreateContact(c.name(), Monitoring());
  ok.clear_staff();
  ok.add_staff(unit_.name() + "/agents/zzzzzzzzzz");
  st = UpdateContact(Agent(), ok, {"staff"}, &made);
  EXPECT_THAT(st, HasField("support_contact.staff[0]"));
  v1::InterventionSession session = MustCreateSession(Individual(client));
  session.clear_facilitators();
  session.add_facilitators(other_agent_.name());
  st = UpdateSession(Agent(), session, {"facilitators"}, &out);
  EXPECT_THAT(st, HasField("intervention_session.facilitators[0]"));
}

// ---- What each case state takes.

TEST_P(InterventionsTest, ContactsGoToOpenCasesAndAfterCareToCompletedOnes) {
  const v1::Case open = Enroll(NewClient());
  v1::SupportContact made = MustCreateContact(open.name(), Monitoring());
  EXPECT_TRUE(absl::StartsWith(made.name(), open.name() + "/supportContacts/")) << made.name();
  EXPECT_EQ(made.etag(), "1");
  EXPECT_EQ(made.state(), v1::RECORD_STATE_RECORDED);
  EXPECT_EQ(made.create_actor(), agent_.name());
  EXPECT_EQ(made.notes(), "working again, sleeps well");
  v1::SupportContact accompany = Monitoring();
  accompany.set_kind(v1::SUPPORT_KIND_ACCOMPANIMENT);
  accompany.set_mode(v1::CONTACT_MODE_IN_PERSON);
  v1::SupportContact out;
  ASSERT_TRUE(CreateContact(Bnnk(), open.name(), accompany, &out).ok());

  // Completed: monitoring and follow-up guidance only.
  const v1::Case completed = Complete(Enroll(NewClient()));
  v1::SupportContact after = MustCreateContact(completed.name(), Monitoring(D(2026, 8, 1)));
  v1::SupportContact guidance = Monitoring(D(2026, 8, 2));
  guidance.set_kind(v1::SUPPORT_KIND_FOLLOW_UP_GUIDANCE);
  ASSERT_TRUE(CreateContact(Agent(), completed.name(), guidance, &out).ok());
  grpc::Status st = CreateContact(Agent(), completed.name(), accompany, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(st), "CASE_NOT_OPEN");
  after.set_kind(v1::SUPPORT_KIND_ACCOMPANIMENT);
  st = UpdateContact(Agent(), after, {"kind"}, &out);
  EXPECT_EQ(Reason(st), "CASE_NOT_OPEN");
  // A completed case's client has no open case: no session for it.
  v1::InterventionSession session;
  st = CreateSession(Agent(), Individual(completed.client()), &session);
  EXPECT_EQ(Reason(st), "CLIENT_NOT_ENROLLED");

  // Dropped out, transferred or voided: nothing.
  const v1::Case dropped = DropOut(Enroll(NewClient()));
  st = CreateContact(Agent(), dropped.name(), Monitoring(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(st), "CASE_NOT_OPEN");
  v1::Case voided = Enroll(NewClient());
  {
    v1::VoidCaseRequest req;
    req.set_name(voided.name());
    req.set_reason("entered twice");
    req.set_etag(voided.etag());
    ASSERT_TRUE(cases_->VoidCase(Bnnk().get(), req, &voided).ok());
  }
  st = CreateContact(Bnnk(), voided.name(), Monitoring(), &out);
  EXPECT_EQ(Reason(st), "CASE_NOT_OPEN");
  // Not before the enrollment; a case that does not exist.
  st = CreateContact(Agent(), open.name(), Monitoring(D(2026, 1, 9)), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("support_contact.contact_date"));
  st = CreateContact(Agent(), unit_.name() + "/cases/zzzzzzzzzz", Monitoring(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);

  // The unit's contacts of every case, newest first; one case's.
  v1::ListSupportContactsRequest list;
  list.set_parent(unit_.name() + "/cases/-");
  v1::ListSupportContactsResponse listed;
  ASSERT_TRUE(contacts_->ListSupportContacts(Agent().get(), list, &listed).ok());
  ASSERT_EQ(listed.support_contacts_size(), 4);
  EXPECT_EQ(listed.support_contacts(0).kind(), v1::SUPPORT_KIND_FOLLOW_UP_GUIDANCE);
  EXPECT_EQ(listed.support_contacts(1).name(), after.name());
  EXPECT_EQ(listed.support_contacts(1).notes(), "");  // BASIC: without notes
  list.set_parent(open.name());
  list.set_view(v1::RECORD_VIEW_FULL);
  ASSERT_TRUE(contacts_->ListSupportContacts(Agent().get(), list, &listed).ok());
  ASSERT_EQ(listed.support_contacts_size(), 2);
  EXPECT_EQ(listed.support_contacts(0).notes(), "working again, sleeps well");
  list.set_kind(v1::SUPPORT_KIND_ACCOMPANIMENT);
  ASSERT_TRUE(contacts_->ListSupportContacts(Agent().get(), list, &listed).ok());
  ASSERT_EQ(listed.support_contacts_size(), 1);
  EXPECT_EQ(listed.support_contacts(0).mode(), v1::CONTACT_MODE_IN_PERSON);
  // What SUPPORT_CONTACTS_PER_OPEN_CASE counts: contacts that reached the client.
  v1::SupportContact failed = Monitoring(D(2026, 3, 6));
  failed.set_mode(v1::CONTACT_MODE_ATTEMPT_FAILED);
  failed.set_observation(v1::RECOVERY_OBSERVATION_NOT_REACHED);
  MustCreateContact(open.name(), failed);
  auto rows = cases_db_->Query(
      "SELECT COUNT(*) AS n FROM support_contacts WHERE unit_id = ? AND state = 1 AND mode <> 6",
      {UnitId()});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->front().Int("n"), 4);
}

// ---- Updates and voiding.

TEST_P(InterventionsTest, UpdatesTakeAMaskAndTheCurrentEtag) {
  const std::string a = NewClient(), b = NewClient(), c = NewClient();
  Enroll(a);
  Enroll(b);
  const v1::Case cc = Enroll(c);
  v1::InterventionSession made = MustCreateSession(Group({a, b}, {true, false}));
  v1::InterventionSession change = Group({a, c}, {true, true});
  change.set_name(made.name());
  change.set_etag(made.etag());
  change.set_topic("keluarga sebagai pendukung");
  change.set_notes("should not be written: not in the mask");
  v1::InterventionSession out;
  grpc::Status st = UpdateSession(Agent(), change, {"attendance", "topic"}, &out);
  ASSERT_TRUE(st.ok()) << platform::Describe(platform::FromGrpcStatus(st));
  EXPECT_EQ(out.etag(), "2");
  EXPECT_EQ(out.topic(), "keluarga sebagai pendukung");
  EXPECT_EQ(out.notes(), "good discussion; two need a home visit");
  EXPECT_EQ(out.attendee_count(), 2);
  EXPECT_EQ(out.attended_count(), 2);
  ASSERT_EQ(out.attendance_size(), 2);
  EXPECT_EQ(out.attendance(1).client(), c);
  EXPECT_EQ(out.attendance(1).case_(), cc.name());
  EXPECT_EQ(out.create_time().seconds(), made.create_time().seconds());
  EXPECT_EQ(AttendanceRows(), std::make_pair(int64_t{2}, int64_t{2}));
  // A session_date moved before the unit was formed (2025-03-14).
  change.set_etag("");
  *change.mutable_session_date() = D(2025, 3, 1);
  st = UpdateSession(Agent(), change, {"session_date"}, &out);
  EXPECT_THAT(st, HasField("intervention_session.session_date"));
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("formed"));
  *change.mutable_session_date() = made.session_date();
  // The whole session is checked again: a HOME_VISIT is INDIVIDUAL.
  change.set_kind(v1::INTERVENTION_KIND_HOME_VISIT);
  st = UpdateSession(Agent(), change, {"kind"}, &out);
  EXPECT_THAT(st, HasField("intervention_session.format"));
  // A stale etag; a path that is not updatable; no mask.
  change.set_etag("1");
  st = UpdateSession(Agent(), change, {"topic"}, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(st), "ETAG_MISMATCH");
  st = UpdateSession(Agent(), change, {"topic", "attendee_count"}, &out);
  EXPECT_THAT(st, HasField("update_mask.paths[1]"));
  st = UpdateSession(Agent(), change, {}, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // 20 concurrent updates with one etag: exactly one wins, the others are ABORTED.
  std::atomic<int> ok{0}, aborted{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      v1::InterventionSession s;
      s.set_name(made.name());
      s.set_etag("2");
      s.set_other_attendee_count(i);
      v1::InterventionSession r;
      grpc::Status st = UpdateSession(Agent(), s, {"other_attendee_count"}, &r);
      if (st.ok()) {
        ++ok;
      } else if (st.error_code() == grpc::StatusCode::ABORTED && ReasonOf(st) == "ETAG_MISMATCH") {
        ++aborted;
      } else {
        ++other;
        ADD_FAILURE() << platform::Describe(platform::FromGrpcStatus(st));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), 19);
  EXPECT_EQ(other.load(), 0);

  // Contacts alike.
  const v1::SupportContact contact = MustCreateContact(cc.name(), Monitoring());
  v1::SupportContact edit;
  edit.set_name(contact.name());
  edit.set_etag(contact.etag());
  edit.set_observation(v1::RECOVERY_OBSERVATION_AT_RISK);
  edit.set_referral_suggested(true);
  edit.set_notes("ignored");
  v1::SupportContact edited;
  st = UpdateContact(Agent(), edit, {"observation", "referral_suggested"}, &edited);
  ASSERT_TRUE(st.ok()) << platform::Describe(platform::FromGrpcStatus(st));
  EXPECT_EQ(edited.etag(), "2");
  EXPECT_EQ(edited.observation(), v1::RECOVERY_OBSERVATION_AT_RISK);
  EXPECT_TRUE(edited.referral_suggested());
  EXPECT_EQ(edited.notes(), "working again, sleeps well");
  st = UpdateContact(Agent(), edit, {"notes"}, &edited);
  EXPECT_EQ(Reason(st), "ETAG_MISMATCH");
  edit.set_etag("");
  edit.set_mode(v1::CONTACT_MODE_ATTEMPT_FAILED);
  st = UpdateContact(Agent(), edit, {"mode"}, &edited);
  EXPECT_THAT(st, HasField("support_contact.observation"));
  st = UpdateContact(Agent(), edit, {"state"}, &edited);
  EXPECT_THAT(st, HasField("update_mask.paths[0]"));
}

TEST_P(InterventionsTest, VoidsOnceWithAReason) {
  const std::string a = NewClient();
  const v1::Case c = Enroll(a);
  v1::InterventionSession made = MustCreateSession(Individual(a));
  v1::InterventionSession out;
  grpc::Status st = VoidSession(Agent(), made.name(), "", &out);
  EXPECT_THAT(st, HasField("reason"));
  st = VoidSession(Agent(), made.name(), std::string(501, 'x'), &out);
  EXPECT_THAT(st, HasField("reason"));
  st = VoidSession(Agent(), made.name(), "entered twice", &out, "7");
  EXPECT_EQ(Reason(st), "ETAG_MISMATCH");
  ASSERT_TRUE(VoidSession(Agent(), made.name(), "entered twice", &out, made.etag()).ok());
  EXPECT_EQ(out.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(out.voiding().reason(), "entered twice");
  EXPECT_EQ(out.voiding().actor(), agent_.name());
  EXPECT_EQ(out.etag(), "2");
  st = VoidSession(Agent(), made.name(), "entered twice", &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(st), "ALREADY_VOIDED");
  v1::InterventionSession change;
  change.set_name(made.name());
  change.set_topic("late");
  st = UpdateSession(Agent(), change, {"topic"}, &out);
  EXPECT_EQ(Reason(st), "ALREADY_VOIDED");
  // A voided session counts nowhere and is listed only with show_voided.
  EXPECT_EQ(AttendanceRows(), std::make_pair(int64_t{0}, int64_t{0}));
  v1::ListInterventionSessionsRequest list;
  list.set_parent(unit_.name());
  v1::ListInterventionSessionsResponse listed;
  ASSERT_TRUE(ListSessions(Agent(), list, &listed).ok());
  EXPECT_EQ(listed.intervention_sessions_size(), 0);
  list.set_show_voided(true);
  ASSERT_TRUE(ListSessions(Agent(), list, &listed).ok());
  ASSERT_EQ(listed.intervention_sessions_size(), 1);
  EXPECT_EQ(listed.intervention_sessions(0).state(), v1::RECORD_STATE_VOIDED);

  const v1::SupportContact contact = MustCreateContact(c.name(), Monitoring());
  v1::SupportContact gone;
  st = VoidContact(Agent(), contact.name(), "", &gone);
  EXPECT_THAT(st, HasField("reason"));
  ASSERT_TRUE(VoidContact(Agent(), contact.name(), "wrong client", &gone, "1").ok());
  EXPECT_EQ(gone.state(), v1::RECORD_STATE_VOIDED);
  EXPECT_EQ(gone.voiding().reason(), "wrong client");
  st = VoidContact(Bnnk(), contact.name(), "wrong client", &gone);
  EXPECT_EQ(Reason(st), "ALREADY_VOIDED");
  v1::ListSupportContactsRequest clist;
  clist.set_parent(c.name());
  v1::ListSupportContactsResponse clisted;
  ASSERT_TRUE(contacts_->ListSupportContacts(Agent().get(), clist, &clisted).ok());
  EXPECT_EQ(clisted.support_contacts_size(), 0);
  clist.set_show_voided(true);
  ASSERT_TRUE(contacts_->ListSupportContacts(Agent().get(), clist, &clisted).ok());
  EXPECT_EQ(clisted.support_contacts_size(), 1);
}

// ---- Idempotent creates and pages.

// An enrollment date moved later may not pass the case's earliest valid record: a session
// the client was listed for, a contact (urine tests and WHOQOL-BREF are the same query's
// other arms, covered by its one statement on both engines).
TEST_P(InterventionsTest, AnEnrollmentDateMayNotPassTheCasesRecords) {
  const std::string a = NewClient();
  const v1::Case c = Enroll(a);  // 2026-01-10
  const v1::InterventionSession made = MustCreateSession(Individual(a, D(2026, 3, 2)));
  MustCreateContact(c.name(), Monitoring(D(2026, 3, 5)));
  auto move_to = [&](google::type::Date day) {
    v1::UpdateCaseRequest u;
    u.mutable_case_()->set_name(c.name());
    *u.mutable_case_()->mutable_enrollment_date() = day;
    u.mutable_update_mask()->add_paths("enrollment_date");
    v1::Case out;
    return cases_->UpdateCase(Bnnk().get(), u, &out);
  };
  grpc::Status st = move_to(D(2026, 3, 3));
  EXPECT_THAT(st, HasField("case.enrollment_date"));
  EXPECT_THAT(platform::Describe(platform::FromGrpcStatus(st)), ::testing::HasSubstr("2026-03-02"));
  ASSERT_TRUE(move_to(D(2026, 3, 2)).ok());
  // Voided, the session no longer holds the date back; the contact still does.
  v1::InterventionSession voided;
  ASSERT_TRUE(VoidSession(Agent(), made.name(), "wrong client", &voided, made.etag()).ok());
  ASSERT_TRUE(move_to(D(2026, 3, 4)).ok());
  EXPECT_THAT(move_to(D(2026, 3, 6)), HasField("case.enrollment_date"));
  ASSERT_TRUE(move_to(D(2026, 3, 5)).ok());
}

TEST_P(InterventionsTest, ARetryReturnsTheFirstRecord) {
  const std::string a = NewClient();
  const v1::Case c = Enroll(a);
  v1::InterventionSession first, again;
  ASSERT_TRUE(CreateSession(Agent(), Individual(a), &first, "retry-1").ok());
  ASSERT_TRUE(CreateSession(Agent(), Individual(a), &again, "retry-1").ok());
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  grpc::Status st = CreateSession(Agent(), Individual(a, D(2026, 3, 3)), &again, "retry-1");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st, HasField("request_id"));
  st = CreateSession(Agent(), Individual(a), &again, "bad id!");
  EXPECT_THAT(st, HasField("request_id"));
  v1::SupportContact one, two;
  ASSERT_TRUE(CreateContact(Agent(), c.name(), Monitoring(), &one, "retry-2").ok());
  ASSERT_TRUE(CreateContact(Agent(), c.name(), Monitoring(), &two, "retry-2").ok());
  EXPECT_EQ(two.name(), one.name());
  st = CreateContact(Agent(), c.name(), Monitoring(D(2026, 3, 7)), &two, "retry-2");
  EXPECT_THAT(st, HasField("request_id"));
  v1::ListInterventionSessionsRequest list;
  list.set_parent(unit_.name());
  v1::ListInterventionSessionsResponse listed;
  ASSERT_TRUE(ListSessions(Agent(), list, &listed).ok());
  EXPECT_EQ(listed.intervention_sessions_size(), 1);
}

TEST_P(InterventionsTest, ListsNewestFirstInPages) {
  const std::string a = NewClient();
  const v1::Case c = Enroll(a);
  std::vector<std::string> made;
  for (int day = 1; day <= 5; ++day) {
    made.push_back(MustCreateSession(Individual(a, D(2026, 4, day))).name());
    MustCreateContact(c.name(), Monitoring(D(2026, 4, day)));
  }
  v1::ListInterventionSessionsRequest list;
  list.set_parent(unit_.name());
  list.set_page_size(2);
  std::vector<std::string> seen;
  std::vector<int> sizes;
  v1::ListInterventionSessionsResponse page;
  do {
    ASSERT_TRUE(ListSessions(Agent(), list, &page).ok());
    sizes.push_back(page.intervention_sessions_size());
    for (const auto& s : page.intervention_sessions()) seen.push_back(s.name());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty() && sizes.size() < 10);
  EXPECT_EQ(sizes, (std::vector<int>{2, 2, 1}));
  EXPECT_EQ(seen, (std::vector<std::string>{made[4], made[3], made[2], made[1], made[0]}));
  // Dates narrow it; a token of another query, and a negative size, are refused.
  list.set_page_token("");
  *list.mutable_start_date() = D(2026, 4, 2);
  *list.mutable_end_date() = D(2026, 4, 3);
  ASSERT_TRUE(ListSessions(Agent(), list, &page).ok());
  ASSERT_EQ(page.intervention_sessions_size(), 2);
  EXPECT_EQ(page.intervention_sessions(0).name(), made[2]);
  EXPECT_EQ(page.next_page_token(), "");
  list.clear_start_date();
  list.clear_end_date();
  ASSERT_TRUE(ListSessions(Agent(), list, &page).ok());
  list.set_page_token(page.next_page_token());
  list.set_show_voided(true);
  grpc::Status st = ListSessions(Agent(), list, &page);
  EXPECT_THAT(st, HasField("page_token"));
  list.set_page_token("");
  list.set_page_size(-1);
  EXPECT_THAT(ListSessions(Agent(), list, &page), HasField("page_size"));

  v1::ListSupportContactsRequest clist;
  clist.set_parent(unit_.name() + "/cases/-");
  clist.set_page_size(2);
  std::vector<int> csizes;
  std::vector<int> days;
  v1::ListSupportContactsResponse cpage;
  do {
    ASSERT_TRUE(contacts_->ListSupportContacts(Bnnk().get(), clist, &cpage).ok());
    csizes.push_back(cpage.support_contacts_size());
    for (const auto& s : cpage.support_contacts()) days.push_back(s.contact_date().day());
    clist.set_page_token(cpage.next_page_token());
  } while (!clist.page_token().empty() && csizes.size() < 10);
  EXPECT_EQ(csizes, (std::vector<int>{2, 2, 1}));
  EXPECT_EQ(days, (std::vector<int>{5, 4, 3, 2, 1}));
}

// ---- Bad input, field by field.

TEST_P(InterventionsTest, RefusesBadSessionsNamingTheField) {
  const std::string a = NewClient(), b = NewClient();
  Enroll(a);
  Enroll(b);
  struct Case {
    std::string field;
    std::function<void(v1::InterventionSession&)> mutate;
  };
  const std::vector<Case> cases = {
      {"intervention_session.kind", [](auto& s) { s.clear_kind(); }},
      {"intervention_session.kind",
       [](auto& s) { s.set_kind(static_cast<v1::InterventionKind>(99)); }},
      {"intervention_session.format", [](auto& s) { s.clear_format(); }},
      {"intervention_session.format",
       [](auto& s) { s.set_format(v1::SESSION_FORMAT_INDIVIDUAL); }},  // KDS is GROUP only
      {"intervention_session.session_date", [](auto& s) { s.clear_session_date(); }},
      {"intervention_session.session_date",
       [](auto& s) { *s.mutable_session_date() = D(2030, 1, 1); }},
      {"intervention_session.session_date",
       [](auto& s) { *s.mutable_session_date() = D(2026, 2, 30); }},
      {"intervention_session.duration", [](auto& s) { s.clear_duration(); }},
      {"intervention_session.duration", [](auto& s) { *s.mutable_duration() = Minutes(4); }},
      {"intervention_session.duration", [](auto& s) { *s.mutable_duration() = Minutes(481); }},
      {"intervention_session.facilitators", [](auto& s) { s.clear_facilitators(); }},
      {"intervention_session.facilitators",
       [](auto& s) {
         for (int i = 0; i < 10; ++i) s.add_facilitators(absl::StrCat("satkers/bnn/officers/x", i));
       }},
      {"intervention_session.facilitators[1]",
       [](auto& s) { s.set_facilitators(1, s.facilitators(0)); }},
      {"intervention_session.facilitators[0]", [](auto& s) { s.set_facilitators(0, "ani"); }},
      {"intervention_session.attendance", [](auto& s) { s.clear_attendance(); }},
      {"intervention_session.attendance",
       [](auto& s) {
         for (int i = 0; i < 100; ++i) s.add_attendance()->set_client("clients/x");
       }},
      {"intervention_session.attendance[1].client",
       [](auto& s) { s.mutable_attendance(1)->set_client(s.attendance(0).client()); }},
      {"intervention_session.attendance[0].client",
       [](auto& s) { s.mutable_attendance(0)->set_client("units/x"); }},
      {"intervention_session.attendance[0].client",
       [](auto& s) { s.mutable_attendance(0)->clear_client(); }},
      {"intervention_session.family_attendee_count",
       [](auto& s) { s.set_kind(v1::INTERVENTION_KIND_FAMILY_SUPPORT_GROUP); }},
      {"intervention_session.family_attendee_count",
       [](auto& s) { s.set_family_attendee_count(501); }},
      {"intervention_session.other_attendee_count",
       [](auto& s) { s.set_other_attendee_count(-1); }},
      {"intervention_session.topic", [](auto& s) { s.set_topic(std::string(201, 'x')); }},
      {"intervention_session.notes", [](auto& s) { s.set_notes(std::string(4001, 'x')); }},
      {"intervention_session.notes", [](auto& s) { s.set_notes("bad\x01text"); }},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::InterventionSession s = Group({a, b}, {true, true});
    cases[i].mutate(s);
    v1::InterventionSession out;
    grpc::Status st = CreateSession(Agent(), s, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(st, HasField(cases[i].field)) << i;
  }
  // INDIVIDUAL takes exactly one; HOME_VISIT is INDIVIDUAL.
  v1::InterventionSession s = Group({a, b}, {true, true});
  s.set_kind(v1::INTERVENTION_KIND_KIE);
  s.set_format(v1::SESSION_FORMAT_INDIVIDUAL);
  v1::InterventionSession out;
  EXPECT_THAT(CreateSession(Agent(), s, &out), HasField("intervention_session.attendance"));
  s = Individual(a);
  s.set_format(v1::SESSION_FORMAT_GROUP);
  EXPECT_THAT(CreateSession(Agent(), s, &out), HasField("intervention_session.format"));
  // Names.
  EXPECT_THAT(CreateSession(Agent(), Individual(a), &out, "", "units/nope"), HasField("parent"));
  v1::GetInterventionSessionRequest get;
  get.set_name(unit_.name() + "/cases/x");
  EXPECT_THAT(sessions_->GetInterventionSession(Agent().get(), get, &out), HasField("name"));
  get.set_name(unit_.name() + "/interventionSessions/zzzzzzzzzz");
  EXPECT_EQ(sessions_->GetInterventionSession(Agent().get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // List filters.
  v1::ListInterventionSessionsRequest list;
  list.set_parent(unit_.name());
  v1::ListInterventionSessionsResponse listed;
  list.set_client("client-a");
  EXPECT_THAT(ListSessions(Agent(), list, &listed), HasField("client"));
  list.clear_client();
  *list.mutable_start_date() = D(2026, 5, 1);
  *list.mutable_end_date() = D(2026, 4, 1);
  EXPECT_THAT(ListSessions(Agent(), list, &listed), HasField("start_date"));
  list.clear_start_date();
  list.clear_end_date();
  list.set_view(static_cast<v1::RecordView>(7));
  EXPECT_THAT(ListSessions(Agent(), list, &listed), HasField("view"));
  list.set_view(v1::RECORD_VIEW_BASIC);
  list.set_kind(static_cast<v1::InterventionKind>(42));
  EXPECT_THAT(ListSessions(Agent(), list, &listed), HasField("kind"));
  // Nothing was written.
  list.clear_kind();
  list.set_show_voided(true);
  ASSERT_TRUE(ListSessions(Agent(), list, &listed).ok());
  EXPECT_EQ(listed.intervention_sessions_size(), 0);
}

TEST_P(InterventionsTest, RefusesBadContactsNamingTheField) {
  const v1::Case c = Enroll(NewClient());
  struct Case {
    std::string field;
    std::function<void(v1::SupportContact&)> mutate;
  };
  const std::vector<Case> cases = {
      {"support_contact.kind", [](auto& s) { s.clear_kind(); }},
      {"support_contact.mode", [](auto& s) { s.clear_mode(); }},
      {"support_contact.mode", [](auto& s) { s.set_mode(static_cast<v1::ContactMode>(77)); }},
      {"support_contact.observation", [](auto& s) { s.clear_observation(); }},
      {"support_contact.observation", [](auto& s) { s.set_mode(v1::CONTACT_MODE_ATTEMPT_FAILED); }},
      {"support_contact.contact_date", [](auto& s) { s.clear_contact_date(); }},
      {"support_contact.contact_date", [](auto& s) { *s.mutable_contact_date() = D(2030, 1, 1); }},
      {"support_contact.duration", [](auto& s) { *s.mutable_duration() = Minutes(12 * 60 + 1); }},
      {"support_contact.staff", [](auto& s) { s.clear_staff(); }},
      {"support_contact.staff",
       [](auto& s) {
         for (int i = 0; i < 5; ++i) s.add_staff(absl::StrCat("satkers/bnnk-32.73/officers/o", i));
       }},
      {"support_contact.staff[1]", [](auto& s) { s.add_staff(s.staff(0)); }},
      {"support_contact.staff[0]", [](auto& s) { s.set_staff(0, "satkers/bnnk-32.73"); }},
      {"support_contact.notes", [](auto& s) { s.set_notes(std::string(4001, 'x')); }},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::SupportContact s = Monitoring();
    cases[i].mutate(s);
    v1::SupportContact out;
    grpc::Status st = CreateContact(Agent(), c.name(), s, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << i << " " << cases[i].field;
    EXPECT_THAT(st, HasField(cases[i].field)) << i;
  }
  v1::SupportContact out;
  EXPECT_THAT(CreateContact(Agent(), unit_.name(), Monitoring(), &out), HasField("parent"));
  EXPECT_THAT(CreateContact(Agent(), c.name(), Monitoring(), &out, "x y"), HasField("request_id"));
  v1::ListSupportContactsRequest list;
  list.set_parent(unit_.name() + "/cases");
  v1::ListSupportContactsResponse listed;
  EXPECT_THAT(contacts_->ListSupportContacts(Agent().get(), list, &listed), HasField("parent"));
  list.set_parent(c.name());
  list.set_page_size(-5);
  EXPECT_THAT(contacts_->ListSupportContacts(Agent().get(), list, &listed), HasField("page_size"));
  list.set_page_size(0);
  ASSERT_TRUE(contacts_->ListSupportContacts(Agent().get(), list, &listed).ok());
  EXPECT_EQ(listed.support_contacts_size(), 0);
}

// ---- Access.

TEST_P(InterventionsTest, CallersOutsideTheScopeOrRoleAreRefused) {
  const std::string a = NewClient();
  const v1::Case c = Enroll(a);
  const v1::InterventionSession session = MustCreateSession(Individual(a));
  const v1::SupportContact contact = MustCreateContact(c.name(), Monitoring());
  struct Caller {
    std::string label;
    std::function<std::unique_ptr<grpc::ClientContext>()> ctx;
    std::string read, write;  // what Get/List, and Create/Update/Void, answer ("" = OK)
  };
  const std::string kScope = "OUT_OF_SCOPE", kRole = "ROLE_NOT_ALLOWED";
  const std::vector<Caller> callers = {
      {"agent of another unit", [&] { return AgentOf(other_agent_); }, kScope, kScope},
      {"BNNK outside the scope", [&] { return Officer("bnnk-33.74"); }, kScope, kScope},
      {"BNNP of another province", [&] { return Officer("bnnp-33"); }, kScope, kScope},
      {"supervision system", [&] { return System("supervision"); }, kRole, kRole},
      {"referrals system", [&] { return System("referrals"); }, kRole, kRole},
      {"service token", [&] { return cases_server_->As("service", "bnn", "svc-1"); }, kRole, kRole},
      {"supervisor", [&] { return cases_server_->As("supervisor", "bnnk-32.73", "sup-1"); }, kRole,
       kRole},
      {"village fund", [&] { return Org("village_fund", "kemendesa"); }, kRole, kRole},
      {"BNN central (reads, never writes)", [&] { return Officer("bnn"); }, "", kRole},
      {"auditor", [&] { return cases_server_->As("auditor", "bnnk-32.73", "aud-1"); }, "", kRole},
      {"BNNP of the province", [&] { return Officer("bnnp-32"); }, "", ""},
  };
  auto reason = [](const grpc::Status& st) { return st.ok() ? std::string() : ReasonOf(st); };
  for (const Caller& k : callers) {
    {
      v1::GetInterventionSessionRequest get;
      get.set_name(session.name());
      v1::InterventionSession out;
      EXPECT_EQ(reason(sessions_->GetInterventionSession(k.ctx().get(), get, &out)), k.read)
          << k.label << " GetInterventionSession";
      v1::ListInterventionSessionsRequest list;
      list.set_parent(unit_.name());
      v1::ListInterventionSessionsResponse listed;
      EXPECT_EQ(reason(ListSessions(k.ctx(), list, &listed)), k.read)
          << k.label << " ListInterventionSessions";
      EXPECT_EQ(reason(CreateSession(k.ctx(), Individual(a), &out)), k.write)
          << k.label << " CreateInterventionSession";
      v1::InterventionSession change;
      change.set_name(session.name());
      change.set_topic("checked by " + k.label);
      EXPECT_EQ(reason(UpdateSession(k.ctx(), change, {"topic"}, &out)), k.write)
          << k.label << " UpdateInterventionSession";
    }
    {
      v1::GetSupportContactRequest get;
      get.set_name(contact.name());
      v1::SupportContact out;
      EXPECT_EQ(reason(contacts_->GetSupportContact(k.ctx().get(), get, &out)), k.read)
          << k.label << " GetSupportContact";
      v1::ListSupportContactsRequest list;
      list.set_parent(unit_.name() + "/cases/-");
      v1::ListSupportContactsResponse listed;
      EXPECT_EQ(reason(contacts_->ListSupportContacts(k.ctx().get(), list, &listed)), k.read)
          << k.label << " ListSupportContacts";
      EXPECT_EQ(reason(CreateContact(k.ctx(), c.name(), Monitoring(), &out)), k.write)
          << k.label << " CreateSupportContact";
      v1::SupportContact change;
      change.set_name(contact.name());
      change.set_notes("checked");
      EXPECT_EQ(reason(UpdateContact(k.ctx(), change, {"notes"}, &out)), k.write)
          << k.label << " UpdateSupportContact";
    }
  }
  // Voids last (they end the records): refused for all but the unit's agent and officers.
  for (const Caller& k : callers) {
    if (k.write.empty()) continue;
    v1::InterventionSession s;
    EXPECT_EQ(reason(VoidSession(k.ctx(), session.name(), "entered twice", &s)), k.write)
        << k.label << " VoidInterventionSession";
    v1::SupportContact out;
    EXPECT_EQ(reason(VoidContact(k.ctx(), contact.name(), "entered twice", &out)), k.write)
        << k.label << " VoidSupportContact";
  }
  v1::InterventionSession s;
  EXPECT_TRUE(VoidSession(Officer("bnnp-32"), session.name(), "entered twice", &s).ok());
  v1::SupportContact out;
  EXPECT_TRUE(VoidContact(Agent(), contact.name(), "entered twice", &out).ok());
  // An agent lists one client's sessions in its own unit only; units/- for a client of
  // another unit is out of scope.
  v1::ListInterventionSessionsRequest mine;
  mine.set_parent("units/-");
  mine.set_client(a);
  v1::ListInterventionSessionsResponse listed;
  EXPECT_EQ(reason(ListSessions(AgentOf(other_agent_), mine, &listed)), kScope);
  mine.set_parent(other_unit_.name());
  EXPECT_EQ(reason(ListSessions(Agent(), mine, &listed)), kScope);
}

IBM_ON_BOTH_ENGINES(InterventionsTest);

}  // namespace
}  // namespace ibm::cases
