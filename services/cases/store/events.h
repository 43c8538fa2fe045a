#pragma once

// The case event feed's store: the feed (events by sequence), its counter, and the
// subscriptions' acknowledged positions. Events are serialized ibm.cases.v1.CaseEvent bytes;
// no protos, no callers, no access rules here.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sql/database.h"

namespace ibm::cases::store {

// One published event.
struct Event {
  int64_t sequence = 0;
  std::string event_id;
  int type = 0;  // v1::CaseEventType
  int64_t publish_time_us = 0;
  std::string body;  // serialized v1::CaseEvent, sequence and times included
};

// A consumer's position in the feed.
struct Subscription {
  std::string id;      // "referrals"
  std::string system;  // the token `system` claim that may read it
  int64_t acknowledged_sequence = 0;
  std::optional<int64_t> acknowledge_time_us;
};

class Events {
 public:
  explicit Events(const sql::Dialect& dialect) : dialect_(dialect) {}

  // The next sequence: bumps the feed's counter row, which stays locked (both engines) until
  // the transaction ends, so sequences are handed out one transaction at a time, in commit
  // order, and a rolled-back transaction gives its number back.
  absl::StatusOr<int64_t> NextSequence(sql::Session& s) const;
  // The newest sequence handed out (0: none yet).
  absl::StatusOr<int64_t> LatestSequence(sql::Session& s) const;
  absl::Status Append(sql::Session& s, const Event& e) const;
  // Events after `after`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<Event>> After(sql::Session& s, int64_t after, int limit) const;

  // NOT_FOUND naming `name` when there is no such subscription. `for_update` locks it.
  absl::StatusOr<Subscription> GetSubscription(sql::Session& s, absl::string_view id,
                                               absl::string_view name,
                                               bool for_update = false) const;
  absl::Status Acknowledge(sql::Session& s, absl::string_view id, int64_t sequence,
                           int64_t time_us) const;
  // Retention: drops the events every subscription has acknowledged that were published
  // before `published_before_us`. Yields how many went.
  absl::StatusOr<int64_t> Prune(sql::Session& s, int64_t published_before_us) const;

 private:
  sql::Dialect dialect_;
};

}  // namespace ibm::cases::store
