// The case event feed (docs/api.md, Case events): the transactional outbox every change
// writes to (EnqueueCaseEvent), and CaseEventService, through which each consuming system
// pulls and acknowledges its subscription.
//
// Publishing: the event is given its sequence in the transaction of its change, by bumping
// the feed's one counter row (store::Events::NextSequence). That UPDATE locks the row until
// the transaction commits or rolls back, on both engines (SQLite serializes every writer
// anyway; InnoDB holds the row lock to the end), so:
//   - sequences are handed out one transaction at a time: N+1 only after N's transaction has
//     committed, so no snapshot that shows N+1 can miss N (a reader never sees a sequence
//     before a smaller one is visible), and the feed's order is commit order;
//   - a transaction that rolls back gives its number back with it: no gaps;
//   - the event is in the feed exactly when its change committed.
// A separate publisher thread moving outbox rows later would need the same single-writer
// discipline plus a thread to run, stop and watch; publishing in the transaction costs one
// row lock held by the few changes that emit events (ends, transfers, voids, withdrawals),
// which queue on it for the length of their commit. commit_time and publish_time are
// therefore the same moment.
#include "cases/store/events.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/macros.h"
#include "cases/case_effects.h"
#include "cases/services.h"
#include "ibm/cases/v1/events.grpc.pb.h"
#include "resource/fields.h"
#include "resource/pages.h"

namespace ibm::cases {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

constexpr absl::string_view kSubscriptionPattern = "caseEventSubscriptions/{subscription}";
// An event stays at least this long, and until every subscription acknowledged it.
constexpr absl::Duration kRetention = absl::Hours(24 * 30);

std::string SubscriptionName(absl::string_view id) {
  return FormatName(kSubscriptionPattern, {std::string(id)});
}

// Only the system a subscription names reads or acknowledges it.
absl::Status RequireOwnSubscription(const Principal& caller, const store::Subscription& sub) {
  if (caller.role == Role::kSystem && caller.system == sub.system) return absl::OkStatus();
  return platform::WithReason(
      absl::PermissionDeniedError(
          "only the system named in a case event subscription may read or acknowledge it"),
      "OUT_OF_SCOPE");
}

// The subscription with its backlog, read in the caller's transaction.
absl::Status SubscriptionToProto(const store::Events& events, sql::Session& s,
                                 const store::Subscription& sub, v1::CaseEventSubscription* out) {
  auto latest = events.LatestSequence(s);
  if (!latest.ok()) return latest.status();
  out->Clear();
  out->set_name(SubscriptionName(sub.id));
  out->set_system(sub.system);
  out->set_acknowledged_sequence(sub.acknowledged_sequence);
  out->set_latest_sequence(*latest);
  out->set_pending_events(*latest - sub.acknowledged_sequence);
  if (*latest > sub.acknowledged_sequence) {
    auto oldest = events.After(s, sub.acknowledged_sequence, 1);
    if (!oldest.ok()) return oldest.status();
    if (!oldest->empty()) {
      *out->mutable_oldest_pending_publish_time() =
          resource::ToTimestamp(oldest->front().publish_time_us);
    }
  }
  if (sub.acknowledge_time_us) {
    *out->mutable_acknowledge_time() = resource::ToTimestamp(*sub.acknowledge_time_us);
  }
  return absl::OkStatus();
}

class CaseEventService final : public v1::CaseEventService::CallbackService {
 public:
  CaseEventService(CorePtr core, platform::Runtime runtime)
      : core_(std::move(core)),
        calls_(v1::CaseEventService::service_full_name(), std::move(runtime)) {}

