// Table-driven tests of registry/rules/satkers.h: no gRPC, no database.
#include "registry/rules/satkers.h"

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "registry/tests/rules/violations.h"

namespace ibm::registry::rules {
namespace {

domain::RegionCode Code(const char* code) { return *domain::RegionCode::Parse(code); }

v1::Satker GoodBnnk() {
  v1::Satker s;
  s.set_kind(v1::SATKER_KIND_BNNK);
  s.set_region("regions/32.73");
  s.set_display_name("BNN Kota Bandung");
  s.set_address("Jl. Ibrahim Adjie No. 1");
  s.set_phone("022-1234567");
  return s;
}

template <typename T>
struct Case {
  const char* what;
  std::function<void(T&)> change;  // applied to a good value
  Fields fields;                   // the violations expected, in order
};

TEST(SatkerRulesTest, Contact) {
  for (const Case<v1::Satker>& c : std::initializer_list<Case<v1::Satker>>{
           {"good", [](auto&) {}, {}},
           {"nothing given", [](auto& s) { s.Clear(); }, {}},
           {"a name of 200", [](auto& s) { s.set_display_name(std::string(200, 'n')); }, {}},
           {"an address of 500", [](auto& s) { s.set_address(std::string(500, 'a')); }, {}},
           {"a phone of 30", [](auto& s) { s.set_phone(std::string(30, '1')); }, {}},
           {"a name of 201",
            [](auto& s) { s.set_display_name(std::string(201, 'n')); },
            {"satker.display_name"}},
           {"an address of 501",
            [](auto& s) { s.set_address(std::string(501, 'a')); },
            {"satker.address"}},
           {"a phone of 31", [](auto& s) { s.set_phone(std::string(31, '1')); }, {"satker.phone"}},
           {"a control character in the name",
            [](auto& s) { s.set_display_name("BNN\x07"); },
            {"satker.display_name"}},
           {"a newline in the address",
            [](auto& s) { s.set_address("Jl. A\nNo. 1"); },
            {"satker.address"}},
           {"a control character in the phone",
            [](auto& s) { s.set_phone("022\x01"); },
            {"satker.phone"}},
           {"all three",
            [](auto& s) {
              s.set_display_name(std::string(201, 'n'));
              s.set_address(std::string(501, 'a'));
              s.set_phone(std::string(31, '1'));
            },
            {"satker.display_name", "satker.address", "satker.phone"}},
       }) {
    v1::Satker s = GoodBnnk();
    c.change(s);
    platform::FieldViolations v;
    CheckContact(v, s);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
}

TEST(SatkerRulesTest, NewSatker) {
  struct NewCase {
    const char* what;
    std::function<void(v1::Satker&)> change;
    Fields fields;
    const char* region;  // "" when none is returned
  };
  for (const NewCase& c : std::initializer_list<NewCase>{
           {"a BNNK", [](auto&) {}, {}, "32.73"},
           {"a BNNP",
            [](auto& s) {
              s.set_kind(v1::SATKER_KIND_BNNP);
              s.set_region("regions/32");
            },
            {},
            "32"},
           {"no name (a default is given)", [](auto& s) { s.clear_display_name(); }, {}, "32.73"},
           {"a BNNK on a province",
            [](auto& s) { s.set_region("regions/32"); },
            {"satker.region"},
            ""},
           {"a BNNK on a district",
            [](auto& s) { s.set_region("regions/32.73.04"); },
            {"satker.region"},
            ""},
           {"a BNNP on a regency",
            [](auto& s) { s.set_kind(v1::SATKER_KIND_BNNP); },
            {"satker.region"},
            ""},
           {"no region", [](auto& s) { s.clear_region(); }, {"satker.region"}, ""},
           {"a code, not a name", [](auto& s) { s.set_region("32.73"); }, {"satker.region"}, ""},
           {"BNN central", [](auto& s) { s.set_kind(v1::SATKER_KIND_BNN); }, {"satker.kind"}, ""},
           {"no kind", [](auto& s) { s.clear_kind(); }, {"satker.kind"}, ""},
           {"not a kind",
            [](auto& s) { s.set_kind(static_cast<v1::SatkerKind>(9)); },
            {"satker.kind"},
            ""},
           {"no kind and a long phone",
            [](auto& s) {
              s.clear_kind();
              s.set_phone(std::string(31, '1'));
            },
            {"satker.kind", "satker.phone"},
            ""},
           {"the contact is checked too",
            [](auto& s) { s.set_address(std::string(501, 'a')); },
            {"satker.address"},
            "32.73"},
       }) {
    v1::Satker s = GoodBnnk();
    c.change(s);
    platform::FieldViolations v;
    const std::optional<domain::RegionCode> region = CheckNewSatker(v, s);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
    EXPECT_EQ(region ? region->str() : "", c.region) << c.what;
  }
  struct DescriptionCase {
    v1::SatkerKind kind;
    const char* region;
    const char* field;
    const char* starts;
  };
  for (const DescriptionCase& c : std::initializer_list<DescriptionCase>{
           {v1::SATKER_KIND_BNNK, "regions/32", "satker.region",
            "a BNNK sits on a regency or city: "},
           {v1::SATKER_KIND_BNNP, "regions/32.73", "satker.region", "a BNNP sits on a province: "},
           {v1::SATKER_KIND_BNNP, "", "satker.region", "is required"},
           {v1::SATKER_KIND_BNN, "", "satker.kind", "BNN central is created by BootstrapSatkers"},
           {v1::SATKER_KIND_UNSPECIFIED, "regions/32", "satker.kind",
            "is required: SATKER_KIND_BNNP or SATKER_KIND_BNNK"},
       }) {
    v1::Satker s;
    s.set_kind(c.kind);
    s.set_region(c.region);
    platform::FieldViolations v;
    CheckNewSatker(v, s);
    EXPECT_EQ(DescriptionOf(v.status(), c.field).rfind(c.starts, 0), 0u)
        << c.starts << " / " << DescriptionOf(v.status(), c.field);
  }
}

TEST(SatkerRulesTest, SatkerUpdate) {
  struct UpdateCase {
    const char* what;
    std::function<void(v1::Satker&)> change;
    Fields paths;
    Fields fields;
  };
  for (const UpdateCase& c : std::initializer_list<UpdateCase>{
           {"good", [](auto&) {}, {"display_name", "address", "phone"}, {}},
           {"a name emptied",
            [](auto& s) { s.clear_display_name(); },
            {"display_name"},
            {"satker.display_name"}},
           {"no name, not in the mask", [](auto& s) { s.clear_display_name(); }, {"phone"}, {}},
           {"address and phone emptied",
            [](auto& s) {
              s.clear_address();
              s.clear_phone();
            },
            {"address", "phone"},
            {}},
           // The contact fields are checked whatever the mask says.
           {"a long phone, not in the mask",
            [](auto& s) { s.set_phone(std::string(31, '1')); },
            {"address"},
            {"satker.phone"}},
           {"a long name, in the mask",
            [](auto& s) { s.set_display_name(std::string(201, 'n')); },
            {"display_name"},
            {"satker.display_name"}},
       }) {
    v1::Satker s = GoodBnnk();
    c.change(s);
    platform::FieldViolations v;
    CheckSatkerUpdate(v, s, c.paths);
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
  v1::Satker s = GoodBnnk();
  s.clear_display_name();
  platform::FieldViolations v;
  CheckSatkerUpdate(v, s, {"display_name"});
  EXPECT_EQ(DescriptionOf(v.status(), "satker.display_name"), "must not be empty");
}

TEST(SatkerRulesTest, ListSatkersRequest) {
  struct ListCase {
    const char* what;
    const char* parent;
    bool descendants;
    int kind;
    Fields fields;
    const char* parent_id;
  };
  for (const ListCase& c : std::initializer_list<ListCase>{
           {"everything", "", false, 0, {}, ""},
           {"children of BNN central", "satkers/bnn", false, 0, {}, "bnn"},
           {"descendants of a BNNP", "satkers/bnnp-32", true, 0, {}, "bnnp-32"},
           {"BNNKs only", "", false, v1::SATKER_KIND_BNNK, {}, ""},
           {"a satker id, not a name", "bnnp-32", false, 0, {"parent"}, ""},
           {"not a satker", "satkers/bnnk-32", false, 0, {"parent"}, ""},
           {"descendants of nothing", "", true, 0, {"descendants"}, ""},
           {"not a kind", "", false, 9, {"kind"}, ""},
           {"a bad parent and kind", "satkers/x", true, 9, {"parent", "kind"}, ""},
       }) {
    v1::ListSatkersRequest req;
    req.set_parent(c.parent);
    req.set_descendants(c.descendants);
    req.set_kind(static_cast<v1::SatkerKind>(c.kind));
    platform::FieldViolations v;
    EXPECT_EQ(CheckListSatkersRequest(v, req), c.parent_id) << c.what;
    EXPECT_EQ(FieldsOf(v), c.fields) << c.what;
  }
}

TEST(SatkerRulesTest, ANewSatkerSitsUnderTheSatkerAboveIt) {
  EXPECT_EQ(SatkerIdOn(v1::SATKER_KIND_BNNP, "32"), "bnnp-32");
  EXPECT_EQ(SatkerIdOn(v1::SATKER_KIND_BNNK, "32.73"), "bnnk-32.73");

  const NewSatkerPlace bnnp = PlaceNewSatker(v1::SATKER_KIND_BNNP, Code("32"));
  EXPECT_EQ(bnnp.id, "bnnp-32");
  EXPECT_EQ(bnnp.parent_id, "bnn");
  EXPECT_FALSE(bnnp.creators.has_value());  // BNN central only

  const NewSatkerPlace bnnk = PlaceNewSatker(v1::SATKER_KIND_BNNK, Code("32.73"));
  EXPECT_EQ(bnnk.id, "bnnk-32.73");
  EXPECT_EQ(bnnk.parent_id, "bnnp-32");
  ASSERT_TRUE(bnnk.creators.has_value());  // BNN central or the province's BNNP
  EXPECT_EQ(bnnk.creators->str(), "32");
}

TEST(SatkerRulesTest, ANewSatkerIsNamedAfterItsRegionUnlessNamed) {
  struct NameCase {
    v1::SatkerKind kind;
    const char* given;
    const char* region_name;
    const char* name;
  };
  for (const NameCase& c : std::initializer_list<NameCase>{
           {v1::SATKER_KIND_BNNP, "", "Jawa Barat", "BNN Provinsi Jawa Barat"},
           {v1::SATKER_KIND_BNNK, "", "Kota Bandung", "BNN Kota Bandung"},
           {v1::SATKER_KIND_BNNK, "", "Kabupaten Bogor", "BNN Kabupaten Bogor"},
           {v1::SATKER_KIND_BNNP, "BNNP Jabar", "Jawa Barat", "BNNP Jabar"},
           {v1::SATKER_KIND_BNNK, "BNNK Bandung", "Kota Bandung", "BNNK Bandung"},
           {v1::SATKER_KIND_BNNK, " ", "Kota Bandung", " "},  // given: kept as it is
       }) {
    EXPECT_EQ(DisplayNameOrDefault(c.kind, c.given, c.region_name), c.name);
  }
}

TEST(SatkerRulesTest, ASatkerNeedsItsRegionAndItsParent) {
  EXPECT_TRUE(CheckRegionExists("32.73", true).ok());
  const absl::Status region = CheckRegionExists("32.99", false);
  EXPECT_EQ(region.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DescriptionOf(region, "satker.region"), "region 32.99 does not exist");

  EXPECT_TRUE(CheckParentExists("bnn", v1::SATKER_KIND_BNNP, true).ok());
  EXPECT_TRUE(CheckParentExists("bnnp-32", v1::SATKER_KIND_BNNK, true).ok());
  const absl::Status bnn = CheckParentExists("bnn", v1::SATKER_KIND_BNNP, false);
  EXPECT_EQ(bnn.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(bnn.message(),
            "the parent satker satkers/bnn does not exist yet (run BootstrapSatkers)");
  const absl::Status bnnp = CheckParentExists("bnnp-32", v1::SATKER_KIND_BNNK, false);
  EXPECT_EQ(bnnp.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(bnnp.message(), "the parent satker satkers/bnnp-32 does not exist yet");
}

TEST(SatkerRulesTest, DescendantsFollowBnnStructure) {
  struct DescendantsCase {
    const char* parent;
    bool all_but_central;
    bool none;
    const char* from;
    const char* to;
    std::vector<const char*> inside;  // ids within [from, to)
    std::vector<const char*> outside;
  };
  for (const DescendantsCase& c : std::initializer_list<DescendantsCase>{
           {"bnn", true, false, "", "", {}, {}},
           {"bnnp-32",
            false,
            false,
            "bnnk-32.",
            "bnnk-32/",
            {"bnnk-32.01", "bnnk-32.73"},
            {"bnnk-33.74", "bnnk-31.71", "bnnp-32", "bnnk-3.01"}},
           {"bnnk-32.73", false, true, "", "", {}, {}},
       }) {
    const Descendants d = DescendantsOf(c.parent);
    EXPECT_EQ(d.all_but_central, c.all_but_central) << c.parent;
    EXPECT_EQ(d.none, c.none) << c.parent;
    EXPECT_EQ(d.id_from, c.from) << c.parent;
    EXPECT_EQ(d.id_to, c.to) << c.parent;
    for (const char* id : c.inside) {
      EXPECT_TRUE(d.id_from <= id && id < d.id_to) << c.parent << " " << id;
    }
    for (const char* id : c.outside) {
      EXPECT_FALSE(d.id_from <= id && id < d.id_to) << c.parent << " " << id;
    }
  }
}

TEST(SatkerRulesTest, BootstrapCreatesCentralAndAProvincialSatkerPerProvince) {
  EXPECT_TRUE(CheckProvincesImported(1).ok());
  EXPECT_TRUE(CheckProvincesImported(38).ok());
  const absl::Status none = CheckProvincesImported(0);
  EXPECT_EQ(none.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(none.message(), "the registry has no provinces yet: import the region data first");

  const SatkerSeed bnn = CentralSatker();
  EXPECT_EQ(bnn.id, "bnn");
  EXPECT_EQ(bnn.kind, v1::SATKER_KIND_BNN);
  EXPECT_FALSE(bnn.region_code.has_value());
  EXPECT_FALSE(bnn.parent_id.has_value());
  EXPECT_EQ(bnn.display_name, "Badan Narkotika Nasional");

  const SatkerSeed jabar = ProvincialSatker("32", "Jawa Barat");
  EXPECT_EQ(jabar.id, "bnnp-32");
  EXPECT_EQ(jabar.kind, v1::SATKER_KIND_BNNP);
  EXPECT_EQ(jabar.region_code, "32");
  EXPECT_EQ(jabar.parent_id, "bnn");
  EXPECT_EQ(jabar.display_name, "BNN Provinsi Jawa Barat");
}

}  // namespace
}  // namespace ibm::registry::rules
