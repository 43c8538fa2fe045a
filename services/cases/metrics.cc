// UnitMetricsService: for each unit and period, each requested metric's numerator and (for
// shares and ratios) denominator, never a record (docs/api.md, Unit metrics). Each row is
// computed in one read transaction; each page when it is requested (data_as_of). The
// counting SQL is store/metrics.cc's; what lives only in a record's serialized details (a
// screening's brief intervention, a case's transitions and origin) is read here.
#include "cases/store/metrics.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/macros.h"
#include "cases/fields.h"
#include "cases/services.h"
#include "cases/store/cases.h"
#include "ibm/cases/v1/activities.pb.h"
#include "ibm/cases/v1/cases.pb.h"
#include "ibm/cases/v1/metrics.grpc.pb.h"
#include "ibm/cases/v1/screenings.pb.h"
#include "resource/fields.h"
#include "resource/pages.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using platform::FieldViolations;

constexpr absl::CivilDay kFirstDay(2019, 1, 1);
constexpr int kMaxYears = 3;

bool IsShare(v1::UnitMetric m) {
  switch (m) {
    case v1::UNIT_METRIC_BRIEF_INTERVENTION_SHARE:
    case v1::UNIT_METRIC_SESSION_ATTENDANCE_SHARE:
    case v1::UNIT_METRIC_SUPPORT_CONTACTS_PER_OPEN_CASE:
    case v1::UNIT_METRIC_EXIT_ASSESSMENT_SHARE:
    case v1::UNIT_METRIC_EXIT_URINE_NEGATIVE_SHARE:
    case v1::UNIT_METRIC_DROP_OUT_SHARE:
      return true;
    default:
      return false;
  }
}

// Persons are admitted by the registry's GetUnit; systems are not (they never need it).
bool IsPerson(CallerKind kind) {
  switch (kind) {
    case CallerKind::kBnn:
    case CallerKind::kBnnp:
    case CallerKind::kBnnk:
    case CallerKind::kAgent:
    case CallerKind::kSupervisor:
    case CallerKind::kAuditor:
      return true;
    default:
      return false;
  }
}

// One unit's values, computed in the caller's read transaction. The counts two metrics share
// (cases open, cases completed) are read once.
class RowComputer {
 public:
  RowComputer(sql::Session& s, const store::Metrics& m, std::string unit, store::Period p)
      : s_(s), m_(m), unit_(std::move(unit)), p_(std::move(p)) {}