  ServerUnaryReactor* GetCaseEventSubscription(CallbackServerContext* ctx,
                                               const v1::GetCaseEventSubscriptionRequest* req,
                                               v1::CaseEventSubscription* resp) override {
    return calls_.Run(ctx, "GetCaseEventSubscription", [=, this](const Call& call) {
      auto grant = core_->Authorize(call, "GetCaseEventSubscription");
      if (!grant.ok()) return grant.status();
      auto id = ParseName(req->name(), kSubscriptionPattern, "name");
      if (!id.ok()) return id.status();
      const store::Events events(core_->dialect());
      return core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
        auto sub = events.GetSubscription(s, (*id)[0], req->name());
        if (!sub.ok()) return sub.status();
        IBM_RETURN_IF_ERROR(RequireOwnSubscription(*call.caller, *sub));
        return SubscriptionToProto(events, s, *sub, resp);
      });
    });
  }

  ServerUnaryReactor* PullCaseEvents(CallbackServerContext* ctx,
                                     const v1::PullCaseEventsRequest* req,
                                     v1::PullCaseEventsResponse* resp) override {
    return calls_.Run(ctx, "PullCaseEvents", [=, this](const Call& call) -> absl::Status {
      auto grant = core_->Authorize(call, "PullCaseEvents");
      if (!grant.ok()) return grant.status();
      auto id = ParseName(req->subscription(), kSubscriptionPattern, "subscription");
      if (!id.ok()) return id.status();
      // A token is sealed to its subscription: another's is INVALID_ARGUMENT page_token.
      const std::string query = absl::StrCat("PullCaseEvents|", (*id)[0]);
      const store::Events events(core_->dialect());
      std::vector<store::Event> found;
      store::Subscription sub;
      platform::Page page;
      IBM_RETURN_IF_ERROR(
          core_->db().Transact(sql::TxMode::kReadOnly, [&](sql::Session& s) -> absl::Status {
            auto got = events.GetSubscription(s, (*id)[0], req->subscription());
            if (!got.ok()) return got.status();
            sub = *std::move(got);
            IBM_RETURN_IF_ERROR(RequireOwnSubscription(*call.caller, sub));
            auto read = core_->pages().Read(req->page_size(), req->page_token(), query);
            if (!read.ok()) return read.status();
            page = *std::move(read);
            // Without a token: after what is acknowledged; with one: after its page.
            int64_t after = sub.acknowledged_sequence;
            if (!page.after.empty() && !absl::SimpleAtoi(page.after, &after)) {
              return platform::InvalidField("page_token", "is not a page token of this feed");
            }
            auto listed = events.After(s, after, page.size + 1);
            if (!listed.ok()) return listed.status();
            found = *std::move(listed);
            return absl::OkStatus();
          }));
      resp->set_next_page_token(
          resource::TrimToPage(core_->pages(), query, found, page,
                               [](const store::Event& e) { return absl::StrCat(e.sequence); }));
      resp->set_acknowledged_sequence(sub.acknowledged_sequence);
      for (const store::Event& e : found) {
        if (!resp->add_events()->ParseFromString(e.body)) {
          return absl::InternalError(
              absl::StrCat("the stored case event ", e.sequence, " does not parse"));
        }
      }
      return absl::OkStatus();
    });
  }

  ServerUnaryReactor* AcknowledgeCaseEvents(CallbackServerContext* ctx,
                                            const v1::AcknowledgeCaseEventsRequest* req,
                                            v1::CaseEventSubscription* resp) override {
    return calls_.Run(ctx, "AcknowledgeCaseEvents", [=, this](const Call& call) {
      auto grant = core_->Authorize(call, "AcknowledgeCaseEvents");
      if (!grant.ok()) return grant.status();
      auto id = ParseName(req->subscription(), kSubscriptionPattern, "subscription");
      if (!id.ok()) return id.status();
      const store::Events events(core_->dialect());
      return core_->db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) -> absl::Status {
        auto sub = events.GetSubscription(s, (*id)[0], req->subscription(), /*for_update=*/true);
        if (!sub.ok()) return sub.status();
        IBM_RETURN_IF_ERROR(RequireOwnSubscription(*call.caller, *sub));
        auto latest = events.LatestSequence(s);
        if (!latest.ok()) return latest.status();
        if (req->sequence() < 1 || req->sequence() > *latest) {
          return platform::InvalidField(
              "sequence", absl::StrCat("must be from 1 to the latest sequence (", *latest, ")"));
        }
        // Cumulative: a position at or below the acknowledged one changes nothing, so a
        // retry is safe.
        if (req->sequence() > sub->acknowledged_sequence) {
          const int64_t now = core_->NowMicros();
          IBM_RETURN_IF_ERROR(events.Acknowledge(s, sub->id, req->sequence(), now));
          sub->acknowledged_sequence = req->sequence();
          sub->acknowledge_time_us = now;
          // Retention: what every subscription has acknowledged goes after 30 days.
          auto pruned = events.Prune(s, now - absl::ToInt64Microseconds(kRetention));
          if (!pruned.ok()) return pruned.status();
        }
        return SubscriptionToProto(events, s, *sub, resp);
      });
    });
  }

 private:
  CorePtr core_;
  platform::UnaryCalls calls_;
};

}  // namespace

absl::Status EnqueueCaseEvent(const Core& core, sql::Session& s, v1::CaseEvent event) {
  const store::Events events(core.dialect());
  auto sequence = events.NextSequence(s);  // locks the counter until this transaction ends
  if (!sequence.ok()) return sequence.status();
  const int64_t now = core.NowMicros();
  event.set_sequence(*sequence);
  event.set_event_id(NewId("ev"));
  *event.mutable_commit_time() = resource::ToTimestamp(now);
  *event.mutable_publish_time() = resource::ToTimestamp(now);
  return events.Append(
      s, store::Event{*sequence, event.event_id(), event.type(), now, event.SerializeAsString()});
}

std::unique_ptr<grpc::Service> NewCaseEventService(CorePtr core, platform::Runtime runtime) {
  return std::make_unique<CaseEventService>(std::move(core), std::move(runtime));
}

}  // namespace ibm::cases
