// The provider directory (ProviderService) on both engines: what a provider must be, who
// keeps it, how the directory is searched, and its states.
#include <functional>

#include "referrals/tests/referrals_fixture.h"

namespace ibm::referrals {
namespace {

using registry::HasField;

class ProvidersTest : public ReferralsTest {};

TEST_P(ProvidersTest, CreateMakesAnActiveProviderOfTheLocationsSatker) {
  v1::Provider made;
  grpc::Status s = CreateProvider(Puskesmas(), &made);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(made.name(), ::testing::MatchesRegex("providers/[a-z2-7]{10}"));
  EXPECT_EQ(made.state(), v1::Provider::STATE_ACTIVE);
  EXPECT_EQ(made.satker(), "satkers/bnnk-32.73");
  EXPECT_EQ(made.etag(), "1");
  EXPECT_THAT(made.coverage(), ::testing::ElementsAre("regions/32.73"));
  EXPECT_THAT(made.principals(), ::testing::ElementsAre("sys-puskesmas-caringin"));
  ASSERT_EQ(made.offerings_size(), 2);
  EXPECT_EQ(made.offerings(1).description(), "Senin-Kamis, BPJS");

  v1::GetProviderRequest get;
  get.set_name(made.name());
  v1::Provider got;
  // The directory is public: an agent, a provider and the village-fund system all read it.
  for (auto* ctx :
       {RAs("agent", "bnnk-32.73", agent_.name()).release(), RProvider("someone-else").release(),
        RAs("auditor", "bnnp-33", "auditor-1").release()}) {
    std::unique_ptr<grpc::ClientContext> owned(ctx);
    s = providers_->GetProvider(owned.get(), get, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(got.SerializeAsString(), made.SerializeAsString());
  }
}

TEST_P(ProvidersTest, ARetriedCreateReturnsTheFirstProvider) {
  v1::CreateProviderRequest req;
  *req.mutable_provider() = Puskesmas();
  req.set_request_id("11111111-2222-3333-4444-555555555555");
  v1::Provider first, second;
  ASSERT_TRUE(providers_->CreateProvider(RBnnk().get(), req, &first).ok());
  ASSERT_TRUE(providers_->CreateProvider(RBnnk().get(), req, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  req.mutable_provider()->set_display_name("Another");
  grpc::Status s = providers_->CreateProvider(RBnnk().get(), req, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s, HasField("request_id"));
}

TEST_P(ProvidersTest, TheSatkerIsTheBnnpWhereTheRegencyHasNoBnnk) {
  v1::Provider p = Puskesmas();
  p.set_location("regions/32.01.01.1001");  // Kabupaten Bogor: no BNNK in the seed
  p.set_display_name("Puskesmas Pakansari");
  p.set_principals(0, "sys-pakansari");
  v1::Provider made;
  grpc::Status s = CreateProvider(p, &made, ROfficer("bnnp-32"));
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(made.satker(), "satkers/bnnp-32");
}

TEST_P(ProvidersTest, OfficersCreateOnlyInTheirScope) {
  v1::Provider p = Puskesmas();
  p.set_location("regions/33.74.01.1001");
  v1::Provider made;
  grpc::Status s = CreateProvider(p, &made);  // BNNK Bandung, in Semarang
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(registry::RegistryTest::ReasonOf(s), "OUT_OF_SCOPE");
  s = CreateProvider(p, &made, ROfficer("bnn"));
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(made.satker(), "satkers/bnnp-33");
  s = CreateProvider(Puskesmas(), &made, RAs("agent", "bnnk-32.73", agent_.name()));
  EXPECT_EQ(registry::RegistryTest::ReasonOf(s), "ROLE_NOT_ALLOWED");
}

struct BadProvider {
  std::string what;
  std::function<void(v1::Provider&)> change;
  std::string field;
};

TEST_P(ProvidersTest, BadInputNamesTheField) {
  using Mode = v1::DeliveryChannel;
  const std::vector<BadProvider> cases = {
      {"no name", [](v1::Provider& p) { p.clear_display_name(); }, "provider.display_name"},
      {"no kind", [](v1::Provider& p) { p.clear_kind(); }, "provider.kind"},
      {"no offerings", [](v1::Provider& p) { p.clear_offerings(); }, "provider.offerings"},
      {"repeated offering",
       [](v1::Provider& p) {
         p.mutable_offerings(1)->set_service_type(v1::SERVICE_TYPE_ASSESSMENT);
       },
       "provider.offerings[1].service_type"},
      {"IPWL without decree", [](v1::Provider& p) { p.set_kind(v1::PROVIDER_KIND_IPWL); },
       "provider.ipwl_designation"},
      {"future decree",
       [](v1::Provider& p) {
         auto* d = p.mutable_ipwl_designation();
         d->set_decree_number("HK.01.07/MENKES/1/2023");
         d->mutable_decree_date()->set_year(2199);
         d->mutable_decree_date()->set_month(1);
         d->mutable_decree_date()->set_day(1);
       },
       "provider.ipwl_designation.decree_date"},
      {"location a district", [](v1::Provider& p) { p.set_location("regions/32.73.04"); },
       "provider.location"},
      {"location unknown", [](v1::Provider& p) { p.set_location("regions/32.73.04.1999"); },
       "provider.location"},
      {"no coverage", [](v1::Provider& p) { p.clear_coverage(); }, "provider.coverage"},
      {"coverage inside another", [](v1::Provider& p) { p.add_coverage("regions/32.73.04"); },
       "provider.coverage[1]"},
      {"coverage unknown", [](v1::Provider& p) { p.add_coverage("regions/33.01"); },
       "provider.coverage[1]"},
      {"coverage malformed", [](v1::Provider& p) { p.set_coverage(0, "32.73"); },
       "provider.coverage[0]"},
      {"no delivery", [](v1::Provider& p) { p.clear_delivery(); }, "provider.delivery"},
      {"push without endpoint",
       [](v1::Provider& p) { p.mutable_delivery()->set_mode(Mode::MODE_PUSH); },
       "provider.delivery.endpoint"},
      {"push endpoint not dns:///",
       [](v1::Provider& p) {
         p.mutable_delivery()->set_mode(Mode::MODE_PUSH);
         p.mutable_delivery()->set_endpoint("http://rujukan.example:443");
       },
       "provider.delivery.endpoint"},
      {"push timeout",
       [](v1::Provider& p) {
         p.mutable_delivery()->set_mode(Mode::MODE_PUSH);
         p.mutable_delivery()->set_endpoint("dns:///rujukan.example:443");
         p.mutable_delivery()->set_call_timeout_seconds(61);
       },
       "provider.delivery.call_timeout_seconds"},
      {"bad PEM",
       [](v1::Provider& p) {
         p.mutable_delivery()->set_mode(Mode::MODE_PUSH);
         p.mutable_delivery()->set_endpoint("dns:///rujukan.example:443");
         p.mutable_delivery()->set_tls_ca_pem("not a certificate");
       },
       "provider.delivery.tls_ca_pem"},
      {"deadline too long",
       [](v1::Provider& p) { p.mutable_delivery()->set_delivery_deadline_hours(721); },
       "provider.delivery.delivery_deadline_hours"},
      {"deadline for MANUAL",
       [](v1::Provider& p) {
         p.mutable_delivery()->set_mode(Mode::MODE_MANUAL);
         p.mutable_delivery()->set_delivery_deadline_hours(24);
       },
       "provider.delivery.delivery_deadline_hours"},
      {"FHIR over http",
       [](v1::Provider& p) {
         auto* d = p.mutable_delivery();
         d->set_mode(Mode::MODE_FHIR_REST);
         d->set_fhir_base_url("http://fhir.example/R4");
         d->set_oauth2_token_url("https://auth.example/token");
         d->set_oauth2_client_id("bnn");
         d->set_oauth2_secret_name("rsud-bandung");
       },
       "provider.delivery.fhir_base_url"},
      {"FHIR secret name",
       [](v1::Provider& p) {
         auto* d = p.mutable_delivery();
         d->set_mode(Mode::MODE_FHIR_REST);
         d->set_fhir_base_url("https://fhir.example/R4");
         d->set_oauth2_token_url("https://auth.example/token");
         d->set_oauth2_client_id("bnn");
         d->set_oauth2_secret_name("../etc/passwd");
       },
       "provider.delivery.oauth2_secret_name"},
      {"endpoint on PULL",
       [](v1::Provider& p) { p.mutable_delivery()->set_endpoint("dns:///x.example:443"); },
       "provider.delivery.endpoint"},
      {"PULL without principals", [](v1::Provider& p) { p.clear_principals(); },
       "provider.principals"},
      {"repeated principal", [](v1::Provider& p) { p.add_principals(p.principals(0)); },
       "provider.principals[1]"},
      {"puskesmas on PULL without SATUSEHAT id",
       [](v1::Provider& p) { p.clear_satusehat_organization_id(); },
       "provider.satusehat_organization_id"},
      {"phone with letters", [](v1::Provider& p) { p.set_public_phone("call us"); },
       "provider.public_phone"},
  };
  for (const BadProvider& c : cases) {
    SCOPED_TRACE(c.what);
    v1::Provider p = Puskesmas();
    c.change(p);
    v1::Provider made;
    grpc::Status s = CreateProvider(p, &made);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(s, HasField(c.field));
  }
  // Nothing half-made: the directory is still empty.
  v1::ListProvidersRequest list;
  list.add_states(v1::Provider::STATE_ACTIVE);
  v1::ListProvidersResponse all;
  ASSERT_TRUE(providers_->ListProviders(RBnnk().get(), list, &all).ok());
  EXPECT_EQ(all.providers_size(), 0);
}

TEST_P(ProvidersTest, ASubjectActsForOneProviderOnly) {
  v1::Provider first, second;
  ASSERT_TRUE(CreateProvider(Puskesmas(), &first).ok());
  v1::Provider p = Puskesmas();
  p.set_display_name("Klinik Pratama BNNK Bandung");
  p.set_kind(v1::PROVIDER_KIND_CLINIC);
  grpc::Status s = CreateProvider(p, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
  EXPECT_EQ(registry::RegistryTest::ReasonOf(s), "PRINCIPAL_IN_USE");
  p.set_principals(0, "sys-klinik-bnnk");
  EXPECT_TRUE(CreateProvider(p, &second).ok());
}

TEST_P(ProvidersTest, TheDirectoryIsSearchedByCoverageLocationKindServiceAndState) {
  v1::Provider puskesmas, ipwl, semarang;
  ASSERT_TRUE(CreateProvider(Puskesmas(), &puskesmas).ok());
  v1::Provider p = Puskesmas();
  p.set_display_name("Balai Rehabilitasi BNN Lido");
  p.set_kind(v1::PROVIDER_KIND_IPWL);
  p.set_location("regions/32.01.01.1001");
  p.clear_coverage();
  p.add_coverage("regions/32");
  p.mutable_offerings(1)->set_service_type(v1::SERVICE_TYPE_INPATIENT_REHABILITATION);
  auto* d = p.mutable_ipwl_designation();
  d->set_decree_number("HK.01.07/MENKES/1234/2023");
  d->mutable_decree_date()->set_year(2023);
  d->mutable_decree_date()->set_month(5);
  d->mutable_decree_date()->set_day(2);
  p.set_principals(0, "sys-lido");
  ASSERT_TRUE(CreateProvider(p, &ipwl, ROfficer("bnnp-32")).ok());
  p = Puskesmas();
  p.set_display_name("Puskesmas Pekunden");
  p.set_location("regions/33.74.01.1001");
  p.set_coverage(0, "regions/33.74");
  p.set_principals(0, "sys-pekunden");
  ASSERT_TRUE(CreateProvider(p, &semarang, ROfficer("bnnp-33")).ok());

  auto names = [&](v1::ListProvidersRequest req) {
    v1::ListProvidersResponse resp;
    grpc::Status s = providers_->ListProviders(RBnnk().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> out;
    for (const auto& q : resp.providers()) out.push_back(q.display_name());
    return out;
  };
  v1::ListProvidersRequest req;
  EXPECT_THAT(names(req), ::testing::ElementsAre("Balai Rehabilitasi BNN Lido",
                                                 "Puskesmas Caringin", "Puskesmas Pekunden"));
  req.set_covers_region("regions/32.73.04.1001");
  EXPECT_THAT(names(req),
              ::testing::ElementsAre("Balai Rehabilitasi BNN Lido", "Puskesmas Caringin"));
  req.set_covers_region("regions/33.74.01.1001");
  EXPECT_THAT(names(req), ::testing::ElementsAre("Puskesmas Pekunden"));
  req.Clear();
  req.set_located_in("regions/32");
  EXPECT_THAT(names(req),
              ::testing::ElementsAre("Balai Rehabilitasi BNN Lido", "Puskesmas Caringin"));
  req.set_located_in("regions/32.73.04");
  EXPECT_THAT(names(req), ::testing::ElementsAre("Puskesmas Caringin"));
  req.Clear();
  req.set_ipwl_only(true);
  EXPECT_THAT(names(req), ::testing::ElementsAre("Balai Rehabilitasi BNN Lido"));
  req.Clear();
  req.set_service_type(v1::SERVICE_TYPE_OUTPATIENT_REHABILITATION);
  EXPECT_THAT(names(req), ::testing::ElementsAre("Puskesmas Caringin", "Puskesmas Pekunden"));
  req.Clear();
  req.set_kind(v1::PROVIDER_KIND_IPWL);
  EXPECT_THAT(names(req), ::testing::ElementsAre("Balai Rehabilitasi BNN Lido"));

  // Pages of one walk the whole directory in order.
  auto pages = registry::RegistryTest::PagesOfOne<v1::ListProvidersResponse>(
      v1::ListProvidersRequest{},
      [&](const v1::ListProvidersRequest& r, v1::ListProvidersResponse* out) {
        return providers_->ListProviders(RBnnk().get(), r, out);
      },
      [](const v1::ListProvidersResponse& r) {
        std::vector<std::string> out;
        for (const auto& q : r.providers()) out.push_back(q.display_name());
        return out;
      });
  EXPECT_THAT(pages, ::testing::ElementsAre("Balai Rehabilitasi BNN Lido", "Puskesmas Caringin",
                                            "Puskesmas Pekunden"));

  // A closed provider leaves the default list.
  v1::SetProviderStateRequest close;
  close.set_name(semarang.name());
  close.set_state(v1::Provider::STATE_CLOSED);
  close.set_reason("merged into RSUD");
  v1::Provider closed;
  ASSERT_TRUE(providers_->SetProviderState(ROfficer("bnnp-33").get(), close, &closed).ok());
  req.Clear();
  EXPECT_THAT(names(req),
              ::testing::ElementsAre("Balai Rehabilitasi BNN Lido", "Puskesmas Caringin"));
  req.add_states(v1::Provider::STATE_CLOSED);
  EXPECT_THAT(names(req), ::testing::ElementsAre("Puskesmas Pekunden"));

  // Bad filters.
  for (const auto& [field, change] :
       std::vector<std::pair<std::string, std::function<void(v1::ListProvidersRequest&)>>>{
           {"covers_region", [](auto& r) { r.set_covers_region("32.73"); }},
           {"covers_region", [](auto& r) { r.set_covers_region("regions/32.99"); }},
           {"located_in", [](auto& r) { r.set_located_in("regions/x"); }},
           {"kind", [](auto& r) { r.set_kind(static_cast<v1::ProviderKind>(99)); }},
           {"states[0]", [](auto& r) { r.add_states(v1::Provider::STATE_UNSPECIFIED); }},
           {"page_size", [](auto& r) { r.set_page_size(-1); }},
           {"page_token", [](auto& r) { r.set_page_token("garbage"); }},
       }) {
    SCOPED_TRACE(field);
    v1::ListProvidersRequest bad;
    change(bad);
    v1::ListProvidersResponse resp;
    grpc::Status s = providers_->ListProviders(RBnnk().get(), bad, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(s, HasField(field));
  }
}

TEST_P(ProvidersTest, UpdateChangesTheMaskedFieldsUnderTheEtag) {
  v1::Provider made;
  ASSERT_TRUE(CreateProvider(Puskesmas(), &made).ok());
  v1::UpdateProviderRequest req;
  req.mutable_provider()->set_name(made.name());
  req.mutable_provider()->set_etag(made.etag());
  req.mutable_provider()->set_display_name("UPT Puskesmas Caringin");
  req.mutable_provider()->add_coverage("regions/32.73");
  req.mutable_provider()->add_coverage("regions/32.01");
  req.mutable_update_mask()->add_paths("display_name");
  req.mutable_update_mask()->add_paths("coverage");
  v1::Provider updated;
  grpc::Status s = providers_->UpdateProvider(RBnnk().get(), req, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.display_name(), "UPT Puskesmas Caringin");
  EXPECT_THAT(updated.coverage(),
              ::testing::UnorderedElementsAre("regions/32.01", "regions/32.73"));
  EXPECT_EQ(updated.offerings_size(), 2);  // not in the mask: kept
  EXPECT_EQ(updated.etag(), "2");

  s = providers_->UpdateProvider(RBnnk().get(), req, &updated);  // the etag is now stale
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  req.mutable_provider()->clear_etag();
  req.mutable_update_mask()->add_paths("kind");
  s = providers_->UpdateProvider(RBnnk().get(), req, &updated);
  EXPECT_THAT(s, HasField("update_mask.paths[2]"));
  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("offerings");  // to none
  s = providers_->UpdateProvider(RBnnk().get(), req, &updated);
  EXPECT_THAT(s, HasField("provider.offerings"));
  // Another regency's BNNK keeps none of Bandung's providers.
  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("display_name");
  s = providers_->UpdateProvider(ROfficer("bnnp-33").get(), req, &updated);
  EXPECT_EQ(registry::RegistryTest::ReasonOf(s), "OUT_OF_SCOPE");
  // Nor may one move a provider out of its own scope.
  req.mutable_provider()->set_location("regions/33.74.01.1001");
  req.mutable_update_mask()->add_paths("location");
  s = providers_->UpdateProvider(RBnnk().get(), req, &updated);
  EXPECT_EQ(registry::RegistryTest::ReasonOf(s), "OUT_OF_SCOPE");
}

TEST_P(ProvidersTest, StatesMoveAsTheTableSays) {
  v1::Provider made;
  ASSERT_TRUE(CreateProvider(Puskesmas(), &made).ok());
  auto move = [&](v1::Provider::State to, const std::string& reason, v1::Provider* out) {
    v1::SetProviderStateRequest req;
    req.set_name(made.name());
    req.set_state(to);
    req.set_reason(reason);
    return providers_->SetProviderState(RBnnk().get(), req, out);
  };
  v1::Provider out;
  grpc::Status s = move(v1::Provider::STATE_SUSPENDED, "", &out);
  EXPECT_THAT(s, HasField("reason"));
  s = move(v1::Provider::STATE_UNSPECIFIED, "x", &out);
  EXPECT_THAT(s, HasField("state"));
  s = move(v1::Provider::STATE_ACTIVE, "", &out);  // ACTIVE -> ACTIVE
  EXPECT_EQ(registry::RegistryTest::ReasonOf(s), "ILLEGAL_TRANSITION");
  ASSERT_TRUE(move(v1::Provider::STATE_SUSPENDED, "renovasi", &out).ok());
  EXPECT_EQ(out.state_reason(), "renovasi");
  ASSERT_TRUE(move(v1::Provider::STATE_ACTIVE, "", &out).ok());
  ASSERT_TRUE(move(v1::Provider::STATE_CLOSED, "tutup", &out).ok());
  EXPECT_EQ(out.state(), v1::Provider::STATE_CLOSED);
  s = move(v1::Provider::STATE_ACTIVE, "", &out);
  EXPECT_EQ(registry::RegistryTest::ReasonOf(s), "ILLEGAL_TRANSITION");
  v1::UpdateProviderRequest update;
  update.mutable_provider()->set_name(made.name());
  update.mutable_provider()->set_display_name("x");
  update.mutable_update_mask()->add_paths("display_name");
  s = providers_->UpdateProvider(RBnnk().get(), update, &out);
  EXPECT_EQ(registry::RegistryTest::ReasonOf(s), "PROVIDER_CLOSED");
}

IBM_ON_BOTH_ENGINES(ProvidersTest);

}  // namespace
}  // namespace ibm::referrals