  absl::Status Compute(v1::UnitMetric metric, v1::UnitMetricValue* out) {
    out->set_metric(metric);
    int64_t num = 0, den = 0;
    switch (metric) {
      case v1::UNIT_METRIC_SCREENINGS:
      case v1::UNIT_METRIC_CLIENTS_SCREENED: {
        auto n = m_.Screenings(s_, unit_, p_);
        if (!n.ok()) return n.status();
        num = metric == v1::UNIT_METRIC_SCREENINGS ? n->first : n->second;
        break;
      }
      case v1::UNIT_METRIC_BRIEF_INTERVENTION_SHARE: {
        auto details = m_.ScreeningDetails(s_, unit_, p_);
        if (!details.ok()) return details.status();
        for (const std::string& d : *details) {
          v1::Screening screening;
          if (!screening.ParseFromString(d)) return IBM_BUG("a stored screening does not parse");
          if (screening.has_brief_intervention() && !screening.brief_intervention().declined()) {
            ++num;
          }
        }
        den = static_cast<int64_t>(details->size());
        break;
      }
      case v1::UNIT_METRIC_CASES_ENROLLED: {
        auto details = m_.EnrolledCaseDetails(s_, unit_, p_);
        if (!details.ok()) return details.status();
        for (const std::string& d : *details) {
          v1::Case c;
          if (!c.ParseFromString(d)) return IBM_BUG("a stored case does not parse");
          if (c.transferred_from().empty()) ++num;  // made by CreateCase
        }
        break;
      }
      case v1::UNIT_METRIC_CASES_OPEN: {
        auto n = CasesOpen();
        if (!n.ok()) return n.status();
        num = *n;
        break;
      }
      case v1::UNIT_METRIC_INTERVENTION_SESSIONS: {
        auto n = m_.Sessions(s_, unit_, p_);
        if (!n.ok()) return n.status();
        num = *n;
        break;
      }
      case v1::UNIT_METRIC_SESSION_ATTENDANCE_SHARE: {
        auto n = m_.Attendance(s_, unit_, p_);
        if (!n.ok()) return n.status();
        num = n->first;
        den = n->second;
        break;
      }
      case v1::UNIT_METRIC_SUPPORT_CONTACTS_PER_OPEN_CASE: {
        auto n = m_.ReachedContacts(s_, unit_, p_);
        if (!n.ok()) return n.status();
        auto open = CasesOpen();
        if (!open.ok()) return open.status();
        num = *n;
        den = *open;
        break;
      }
      case v1::UNIT_METRIC_EXIT_ASSESSMENT_SHARE: {
        auto n = m_.CompletedWithExitAssessments(s_, unit_, p_);
        if (!n.ok()) return n.status();
        auto completed = Completed();
        if (!completed.ok()) return completed.status();
        num = *n;
        den = *completed;
        break;
      }
      case v1::UNIT_METRIC_EXIT_URINE_NEGATIVE_SHARE: {
        auto n = m_.CompletedWithNegativeExitUrineTest(s_, unit_, p_);
        if (!n.ok()) return n.status();
        auto tested = m_.CompletedWithExitUrineTest(s_, unit_, p_);
        if (!tested.ok()) return tested.status();
        num = *n;
        den = *tested;
        break;
      }
      case v1::UNIT_METRIC_DROP_OUT_SHARE: {
        auto dropped = m_.CasesEnded(s_, unit_, v1::CASE_STATE_DROPPED_OUT, p_);
        if (!dropped.ok()) return dropped.status();
        auto completed = Completed();
        if (!completed.ok()) return completed.status();
        num = *dropped;
        den = *dropped + *completed;
        break;
      }
      case v1::UNIT_METRIC_CASES_REFERRED: {
        auto details = m_.OpenCaseDetails(s_, unit_, p_);
        if (!details.ok()) return details.status();
        const std::string start = p_.start, end = p_.end;
        for (const std::string& d : *details) {
          v1::Case c;
          if (!c.ParseFromString(d)) return IBM_BUG("a stored case does not parse");
          for (const v1::CaseTransition& t : c.transitions()) {
            // A move: not the creation of a case (a transfer keeps the state it had).
            if (t.to_state() != v1::CASE_STATE_REFERRED ||
                t.from_state() == v1::CASE_STATE_UNSPECIFIED) {
              continue;
            }
            const std::string day = resource::DateText(t.effective_date());
            if (day >= start && day <= end) ++num;
          }
        }
        break;
      }
      case v1::UNIT_METRIC_STAKEHOLDER_MEETINGS:
      case v1::UNIT_METRIC_KIE_EVENTS:
      case v1::UNIT_METRIC_MAPPING_REPORTS: {
        const int kind = metric == v1::UNIT_METRIC_STAKEHOLDER_MEETINGS
                             ? v1::UnitActivity::KIND_STAKEHOLDER_MEETING
                         : metric == v1::UNIT_METRIC_KIE_EVENTS
                             ? v1::UnitActivity::KIND_KIE_EVENT
                             : v1::UnitActivity::KIND_MAPPING_REPORT;
        auto n = m_.Activities(s_, unit_, kind, p_);
        if (!n.ok()) return n.status();
        num = *n;
        break;
      }
      case v1::UNIT_METRIC_COMMUNITY_REPORTS: {
        auto n = m_.CommunityReports(s_, unit_, p_);
        if (!n.ok()) return n.status();
        num = *n;
        break;
      }
      default:
        return IBM_BUG("a metric without a computation");
    }
    out->set_numerator(num);
    if (IsShare(metric)) out->set_denominator(den);
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<int64_t> CasesOpen() {
    if (!open_) {
      auto n = m_.CasesOpen(s_, unit_, p_);
      if (!n.ok()) return n.status();
      open_ = *n;
    }
    return *open_;
  }
  absl::StatusOr<int64_t> Completed() {
    if (!completed_) {
      auto n = m_.CasesEnded(s_, unit_, v1::CASE_STATE_COMPLETED, p_);
      if (!n.ok()) return n.status();
      completed_ = *n;
    }
    return *completed_;
  }

  sql::Session& s_;
  const store::Metrics& m_;
  const std::string unit_;
  const store::Period p_;
  std::optional<int64_t> open_, completed_;
};

class UnitMetricsService final : public v1::UnitMetricsService::CallbackService {
 public:
  UnitMetricsService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::UnitMetricsService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* QueryUnitMetrics(CallbackServerContext* ctx,
                                       const v1::QueryUnitMetricsRequest* req,
                                       v1::QueryUnitMetricsResponse* resp) override {
    return calls_.Run(ctx, "QueryUnitMetrics", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "QueryUnitMetrics");
      if (!grant.ok()) return grant.status();
      const bool every_unit = req->parent() == "units/-";
      store::MetricsUnitFilter f;
      std::string single_unit;
      if (every_unit) {
        if (grant->cell == Cell::kOwnUnit) {
          f.unit_id = AgentUnit(*call.caller);
        } else if (grant->cell == Cell::kScope && !call.caller->scope.national()) {
          std::tie(f.scope_from, f.scope_to) = store::VillageRange(call.caller->scope.prefix());
        }
      } else {
        auto unit = ParseName(req->parent(), kUnitPattern, "parent");
        if (!unit.ok()) return unit.status();
        IBM_RETURN_IF_ERROR(core_->RequireUnitScope(call, *grant, (*unit)[0]));
        single_unit = (*unit)[0];
      }

      FieldViolations v;
      if (!req->region().empty()) {
        auto code =
            domain::RegionCode::Parse(absl::StripPrefix(req->region(), "regions/"), "region");
        if (!every_unit) {
          v.Add("region", "is only for the parent units/-");
        } else if (!absl::StartsWith(req->region(), "regions/") || !code.ok()) {
          v.Add("region", "must be a resource name like regions/32.73");
        } else {
          std::tie(f.region_from, f.region_to) = store::VillageRange(code->str());
        }
      }
      if (!req->satker().empty()) {
        auto ids = ParseName(req->satker(), kSatkerPattern, "satker");
        if (!every_unit) {
          v.Add("satker", "is only for the parent units/-");
        } else if (!ids.ok()) {
          v.Add("satker", "must be a resource name like satkers/bnnk-32.73");
        } else {
          f.satker_id = (*ids)[0];
        }
      }
      const size_t dates = v.count();
      resource::CheckDate(v, "start_date", req->start_date(), true);
      resource::CheckDate(v, "end_date", req->end_date(), true);
      if (v.count() == dates) {
        const absl::CivilDay start = DayOf(req->start_date());
        const absl::CivilDay end = DayOf(req->end_date());
        if (start < kFirstDay) {
          v.Add("start_date", "must not be before 2019-01-01");
        } else if (end < start) {
          v.Add("end_date", "must not be before start_date");
        } else if (end > absl::CivilDay(start.year() + kMaxYears, start.month(), start.day())) {
          v.Add("end_date", "must be at most 3 years after start_date");
        }
      }
      std::vector<v1::UnitMetric> metrics;
      if (req->metrics().empty()) {
        v.Add("metrics", "is required: at least one metric");
      } else {
        std::set<int> seen;
        for (int m : req->metrics()) {
          if (m == v1::UNIT_METRIC_UNSPECIFIED || !v1::UnitMetric_IsValid(m)) {
            v.Add("metrics", "must hold UnitMetric values (not UNSPECIFIED)");
            break;
          }
          if (!seen.insert(m).second) {
            v.Add("metrics", "must not repeat a metric");
            break;
          }
          metrics.push_back(static_cast<v1::UnitMetric>(m));
        }
      }
      if (!v.empty()) return v.status();
      const store::Period period{resource::DateText(req->start_date()),
                                 resource::DateText(req->end_date())};

      const std::string query =
          absl::StrCat("QueryUnitMetrics|", req->parent(), "|", req->region(), "|", req->satker(),
                       "|", period.start, "|", period.end, "|", absl::StrJoin(metrics, ","));
      auto page = core_->pages().Read(req->page_size(), req->page_token(), query);
      if (!page.ok()) return page.status();
      const store::Metrics store(core_->dialect());

      // The page's units: the one named, or those of `units/-` after the page's position.
      std::vector<std::string> units;
      if (!every_unit) {
        if (page->after.empty()) units.push_back(single_unit);
      } else if (grant->cell == Cell::kOwnUnit) {
        // An agent's `units/-` is its own unit, records or not (within `region`, if given).
        const std::string own = AgentUnit(*call.caller);
        if (page->after.empty() &&
            (f.region_from.empty() || (own >= f.region_from && own < f.region_to))) {
          units.push_back(own);
        }
      } else {
        IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
          auto listed = store.Units(s, f, page->after, page->size + 1);
          if (!listed.ok()) return listed.status();
          units = *std::move(listed);
          return absl::OkStatus();
        }));
        resp->set_next_page_token(resource::TrimToPage(core_->pages(), query, units, *page,
                                                       [](const std::string& u) { return u; }));
      }

      for (const std::string& unit : units) {
        v1::UnitMetricsRow* row = resp->add_rows();
        row->set_unit(FormatName(kUnitPattern, {unit}));
        row->set_village(absl::StrCat("regions/", UnitVillage(unit).str()));
        std::string satker;
        IBM_RETURN_IF_ERROR(core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) {
          row->clear_values();
          auto latest = store.LatestSatker(s, unit);
          if (!latest.ok()) return latest.status();
          satker = *latest;
          RowComputer computer(s, store, unit, period);
          for (v1::UnitMetric m : metrics) {
            IBM_RETURN_IF_ERROR(computer.Compute(m, row->add_values()));
          }
          return absl::OkStatus();
        }));
        // A unit named alone must exist; and a unit without records of its own here takes
        // its satker from the registry (persons only: systems are not the registry's callers).
        if ((!every_unit || satker.empty()) && IsPerson(grant->kind)) {
          auto facts = core_->registry().Unit(call, unit, every_unit ? "rows.unit" : "parent");
          if (!facts.ok()) return facts.status();
          if (satker.empty()) satker = facts->satker;
        }
        if (!satker.empty()) row->set_satker(FormatName(kSatkerPattern, {satker}));
      }
      *resp->mutable_data_as_of() = resource::ToTimestamp(core_->NowMicros());
      return absl::OkStatus();
    });
  }

 private:
  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewUnitMetricsService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<UnitMetricsService>(std::move(core), std::move(runtime));
}

}  // namespace ibm::cases
